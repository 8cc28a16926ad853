import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { linearSumAssignment } from '../../src/estimators/hungarian.js';
import { DisentangleError } from '../../src/core/errors.js';

const mat = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

/** Exhaustive optimum over all injective maps of the smaller side into the larger (tiny sizes only). */
function bruteForce(rows: number[][], maximize: boolean): number {
  const n = rows.length;
  const m = rows[0].length;
  const small = Math.min(n, m);
  const at = (i: number, j: number) => (n <= m ? rows[i][j] : rows[j][i]);
  const large = Math.max(n, m);
  let best = maximize ? -Infinity : Infinity;
  const used = new Array(large).fill(false);
  const rec = (i: number, acc: number) => {
    if (i === small) {
      best = maximize ? Math.max(best, acc) : Math.min(best, acc);
      return;
    }
    for (let j = 0; j < large; j++) {
      if (used[j]) continue;
      used[j] = true;
      rec(i + 1, acc + at(i, j));
      used[j] = false;
    }
  };
  rec(0, 0);
  return best;
}

describe('linearSumAssignment', () => {
  it('solves the scipy documentation example', () => {
    const r = linearSumAssignment(mat([[4, 1, 3], [2, 0, 5], [3, 2, 2]]));
    expect(Array.from(r.rowIndices)).toEqual([0, 1, 2]);
    expect(Array.from(r.colIndices)).toEqual([1, 0, 2]);
    expect(r.total).toBe(5);
  });
  it('maximizes when asked', () => {
    const r = linearSumAssignment(mat([[4, 1, 3], [2, 0, 5], [3, 2, 2]]), true);
    expect(r.total).toBe(11); // 4 + 5 + 2
  });
  it('handles wide and tall rectangles with one match per row / column', () => {
    const wide = linearSumAssignment(mat([[9, 1, 9, 9], [9, 9, 9, 2]]));
    expect(Array.from(wide.colIndices)).toEqual([1, 3]);
    expect(wide.total).toBe(3);
    const tall = linearSumAssignment(mat([[9, 9], [1, 9], [9, 9], [9, 2]]));
    expect(Array.from(tall.rowIndices)).toEqual([1, 3]);
    expect(Array.from(tall.colIndices)).toEqual([0, 1]);
    expect(tall.total).toBe(3);
  });
  it('matches brute force on random small matrices', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 25, maxLength: 25 }),
        fc.boolean(),
        (n, m, vals, maximize) => {
          const rows = Array.from({ length: n }, (_, i) => vals.slice(i * m, i * m + m));
          const r = linearSumAssignment(mat(rows), maximize);
          expect(r.rowIndices.length).toBe(Math.min(n, m));
          expect(new Set(r.colIndices).size).toBe(Math.min(n, m));
          expect(r.total).toBe(bruteForce(rows, maximize));
        },
      ),
      { numRuns: 200 },
    );
  });
  it('refuses non-finite costs', () => {
    expect(() => linearSumAssignment(mat([[1, NaN]]))).toThrow(DisentangleError);
  });
});
