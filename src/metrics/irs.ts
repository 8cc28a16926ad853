/**
 * Interventional Robustness Score (Suter et al. 2019, "Robustly Disentangled Causal Mechanisms"), as
 * disentanglement_lib's `irs.py` computes it.
 */
import type { IntMatrix, Matrix } from '../core/matrix.js';
import { createRng } from '../core/rng.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { intOption, numberOption, readLabelledCodes } from '../core/validate.js';
import { histogramDiscretize } from '../estimators/discretize.js';
import { matrixRows } from '../estimators/codeFactorInformation.js';
import { sampleTrainTest, type SamplingMetricOptions } from '../data/sampling.js';

/** Options of {@link irsFromCodes}. */
export interface IrsOptions {
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
  /** activeDims×K: 1 − mean deviation under interventions on factor j / maximal deviation of the code. */
  irsMatrix: number[][];
  /** max_j irsMatrix[i][j] per active code. */
  perCode: number[];
  /** argmax_j (first index) per active code. */
  parents: number[];
  /** max_n |z_ni − mean_i| per active code (the weights). */
  maxDeviations: number[];
}

/**
 * numpy `quantile(values, q)` with the default 'linear' method: virtual index (n − 1)·q, and numpy's
 * two-sided interpolation formula. Sorts `values` in place.
 *
 * @example
 * quantileLinear(Float64Array.of(4, 1, 2, 3), 0.5) // 2.5
 */
export function quantileLinear(values: Float64Array, q: number): number {
  const n = values.length;
  values.sort();
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return values[n - 1];
  const prev = Math.floor(virtual);
  const gamma = virtual - prev;
  const a = values[prev];
  const b = values[prev + 1];
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/**
 * IRS from precomputed codes and factors. Constant codes are dropped; factors are histogram-discretized
 * (20 bins) as disentanglement_lib does. For each factor j and each of its values v, the deviation of the codes
 * within the group {y_j = v} from that group's mean is summarised by its `diffQuantile` quantile per code;
 * averaging over v and dividing by the code's maximal deviation from its overall mean gives 1 − IRS_ij. Each
 * code scores max_j IRS_ij, and the score is their mean weighted by the maximal deviations. Range [0, 1].
 *
 * Deviation: disentanglement_lib reports `num_active_dims = np.sum(active_mus)`, the sum of the active codes'
 * values; `numActiveDims` here is the count. A code counts as constant when all its values are equal.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices }`.
 * @example
 * const { score, irsMatrix } = irsFromCodes({ codes, factors }, { diffQuantile: 0.99 });
 */
export function irsFromCodes(train: LabelledCodes, options: IrsOptions = {}): IrsResult {
  const { codes, factors } = readLabelledCodes(train, 'train', 'irsFromCodes');
  const q = numberOption(options.diffQuantile, 'diffQuantile', 0.99, 0, 1);
  const numBins = intOption(options.numBins, 'numBins', 20);
  const activeDims = varyingColumns(codes);
  if (activeDims.length === 0) {
    return { score: 0, numActiveDims: 0, activeDims, irsMatrix: [], perCode: [], parents: [], maxDeviations: [] };
  }
  const z = selectColumns(codes, activeDims);
  const y = histogramDiscretize({ data: Float64Array.from(factors.data), rows: factors.rows, cols: factors.cols }, numBins);
  return { ...scalableDisentanglementScore(y, z, q), numActiveDims: activeDims.length, activeDims };
}

function scalableDisentanglementScore(y: IntMatrix, z: Matrix, q: number): Omit<IrsResult, 'numActiveDims' | 'activeDims'> {
  const { rows: n, cols: L } = z;
  const K = y.cols;
  const overallMean = columnMeans(z, allRows(n));
  const maxDeviations = new Array<number>(L).fill(0);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < L; i++) maxDeviations[i] = Math.max(maxDeviations[i], Math.abs(z.data[r * L + i] - overallMean[i]));
  }
  const cum = Array.from({ length: L }, () => new Array<number>(K).fill(0));
  for (let j = 0; j < K; j++) {
    const groups = groupRows(y, j);
    for (const rowsOfGroup of groups) {
      const e = columnMeans(z, rowsOfGroup);
      const diffs = new Float64Array(rowsOfGroup.length);
      for (let i = 0; i < L; i++) {
        rowsOfGroup.forEach((r, t) => (diffs[t] = Math.abs(z.data[r * L + i] - e[i])));
        cum[i][j] += quantileLinear(diffs, q);
      }
    }
    for (let i = 0; i < L; i++) cum[i][j] /= groups.length;
  }
  const irs = cum.map((row, i) => row.map((c) => 1 - c / maxDeviations[i]));
  const perCode = irs.map((row) => Math.max(...row));
  const parents = irs.map((row) => row.indexOf(Math.max(...row)));
  const weightSum = maxDeviations.reduce((a, b) => a + b, 0);
  const score =
    weightSum > 0
      ? perCode.reduce((s, v, i) => s + v * maxDeviations[i], 0) / weightSum
      : perCode.reduce((a, b) => a + b, 0) / L;
  return { score, irsMatrix: matrixRows(Float64Array.from(irs.flat()), L, K), perCode, parents, maxDeviations };
}

/** Row indices grouped by the distinct values of column j, in increasing value order (numpy `unique`). */
function groupRows(y: IntMatrix, j: number): number[][] {
  const byValue = new Map<number, number[]>();
  for (let r = 0; r < y.rows; r++) {
    const v = y.data[r * y.cols + j];
    let g = byValue.get(v);
    if (!g) byValue.set(v, (g = []));
    g.push(r);
  }
  return [...byValue.keys()].sort((a, b) => a - b).map((v) => byValue.get(v) as number[]);
}

function columnMeans(z: Matrix, rows: readonly number[]): Float64Array {
  const out = new Float64Array(z.cols);
  for (const r of rows) for (let i = 0; i < z.cols; i++) out[i] += z.data[r * z.cols + i];
  for (let i = 0; i < z.cols; i++) out[i] /= rows.length;
  return out;
}

function allRows(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function varyingColumns(z: Matrix): number[] {
  const out: number[] = [];
  for (let j = 0; j < z.cols; j++) {
    for (let r = 1; r < z.rows; r++) {
      if (z.data[r * z.cols + j] !== z.data[j]) {
        out.push(j);
        break;
      }
    }
  }
  return out;
}

function selectColumns(z: Matrix, cols: readonly number[]): Matrix {
  const data = new Float64Array(z.rows * cols.length);
  for (let r = 0; r < z.rows; r++) cols.forEach((c, t) => (data[r * cols.length + t] = z.data[r * z.cols + c]));
  return { data, rows: z.rows, cols: cols.length };
}

/** Options of {@link computeIrs}. */
export type ComputeIrsOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & IrsOptions;

/**
 * IRS on `numTrain` sampled points (default 10,000, batch 16, as disentanglement_lib).
 *
 * @example
 * const { score } = await computeIrs({ dataset: dsprites(), represent: encoder });
 */
export async function computeIrs<Obs = TensorLike>(options: ComputeIrsOptions<Obs>): Promise<IrsResult> {
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  return irsFromCodes(train, options);
}
