import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fixture from '../fixtures/icebeem-mcc.json' with { type: 'json' };
import { computeMcc, mccFromCodes } from '../../src/metrics/mcc.js';
import { dsprites } from '../../src/data/dsprites.js';
import { imageMomentEncoder } from '../../src/models/analyticEncoders.js';
import { expectError } from '../helpers/errors.js';

interface MccCase {
  name: string;
  codes: number[][];
  factors: number[][];
  testCodes?: number[][];
  testFactors?: number[][];
  pearson: number;
  spearman: number;
  pearsonMatrix: number[][];
  spearmanMatrix: number[][];
  assignment: { rows: number[]; cols: number[] };
}
const cases = (fixture as { cases: MccCase[] }).cases;

describe('mccFromCodes against ilkhem/icebeem metrics/mcc.py (scripts/fixtures/icebeem_mcc.py)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const train = { codes: c.codes, factors: c.factors };
      const r = c.testCodes ? mccFromCodes(train, { codes: c.testCodes, factors: c.testFactors! }) : mccFromCodes(train);
      expect(Math.abs(r.pearson - c.pearson)).toBeLessThan(1e-9);
      expect(Math.abs(r.spearman - c.spearman)).toBeLessThan(1e-9);
      expect(r.score).toBe(r.pearson);
      // scipy's linear_sum_assignment picks the same pairs (no ties in these matrices)
      expect(r.assignment).toEqual(c.assignment.rows.map((row, t) => [row, c.assignment.cols[t]]));
      expect(r.assignment).toHaveLength(Math.min(c.codes[0].length, c.factors[0].length));
      r.correlation.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - c.pearsonMatrix[i][j])).toBeLessThan(1e-12)));
      r.rankCorrelation.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - c.spearmanMatrix[i][j])).toBeLessThan(1e-12)));
    });
  }
  it('covers D = K, D > K, D < K and an out-of-sample split', () => {
    const shapes = cases.map((c) => Math.sign(c.codes[0].length - c.factors[0].length));
    expect(new Set(shapes)).toEqual(new Set([-1, 0, 1]));
    expect(cases.some((c) => c.testCodes)).toBe(true);
  });
});

/** n rows of K factor indices with the given sizes, from fast-check integers. */
const factorRows = (n: number, K: number) => fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: K, maxLength: K }), { minLength: n, maxLength: n });

describe('mccFromCodes invariants', () => {
  it('perfect codes give 1, and permuting, flipping or scaling the codes leaves MCC unchanged', () => {
    fc.assert(
      fc.property(
        factorRows(30, 3),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.constantFrom([0, 1, 2, 3], [3, 1, 0, 2], [2, 3, 1, 0]),
        fc.array(fc.constantFrom(-3, -1, 0.5, 2), { minLength: 4, maxLength: 4 }),
        (f, noise, perm, scale) => {
          const factors = f.map((row, i) => [...row, i % 2]); // the last factor always varies
          for (let j = 0; j < 3; j++) if (factors.every((row) => row[j] === factors[0][j])) factors[0][j] = factors[0][j] === 0 ? 1 : 0;
          const perfect = mccFromCodes({ codes: factors, factors });
          expect(perfect.score).toBeCloseTo(1, 12);
          expect(perfect.spearman).toBeCloseTo(1, 12);
          const codes = factors.map((row, i) => row.map((v, j) => v + noise[j] * Math.sin(7 * i + j) * 3));
          const base = mccFromCodes({ codes, factors });
          const moved = codes.map((row) => perm.map((k) => row[k] * scale[k]));
          const other = mccFromCodes({ codes: moved, factors });
          expect(other.pearson).toBeCloseTo(base.pearson, 10);
          expect(other.spearman).toBeCloseTo(base.spearman, 10);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a constant code correlates 0 with every factor; a constant factor is BAD_INPUT', () => {
    const factors = [[0, 1], [1, 0], [2, 1], [3, 0]];
    const r = mccFromCodes({ codes: factors.map(([a]) => [a, 5]), factors });
    expect(r.correlation[1]).toEqual([0, 0]);
    expect(r.score).toBeCloseTo(0.5, 12);
    expectError(() => mccFromCodes({ codes: factors, factors: factors.map(([a]) => [a, 4]) }), 'BAD_INPUT', /train\.factors/);
    expectError(() => mccFromCodes({ codes: [[1]], factors: [[0]] }), 'EMPTY', /train/);
  });

  it('checks options and split shapes', () => {
    const train = { codes: [[0], [1], [2]], factors: [[0], [1], [2]] };
    expectError(() => mccFromCodes(train, { method: 'rdc' } as never), 'BAD_OPTION', /method/);
    expectError(() => mccFromCodes(train, train, { foo: 1 } as never), 'BAD_OPTION', /foo/);
    expectError(() => mccFromCodes(train, { codes: [[0, 1], [1, 2]], factors: [[0], [1]] }), 'SHAPE_MISMATCH', /test/);
    expect(mccFromCodes(train, {}).score).toBeCloseTo(1, 12);
  });

  it('breaks ties as scipy does: an all-equal matrix matches the diagonal', () => {
    // every code equals every factor: C is all ones; scipy's linear_sum_assignment(-C) returns (0, 0), (1, 1)
    const rows = [[0, 0, 0], [1, 1, 1], [2, 2, 2], [5, 5, 5]];
    const r = mccFromCodes({ codes: rows.map((x) => x.slice(0, 2)), factors: rows });
    expect(r.assignment).toEqual([[0, 0], [1, 1]]);
    expect(r.score).toBeCloseTo(1, 12);
  });

  it('reads float factor values as they are', () => {
    const factors = [[0.1], [0.7], [0.2], [1.9]];
    expect(mccFromCodes({ codes: factors.map(([v]) => [-2 * v]), factors }).score).toBeCloseTo(1, 12);
  });
});

describe('computeMcc', () => {
  it('runs on procedural dSprites with the image-moment encoder, deterministically and without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const opts = { dataset: dsprites(), represent: imageMomentEncoder(), numTrain: 200, batchSize: 50, seed: 3 };
    const r = await computeMcc(opts);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.assignment).toHaveLength(5);
    // the centroid codes (3, 4) track posX and posY
    expect(r.correlation[3][3]).toBeGreaterThan(0.9);
    expect(r.correlation[4][4]).toBeGreaterThan(0.9);
    expect(r.score).toBeGreaterThan(0.5);
    expect(r.score).toBeLessThanOrEqual(1);
    expect((await computeMcc(opts)).score).toBe(r.score);
  });

  it('refuses unknown options', async () => {
    await expect(computeMcc({ dataset: dsprites(), represent: imageMomentEncoder(), numTrian: 64 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
