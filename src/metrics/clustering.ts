/**
 * Clustering scores for categorical codes (CoDeGAN and InfoGAN report them for a discrete latent against the
 * true class): accuracy under the best one-to-one matching, normalized mutual information and the adjusted
 * Rand index, with scikit-learn 1.2's formulas and edge cases.
 */
import { DisentangleError } from '../core/errors.js';
import { toMatrix } from '../core/tensor.js';
import type { TensorLike } from '../core/types.js';
import { linearSumAssignment } from '../estimators/hungarian.js';
import { encodeLabels } from '../estimators/labels.js';
import { mutualInfoScore } from '../estimators/information/mutualInformation.js';

/** A vector of n labels: a plain or typed array, or any TensorLike of shape [n] or [n, 1]. */
export type LabelVector = ArrayLike<number> | TensorLike;

function readLabels(x: LabelVector, argument: string, fn: string): Float64Array {
  if (x instanceof BigInt64Array || x instanceof BigUint64Array) {
    throw new DisentangleError('BAD_INPUT', `${argument} (in ${fn})`, 'is a BigInt array; convert the labels to numbers first (Float64Array.from(labels, Number))');
  }
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const v = Float64Array.from(x as ArrayLike<number>);
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) throw new DisentangleError('NON_FINITE', `${argument} (in ${fn})`, `entry ${i} is ${v[i]}; labels must be finite`);
    }
    return v;
  }
  const m = toMatrix(x as TensorLike, argument, fn, { nonEmpty: false });
  if (m.cols !== 1 && m.rows > 0) throw new DisentangleError('SHAPE_MISMATCH', `${argument} (in ${fn})`, `expected a vector of labels, got ${m.rows}×${m.cols}`);
  return m.data;
}

function readPair(a: LabelVector, b: LabelVector, names: [string, string], fn: string): [Float64Array, Float64Array] {
  const x = readLabels(a, names[0], fn);
  const y = readLabels(b, names[1], fn);
  if (x.length !== y.length) {
    throw new DisentangleError('SHAPE_MISMATCH', `${names[1]} (in ${fn})`, `has ${y.length} labels but ${names[0]} has ${x.length}; both must label the same samples`);
  }
  return [x, y];
}

/** Contingency table (rows: distinct values of `a` in increasing order, columns: those of `b`). */
function contingency(a: Float64Array, b: Float64Array): { table: Float64Array; rows: number; cols: number; rowSums: Float64Array; colSums: Float64Array } {
  const A = encodeLabels(a);
  const B = encodeLabels(b);
  const rows = A.classes.length;
  const cols = B.classes.length;
  const table = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) table[A.index[i] * cols + B.index[i]]++;
  return { table, rows, cols, rowSums: A.counts, colSums: B.counts };
}

/**
 * Unsupervised clustering accuracy: the fraction of samples whose cluster maps to their class under the best
 * one-to-one matching of clusters to classes (Hungarian algorithm on the contingency table, maximizing the
 * matches). Cluster and class counts may differ; unmatched clusters count as errors.
 *
 * @param predicted cluster ids (any numbers; only equality matters).
 * @param truth class labels of the same samples.
 * @example
 * clusteringAccuracy([1, 1, 0, 0, 2], [0, 0, 1, 1, 1]) // 0.8
 */
export function clusteringAccuracy(predicted: LabelVector, truth: LabelVector): number {
  const [p, t] = readPair(predicted, truth, ['predicted', 'truth'], 'clusteringAccuracy');
  if (p.length === 0) throw new DisentangleError('EMPTY', 'predicted (in clusteringAccuracy)', 'no samples; accuracy is undefined');
  const c = contingency(p, t);
  const best = linearSumAssignment({ data: c.table, rows: c.rows, cols: c.cols }, true);
  return best.total / p.length;
}

function entropyOfCounts(counts: Float64Array, n: number): number {
  if (counts.length <= 1) return 0;
  const logN = Math.log(n);
  let h = 0;
  for (let k = 0; k < counts.length; k++) h -= (counts[k] / n) * (Math.log(counts[k]) - logN);
  return h;
}

/**
 * Normalized mutual information, scikit-learn's `normalized_mutual_info_score` with its default
 * `average_method='arithmetic'`: I(a; b) / ((H(a) + H(b)) / 2), in [0, 1] and symmetric. Edge cases as
 * scikit-learn 1.2: both labellings with one cluster (or no samples) → 1; I = 0 → 0.
 *
 * @example
 * normalizedMutualInfo([0, 0, 1, 1], [1, 1, 0, 0]) // 1
 */
export function normalizedMutualInfo(a: LabelVector, b: LabelVector): number {
  const [x, y] = readPair(a, b, ['a', 'b'], 'normalizedMutualInfo');
  const A = encodeLabels(x);
  const B = encodeLabels(y);
  if (A.classes.length === B.classes.length && A.classes.length <= 1) return 1;
  const mi = mutualInfoScore(x, y);
  if (mi === 0) return 0;
  const normalizer = (entropyOfCounts(A.counts, x.length) + entropyOfCounts(B.counts, y.length)) / 2;
  return mi / normalizer;
}

/**
 * Adjusted Rand index (Hubert & Arabie 1985) in scikit-learn's pair-confusion form:
 * ARI = 2(tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)), counted over ordered pairs of samples.
 * 1 for identical partitions up to relabelling, ≈ 0 in expectation for independent ones; 1 when fn = fp = 0
 * (including no samples). Pair counts are exact (BigInt), as Python's integers are.
 *
 * @example
 * adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) // 0.5714…
 */
export function adjustedRandIndex(a: LabelVector, b: LabelVector): number {
  const [x, y] = readPair(a, b, ['a', 'b'], 'adjustedRandIndex');
  const n = BigInt(x.length);
  const c = contingency(x, y);
  let sumSquares = 0n;
  let rowWeighted = 0n; // Σ_ij n_ij · (column total of j)
  let colWeighted = 0n; // Σ_ij n_ij · (row total of i)
  for (let i = 0; i < c.rows; i++) {
    for (let j = 0; j < c.cols; j++) {
      const v = c.table[i * c.cols + j];
      if (v === 0) continue;
      const bv = BigInt(v);
      sumSquares += bv * bv;
      rowWeighted += bv * BigInt(c.colSums[j]);
      colWeighted += bv * BigInt(c.rowSums[i]);
    }
  }
  const tp = sumSquares - n;
  const fp = rowWeighted - sumSquares;
  const fn = colWeighted - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  if (fn === 0n && fp === 0n) return 1;
  const num = 2n * (tp * tn - fn * fp);
  const den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return Number(num) / Number(den);
}
