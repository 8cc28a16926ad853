import { DisentangleError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { meanVarianceColumns } from '../../core/stats.js';

/** A fitted z-scoring transform (scikit-learn `StandardScaler` with its defaults). */
export interface StandardScaler {
  readonly mean: Float64Array;
  /** Population standard deviation (ddof 0); 1 for a constant column. */
  readonly scale: Float64Array;
  transform(m: Matrix): Matrix;
}

// scikit-learn 1.2 `_is_constant_feature`: a variance within float error of zero marks a constant column,
// so that a column of identical values is left unscaled instead of blowing up to ±inf.
function isConstantFeature(variance: number, mean: number, n: number): boolean {
  const eps = Number.EPSILON;
  const upper = n * eps * variance + (n * mean * eps) ** 2;
  return variance <= upper;
}

/**
 * Fits column means and population standard deviations on `train` (scikit-learn `StandardScaler()`: ddof 0,
 * with_mean and with_std on; a constant column gets scale 1 so it maps to zeros).
 *
 * @example
 * const s = standardScaler(train); const z = s.transform(test);
 */
export function standardScaler(train: Matrix): StandardScaler {
  if (train.rows === 0) throw new DisentangleError('EMPTY', 'train (in standardScaler)', 'needs at least one row');
  const { rows: n, cols: d } = train;
  const { mean, variance } = meanVarianceColumns(train, 0);
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) scale[j] = isConstantFeature(variance[j], mean[j], n) ? 1 : Math.sqrt(variance[j]);
  const transform = (m: Matrix): Matrix => {
    if (m.cols !== d) {
      throw new DisentangleError('SHAPE_MISMATCH', 'm (in standardScaler.transform)', `has ${m.cols} columns, the scaler was fitted on ${d}`);
    }
    const out = new Float64Array(m.data.length);
    for (let i = 0; i < m.rows; i++) for (let j = 0; j < d; j++) out[i * d + j] = (m.data[i * d + j] - mean[j]) / scale[j];
    return { data: out, rows: m.rows, cols: d };
  };
  return { mean, scale, transform };
}
