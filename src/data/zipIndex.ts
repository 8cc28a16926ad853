/**
 * Random-access zip reading: the central directory found from the end records (zip64 included), and where a
 * member's bytes start, so that a stored (uncompressed) member — an `.npy` inside an `np.savez` archive — can be
 * read by offset without streaming the archive. Layout: PKWARE APPNOTE 6.3 (see zipStream.ts for the streaming
 * reader, which checks everything but must read every byte).
 */
import { DisentangleError } from '../core/errors.js';
import type { ByteSource } from './byteSource.js';
import { Fields, readCentralRecord, readZip64End, U16_MAX, U32_MAX, ZIP_CENTRAL, ZIP_END, ZIP_END64, ZIP_LOCAL, ZIP_LOCATOR64 } from './zipParts.js';

/** A member as the central directory lists it. */
export interface ZipDirectoryEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  /** Offset of the member's local header. */
  localOffset: number;
}

const MAX_DIRECTORY = 8 << 20;

/**
 * Lists an archive's members from its central directory. `BAD_FILE` naming `argument` and the file when the end
 * records or the directory are missing or inconsistent.
 */
export async function readZipDirectory(src: ByteSource, argument: string): Promise<ZipDirectoryEntry[]> {
  const fail = (m: string): DisentangleError => new DisentangleError('BAD_FILE', argument, `${src.label} ${m}`);
  const tailLen = Math.min(src.size, 22 + U16_MAX + 20);
  const tailStart = src.size - tailLen;
  const tail = new Fields(await src.read(tailStart, tailLen), fail, 'the end of the zip archive');
  let at = -1;
  for (let q = tailLen - 22; q >= 0; q--) {
    if (tail.u32(q) === ZIP_END && q + 22 + tail.u16(q + 20) === tailLen) {
      at = q;
      break;
    }
  }
  if (at < 0) throw fail('is not a zip archive (no end-of-central-directory record; is it an .npz file, and complete?)');
  let count = tail.u16(at + 10);
  let dirSize = tail.u32(at + 12);
  let dirOffset = tail.u32(at + 16);
  if (count === U16_MAX || dirSize === U32_MAX || dirOffset === U32_MAX) {
    if (at < 20 || tail.u32(at - 20) !== ZIP_LOCATOR64) throw fail('needs a zip64 end record but has no zip64 locator');
    const end64 = tail.u64(at - 20 + 8, 'zip64 end record offset');
    if (end64 + 56 > src.size) throw fail("the zip64 locator's field 'zip64 end record offset' points past the end of the file");
    const rec = new Fields(await src.read(end64, 56), fail, 'the zip64 end record');
    if (rec.u32(0) !== ZIP_END64) throw fail(`has no zip64 end record at byte ${end64}`);
    ({ count, size: dirSize, offset: dirOffset } = readZip64End(rec, 0));
  }
  if (dirSize > MAX_DIRECTORY || dirOffset + dirSize > src.size) throw fail(`field 'central directory offset' (${dirOffset}) or 'size' (${dirSize}) runs past the file`);
  const dir = new Fields(await src.read(dirOffset, dirSize), fail, 'the central directory');
  const entries: ZipDirectoryEntry[] = [];
  for (let q = 0, i = 0; i < count; i++) {
    if (dir.u32(q) !== ZIP_CENTRAL) throw fail(`central directory record ${i} has a bad signature`);
    const { name, flags, method, compressedSize, size, crc, localOffset, length } = readCentralRecord(dir, q);
    if (flags & 0x0001) throw fail(`member '${name}' is encrypted`);
    entries.push({ name, method, compressedSize, size, crc, localOffset });
    q += length;
  }
  return entries;
}

/** Offset of a member's first data byte, read off its local header (checked against the directory entry). */
export async function memberDataOffset(src: ByteSource, entry: ZipDirectoryEntry, argument: string): Promise<number> {
  const fail = (m: string): DisentangleError => new DisentangleError('BAD_FILE', argument, `${src.label} ${m}`);
  if (entry.localOffset + 30 > src.size) throw fail(`member '${entry.name}': field 'local header offset' points past the end of the file`);
  const head = new Fields(await src.read(entry.localOffset, 30), fail, `the local header of '${entry.name}'`);
  if (head.u32(0) !== ZIP_LOCAL) throw fail(`member '${entry.name}' has no local header at byte ${entry.localOffset}`);
  if (head.u16(8) !== entry.method) throw fail(`member '${entry.name}': field 'compression method' differs between its local header and the central directory`);
  const start = entry.localOffset + 30 + head.u16(26) + head.u16(28);
  if (start + entry.compressedSize > src.size) throw fail(`member '${entry.name}' runs past the end of the file (the file is truncated)`);
  return start;
}
