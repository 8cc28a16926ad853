/**
 * Stand-ins of large `.npz` files as `np.savez` writes them (a stored member `images.npy` with a zip64 local
 * header, a central directory record with zip64 sizes, the zip64 end record, its locator and the end record),
 * written sparse: only the rows `writeRows` hands over hold bytes, the rest read back as zeros without using
 * disk. Used by the MPI3D tests and benchmark.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { encodeNpyHeader } from '../../src/data/npz.js';

/**
 * Writes `path`: an `images.npy` member of uint8 `shape` (rows first). `writeRows(write)` may call
 * `write(row, bytes)` to fill rows (a run of consecutive rows at once is fine: `bytes` spans them).
 */
export function writeSavezStandIn(path: string, shape: readonly number[], writeRows?: (write: (row: number, bytes: Uint8Array) => void) => void): void {
  const rowBytes = shape.slice(1).reduce((a, b) => a * b, 1);
  const npy = encodeNpyHeader('|u1', [...shape]);
  const size = npy.length + shape[0] * rowBytes;
  const name = Buffer.from('images.npy');
  const fd = openSync(path, 'w');
  try {
    const local = Buffer.alloc(30 + name.length + 20);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4); // version needed: zip64
    local.writeUInt16LE(0x21, 12); // a DOS date, as zipfile writes
    local.writeUInt32LE(0xffffffff, 18); // sizes in the zip64 extra field
    local.writeUInt32LE(0xffffffff, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(20, 28);
    name.copy(local, 30);
    local.writeUInt16LE(1, 30 + name.length); // zip64 extra: id 1, 16 bytes
    local.writeUInt16LE(16, 32 + name.length);
    local.writeBigUInt64LE(BigInt(size), 34 + name.length);
    local.writeBigUInt64LE(BigInt(size), 42 + name.length);
    writeSync(fd, local, 0, local.length, 0);
    const data = local.length;
    writeSync(fd, npy, 0, npy.length, data);
    writeRows?.((row, bytes) => void writeSync(fd, bytes, 0, bytes.length, data + npy.length + row * rowBytes));
    const cdOff = data + size;
    const cd = Buffer.alloc(46 + name.length + 20);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(0x0314, 4);
    cd.writeUInt16LE(45, 6);
    cd.writeUInt16LE(0x21, 14);
    cd.writeUInt32LE(0xffffffff, 20);
    cd.writeUInt32LE(0xffffffff, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt16LE(20, 30);
    cd.writeUInt32LE(0x01800000, 38);
    name.copy(cd, 46);
    cd.writeUInt16LE(1, 46 + name.length);
    cd.writeUInt16LE(16, 48 + name.length);
    cd.writeBigUInt64LE(BigInt(size), 50 + name.length);
    cd.writeBigUInt64LE(BigInt(size), 58 + name.length);
    const end = Buffer.alloc(56 + 20 + 22);
    end.writeUInt32LE(0x06064b50, 0);
    end.writeBigUInt64LE(44n, 4);
    end.writeUInt16LE(45, 12);
    end.writeUInt16LE(45, 14);
    end.writeBigUInt64LE(1n, 24);
    end.writeBigUInt64LE(1n, 32);
    end.writeBigUInt64LE(BigInt(cd.length), 40);
    end.writeBigUInt64LE(BigInt(cdOff), 48);
    end.writeUInt32LE(0x07064b50, 56);
    end.writeBigUInt64LE(BigInt(cdOff + cd.length), 64);
    end.writeUInt32LE(1, 72);
    end.writeUInt32LE(0x06054b50, 76);
    end.writeUInt16LE(1, 84);
    end.writeUInt16LE(1, 86);
    end.writeUInt32LE(cd.length, 88);
    end.writeUInt32LE(0xffffffff, 92);
    writeSync(fd, cd, 0, cd.length, cdOff);
    writeSync(fd, end, 0, end.length, cdOff + cd.length);
    ftruncateSync(fd, cdOff + cd.length + end.length);
  } finally {
    closeSync(fd);
  }
}
