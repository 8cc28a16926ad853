import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { flatIndex, type IntMatrix } from '../core/matrix.js';
import type { FactorBatch, Progress } from '../core/types.js';
import type { Rng } from '../core/rng.js';
import type { DspritesDataset } from './dsprites.js';
import { DSPRITES_FACTOR_NAMES } from './dspritesRenderer.js';
import { readFactorBatch } from '../core/tensor.js';
import { openFileStream } from '../core/readFiles.js';
import { elementSink, readNpzStream } from './npz.js';
import type { NpyHeader, NpySink } from './npz.js';
import { checkOptions } from '../core/validate.js';
import { requireBackend } from '../core/backend.js';

/** Options of {@link loadDsprites}. */
export interface LoadDspritesOptions {
  /** Reports `{ stage: 'load', done, total }` in compressed bytes read. */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * dSprites backed by the real file: the {@link DspritesDataset} interface (`factorValues` are the file's
 * `latents_values`; `renderInto` unpacks), with images kept bit-packed (one bit per pixel) until asked for.
 */
export interface LoadedDsprites extends DspritesDataset {
  /** Images in the file. */
  readonly numImages: number;
  /** Bytes held by the packed images. */
  readonly packedBytes: number;
}

const ARG = 'pathOrBytes';
const CHUNK = 1 << 20;

/** Builds `BAD_FILE` errors that name the argument and, for a path, the file. */
type Fail = (message: string) => DisentangleError;
const failFor = (label: string | undefined): Fail => (message) => new DisentangleError('BAD_FILE', ARG, label ? `${label} ${message}` : message);

function* sliceBytes(bytes: Uint8Array): Generator<Uint8Array> {
  for (let p = 0; p < bytes.length; p += CHUNK) yield bytes.subarray(p, Math.min(bytes.length, p + CHUNK));
}

async function openSource(pathOrBytes: string | Uint8Array): Promise<{ chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>; total: number }> {
  if (pathOrBytes instanceof Uint8Array) return { chunks: sliceBytes(pathOrBytes), total: pathOrBytes.length };
  if (typeof pathOrBytes !== 'string') throw new DisentangleError('BAD_INPUT', ARG, 'expected a file path or the bytes of the .npz file (Uint8Array)');
  return openFileStream(pathOrBytes, ARG, CHUNK);
}

function expectArray(badFile: Fail, name: string, h: NpyHeader, descrs: readonly string[], rank: number): void {
  if (!descrs.includes(h.descr)) throw badFile(`'${name}' has dtype '${h.descr}', expected ${descrs.map((d) => `'${d}'`).join(' or ')}`);
  if (h.fortranOrder) throw badFile(`'${name}' is stored in Fortran order; expected C order`);
  if (h.shape.length !== rank) throw badFile(`'${name}' has shape (${h.shape}), expected ${rank} dimensions`);
}

/** Packs 0/1 bytes into bits as they stream (pixel p of an image → byte p >> 3, bit p & 7). */
function imageSink(badFile: Fail, h: NpyHeader, state: { packed?: Uint8Array; n: number; pixels: number; stride: number }): NpySink {
  const [n, rows, cols] = h.shape;
  const pixels = rows * cols;
  const stride = Math.ceil(pixels / 8);
  const packed = new Uint8Array(n * stride);
  Object.assign(state, { packed, n, pixels, stride });
  return {
    write(chunk, byteOffset) {
      let img = Math.floor(byteOffset / pixels);
      let pix = byteOffset - img * pixels;
      let base = img * stride;
      for (let j = 0; j < chunk.length; j++) {
        const v = chunk[j];
        if (v !== 0) {
          if (v !== 1) throw badFile(`'imgs' holds the value ${v} in image ${img}; dSprites images are 0/1`);
          packed[base + (pix >> 3)] |= 1 << (pix & 7);
        }
        if (++pix === pixels) {
          pix = 0;
          img++;
          base += stride;
        }
      }
    },
  };
}

function classesSink(badFile: Fail, h: NpyHeader, out: { data?: Int32Array }): NpySink {
  const data = new Int32Array(h.shape[0] * h.shape[1]);
  out.data = data;
  const wide = h.itemSize === 8;
  return elementSink(h.itemSize, (view, first, count) => {
    for (let i = 0; i < count; i++) {
      const lo = view.getInt32(i * h.itemSize, true);
      const hi = wide ? view.getInt32(i * h.itemSize + 4, true) : 0;
      if (hi !== 0 || lo < 0) throw badFile(`'latents_classes' holds a negative or huge class index at element ${first + i}`);
      data[first + i] = lo;
    }
  });
}

function valuesSink(h: NpyHeader, out: { data?: Float64Array }): NpySink {
  const data = new Float64Array(h.shape[0] * h.shape[1]);
  out.data = data;
  const f8 = h.itemSize === 8;
  return elementSink(h.itemSize, (view, first, count) => {
    for (let i = 0; i < count; i++) data[first + i] = f8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
  });
}

/** Checks that every combination of the kept factors appears exactly once and maps it to its row. */
function indexLayout(badFile: Fail, classes: Int32Array, values: Float64Array, n: number, cols: number): { sizes: number[]; rowOf: Int32Array | null; factorValues: number[][] } {
  for (let i = 0; i < n; i++) {
    if (classes[i * cols] !== 0) throw badFile(`'latents_classes' column 0 (color) takes a value other than 0 at row ${i}; only single-color files are supported`);
  }
  const K = cols - 1;
  const sizes = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) sizes[k] = Math.max(sizes[k], classes[i * cols + k + 1] + 1);
  const combos = sizes.reduce((a, b) => a * b, 1);
  if (combos !== n) throw badFile(`'latents_classes' spans ${combos} factor combinations (sizes [${sizes}]) but the file holds ${n} images; every combination must appear exactly once`);
  const rowOf = new Int32Array(n).fill(-1);
  let identity = true;
  const factorValues = sizes.map((s) => new Array<number>(s).fill(NaN));
  for (let i = 0; i < n; i++) {
    const flat = flatIndex(sizes, classes, i * cols + 1);
    for (let k = 0; k < K; k++) {
      const c = classes[i * cols + k + 1];
      const v = values[i * cols + k + 1];
      if (Number.isNaN(factorValues[k][c])) factorValues[k][c] = v;
      else if (factorValues[k][c] !== v) throw badFile(`'latents_values' gives class ${c} of factor ${k} two values (${factorValues[k][c]} and ${v})`);
    }
    if (rowOf[flat] !== -1) throw badFile(`rows ${rowOf[flat]} and ${i} of 'latents_classes' hold the same factor combination`);
    rowOf[flat] = i;
    if (flat !== i) identity = false;
  }
  return { sizes, rowOf: identity ? null : rowOf, factorValues };
}

/**
 * Loads the real dSprites file `dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz` (Matthey et al. 2017) by
 * streaming decompression and keeps its 737,280 images bit-packed (≈ 377 MB instead of 3 GB). The dataset looks
 * images up by factor indices with the color factor dropped, as disentanglement_lib's `dsprites_full` does:
 * factors (shape, scale, orientation, posX, posY), flat index Σ fᵢ·baseᵢ with bases [245760, 40960, 1024, 32, 1].
 *
 * While loading it checks that `latents_classes` holds every factor combination exactly once (so any file with
 * the same keys, dtypes and a consistent layout — for instance fewer factor values — loads too) and reads the real
 * factor values off `latents_values`. Errors are `BAD_FILE` naming `pathOrBytes`.
 *
 * @param pathOrBytes a file path (Node; read in 1 MB chunks) or the file's bytes.
 * @example
 * const data = await loadDsprites('dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz');
 * const mig = await computeMig({ dataset: data, represent: encoder });
 */
export async function loadDsprites(pathOrBytes: string | Uint8Array, options: LoadDspritesOptions = {}): Promise<LoadedDsprites> {
  checkOptions(options, 'loadDsprites', Object.keys({ onProgress: 0, signal: 0 } satisfies Record<keyof LoadDspritesOptions, 0>));
  const { chunks, total } = await openSource(pathOrBytes);
  const badFile = failFor(typeof pathOrBytes === 'string' ? `'${pathOrBytes}'` : undefined);
  const imgs: { packed?: Uint8Array; n: number; pixels: number; stride: number } = { n: 0, pixels: 0, stride: 0 };
  const classes: { data?: Int32Array; shape?: number[] } = {};
  const values: { data?: Float64Array; shape?: number[] } = {};
  let imageShape: number[] = [];
  throwIfAborted(options.signal);
  options.onProgress?.({ stage: 'load', done: 0, total });
  await readNpzStream(
    chunks,
    (name, h) => {
      if (name === 'imgs') {
        expectArray(badFile, name, h, ['|u1', '<u1', '|b1'], 3);
        imageShape = h.shape.slice(1);
        return imageSink(badFile, h, imgs);
      }
      if (name === 'latents_classes') {
        expectArray(badFile, name, h, ['<i8', '<i4'], 2);
        classes.shape = h.shape;
        return classesSink(badFile, h, classes);
      }
      if (name === 'latents_values') {
        expectArray(badFile, name, h, ['<f8', '<f4'], 2);
        values.shape = h.shape;
        return valuesSink(h, values);
      }
      return undefined;
    },
    { argument: ARG, label: typeof pathOrBytes === 'string' ? `'${pathOrBytes}'` : undefined, totalBytes: total, signal: options.signal, onBytes: (done) => options.onProgress?.({ stage: 'load', done, total }) },
  );
  for (const [key, got] of [['imgs', imgs.packed], ['latents_classes', classes.data], ['latents_values', values.data]] as const) {
    if (!got) throw badFile(`has no '${key}' array; expected the dSprites keys imgs, latents_classes, latents_values`);
  }
  const n = imgs.n;
  if (n === 0 || imgs.pixels === 0) throw badFile(`'imgs' holds no pixels (shape [${n}, ${imageShape}])`);
  const cs = classes.shape as number[];
  const vs = values.shape as number[];
  if (cs[0] !== n || vs[0] !== n) throw badFile(`'imgs' has ${n} rows, 'latents_classes' ${cs[0]}, 'latents_values' ${vs[0]}; they must agree`);
  if (cs[1] !== vs[1] || cs[1] < 2) throw badFile(`'latents_classes' has ${cs[1]} columns and 'latents_values' ${vs[1]}; expected the same, color first`);
  const layout = indexLayout(badFile, classes.data as Int32Array, values.data as Float64Array, n, cs[1]);
  classes.data = undefined;
  values.data = undefined;
  return packedDataset(imgs.packed as Uint8Array, imgs.stride, imageShape, layout);
}

function packedDataset(packed: Uint8Array, stride: number, imageShape: number[], layout: ReturnType<typeof indexLayout>): LoadedDsprites {
  const { sizes, rowOf, factorValues } = layout;
  const K = sizes.length;
  const pixels = imageShape[0] * imageShape[1];
  const renderInto = <T extends Uint8Array | Float32Array>(factors: FactorBatch | IntMatrix, out?: T): T => {
    const f = readFactorBatch(factors, sizes);
    const dst = out ?? new Uint8Array(f.rows * pixels);
    if (!(dst instanceof Uint8Array || dst instanceof Float32Array) || dst.length !== f.rows * pixels) {
      throw new DisentangleError('SHAPE_MISMATCH', 'out', `expected a Uint8Array or Float32Array of ${f.rows * pixels} values`);
    }
    for (let i = 0; i < f.rows; i++) {
      const flat = flatIndex(sizes, f.data, i * K);
      const src = (rowOf ? rowOf[flat] : flat) * stride;
      for (let p = 0, o = i * pixels; p < pixels; p++, o++) dst[o] = (packed[src + (p >> 3)] >> (p & 7)) & 1;
    }
    return dst as T;
  };
  return {
    factorSizes: Object.freeze(sizes),
    factorNames: Object.freeze(K === 5 ? [...DSPRITES_FACTOR_NAMES] : sizes.map((_, k) => `factor${k + 1}`)),
    observationShape: Object.freeze([imageShape[0], imageShape[1], 1]),
    numImages: packed.length / stride,
    factorValues: factorValues.map((v) => Object.freeze(v)),
    packedBytes: packed.byteLength,
    variant: 'binary', // the published file holds the binary images only
    deterministicObservations: true, // one image per factor combination
    renderObservations(factors: FactorBatch | IntMatrix, _rng?: Rng, out?: Float32Array): Float32Array {
      const f = readFactorBatch(factors, sizes);
      return renderInto(f, out ?? new Float32Array(f.rows * pixels));
    },
    observationsFromFactors(factors: FactorBatch): tf.Tensor4D {
      const f = readFactorBatch(factors, sizes);
      requireBackend('observationsFromFactors');
      const pix = renderInto(f, new Float32Array(f.rows * pixels));
      return tf.tensor4d(pix, [f.rows, imageShape[0], imageShape[1], 1], 'float32');
    },
    renderInto,
  };
}
