import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { topTwo, topTwoGap } from '../../src/estimators/topTwoGap.js';

describe('topTwo', () => {
  // 3×4 row-major block
  const block = Float64Array.of(0.1, 0.7, 0.7, 0.2, 0.5, 0.3, 0.9, 0.0, 0.4, 0.8, 0.6, 0.8);

  it('scans a row (stride 1) or a column (stride = width), naming the first or last of tied maxima', () => {
    expect(topTwo(block, 0, 4, 1)).toEqual({ first: 0.7, second: 0.7, index: 1 });
    expect(topTwo(block, 0, 4, 1, 'last')).toEqual({ first: 0.7, second: 0.7, index: 2 });
    expect(topTwo(block, 4, 4, 1)).toEqual({ first: 0.9, second: 0.5, index: 2 });
    expect(topTwo(block, 1, 3, 4)).toEqual({ first: 0.8, second: 0.7, index: 2 });
    expect(topTwo(block, 3, 3, 4, 'last')).toEqual({ first: 0.8, second: 0.2, index: 2 });
    expect(topTwoGap(block, 3, 4, 2)).toBeCloseTo(0.2, 15);
  });

  it('agrees with sorting, whatever the stride', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }).map((v) => v + 0), { minLength: 2, maxLength: 30 }), fc.integer({ min: 1, max: 3 }), (values, stride) => {
        const count = Math.floor((values.length - 1) / stride) + 1;
        const run = Array.from({ length: count }, (_, t) => values[t * stride]);
        const sorted = [...run].sort((a, b) => b - a);
        const r = topTwo(values, 0, count, stride);
        const last = topTwo(values, 0, count, stride, 'last');
        if (count < 2) return;
        expect([r.first, r.second]).toEqual([sorted[0], sorted[1]]);
        expect([last.first, last.second]).toEqual([sorted[0], sorted[1]]);
        expect(r.index).toBe(run.indexOf(sorted[0]));
        expect(last.index).toBe(run.lastIndexOf(sorted[0]));
      }),
    );
  });
});
