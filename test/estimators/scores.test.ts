import { describe, expect, it } from 'vitest';
import { accuracyScore, r2Score } from '../../src/estimators/scores.js';
import { DisentangleError } from '../../src/core/errors.js';

describe('accuracyScore', () => {
  it('is the fraction of equal labels', () => {
    expect(accuracyScore(Int32Array.of(0, 1, 1, 2), Int32Array.of(0, 1, 2, 2))).toBe(0.75);
    expect(accuracyScore([3], [3])).toBe(1);
    expect(accuracyScore([1, 2], [2, 1])).toBe(0);
  });
  it('refuses unpaired or empty labels', () => {
    expect(() => accuracyScore([1, 2], [1])).toThrow(DisentangleError);
    expect(() => accuracyScore([], [])).toThrow(DisentangleError);
  });
});

describe('r2Score', () => {
  it('is 1 − SSE/SST about the truth mean (scikit-learn r2_score values)', () => {
    // sklearn.metrics.r2_score([1, 2, 3], [1, 2, 4]) = 0.5; r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) = 0.9486081370449679
    expect(r2Score(Float64Array.of(1, 2, 4), Float64Array.of(1, 2, 3))).toBe(0.5);
    expect(r2Score([2.5, 0.0, 2, 8], [3, -0.5, 2, 7])).toBeCloseTo(0.9486081370449679, 15);
    expect(r2Score([1, 2, 3], [1, 2, 3])).toBe(1);
  });
  it('scores a constant truth 0 and refuses unpaired input', () => {
    expect(r2Score([1, 2], [5, 5])).toBe(0);
    expect(() => r2Score([1], [1, 2])).toThrow(DisentangleError);
  });
});
