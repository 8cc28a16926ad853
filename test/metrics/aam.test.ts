import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fixtures from '../fixtures/mig_codes_metrics.json' with { type: 'json' };
import { aamFromCodes, axisAlignedScore, computeAam } from '../../src/metrics/aam.js';
import { migFromCodes } from '../../src/metrics/mig.js';
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
