/**
 * Shapes3D (Burgess & Kim 2018, "3D Shapes Dataset", DeepMind; introduced with FactorVAE, Kim & Mnih 2018) read
 * from the published `3dshapes.h5`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { createYielder } from '../core/batching.js';
import { flatIndex, unflatIndex } from '../core/matrix.js';
import { readFactorBatch } from '../core/tensor.js';
import { requireBackend } from '../core/backend.js';
import { checkOptions } from '../core/validate.js';
import type { FactorBatch, Progress, ImageDataset } from '../core/types.js';
import { openHdf5, type Hdf5Array, type Hdf5File } from './hdf5.js';
import { chunkedImages, type ChunkCacheStats, type ChunkedImages } from './chunkedImages.js';
import { openImageCopy } from './imageCopy.js';
import { openByteSource } from './byteSource.js';
import { checkSha256, parseSha256Option } from './fileDigest.js';

/** Factor names of Shapes3D in the file's (and disentanglement_lib's) order. */
export const SHAPES3D_FACTOR_NAMES = Object.freeze(['floor_hue', 'wall_hue', 'object_hue', 'scale', 'shape', 'orientation'] as const);
/** Factor sizes of Shapes3D: 10·10·10·8·4·15 = 480,000 images. */
export const SHAPES3D_FACTOR_SIZES = Object.freeze([10, 10, 10, 8, 4, 15] as const);

const linspace = (a: number, b: number, n: number, endpoint = true): number[] =>
  Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (endpoint ? n - 1 : n));

/** The published label values of each factor (hues in [0, 1) by 0.1, scale 0.75…1.25, shape 0…3, orientation −30…30°). */
export const SHAPES3D_FACTOR_VALUES: readonly (readonly number[])[] = Object.freeze(
  [linspace(0, 1, 10, false), linspace(0, 1, 10, false), linspace(0, 1, 10, false), linspace(0.75, 1.25, 8), [0, 1, 2, 3], linspace(-30, 30, 15)].map((v) => Object.freeze(v)),
);

/** Options of {@link loadShapes3d}. */
export interface LoadShapes3dOptions {
  /** Reports `{ stage: 'load', done, total }` in label rows checked. */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /**
   * Bytes of inflated image chunks kept between calls (default 512 MiB). The published file's chunks span
   * 15,000 images × 4×4 pixels × 1 channel, so one image needs the 768 chunks of its 15,000-image block
   * (184 MB inflated); `6.5e9` holds the whole data set (5.9 GB) once it has been read.
   */
  cacheBytes?: number;
  /**
   * The file's expected SHA-256 (64 hex digits, else `BAD_OPTION`). When given, the whole file is hashed before
   * anything else is read — streamed in 4 MiB pieces (memory bounded; about 2 s for the published 268 MB file),
   * reporting `{ stage: 'sha256', done, total }` in bytes and honouring `signal` — and a different digest is
   * `BAD_FILE` naming both digests. The published file's digest is {@link SHAPES3D_SHA256}.
   */
  sha256?: string;
  /**
   * Path of an uncompressed copy of the images (Node; `pathOrBytes` must be a path), e.g.
   * `'3dshapes.images.u8'`. When it is missing or stale (made from another file, or truncated), the images are
   * streamed into it once — each 15,000-image block inflated once, 5.9 GB written to a temporary file in the same
   * folder, flushed and renamed into place; `onProgress` reports `{ stage: 'convert', done, total }` in images and
   * an abort leaves no file under this name — and images are then read by offset from it, 12,288 bytes each,
   * instead of by chunk. A file at this path that is not such a copy is `BAD_FILE` (never overwritten). Labels
   * are still checked from the `.h5`.
   */
  uncompressedCopy?: string;
}

/**
 * SHA-256 of the published `3dshapes.h5` (267,573,662 bytes), as recorded by third-party loaders (its MD5,
 * 099a2078d58cec4daad0702c55d06868, is also the one disent records); not checked unless passed as `sha256`.
 */
export const SHAPES3D_SHA256 = '0a0f6ed98baff276a50f3a081a7434d788da63cb135a98189b2a5b5769be1785';

/** Shapes3D read from `3dshapes.h5`: a ground-truth dataset whose images are read by chunk on demand. */
export interface Shapes3dDataset extends ImageDataset {
  /** The label value of each factor index (the file's `labels`, checked on load). */
  readonly factorValues: readonly (readonly number[])[];
  readonly numImages: number;
  readonly deterministicObservations: true;
  /** n×64×64×3 float32 images in [0, 1] (`rng` is not used: one image per factor combination). */
  observationsFromFactors(factors: FactorBatch): Promise<tf.Tensor4D>;
  /** The images of `factors` as raw bytes (n·64·64·3), without tfjs. */
  imagesFromFactors(factors: FactorBatch, signal?: AbortSignal): Promise<Uint8Array>;
  /** Whether this load wrote the {@link LoadShapes3dOptions.uncompressedCopy} (`false` without one, or when reused). */
  readonly copyBuilt: boolean;
  /** Chunk cache counters (all 0 when images come from an uncompressed copy: no chunk is read). */
  cacheStats(): ChunkCacheStats;
  /** Closes the file; later reads throw. */
  close(): void;
}

/** The layout a file must have: factor sizes, names and label values (the published one, or a test's). */
export interface Shapes3dLayout {
  sizes: readonly number[];
  names: readonly string[];
  values: readonly (readonly number[])[];
}

const PUBLISHED: Shapes3dLayout = { sizes: SHAPES3D_FACTOR_SIZES, names: SHAPES3D_FACTOR_NAMES, values: SHAPES3D_FACTOR_VALUES };
const ARG = 'pathOrBytes';
const KNOWN = Object.keys({ onProgress: 0, signal: 0, cacheBytes: 0, sha256: 0, uncompressedCopy: 0 } satisfies Record<keyof LoadShapes3dOptions, 0>);
const LABEL_TOL = 1e-6;

/**
 * Loads Shapes3D from the published `3dshapes.h5` (https://github.com/deepmind/3d-shapes; 480,000 RGB 64×64
 * images of a shape in a room). Factors in disentanglement_lib's order: floor_hue 10, wall_hue 10, object_hue 10,
 * scale 8, shape 4, orientation 15; image row = C-order flat index over those sizes. The file is checked on load:
 * `images` 480,000×64×64×3 uint8 and `labels` 480,000×6 float, every label row equal to its factor values
 * (within 1e-6), else `BAD_FILE` naming what differs. Images are read by HDF5 chunk on demand through a
 * bounded cache ({@link LoadShapes3dOptions.cacheBytes}); the 5.9 GB array is never inflated whole. The
 * published chunks make that slow for random draws (a few images per second); pass
 * {@link LoadShapes3dOptions.uncompressedCopy} to convert the images once into a plain file read by offset
 * (thousands of images per second). Needs the optional peer dependency `h5wasm`.
 *
 * @param pathOrBytes a path (Node; read in place) or the file's bytes / a `Blob` (held in memory, compressed).
 * @example
 * const shapes = await loadShapes3d('3dshapes.h5');
 * const mig = await computeMig({ dataset: shapes, represent: encoder });
 * shapes.close();
 * // Random draws at disk speed after a one-time 5.9 GB conversion (reused by later loads):
 * const fast = await loadShapes3d('3dshapes.h5', { uncompressedCopy: '3dshapes.images.u8' });
 */
export async function loadShapes3d(pathOrBytes: string | Uint8Array | Blob, options: LoadShapes3dOptions = {}): Promise<Shapes3dDataset> {
  return openShapes3d(pathOrBytes, options, PUBLISHED);
}

/** {@link loadShapes3d} for a given layout (tests use reduced factor sizes; the public loader the published ones). */
export async function openShapes3d(pathOrBytes: string | Uint8Array | Blob, options: LoadShapes3dOptions, layout: Shapes3dLayout): Promise<Shapes3dDataset> {
  checkOptions(options, 'loadShapes3d', KNOWN);
  const cacheBytes = options.cacheBytes ?? 512 * 2 ** 20;
  if (typeof cacheBytes !== 'number' || !(cacheBytes >= 0)) throw new DisentangleError('BAD_OPTION', 'cacheBytes', `expected a number of bytes ≥ 0, got ${String(cacheBytes)}`);
  const sha256 = options.sha256 === undefined ? undefined : parseSha256Option(options.sha256, 'sha256');
  const copyPath = options.uncompressedCopy;
  if (copyPath !== undefined) {
    if (typeof copyPath !== 'string' || copyPath.length === 0) throw new DisentangleError('BAD_OPTION', 'uncompressedCopy', `expected a file path, got ${String(copyPath)}`);
    if (typeof pathOrBytes !== 'string') throw new DisentangleError('BAD_OPTION', 'uncompressedCopy', 'needs pathOrBytes to be a path (the copy is identified by the .h5 file\'s size and modification time)');
  }
  throwIfAborted(options.signal);
  if (sha256 !== undefined) {
    const src = await openByteSource(pathOrBytes, ARG);
    try {
      await checkSha256(src, sha256, ARG, options);
    } finally {
      await src.close();
    }
  }
  throwIfAborted(options.signal);
  const file = await openHdf5(pathOrBytes, ARG, 'loadShapes3d');
  try {
    const label = typeof pathOrBytes === 'string' ? `'${pathOrBytes}' ` : '';
    const fail = (m: string): DisentangleError => new DisentangleError('BAD_FILE', ARG, `${label}${m}`);
    const { images, labels } = checkArrays(file, layout, fail);
    await checkLabels(labels, layout, fail, options);
    if (copyPath !== undefined) {
      const { onProgress, signal } = options;
      const copy = await openImageCopy({ copyPath, sourcePath: pathOrBytes as string, images, dataset: 'shapes3d', factorSizes: layout.sizes, onProgress, signal });
      file.close();
      return makeDataset(copy, images.shape[0], layout, copy.built, () => void copy.close());
    }
    return makeDataset(chunkedImages(images, cacheBytes), images.shape[0], layout, false, () => file.close());
  } catch (e) {
    file.close();
    throw e;
  }
}

function checkArrays(file: Hdf5File, layout: Shapes3dLayout, fail: (m: string) => DisentangleError): { images: Hdf5Array; labels: Hdf5Array } {
  const images = file.array('images');
  const labels = file.array('labels');
  if (!images || !labels) throw fail(`has no '${images ? 'labels' : 'images'}' dataset (members: ${file.names.join(', ') || 'none'}); expected 'images' and 'labels'`);
  const n = layout.sizes.reduce((a, b) => a * b, 1);
  if (images.kind !== 'uint' || images.itemSize !== 1) throw fail(`'images' has ${images.kind}${images.itemSize * 8} elements, expected uint8`);
  const is = images.shape;
  if (is.length !== 4 || is[1] !== 64 || is[2] !== 64 || is[3] !== 3) throw fail(`'images' has shape [${is.join(', ')}], expected [${n}, 64, 64, 3]`);
  if (is[0] !== n) throw fail(`'images' holds ${is[0]} images, expected ${n} (${layout.sizes.join('×')}, one per factor combination)`);
  if (labels.kind !== 'float') throw fail(`'labels' has ${labels.kind}${labels.itemSize * 8} elements, expected float64`);
  const ls = labels.shape;
  if (ls.length !== 2 || ls[0] !== n || ls[1] !== layout.sizes.length) throw fail(`'labels' has shape [${ls.join(', ')}], expected [${n}, ${layout.sizes.length}]`);
  return { images, labels };
}

/** Every label row must hold the values of the factor combination its row index encodes (C order). */
async function checkLabels(labels: Hdf5Array, layout: Shapes3dLayout, fail: (m: string) => DisentangleError, options: LoadShapes3dOptions): Promise<void> {
  const [n, K] = labels.shape;
  const step = Math.max(1, Math.min(n, labels.chunks ? labels.chunks[0] * 8 : 60000));
  const yielder = createYielder(options.signal);
  const f = new Int32Array(K);
  options.onProgress?.({ stage: 'load', done: 0, total: n });
  for (let r0 = 0; r0 < n; r0 += step) {
    const rows = Math.min(step, n - r0);
    const block = labels.read([r0, 0], [rows, K]);
    for (let i = 0; i < rows; i++) {
      unflatIndex(layout.sizes, r0 + i, f);
      for (let k = 0; k < K; k++) {
        const got = block[i * K + k];
        const want = layout.values[k][f[k]];
        if (!(Math.abs(got - want) <= LABEL_TOL)) {
          throw fail(`'labels' row ${r0 + i} gives ${layout.names[k]} = ${got}, expected ${want} (index ${f[k]} of factor sizes [${layout.sizes.join(', ')}] in C order)`);
        }
      }
    }
    options.onProgress?.({ stage: 'load', done: r0 + rows, total: n });
    await yielder.maybeYield();
  }
}

function makeDataset(reader: ChunkedImages, numImages: number, layout: Shapes3dLayout, copyBuilt: boolean, release: () => void): Shapes3dDataset {
  const sizes = Object.freeze([...layout.sizes]);
  const K = sizes.length;
  let closed = false;
  const imageBytes = 64 * 64 * 3;
  const rowsOf = (factors: FactorBatch): Int32Array => {
    const f = readFactorBatch(factors, sizes);
    const rows = new Int32Array(f.rows);
    for (let i = 0; i < f.rows; i++) rows[i] = flatIndex(sizes, f.data, i * K);
    return rows;
  };
  const gather = async <T extends Uint8Array | Float32Array>(rows: Int32Array, out: T, signal?: AbortSignal): Promise<T> => {
    if (closed) throw new DisentangleError('UNSUPPORTED', 'dataset', 'this Shapes3D dataset was closed');
    await reader.gather(rows, out, createYielder(signal));
    return out;
  };
  return {
    factorSizes: sizes,
    factorNames: Object.freeze([...layout.names]),
    observationShape: Object.freeze([64, 64, 3]),
    factorValues: layout.values,
    numImages,
    copyBuilt,
    deterministicObservations: true,
    async observationsFromFactors(factors) {
      const rows = rowsOf(factors);
      requireBackend('observationsFromFactors');
      const pix = await gather(rows, new Float32Array(rows.length * imageBytes));
      return tf.tensor4d(pix, [rows.length, 64, 64, 3], 'float32');
    },
    async imagesFromFactors(factors, signal) {
      const rows = rowsOf(factors);
      return gather(rows, new Uint8Array(rows.length * imageBytes), signal);
    },
    cacheStats: () => reader.stats(),
    close() {
      closed = true;
      reader.clear();
      release();
    },
  };
}
