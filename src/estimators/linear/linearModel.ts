/**
 * What the linear models share: the input checks of a fit (x and its targets) and the affine map x·Wᵀ + b that
 * every linear model's decision function is (scikit-learn's `linear_model/_base.py` plays this part).
 */
import { DisentangleError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';

/**
 * Checks the training data of a fit: x has at least one row and one column, y one value per row, and every
 * entry of both is finite. Errors name `x` or `y` in `fn`.
 */
export function checkXy(x: Matrix, y: Int32Array | Float64Array, fn: string): void {
  if (x.rows === 0 || x.cols === 0) throw new DisentangleError('EMPTY', `x (in ${fn})`, 'needs at least one row and one column');
  if (y.length !== x.rows) throw new DisentangleError('SHAPE_MISMATCH', `y (in ${fn})`, `has ${y.length} values, x has ${x.rows} rows`);
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i])) throw new DisentangleError('NON_FINITE', `x (in ${fn})`, `entry ${i} is ${x.data[i]}`);
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new DisentangleError('NON_FINITE', `y (in ${fn})`, `entry ${i} is ${y[i]}`);
  }
}

/**
 * x·Wᵀ + b: n×K decision values of a linear model with K rows of weights (each summed from b, feature by
 * feature).
 *
 * @example
 * affine({ data: Float64Array.of(1, 2), rows: 1, cols: 2 }, { data: Float64Array.of(3, 4), rows: 1, cols: 2 }, Float64Array.of(1)) // [12]
 */
export function affine(x: Matrix, w: Matrix, b: Float64Array): Matrix {
  const { rows: n, cols: d } = x;
  const k = w.rows;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = b[c];
      for (let j = 0; j < d; j++) s += x.data[i * d + j] * w.data[c * d + j];
      out[i * k + c] = s;
    }
  }
  return { data: out, rows: n, cols: k };
}
