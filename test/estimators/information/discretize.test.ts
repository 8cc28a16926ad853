import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { histogramDiscretize, digitize, binEdges } from '../../../src/estimators/information/discretize.js';
import { mutualInfoScore, discreteEntropy, discreteMutualInfoMatrix, discreteMutualInfoSelf } from '../../../src/estimators/information/mutualInformation.js';
import { createRng } from '../../../src/core/rng.js';
import { DisentangleError } from '../../../src/core/errors.js';

const col = (xs: number[]) => ({ data: Float64Array.from(xs), rows: xs.length, cols: 1 });

describe('histogramDiscretize', () => {
  it('puts the minimum in bin 1 and the maximum in bin B', () => {
    const r = histogramDiscretize(col([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 10);
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10]);
  });
  it('sends a constant column to bin 11 of 20', () => {
    const r = histogramDiscretize(col([3.3, 3.3, 3.3]), 20);
    expect(Array.from(r.data)).toEqual([11, 11, 11]);
  });
  it('assigns a value equal to an edge to the bin that starts there (digitize right=False)', () => {
    // edges of [0, 4] with 4 bins: 0, 1, 2, 3 (4 dropped)
    const r = histogramDiscretize(col([0, 1, 2, 3, 4, 0.999]), 4);
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4, 4, 1]);
  });
  it('discretizes each column on its own range', () => {
    const r = histogramDiscretize({ data: Float64Array.from([0, 100, 1, 200, 2, 300]), rows: 3, cols: 2 }, 2);
    expect(Array.from(r.data)).toEqual([1, 1, 2, 2, 2, 2]);
  });
  it('builds edges with numpy linspace arithmetic', () => {
    const e = binEdges(0.1, 0.7, 3);
    const step = (0.7 - 0.1) / 3;
    expect(Array.from(e)).toEqual([0.1, step + 0.1, 2 * step + 0.1]);
    expect(digitize(0.1, e)).toBe(1);
    expect(digitize(0.05, e)).toBe(0);
  });
  it('rejects a bad bin count', () => {
    expect(() => histogramDiscretize(col([1, 2]), 0)).toThrow(DisentangleError);
  });
});

describe('mutualInfoScore', () => {
  it('equals ln 2 for two identical balanced binary labels', () => {
    expect(mutualInfoScore([0, 0, 1, 1], [5, 5, 9, 9])).toBeCloseTo(Math.LN2, 15);
  });
  it('is 0 for independent labels and for a constant label', () => {
    expect(mutualInfoScore([0, 0, 1, 1], [0, 1, 0, 1])).toBe(0);
    expect(mutualInfoScore([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
  });
  it('matches a hand-computed contingency table', () => {
    // table [[2,1],[0,1]], N=4
    const a = [0, 0, 0, 1];
    const b = [0, 0, 1, 1];
    const cells = [
      [2, 3, 2],
      [1, 3, 2],
      [1, 1, 2],
    ];
    const expected = cells.reduce((s, [c, na, nb]) => s + (c / 4) * Math.log((4 * c) / (na * nb)), 0);
    expect(mutualInfoScore(a, b)).toBeCloseTo(expected, 14);
  });
  it('gives the entropy as I(y; y)', () => {
    expect(discreteEntropy([0, 1, 2, 3])).toBeCloseTo(Math.log(4), 14);
    expect(discreteEntropy([0, 0, 0, 1])).toBeCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 14);
  });
  it('builds a D×K matrix', () => {
    const codes = { data: Int32Array.from([1, 1, 1, 2, 2, 1, 2, 2]), rows: 4, cols: 2 };
    const factors = { data: Int32Array.from([0, 0, 1, 1]), rows: 4, cols: 1 };
    const m = discreteMutualInfoMatrix(codes, factors);
    expect(m[0]).toBeCloseTo(Math.LN2, 14);
    expect(m[1]).toBe(0);
  });
});

describe('discreteMutualInfoSelf (the unsupervised score\'s code-versus-code matrix)', () => {
  it('equals discreteMutualInfoMatrix(codes, codes) bit for bit, in half the contingency counting (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 25 }), (seed, n, D, bins) => {
      const rng = createRng(seed);
      // column 1 is constant when D > 1 and the seed is even: a single class gives 0 both ways
      const data = Float64Array.from({ length: n * D }, (_, i) => (seed % 2 === 0 && i % D === 1 ? 0.5 : rng.normal() * (1 + (i % D))));
      const codes = histogramDiscretize({ data, rows: n, cols: D }, bins);
      const full = discreteMutualInfoMatrix(codes, codes);
      const self = discreteMutualInfoSelf(codes);
      return full.every((v, i) => Object.is(v, self[i]));
    }), { numRuns: 100 });
  });
});
