import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { constantColumns, flatIndex, intMatrix, matrix, selectColumns, subMatrix, unflatIndex, varyingColumns } from '../../src/core/matrix.js';

describe('matrix helpers', () => {
  it('selectColumns picks columns (and rows) in the order given; subMatrix is the principal submatrix', () => {
    const m = matrix(3, 3, Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
    expect(selectColumns(m, [2, 0])).toEqual({ data: Float64Array.of(3, 1, 6, 4, 9, 7), rows: 3, cols: 2 });
    expect(selectColumns(m, [1], [2, 0])).toEqual({ data: Float64Array.of(8, 2), rows: 2, cols: 1 });
    expect(subMatrix(m, [0, 2])).toEqual({ data: Float64Array.of(1, 3, 7, 9), rows: 2, cols: 2 });
    expect(selectColumns(m, [])).toEqual({ data: new Float64Array(0), rows: 3, cols: 0 });
  });

  it('varyingColumns and constantColumns split the columns', () => {
    const m = matrix(3, 4, Float64Array.of(1, 5, 0, 2, 1, 6, 0, 2, 1, 5, 0, 3));
    expect(varyingColumns(m)).toEqual([1, 3]);
    expect(constantColumns(m)).toEqual([0, 2]);
    expect(constantColumns(intMatrix(1, 2, Int32Array.of(4, 5)))).toEqual([0, 1]); // one row: nothing varies
  });

  it('flatIndex is numpy ravel_multi_index (C-order) and unflatIndex its inverse', () => {
    expect(flatIndex([3, 4], Int32Array.of(2, 1))).toBe(9);
    expect(flatIndex([3, 6, 40, 32, 32], Int32Array.of(9, 1, 5, 0, 31, 0), 1)).toBe(245760 + 5 * 40960 + 31 * 32);
    expect(Array.from(unflatIndex([3, 4], 9, new Int32Array(2)))).toEqual([2, 1]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }), fc.nat(), (sizes, seed) => {
        const total = sizes.reduce((a, b) => a * b, 1);
        const index = seed % total;
        const tuple = unflatIndex(sizes, index, new Int32Array(sizes.length + 2), 2);
        expect(flatIndex(sizes, tuple, 2)).toBe(index);
        tuple.subarray(2).forEach((v, k) => expect(v).toBeLessThan(sizes[k]));
      }),
    );
  });
});
