/**
 * Interventional Robustness Score (Suter et al. 2019, "Robustly Disentangled Causal Mechanisms"), as
 * disentanglement_lib's `irs.py` computes it.
 */
import { column, selectColumns, varyingColumns, type IntMatrix, type Matrix } from '../core/matrix.js';
import { createRng } from '../core/rng.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { intOption, numberOption, checkOptions, checkFactorsVary, testAndOptions, type FactorOptions } from '../core/validate.js';
import { histogramDiscretize, readFactorSplits } from '../estimators/information/discretize.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link irsFromCodes}. */
export interface IrsOptions extends FactorOptions {
  /** Quantile of the within-group deviations taken as "the" deviation, default 0.99 (1 = the paper's max). */
  diffQuantile?: number;
  /** Equal-width bins applied to the factor values, default 20 (disentanglement_lib discretizes factors too). */
  numBins?: number;
}

/** Result of {@link irsFromCodes} / {@link computeIrs}. */
export interface IrsResult {
  /** Mean of the per-code scores weighted by each code's maximal deviation; 0 when no code varies. */
  score: number;
  /** Number of codes with non-zero variance (the ones scored). */
  numActiveDims: number;
  /** Indices of those codes in the input. */
  activeDims: number[];
  /**
   * What disentanglement_lib reports as `num_active_dims`: `np.sum(active_mus)`, the sum of every value of the
   * active codes (a bug there, kept only for value-by-value comparisons; use `numActiveDims`).
   */
  referenceNumActiveDims: number;
  /** activeDims×K: 1 − mean deviation under interventions on factor j / maximal deviation of the code. */
  irsMatrix: number[][];
  /** max_j irsMatrix[i][j] per active code. */
  perCode: number[];
  /** argmax_j (first index) per active code. */
  parents: number[];
  /** max_n |z_ni − mean_i| per active code (the weights). */
  maxDeviations: number[];
}

const OPTION_NAMES = Object.keys({ diffQuantile: 0, numBins: 0 } satisfies Record<Exclude<keyof IrsOptions, keyof FactorOptions>, 0>);
/** The matrix entry's names: the sampling entry draws factor indices and has nothing to discretize. */
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];

/**
 * numpy `quantile(values, q)` with the default 'linear' method: virtual index (n − 1)·q, and numpy's
 * two-sided interpolation formula. Only the two order statistics needed are selected (Hoare's quickselect),
 * so `values[0..length)` is reordered in place.
 *
 * @example
 * quantileLinear(Float64Array.of(4, 1, 2, 3), 0.5) // 2.5
 */
export function quantileLinear(values: Float64Array, q: number, length = values.length): number {
  const n = length;
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return maxOf(values, n);
  const prev = Math.floor(virtual);
  const gamma = virtual - prev;
  let a: number;
  let b: number;
  if (n - prev <= TOP_BUFFER) {
    // high quantiles (IRS uses 0.99): keep the n − prev largest values instead of partitioning everything
    const top = largestSorted(values, n, n - prev);
    a = top[0];
    b = top[1];
  } else {
    a = selectInPlace(values, n, prev);
    b = Infinity;
    for (let t = prev + 1; t < n; t++) if (values[t] < b) b = values[t];
  }
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

const TOP_BUFFER = 48;
const topScratch = new Float64Array(TOP_BUFFER);

/** The m largest of values[0..n), ascending (m ≤ TOP_BUFFER), by insertion into a sorted buffer. */
function largestSorted(values: Float64Array, n: number, m: number): Float64Array {
  const top = topScratch.subarray(0, m);
  top.set(values.subarray(0, m));
  top.sort();
  for (let t = m; t < n; t++) {
    const v = values[t];
    if (v <= top[0]) continue;
    let i = 1;
    while (i < m && top[i] < v) {
      top[i - 1] = top[i];
      i++;
    }
    top[i - 1] = v;
  }
  return top;
}

function maxOf(values: Float64Array, n: number): number {
  let m = -Infinity;
  for (let t = 0; t < n; t++) if (values[t] > m) m = values[t];
  return m;
}

/** Puts the k-th smallest of values[0..n) at index k, smaller ones before it, larger ones after; returns it. */
function selectInPlace(v: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = median3(v[lo], v[(lo + hi) >>> 1], v[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        const t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return v[k];
}

function median3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

/**
 * IRS from precomputed codes and factors. Constant codes are dropped; factors are histogram-discretized
 * (20 bins) as disentanglement_lib does. For each factor j and each of its values v, the deviation of the codes
 * within the group {y_j = v} from that group's mean is summarised by its `diffQuantile` quantile per code;
 * averaging over v and dividing by the code's maximal deviation from its overall mean gives 1 − IRS_ij. Each
 * code scores max_j IRS_ij, and the score is their mean weighted by the maximal deviations. At most 1
 * (interventions on the other factors never move the code); in practice in [0, 1] (≥ −1 in contrived cases).
 *
 * Deviation: disentanglement_lib reports `num_active_dims = np.sum(active_mus)`, the sum of the active codes'
 * values; `numActiveDims` here is the count (DL's number is kept as `referenceNumActiveDims`). A code counts as
 * constant when all its values are equal (numpy's `var > 0` can call an exactly constant column active when
 * its mean rounds; such a column has weight ≈ 1e−17 in DL's average, so the score is the same). A factor that
 * takes a single value is `BAD_INPUT` here, as in every metric over codes and factors; disentanglement_lib scores
 * it as an "intervention" that changes nothing.
 *
 * IRS is computed on the training split alone (as disentanglement_lib): a `test` split, accepted so every matrix
 * entry has the same `(train, test?, options?)` form, is ignored.
 *
 * Measured (float) factor values need `factorDiscretizer`: a number of equal-width bins per factor (then binned
 * again by `numBins`, as integer factors are) or a function from a column of values to indices; without it a non-integer factor is `BAD_INPUT`.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values with factorDiscretizer }`.
 * @param options `diffQuantile` (default 0.99), `numBins` (default 20), `factorDiscretizer`; an unknown name is
 * `BAD_OPTION`.
 * @example
 * const { score, irsMatrix } = irsFromCodes({ codes, factors }, { diffQuantile: 0.99 });
 */
export function irsFromCodes(train: LabelledCodes, options?: IrsOptions): IrsResult;
/** {@link irsFromCodes} with a held-out split, which IRS ignores (it scores `train`). */
export function irsFromCodes(train: LabelledCodes, test: LabelledCodes | undefined, options?: IrsOptions): IrsResult;
export function irsFromCodes(train: LabelledCodes, second?: LabelledCodes | IrsOptions, third?: IrsOptions): IrsResult {
  const fn = 'irsFromCodes';
  const { options } = testAndOptions<IrsOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  return irs(train, options, fn);
}

function irs(train: LabelledCodes, options: IrsOptions, fn: string): IrsResult {
  const { codes, factors } = readFactorSplits([[train, 'train']], fn, options.factorDiscretizer)[0]!;
  checkFactorsVary(factors, 'train.factors', fn);
  const q = numberOption(options.diffQuantile, 'diffQuantile', 0.99, 0, 1);
  const numBins = intOption(options.numBins, 'numBins', 20);
  const activeDims = varyingColumns(codes);
  if (activeDims.length === 0) {
    return { score: 0, numActiveDims: 0, activeDims, referenceNumActiveDims: 0, irsMatrix: [], perCode: [], parents: [], maxDeviations: [] };
  }
  const z = selectColumns(codes, activeDims);
  const y = histogramDiscretize({ data: Float64Array.from(factors.data), rows: factors.rows, cols: factors.cols }, numBins);
  let referenceNumActiveDims = 0;
  for (let p = 0; p < z.data.length; p++) referenceNumActiveDims += z.data[p];
  return { ...scalableDisentanglementScore(y, z, q), numActiveDims: activeDims.length, activeDims, referenceNumActiveDims };
}

function scalableDisentanglementScore(y: IntMatrix, z: Matrix, q: number): Omit<IrsResult, 'numActiveDims' | 'activeDims' | 'referenceNumActiveDims'> {
  const { rows: n, cols: L } = z;
  const K = y.cols;
  const columns = Array.from({ length: L }, (_, i) => column(z, i));
  const maxDeviations = columns.map((c) => {
    let mean = 0;
    for (let r = 0; r < n; r++) mean += c[r];
    mean /= n;
    let m = 0;
    for (let r = 0; r < n; r++) m = Math.max(m, Math.abs(c[r] - mean));
    return m;
  });
  const cum = Array.from({ length: L }, () => new Array<number>(K).fill(0));
  const scratch = new Float64Array(n);
  const grouped = new Float64Array(n);
  for (let j = 0; j < K; j++) {
    const { order, starts } = groupRows(y, j);
    const numGroups = starts.length - 1;
    for (let i = 0; i < L; i++) {
      const c = columns[i];
      for (let t = 0; t < n; t++) grouped[t] = c[order[t]];
      for (let g = 0; g < numGroups; g++) {
        const from = starts[g];
        const size = starts[g + 1] - from;
        let e = 0;
        for (let t = from; t < from + size; t++) e += grouped[t];
        e /= size;
        for (let t = 0; t < size; t++) scratch[t] = Math.abs(grouped[from + t] - e);
        cum[i][j] += quantileLinear(scratch, q, size);
      }
      cum[i][j] /= numGroups;
    }
  }
  const irs = cum.map((row, i) => row.map((c) => 1 - c / maxDeviations[i]));
  const perCode = irs.map((row) => Math.max(...row));
  const parents = irs.map((row) => row.indexOf(Math.max(...row)));
  const weightSum = maxDeviations.reduce((a, b) => a + b, 0);
  const score =
    weightSum > 0
      ? perCode.reduce((s, v, i) => s + v * maxDeviations[i], 0) / weightSum
      : perCode.reduce((a, b) => a + b, 0) / L;
  return { score, irsMatrix: irs, perCode, parents, maxDeviations };
}

/**
 * Rows sorted by the value of column j (stable, so rows keep their order within a group), and the start of
 * each group; groups come in increasing value order, as numpy `unique` lists them.
 */
function groupRows(y: IntMatrix, j: number): { order: Int32Array; starts: number[] } {
  const n = y.rows;
  const values = new Int32Array(n);
  for (let r = 0; r < n; r++) values[r] = y.data[r * y.cols + j];
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < n; r++) {
    if (values[r] < min) min = values[r];
    if (values[r] > max) max = values[r];
  }
  // counting sort: discretized factors take at most numBins distinct values
  const counts = new Int32Array(max - min + 2);
  for (let r = 0; r < n; r++) counts[values[r] - min + 1]++;
  for (let v = 1; v < counts.length; v++) counts[v] += counts[v - 1];
  const starts: number[] = [];
  for (let v = 0; v < counts.length - 1; v++) if (counts[v + 1] > counts[v]) starts.push(counts[v]);
  starts.push(n);
  const order = new Int32Array(n);
  for (let r = 0; r < n; r++) order[counts[values[r] - min]++] = r;
  return { order, starts };
}

/** Options of {@link computeIrs}. */
export type ComputeIrsOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<IrsOptions, keyof FactorOptions>;

/**
 * IRS on `numTrain` sampled points (default 10,000, batch 16, as disentanglement_lib).
 *
 * @example
 * const { score } = await computeIrs({ dataset: dsprites(), represent: encoder });
 */
export async function computeIrs<Obs = TensorLike>(options: ComputeIrsOptions<Obs>): Promise<IrsResult> {
  checkOptions(options, 'computeIrs', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES]);
  await ensureBackend();
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  return irs(train, options, 'irsFromCodes');
}
