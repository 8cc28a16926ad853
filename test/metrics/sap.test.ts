import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { collapsedRepresentation, factorVectorDataset, identityRepresentation, rotatedRepresentation } from '../helpers/representations.js';
import fc from 'fast-check';
import { computeSap, sapFromCodes } from '../../src/metrics/sap.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import type { FactorBatch } from '../../src/core/types.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/sap.json', import.meta.url), 'utf8'));

/** Identity-like data: K factors with `size` values each, codes = factor values (+ optional extra columns). */
function identityData(n: number, k: number, size: number, seed: number, extra: (row: number[]) => number[] = (r) => r) {
  const rng = createRng(seed);
  const factors: number[][] = [];
  const codes: number[][] = [];
  for (let i = 0; i < n; i++) {
    const f = Array.from({ length: k }, () => rng.int(size));
    factors.push(f);
    codes.push(extra(f.map((v) => v + 0.01 * rng.normal())));
  }
  return { codes, factors };
}

describe('sapFromCodes against the disentanglement_lib computation (scikit-learn LinearSVC)', () => {
  fixtures.cases.forEach((c: { train: never; test: never; continuous: boolean[]; scoreMatrix: number[][]; score: number }, idx: number) => {
    it(`case ${idx} (${c.continuous.map((v) => (v ? 'cont' : 'disc')).join(', ')})`, () => {
      const r = sapFromCodes(c.train, c.test, { continuousFactors: c.continuous });
      c.scoreMatrix.forEach((row, i) =>
        row.forEach((v, j) => {
          // liblinear stops at tol 1e-4 and we solve exactly, yet no test point lies that close to a boundary here.
          expect(Math.abs(r.scoreMatrix[i][j] - v)).toBeLessThanOrEqual(1e-12);
        }),
      );
      expect(Math.abs(r.score - c.score)).toBeLessThanOrEqual(1e-12);
    });
  });
});

describe('sapFromCodes bounds from the reference tests', () => {
  it('identity representation: continuous SAP ≥ 0.9', () => {
    const { codes, factors } = identityData(1000, 5, 10, 1);
    expect(sapFromCodes({ codes, factors }, undefined, { continuousFactors: true }).score).toBeGreaterThanOrEqual(0.9);
  });
  it('duplicated code [x, x]: SAP ≤ 0.2 (gap 0)', () => {
    const train = identityData(400, 1, 10, 2, (r) => [r[0], r[0]]);
    const test = identityData(200, 1, 10, 3, (r) => [r[0], r[0]]);
    expect(sapFromCodes(train, test).score).toBeLessThanOrEqual(0.2);
    expect(sapFromCodes(train, test, { continuousFactors: true }).score).toBeLessThanOrEqual(0.2);
  });
  it('zero representation: SAP = 0', () => {
    const t = identityData(300, 2, 4, 4, () => [0, 0, 0]);
    expect(sapFromCodes(t, t).score).toBe(0);
    expect(sapFromCodes(t, t, { continuousFactors: true }).score).toBe(0);
    expect(sapFromCodes(t, t, { preset: 'infogan-cr', continuousFactors: [false, true] }).score).toBe(0);
  });
});

describe('sapFromCodes properties', () => {
  const arbData = fc.record({ seed: fc.integer({ min: 0, max: 100000 }), d: fc.integer({ min: 2, max: 4 }), k: fc.integer({ min: 1, max: 3 }) });
  const make = (seed: number, d: number, k: number, n: number) => {
    const rng = createRng(seed);
    const factors = Array.from({ length: n }, (_, i) => Array.from({ length: k }, (_, j) => (i < 2 ? i : rng.int(3 + j))));
    const mix = Array.from({ length: k }, () => Array.from({ length: d }, () => rng.normal()));
    const codes = factors.map((f) => Array.from({ length: d }, (_, c) => f.reduce((s, v, j) => s + v * mix[j][c], 0) + rng.normal()));
    return { codes, factors };
  };
  it('lies in [0, 1] and is invariant to permuting the code dims', () => {
    fc.assert(
      fc.property(arbData, fc.boolean(), ({ seed, d, k }, cont) => {
        const train = make(seed, d, k, 120);
        const test = make(seed + 1, d, k, 60);
        const perm = Array.from({ length: d }, (_, i) => (i + 1) % d);
        const permute = (s: typeof train) => ({ codes: s.codes.map((r) => perm.map((p) => r[p])), factors: s.factors });
        const a = sapFromCodes(train, test, { continuousFactors: cont });
        const b = sapFromCodes(permute(train), permute(test), { continuousFactors: cont });
        expect(a.score).toBeGreaterThanOrEqual(0);
        expect(a.score).toBeLessThanOrEqual(1);
        expect(b.score).toBeCloseTo(a.score, 10);
      }),
      { numRuns: 20 },
    );
  });
  it('continuous SAP is invariant to positive rescaling and shifting of a code', () => {
    fc.assert(
      fc.property(arbData, fc.double({ min: 0.01, max: 100, noNaN: true }), ({ seed, d, k }, scale) => {
        const train = make(seed, d, k, 100);
        const scaled = { codes: train.codes.map((r) => r.map((v, c) => (c === 0 ? v * scale + 3 : v))), factors: train.factors };
        expect(sapFromCodes(scaled, undefined, { continuousFactors: true }).score).toBeCloseTo(
          sapFromCodes(train, undefined, { continuousFactors: true }).score,
          9,
        );
      }),
      { numRuns: 20 },
    );
  });
});

describe('sapFromCodes presets and input checks', () => {
  it('infogan-cr preset scores the SVM on the training data and defaults to the dSprites flags', () => {
    const t = identityData(300, 5, 3, 5);
    const r = sapFromCodes(t, undefined, { preset: 'infogan-cr' });
    expect(r.continuousFactors).toEqual([false, true, true, true, true]);
    expect(r.score).toBeGreaterThan(0.5);
  });
  it('rejects D < 2, a missing test split, a single-valued factor, bad flags and NaN', () => {
    const t = identityData(50, 2, 3, 6);
    expect(() => sapFromCodes({ codes: t.codes.map((r) => [r[0]]), factors: t.factors }, t)).toThrow(DisentangleError);
    expect(() => sapFromCodes(t)).toThrow(DisentangleError);
    expect(() => sapFromCodes({ codes: t.codes, factors: t.factors.map((r) => [r[0], 1]) }, t)).toThrow(DisentangleError);
    expect(() => sapFromCodes(t, t, { continuousFactors: [true] })).toThrow(DisentangleError);
    expect(() => sapFromCodes(t, undefined, { preset: 'infogan-cr' })).toThrow(DisentangleError);
    const bad = { codes: t.codes.map((r, i) => (i === 3 ? [NaN, r[1]] : r)), factors: t.factors };
    expect(() => sapFromCodes(bad, t)).toThrow(DisentangleError);
    expect(() => sapFromCodes(t, { codes: t.codes.map((r) => [r[0]]), factors: t.factors })).toThrow(DisentangleError);
  });
});

describe('computeSap', () => {
  it('samples train/test through the dataset and scores an identity encoder highly', async () => {
    const dataset = {
      factorSizes: [4, 5],
      observationsFromFactors: (f: FactorBatch) => ({ data: Float64Array.from(f.data), shape: [f.shape[0], 2] as const }),
    };
    const represent = (x: { data: Float64Array; shape: readonly number[] }) => x;
    const r = await computeSap({ dataset, represent, numTrain: 300, numTest: 150, seed: 3 });
    expect(r.scoreMatrix.length).toBe(2);
    expect(r.score).toBeGreaterThan(0.3);
    const again = await computeSap({ dataset, represent, numTrain: 300, numTest: 150, seed: 3 });
    expect(again.score).toBe(r.score);
  });
});

describe('computeSap with the shared reference representations', () => {
  const dataset = factorVectorDataset([4, 5, 6]);
  it('ranks identity above rotated above collapsed', async () => {
    const opts = { dataset, numTrain: 400, numTest: 200, seed: 2, ...{ continuousFactors: true } };
    const identity = await computeSap({ ...opts, represent: identityRepresentation() });
    const rotated = await computeSap({ ...opts, represent: rotatedRepresentation(3, 5) });
    const collapsed = await computeSap({ ...opts, represent: collapsedRepresentation(3) });
    expect(identity.score).toBeGreaterThan(rotated.score);
    expect(rotated.score).toBeGreaterThan(collapsed.score);
  });
  it('leaves no tensors behind with tfjs datasets and representations', async () => {
    const before = tf.memory().numTensors;
    const r = await computeSap({ dataset: factorVectorDataset([4, 5, 6], { asTensor: true }), represent: identityRepresentation(), numTrain: 96, numTest: 64, batchSize: 32, continuousFactors: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.score).toBeGreaterThan(0.9);
  });
  it('reports progress and honours an aborted signal', async () => {
    let last = 0;
    await computeSap({ dataset, represent: identityRepresentation(), numTrain: 64, numTest: 32, onProgress: (p) => (last = p.done) });
    expect(last).toBe(96);
    const ac = new AbortController();
    ac.abort();
    await expect(computeSap({ dataset, represent: identityRepresentation(), numTrain: 64, numTest: 32, signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('sapFromCodes call forms and option names', () => {
  it('takes the options second when there is no test split', () => {
    const t = identityData(300, 5, 3, 5);
    expect(sapFromCodes(t, { preset: 'infogan-cr' })).toEqual(sapFromCodes(t, undefined, { preset: 'infogan-cr' }));
    const cont = identityData(200, 2, 4, 7);
    expect(sapFromCodes(cont, { continuousFactors: true })).toEqual(sapFromCodes(cont, undefined, { continuousFactors: true }));
  });
  it('refuses a misspelt option with the closest valid name, in both entries', async () => {
    const t = identityData(50, 2, 3, 6);
    expect(() => sapFromCodes(t, { prest: 'infogan-cr' } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'prest', message: expect.stringMatching(/did you mean preset\?/) }));
    expect(() => sapFromCodes(t, t, { continuousFactor: true } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(/did you mean continuousFactors\?/) }));
    const dataset = factorVectorDataset([4, 5]);
    await expect(computeSap({ dataset, represent: identityRepresentation(), numTrain: 64, numTest: 32, continuousFactor: true } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringMatching(/did you mean continuousFactors\?/),
    });
    await expect(computeSap({ dataset, represent: identityRepresentation(), numTest: 32, sede: 1 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/did you mean seed\?/) });
  });
});
