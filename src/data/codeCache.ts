/**
 * Encode once: a table of codes keyed by flat factor index (C-order over `factorSizes`), shared by every
 * sampling metric of a run. For a dataset whose observation is a function of its factor row
 * (`deterministicObservations`), only the rows missing from the table are rendered and sent to `represent`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { flatIndex, type IntMatrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { readBlock } from '../core/tensor.js';
import type { GroundTruthDataset, TensorLike } from '../core/types.js';
import { intOption } from '../core/validate.js';

/** Default `maxCachedRows` cap: 2 M rows of 10 float32 codes are 80 MB. */
const DEFAULT_MAX_CACHED_ROWS = 2_000_000;
/** Default rows per `represent` call for the rows the table lacks. */
const DEFAULT_ENCODE_BATCH_SIZE = 256;
/** Rows per storage page: pages are allocated when first written, so memory follows the rows held. */
const PAGE_ROWS = 4096;

type Store = Float32Array | Float64Array;

/** Options of {@link CodeSource}. */
export interface CodeSourceOptions {
  /** Most rows held (default: the dataset size up to 2,000,000). Beyond it the oldest rows are dropped. */
  maxCachedRows?: number;
  /** Rows per `represent` call for missing rows (default 256), whatever the metric's statistical batch. */
  encodeBatchSize?: number;
}

/** Encodes a batch of factor rows (rendering them first) and hands back the codes' raw form and a release. */
export type EncodeRows = (factors: IntMatrix, rng: Rng) => Promise<{ codes: TensorLike; release(): void }>;

/** Product of the sizes, or undefined when flat indices would not be exact doubles. */
export function datasetSize(factorSizes: readonly number[]): number | undefined {
  const n = factorSizes.reduce((a, b) => a * b, 1);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * @internal Codes by flat factor index. Created by `evaluate()` (one per run, so every metric shares it), by the
 * `codeTable` option (a complete table, no model), or by `encodeDataset`. Memory is the rows held (in pages of
 * 4,096 rows), never the number of samples drawn. Storage is Float32 when the codes arrive as float32 (what
 * models produce: lossless), else Float64, so a lookup returns exactly what `represent` returned.
 */
export class CodeSource {
  /** Rows requested through the source. */
  drawnImages = 0;
  /** Rows sent to `represent`. */
  encodedImages = 0;
  readonly size: number;
  readonly capacity: number;
  readonly encodeBatchSize: number;
  private dims = 0;
  private kind: 'f32' | 'f64' = 'f32';
  /** Looked-up codes come back as an own float32 tfjs tensor when `represent` returned one, so on-device reductions see the same input. */
  private asTensor = false;
  private readonly pages: (Store | undefined)[] = [];
  private readonly present?: Uint8Array;
  private readonly slotOf?: Map<number, number>;
  private readonly keyOfSlot?: Float64Array;
  private nextSlot = 0;
  private held = 0;

  constructor(readonly factorSizes: readonly number[], options: CodeSourceOptions = {}) {
    const size = datasetSize(factorSizes);
    if (size === undefined) throw new DisentangleError('UNSUPPORTED', 'dataset.factorSizes', 'has more factor combinations than a flat index can address; use cache: false');
    this.size = size;
    this.capacity = Math.min(size, intOption(options.maxCachedRows, 'maxCachedRows', Math.min(size, DEFAULT_MAX_CACHED_ROWS), 0));
    this.encodeBatchSize = intOption(options.encodeBatchSize, 'encodeBatchSize', DEFAULT_ENCODE_BATCH_SIZE, 1, 65_536);
    if (this.capacity === size) this.present = new Uint8Array(size);
    else {
      this.slotOf = new Map();
      this.keyOfSlot = new Float64Array(this.capacity);
    }
  }

  /** A complete table (N×D rows in canonical order): every lookup hits, nothing is encoded. */
  static fromTable(factorSizes: readonly number[], data: Store, dims: number, asTensor: boolean): CodeSource {
    const src = new CodeSource(factorSizes);
    if (data.length !== src.size * dims) {
      throw new DisentangleError('SHAPE_MISMATCH', 'codeTable', `has ${data.length / dims} rows, the dataset has ${src.size} factor combinations (one row each, in C-order over factorSizes)`);
    }
    src.dims = dims;
    src.kind = data instanceof Float32Array ? 'f32' : 'f64';
    src.asTensor = asTensor;
    for (let p = 0; p * PAGE_ROWS < src.size; p++) src.pages[p] = data.subarray(p * PAGE_ROWS * dims, Math.min(src.size, (p + 1) * PAGE_ROWS) * dims);
    (src.present as Uint8Array).fill(1);
    src.held = src.size;
    return src;
  }

  /** Code width (0 until the first rows arrive). */
  get codeDims(): number {
    return this.dims;
  }

  /** Rows currently held. */
  get rowsHeld(): number {
    return this.held;
  }


  private slot(key: number): number {
    if (this.present) return this.present[key] ? key : -1;
    return this.slotOf?.get(key) ?? -1;
  }

  private row(slot: number): Store {
    return this.pages[Math.floor(slot / PAGE_ROWS)] as Store;
  }

  private insert(key: number, values: ArrayLike<number>, offset: number): void {
    if (this.capacity === 0) return;
    let slot: number;
    if (this.present) {
      slot = key;
      this.present[key] = 1;
    } else {
      const map = this.slotOf as Map<number, number>;
      const keys = this.keyOfSlot as Float64Array;
      slot = this.nextSlot;
      this.nextSlot = (this.nextSlot + 1) % this.capacity;
      if (this.held === this.capacity) map.delete(keys[slot]); // oldest first
      keys[slot] = key;
      map.set(key, slot);
    }
    if (this.held < this.capacity) this.held++;
    const p = Math.floor(slot / PAGE_ROWS);
    const page = (this.pages[p] ??= this.kind === 'f32' ? new Float32Array(PAGE_ROWS * this.dims) : new Float64Array(PAGE_ROWS * this.dims));
    const at = (slot % PAGE_ROWS) * this.dims;
    for (let d = 0; d < this.dims; d++) page[at + d] = values[offset + d];
  }

  /**
   * Codes of the factor rows `f` (n×D), in the form the encoder returned (an own float32 tensor, or
   * `{ data, shape }`): held rows are copied, missing distinct rows are encoded `encodeBatchSize` at a time.
   */
  async codes(f: IntMatrix, rng: Rng, encode: EncodeRows | undefined, signal?: AbortSignal): Promise<{ codes: TensorLike; release(): void }> {
    this.drawnImages += f.rows;
    return this.wrap((await this.lookup(f, rng, encode, signal, true)) as Store, f.rows);
  }

  /**
   * Encodes the rows of `f` the table lacks (up to `encodeBatchSize` per call) without building codes: the
   * fixed-factor metrics draw several statistical batches ahead and prefetch them, so `represent` gets full
   * batches. Rows that do not fit a bounded table are encoded again when looked up (same codes).
   */
  async prefetch(f: IntMatrix, rng: Rng, encode: EncodeRows | undefined, signal?: AbortSignal): Promise<void> {
    if (this.capacity > 0) await this.lookup(f, rng, encode, signal, false);
  }

  private async lookup(f: IntMatrix, rng: Rng, encode: EncodeRows | undefined, signal: AbortSignal | undefined, wantOut: boolean): Promise<Store | undefined> {
    const n = f.rows;
    let out: Store | undefined = this.dims > 0 && wantOut ? this.alloc(n) : undefined;
    const missing = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const key = flatIndex(this.factorSizes, f.data, i * f.cols);
      const slot = this.dims > 0 ? this.slot(key) : -1;
      if (slot >= 0) {
        if (!out) continue;
        const page = this.row(slot);
        (out as Store).set(page.subarray((slot % PAGE_ROWS) * this.dims, (slot % PAGE_ROWS + 1) * this.dims), i * this.dims);
      } else {
        const at = missing.get(key);
        if (at) at.push(i);
        else missing.set(key, [i]);
      }
    }
    if (missing.size > 0) {
      if (!encode) throw new DisentangleError('BAD_INPUT', 'codeTable', 'lacks rows the sampler asked for');
      const keys = [...missing.keys()];
      for (let s = 0; s < keys.length; s += this.encodeBatchSize) {
        throwIfAborted(signal);
        const chunk = keys.slice(s, s + this.encodeBatchSize);
        const rows: IntMatrix = { data: new Int32Array(chunk.length * f.cols), rows: chunk.length, cols: f.cols };
        chunk.forEach((key, j) => {
          const first = (missing.get(key) as number[])[0];
          rows.data.set(f.data.subarray(first * f.cols, (first + 1) * f.cols), j * f.cols);
        });
        const raw = await encode(rows, rng);
        let values: ArrayLike<number>;
        try {
          if (this.dims === 0) this.learnForm(raw.codes);
          values = (await readBlock(raw.codes, 'represent')).data;
        } finally {
          raw.release();
        }
        this.encodedImages += chunk.length;
        const D = values.length / chunk.length;
        if (this.dims === 0) this.dims = D;
        for (let i = 0; i < values.length; i++) {
          if (!Number.isFinite(values[i])) throw new DisentangleError('CALLBACK_RESULT', 'represent', `returned a non-finite code (row ${Math.floor(i / D)}, column ${i % D} is ${values[i]})`);
        }
        if (D !== this.dims) throw new DisentangleError('CALLBACK_RESULT', 'represent', `returned ${D} code dims, earlier batches had ${this.dims}`);
        if (wantOut) out ??= this.alloc(n);
        chunk.forEach((key, j) => {
          if (out) for (const i of missing.get(key) as number[]) for (let d = 0; d < D; d++) out[i * D + d] = values[j * D + d];
          this.insert(key, values, j * D);
        });
      }
    }
    return out;
  }

  private alloc(n: number): Store {
    return this.kind === 'f32' ? new Float32Array(n * this.dims) : new Float64Array(n * this.dims);
  }

  private learnForm(codes: TensorLike): void {
    if (codes instanceof tf.Tensor) {
      this.asTensor = codes.dtype === 'float32';
      this.kind = codes.dtype === 'float32' ? 'f32' : 'f64';
      return;
    }
    const data = (codes as { data?: unknown }).data;
    this.kind = data instanceof Float32Array ? 'f32' : 'f64';
  }

  private wrap(data: Store, n: number): { codes: TensorLike; release(): void } {
    if (this.asTensor) {
      const t = tf.tensor2d(data as Float32Array, [n, this.dims], 'float32');
      return { codes: t, release: () => t.dispose() };
    }
    return { codes: { data, shape: [n, this.dims] }, release: () => undefined };
  }
}

/** True when the dataset declares that an observation is a function of its factor row. */
export function hasDeterministicObservations(dataset: GroundTruthDataset<unknown> | undefined): boolean {
  return !!dataset && (dataset as { deterministicObservations?: unknown }).deterministicObservations === true;
}
