import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fixtures from '../fixtures/mig_codes_metrics.json' with { type: 'json' };
import randomFixtures from '../fixtures/mig_random_cases.json' with { type: 'json' };
import { aamFromCodes, axisAlignedScore, computeAam } from '../../src/metrics/aam.js';
import { migFromCodes } from '../../src/metrics/mig.js';
import { sampledMutualInformation } from '../../src/estimators/information/codeFactorInformation.js';
import type { FactorBatch, GroundTruthDataset, TensorLike } from '../../src/core/types.js';
import type { PosteriorFunction } from '../../src/metrics/index.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { factorVectorDataset, identityRepresentation, rotatedRepresentation } from '../helpers/representations.js';

interface LabelledFixture {
  name: string;
  codes: number[][];
  factors: number[][];
  aam: { score: number; perFactor: number[] };
}
const cases = (fixtures as { labelled: LabelledFixture[] }).labelled;

describe('axisAlignedScore (disentangling-vae `_axis_aligned_metric`)', () => {
  it('is (top − rest) / top', () => expect(axisAlignedScore([0.2, 1, 0.3])).toBeCloseTo(0.5, 15));
  it('clamps at 0 when the others outweigh the top code', () => expect(axisAlignedScore([0.6, 0.5, 0.5])).toBe(0));
  it('is 1 for a single informative code and 0 when nothing is informative', () => {
    expect(axisAlignedScore([0, 0.7, 0])).toBe(1);
    expect(axisAlignedScore([0, 0, 0])).toBe(0);
  });
});

describe('aamFromCodes', () => {
  for (const c of cases) {
    it(`reproduces ${c.name} (disentangling-vae formula on DL's discrete MI) to 1e-12`, () => {
      const r = aamFromCodes({ codes: c.codes, factors: c.factors });
      expect(Math.abs(r.score - c.aam.score)).toBeLessThan(1e-12);
      r.perFactor.forEach((v, j) => expect(Math.abs(v - c.aam.perFactor[j])).toBeLessThan(1e-12));
    });
  }
  it('uses the same MI matrix as MIG', () => {
    const c = cases[0];
    expect(aamFromCodes({ codes: c.codes, factors: c.factors }).mutualInformation).toEqual(migFromCodes({ codes: c.codes, factors: c.factors }).mutualInformation);
  });
  it('is never above MIG per factor (rest ≥ runner-up, and MI ≤ H)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
      const rng = createRng(seed);
      const factors = Array.from({ length: 150 }, (_, i) => [i % 3, rng.int(4)]);
      const codes = factors.map(([a, b]) => [a + rng.normal(), b + rng.normal(), a + b + rng.normal()]);
      const aam = aamFromCodes({ codes, factors });
      const mig = migFromCodes({ codes, factors });
      return aam.perFactor.every((v, j) => v >= 0 && v <= 1 && v * mig.mutualInformation.reduce((m, r) => Math.max(m, r[j]), 0) / mig.factorEntropy[j] <= mig.perFactor[j] + 1e-12);
    }), { numRuns: 30 });
  });
  it('is unchanged by permuting code dims, and ranks perfect above entangled', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
      const rng = createRng(seed);
      const factors = Array.from({ length: 300 }, () => [rng.int(5), rng.int(5)]);
      const perfect = factors.map(([a, b]) => [a + 0.1 * rng.normal(), b + 0.1 * rng.normal(), rng.normal()]);
      const swapped = perfect.map(([x, y, z]) => [z, y, x]);
      const mixed = factors.map(([a, b]) => [a + b, a - b, rng.normal()]);
      const p = aamFromCodes({ codes: perfect, factors }).score;
      return p === aamFromCodes({ codes: swapped, factors }).score && p > aamFromCodes({ codes: mixed, factors }).score;
    }), { numRuns: 15 });
  });
  it('rejects bad input', () => {
    expect(() => aamFromCodes({ codes: [[0], [1]], factors: [[0], [0.5]] })).toThrow(DisentangleError);
    expect(() => aamFromCodes({ codes: [[0], [Infinity]], factors: [[0], [1]] })).toThrow(DisentangleError);
  });
  it('computeAam samples and scores identity above rotated', async () => {
    const dataset = factorVectorDataset([4, 5, 6]);
    const id = await computeAam({ dataset, represent: identityRepresentation(), numTrain: 500 });
    const rot = await computeAam({ dataset, represent: rotatedRepresentation(3, 4), numTrain: 500 });
    expect(id.score).toBeGreaterThan(0.9);
    expect(rot.score).toBeLessThan(id.score);
  });
});

/** Observations = factor indices of the full grid, so a posterior is a function of the factors. */
const gridDataset = (sizes: number[]): GroundTruthDataset<TensorLike> => ({
  factorSizes: sizes,
  observationsFromFactors: (f: FactorBatch) => ({ data: Float64Array.from(f.data), shape: [f.shape[0], f.shape[1]] }),
});
const posteriorOf = (fn: (v: number[]) => { mean: number[]; logVar: number[] }) => (obs: TensorLike) => {
  const o = obs as { data: Float64Array; shape: [number, number] };
  const rows = Array.from({ length: o.shape[0] }, (_, i) => fn(Array.from(o.data.subarray(i * o.shape[1], (i + 1) * o.shape[1]))));
  return { mean: rows.map((r) => r.mean), logVar: rows.map((r) => r.logVar) };
};

describe('sampledMutualInformation (disentangling-vae estimator)', () => {
  const sizes = [3, 4];
  const N = 12;
  const mean = (f: (a: number, b: number) => number[]) => {
    const rows: number[][] = [];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 4; b++) rows.push(f(a, b));
    return { data: Float64Array.from(rows.flat()), rows: N, cols: rows[0].length };
  };
  it('gives I = ln 3 for a sharp code of a 3-valued factor and 0 for the other factor', () => {
    // well separated narrow posteriors: the mixture entropy is ln 3 above the conditional one, the same ε's in both
    const m = mean((a) => [10 * a]);
    const lv = { data: new Float64Array(N).fill(Math.log(1e-4)), rows: N, cols: 1 };
    const r = sampledMutualInformation({ mean: m, logVar: lv }, sizes, createRng(1));
    expect(r.mutualInformation[0]).toBeCloseTo(Math.log(3), 9);
    expect(r.mutualInformation[1]).toBeLessThan(1e-9);
  });
  it('estimates the entropy of a standard normal code that ignores x', () => {
    const big = [20, 30];
    const n = 600;
    const r = sampledMutualInformation(
      { mean: { data: new Float64Array(n), rows: n, cols: 1 }, logVar: { data: new Float64Array(n), rows: n, cols: 1 } },
      big,
      createRng(2),
    );
    expect(Math.abs(r.marginalEntropy[0] - 0.5 * Math.log(2 * Math.PI * Math.E))).toBeLessThan(0.15);
    expect(Array.from(r.mutualInformation).every((v) => v < 1e-9)).toBe(true);
  });
  it('rejects a posterior that does not cover the grid', () => {
    expect(() => sampledMutualInformation({ mean: mean(() => [0]), logVar: mean(() => [0]) }, [5], createRng(0))).toThrow(DisentangleError);
  });
});

describe('computeAam with a posterior (sampled-entropy mode)', () => {
  const dataset = gridDataset([3, 4, 5]);
  it('scores an axis-aligned posterior near 1 and an entangled one lower, deterministically per seed', async () => {
    const aligned = posteriorOf(([a, b, c]) => ({ mean: [a, b, c], logVar: [-6, -6, -6] }));
    const mixed = posteriorOf(([a, b, c]) => ({ mean: [a + b, a - b + c, c - a], logVar: [-6, -6, -6] }));
    const r1 = await computeAam({ dataset, represent: (x) => x, posterior: aligned, seed: 3 });
    const r1again = await computeAam({ dataset, represent: (x) => x, posterior: aligned, seed: 3 });
    const r2 = await computeAam({ dataset, represent: (x) => x, posterior: mixed, seed: 3 });
    expect(r1.score).toBeGreaterThan(0.95);
    expect(r1again).toEqual(r1);
    expect(r2.score).toBeLessThan(r1.score);
    expect(r1.mutualInformation.length).toBe(3);
  });
  it('checks what the posterior returns', async () => {
    const bad = (() => ({ mean: [[0]] })) as never;
    await expect(computeAam({ dataset, represent: (x) => x, posterior: bad })).rejects.toBeInstanceOf(DisentangleError);
  });
});

describe('aamFromCodes on 24 small random edge cases (ties, constant codes, one factor) against the DL formulas', () => {
  const randomCases = (randomFixtures as { cases: { codes: number[][]; factors: number[][]; diffQuantile: number; mig: number; modularity: number | null; aam: number; irs: number }[] }).cases;
  it('agrees case by case to 1e-12', () => {
    for (const c of randomCases) {
      expect(Math.abs(aamFromCodes({ codes: c.codes, factors: c.factors }).score - (c.aam as number))).toBeLessThan(1e-12);
    }
  });
});

describe('aamFromCodes / computeAam call forms, option names and the posterior type', () => {
  const rng = createRng(13);
  const factors = Array.from({ length: 300 }, () => [rng.int(5), rng.int(5)]);
  const t = { codes: factors.map(([a, b]) => [a + b / 5, b]), factors };
  const other = { codes: [[9, 9], [8, 8]], factors: [[0, 0], [1, 1]] };
  it('takes (train, options) and (train, test, options), ignoring the test split', () => {
    const a = aamFromCodes(t, { numBins: 5 });
    expect(aamFromCodes(t, other, { numBins: 5 })).toEqual(a);
    expect(aamFromCodes(t, other)).toEqual(aamFromCodes(t));
    expect(aamFromCodes(t, { numBins: 2 }).score).not.toBe(a.score);
  });
  it('refuses a misspelt option with the closest valid name, in both modes of computeAam', async () => {
    expect(() => aamFromCodes(t, { numbin: 5 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(/did you mean numBins\?/) }));
    const dataset = gridDataset([3, 4]);
    const posterior: PosteriorFunction = posteriorOf(([a, b]) => ({ mean: [a, b], logVar: [-6, -6] }));
    await expect(computeAam({ dataset, posterior, numEntropySample: 100 } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      argument: 'numEntropySample',
      message: expect.stringMatching(/did you mean numEntropySamples\?/),
    });
    await expect(computeAam({ dataset, represent: (x: TensorLike) => x, numTrain: 40, posteriors: posterior } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringMatching(/did you mean posterior\?/),
    });
  });
  it('takes the library-wide PosteriorFunction and needs its logVar (CALLBACK_RESULT naming posterior)', async () => {
    const noLogVar: PosteriorFunction = (obs) => ({ mean: obs });
    await expect(computeAam({ dataset: gridDataset([3, 4]), posterior: noLogVar })).rejects.toMatchObject({
      code: 'CALLBACK_RESULT',
      argument: 'posterior',
      message: expect.stringMatching(/logVar/),
    });
  });
});
