/**
 * A gzip file read as its inflated bytes through the {@link ByteSource} interface, for loaders that read a
 * published `.gz` front to back (SmallNORB's `*.mat.gz`). Inflation streams (fflate's `Gunzip`), so memory stays
 * at the bytes of the current read. Reads must go forward: each may start anywhere at or after the start of the
 * previous one. `size` is the inflated size the gzip trailer records (ISIZE); when the stream has been read to
 * its end, the inflated length and CRC-32 are checked against the trailer (`BAD_FILE` for a corrupt or truncated
 * gzip, as for data that fflate cannot inflate).
 */
import { Gunzip } from 'fflate';
import { crc32 } from '../core/crc32.js';
import { DisentangleError } from '../core/errors.js';
import type { ByteSource } from './byteSource.js';

const IN_CHUNK = 1 << 20;

/**
 * Wraps a source holding a single-member gzip file; errors name `argument` and `label` (the `.gz` file).
 *
 * @example
 * const dat = await gunzipByteSource(await openByteSource('x.mat.gz', 'dir'), 'dir');
 * const head = await dat.read(0, 24);
 */
export async function gunzipByteSource(inner: ByteSource, argument: string): Promise<ByteSource> {
  const label = inner.label;
  const bad = (m: string): DisentangleError => new DisentangleError('BAD_FILE', argument, `${label} ${m}`);
  if (inner.size < 18) throw bad(`is ${inner.size} bytes long, too short for a gzip file`);
  const magic = await inner.read(0, 2);
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) throw bad('is not gzip data (no 1f 8b signature)');
  const trailer = await inner.read(inner.size - 8, 8);
  const tv = new DataView(trailer.buffer, trailer.byteOffset, 8);
  const wantCrc = tv.getUint32(0, true);
  const size = tv.getUint32(4, true); // ISIZE: the inflated length mod 2^32 (every SmallNORB file is < 4 GB)

  let inPos = 0; // compressed bytes pushed
  let ended = false;
  let crc = 0;
  let produced = 0; // inflated bytes so far
  let base = 0; // offset of the first byte still held
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  const gz = new Gunzip((chunk, final) => {
    crc = crc32(chunk, crc);
    produced += chunk.length;
    held.push(chunk);
    heldBytes += chunk.length;
    if (final) ended = true;
  });
  const pushMore = async (): Promise<void> => {
    const n = Math.min(IN_CHUNK, inner.size - inPos);
    const bytes = await inner.read(inPos, n);
    inPos += n;
    try {
      gz.push(bytes, inPos === inner.size);
    } catch (e) {
      throw bad(`is not a valid gzip stream (${(e as Error).message})`);
    }
    if (inPos === inner.size && !ended) throw bad('ends inside its compressed data (the gzip file is truncated)');
  };
  const finish = async (): Promise<void> => {
    while (!ended) await pushMore();
    if (produced !== size || (crc >>> 0) !== wantCrc) {
      throw bad(`is a corrupt gzip file: it inflates to ${produced} bytes with CRC-32 ${(crc >>> 0).toString(16)}, its trailer records ${size} bytes and ${wantCrc.toString(16)}`);
    }
  };

  return {
    label,
    size,
    async read(offset, length) {
      if (offset < base) throw new DisentangleError('UNSUPPORTED', argument, `${label}: a gzip file is read forward only (byte ${offset} wanted after ${base})`);
      if (offset + length > size) throw bad(`inflates to ${size} bytes, before the ${length} bytes wanted at ${offset}`);
      while (base + heldBytes < offset + length) {
        if (ended || inPos === inner.size) throw bad(`inflates to only ${produced} bytes, its trailer records ${size} (corrupt gzip)`);
        await pushMore();
      }
      // Drop what lies before `offset`, then copy the wanted range out of the held pieces.
      const all = held.length === 1 ? held[0] : concat(held, heldBytes);
      const start = offset - base;
      const out = all.slice(start, start + length);
      held = [all.subarray(start)];
      heldBytes = all.length - start;
      base = offset;
      if (offset + length === size) await finish();
      return out;
    },
    close: () => inner.close(),
  };
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
