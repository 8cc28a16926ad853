/**
 * Cars3D (Reed, Zhang, Zhang & Lee 2015, "Deep Visual Analogy-Making"; Fidler, Dickinson & Urtasun 2012's CAD
 * cars rendered) read from the published `car_NNN_mesh.mat` files.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { createYielder } from '../core/batching.js';
import { flatIndex } from '../core/matrix.js';
import { readFactorBatch } from '../core/tensor.js';
import { requireBackend } from '../core/backend.js';
import { checkOptions } from '../core/validate.js';
import { listDirectory, readFileBytes } from '../core/readFiles.js';
import type { FactorBatch, Progress, ImageDataset } from '../core/types.js';
import { readMatV5 } from './matV5.js';
import { pilResizer } from './resize.js';
import { openByteSource, type FileInput } from './byteSource.js';
import { checkSha256, parseSha256Map } from './fileDigest.js';

/** Factor names of Cars3D in disentanglement_lib's order. */
export const CARS3D_FACTOR_NAMES = Object.freeze(['elevation', 'azimuth', 'object'] as const);
/** Factor sizes of Cars3D: 4 elevations · 24 azimuths · 183 cars = 17,568 images. */
export const CARS3D_FACTOR_SIZES = Object.freeze([4, 24, 183] as const);

/** A Cars3D file given by name and content (browser `File` objects qualify). */
export interface Cars3dFile {
  readonly name: string;
  /** The file's bytes, or a `Blob`; a browser `File` is read through `arrayBuffer()`. */
  readonly data?: Uint8Array | Blob;
  arrayBuffer?(): Promise<ArrayBuffer>;
}

/** A directory path (Node), the files as `{ name, data }` / `File` objects, or `{ [fileName]: bytes | Blob | path }`. */
export type Cars3dInput = string | readonly Cars3dFile[] | Readonly<Record<string, FileInput>>;

/** Options of {@link loadCars3d}. */
export interface LoadCars3dOptions {
  /** Reports `{ stage: 'load', done, total }` in files read. */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /**
   * Expected SHA-256 (64 hex digits) of some or all of the `.mat` files, keyed by file name. Each file named is
   * hashed as soon as its bytes are read, before it is parsed, and a different digest is `BAD_FILE` naming the
   * file and both digests; a name that is not one of the files found is `BAD_OPTION` (listing them). The
   * publishers give no digests.
   */
  sha256?: Record<string, string>;
}

/** Cars3D held in memory as 64×64 RGB bytes (17,568 × 12,288 B ≈ 216 MB). */
export interface Cars3dDataset extends ImageDataset {
  readonly numImages: number;
  /** The `.mat` file of each car index, in the order used (sorted by name). */
  readonly fileNames: readonly string[];
  readonly deterministicObservations: true;
  /** n×64×64×3 float32 images in [0, 1] (`rng` is not used). */
  observationsFromFactors(factors: FactorBatch): tf.Tensor4D;
  /** The images of `factors` as bytes (n·64·64·3). */
  imagesFromFactors(factors: FactorBatch): Uint8Array;
}

const ARG = 'dirOrFiles';
const KNOWN = Object.keys({ onProgress: 0, signal: 0, sha256: 0 } satisfies Record<keyof LoadCars3dOptions, 0>);
const IM_DIMS = [128, 128, 3, 24, 4];
const IMAGE = 64 * 64 * 3;

/**
 * Loads Cars3D from the directory of the 183 `car_NNN_mesh.mat` files published with "Deep Visual Analogy-Making"
 * (scottreed.info; MATLAB v5, compressed, each holding `im`, 128×128×3×24×4 uint8: height, width, RGB, azimuth,
 * elevation), or from the files themselves (name + bytes / Blob, e.g. browser `File`s). Factors in
 * disentanglement_lib's order: elevation 4, azimuth 24, object 183 (the cars in sorted file-name order); image
 * index C-order over those sizes; `im[:, :, :, azimuth, elevation]` resized 128→64 with Pillow's Lanczos filter
 * bit for bit. Every file is checked (`im` present, uint8, 128×128×3×24×4; exactly 183 `.mat` files) with
 * `BAD_FILE` naming the file and what differs. Memory: the 64×64 bytes, ≈ 216 MB; one file inflated at a time.
 * {@link LoadCars3dOptions.sha256} checks the files' digests as they are read.
 *
 * @param dirOrFiles a directory path (Node), the `.mat` files as `{ name, data }` / `File` objects, or
 *   `{ [fileName]: bytes | Blob | path }`.
 * @example
 * const cars = await loadCars3d('data/cars');
 * const mig = await computeMig({ dataset: cars, represent: encoder });
 */
export async function loadCars3d(dirOrFiles: Cars3dInput, options: LoadCars3dOptions = {}): Promise<Cars3dDataset> {
  return openCars3d(dirOrFiles, options, CARS3D_FACTOR_SIZES[2]);
}

interface Source {
  name: string;
  read(): Promise<Uint8Array>;
}

async function sources(dirOrFiles: Cars3dInput): Promise<Source[]> {
  if (typeof dirOrFiles === 'string') {
    const names = await listDirectory(dirOrFiles, ARG, 'a directory path needs Node; in a browser pass the files');
    if (!names) throw new DisentangleError('BAD_FILE', ARG, `cannot list the directory '${dirOrFiles}'`);
    const dir = dirOrFiles.replace(/[\\/]+$/, '');
    return names.filter((n) => n.toLowerCase().endsWith('.mat')).map((name) => ({ name, read: () => readFileBytes(`${dir}/${name}`, ARG) }));
  }
  if (dirOrFiles && typeof dirOrFiles === 'object' && !Array.isArray(dirOrFiles)) {
    // { 'car_001_mesh.mat': bytes | Blob | path }, the form loadSmallNorb takes.
    const record = dirOrFiles as Readonly<Record<string, FileInput>>;
    return Object.keys(record)
      .filter((name) => name.toLowerCase().endsWith('.mat'))
      .map((name) => {
        const v = record[name];
        return { name, read: () => (typeof v === 'string' ? readFileBytes(v, ARG) : v instanceof Uint8Array ? Promise.resolve(v) : v.arrayBuffer().then((b) => new Uint8Array(b))) };
      });
  }
  if (!Array.isArray(dirOrFiles)) throw new DisentangleError('BAD_INPUT', ARG, 'expected a directory path, an array of { name, data } files or { name: bytes }');
  return (dirOrFiles as readonly Cars3dFile[])
    .filter((f) => typeof f?.name === 'string' && f.name.toLowerCase().endsWith('.mat'))
    .map((f) => ({
      name: f.name,
      async read() {
        if (f.data instanceof Uint8Array) return f.data;
        if (f.data && typeof f.data.arrayBuffer === 'function') return new Uint8Array(await f.data.arrayBuffer());
        if (typeof f.arrayBuffer === 'function') return new Uint8Array(await f.arrayBuffer());
        throw new DisentangleError('BAD_INPUT', ARG, `file '${f.name}' has neither data (Uint8Array / Blob) nor arrayBuffer()`);
      },
    }));
}

/** {@link loadCars3d} expecting `numCars` files (the published set has 183; tests use fewer). */
export async function openCars3d(dirOrFiles: Cars3dInput, options: LoadCars3dOptions, numCars: number): Promise<Cars3dDataset> {
  checkOptions(options, 'loadCars3d', KNOWN);
  throwIfAborted(options.signal);
  const files = (await sources(dirOrFiles)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const where = typeof dirOrFiles === 'string' ? `'${dirOrFiles}' holds` : 'got';
  if (files.length !== numCars) throw new DisentangleError('BAD_FILE', ARG, `${where} ${files.length} .mat files, expected ${numCars} (one car_NNN_mesh.mat per car)`);
  const digests = options.sha256 === undefined ? undefined : parseSha256Map(options.sha256, files.map((f) => f.name), 'sha256');
  const sizes = [IM_DIMS[4], IM_DIMS[3], numCars];
  const images = new Uint8Array(sizes[0] * sizes[1] * numCars * IMAGE);
  const resizer = pilResizer(128, 128, 3, 64, 64);
  const hwc = new Uint8Array(128 * 128 * 3);
  const yielder = createYielder(options.signal);
  options.onProgress?.({ stage: 'load', done: 0, total: numCars });
  for (let car = 0; car < numCars; car++) {
    const file = files[car];
    const fail = (m: string): Error => new DisentangleError('BAD_FILE', ARG, `'${file.name}' ${m}`);
    const bytes = await file.read();
    const expected = digests?.get(file.name);
    if (expected !== undefined) await checkSha256(await openByteSource(bytes, ARG, `'${file.name}'`), expected, ARG, { signal: options.signal });
    const [im] = readMatV5(bytes, fail, 'im');
    if (!im) throw fail("holds no numeric array 'im'");
    if (im.dims.length !== 5 || im.dims.some((d, k) => d !== IM_DIMS[k])) throw fail(`has 'im' of dimensions [${im.dims.join('×')}], expected [${IM_DIMS.join('×')}]`);
    if (im.className !== 'uint8') throw fail(`has 'im' of class ${im.className}, expected uint8`);
    const d = im.data;
    for (let el = 0; el < IM_DIMS[4]; el++) {
      for (let az = 0; az < IM_DIMS[3]; az++) {
        // Column-major: im(a, b, c, az, el) at a + 128·(b + 128·(c + 3·(az + 24·el))); a is the image row.
        const base = 128 * 128 * 3 * (az + 24 * el);
        for (let c = 0; c < 3; c++) {
          const plane = base + c * 128 * 128;
          for (let b = 0; b < 128; b++) for (let a = 0; a < 128; a++) hwc[(a * 128 + b) * 3 + c] = d[plane + b * 128 + a];
        }
        resizer.resize(hwc, images, 0, flatIndex(sizes, [el, az, car]) * IMAGE);
      }
    }
    options.onProgress?.({ stage: 'load', done: car + 1, total: numCars });
    await yielder.maybeYield();
  }
  return makeDataset(images, sizes, files.map((f) => f.name));
}

function makeDataset(images: Uint8Array, sizes: number[], fileNames: string[]): Cars3dDataset {
  const frozen = Object.freeze([...sizes]);
  const gather = <T extends Uint8Array | Float32Array>(factors: FactorBatch, make: (n: number) => T): T => {
    const f = readFactorBatch(factors, frozen);
    const out = make(f.rows * IMAGE);
    for (let i = 0; i < f.rows; i++) {
      const src = flatIndex(frozen, f.data, i * 3) * IMAGE;
      if (out instanceof Uint8Array) out.set(images.subarray(src, src + IMAGE), i * IMAGE);
      else for (let p = 0; p < IMAGE; p++) out[i * IMAGE + p] = images[src + p] / 255;
    }
    return out;
  };
  return {
    factorSizes: frozen,
    factorNames: Object.freeze([...CARS3D_FACTOR_NAMES]),
    observationShape: Object.freeze([64, 64, 3]),
    numImages: images.length / IMAGE,
    fileNames: Object.freeze(fileNames),
    deterministicObservations: true,
    observationsFromFactors(factors) {
      requireBackend('observationsFromFactors');
      const px = gather(factors, (n) => new Float32Array(n));
      return tf.tensor4d(px, [px.length / IMAGE, 64, 64, 3], 'float32');
    },
    imagesFromFactors: (factors) => gather(factors, (n) => new Uint8Array(n)),
  };
}
