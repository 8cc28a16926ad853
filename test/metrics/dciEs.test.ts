import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fixture from '../fixtures/dcies-reference.json' with { type: 'json' };
import { computeDciEs, dciEsFromCodes } from '../../src/metrics/dciEs.js';
import { explicitnessOfCurves, type LossCapacityCurve } from '../../src/estimators/lossCapacity.js';
import { createRng } from '../../src/core/rng.js';
import { dsprites } from '../../src/data/dsprites.js';
import { imageMomentEncoder } from '../../src/models/analyticEncoders.js';
import { expectError } from '../helpers/errors.js';

interface Spread { mean: number; min: number; max: number; std: number }
const fx = fixture as unknown as {
  curveSets: { curves: LossCapacityCurve[]; explicitness: number[] }[];
  probe: {
    trainCodes: number[][]; trainFactors: number[][]; testCodes: number[][]; testFactors: number[][];
    factorKinds: ('continuous' | 'categorical')[]; numTrees: number;
    sklearnCurvesSeed0: LossCapacityCurve[]; sklearnCurvesSeed0Explicitness: number[];
    perFactor: Spread[]; explicitness: Spread;
  };
};

describe('explicitness against andreinicolicioiu/DCI-ES metrics/explitcitness.py (scripts/fixtures/dcies_reference.py)', () => {
  it('matches Explitcitness.get_explitcitness on every generated curve set to 1e-9', () => {
    expect(fx.curveSets.length).toBeGreaterThan(15);
    for (const set of fx.curveSets) {
      const ours = explicitnessOfCurves(set.curves);
      ours.forEach((e, k) => expect(Math.abs(e - set.explicitness[k])).toBeLessThan(1e-9));
    }
  });
  it('covers non-monotone curves, unequal capacity ranges and a single point', () => {
    const nonMonotone = fx.curveSets.some((s) => s.curves.some((c) => c.loss.some((l, i) => i > 0 && l > c.loss[i - 1])));
    const unequal = fx.curveSets.some((s) => new Set(s.curves.map((c) => c.capacity[c.capacity.length - 1])).size > 1);
    const single = fx.curveSets.some((s) => s.curves.some((c) => c.capacity.length === 1));
    expect([nonMonotone, unequal, single]).toEqual([true, true, true]);
  });
  it('matches on the sklearn random-forest probe curves', () => {
    fx.probe.sklearnCurvesSeed0.forEach((c, j) => {
      expect(Math.abs(explicitnessOfCurves([c])[0] - fx.probe.sklearnCurvesSeed0Explicitness[j])).toBeLessThan(1e-9);
    });
  });
});

const probeTrain = { codes: fx.probe.trainCodes, factors: fx.probe.trainFactors };
const probeTest = { codes: fx.probe.testCodes, factors: fx.probe.testFactors };

describe('dciEsFromCodes with our forests vs the reference pipeline with scikit-learn forests (20 seeds)', () => {
  const r = dciEsFromCodes(probeTrain, probeTest, { numTrees: fx.probe.numTrees, factorKinds: fx.probe.factorKinds, seed: 0 });
  // Within the reference's own seed spread, widened by two of its standard deviations.
  const inSpread = (v: number, s: Spread): void => {
    expect(v).toBeGreaterThanOrEqual(s.min - 2 * s.std);
    expect(v).toBeLessThanOrEqual(s.max + 2 * s.std);
  };
  it('per-factor E and mean E lie within the sklearn spread', () => {
    r.perFactorExplicitness.forEach((e, j) => inSpread(e, fx.probe.perFactor[j]));
    inSpread(r.explicitness, fx.probe.explicitness);
    expect(r.score).toBe(r.explicitness);
  });
  it('curves have the reference shape: depths, baselines 1 and 1 − 1/#classes, losses near sklearn\'s', () => {
    expect(r.curves.map((c) => c.baselineLoss)).toEqual([1, 1, 0.75]);
    r.curves.forEach((c, j) => {
      expect(c.capacity).toEqual([1, 2, 3, 4, 8, 10, 12, 14, 16, 18, 20, 32]);
      c.loss.forEach((l, k) => expect(Math.abs(l - fx.probe.sklearnCurvesSeed0[j].loss[k])).toBeLessThan(0.1));
    });
    expect(r.size).toBe(3 / 4);
    expect(r.importanceMatrix).toHaveLength(4);
    expect(r.disentanglement).toBeGreaterThan(0);
    expect(r.completeness).toBeGreaterThan(0);
  });
});

/** n rows of factors and codes: perfect (code j = factor j), or entangled (codes mix all factors). */
function synthetic(n: number, seed: number, mode: 'perfect' | 'entangled' | 'squashed') {
  const rng = createRng(seed);
  const factors: number[][] = [];
  const codes: number[][] = [];
  for (let i = 0; i < n; i++) {
    const f = [rng.int(10), rng.int(10)];
    factors.push(f);
    if (mode === 'perfect') codes.push([f[0] + 0.01 * rng.normal(), f[1] + 0.01 * rng.normal()]);
    else if (mode === 'entangled') codes.push([f[0] + f[1] + 0.01 * rng.normal(), f[0] - f[1] + 0.01 * rng.normal()]);
    else codes.push([Math.sin(f[0] * 1.7) + 0.01 * rng.normal(), Math.cos(f[1] * 2.3) + 0.01 * rng.normal()]);
  }
  return { codes, factors };
}

describe('dciEsFromCodes invariants', () => {
  const opts = { numTrees: 5, capacities: [1, 2, 4, 8] };
  it('perfect codes are more explicit than entangled ones', () => {
    const perfect = dciEsFromCodes(synthetic(300, 1, 'perfect'), synthetic(200, 2, 'perfect'), opts);
    const entangled = dciEsFromCodes(synthetic(300, 1, 'entangled'), synthetic(200, 2, 'entangled'), opts);
    const squashed = dciEsFromCodes(synthetic(300, 1, 'squashed'), synthetic(200, 2, 'squashed'), opts);
    expect(perfect.explicitness).toBeGreaterThan(entangled.explicitness);
    expect(perfect.explicitness).toBeGreaterThan(entangled.explicitness);
    expect(perfect.disentanglement).toBeGreaterThan(entangled.disentanglement);
  });
  it('permuting the codes permutes nothing but the importance rows', () => {
    fc.assert(
      fc.property(fc.constantFrom([0, 1, 2], [2, 0, 1], [1, 2, 0]), fc.integer({ min: 0, max: 1000 }), (perm, seed) => {
        const rng = createRng(seed);
        const rows = Array.from({ length: 120 }, () => [rng.int(5), rng.int(4)]);
        const codes = rows.map(([a, b]) => [a + 0.1 * rng.normal(), b + 0.1 * rng.normal(), rng.normal()]);
        const a = dciEsFromCodes({ codes, factors: rows }, { ...opts, numTrees: 3 });
        const b = dciEsFromCodes({ codes: codes.map((c) => perm.map((p) => c[p])), factors: rows }, { ...opts, numTrees: 3 });
        // All features are examined at each split, so only exact ties could break differently.
        expect(b.explicitness).toBeCloseTo(a.explicitness, 12);
        perm.forEach((p, i) => b.importanceMatrix[i].forEach((v, j) => expect(v).toBeCloseTo(a.importanceMatrix[p][j], 12)));
      }),
      { numRuns: 6 },
    );
  });
  it('size is K / D', () => {
    const s = synthetic(60, 3, 'perfect');
    expect(dciEsFromCodes(s, opts).size).toBe(1);
    const wide = { codes: s.codes.map((c) => [...c, 0, 1 + c[0]]), factors: s.factors };
    expect(dciEsFromCodes(wide, opts).size).toBe(0.5);
  });
  it('E is within [−1, 1] for curves below the baseline, and within [0, 1] for convex decreasing ones', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 12 }), fc.array(fc.double({ min: 0.01, max: 5, noNaN: true }), { minLength: 12, maxLength: 12 }), (loss, steps) => {
        const capacity = loss.map((_, i) => steps.slice(0, i + 1).reduce((a, b) => a + b, 0));
        const [e] = explicitnessOfCurves([{ capacity, loss }]);
        expect(e).toBeGreaterThanOrEqual(-1 - 1e-12);
        expect(e).toBeLessThanOrEqual(1 + 1e-12);
        // A convex decreasing curve from the baseline lies below its chord: E ≥ 0.
        const convex = capacity.map((x) => Math.exp(-(x - capacity[0])));
        expect(explicitnessOfCurves([{ capacity, loss: convex }])[0]).toBeGreaterThanOrEqual(-1e-12);
      }),
    );
  });
  it('the gradient-boosting probe reads one fit at each stage count', () => {
    const opts = { probe: 'gradient-boosting', capacities: [1, 5, 20] } as const;
    const perfect = dciEsFromCodes(synthetic(200, 1, 'perfect'), synthetic(100, 2, 'perfect'), opts);
    const entangled = dciEsFromCodes(synthetic(200, 1, 'entangled'), synthetic(100, 2, 'entangled'), opts);
    expect(perfect.probe).toBe('gradient-boosting');
    expect(perfect.curves[0].baselineLoss).toBeCloseTo(0.9, 12);
    expect(perfect.curves[0].loss).toEqual([0, 0, 0]); // one stage already separates the integer-valued codes
    expect(entangled.curves[0].loss[2]).toBeLessThan(entangled.curves[0].loss[0]);
    expect(perfect.explicitness).toBeGreaterThan(entangled.explicitness);
  });
  it('is deterministic for a seed', () => {
    const s = synthetic(100, 4, 'entangled');
    expect(dciEsFromCodes(s, { ...opts, seed: 5 })).toEqual(dciEsFromCodes(s, { ...opts, seed: 5 }));
  });
});

describe('dciEsFromCodes degenerate inputs and options', () => {
  const s = synthetic(50, 1, 'perfect');
  it('a constant factor is BAD_INPUT naming train.factors or test.factors', () => {
    const constant = { codes: s.codes, factors: s.factors.map((f) => [f[0], 3]) };
    expectError(() => dciEsFromCodes(constant), 'BAD_INPUT', /^train\.factors/);
    expectError(() => dciEsFromCodes(s, constant), 'BAD_INPUT', /^test\.factors/);
  });
  it('a constant code gets no importance and no NaN', () => {
    const r = dciEsFromCodes({ codes: s.codes.map((c) => [...c, 7]), factors: s.factors }, { numTrees: 3, capacities: [1, 2, 4] });
    expect(r.importanceMatrix[2]).toEqual([0, 0]);
    expect(Number.isFinite(r.explicitness)).toBe(true);
  });
  it('fewer than 2 rows is EMPTY; unknown or invalid options are BAD_OPTION', () => {
    expectError(() => dciEsFromCodes({ codes: [[1]], factors: [[0]] }), 'EMPTY', /^train/);
    expectError(() => dciEsFromCodes(s, { numTres: 3 } as never), 'BAD_OPTION', /numTres/);
    expectError(() => dciEsFromCodes(s, { capacities: [4, 2] }), 'BAD_OPTION', /capacities/);
    expectError(() => dciEsFromCodes(s, { probe: 'gradient-boosting', factorKinds: 'continuous' }), 'BAD_OPTION', /factorKinds/);
  });
});

describe('computeDciEs', () => {
  it('samples, reports per fit, leaks no tensors and is seeded', async () => {
    const before = tf.memory().numTensors;
    const progress: string[] = [];
    const opts = { dataset: dsprites(), represent: imageMomentEncoder(), numTrain: 200, numTest: 100, batchSize: 50, seed: 3, numTrees: 3, capacities: [1, 2, 4] };
    const r = await computeDciEs({ ...opts, onProgress: (p) => progress.push(p.stage) });
    expect(tf.memory().numTensors).toBe(before);
    expect(progress.filter((p) => p === 'dci-es')).toHaveLength(5);
    expect(r.curves).toHaveLength(5);
    expect((await computeDciEs(opts)).explicitness).toBe(r.explicitness);
  });
  it('honours an aborted signal and refuses unknown options', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(computeDciEs({ dataset: dsprites(), represent: imageMomentEncoder(), numTrain: 50, numTest: 20, signal: controller.signal })).rejects.toBeDefined();
    await expect(computeDciEs({ dataset: dsprites(), represent: imageMomentEncoder(), numTrian: 64 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
