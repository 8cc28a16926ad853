import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pearsonCorrelation, rankData, spearmanCorrelation } from '../../src/estimators/rankCorrelation.js';
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
