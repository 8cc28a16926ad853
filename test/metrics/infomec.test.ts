import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fixtures from '../fixtures/infomec-reference.json' with { type: 'json' };
import { computeInfomec, infomecFromCodes } from '../../src/metrics/infomec.js';
import { fitLogisticRegression } from '../../src/estimators/linear/logisticRegression.js';
import { DisentangleError } from '../../src/core/errors.js';
import { dsprites } from '../../src/data/dsprites.js';
import { imageMomentEncoder } from '../../src/models/analyticEncoders.js';
import { expectError } from '../helpers/errors.js';

interface Logistic { logLoss: number; convergedLogLoss: number; nIter: number; baseline: number; numClasses: number }
interface Case {
  name: string; codes: number[][]; factors: number[][];
  infoM: number | null; infoC: number | null; infoE: number; convergedInfoE: number; infoMWithRule: number; infoCWithRule: number;
  nmi: number[][]; activeCodes: boolean[]; logistic: Logistic[];
}
const cases = (fixtures as unknown as { infomec: Case[] }).infomec;
const byName = (name: string) => cases.find((c) => c.name === name)!;

describe('infomecFromCodes against latent_quantization infomec.py (scripts/fixtures/infomec_reference.py)', () => {
  for (const c of cases) {
    it(`${c.name}: NMI, InfoM, InfoC to 1e-6, active codes exactly, InfoE to 1e-6 of the converged fit`, () => {
      for (const tieNoise of [true, false]) {
        const r = infomecFromCodes({ codes: c.codes, factors: c.factors }, { tieNoise });
        expect(r.activeCodes).toEqual(c.activeCodes);
        const constant = c.codes[0].map((v, i) => c.codes.every((row) => row[i] === v));
        c.nmi.forEach((row, j) =>
          row.forEach((v, i) => (constant[i] ? expect(r.nmi[j][i]).toBe(0) : expect(Math.abs(r.nmi[j][i] - v)).toBeLessThan(1e-6))),
        );
        // Where the reference is finite it equals the documented rule's value; the rule only replaces its NaN.
        if (c.infoM !== null) expect(c.infoMWithRule).toBeCloseTo(c.infoM, 12);
        if (c.infoC !== null) expect(c.infoCWithRule).toBeCloseTo(c.infoC, 12);
        expect(Math.abs(r.infoM - c.infoMWithRule)).toBeLessThan(1e-6);
        expect(Math.abs(r.infoC - c.infoCWithRule)).toBeLessThan(1e-6);
        expect(Math.abs(r.infoE - c.convergedInfoE)).toBeLessThan(1e-6);
        // scikit-learn stops at 100 iterations: within 1e-6 where it converged, 1e-4 where it hit the cap
        const capped = c.logistic.some((l) => l.nIter >= 100);
        expect(Math.abs(r.infoE - c.infoE)).toBeLessThan(capped ? 1e-4 : 1e-6);
        expect(r.score).toBe(r.infoM);
      }
    });
  }
  it("the reference's InfoE baseline (the fit on an all-zero input, balanced weights) is ln(number of classes)", () => {
    for (const c of cases) for (const l of c.logistic) expect(l.baseline).toBeCloseTo(Math.log(l.numClasses), 12);
  });
  it('orders perfect > partial > entangled on InfoM and InfoC', () => {
    const s = Object.fromEntries(cases.map((c) => [c.name, infomecFromCodes({ codes: c.codes, factors: c.factors })]));
    expect(s.perfect.infoM).toBeGreaterThan(s.partial.infoM);
    expect(s.partial.infoM).toBeGreaterThan(s.entangled.infoM);
    expect(s.perfect.infoC).toBeGreaterThan(s.partial.infoC);
    expect(s.partial.infoC).toBeGreaterThan(s.entangled.infoC);
  });
});

describe('infomecFromCodes: properties and degenerate inputs', () => {
  const c = byName('partial');
  const base = infomecFromCodes({ codes: c.codes, factors: c.factors });
  it('permuting the codes permutes the NMI columns and keeps InfoM, InfoC, InfoE (fast-check)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }), (perm) => {
        const r = infomecFromCodes({ codes: c.codes.map((row) => perm.map((p) => row[p])), factors: c.factors }, { tieNoise: false });
        expect(r.infoM).toBeCloseTo(base.infoM, 9);
        expect(r.infoC).toBeCloseTo(base.infoC, 9);
        expect(r.infoE).toBeCloseTo(base.infoE, 5);
        perm.forEach((p, i) => r.nmi.forEach((row, j) => expect(row[i]).toBeCloseTo(base.nmi[j][p], 9)));
      }),
      { numRuns: 8 },
    );
  });
  it('a positive scaling of one code keeps its NMI (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -4, max: 4 }), (i, e) => {
        const a = 2 ** e;
        const r = infomecFromCodes({ codes: c.codes.map((row) => row.map((v, q) => (q === i ? a * v + 1 : v))), factors: c.factors }, { tieNoise: false });
        r.nmi.forEach((row, j) => expect(row[i]).toBeCloseTo(base.nmi[j][i], 9));
      }),
      { numRuns: 8 },
    );
  });
  it('a constant code is inactive with NMI 0; a single factor or active code scores 1; all-constant codes score 0', () => {
    const p = byName('perfect');
    const r = infomecFromCodes({ codes: p.codes.map((row) => [...row, 4]), factors: p.factors });
    expect(r.activeCodes.at(-1)).toBe(false);
    expect(r.nmi.map((row) => row.at(-1))).toEqual([0, 0, 0]);
    expect(r.infoM).toBeCloseTo(infomecFromCodes({ codes: p.codes, factors: p.factors }).infoM, 12);
    const one = infomecFromCodes({ codes: p.codes, factors: p.factors.map((row) => [row[0]]) });
    expect(one.infoM).toBe(1);
    const flat = infomecFromCodes({ codes: p.codes.map(() => [1, 2]), factors: p.factors });
    expect([flat.infoM, flat.infoC]).toEqual([0, 0]);
    expect(Math.abs(flat.infoE)).toBeLessThan(1e-12);
    for (const v of [r.infoM, r.infoC, r.infoE, one.infoC]) expect(Number.isFinite(v)).toBe(true);
  });
  it('rejects a constant factor, fewer than 2 rows and bad options', () => {
    expectError(() => infomecFromCodes({ codes: [[0], [1], [2]], factors: [[0, 1], [0, 2], [0, 3]] }), 'BAD_INPUT', /train\.factors/);
    expectError(() => infomecFromCodes({ codes: [[0]], factors: [[1]] }), 'EMPTY', /train/);
    expectError(() => infomecFromCodes({ codes: [[0], [1]], factors: [[0], [1]] }, { numNeighbours: 3 } as never), 'BAD_OPTION', /numNeighbours/);
    expectError(() => infomecFromCodes({ codes: [[0], [1]], factors: [[0], [1]] }, { numNeighbors: 0 }), 'BAD_OPTION', /numNeighbors/);
    expectError(() => infomecFromCodes({ codes: [[0], [1]], factors: [[0], [1]] }, { tieNoise: 1 as never }), 'BAD_OPTION', /tieNoise/);
  });
});

describe('fitLogisticRegression: the options InfoE needs', () => {
  it("penalty 'none' + classWeight 'balanced' on an all-zero input predicts 1/C (the ln C baseline)", () => {
    const y = Int32Array.from([0, 0, 0, 0, 1, 2, 2, 1, 0, 0]);
    const fit = fitLogisticRegression({ data: new Float64Array(10), rows: 10, cols: 1 }, y, { penalty: 'none', classWeight: 'balanced', multiClass: 'multinomial' });
    for (const p of fit.predictProba({ data: new Float64Array(1), rows: 1, cols: 1 }).data) expect(p).toBeCloseTo(1 / 3, 12);
  });
  it("multiClass 'multinomial' on 2 classes reaches the binary model's probabilities", () => {
    const x = { data: Float64Array.from([0, 1, 2, 3, 4, 5, 1.5, 3.5]), rows: 8, cols: 1 };
    const y = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 0]);
    const a = fitLogisticRegression(x, y).predictProba(x);
    const b = fitLogisticRegression(x, y, { multiClass: 'multinomial', C: 0.5 }).predictProba(x);
    a.data.forEach((v, i) => expect(b.data[i]).toBeCloseTo(v, 6));
    expectError(() => fitLogisticRegression(x, y, { penalty: 'l1' as never }), 'BAD_OPTION', /penalty/);
  });
});

describe('computeInfomec', () => {
  it('samples procedural dSprites, encodes with image moments, is deterministic and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const opts = { dataset: dsprites(), represent: imageMomentEncoder(), numTrain: 300, batchSize: 50, seed: 1 };
    const r = await computeInfomec(opts);
    const again = await computeInfomec(opts);
    expect(tf.memory().numTensors).toBe(before);
    for (const v of [r.infoM, r.infoC]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(r.infoE).toBeGreaterThan(0);
    expect(again).toEqual(r);
    await expect(computeInfomec({ ...opts, seeds: 3 } as never)).rejects.toThrow(DisentangleError);
    const ac = new AbortController();
    ac.abort();
    await expect(computeInfomec({ ...opts, signal: ac.signal })).rejects.toThrow();
  });
});
