/**
 * The TensorLike adapter: the only module that looks at which form an input takes. Every function names the
 * argument and the calling function in its errors, like tfjs-core's `convertToTensor(x, 'x', 'op')`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from './errors.js';
import { toRows, type IntMatrix, type Matrix } from './matrix.js';
import type { FactorBatch, LabelledCodes, TensorLike } from './types.js';

/** A flat block of numbers and its shape, as read off any TensorLike. */
export interface Block {
  data: ArrayLike<number>;
  shape: number[];
}

interface SyncTensor {
  shape: readonly number[];
  dataSync(): ArrayLike<number>;
  dispose?(): void;
}
interface AsyncTensor {
  shape: readonly number[];
  data(): Promise<ArrayLike<number>>;
}

/** True for a tfjs tensor from any copy of tfjs-core (duck-typed so two installed copies still work). */
export function isTfTensor(x: unknown): x is tf.Tensor {
  if (x instanceof tf.Tensor) return true;
  const o = x as Partial<SyncTensor> & { dtype?: unknown } | null;
  return !!o && typeof o === 'object' && typeof o.dataSync === 'function' && Array.isArray(o.shape) && typeof o.dtype === 'string';
}

/**
 * Refuses tensors whose values are not real numbers: complex64 would be read as interleaved real and imaginary
 * parts, string tensors as NaN. bool is read as 0/1, which is what a factor or code made of flags means.
 */
export function checkTensorDtype(x: { dtype?: unknown }, argument: string, fn = ''): void {
  if (x.dtype === 'complex64' || x.dtype === 'string') {
    fail('BAD_INPUT', argument, fn, `is a ${x.dtype} tensor; expected real numbers (float32, int32 or bool)${x.dtype === 'complex64' ? ': take tf.real or tf.abs of it first' : ''}`);
  }
}

/** Reads a tensor-like's values synchronously, turning a failure of the tensor itself into BAD_INPUT. */
function readSync(read: () => ArrayLike<number>, argument: string, fn: string): ArrayLike<number> {
  try {
    return read();
  } catch (e) {
    if (e instanceof DisentangleError) throw e;
    return fail('BAD_INPUT', argument, fn, `its values could not be read (${(e as Error)?.message ?? String(e)})`);
  }
}

function where(argument: string, fn: string): string {
  return fn ? `${argument} (in ${fn})` : argument;
}

function fail(code: 'SHAPE_MISMATCH' | 'BAD_INPUT' | 'EMPTY' | 'NON_FINITE', argument: string, fn: string, msg: string): never {
  throw new DisentangleError(code, where(argument, fn), msg);
}

function fromRows(rows: unknown[], argument: string, fn: string): Block {
  const n = rows.length;
  if (n === 0) return { data: new Float64Array(0), shape: [0, 0] };
  if (!Array.isArray(rows[0])) {
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i];
      if (typeof v !== 'number') fail('BAD_INPUT', argument, fn, `entry ${i} is ${typeof v}, expected a number`);
      data[i] = v;
    }
    return { data, shape: [n] };
  }
  const d = (rows[0] as unknown[]).length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (!Array.isArray(r) || r.length !== d) {
      fail('SHAPE_MISMATCH', argument, fn, `row ${i} has ${Array.isArray(r) ? r.length : 'no'} entries, row 0 has ${d} (rows must be equally long)`);
    }
    for (let j = 0; j < d; j++) {
      const v = r[j];
      if (typeof v !== 'number') fail('BAD_INPUT', argument, fn, `entry [${i}][${j}] is ${typeof v}, expected a number`);
      data[i * d + j] = v;
    }
  }
  return { data, shape: [n, d] };
}

/** A `{data, shape}` block's data must be numbers: a typed array or an array (strings and BigInts are refused). */
function checkData(data: unknown, argument: string, fn: string): ArrayLike<number> {
  if (typeof data === 'string') fail('BAD_INPUT', argument, fn, 'its data is a string; expected numbers');
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    fail('BAD_INPUT', argument, fn, 'its data is a BigInt64Array; convert it to numbers first (for example Float64Array.from(data, Number))');
  }
  if (!Array.isArray(data) && !ArrayBuffer.isView(data)) fail('BAD_INPUT', argument, fn, 'its data is neither an array nor a typed array');
  return data as ArrayLike<number>;
}

function checkShape(data: ArrayLike<number>, shape: readonly number[], argument: string, fn: string): number[] {
  const s = Array.from(shape, (v: unknown) => (typeof v === 'number' ? v : NaN));
  if (s.some((v) => !Number.isInteger(v) || v < 0)) fail('BAD_INPUT', argument, fn, `shape [${s}] is not a list of non-negative integers`);
  const size = s.reduce((a, b) => a * b, 1);
  if (size !== data.length) fail('SHAPE_MISMATCH', argument, fn, `shape [${s}] holds ${size} values but data has ${data.length}`);
  return s;
}

/** Reads any synchronous TensorLike (tfjs tensor, rows, `{data, shape}`, `{data, dims}`). */
export function readBlockSync(x: TensorLike, argument: string, fn = ''): Block {
  if (x == null || typeof x !== 'object') fail('BAD_INPUT', argument, fn, `expected a tensor, an array of rows or {data, shape}, got ${x === null ? 'null' : typeof x}`);
  if (isTfTensor(x)) {
    if (x.isDisposed) fail('BAD_INPUT', argument, fn, 'the tensor has already been disposed');
    checkTensorDtype(x, argument, fn);
    const data = readSync(() => x.dataSync() as ArrayLike<number>, argument, fn);
    // A tensor from another copy of tfjs-core is only duck-typed: check what it claims.
    return { data, shape: x instanceof tf.Tensor ? [...x.shape] : checkShape(checkData(data, argument, fn), (x as { shape: readonly number[] }).shape, argument, fn) };
  }
  if (Array.isArray(x)) return fromRows(x, argument, fn);
  const o = x as { data?: unknown; shape?: unknown; dims?: unknown; dataSync?: unknown; dtype?: unknown };
  if (typeof o.dataSync === 'function' && Array.isArray(o.shape)) {
    checkTensorDtype(o, argument, fn);
    const data = checkData(readSync(() => (o.dataSync as () => ArrayLike<number>)(), argument, fn), argument, fn);
    return { data, shape: checkShape(data, o.shape as number[], argument, fn) };
  }
  const dims = (o.shape ?? o.dims) as readonly number[] | undefined;
  if (typeof o.data === 'function') {
    fail('BAD_INPUT', argument, fn, 'this tensor only offers an async data(); pass it to an async entry point (computeX) or read it first with `await readBlock(x)`');
  }
  if (o.data && typeof (o.data as ArrayLike<number>).length === 'number' && Array.isArray(dims)) {
    checkTensorDtype(o, argument, fn);
    const data = checkData(o.data, argument, fn);
    return { data, shape: checkShape(data, dims, argument, fn) };
  }
  return fail('BAD_INPUT', argument, fn, 'expected a tfjs tensor, number[][], {data, shape}, {data, dims} or {shape, data(): Promise}');
}

async function readAsync(read: () => Promise<ArrayLike<number>>, argument: string, fn: string): Promise<ArrayLike<number>> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof DisentangleError) throw e;
    return fail('BAD_INPUT', argument, fn, `its values could not be read (${(e as Error)?.message ?? String(e)})`);
  }
}

/** Reads any TensorLike, awaiting async `data()` where the form needs it. */
export async function readBlock(x: TensorLike, argument: string, fn = ''): Promise<Block> {
  if (isTfTensor(x)) {
    if (x.isDisposed) fail('BAD_INPUT', argument, fn, 'the tensor has already been disposed');
    checkTensorDtype(x, argument, fn);
    const data = await readAsync(() => x.data() as Promise<ArrayLike<number>>, argument, fn);
    return { data, shape: x instanceof tf.Tensor ? [...x.shape] : checkShape(checkData(data, argument, fn), (x as { shape: readonly number[] }).shape, argument, fn) };
  }
  const o = x as { data?: unknown; shape?: unknown; dataSync?: unknown; dtype?: unknown } | null;
  if (o && typeof o === 'object' && !Array.isArray(o) && typeof o.data === 'function' && typeof o.dataSync !== 'function') {
    if (!Array.isArray(o.shape)) fail('BAD_INPUT', argument, fn, 'an object with data() must also carry shape');
    checkTensorDtype(o, argument, fn);
    const data = checkData(await readAsync(() => (o.data as () => Promise<ArrayLike<number>>)(), argument, fn), argument, fn);
    return { data, shape: checkShape(data, o.shape as number[], argument, fn) };
  }
  return readBlockSync(x, argument, fn);
}

/** Options shared by the matrix readers. */
export interface ReadMatrixOptions {
  /** Refuse NaN and ±Infinity (default true). */
  finite?: boolean;
  /** Refuse zero rows (default true). */
  nonEmpty?: boolean;
  /** Required number of columns. */
  cols?: number;
  /** Required number of rows. */
  rows?: number;
}

function blockToMatrix(b: Block, argument: string, fn: string, opts: ReadMatrixOptions): Matrix {
  const { shape } = b;
  if (shape.length > 2 || shape.length === 0) fail('SHAPE_MISMATCH', argument, fn, `expected a 2-D block (n×d) or a vector, got shape [${shape}]`);
  const rows = shape[0];
  const cols = shape.length === 2 ? shape[1] : 1;
  if ((opts.nonEmpty ?? true) && (rows === 0 || cols === 0)) fail('EMPTY', argument, fn, `has shape [${shape}]; at least one row and one column are needed`);
  if (opts.cols !== undefined && cols !== opts.cols) fail('SHAPE_MISMATCH', argument, fn, `has ${cols} columns, expected ${opts.cols}`);
  if (opts.rows !== undefined && rows !== opts.rows) fail('SHAPE_MISMATCH', argument, fn, `has ${rows} rows, expected ${opts.rows}`);
  const data = b.data instanceof Float64Array ? b.data : Float64Array.from(b.data);
  if (opts.finite ?? true) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        fail('NON_FINITE', argument, fn, `row ${Math.floor(i / cols)}, column ${i % cols} is ${data[i]}; every value must be finite`);
      }
    }
  }
  return { data, rows, cols };
}

/** Reads a TensorLike as an n×d float64 matrix (a vector becomes n×1). */
export function toMatrix(x: TensorLike, argument: string, fn = '', opts: ReadMatrixOptions = {}): Matrix {
  return blockToMatrix(readBlockSync(x, argument, fn), argument, fn, opts);
}

/** Async {@link toMatrix}: accepts every TensorLike form. */
export async function toMatrixAsync(x: TensorLike, argument: string, fn = '', opts: ReadMatrixOptions = {}): Promise<Matrix> {
  return blockToMatrix(await readBlock(x, argument, fn), argument, fn, opts);
}

/** Checks that a float matrix holds non-negative integers and converts it. */
function matrixToFactors(m: Matrix, argument: string, fn = ''): IntMatrix {
  const out = new Int32Array(m.data.length);
  for (let i = 0; i < m.data.length; i++) {
    const v = m.data[i];
    if (!Number.isInteger(v) || v < 0 || v > 2147483647) {
      fail('BAD_INPUT', argument, fn, `row ${Math.floor(i / m.cols)}, column ${i % m.cols} is ${v}; factors must be non-negative integer class indices`);
    }
    out[i] = v;
  }
  return { data: out, rows: m.rows, cols: m.cols };
}

/** Reads integer factor indices (n×K; a vector is n×1). */
export function toFactors(x: TensorLike, argument: string, fn = '', opts: ReadMatrixOptions = {}): IntMatrix {
  if (x && typeof x === 'object' && 'data' in x && (x as { data: unknown }).data instanceof Int32Array) {
    const o = x as { data: Int32Array; shape?: readonly number[]; dims?: readonly number[] };
    const shape = o.shape ?? o.dims;
    if (Array.isArray(shape) && shape.length === 2 && shape[0] * shape[1] === o.data.length) {
      const m = blockToMatrix({ data: o.data, shape: [...shape] }, argument, fn, { ...opts, finite: false });
      return matrixToFactors(m, argument, fn);
    }
  }
  return matrixToFactors(toMatrix(x, argument, fn, opts), argument, fn);
}

/** Async {@link toFactors}. */
export async function toFactorsAsync(x: TensorLike, argument: string, fn = '', opts: ReadMatrixOptions = {}): Promise<IntMatrix> {
  return matrixToFactors(await toMatrixAsync(x, argument, fn, opts), argument, fn);
}

/** Shape of any TensorLike without reading its values. */
export function shapeOf(x: TensorLike, argument: string, fn = ''): number[] {
  if (Array.isArray(x)) return x.length === 0 ? [0, 0] : Array.isArray(x[0]) ? [x.length, (x[0] as unknown[]).length] : [x.length];
  const o = x as { shape?: readonly number[]; dims?: readonly number[] } | null;
  const s = o?.shape ?? o?.dims;
  if (!Array.isArray(s)) fail('BAD_INPUT', argument, fn, 'cannot find its shape (expected shape or dims)');
  return [...s];
}

/** Disposes a value if it is a tfjs tensor; the library owns tensors that callbacks hand back to it. */
export function disposeIfTensor(x: unknown): void {
  if (isTfTensor(x) && !x.isDisposed) x.dispose();
}

/**
 * The codes of a `{ codes, factors }` pair, or the value itself when it is a block of codes already: the entries
 * over codes alone (the unsupervised scores, dHSIC) take either. A TensorLike never has a `codes` field, so the
 * test cannot mistake one for the other.
 */
export function codesOf(value: TensorLike | LabelledCodes): TensorLike {
  const o = value as Partial<LabelledCodes> & { shape?: unknown; dims?: unknown };
  return o && typeof o === 'object' && !Array.isArray(o) && o.codes !== undefined && o.shape === undefined && o.dims === undefined ? o.codes : (value as TensorLike);
}

/** True when `x` carries a shape (`shape` or `dims`) or is an array of rows: a form {@link shapeOf} can read. */
export function hasShape(x: unknown): boolean {
  return Array.isArray(x) || (!!x && typeof x === 'object' && (Array.isArray((x as { shape?: unknown }).shape) || Array.isArray((x as { dims?: unknown }).dims)));
}

/** A matrix in the form `original` came in (float32 tensor, rows or `{ data, shape }`): edited latents go back so. */
export function likeInput(original: TensorLike, m: Matrix): TensorLike {
  if (isTfTensor(original)) return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], 'float32');
  if (Array.isArray(original)) return toRows(m);
  return { data: m.data, shape: [m.rows, m.cols] };
}

/** A float32 tfjs tensor and whether the caller owns it (must dispose it) or it is the caller's own input. */
export interface TensorHandle {
  tensor: tf.Tensor;
  owned: boolean;
}

type ShapeCheck = (shape: readonly number[]) => void;

/** A tensor, or a block read off another form, as [n, ...trailing] float32 (see {@link toTensor}). */
function handleOf(x: tf.Tensor | Block, trailing: readonly number[], argument: string, fn: string, check?: ShapeCheck): TensorHandle {
  const tensor = isTfTensor(x) ? x : undefined;
  if (tensor?.isDisposed) fail('BAD_INPUT', argument, fn, 'the tensor has already been disposed');
  if (tensor) checkTensorDtype(tensor, argument, fn);
  const given = tensor ? tensor.shape : x.shape;
  const size = tensor ? tensor.size : (x as Block).data.length;
  check?.(given);
  const per = trailing.reduce((a, b) => a * b, 1);
  if (given.length < 1 || size % per !== 0) fail('SHAPE_MISMATCH', argument, fn, `expected rows of shape [${trailing}], got [${given}]`);
  const shape = [size / per, ...trailing];
  if (!tensor) return { tensor: tf.tensor(Float32Array.from((x as Block).data), shape, 'float32'), owned: true };
  const same = tensor.shape.length === shape.length && tensor.shape.every((d, i) => d === shape[i]);
  if (same && tensor.dtype === 'float32') return { tensor, owned: false };
  return { tensor: tf.tidy(() => tf.cast(tf.reshape(tensor, shape), 'float32')), owned: true };
}

/**
 * A batch of rows as a float32 tfjs tensor [n, ...trailing] on the current backend: a tfjs tensor passes through
 * (reshaped and cast on its backend when needed; `owned: false` when returned as is), any other TensorLike is read
 * and uploaded; `check` may refuse the given shape. The one adapter from inputs to tensors (models, trainers).
 *
 * @example
 * const { tensor, owned } = toTensor(latents, [10], 'latents', 'InfoGanCr.generate');
 * try { … } finally { if (owned) tensor.dispose(); }
 */
export function toTensor(x: TensorLike, trailing: readonly number[], argument: string, fn = '', check?: ShapeCheck): TensorHandle {
  return handleOf(isTfTensor(x) ? x : readBlockSync(x, argument, fn), trailing, argument, fn, check);
}

/** Async {@link toTensor}: also reads forms that only offer an async `data()`. */
export async function toTensorAsync(x: TensorLike, trailing: readonly number[], argument: string, fn = '', check?: ShapeCheck): Promise<TensorHandle> {
  return handleOf(isTfTensor(x) ? x : await readBlock(x, argument, fn), trailing, argument, fn, check);
}

/** Checks factor indices against the sizes: one column per size, each in 0..size−1 (BAD_INPUT naming row and factor). */
export function checkFactorRange(f: IntMatrix, sizes: readonly number[], argument: string, names?: readonly string[]): void {
  const K = sizes.length;
  if (f.cols !== K) {
    throw new DisentangleError('SHAPE_MISMATCH', argument, `has ${f.cols} factor columns, the dataset declares ${K} factor sizes`);
  }
  const d = f.data;
  for (let i = 0; i < f.rows * K; i++) {
    const k = i % K;
    if (d[i] < 0 || d[i] >= sizes[k]) {
      throw new DisentangleError('BAD_INPUT', argument, `row ${Math.floor(i / K)}, factor ${names ? names[k] : k} is ${d[i]}, outside 0..${sizes[k] - 1}`);
    }
  }
}

/**
 * Reads a block of factor indices handed to a dataset, in the public form `{ data: Int32Array, shape: [n, K] }`
 * or the internal `{ data, rows, cols }`, checking its width against `sizes` and every index against its range
 * ({@link checkFactorRange}). No copy: the result views the caller's data.
 */
export function readFactorBatch(factors: IntMatrix | FactorBatch, sizes: readonly number[], argument = 'factors', names?: readonly string[]): IntMatrix {
  const K = sizes.length;
  if (!factors || typeof factors !== 'object' || !(factors.data instanceof Int32Array)) {
    throw new DisentangleError('BAD_INPUT', argument, `expected { data: Int32Array, shape: [n, ${K}] } of factor indices`);
  }
  const fb = factors as Partial<FactorBatch> & Partial<IntMatrix>;
  const rows = fb.shape ? fb.shape[0] : fb.rows;
  const cols = fb.shape ? fb.shape[1] : fb.cols;
  if (cols !== K || !Number.isInteger(rows) || (rows as number) * K !== factors.data.length) {
    const what = names ? ` (${names.join(', ')})` : '';
    throw new DisentangleError('SHAPE_MISMATCH', argument, `expected n×${K} factor indices${what}, got shape [${rows}, ${cols}] with ${factors.data.length} values`);
  }
  const f: IntMatrix = { data: factors.data, rows: rows as number, cols: K };
  checkFactorRange(f, sizes, argument, names);
  return f;
}
