/**
 * UDR's relative-strength score of a similarity matrix (Duan et al. 2020, "Unsupervised Model Selection for
 * Variational Disentangled Representation Learning"), as disentanglement_lib's `relative_strength_disentanglement`.
 */
import type { Matrix } from '../core/matrix.js';

// Mean over lines of (max)² / sum, where a 0/0 (an all-zero line) or a NaN entry counts as 0, like numpy's
// nan_to_num after a max and sum that both propagate NaN.
function lineScore(m: Matrix, alongRows: boolean): number {
  const lines = alongRows ? m.rows : m.cols;
  const len = alongRows ? m.cols : m.rows;
  let total = 0;
  for (let l = 0; l < lines; l++) {
    let max = -Infinity;
    let sum = 0;
    for (let t = 0; t < len; t++) {
      const v = alongRows ? m.data[l * m.cols + t] : m.data[t * m.cols + l];
      max = Number.isNaN(v) || Number.isNaN(max) ? NaN : Math.max(max, v);
      sum += v;
    }
    const s = (max * max) / sum;
    total += Number.isNaN(s) ? 0 : s;
  }
  return total / lines;
}

/**
 * Relative strength of a non-negative similarity matrix R (rows = dims of one model, columns = dims of the
 * other): ½·(mean over columns of (max R)²/ΣR + mean over rows of the same). It is 1 for a permutation
 * matrix, 1/n for a matrix of equal entries and 0 for a zero matrix. A column or row that sums to zero, or
 * holds a NaN, scores 0; an empty matrix gives NaN (numpy's mean of nothing).
 *
 * @example
 * relativeStrength({ data: Float64Array.of(1, 0, 0, 1), rows: 2, cols: 2 }); // 1
 */
export function relativeStrength(r: Matrix): number {
  if (r.rows === 0 || r.cols === 0) return NaN;
  return (lineScore(r, false) + lineScore(r, true)) / 2;
}
