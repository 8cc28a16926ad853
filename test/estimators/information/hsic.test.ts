import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fixtures from '../../fixtures/dhsic_cases.json' with { type: 'json' };
import {
  countDifferencesAtMost,
  dhsicVStatistic,
  dhsicVStatisticAsync,
  gaussianKernelRowSums,
  gaussianMedianBandwidth,
  kthPairwiseDifference,
  laplaceKernelRowSums,
  pairwiseMedianAbsDifference,
} from '../../../src/estimators/information/hsic.js';
import { DisentangleError } from '../../../src/core/errors.js';

const medians = (fixtures as { medians: { values: number[]; median: number }[] }).medians;

/** All n² ordered |x_a − x_b| sorted: the brute force the streaming code must match. */
function bruteMedian(x: number[]): number {
  const all: number[] = [];
  for (const a of x) for (const b of x) all.push(Math.abs(a - b));
  all.sort((p, q) => p - q);
  const N = all.length;
  return N % 2 ? all[(N - 1) / 2] : (all[N / 2 - 1] + all[N / 2]) / 2;
}

function bruteDhsic(z: number[][], h: number[]): number {
  const n = z.length;
  const D = h.length;
  const A = (k: number, a: number, b: number) => {
    const d = Math.abs(z[a][k] - z[b][k]);
    return d === 0 ? 1 : Math.exp(-d / (h[k] * h[k]));
  };
  let t1 = 0;
  const rowSums = Array.from({ length: D }, () => new Array<number>(n).fill(0));
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let p = 1;
      for (let k = 0; k < D; k++) {
        const v = A(k, a, b);
        p *= v;
        rowSums[k][a] += v;
      }
      t1 += p;
    }
  }
  t1 /= n * n;
  let t2 = 1;
  for (let k = 0; k < D; k++) t2 *= rowSums[k].reduce((s, v) => s + v, 0) / (n * n);
  let t3 = 0;
  for (let a = 0; a < n; a++) t3 += rowSums.reduce((p, r) => p * r[a], 1);
  t3 *= -2 / n ** (D + 1);
  return t1 + t2 + t3;
}

const mat = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

describe('pairwiseMedianAbsDifference (numpy median over all n² ordered pairs, self-pairs included)', () => {
  for (const c of medians) {
    it(`matches numpy on n = ${c.values.length}`, () => expect(pairwiseMedianAbsDifference(c.values)).toBe(c.median));
  }
  it('matches the brute force on random inputs with ties', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -20, max: 20 }).map((v) => v / 4), { minLength: 1, maxLength: 60 }), (x) => pairwiseMedianAbsDifference(x) === bruteMedian(x)), { numRuns: 200 });
  });
  it('matches the brute force on continuous inputs', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 80 }), (x) => pairwiseMedianAbsDifference(x) === bruteMedian(x)), { numRuns: 200 });
  });
  it('is exact when the window cannot shrink (many identical differences)', () => {
    const x = Array.from({ length: 400 }, (_, i) => i % 2); // half the pairs differ by exactly 1
    expect(pairwiseMedianAbsDifference(x)).toBe(bruteMedian(x));
  });
  it('is 0 for a constant column and for mostly tied values', () => {
    expect(pairwiseMedianAbsDifference(new Float64Array(3001).fill(2))).toBe(0);
    const tied = Array.from({ length: 301 }, (_, i) => (i < 250 ? 1 : i));
    expect(pairwiseMedianAbsDifference(tied)).toBe(bruteMedian(tied));
  });
  it('rejects an empty column', () => expect(() => pairwiseMedianAbsDifference([])).toThrow(DisentangleError));
});

describe('kthPairwiseDifference / countDifferencesAtMost', () => {
  it('works by hand', () => {
    const s = Float64Array.of(0, 1, 3, 7);
    // differences: 1, 3, 7, 2, 6, 4 → sorted 1 2 3 4 6 7
    expect([0, 1, 2, 3, 4, 5].map((r) => kthPairwiseDifference(s, r))).toEqual([1, 2, 3, 4, 6, 7]);
    expect(countDifferencesAtMost(s, 3.5)).toBe(3);
  });
  it('rejects a rank out of range', () => expect(() => kthPairwiseDifference(Float64Array.of(0, 1), 1)).toThrow(DisentangleError));
});

describe('laplaceKernelRowSums', () => {
  it('equals the direct O(n²) sums', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0.01, max: 10, noNaN: true }), (x, c) => {
      const got = laplaceKernelRowSums(Float64Array.from(x), c);
      return x.every((a, i) => Math.abs(got[i] - x.reduce((s, b) => s + Math.exp(-Math.abs(a - b) * c), 0)) < 1e-12 * x.length);
    }), { numRuns: 100 });
  });
  it('with scale ∞ counts equal values', () => {
    expect(Array.from(laplaceKernelRowSums(Float64Array.of(1, 2, 1, 1), Infinity))).toEqual([3, 1, 3, 3]);
  });
});

describe('Gaussian kernel pieces', () => {
  it('median heuristic by hand and its 0.001 floor', () => {
    expect(gaussianMedianBandwidth([0, 1, 3])).toBeCloseTo(Math.SQRT2, 15);
    expect(gaussianMedianBandwidth([5, 5, 5, 6])).toBeCloseTo(Math.SQRT1_2, 15); // squared distances 0,0,0,1,1,1 → index 3
    expect(gaussianMedianBandwidth([5, 5, 5, 5, 6])).toBe(0.001); // 6 zeros of 10 → median 0
    expect(() => gaussianMedianBandwidth([1])).toThrow(DisentangleError);
  });
  it('row sums equal the direct sums', () => {
    const x = Float64Array.from({ length: 40 }, (_, i) => Math.sin(i * 1.7));
    const got = gaussianKernelRowSums(x, 0.8);
    x.forEach((a, i) => expect(got[i]).toBeCloseTo(Array.from(x).reduce((s, b) => s + Math.exp(-(a - b) * (a - b) * 0.8), 0), 12));
  });
  it('the streamed statistic matches a materialized Gaussian computation', () => {
    const z = Array.from({ length: 25 }, (_, i) => [Math.cos(i), Math.sin(2 * i), (i % 5) / 5]);
    const s = [0.7, 0.9, 0.4];
    const n = z.length;
    const K = s.map((sk, k) => z.map((ra) => z.map((rb) => Math.exp(-((ra[k] - rb[k]) ** 2) / (2 * sk * sk)))));
    let t1 = 0;
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) t1 += K.reduce((p, Kk) => p * Kk[a][b], 1);
    const t2 = K.reduce((p, Kk) => p * Kk.flat().reduce((x, y) => x + y, 0) / (n * n), 1);
    let t3 = 0;
    for (let a = 0; a < n; a++) t3 += K.reduce((p, Kk) => p * Kk[a].reduce((x, y) => x + y, 0) / n, 1);
    const expected = t1 / (n * n) + t2 - (2 / n) * t3;
    expect(Math.abs(dhsicVStatistic(mat(z), s, { kernel: 'gaussian' }).value - expected)).toBeLessThan(1e-13);
  });
});

describe('dhsicVStatistic', () => {
  it('matches the materialized n² computation', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }), (n, D, seed) => {
      let s = seed;
      const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
      const z = Array.from({ length: n }, () => Array.from({ length: D }, () => Math.round(rand() * 8) / 4));
      const h = Array.from({ length: D }, (_, k) => pairwiseMedianAbsDifference(z.map((r) => r[k])));
      return Math.abs(dhsicVStatistic(mat(z), h).value - bruteDhsic(z, h)) < 1e-12;
    }), { numRuns: 100 });
  });
  it('is 0 for a single dim (T1 = T2 = −T3/2)', () => {
    const r = dhsicVStatistic(mat([[0], [1], [3]]), [1]);
    expect(Math.abs(r.value)).toBeLessThan(1e-15);
  });
  it('the async variant gives the same terms, reports progress and stops on abort', async () => {
    const z = mat(Array.from({ length: 300 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 7) / 7]));
    const h = [0.5, 0.7, 0.3];
    let done = 0;
    const a = await dhsicVStatisticAsync(z, h, { onProgress: (p) => (done = p.done) });
    expect(a).toEqual(dhsicVStatistic(z, h));
    expect(done).toBe(300);
    const ac = new AbortController();
    ac.abort();
    await expect(dhsicVStatisticAsync(z, h, { signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
  it('rejects bandwidths of the wrong length or sign', () => {
    expect(() => dhsicVStatistic(mat([[0, 1]]), [1])).toThrow(DisentangleError);
    expect(() => dhsicVStatistic(mat([[0, 1]]), [1, -1])).toThrow(DisentangleError);
  });
});
