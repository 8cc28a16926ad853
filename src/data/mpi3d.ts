/**
 * MPI3D (Gondal et al. 2019, "On the transfer of inductive bias from simulation to the real world: a new
 * disentanglement dataset") read from its published `.npz` files by offset: `np.savez` stores the one array
 * `images` (n×64×64×3 uint8) uncompressed, so image i is 12,288 bytes at a fixed place in the file and the
 * 12.7 GB array is never loaded.
 */
import * as tf from '@tensorflow/tfjs-core';
import { requireBackend } from '../core/backend.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { flatIndex } from '../core/matrix.js';
import { readFactorBatch } from '../core/tensor.js';
import type { FactorBatch, Progress, ImageDataset } from '../core/types.js';
import { checkOptions } from '../core/validate.js';
import { openByteSource, type ByteSource, type FileInput } from './byteSource.js';
import { checkSha256, parseSha256Option } from './fileDigest.js';
import { parseNpyHeader } from './npz.js';
import { memberDataOffset, readZipDirectory } from './zipIndex.js';

/** The four published MPI3D data sets. */
export type Mpi3dVariant = 'toy' | 'realistic' | 'real' | 'complex';

/** Options of {@link loadMpi3d}. */
export interface LoadMpi3dOptions {
  /** Which release the file is: sets the factor sizes and the image count checked. */
  variant: Mpi3dVariant;
  /** Reports `{ stage: 'load', done, total }` (steps: directory, header). */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /**
   * The `.npz` file's expected SHA-256 (64 hex digits, else `BAD_OPTION`). When given, the whole file is hashed
   * before anything else is read — streamed in 4 MiB pieces (memory bounded, but all 12.7 GB of a published file
   * are read: about a minute and a half at 150 MB/s), reporting `{ stage: 'sha256', done, total }` in bytes and
   * honouring `signal` — and a different digest is `BAD_FILE` naming both. The publishers give no digests.
   */
  sha256?: string;
}

/** MPI3D over a file read by offset. */
export interface Mpi3dDataset extends ImageDataset {
  readonly variant: Mpi3dVariant;
  readonly numImages: number;
  /** Float32 images [n, 64, 64, 3] in [0, 1] (one 12 KB read per image). */
  observationsFromFactors(factors: FactorBatch): Promise<tf.Tensor4D>;
  /** The raw bytes (n·64·64·3, RGB, row-major) of the images of `factors`. */
  readImages(factors: FactorBatch): Promise<Uint8Array>;
  /** Closes the file (paths); later reads reopen nothing and fail. */
  close(): Promise<void>;
}

/** Factor names, in the order of the reshape the data set's authors give. */
export const MPI3D_FACTOR_NAMES = Object.freeze(['object_color', 'object_shape', 'object_size', 'camera_height', 'background_color', 'horizontal_axis', 'vertical_axis'] as const);
/** Factor sizes of each release: 1,036,800 images for toy / realistic / real, 460,800 for complex. */
export const MPI3D_FACTOR_SIZES: Readonly<Record<Mpi3dVariant, readonly number[]>> = Object.freeze({
  toy: Object.freeze([6, 6, 2, 3, 3, 40, 40]),
  realistic: Object.freeze([6, 6, 2, 3, 3, 40, 40]),
  real: Object.freeze([6, 6, 2, 3, 3, 40, 40]),
  complex: Object.freeze([4, 4, 2, 3, 3, 40, 40]),
});
const ARG = 'pathOrBytes';
const SIDE = 64;
const IMAGE = SIDE * SIDE * 3;

/**
 * Loads `mpi3d_toy.npz`, `mpi3d_realistic.npz`, `mpi3d_real.npz` (1,036,800 images each, factors
 * object_color 6, object_shape 6, object_size 2, camera_height 3, background_color 3, horizontal_axis 40,
 * vertical_axis 40) or the complex real-world release (460,800 images, object_color 4, object_shape 4, the rest
 * the same), as published at https://github.com/rr-learning/disentanglement_dataset. Image i is the one at the
 * C-order flat index of its factors (the authors' `reshape([6, 6, 2, 3, 3, 40, 40, 64, 64, 3])`).
 *
 * Only the zip directory and the `.npy` header are read at load time; each observation is then one read of
 * 12,288 bytes, so memory stays at the batch being drawn. The member must be stored (`np.savez`): a compressed
 * copy (`np.savez_compressed`) cannot be read by offset and is refused with `BAD_FILE` saying how to re-save it.
 * Keys, dtype, shape and image count are checked (`BAD_FILE` naming what differs); the member's CRC-32 is not,
 * since that would mean reading all 12.7 GB — pass {@link LoadMpi3dOptions.sha256} to check the whole file
 * (streamed, before anything else is read).
 *
 * @param pathOrBytes a path (Node), the file's bytes, or a `Blob` / `File` (browsers; read by slice).
 * @example
 * const mpi = await loadMpi3d('mpi3d_toy.npz', { variant: 'toy' });
 * const dci = await computeDci({ dataset: mpi, represent: encoder });
 * await mpi.close();
 */
export async function loadMpi3d(pathOrBytes: FileInput, options: LoadMpi3dOptions): Promise<Mpi3dDataset> {
  checkOptions(options, 'loadMpi3d', Object.keys({ variant: 0, onProgress: 0, signal: 0, sha256: 0 } satisfies Record<keyof LoadMpi3dOptions, 0>));
  const variant = options.variant;
  if (!Object.prototype.hasOwnProperty.call(MPI3D_FACTOR_SIZES, variant)) {
    throw new DisentangleError('BAD_OPTION', 'variant', `expected 'toy', 'realistic', 'real' or 'complex', got ${String(variant)}`);
  }
  const sizes = MPI3D_FACTOR_SIZES[variant];
  const expected = sizes.reduce((a, b) => a * b, 1);
  const sha256 = options.sha256 === undefined ? undefined : parseSha256Option(options.sha256, 'sha256');
  throwIfAborted(options.signal);
  const src = await openByteSource(pathOrBytes, ARG);
  try {
    if (sha256 !== undefined) await checkSha256(src, sha256, ARG, options);
    const fail = (m: string): DisentangleError => new DisentangleError('BAD_FILE', ARG, `${src.label} ${m}`);
    options.onProgress?.({ stage: 'load', done: 0, total: 2 });
    const entries = await readZipDirectory(src, ARG);
    const entry = entries.find((e) => e.name === 'images.npy');
    if (!entry) throw fail(`has no 'images' array (members: ${entries.map((e) => e.name).join(', ') || 'none'}); the MPI3D files hold one array named 'images'`);
    if (entry.method !== 0) {
      throw fail(
        `stores 'images' compressed (zip method ${entry.method}, as np.savez_compressed writes), which cannot be read by offset; ` +
          "re-save it uncompressed: python -c \"import numpy as np; np.savez('out.npz', images=np.load('in.npz')['images'])\"",
      );
    }
    if (entry.compressedSize !== entry.size) throw fail(`member 'images.npy' is stored but its sizes differ (${entry.compressedSize} vs ${entry.size})`);
    const start = await memberDataOffset(src, entry, ARG);
    throwIfAborted(options.signal);
    options.onProgress?.({ stage: 'load', done: 1, total: 2 });
    let parsed: ReturnType<typeof parseNpyHeader>;
    for (let want = 256; ; want *= 4) {
      const head = await src.read(start, Math.min(want, entry.size));
      parsed = parseNpyHeader(head, ARG, `${src.label} images`, entry.size);
      if (parsed || want >= entry.size || want > 1 << 20) break;
    }
    if (!parsed) throw fail("member 'images.npy' ends inside its .npy header");
    const { header, dataOffset } = parsed;
    if (header.descr !== '|u1' && header.descr !== '<u1') throw fail(`'images' has dtype '${header.descr}', expected '|u1' (uint8)`);
    if (header.fortranOrder) throw fail("'images' is stored in Fortran order; expected C order");
    const [n, ...rest] = header.shape;
    if (header.shape.length !== 4 || rest[0] !== SIDE || rest[1] !== SIDE || rest[2] !== 3) throw fail(`'images' has shape (${header.shape.join(', ')}), expected (${expected}, 64, 64, 3)`);
    if (n !== expected) {
      const hint =
        n === 460_800 ? "; 460,800 images is the complex release or the old 4×4 toy release (use variant: 'complex', whose sizes [4, 4, 2, 3, 3, 40, 40] fit both)" : n === 1_036_800 ? "; 1,036,800 images is the toy, realistic or real release" : '';
      throw fail(`'images' holds ${n} images; variant '${variant}' has ${expected} (${sizes.join('×')})${hint}`);
    }
    options.onProgress?.({ stage: 'load', done: 2, total: 2 });
    return mpi3dDataset(src, start + dataOffset, variant, sizes);
  } catch (e) {
    await src.close();
    throw e;
  }
}

function mpi3dDataset(src: ByteSource, dataStart: number, variant: Mpi3dVariant, sizes: readonly number[]): Mpi3dDataset {
  let closed = false;
  const readImages = async (factors: FactorBatch): Promise<Uint8Array> => {
    const f = readFactorBatch(factors, sizes, 'factors', MPI3D_FACTOR_NAMES);
    if (closed) throw new DisentangleError('BAD_INPUT', 'dataset', 'this MPI3D dataset has been closed');
    const out = new Uint8Array(f.rows * IMAGE);
    // Sorted reads are kinder to disks; parallel ones let the OS queue them.
    const order = Array.from({ length: f.rows }, (_, i) => ({ i, flat: flatIndex(sizes, f.data, i * sizes.length) })).sort((a, b) => a.flat - b.flat);
    const PARALLEL = 16;
    for (let p = 0; p < order.length; p += PARALLEL) {
      const part = order.slice(p, p + PARALLEL);
      const got = await Promise.all(part.map((o) => src.read(dataStart + o.flat * IMAGE, IMAGE)));
      part.forEach((o, j) => out.set(got[j], o.i * IMAGE));
    }
    return out;
  };
  return {
    factorSizes: sizes,
    factorNames: MPI3D_FACTOR_NAMES,
    observationShape: Object.freeze([SIDE, SIDE, 3]),
    variant,
    numImages: sizes.reduce((a, b) => a * b, 1),
    deterministicObservations: true,
    readImages,
    async observationsFromFactors(factors: FactorBatch): Promise<tf.Tensor4D> {
      const bytes = await readImages(factors);
      requireBackend('observationsFromFactors');
      const pix = new Float32Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) pix[i] = bytes[i] / 255;
      return tf.tensor4d(pix, [bytes.length / IMAGE, SIDE, SIDE, 3], 'float32');
    },
    async close(): Promise<void> {
      closed = true;
      await src.close();
    },
  };
}
