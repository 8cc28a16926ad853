import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';

/** An optimal assignment: `rowIndices[t]` is matched with `colIndices[t]`, rows in increasing order (scipy's layout). */
export interface Assignment {
  rowIndices: Int32Array;
  colIndices: Int32Array;
  /** Sum of the matched entries of the original matrix. */
  total: number;
}

/**
 * Linear sum assignment (Kuhn 1955; Munkres 1957), as scipy's `linear_sum_assignment`: picks min(rows, cols)
 * entries, at most one per row and per column, with the least (or, with `maximize`, the greatest) total.
 * Rectangular matrices are fine. Solved by shortest augmenting paths with potentials (the Jonker–Volgenant
 * formulation of the Hungarian method), O(n²m) for n ≤ m.
 *
 * @param cost n×m finite matrix.
 * @param maximize maximize the total instead of minimizing it (default false).
 * @example
 * linearSumAssignment({ data: Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]), rows: 3, cols: 3 }).total // 5
 */
export function linearSumAssignment(cost: Matrix, maximize = false): Assignment {
  for (let i = 0; i < cost.data.length; i++) {
    if (!Number.isFinite(cost.data[i])) throw new DisentangleError('NON_FINITE', 'cost', `entry ${i} is ${cost.data[i]}; every cost must be finite`);
  }
  const transposed = cost.rows > cost.cols;
  const n = transposed ? cost.cols : cost.rows;
  const m = transposed ? cost.rows : cost.cols;
  const sign = maximize ? -1 : 1;
  const at = (i: number, j: number): number => sign * (transposed ? cost.data[j * cost.cols + i] : cost.data[i * cost.cols + j]);
  const colOfRow = solveRowsToCols(n, m, at);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) pairs.push(transposed ? [colOfRow[i], i] : [i, colOfRow[i]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const rowIndices = Int32Array.from(pairs, (p) => p[0]);
  const colIndices = Int32Array.from(pairs, (p) => p[1]);
  let total = 0;
  for (let t = 0; t < pairs.length; t++) total += cost.data[rowIndices[t] * cost.cols + colIndices[t]];
  return { rowIndices, colIndices, total };
}

// Rows are added one at a time; each is routed to a free column along a Dijkstra shortest path in the reduced
// costs, and the potentials u, v keep every reduced cost non-negative. Index 0 is a virtual column.
function solveRowsToCols(n: number, m: number, at: (i: number, j: number) => number): Int32Array {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const rowOfCol = new Int32Array(m + 1); // 1-based row matched to column j, 0 = free
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    rowOfCol[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = rowOfCol[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = at(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[rowOfCol[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (rowOfCol[j0] !== 0);
    do {
      const j1 = way[j0];
      rowOfCol[j0] = rowOfCol[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOfRow = new Int32Array(n);
  for (let j = 1; j <= m; j++) if (rowOfCol[j] !== 0) colOfRow[rowOfCol[j] - 1] = j - 1;
  return colOfRow;
}
