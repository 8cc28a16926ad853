import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { centredSums, pearsonCorrelation, rankData, spearmanCorrelation } from '../../src/estimators/rankCorrelation.js';
import { DisentangleError } from '../../src/core/errors.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/linear.json', import.meta.url), 'utf8'));

describe('rank correlation', () => {
  it('rankData averages ties, 1-based', () => {
    expect(Array.from(rankData([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(Array.from(rankData(fixtures.spearman.a))).toEqual(fixtures.spearman.rankA);
  });
  it('matches scipy spearmanr and pearsonr', () => {
    const { a, b, spearman, pearson } = fixtures.spearman;
    expect(spearmanCorrelation(a, b)).toBeCloseTo(spearman, 12);
    expect(pearsonCorrelation(a, b)).toBeCloseTo(pearson, 12);
  });
  it('a monotone map has Spearman 1 and a constant input gives NaN', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 30 }), (a) => {
        expect(spearmanCorrelation(a, a.map((v) => v ** 3 + 1))).toBeCloseTo(1, 12);
        expect(spearmanCorrelation(a, a.map((v) => -v))).toBeCloseTo(-1, 12);
      }),
    );
    expect(Number.isNaN(spearmanCorrelation([1, 2, 3], [4, 4, 4]))).toBe(true);
    expect(Number.isNaN(pearsonCorrelation([1, 1, 1], [4, 5, 4]))).toBe(true);
  });
  it('rejects mismatched lengths and NaN', () => {
    expect(() => spearmanCorrelation([1, 2], [1])).toThrow(DisentangleError);
    expect(() => pearsonCorrelation([1, NaN], [1, 2])).toThrow(DisentangleError);
  });
});

describe('centredSums', () => {
  it('gives Σ(a−ā)(b−b̄), Σ(a−ā)², Σ(b−b̄)²', () => {
    // means 2 and 13/3: deviations (−1, 0, 1) and (−7/3, −1/3, 8/3)
    const { sab, saa, sbb } = centredSums([1, 2, 3], [2, 4, 7]);
    expect(sab).toBeCloseTo(5, 14);
    expect(saa).toBe(2);
    expect(sbb).toBeCloseTo(38 / 3, 13);
  });
  it('is the sums Pearson’s r is made of (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true })), { minLength: 2, maxLength: 30 }), (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const { sab, saa, sbb } = centredSums(a, b);
        const r = pearsonCorrelation(a, b);
        if (saa === 0 || sbb === 0) expect(r).toBeNaN();
        else expect(r).toBe(Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb))));
      }),
    );
  });
});
