import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { meanVarianceColumns, mergeMoments, momentsVariance, RunningCovariance, type RunningMoments } from '../../src/core/stats.js';
import { matrix, sliceRows } from '../../src/core/matrix.js';

/** numpy's two-pass mean and covariance with ddof 1, written out. */
function twoPassCovariance(rows: number[][]): { mean: number[]; cov: number[] } {
  const n = rows.length;
  const d = rows[0].length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const cov: number[] = [];
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov.push(rows.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) / (n - 1));
  return { mean, cov };
}

const blocks = fc
  .integer({ min: 1, max: 4 })
  .chain((d) => fc.array(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: d, maxLength: d }), { minLength: 2, maxLength: 30 }));

describe('running moments (Chan et al. pairwise merge)', () => {
  it('merging batch summaries gives the variance of all rows, for any split', () => {
    fc.assert(
      fc.property(blocks, fc.integer({ min: 1, max: 7 }), (rows, batch) => {
        const m = matrix(rows.length, rows[0].length, Float64Array.from(rows.flat()));
        let acc: RunningMoments | undefined;
        for (let s = 0; s < m.rows; s += batch) {
          const part = sliceRows(m, s, Math.min(batch, m.rows - s));
          const { mean, variance } = meanVarianceColumns(part, 0);
          acc = mergeMoments(acc, part.rows, mean, variance);
        }
        const whole = meanVarianceColumns(m, 1);
        const merged = momentsVariance(acc!, 1);
        expect(acc!.n).toBe(rows.length);
        for (let j = 0; j < m.cols; j++) {
          expect(acc!.mean[j]).toBeCloseTo(whole.mean[j], 8);
          expect(merged[j]).toBeCloseTo(whole.variance[j], 6);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('follows the published update exactly on a small case', () => {
    // Batches [1, 3] and [10]: n = 3, mean 14/3, M2 = 2 + 0 + (10 − 2)²·2·1/3.
    let acc = mergeMoments(undefined, 2, [2], [1]);
    acc = mergeMoments(acc, 1, [10], [0]);
    expect(acc.n).toBe(3);
    expect(acc.mean[0]).toBeCloseTo(14 / 3, 14);
    expect(acc.m2[0]).toBeCloseTo(2 + (64 * 2) / 3, 12);
    expect(momentsVariance(acc, 0)[0]).toBeCloseTo((2 + (64 * 2) / 3) / 3, 12);
  });

  it('RunningCovariance streamed in batches equals the two-pass covariance (ddof 1)', () => {
    fc.assert(
      fc.property(blocks, fc.integer({ min: 1, max: 9 }), (rows, batch) => {
        const d = rows[0].length;
        const acc = new RunningCovariance(d);
        for (let s = 0; s < rows.length; s += batch) {
          const part = rows.slice(s, s + batch);
          acc.add(Float64Array.from(part.flat()), part.length);
        }
        acc.add(new Float64Array(0), 0); // an empty batch changes nothing
        const want = twoPassCovariance(rows);
        const got = acc.result();
        expect(acc.count).toBe(rows.length);
        got.mean.forEach((v, j) => expect(v).toBeCloseTo(want.mean[j], 8));
        got.covariance.forEach((v, i) => expect(v).toBeCloseTo(want.cov[i], 5));
      }),
      { numRuns: 60 },
    );
    const acc = new RunningCovariance(2);
    acc.add(Float64Array.of(1, 2, 3, 5), 2);
    expect(Array.from(acc.result().covariance)).toEqual([2, 3, 3, 4.5]);
    expect(Array.from(acc.result(0).covariance)).toEqual([1, 1.5, 1.5, 2.25]);
  });
});
