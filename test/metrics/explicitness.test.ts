import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { collapsedRepresentation, factorVectorDataset, identityRepresentation, rotatedRepresentation } from '../helpers/representations.js';
import fc from 'fast-check';
import { computeExplicitness, explicitnessFromCodes } from '../../src/metrics/explicitness.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import type { FactorBatch } from '../../src/core/types.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/explicitness.json', import.meta.url), 'utf8'));

function mixed(seed: number, n: number, d: number, sizes: number[], noise: number) {
  const rng = createRng(seed);
  const mix = sizes.map(() => Array.from({ length: d }, () => rng.normal()));
  const factors = Array.from({ length: n }, (_, i) => sizes.map((s) => (i < s ? i : rng.int(s))));
  const codes = factors.map((f) => Array.from({ length: d }, (_, c) => f.reduce((acc, v, j) => acc + (v / sizes[j]) * mix[j][c], 0) + noise * rng.normal()));
  return { codes, factors };
}

describe('explicitnessFromCodes against the disentanglement_lib computation (scikit-learn, converged)', () => {
  fixtures.cases.forEach((c: Record<string, never>, idx: number) => {
    it(`case ${idx}`, () => {
      const r = explicitnessFromCodes(c.train, c.test);
      (c.perFactorTrain as number[]).forEach((v, j) => expect(r.perFactorTrain[j]).toBeCloseTo(v, 6));
      (c.perFactorTest as number[]).forEach((v, j) => expect(r.perFactorTest[j]).toBeCloseTo(v, 6));
      expect(r.scoreTrain).toBeCloseTo(c.scoreTrain, 6);
      expect(r.scoreTest).toBeCloseTo(c.scoreTest, 6);
      expect(r.score).toBe(r.scoreTest);
      // scikit-learn at its default max_iter = 100 lands on the same AUCs here (rankings rarely move).
      const dflt = (c as unknown as { sklearnDefaultMaxIter: { perFactorTest: number[] } }).sklearnDefaultMaxIter;
      dflt.perFactorTest.forEach((v, j) => expect(Math.abs(r.perFactorTest[j] - v)).toBeLessThan(1e-3));
    });
  });
});

describe('explicitnessFromCodes behaviour', () => {
  it('an identity representation scores near 1, pure noise near 0.5', () => {
    const rng = createRng(9);
    const factors = Array.from({ length: 400 }, () => [rng.int(4), rng.int(3)]);
    const id = explicitnessFromCodes({ codes: factors.map((f) => [f[0], f[1]]), factors }, { codes: factors.map((f) => [f[0], f[1]]), factors });
    expect(id.scoreTest).toBeGreaterThan(0.9);
    const noise = { codes: factors.map(() => [rng.normal(), rng.normal()]), factors };
    const noiseTest = { codes: factors.map(() => [rng.normal(), rng.normal()]), factors };
    expect(Math.abs(explicitnessFromCodes(noise, noiseTest).scoreTest - 0.5)).toBeLessThan(0.1);
  });
  it('a constant code is legitimate: all-constant codes score exactly 0.5, an extra constant code changes nothing', () => {
    const t = mixed(1, 200, 2, [3, 4], 0.3);
    const withConst = (s: typeof t) => ({ codes: s.codes.map((r) => [...r, 7]), factors: s.factors });
    const test = mixed(2, 100, 2, [3, 4], 0.3);
    const a = explicitnessFromCodes(t, test);
    const b = explicitnessFromCodes(withConst(t), withConst(test));
    expect(b.scoreTest).toBeCloseTo(a.scoreTest, 6);
    const flat = { codes: t.codes.map(() => [1, 1]), factors: t.factors };
    expect(explicitnessFromCodes(flat, flat).scoreTest).toBe(0.5);
  });
  it('fixes the class list from training: a class missing from the test split is skipped, not misaligned', () => {
    const t = mixed(3, 300, 3, [4], 0.2);
    const test = { codes: t.codes.filter((_, i) => t.factors[i][0] !== 2), factors: t.factors.filter((f) => f[0] !== 2) };
    const r = explicitnessFromCodes(t, test);
    expect(r.perFactorTest[0]).toBeGreaterThan(0.5);
    expect(r.perFactorTest[0]).toBeLessThanOrEqual(1);
  });
  it('lies in [0, 1] and is invariant to permuting the code dims', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100000 }), fc.integer({ min: 2, max: 4 }), (seed, d) => {
        const train = mixed(seed, 120, d, [3, 2], 0.5);
        const test = mixed(seed + 7, 60, d, [3, 2], 0.5);
        const perm = Array.from({ length: d }, (_, i) => d - 1 - i);
        const p = (s: typeof train) => ({ codes: s.codes.map((r) => perm.map((k) => r[k])), factors: s.factors });
        const a = explicitnessFromCodes(train, test);
        const b = explicitnessFromCodes(p(train), p(test));
        for (const v of [a.scoreTrain, a.scoreTest]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(b.scoreTest).toBeCloseTo(a.scoreTest, 6);
        expect(b.scoreTrain).toBeCloseTo(a.scoreTrain, 6);
      }),
      { numRuns: 12 },
    );
  });
  it('infogan-cr preset: raw codes, training AUC, no test split needed', () => {
    const t = mixed(4, 200, 2, [3, 4], 0.3);
    const r = explicitnessFromCodes(t, undefined, { preset: 'infogan-cr' });
    expect(r.score).toBe(r.scoreTrain);
    expect(Number.isNaN(r.scoreTest)).toBe(true);
    expect(r.scoreTrain).toBeGreaterThan(0.5);
  });
  it('rejects a missing test split, a single-valued factor, width mismatch and NaN', () => {
    const t = mixed(5, 50, 2, [3], 0.3);
    expect(() => explicitnessFromCodes(t)).toThrow(DisentangleError);
    expect(() => explicitnessFromCodes({ codes: t.codes, factors: t.factors.map(() => [1]) }, t)).toThrow(DisentangleError);
    expect(() => explicitnessFromCodes(t, { codes: t.codes.map((r) => [r[0]]), factors: t.factors })).toThrow(DisentangleError);
    expect(() => explicitnessFromCodes({ codes: t.codes.map((r, i) => (i ? r : [NaN, 0])), factors: t.factors }, t)).toThrow(DisentangleError);
  });
});

describe('computeExplicitness', () => {
  it('samples through the dataset, is deterministic in the seed', async () => {
    const dataset = {
      factorSizes: [3, 4],
      observationsFromFactors: (f: FactorBatch) => ({ data: Float64Array.from(f.data), shape: [f.shape[0], 2] as const }),
    };
    const represent = (x: { data: Float64Array; shape: readonly number[] }) => x;
    const a = await computeExplicitness({ dataset, represent, numTrain: 200, numTest: 100, seed: 1 });
    const b = await computeExplicitness({ dataset, represent, numTrain: 200, numTest: 100, seed: 1 });
    expect(a.scoreTest).toBe(b.scoreTest);
    expect(a.scoreTest).toBeGreaterThan(0.8);
  });
});

describe('computeExplicitness with the shared reference representations', () => {
  const dataset = factorVectorDataset([4, 5, 6]);
  it('scores identity and rotated codes near 1, collapsed codes lower', async () => {
    const opts = { dataset, numTrain: 400, numTest: 200, seed: 2, ...{} };
    const identity = await computeExplicitness({ ...opts, represent: identityRepresentation() });
    const rotated = await computeExplicitness({ ...opts, represent: rotatedRepresentation(3, 5) });
    const collapsed = await computeExplicitness({ ...opts, represent: collapsedRepresentation(3) });
    // A rotation is linear, so the logistic regression sees through it: explicitness does not punish mixing.
    expect(identity.scoreTest).toBeGreaterThan(0.95);
    expect(rotated.scoreTest).toBeGreaterThan(0.95);
    expect(collapsed.scoreTest).toBeLessThan(rotated.scoreTest - 0.1);
  });
  it('leaves no tensors behind with tfjs datasets and representations', async () => {
    const before = tf.memory().numTensors;
    const r = await computeExplicitness({ dataset: factorVectorDataset([4, 5, 6], { asTensor: true }), represent: identityRepresentation(), numTrain: 96, numTest: 64, batchSize: 32 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.scoreTest).toBeGreaterThan(0.5);
  });
  it('reports progress and honours an aborted signal', async () => {
    let last = 0;
    await computeExplicitness({ dataset, represent: identityRepresentation(), numTrain: 64, numTest: 32, onProgress: (p) => (last = p.done) });
    expect(last).toBe(96);
    const ac = new AbortController();
    ac.abort();
    await expect(computeExplicitness({ dataset, represent: identityRepresentation(), numTrain: 64, numTest: 32, signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('explicitnessFromCodes call forms and option names', () => {
  it('takes the options second when there is no test split', () => {
    const t = mixed(4, 120, 2, [3, 4], 0.3);
    const r = explicitnessFromCodes(t, { preset: 'infogan-cr' });
    expect(r).toEqual(explicitnessFromCodes(t, undefined, { preset: 'infogan-cr' }));
    expect(r.score).toBe(r.scoreTrain);
  });
  it('refuses a misspelt option with the closest valid name, in both entries', async () => {
    const t = mixed(5, 60, 2, [3], 0.3);
    expect(() => explicitnessFromCodes(t, { preseet: 'infogan-cr' } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'preseet', message: expect.stringMatching(/did you mean preset\?/) }));
    expect(() => explicitnessFromCodes(t, t, { tolerance: 1e-6 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'tolerance' }));
    await expect(
      computeExplicitness({ dataset: factorVectorDataset([3, 4]), represent: identityRepresentation(), numTrain: 40, numTest: 20, tol: 1e-6, c: 2 } as never),
    ).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'c', message: expect.stringMatching(/did you mean C\?/) });
  });
});
