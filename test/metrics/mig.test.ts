import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fixtures from '../fixtures/mig_codes_metrics.json' with { type: 'json' };
import randomFixtures from '../fixtures/mig_random_cases.json' with { type: 'json' };
import { computeMig, migFromCodes } from '../../src/metrics/mig.js';
import { topTwoGap } from '../../src/estimators/topTwoGap.js';
import { createRng } from '../../src/core/rng.js';
import { factorVectorDataset, identityRepresentation, rotatedRepresentation } from '../helpers/representations.js';
import { expectError } from '../helpers/errors.js';

interface LabelledFixture {
  name: string;
  codes: number[][];
  factors: number[][];
  mig: { score: number; perFactor: number[]; mutualInformation: number[][]; factorEntropy: number[] };
}
const cases = (fixtures as { labelled: LabelledFixture[] }).labelled;

/** n samples of K factors with `values` levels each; codes = factors (+ optional extra columns). */
function factorGrid(n: number, K: number, values: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: K }, () => rng.int(values)));
}

describe('migFromCodes against the disentanglement_lib formulas (scripts/fixtures/codes_metrics.py)', () => {
  for (const c of cases) {
    it(`reproduces ${c.name} to 1e-12`, () => {
      const r = migFromCodes({ codes: c.codes, factors: c.factors });
      expect(Math.abs(r.score - c.mig.score)).toBeLessThan(1e-12);
      r.perFactor.forEach((v, j) => expect(Math.abs(v - c.mig.perFactor[j])).toBeLessThan(1e-12));
      r.factorEntropy.forEach((v, j) => expect(Math.abs(v - c.mig.factorEntropy[j])).toBeLessThan(1e-12));
      r.mutualInformation.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - c.mig.mutualInformation[i][j])).toBeLessThan(1e-12)));
    });
  }
});

describe('migFromCodes: hand cases and disentanglement_lib test bounds', () => {
  it('is 1 when each factor is copied into its own code and the other code is constant', () => {
    // factor a ∈ {0,1}, balanced; code 0 = a, code 1 constant: I(c0;a) = H(a), I(c1;a) = 0
    const r = migFromCodes({ codes: [[0, 5], [1, 5], [0, 5], [1, 5]], factors: [[0], [1], [0], [1]] });
    expect(r.score).toBeCloseTo(1, 15);
    expect(r.factorEntropy[0]).toBeCloseTo(Math.log(2), 15);
    expect(r.mutualInformation).toEqual([[Math.log(2)], [0]]);
  });
  it('scores the identity representation (10 factors × 10 values) ≥ 0.9', () => {
    const f = factorGrid(3000, 10, 10, 1);
    expect(migFromCodes({ codes: f, factors: f }).score).toBeGreaterThanOrEqual(0.9);
  });
  it('scores the zero representation ≤ 0.2', () => {
    const f = factorGrid(2000, 10, 10, 2);
    expect(migFromCodes({ codes: f.map((r) => r.map(() => 0)), factors: f }).score).toBeLessThanOrEqual(0.2);
  });
  it('scores a duplicated code [x, x] ≤ 0.1', () => {
    const f = factorGrid(2000, 10, 10, 3);
    expect(migFromCodes({ codes: f.map((r) => [...r, ...r]), factors: f }).score).toBeLessThanOrEqual(0.1);
  });
  it('computes the top-two gap with repeated maxima as 0', () => {
    expect(topTwoGap(Float64Array.of(0.5, 0.5, 0.1), 3, 1, 0)).toBe(0);
    expect(topTwoGap(Float64Array.of(0.1, 0.7, 0.3), 3, 1, 0)).toBeCloseTo(0.4, 15);
  });
  it('reads tfjs tensors without leaking', () => {
    const f = factorGrid(200, 3, 4, 4);
    const before = tf.memory().numTensors;
    const codes = tf.tensor2d(f);
    const r = migFromCodes({ codes, factors: f });
    codes.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(r.score).toBeCloseTo(migFromCodes({ codes: f, factors: f }).score, 12);
  });
});

describe('migFromCodes properties', () => {
  const labelled = fc.record({
    n: fc.integer({ min: 30, max: 120 }),
    D: fc.integer({ min: 2, max: 5 }),
    K: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });
  function draw({ n, D, K, seed }: { n: number; D: number; K: number; seed: number }): { codes: number[][]; factors: number[][] } {
    const rng = createRng(seed);
    // each factor takes both of its first two values at least once so its entropy is positive
    const factors = Array.from({ length: n }, (_, i) => Array.from({ length: K }, () => (i < 2 ? i : rng.int(4))));
    const codes = factors.map((f) => Array.from({ length: D }, (_, d) => (f[d % K] ?? 0) + rng.normal()));
    return { codes, factors };
  }
  it('lies in [0, 1]', () => {
    fc.assert(fc.property(labelled, (p) => {
      const r = migFromCodes(draw(p));
      return r.score >= 0 && r.score <= 1 + 1e-12 && r.perFactor.every((v) => v >= 0 && v <= 1 + 1e-12);
    }), { numRuns: 40 });
  });
  it('is unchanged by permuting the code dims', () => {
    fc.assert(fc.property(labelled, fc.integer({ min: 0, max: 1e6 }), (p, s) => {
      const { codes, factors } = draw(p);
      const rng = createRng(s);
      const perm = Array.from({ length: p.D }, (_, i) => i);
      for (let i = p.D - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const a = migFromCodes({ codes, factors });
      const b = migFromCodes({ codes: codes.map((r) => perm.map((k) => r[k])), factors });
      return a.score === b.score;
    }), { numRuns: 40 });
  });
  it('is unchanged by scaling a code by a power of two (every bin-edge operation scales exactly)', () => {
    // A general increasing affine map moves the edges by rounding, so a value within an ulp of an edge can
    // change bins: the invariance is exact only for power-of-two scalings.
    fc.assert(fc.property(labelled, fc.integer({ min: -8, max: 8 }), (p, e) => {
      const { codes, factors } = draw(p);
      const mapped = codes.map((r) => [r[0] * 2 ** e, ...r.slice(1)]);
      return migFromCodes({ codes, factors }).score === migFromCodes({ codes: mapped, factors }).score;
    }), { numRuns: 40 });
  });
  it('is nearly unchanged by a general increasing affine map of a code', () => {
    fc.assert(fc.property(labelled, fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true }), (p, a, b) => {
      const { codes, factors } = draw(p);
      const mapped = codes.map((r) => [a * r[0] + b, ...r.slice(1)]);
      // at most a value or two can cross an edge by rounding; each moves the MI by O(log n / n)
      return Math.abs(migFromCodes({ codes, factors }).score - migFromCodes({ codes: mapped, factors }).score) < 0.1;
    }), { numRuns: 40 });
  });
  it('ranks a one-factor-per-code representation above a rotated (entangled) one', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
      const rng = createRng(seed);
      const factors = Array.from({ length: 400 }, () => [rng.int(8), rng.int(8)]);
      const perfect = factors.map(([a, b]) => [a + 0.1 * rng.normal(), b + 0.1 * rng.normal()]);
      const entangled = factors.map(([a, b]) => [a + b, a - b]);
      return migFromCodes({ codes: perfect, factors }).score > migFromCodes({ codes: entangled, factors }).score;
    }), { numRuns: 15 });
  });
});

describe('migFromCodes bad input', () => {
  const codes = [[0, 1], [1, 0], [2, 1]];
  it('rejects mismatched row counts', () => expectError(() => migFromCodes({ codes, factors: [[0], [1]] }), 'SHAPE_MISMATCH', /train\.factors/));
  it('rejects NaN codes', () => expectError(() => migFromCodes({ codes: [[0, NaN], [1, 0], [2, 1]], factors: [[0], [1], [0]] }), 'NON_FINITE', /train\.codes/));
  it('rejects non-integer factors', () => expectError(() => migFromCodes({ codes, factors: [[0], [1.5], [0]] }), 'BAD_INPUT', /train\.factors/));
  it('rejects negative factors', () => expectError(() => migFromCodes({ codes, factors: [[0], [-1], [0]] }), 'BAD_INPUT', /train\.factors/));
  it('rejects a factor with one value', () => expectError(() => migFromCodes({ codes, factors: [[0, 2], [1, 2], [0, 2]] }), 'BAD_INPUT', /train\.factors/));
  it('rejects empty input', () => expectError(() => migFromCodes({ codes: [], factors: [] }), 'EMPTY', /train\.codes/));
  it('rejects a single code dim', () => expectError(() => migFromCodes({ codes: [[0], [1]], factors: [[0], [1]] }), 'SHAPE_MISMATCH', /train\.codes/));
  it('rejects a bad numBins', () => expectError(() => migFromCodes({ codes, factors: [[0], [1], [0]] }, { numBins: 0 }), 'BAD_OPTION', /numBins/));
  it('rejects a missing split', () => expectError(() => migFromCodes(undefined as never), 'BAD_INPUT', /train/));
});

describe('computeMig', () => {
  const dataset = factorVectorDataset([4, 5, 6]);
  it('samples, encodes and scores: identity ≫ rotated, and the same seed gives the same number', async () => {
    const opts = { dataset, numTrain: 600, seed: 3 };
    const identity = await computeMig({ ...opts, represent: identityRepresentation() });
    const again = await computeMig({ ...opts, represent: identityRepresentation() });
    const rotated = await computeMig({ ...opts, represent: rotatedRepresentation(3, 5) });
    expect(identity.score).toBeGreaterThan(0.9);
    expect(again.score).toBe(identity.score);
    expect(rotated.score).toBeLessThan(identity.score);
  });
  it('leaves no tensors behind when the dataset and representation use tfjs tensors', async () => {
    const before = tf.memory().numTensors;
    const r = await computeMig({ dataset: factorVectorDataset([4, 5, 6], { asTensor: true }), represent: identityRepresentation(), numTrain: 96, batchSize: 32 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.score).toBeGreaterThan(0.5);
  });
  it('reports progress and honours an aborted signal', async () => {
    let last = 0;
    await computeMig({ dataset, represent: identityRepresentation(), numTrain: 64, onProgress: (p) => (last = p.done) });
    expect(last).toBe(64);
    const ac = new AbortController();
    ac.abort();
    await expect(computeMig({ dataset, represent: identityRepresentation(), numTrain: 64, signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('migFromCodes on 24 small random edge cases (ties, constant codes, one factor) against the DL formulas', () => {
  const randomCases = (randomFixtures as { cases: { codes: number[][]; factors: number[][]; diffQuantile: number; mig: number; modularity: number | null; aam: number; irs: number }[] }).cases;
  it('agrees case by case to 1e-12', () => {
    for (const c of randomCases) {
      expect(Math.abs(migFromCodes({ codes: c.codes, factors: c.factors }).score - (c.mig as number))).toBeLessThan(1e-12);
    }
  });
});

describe('migFromCodes call forms and option names', () => {
  const t = { codes: [[0, 1], [0, 2], [0.5, 1], [0.5, 2], [1, 1], [1, 2]], factors: [[0], [0], [1], [1], [2], [2]] };
  const other = { codes: [[5, 5], [6, 6]], factors: [[0], [1]] };
  it('takes (train, options), (train, test, options) and ignores the test split', () => {
    const a = migFromCodes(t, { numBins: 3 });
    expect(migFromCodes(t, other, { numBins: 3 })).toEqual(a);
    expect(migFromCodes(t, undefined, { numBins: 3 })).toEqual(a);
    expect(migFromCodes(t, other).score).toBe(1);
    // 2 bins merge the factor's middle level with a neighbour: the option really is read
    expect(migFromCodes(t, { numBins: 2 }).score).toBeLessThan(a.score);
  });
  it('refuses a misspelt option with the closest valid name, in both entries', async () => {
    expect(() => migFromCodes(t, { numBns: 5 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'numBns', message: expect.stringMatching(/did you mean numBins\?/) }));
    expect(() => migFromCodes(t, other, { numbins: 5 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(/did you mean numBins\?/) }));
    await expect(computeMig({ dataset: factorVectorDataset([4, 5]), represent: identityRepresentation(), numTrian: 64 } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      argument: 'numTrian',
      message: expect.stringMatching(/did you mean numTrain\?/),
    });
  });
  it('refuses options given both second and third', () => {
    expect(() => migFromCodes(t, { numBins: 3 } as never, { numBins: 3 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'options' }));
  });
});
