import type { IntMatrix, Matrix } from '../../core/matrix.js';
import { runSteps, type Steps } from '../../core/batching.js';
import { DisentangleError } from '../../core/errors.js';

/**
 * Histogram discretization of each column into `numBins` equal-width bins, exactly as disentanglement_lib's
 * `_histogram_discretize`: edges from numpy `histogram` (`linspace(lo, hi, B+1)`, with lo−0.5 / hi+0.5 for a
 * constant column), then numpy `digitize` against the first B edges. Ids run 1..B; the maximum lands in bin B,
 * the minimum in bin 1, and a constant column lands entirely in bin ⌊B/2⌋+1 (11 for 20 bins).
 *
 * @param codes n×D values (rows = samples).
 * @param numBins B, default 20 (the reference default).
 * @returns n×D integer bin ids, same layout.
 * @example
 * histogramDiscretize({ data: Float64Array.of(0, 0.5, 1), rows: 3, cols: 1 }, 2).data // Int32Array [1, 2, 2]
 */
export function histogramDiscretize(codes: Matrix, numBins = 20): IntMatrix {
  return runSteps(histogramDiscretizeSteps(codes, numBins));
}

/** {@link histogramDiscretize} as steps, pausing after each column (for async callers on wide codes). */
export function* histogramDiscretizeSteps(codes: Matrix, numBins = 20): Steps<IntMatrix> {
  if (!Number.isInteger(numBins) || numBins < 1) {
    throw new DisentangleError('BAD_OPTION', 'numBins', `expected a positive integer, got ${numBins}`);
  }
  const { rows, cols, data } = codes;
  const out = new Int32Array(rows * cols);
  const edges = new Float64Array(numBins);
  for (let j = 0; j < cols; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0, p = j; i < rows; i++, p += cols) {
      const v = data[p];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    binEdges(lo, hi, numBins, edges);
    for (let i = 0, p = j; i < rows; i++, p += cols) out[p] = digitize(data[p], edges);
    yield;
  }
  return { data: out, rows, cols };
}

/** The first B of numpy's B+1 `linspace` edges, with numpy's order of operations (k·step + lo). */
export function binEdges(lo: number, hi: number, numBins: number, out = new Float64Array(numBins)): Float64Array {
  const step = (hi - lo) / numBins;
  if (step === 0) {
    for (let k = 0; k < numBins; k++) out[k] = ((k / numBins) * (hi - lo)) + lo;
  } else {
    for (let k = 0; k < numBins; k++) out[k] = k * step + lo;
  }
  return out;
}

/** numpy `digitize(x, edges, right=False)` for increasing edges: how many edges are ≤ x (binary search). */
export function digitize(x: number, edges: Float64Array): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
