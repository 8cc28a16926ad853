/**
 * d-variable HSIC (Pfister et al. 2018, "Kernel-based tests for joint independence") with the Laplace-type
 * kernel of the InfoGAN-CR repository's `DHSICMetric`, streamed so memory stays O(n·D): the reference builds
 * n²×D kernel blocks, we never hold more than one row of pair sums.
 */
import { DisentangleError, throwIfAborted } from '../../core/errors.js';
import { createYielder, runSteps, runStepsAsync, type Steps } from '../../core/batching.js';
import type { Matrix } from '../../core/matrix.js';
import type { Progress } from '../../core/types.js';
import { checkOptions } from '../../core/validate.js';

/**
 * The smallest value t among the unordered pairwise differences s[j] − s[i] (i < j) of an ascending array
 * such that `rank + 1` differences are ≤ t, i.e. the `rank`-th smallest difference (0-based), found exactly
 * without listing the n(n−1)/2 differences: bisection on the value with an O(n) two-pointer count until at
 * most a few n candidates remain, which are then listed and sorted.
 *
 * @param sorted ascending values.
 * @param rank 0-based rank among the n(n−1)/2 differences.
 * @example
 * kthPairwiseDifference(Float64Array.of(0, 1, 3), 1) // differences 1, 2, 3 → 2
 */
export function kthPairwiseDifference(sorted: Float64Array, rank: number): number {
  const n = sorted.length;
  const total = (n * (n - 1)) / 2;
  if (!(rank >= 0 && rank < total && Number.isInteger(rank))) {
    throw new DisentangleError('BAD_OPTION', 'rank', `expected an integer in [0, ${total - 1}], got ${rank}`);
  }
  // differences are ≥ 0: with enough ties the answer is 0, and bisection toward 0 from below would crawl
  const zeros = countDifferencesAtMost(sorted, 0);
  if (zeros >= rank + 1) return 0;
  let lo = 0; // only `zeros` differences are ≤ lo
  let hi = sorted[n - 1] - sorted[0]; // every difference is ≤ hi
  let countLo = zeros;
  let countHi = total;
  const windowLimit = 4 * n + 64;
  while (countHi - countLo > windowLimit) {
    const mid = lo + (hi - lo) / 2;
    if (!(mid > lo && mid < hi)) break; // lo and hi are adjacent doubles: every candidate equals hi
    const c = countDifferencesAtMost(sorted, mid);
    if (c >= rank + 1) {
      hi = mid;
      countHi = c;
    } else {
      lo = mid;
      countLo = c;
    }
  }
  if (countHi - countLo > windowLimit) return hi;
  const window = differencesBetween(sorted, lo, hi, countHi - countLo);
  window.sort();
  return window[rank - countLo];
}

/** Number of pairs i < j with s[j] − s[i] ≤ t (floating-point differences, monotone in j and in i). */
export function countDifferencesAtMost(sorted: Float64Array, t: number): number {
  let count = 0;
  let i = 0;
  for (let j = 1; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] > t) i++;
    count += j - i;
  }
  return count;
}

function differencesBetween(sorted: Float64Array, lo: number, hi: number, size: number): Float64Array {
  const out = new Float64Array(size);
  let k = 0;
  let iHi = 0; // first i with s[j] − s[i] ≤ hi
  let iLo = 0; // first i with s[j] − s[i] ≤ lo
  for (let j = 1; j < sorted.length; j++) {
    while (sorted[j] - sorted[iHi] > hi) iHi++;
    while (iLo < j && sorted[j] - sorted[iLo] > lo) iLo++;
    for (let i = iHi; i < iLo; i++) out[k++] = sorted[j] - sorted[i];
  }
  return out;
}

/**
 * numpy's `median` of the n² values |x_a − x_b| over all ordered pairs (a, b), self-pairs included, as the
 * InfoGAN-CR dHSIC bandwidth: the n self-pair zeros come first, then every unordered difference twice; the
 * median is the middle order statistic, or the mean of the two middle ones when n² is even. Exact, O(n log n)
 * time and O(n) memory.
 *
 * @example
 * pairwiseMedianAbsDifference(Float64Array.of(0, 1, 3)) // 9 values 0,0,0,1,1,2,2,3,3 → 1
 */
export function pairwiseMedianAbsDifference(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new DisentangleError('EMPTY', 'values', 'the median of no pairs is undefined');
  const sorted = Float64Array.from(values).sort();
  const total = n * n;
  const orderStatistic = (r: number): number => (r < n ? 0 : kthPairwiseDifference(sorted, Math.floor((r - n) / 2)));
  if (total % 2 === 1) return orderStatistic((total - 1) / 2);
  return (orderStatistic(total / 2 - 1) + orderStatistic(total / 2)) / 2;
}

/**
 * The median-heuristic bandwidth of Pfister et al.'s dHSIC package for one variable: σ = √(½·d²_(⌊m/2⌋)),
 * the ⌊m/2⌋-th smallest (0-based) of the m = n(n−1)/2 squared pairwise distances, and 0.001 when that is 0.
 * The package computes it on a random subset of 1,000 points when n > 1,000; this uses every point, so it is
 * exact and reproducible (identical to the package whenever n ≤ 1,000).
 *
 * @example
 * gaussianMedianBandwidth(Float64Array.of(0, 1, 3)) // distances 1, 2, 3 → √(½·2²) = √2
 */
export function gaussianMedianBandwidth(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) throw new DisentangleError('EMPTY', 'values', `has ${n} value; a pairwise median needs at least 2`);
  const sorted = Float64Array.from(values).sort();
  const m = (n * (n - 1)) / 2;
  const d = kthPairwiseDifference(sorted, Math.floor(m / 2));
  const sigma = Math.sqrt(d * d * 0.5);
  return sigma === 0 ? 0.001 : sigma;
}

/** Σ_b exp(−(x_a − x_b)²·scale) for each a: the Gaussian kernel has no running-sum shortcut, so O(n²). */
export function gaussianKernelRowSums(values: Float64Array, scale: number): Float64Array {
  return runSteps(gaussianKernelRowSumsSteps(values, scale));
}

/** {@link gaussianKernelRowSums} as steps, pausing after every block of about 10⁶ kernel evaluations. */
function* gaussianKernelRowSumsSteps(values: Float64Array, scale: number): Steps<Float64Array> {
  const n = values.length;
  const out = new Float64Array(n).fill(1);
  const block = Math.max(1, Math.floor(1e6 / Math.max(1, n)));
  for (let a = 0; a < n; a += block) {
    gaussianRows(values, scale, out, a, Math.min(n, a + block));
    yield;
  }
  return out;
}

function gaussianRows(values: Float64Array, scale: number, out: Float64Array, from: number, to: number): void {
  const n = values.length;
  for (let a = from; a < to; a++) {
    const x = values[a];
    let row = 0;
    for (let b = a + 1; b < n; b++) {
      const diff = x - values[b];
      const v = Math.exp(-diff * diff * scale);
      row += v;
      out[b] += v;
    }
    out[a] += row;
  }
}

/**
 * For each a, Σ_b exp(−|x_a − x_b|·scale), in O(n log n): along the sorted values the kernel of the Laplace
 * family factorises, so the sums to the left and right follow first-order recurrences. `scale = Infinity`
 * (bandwidth 0) gives the indicator of equal values.
 */
export function laplaceKernelRowSums(values: Float64Array, scale: number): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => values[p] - values[q]);
  const decay = (gap: number): number => (gap === 0 ? 1 : Math.exp(-gap * scale));
  const left = new Float64Array(n);
  const right = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    left[r] = r === 0 ? 1 : 1 + left[r - 1] * decay(values[order[r]] - values[order[r - 1]]);
  }
  for (let r = n - 1; r >= 0; r--) {
    right[r] = r === n - 1 ? 1 : 1 + right[r + 1] * decay(values[order[r + 1]] - values[order[r]]);
  }
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) out[order[r]] = left[r] + right[r] - 1;
  return out;
}

/** The three terms of the dHSIC V-statistic and their sum. */
export interface DhsicTerms {
  value: number;
  t1: number;
  t2: number;
  t3: number;
}

/**
 * Kernel family: 'infogan-cr' = exp(−|Δ|/h²) (InfoGAN-CR's `DHSICMetric`), 'gaussian' = exp(−Δ²/(2σ²))
 * (Pfister et al.'s dHSIC package).
 */
export type DhsicKernel = 'infogan-cr' | 'gaussian';

/** Options of {@link dhsicVStatistic}. */
export interface DhsicStatisticOptions {
  onProgress?: (p: Progress) => void;
  /** Default 'infogan-cr'. */
  kernel?: DhsicKernel;
}

/** Columns, kernel scales and the cheap terms T2, T3 of one dHSIC evaluation. */
interface DhsicPlan {
  n: number;
  columns: Float64Array[];
  scales: number[];
  squared: boolean;
  t2: number;
  t3: number;
}

function* planDhsic(codes: Matrix, bandwidths: ArrayLike<number>, kernel: DhsicKernel = 'infogan-cr'): Steps<DhsicPlan> {
  const squared = kernel === 'gaussian';
  if (kernel !== 'infogan-cr' && kernel !== 'gaussian') {
    throw new DisentangleError('BAD_OPTION', 'kernel', `expected 'infogan-cr' or 'gaussian', got '${String(kernel)}'`);
  }
  const { rows: n, cols: D } = codes;
  if (bandwidths.length !== D) throw new DisentangleError('SHAPE_MISMATCH', 'bandwidths', `has ${bandwidths.length} entries for ${D} code dims`);
  const columns: Float64Array[] = [];
  const scales: number[] = [];
  for (let k = 0; k < D; k++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = codes.data[i * D + k];
    columns.push(col);
    const h = bandwidths[k];
    if (!(h >= 0)) throw new DisentangleError('BAD_INPUT', 'bandwidths', `entry ${k} is ${h}; bandwidths are ≥ 0`);
    scales.push(h === 0 ? Infinity : squared ? 1 / (2 * h * h) : 1 / (h * h));
  }
  let t2 = 1;
  const rowProducts = new Float64Array(n).fill(1);
  for (let k = 0; k < D; k++) {
    // The Gaussian row sums are O(n²) per dim, the Laplace ones O(n log n): only the former pause inside.
    const sums = squared && scales[k] !== Infinity ? yield* gaussianKernelRowSumsSteps(columns[k], scales[k]) : laplaceKernelRowSums(columns[k], scales[k]);
    yield;
    let total = 0;
    for (let a = 0; a < n; a++) {
      total += sums[a];
      rowProducts[a] *= sums[a] / n;
    }
    t2 *= total / n / n;
  }
  let t3Sum = 0;
  for (let a = 0; a < n; a++) t3Sum += rowProducts[a];
  return { n, columns, scales, squared, t2, t3: (-2 / n) * t3Sum };
}

function finish(plan: DhsicPlan, offDiagonal: number): DhsicTerms {
  const { n, t2, t3 } = plan;
  const t1 = (n + 2 * offDiagonal) / n / n;
  return { value: t1 + t2 + t3, t1, t2, t3 };
}

/**
 * dHSIC V-statistic of the columns of `codes` with kernels A_k(a, b) = exp(−|z_ak − z_bk| / h_k²):
 * T1 = n⁻² Σ_ab Π_k A_k(a,b), T2 = Π_k n⁻² Σ_ab A_k(a,b), T3 = −2 n^−(D+1) Σ_a Π_k Σ_b A_k(a,b).
 * T2 and T3 come from per-dim kernel row sums in O(n log n); T1 is an O(n²·D) double loop that keeps one
 * row of exponents (Π_k exp(−x_k) = exp(−Σ_k x_k)). A bandwidth of 0 makes that dim's kernel the indicator
 * of equal values (the reference's 0/0 is NaN there). With `kernel: 'gaussian'` the kernels are
 * exp(−Δ²/(2σ_k²)) and the row sums cost O(n²) per dim as well.
 *
 * @param codes n×D.
 * @param bandwidths h_k (or σ_k) per column, ≥ 0.
 * @example
 * dhsicVStatistic({ data: Float64Array.of(0, 1, 1, 0, 2, 2), rows: 3, cols: 2 }, [1, 1]).value
 */
export function dhsicVStatistic(codes: Matrix, bandwidths: ArrayLike<number>, options: DhsicStatisticOptions = {}): DhsicTerms {
  checkOptions(options, 'dhsicVStatistic');
  const plan = runSteps(planDhsic(codes, bandwidths, options.kernel));
  const scratch = new Float64Array(plan.n);
  const every = Math.max(1, Math.floor(plan.n / 100));
  let sum = 0;
  for (let a = 0; a < plan.n; a += every) {
    sum = offDiagonalRows(plan, a, Math.min(plan.n, a + every), scratch, sum);
    options.onProgress?.({ stage: 'dhsic', done: Math.min(plan.n, a + every), total: plan.n });
  }
  return finish(plan, sum);
}

/**
 * {@link dhsicVStatistic} that returns to the event loop at least every ~50 ms (between blocks of rows, and
 * inside the Gaussian kernel's O(n²) row sums), so a caller's AbortSignal can stop it and a page stays
 * responsive.
 */
export async function dhsicVStatisticAsync(
  codes: Matrix,
  bandwidths: ArrayLike<number>,
  options: DhsicStatisticOptions & { signal?: AbortSignal } = {},
): Promise<DhsicTerms> {
  throwIfAborted(options.signal);
  const yielder = createYielder(options.signal);
  const plan = await runStepsAsync(planDhsic(codes, bandwidths, options.kernel), yielder);
  const scratch = new Float64Array(plan.n);
  // about 10⁶ kernel evaluations per block
  const block = Math.max(1, Math.floor(1e6 / Math.max(1, plan.n * plan.columns.length)));
  let sum = 0;
  for (let a = 0; a < plan.n; a += block) {
    sum = offDiagonalRows(plan, a, Math.min(plan.n, a + block), scratch, sum);
    options.onProgress?.({ stage: 'dhsic', done: Math.min(plan.n, a + block), total: plan.n });
    await yielder.maybeYield();
  }
  return finish(plan, sum);
}

/**
 * Adds Σ_{from ≤ a < to} Σ_{b > a} exp(−Σ_k |z_ak − z_bk|·scale_k) to `sum`, one row of exponents at a time
 * (row by row into one running sum, so the result does not depend on how the rows are blocked).
 */
function offDiagonalRows(plan: DhsicPlan, from: number, to: number, exponent: Float64Array, sumSoFar: number): number {
  const { n, columns, scales, squared } = plan;
  let sum = sumSoFar;
  for (let a = from; a < to; a++) {
    exponent.fill(0, a + 1);
    for (let k = 0; k < columns.length; k++) {
      const col = columns[k];
      const x = col[a];
      const s = scales[k];
      if (s === Infinity) {
        for (let b = a + 1; b < n; b++) if (col[b] !== x) exponent[b] = Infinity;
      } else if (squared) {
        for (let b = a + 1; b < n; b++) {
          const diff = x - col[b];
          exponent[b] += diff * diff * s;
        }
      } else {
        for (let b = a + 1; b < n; b++) exponent[b] += Math.abs(x - col[b]) * s;
      }
    }
    let rowSum = 0;
    for (let b = a + 1; b < n; b++) rowSum += Math.exp(-exponent[b]);
    sum += rowSum;
  }
  return sum;
}
