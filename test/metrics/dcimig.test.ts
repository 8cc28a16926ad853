import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fixtures from '../fixtures/ubisoft-mi-metrics.json' with { type: 'json' };
import { computeDcimig, dcimigFromCodes } from '../../src/metrics/dcimig.js';
import { DisentangleError } from '../../src/core/errors.js';
import { dsprites } from '../../src/data/dsprites.js';
import { imageMomentEncoder } from '../../src/models/analyticEncoders.js';
import { expectError } from '../helpers/errors.js';

interface Case { name: string; codes: number[][]; factors: number[][]; dcimig: number; dcimig_bins5: number }
const cases = (fixtures as unknown as { cases: Case[] }).cases;

describe('dcimigFromCodes against ubisoft dcimig.py (scripts/fixtures/ubisoft_mi_metrics.py)', () => {
  for (const c of cases) {
    it(`reproduces ${c.name} (10 and 5 bins) to 1e-6`, () => {
      const r = dcimigFromCodes({ codes: c.codes, factors: c.factors });
      expect(Math.abs(r.score - c.dcimig)).toBeLessThan(1e-6);
      expect(r.codeGap).toHaveLength(c.codes[0].length);
      const sumH = r.factorEntropy.reduce((a, b) => a + b, 0);
      expect(r.score).toBeCloseTo(r.perFactor.reduce((a, b) => a + b, 0) / sumH, 12);
      const r5 = dcimigFromCodes({ codes: c.codes, factors: c.factors }, undefined, { numBins: 5 });
      expect(Math.abs(r5.score - c.dcimig_bins5)).toBeLessThan(1e-6);
    });
  }
  it('orders perfect > partial > entangled > random', () => {
    const s = Object.fromEntries(cases.map((c) => [c.name, dcimigFromCodes({ codes: c.codes, factors: c.factors }).score]));
    expect(s.perfect).toBeGreaterThan(s.partial);
    expect(s.partial).toBeGreaterThan(s.entangled);
    expect(s.entangled).toBeGreaterThan(s.random);
  });
});

describe('dcimigFromCodes: properties and degenerate inputs', () => {
  it('is invariant to permuting and rescaling the code columns (fast-check)', () => {
    const c = cases[2];
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: 7, maxLength: 7 }), fc.double({ min: 0.5, max: 4, noNaN: true }), (perm, a) => {
        const codes = c.codes.map((row) => perm.map((p) => row[p] * a + 3));
        const base = dcimigFromCodes({ codes: c.codes, factors: c.factors });
        const r = dcimigFromCodes({ codes, factors: c.factors });
        expect(r.score).toBeCloseTo(base.score, 6);
        perm.forEach((p, i) => expect(r.codeGap[i]).toBeCloseTo(base.codeGap[p], 6));
        r.perFactor.forEach((v, j) => expect(v).toBeCloseTo(base.perFactor[j], 6));
      }),
      { numRuns: 15 },
    );
  });
  it('gives a constant code a gap of 0 and leaves the score unchanged', () => {
    const c = cases[0];
    const codes = c.codes.map((row) => [...row, 2]);
    const r = dcimigFromCodes({ codes, factors: c.factors });
    expect(r.codeGap.at(-1)).toBe(0);
    expect(r.score).toBeCloseTo(dcimigFromCodes({ codes: c.codes, factors: c.factors }).score, 12);
    expect(Number.isFinite(r.score)).toBe(true);
  });
  it('rejects a constant factor, a single factor and bad options', () => {
    expectError(() => dcimigFromCodes({ codes: [[0], [1], [2]], factors: [[0, 1], [0, 2], [0, 3]] }), 'BAD_INPUT', /train\.factors/);
    expectError(() => dcimigFromCodes({ codes: [[0, 1], [1, 0]], factors: [[0], [1]] }), 'SHAPE_MISMATCH', /train\.factors/);
    expectError(() => dcimigFromCodes({ codes: [[0], [1]], factors: [[0, 1], [1, 0]] }, { numBin: 10 } as never), 'BAD_OPTION', /numBin/);
    expectError(() => dcimigFromCodes({ codes: [[0], [1]], factors: [[0, 1], [1, 0]] }, { numBins: 0 }), 'BAD_OPTION', /numBins/);
  });
});

describe('computeDcimig', () => {
  it('samples procedural dSprites, encodes with image moments, scores in [0, 1] and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const opts = { dataset: dsprites(), represent: imageMomentEncoder(), numTrain: 300, batchSize: 50, seed: 1 };
    const r = await computeDcimig(opts);
    const again = await computeDcimig(opts);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.score).toBeGreaterThan(0);
    expect(r.score).toBeLessThanOrEqual(1);
    expect(again.score).toBe(r.score);
    await expect(computeDcimig({ ...opts, numBin: 3 } as never)).rejects.toThrow(DisentangleError);
  });
});
