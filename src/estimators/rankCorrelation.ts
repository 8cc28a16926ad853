import { DisentangleError } from '../core/errors.js';

/**
 * Average ranks, 1-based, ties sharing the mean of their positions (scipy `rankdata(method='average')`).
 *
 * @example
 * rankData([10, 20, 20, 5]); // [2, 3.5, 3.5, 1]
 */
export function rankData(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) return tieRanks(x, sortedOrder(x, Int32Array.from({ length: n }, (_, k) => k))); // NaN, ±∞
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const all = (): Int32Array => Int32Array.from({ length: n }, (_, k) => k);
  if (!(max > min)) return tieRanks(x, all());
  // A range beyond the largest double (±1e308 together), or so narrow (subnormals) that n / range overflows, has
  // no finite bucket scale: compare instead.
  const scale = n / (max - min);
  return tieRanks(x, Number.isFinite(max - min) && Number.isFinite(scale) ? bucketOrder(x, min, scale) : sortedOrder(x, all()));
}

/**
 * Indices in ascending order of value, equal values by index: a counting pass over n equal-width buckets (a
 * monotone map of the value, so bucket order is value order), then each bucket sorted on its own. For spread-out
 * values the buckets hold a few items each and the whole pass is linear: several times faster than a comparison
 * sort of the indices, which Spearman correlations over many columns feel.
 */
function bucketOrder(x: ArrayLike<number>, min: number, scale: number): Int32Array {
  const n = x.length;
  const bucket = new Int32Array(n);
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const k = Math.min(n - 1, Math.floor((x[i] - min) * scale));
    bucket[i] = k;
    start[k + 1]++;
  }
  for (let k = 0; k < n; k++) start[k + 1] += start[k];
  const order = new Int32Array(n);
  const next = start.slice(0, n);
  for (let i = 0; i < n; i++) order[next[bucket[i]]++] = i; // by index within a bucket
  for (let k = 0; k < n; k++) {
    const [from, to] = [start[k], start[k + 1]];
    if (to - from < 2) continue;
    let allEqual = true;
    for (let p = from + 1; p < to && allEqual; p++) allEqual = x[order[p]] === x[order[from]];
    if (allEqual) continue; // one repeated value (integer data): already in index order
    if (to - from > 48) {
      sortedOrder(x, order.subarray(from, to));
      continue;
    }
    for (let p = from + 1; p < to; p++) {
      const j = order[p];
      const v = x[j];
      let q = p - 1;
      for (; q >= from && x[order[q]] > v; q--) order[q + 1] = order[q];
      order[q + 1] = j;
    }
  }
  return order;
}

/** Sorts `indices` in place by value, then index (the comparison sort; NaN compares as equal to everything). */
function sortedOrder(x: ArrayLike<number>, indices: Int32Array): Int32Array {
  return indices.sort((a, b) => x[a] - x[b] || a - b);
}

/** Average 1-based ranks from the ascending order: a run of equal values shares the mean of its positions. */
function tieRanks(x: ArrayLike<number>, order: Int32Array): Float64Array {
  const n = x.length;
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && x[order[end]] === x[order[start]]) end++;
    const r = (start + 1 + end) / 2; // mean of positions start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k]] = r;
    start = end;
  }
  return ranks;
}

function checkPair(a: ArrayLike<number>, b: ArrayLike<number>, fn: string): void {
  if (a.length !== b.length) throw new DisentangleError('SHAPE_MISMATCH', `b (in ${fn})`, `has ${b.length} values, a has ${a.length}`);
  if (a.length < 2) throw new DisentangleError('EMPTY', `a (in ${fn})`, 'needs at least two paired values');
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new DisentangleError('NON_FINITE', `a (in ${fn})`, `value ${i} is ${a[i]}`);
    if (!Number.isFinite(b[i])) throw new DisentangleError('NON_FINITE', `b (in ${fn})`, `value ${i} is ${b[i]}`);
  }
}

/**
 * The centred cross and square sums of a paired sample: Σ(a − ā)(b − b̄), Σ(a − ā)², Σ(b − b̄)², means taken first
 * (two-pass). Every correlation and covariance of two vectors is a ratio of these; one pass order for all of them.
 *
 * @example
 * centredSums([1, 2, 3], [2, 4, 7]) // { sab: 5, saa: 2, sbb: 12.666… }
 */
export function centredSums(a: ArrayLike<number>, b: ArrayLike<number>): { sab: number; saa: number; sbb: number } {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return { sab, saa, sbb };
}

function pearsonUnchecked(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { sab, saa, sbb } = centredSums(a, b);
  // scipy returns NaN (with a warning) for a constant input: the correlation is undefined there.
  if (saa === 0 || sbb === 0) return NaN;
  const r = sab / Math.sqrt(saa * sbb);
  return Math.max(-1, Math.min(1, r));
}

/**
 * Pearson's correlation coefficient r; NaN when either input is constant (as scipy and numpy return).
 *
 * @example
 * pearsonCorrelation([1, 2, 3], [2, 4, 7]);
 */
export function pearsonCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair(a, b, 'pearsonCorrelation');
  return pearsonUnchecked(a, b);
}

/**
 * Spearman's rank correlation ρ: Pearson's r of the average ranks (scipy `spearmanr`). NaN for a constant input.
 * Used by UDR's Spearman variant (Duan et al. 2020).
 *
 * @example
 * spearmanCorrelation([1, 2, 3, 4], [1, 4, 9, 16]); // 1
 */
export function spearmanCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair(a, b, 'spearmanCorrelation');
  return pearsonUnchecked(rankData(a), rankData(b));
}
