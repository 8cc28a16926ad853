import type { IntMatrix, Matrix } from '../../core/matrix.js';
import { runSteps, type Steps } from '../../core/batching.js';
import { DisentangleError } from '../../core/errors.js';
import type { LabelledCodes } from '../../core/types.js';
import {
  checkDiscretizedColumn,
  checkSameWidths,
  factorDiscretizerOption,
  factorsFromValues,
  readLabelledValues,
  type CodesAndFactors,
  type CodesAndFactorValues,
  type FactorDiscretizer,
} from '../../core/validate.js';

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

/**
 * Factor values of one or more splits (train first) turned into class indices with one `factorDiscretizer`:
 * - absent: the values must be non-negative integers already and are read as they are (`BAD_INPUT` naming
 *   `<split>.factors` and the option otherwise);
 * - a number B: each factor column, the splits' rows stacked, is cut into B equal-width bins exactly as
 *   {@link histogramDiscretize} cuts codes (numpy `histogram` edges, `digitize` against the first B), and the
 *   bin ids 1..B become indices 0..B−1; one set of edges serves every split, so a value means the same class in
 *   train and test;
 * - a function: called once per factor column with the stacked values (a fresh Float64Array, train rows then
 *   test rows); it returns one non-negative integer index per row (`CALLBACK_RESULT` otherwise).
 * Columns flagged in `keep` (SAP's continuous factors) are left alone: 0 in the result, and not checked.
 *
 * @param splits the splits' factor values, equally wide (check with `checkSameWidths` first).
 * @param names the splits' argument names for errors ('train', 'test').
 * @example
 * factorIndices([{ factors: { data: Float64Array.of(0, 0.4, 1), rows: 3, cols: 1 } }], ['train'], 'fn', 2)[0].data
 * // Int32Array [0, 0, 1]
 */
export function factorIndices(
  splits: readonly { factors: Matrix }[],
  names: readonly string[],
  fn: string,
  discretizer: FactorDiscretizer | undefined,
  keep?: readonly boolean[],
): IntMatrix[] {
  if (discretizer === undefined) return splits.map((s, i) => factorsFromValues(s.factors, `${names[i]}.factors`, fn, keep));
  const cols = splits[0].factors.cols;
  const total = splits.reduce((n, s) => n + s.factors.rows, 0);
  const outs = splits.map((s) => new Int32Array(s.factors.rows * cols));
  const stacked = new Float64Array(total);
  for (let j = 0; j < cols; j++) {
    if (keep?.[j]) continue;
    let r = 0;
    for (const { factors: f } of splits) for (let i = 0; i < f.rows; i++) stacked[r++] = f.data[i * cols + j];
    const ids = typeof discretizer === 'number'
      ? equalWidthIndices(stacked, discretizer)
      : checkDiscretizedColumn(discretizer(stacked.slice()), total, j);
    r = 0;
    splits.forEach((s, k) => {
      for (let i = 0; i < s.factors.rows; i++) outs[k][i * cols + j] = ids[r++];
    });
  }
  return outs.map((data, k) => ({ data, rows: splits[k].factors.rows, cols }));
}

/** Indices 0..B−1 of one column in B equal-width bins: {@link histogramDiscretize}'s bin ids minus one. */
function equalWidthIndices(values: Float64Array, numBins: number): Int32Array {
  const ids = histogramDiscretize({ data: values, rows: values.length, cols: 1 }, numBins).data;
  for (let i = 0; i < ids.length; i++) ids[i] -= 1;
  return ids;
}

/**
 * Reads the labelled splits of a matrix entry (train first, always read; a later `undefined` split is skipped and
 * comes back `undefined`), checks that they are equally wide and turns their factors into indices with
 * {@link factorIndices} (the splits binned together). `factorDiscretizer` is validated here (`BAD_OPTION`).
 *
 * @example
 * const [train, test] = readFactorSplits([[trainIn, 'train'], [testIn, 'test']], 'dciFromCodes', options.factorDiscretizer);
 */
export function readFactorSplits(
  splits: readonly (readonly [LabelledCodes | undefined, string])[],
  fn: string,
  factorDiscretizer: unknown,
): (CodesAndFactors | undefined)[] {
  const discretizer = factorDiscretizerOption(factorDiscretizer);
  const read: (CodesAndFactorValues | undefined)[] = splits.map(([value, name], k) => (value === undefined && k > 0 ? undefined : readLabelledValues(value, name, fn)));
  const present = read.flatMap((r, k) => (r ? [{ r, name: splits[k][1] }] : []));
  for (const p of present.slice(1)) checkSameWidths(present[0].r, p.r, fn);
  const indices = factorIndices(present.map((p) => p.r), present.map((p) => p.name), fn, discretizer);
  let k = 0;
  return read.map((r) => (r ? { codes: r.codes, factors: indices[k++] } : undefined));
}
