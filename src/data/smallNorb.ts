/**
 * SmallNORB (LeCun, Huang & Bottou 2004, "Learning methods for generic object recognition with invariance to pose
 * and lighting") read from its six published binary files, as disentanglement_lib's `norb.py` uses it: both
 * splits combined (48,600 stereo pairs), the left image of each pair, shrunk from 96×96 to 64×64 with Pillow's
 * Lanczos filter; factors category 5, elevation 9, azimuth 18, lighting 6, with the instance (10 per category,
 * 5 in each split) drawn at random for every observation.
 *
 * File format ("binary matrix" of the NORB site): int32 magic (0x1E3D4C55 bytes, 0x1E3D4C54 int32), int32 ndim,
 * max(3, ndim) int32 dimensions, then the little-endian payload in C order.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createYielder } from '../core/batching.js';
import { requireBackend } from '../core/backend.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { flatIndex } from '../core/matrix.js';
import { readFactorBatch } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import type { FactorBatch, Progress, ImageDataset } from '../core/types.js';
import { checkOptions, enumOption } from '../core/validate.js';
import { openByteSource, type ByteSource, type FileInput } from './byteSource.js';
import { pilLanczosResizer } from './resize.js';
import { gunzipByteSource } from './gunzipSource.js';
import { checkSha256Files, parseSha256Map } from './fileDigest.js';
import { nodeFs } from '../core/readFiles.js';

/** Options of {@link loadSmallNorb}. */
export interface LoadSmallNorbOptions {
  /**
   * `'clamped'` (default): pixels as Pillow resizes 8-bit images (each pass clamped to 0…255), observations in
   * [0, 1]. `'reference'`: disentanglement_lib's values bit for bit — it hands Pillow int8 arrays, which become
   * 32-bit images whose Lanczos overshoot is kept (observations from about −0.04 to 1.09).
   */
  pixels?: 'clamped' | 'reference';
  /** Reports `{ stage: 'load', done, total }` in bytes of the two `.dat` files read. */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /**
   * Expected SHA-256 (64 hex digits) of some or all of the files, keyed by the name of the file as given
   * (`smallnorb-…-dat.mat`, or `smallnorb-…-dat.mat.gz` for a published gzip file: the bytes as they are on disk).
   * The files named are hashed after they are opened and before anything else is read — streamed in 4 MiB
   * pieces, reporting `{ stage: 'sha256', done, total }` in bytes over them all — and a different digest is
   * `BAD_FILE` naming the file and both digests. A name that is not one of the twelve, or a file that was not
   * the one read (`.mat` named when `.mat.gz` was read), is `BAD_OPTION`. The publishers give no digests.
   */
  sha256?: Record<string, string>;
}

/** SmallNORB as a dataset over the four latent factors, plus a renderer over all five. */
export interface SmallNorbDataset extends ImageDataset {
  /** 48,600. */
  readonly numImages: number;
  /** Bytes held by the resized image table. */
  readonly tableBytes: number;
  /** Images for factors (category, elevation, azimuth, lighting), the instance drawn from `rng` per row. */
  observationsFromFactors(factors: FactorBatch, rng: Rng): tf.Tensor4D;
  /**
   * Pixel values (0…255; −10…278 with `pixels: 'reference'`) of the images of full rows (category, instance,
   * elevation, azimuth, lighting) written into `out` (n·64·64 values).
   */
  renderInto<T extends Float32Array | Int16Array>(allFactors: FactorBatch, out: T): T;
}

/** The published file names: `smallnorb-<chunk>-<kind>.mat`. */
export const SMALL_NORB_CHUNKS = ['5x46789x9x18x6x2x96x96-training', '5x01235x9x18x6x2x96x96-testing'] as const;
const KINDS = ['dat', 'cat', 'info'] as const;
/** Sizes of (category, instance, elevation, azimuth, lighting) as disentanglement_lib indexes images. */
const ALL_SIZES = [5, 10, 9, 18, 6] as const;
const LATENT = [0, 2, 3, 4] as const;
const ROWS = 24_300;
const SIDE = 96;
const OUT = 64;
const MAGIC_UBYTE = 0x1e3d4c55;
const MAGIC_INT32 = 0x1e3d4c54;
const ARG = 'dirOrFiles';
const CHUNK = 4 << 20;

interface Header {
  magic: number;
  dims: number[];
  dataOffset: number;
}

const bad = (message: string): DisentangleError => new DisentangleError('BAD_FILE', ARG, message);

async function readHeader(src: ByteSource, want: { magic: number; dims: number[] }): Promise<Header> {
  if (src.size < 8) throw bad(`${src.label} is ${src.size} bytes long, too short for field 'magic' and 'ndim'`);
  const head = await src.read(0, Math.min(src.size, 8 + 4 * 8));
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getInt32(0, true);
  const typeName = (m: number): string => (m === MAGIC_UBYTE ? 'ubyte' : m === MAGIC_INT32 ? 'int32' : `0x${(m >>> 0).toString(16)}`);
  if (magic !== want.magic) throw bad(`${src.label}: field 'magic' is ${typeName(magic)}, expected ${typeName(want.magic)} (0x${want.magic.toString(16)})`);
  const ndim = view.getInt32(4, true);
  if (ndim !== want.dims.length) throw bad(`${src.label}: field 'ndim' is ${ndim}, expected ${want.dims.length}`);
  const eff = Math.max(3, ndim);
  if (head.length < 8 + 4 * eff) throw bad(`${src.label} ends inside field 'dims'`);
  const dims = Array.from({ length: ndim }, (_, i) => view.getInt32(8 + 4 * i, true));
  if (dims.some((d, i) => d !== want.dims[i])) throw bad(`${src.label}: field 'dims' is [${dims}], expected [${want.dims}] (the published SmallNORB layout)`);
  const dataOffset = 8 + 4 * eff;
  const itemSize = magic === MAGIC_UBYTE ? 1 : 4;
  const need = dims.reduce((a, b) => a * b, 1) * itemSize;
  if (src.size !== dataOffset + need) {
    throw bad(`${src.label}: field 'data' holds ${src.size - dataOffset} bytes, dims [${dims}] need ${need}${src.size < dataOffset + need ? ' (the file is truncated)' : ''}`);
  }
  return { magic, dims, dataOffset };
}

async function readInt32s(src: ByteSource, h: Header): Promise<Int32Array> {
  const bytes = await src.read(h.dataOffset, src.size - h.dataOffset);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

async function isFile(path: string): Promise<boolean> {
  const fs = await nodeFs(ARG, 'a directory path needs Node; in a browser pass the files as bytes or Blobs');
  return fs.stat(path).then((st) => st.isFile(), () => false);
}

async function openAll(dirOrFiles: string | Record<string, FileInput>, digests: Map<string, string> | undefined, options: LoadSmallNorbOptions): Promise<Map<string, ByteSource>> {
  const names = SMALL_NORB_CHUNKS.flatMap((c) => KINDS.map((k) => `smallnorb-${c}-${k}.mat`));
  const out = new Map<string, ByteSource>();
  const toHash: { src: ByteSource; expected: string }[] = [];
  const given: string[] = [];
  try {
    for (const name of names) {
      let input: FileInput | undefined;
      let gz = false;
      if (typeof dirOrFiles === 'string') {
        const path = `${dirOrFiles.replace(/[\\/]+$/, '')}/${name}`;
        gz = !(await isFile(path)) && (await isFile(`${path}.gz`)); // the NORB site publishes `<name>.gz`
        input = gz ? `${path}.gz` : path;
      } else if (dirOrFiles !== null && typeof dirOrFiles === 'object') {
        gz = dirOrFiles[name] === undefined && dirOrFiles[`${name}.gz`] !== undefined;
        input = gz ? dirOrFiles[`${name}.gz`] : dirOrFiles[name];
      } else throw new DisentangleError('BAD_INPUT', ARG, 'expected a directory path or an object mapping the six SmallNORB file names to bytes or Blobs');
      if (input === undefined) throw bad(`has no '${name}' (nor '${name}.gz'); SmallNORB needs the six files ${names.join(', ')}`);
      const src = await openByteSource(input, ARG, `'${gz ? `${name}.gz` : name}'`);
      const expected = digests?.get(gz ? `${name}.gz` : name);
      if (expected !== undefined) toHash.push({ src, expected });
      given.push(gz ? `${name}.gz` : name);
      out.set(name, gz ? await gunzipByteSource(src, ARG).catch(async (e: unknown) => { await src.close(); throw e; }) : src);
    }
    for (const key of digests?.keys() ?? []) {
      if (!given.includes(key)) throw new DisentangleError('BAD_OPTION', 'sha256', `names '${key}', but the file read was '${given.find((g) => g.replace(/\.gz$/, '') === key.replace(/\.gz$/, ''))}'`);
    }
    await checkSha256Files(toHash, ARG, options);
  } catch (e) {
    await Promise.all([...out.values()].map((s) => s.close()));
    throw e;
  }
  return out;
}

/**
 * Loads SmallNORB from the six files of https://cs.nyu.edu/~ylclab/data/norb-v1.0-small/
 * (`smallnorb-5x46789x9x18x6x2x96x96-training-{dat,cat,info}.mat` and `smallnorb-5x01235x9x18x6x2x96x96-testing-…`),
 * each either uncompressed or as published (`<name>.mat.gz`, inflated as a stream; `.mat` is preferred when both are there).
 * The `.dat` files (448 MB each) are streamed in 4 MB pieces; only the left image of each pair is kept, resized
 * to 64×64 uint8 at once (a 199 MB table; 398 MB with `pixels: 'reference'`). Factor order and sizes follow
 * disentanglement_lib: category 5, elevation 9, azimuth 18 (the file's 0, 2, …, 34 halved), lighting 6; each
 * observation draws the instance uniformly from 10 with `rng`, so `deterministicObservations` is false.
 * Headers, sizes and every factor combination (each must appear exactly once over the two splits) are checked:
 * `BAD_FILE` names the file and field. {@link LoadSmallNorbOptions.sha256} checks the files' digests first.
 *
 * @param dirOrFiles the directory holding the six files (Node), or an object mapping each file name to its bytes
 *   or a `Blob`.
 * @example
 * const norb = await loadSmallNorb('/data/small_norb');
 * const mig = await computeMig({ dataset: norb, represent: encoder });
 */
export async function loadSmallNorb(dirOrFiles: string | Record<string, FileInput>, options: LoadSmallNorbOptions = {}): Promise<SmallNorbDataset> {
  checkOptions(options, 'loadSmallNorb', Object.keys({ pixels: 0, onProgress: 0, signal: 0, sha256: 0 } satisfies Record<keyof LoadSmallNorbOptions, 0>));
  const pixels = enumOption(options.pixels, 'pixels', ['clamped', 'reference'] as const, 'clamped');
  const names = SMALL_NORB_CHUNKS.flatMap((c) => KINDS.map((k) => `smallnorb-${c}-${k}.mat`));
  const digests = options.sha256 === undefined ? undefined : parseSha256Map(options.sha256, [...names, ...names.map((n) => `${n}.gz`)], 'sha256');
  throwIfAborted(options.signal);
  const files = await openAll(dirOrFiles, digests, options);
  try {
    const file = (chunk: string, kind: string): ByteSource => files.get(`smallnorb-${chunk}-${kind}.mat`) as ByteSource;
    // Every header first, so a wrong or truncated file fails before the long read.
    const headers = [];
    for (const chunk of SMALL_NORB_CHUNKS) {
      headers.push({
        dat: await readHeader(file(chunk, 'dat'), { magic: MAGIC_UBYTE, dims: [ROWS, 2, SIDE, SIDE] }),
        cat: await readHeader(file(chunk, 'cat'), { magic: MAGIC_INT32, dims: [ROWS] }),
        info: await readHeader(file(chunk, 'info'), { magic: MAGIC_INT32, dims: [ROWS, 4] }),
      });
    }
    const total = ALL_SIZES.reduce((a, b) => a * b, 1);
    const slotOf: Int32Array[] = [];
    const filled = new Uint8Array(total);
    for (let s = 0; s < SMALL_NORB_CHUNKS.length; s++) {
      const chunk = SMALL_NORB_CHUNKS[s];
      const cat = await readInt32s(file(chunk, 'cat'), headers[s].cat);
      const info = await readInt32s(file(chunk, 'info'), headers[s].info);
      const slots = new Int32Array(ROWS);
      const row = new Int32Array(5);
      for (let r = 0; r < ROWS; r++) {
        row[0] = cat[r];
        row[1] = info[r * 4];
        row[2] = info[r * 4 + 1];
        row[3] = info[r * 4 + 2] / 2;
        row[4] = info[r * 4 + 3];
        const where = (k: number, what: string): DisentangleError =>
          bad(`'smallnorb-${chunk}-${k === 0 ? 'cat' : 'info'}.mat': ${what} at row ${r} is ${k === 0 ? cat[r] : info[r * 4 + k - 1]}, outside 0…${(ALL_SIZES[k] - 1) * (k === 3 ? 2 : 1)}${k === 3 ? ' (even values)' : ''}`);
        for (let k = 0; k < 5; k++) if (!Number.isInteger(row[k]) || row[k] < 0 || row[k] >= ALL_SIZES[k] || (k === 3 && info[r * 4 + 2] % 2 !== 0)) throw where(k, ['category', 'instance', 'elevation', 'azimuth', 'lighting'][k]);
        const flat = flatIndex(ALL_SIZES, row);
        if (filled[flat]) throw bad(`'smallnorb-${chunk}-info.mat' row ${r}: the combination (category ${row[0]}, instance ${row[1]}, elevation ${row[2]}, azimuth ${row[3] * 2}, lighting ${row[4]}) appears twice over the two splits`);
        filled[flat] = 1;
        slots[r] = flat;
      }
      slotOf.push(slots);
    }
    const px = OUT * OUT;
    const table = pixels === 'clamped' ? new Uint8Array(total * px) : new Int16Array(total * px);
    await readImages(files, headers, slotOf, table, pixels, options);
    return norbDataset(table);
  } finally {
    await Promise.all([...files.values()].map((s) => s.close()));
  }
}

async function readImages(files: Map<string, ByteSource>, headers: { dat: Header }[], slotOf: Int32Array[], table: Uint8Array | Int16Array, pixels: 'clamped' | 'reference', options: LoadSmallNorbOptions): Promise<void> {
  const resizer = pilLanczosResizer(SIDE, SIDE, 1, OUT, OUT, pixels === 'clamped' ? 'uint8' : 'int32');
  const image = SIDE * SIDE;
  const pair = 2 * image;
  const perChunk = Math.floor(CHUNK / pair);
  const totalBytes = 2 * ROWS * pair;
  const yielder = createYielder(options.signal);
  let done = 0;
  options.onProgress?.({ stage: 'load', done, total: totalBytes });
  for (let s = 0; s < SMALL_NORB_CHUNKS.length; s++) {
    const src = files.get(`smallnorb-${SMALL_NORB_CHUNKS[s]}-dat.mat`) as ByteSource;
    for (let r0 = 0; r0 < ROWS; r0 += perChunk) {
      const n = Math.min(perChunk, ROWS - r0);
      const bytes = await src.read(headers[s].dat.dataOffset + r0 * pair, n * pair);
      for (let i = 0; i < n; i++) {
        const off = i * pair; // the left image comes first in each pair
        let blank = true;
        for (let p = off; p < off + image; p++) {
          if (bytes[p] !== 0) {
            blank = false;
            break;
          }
        }
        // An all-zero image resizes to zeros in both of Pillow's paths; the table starts zeroed.
        if (!blank) resizer.resize(bytes, table, off, slotOf[s][r0 + i] * OUT * OUT);
        if ((i & 63) === 63) await yielder.maybeYield();
      }
      done += n * pair;
      options.onProgress?.({ stage: 'load', done, total: totalBytes });
      await yielder.maybeYield();
    }
  }
}

function norbDataset(table: Uint8Array | Int16Array): SmallNorbDataset {
  const px = OUT * OUT;
  const latentSizes = LATENT.map((k) => ALL_SIZES[k]);
  const renderInto = <T extends Float32Array | Int16Array>(allFactors: FactorBatch, out: T): T => {
    const f = readFactorBatch(allFactors, ALL_SIZES);
    if (!(out instanceof Float32Array || out instanceof Int16Array) || out.length !== f.rows * px) {
      throw new DisentangleError('SHAPE_MISMATCH', 'out', `expected a Float32Array or Int16Array of ${f.rows * px} values`);
    }
    for (let i = 0; i < f.rows; i++) {
      const src = flatIndex(ALL_SIZES, f.data, i * 5) * px;
      out.set(table.subarray(src, src + px), i * px);
    }
    return out;
  };
  return {
    factorSizes: Object.freeze(latentSizes),
    factorNames: Object.freeze(['category', 'elevation', 'azimuth', 'lighting']),
    observationShape: Object.freeze([OUT, OUT, 1]),
    numImages: table.length / px,
    tableBytes: table.byteLength,
    deterministicObservations: false, // the instance is drawn per observation
    observationsFromFactors(factors: FactorBatch, rng: Rng): tf.Tensor4D {
      const f = readFactorBatch(factors, latentSizes);
      requireBackend('observationsFromFactors');
      const all = new Int32Array(f.rows * 5);
      for (let i = 0; i < f.rows; i++) {
        all[i * 5] = f.data[i * 4];
        all[i * 5 + 1] = rng.int(ALL_SIZES[1]);
        for (let k = 1; k < 4; k++) all[i * 5 + k + 1] = f.data[i * 4 + k];
      }
      const pix = renderInto({ data: all, shape: [f.rows, 5] }, new Float32Array(f.rows * px));
      for (let i = 0; i < pix.length; i++) pix[i] /= 255;
      return tf.tensor4d(pix, [f.rows, OUT, OUT, 1], 'float32');
    },
    renderInto,
  };
}
