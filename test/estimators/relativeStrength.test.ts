import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { relativeStrength } from '../../src/estimators/relativeStrength.js';
import type { Matrix } from '../../src/core/matrix.js';

const m = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0]?.length ?? 0 });

describe('relativeStrength (disentanglement_lib unit vectors)', () => {
  it('is 1 for the identity', () => {
    expect(relativeStrength(m([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))).toBe(1);
  });
  it('is 2/3 for two dims sharing a block', () => {
    // columns: (1/2, 1/2, 1) → 2/3; rows the same → 2/3.
    expect(relativeStrength(m([[1, 1, 0], [1, 1, 0], [0, 0, 1]]))).toBeCloseTo(2 / 3, 15);
  });
  it('is 1/3 for a matrix of ones', () => {
    expect(relativeStrength(m([[1, 1, 1], [1, 1, 1], [1, 1, 1]]))).toBeCloseTo(1 / 3, 15);
  });
  it('is 0 for zeros (0/0 counts as 0)', () => {
    expect(relativeStrength(m([[0, 0, 0], [0, 0, 0], [0, 0, 0]]))).toBe(0);
  });
  it('is NaN for an empty matrix', () => {
    expect(relativeStrength({ data: new Float64Array(0), rows: 0, cols: 3 })).toBeNaN();
  });
  it('scores a line holding a NaN as 0 (numpy max and sum propagate NaN, nan_to_num maps it to 0)', () => {
    // column 0 and row 0 are NaN → 0; column 1 = 1, row 1 = 1 → (1/2 + 1/2) / 2.
    expect(relativeStrength(m([[NaN, 0], [0, 1]]))).toBeCloseTo(0.5, 15);
  });
  it('handles a rectangular matrix line by line', () => {
    // 1×2 [[3, 1]]: columns (9/3, 1/1) mean 2; row 9/4 → (2 + 2.25) / 2.
    expect(relativeStrength(m([[3, 1]]))).toBeCloseTo(2.125, 15);
  });
  it('is invariant to line permutations, scales linearly, and stays within (0, max entry] for entries in (0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 25, maxLength: 25 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (n, vals, c) => {
          const rows = Array.from({ length: n }, (_, i) => vals.slice(i * n, (i + 1) * n));
          const s = relativeStrength(m(rows));
          expect(relativeStrength(m([...rows].reverse().map((r) => [...r].reverse())))).toBeCloseTo(s, 10);
          // (max)² / Σ is homogeneous of degree 1.
          expect(relativeStrength(m(rows.map((r) => r.map((v) => v * c))))).toBeCloseTo(c * s, 10);
          const top = Math.max(...rows.flat());
          expect(s).toBeLessThanOrEqual(1 + 1e-12);
          expect(s).toBeGreaterThanOrEqual(0.01 / n - 1e-12);
          expect(s).toBeLessThanOrEqual(top + 1e-12);
        },
      ),
      { numRuns: 100 },
    );
  });
});
