/**
 * An uncompressed copy of a chunked image array, written once so that images can then be read by offset. A data
 * set whose published chunks span many images (Shapes3D's `3dshapes.h5`: one chunk holds 4×4 pixels of one
 * channel of 15,000 images) costs a whole block of chunks per random image; the copy costs one 12,288-byte read.
 *
 * File format: a header of {@link IMAGE_COPY_HEADER_BYTES} bytes — the magic line {@link IMAGE_COPY_MAGIC}, then
 * one line of JSON describing the copy (data set, image count, image shape, factor sizes, and the size and
 * modification time of the file it was made from), padded with spaces — then the images as uint8 in C order
 * (image i at `header + i·H·W·C`). A copy whose description or size differs from what the source says is stale
 * and is rebuilt; a file without the magic line is someone else's and is refused (`BAD_FILE`), never overwritten.
 * Node only (the copy is a file).
 */
import { createYielder, type Yielder } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { nodeFs } from '../core/readFiles.js';
import type { Progress } from '../core/types.js';
import { openByteSource, type ByteSource } from './byteSource.js';
import { chunkedImages, type ChunkedImages } from './chunkedImages.js';
import type { Hdf5Array } from './hdf5.js';

/** First line of every copy. */
export const IMAGE_COPY_MAGIC = 'DISENTANGLE-UINT8-IMAGES v1\n';
/** Bytes before the first image (a page, so image rows start page-aligned). */
export const IMAGE_COPY_HEADER_BYTES = 4096;

/** What a copy must describe to be reused: anything different means it is stale. */
export interface ImageCopyIdentity {
  dataset: string;
  numImages: number;
  imageShape: number[];
  factorSizes: number[];
  /** Size in bytes and modification time (ms) of the file the images were copied from. */
  sourceBytes: number;
  sourceMtimeMs: number;
}

/** Options of {@link openImageCopy}. */
export interface ImageCopyOptions {
  /** Path of the copy. */
  copyPath: string;
  /** Path of the file the images come from (its size and mtime identify it). */
  sourcePath: string;
  /** The source's image array [N, H, W, C] uint8. */
  images: Hdf5Array;
  dataset: string;
  factorSizes: readonly number[];
  /** Reports `{ stage: 'convert', done, total }` in images, only when the copy is (re)built. */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Argument named in errors (default `'uncompressedCopy'`). */
  argument?: string;
}

/** Images read by offset from a copy; `built` says whether this call wrote it (and why). */
export interface ImageCopyReader extends ChunkedImages {
  readonly built: boolean;
  /** Why the copy was (re)built: `'missing'` or what was stale; `undefined` when an existing copy was reused. */
  readonly rebuildReason: string | undefined;
  close(): Promise<void>;
}

/** Rows per read when the source array is contiguous (no chunks): 1,024 images, 12.6 MB for 64×64×3. */
const CONTIGUOUS_ROWS = 1024;
/** Most consecutive images read with one call when gathering. */
const MAX_RUN = 256;

function header(identity: ImageCopyIdentity): Uint8Array {
  const text = `${IMAGE_COPY_MAGIC}${JSON.stringify({ format: 1, ...identity })}\n`;
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > IMAGE_COPY_HEADER_BYTES) throw new Error(`image copy header of ${bytes.length} bytes exceeds ${IMAGE_COPY_HEADER_BYTES}`);
  const out = new Uint8Array(IMAGE_COPY_HEADER_BYTES).fill(0x20);
  out.set(bytes);
  return out;
}

/** `undefined` when the copy at `path` can be reused, else why not; throws `BAD_FILE` for a file that is not a copy. */
async function staleReason(path: string, want: ImageCopyIdentity, imageBytes: number, argument: string): Promise<string | undefined> {
  const fs = await nodeFs(argument, 'an uncompressed copy is a file: it needs Node');
  let st: Awaited<ReturnType<typeof fs.stat>>;
  try {
    st = await fs.stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new DisentangleError('BAD_FILE', argument, `cannot read '${path}' (${(e as Error).message})`);
  }
  const foreign = (why: string): DisentangleError =>
    new DisentangleError('BAD_FILE', argument, `'${path}' exists but is not an image copy written by disentangle (${why}); remove it or choose another path`);
  if (!st.isFile()) throw foreign('not a regular file');
  const src = await openByteSource(path, argument);
  let head: Uint8Array;
  try {
    head = await src.read(0, Math.min(IMAGE_COPY_HEADER_BYTES, src.size));
  } finally {
    await src.close();
  }
  const text = new TextDecoder().decode(head);
  if (!text.startsWith(IMAGE_COPY_MAGIC)) throw foreign(`its first bytes are not '${IMAGE_COPY_MAGIC.trim()}'`);
  let got: Record<string, unknown>;
  try {
    got = JSON.parse(text.slice(IMAGE_COPY_MAGIC.length, text.indexOf('\n', IMAGE_COPY_MAGIC.length))) as Record<string, unknown>;
  } catch {
    return 'its header cannot be parsed';
  }
  for (const [key, value] of Object.entries({ format: 1, ...want })) {
    if (JSON.stringify(got[key]) !== JSON.stringify(value)) return `its ${key} is ${JSON.stringify(got[key])}, expected ${JSON.stringify(value)}`;
  }
  const size = IMAGE_COPY_HEADER_BYTES + want.numImages * imageBytes;
  if (st.size !== size) return `it has ${st.size} bytes, expected ${size}`;
  return undefined;
}

async function* convert(images: Hdf5Array, identity: ImageCopyIdentity, options: ImageCopyOptions): AsyncGenerator<Uint8Array> {
  const [n, h, w, c] = images.shape;
  const step = images.chunks ? images.chunks[0] : CONTIGUOUS_ROWS;
  const yielder = createYielder(options.signal);
  const reader = chunkedImages(images, 0);
  yield header(identity);
  options.onProgress?.({ stage: 'convert', done: 0, total: n });
  for (let r0 = 0; r0 < n; r0 += step) {
    throwIfAborted(options.signal);
    const rows = Math.min(step, n - r0);
    // One block of chunk rows, gathered chunk by chunk (each inflated once, no cache): an HDF5 hyperslab read of
    // the block would scatter every byte separately (a chunk holds one channel) and measured ~10× slower.
    const block = new Uint8Array(rows * h * w * c);
    await reader.gather(Int32Array.from({ length: rows }, (_, i) => r0 + i), block, yielder);
    yield block;
    options.onProgress?.({ stage: 'convert', done: r0 + rows, total: n });
    await yielder.maybeYield();
  }
  throwIfAborted(options.signal);
}

/**
 * Opens the uncompressed copy of `images` at `copyPath`, writing it first when it is missing or stale: the
 * source is read once, one block of chunk rows at a time (each chunk inflated once), into a temporary file in the
 * copy's folder that is flushed and renamed into place, so an abort or a crash never leaves a partial copy under
 * `copyPath`. Then images are read by offset.
 *
 * @example
 * const reader = await openImageCopy({ copyPath: '3dshapes.images.u8', sourcePath: '3dshapes.h5', images, dataset: 'shapes3d', factorSizes });
 */
export async function openImageCopy(options: ImageCopyOptions): Promise<ImageCopyReader> {
  const argument = options.argument ?? 'uncompressedCopy';
  const fs = await nodeFs(argument, 'an uncompressed copy is a file: it needs Node');
  const { images } = options;
  const [n, h, w, c] = images.shape;
  const imageBytes = h * w * c;
  let source: Awaited<ReturnType<typeof fs.stat>>;
  try {
    source = await fs.stat(options.sourcePath);
  } catch (e) {
    throw new DisentangleError('BAD_FILE', 'pathOrBytes', `cannot read '${options.sourcePath}' (${(e as Error).message})`);
  }
  const identity: ImageCopyIdentity = {
    dataset: options.dataset,
    numImages: n,
    imageShape: [h, w, c],
    factorSizes: [...options.factorSizes],
    sourceBytes: source.size,
    sourceMtimeMs: source.mtimeMs,
  };
  throwIfAborted(options.signal);
  const reason = await staleReason(options.copyPath, identity, imageBytes, argument);
  if (reason !== undefined) {
    await writeFileAtomic(options.copyPath, convert(images, identity, options), argument);
    const after = await staleReason(options.copyPath, identity, imageBytes, argument);
    if (after !== undefined) throw new DisentangleError('BAD_FILE', argument, `'${options.copyPath}' was written but does not check: ${after}`);
  }
  const src = await openByteSource(options.copyPath, argument);
  return { ...byOffset(src, imageBytes), built: reason !== undefined, rebuildReason: reason, close: () => src.close() };
}

/** Gathers images by offset, reading runs of consecutive rows with one call. */
function byOffset(src: ByteSource, imageBytes: number): ChunkedImages {
  return {
    async gather(rows: ArrayLike<number>, out: Uint8Array | Float32Array, yielder?: Yielder): Promise<void> {
      const order = Array.from({ length: rows.length }, (_, i) => i).sort((a, b) => rows[a] - rows[b]);
      const scale = out instanceof Float32Array ? 1 / 255 : 1;
      for (let j = 0; j < order.length; ) {
        let k = j + 1;
        while (k < order.length && k - j < MAX_RUN && rows[order[k]] - rows[order[j]] <= k - j) k++;
        const first = rows[order[j]];
        const count = rows[order[k - 1]] - first + 1;
        const bytes = await src.read(IMAGE_COPY_HEADER_BYTES + first * imageBytes, count * imageBytes);
        for (let m = j; m < k; m++) {
          const i = order[m];
          const s = (rows[i] - first) * imageBytes;
          const d = i * imageBytes;
          if (scale === 1) out.set(bytes.subarray(s, s + imageBytes), d);
          else for (let b = 0; b < imageBytes; b++) out[d + b] = bytes[s + b] * scale;
        }
        j = k;
        if (yielder) await yielder.maybeYield();
      }
    },
    // No chunk of the source is read (or cached) once the copy is there.
    stats: () => ({ chunkReads: 0, cacheHits: 0, cachedBytes: 0, cacheBytes: 0 }),
    clear() {},
  };
}
