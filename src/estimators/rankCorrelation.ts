import { DisentangleError } from '../core/errors.js';

/**
 * Average ranks, 1-based, ties sharing the mean of their positions (scipy `rankdata(method='average')`).
 *
 * @example
 * rankData([10, 20, 20, 5]); // [2, 3.5, 3.5, 1]
 */
export function rankData(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
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
