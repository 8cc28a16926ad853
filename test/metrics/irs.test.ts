import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fixtures from '../fixtures/mig_codes_metrics.json' with { type: 'json' };
import randomFixtures from '../fixtures/mig_random_cases.json' with { type: 'json' };
import quantileFixtures from '../fixtures/irs_quantiles.json' with { type: 'json' };
import { computeIrs, irsFromCodes, quantileLinear } from '../../src/metrics/irs.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { factorVectorDataset, identityRepresentation, rotatedRepresentation } from '../helpers/representations.js';

interface LabelledFixture {
  name: string;
  codes: number[][];
  factors: number[][];
  irs: { score: number; numActiveDims: number; irsMatrix: number[][]; perCode: number[]; maxDeviations: number[]; scoreQuantile1: number; referenceNumActiveDims: number };
}
const cases = (fixtures as { labelled: LabelledFixture[] }).labelled;
const quantiles = (quantileFixtures as { quantiles: { values: number[]; q: number; value: number }[] }).quantiles;

const factorGrid = (n: number, K: number, values: number, seed: number): number[][] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: K }, () => rng.int(values)));
};

describe('quantileLinear = numpy quantile (linear)', () => {
  it(`matches ${quantiles.length} numpy values exactly`, () => {
    for (const c of quantiles) expect(quantileLinear(Float64Array.from(c.values), c.q)).toBe(c.value);
  });
  it('interpolates by hand', () => {
    expect(quantileLinear(Float64Array.of(4, 1, 2, 3), 0.5)).toBe(2.5);
    expect(quantileLinear(Float64Array.of(0, 10), 0.99)).toBeCloseTo(9.9, 14);
    expect(quantileLinear(Float64Array.of(7), 0.3)).toBe(7);
  });
});

describe('irsFromCodes against the disentanglement_lib formulas', () => {
  for (const c of cases) {
    it(`reproduces ${c.name} to 1e-9`, () => {
      const r = irsFromCodes({ codes: c.codes, factors: c.factors });
      expect(Math.abs(r.score - c.irs.score)).toBeLessThan(1e-9);
      expect(Math.abs(irsFromCodes({ codes: c.codes, factors: c.factors }, { diffQuantile: 1 }).score - c.irs.scoreQuantile1)).toBeLessThan(1e-9);
      if (c.name !== 'ties') {
        // (in 'ties' numpy's var of the constant column 0.1 rounds to > 0, so DL keeps it with weight ≈ 1e-17)
        expect(r.numActiveDims).toBe(c.irs.numActiveDims);
        expect(Math.abs(r.referenceNumActiveDims - c.irs.referenceNumActiveDims)).toBeLessThan(1e-9 * Math.max(1, Math.abs(c.irs.referenceNumActiveDims)));
        r.irsMatrix.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - c.irs.irsMatrix[i][j])).toBeLessThan(1e-9)));
        r.maxDeviations.forEach((v, i) => expect(Math.abs(v - c.irs.maxDeviations[i])).toBeLessThan(1e-12));
      } else {
        expect(r.numActiveDims).toBe(4);
        expect(r.activeDims).toEqual([0, 1, 2, 3]);
      }
    });
  }
});

describe('irsFromCodes: disentanglement_lib test bounds and hand cases', () => {
  const f = factorGrid(2000, 10, 10, 21);
  it('identity representation ≥ 0.9', () => expect(irsFromCodes({ codes: f, factors: f }).score).toBeGreaterThanOrEqual(0.9));
  it('zero representation ≤ 0.1 (no active dims → 0)', () => {
    const r = irsFromCodes({ codes: f.map((row) => row.map(() => 0)), factors: f });
    expect(r).toMatchObject({ score: 0, numActiveDims: 0, referenceNumActiveDims: 0, irsMatrix: [] });
  });
  it('is 1 for a code that is a function of one factor (diffQuantile 1: no deviation within a group)', () => {
    const rng = createRng(3);
    const factors = Array.from({ length: 200 }, () => [rng.int(3), rng.int(4)]);
    const r = irsFromCodes({ codes: factors.map(([a]) => [a * a]), factors }, { diffQuantile: 1 });
    expect(r.irsMatrix[0][0]).toBe(1);
    expect(r.score).toBe(1);
    expect(r.parents).toEqual([0]);
  });
  it('drops constant codes and reports the active ones', () => {
    const r = irsFromCodes({ codes: f.map((row) => [row[0], 7, row[1]]), factors: f });
    expect(r.numActiveDims).toBe(2);
    // disentanglement_lib's num_active_dims is np.sum of the active codes' values
    expect(r.referenceNumActiveDims).toBe(f.reduce((s, row) => s + row[0] + row[1], 0));
    expect(r.activeDims).toEqual([0, 2]);
    expect(r.irsMatrix.length).toBe(2);
  });
});

describe('irsFromCodes properties', () => {
  const arb = fc.record({ seed: fc.integer({ min: 0, max: 1e6 }), D: fc.integer({ min: 1, max: 4 }) });
  const draw = ({ seed, D }: { seed: number; D: number }) => {
    const rng = createRng(seed);
    const factors = Array.from({ length: 120 }, () => [rng.int(3), rng.int(5)]);
    const codes = factors.map((fv) => Array.from({ length: D }, (_, d) => fv[d % 2] + 0.5 * rng.normal()));
    return { codes, factors };
  };
  it('is at most 1, and each code score is max_j of its row', () => {
    fc.assert(fc.property(arb, (p) => {
      const r = irsFromCodes(draw(p));
      return r.score <= 1 + 1e-12 && r.perCode.every((s, i) => s === Math.max(...r.irsMatrix[i]));
    }), { numRuns: 40 });
  });
  it('is unchanged by scaling every code by a power of two', () => {
    fc.assert(fc.property(arb, fc.integer({ min: -5, max: 5 }), (p, e) => {
      const { codes, factors } = draw(p);
      return irsFromCodes({ codes, factors }).score === irsFromCodes({ codes: codes.map((r) => r.map((v) => v * 2 ** e)), factors }).score;
    }), { numRuns: 40 });
  });
  it('is unchanged (to round-off) by reversing the code dims', () => {
    fc.assert(fc.property(arb, (p) => {
      const { codes, factors } = draw(p);
      return Math.abs(irsFromCodes({ codes, factors }).score - irsFromCodes({ codes: codes.map((r) => [...r].reverse()), factors }).score) < 1e-12;
    }), { numRuns: 40 });
  });
  it('ranks one-factor-per-code above a mixture', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
      const rng = createRng(seed);
      const factors = Array.from({ length: 300 }, () => [rng.int(5), rng.int(5)]);
      const perfect = factors.map(([a, b]) => [a + 0.1 * rng.normal(), b + 0.1 * rng.normal()]);
      const mixed = factors.map(([a, b]) => [a + b, a - b]);
      return irsFromCodes({ codes: perfect, factors }).score > irsFromCodes({ codes: mixed, factors }).score;
    }), { numRuns: 15 });
  });
});

describe('irsFromCodes bad input and computeIrs', () => {
  it('rejects bad options and inputs', () => {
    expect(() => irsFromCodes({ codes: [[0], [1]], factors: [[0], [1]] }, { diffQuantile: 1.5 })).toThrow(DisentangleError);
    expect(() => irsFromCodes({ codes: [[0], [1]], factors: [[0]] })).toThrow(/train\.factors/);
    expect(() => irsFromCodes({ codes: [[NaN], [1]], factors: [[0], [1]] })).toThrow(DisentangleError);
    expect(() => irsFromCodes({ codes: [[0], [1]], factors: [[0], [0.25]] })).toThrow(DisentangleError);
  });
  it('samples and scores identity ≥ 0.9 and above rotated', async () => {
    const dataset = factorVectorDataset([4, 5, 6]);
    const id = await computeIrs({ dataset, represent: identityRepresentation(), numTrain: 500 });
    const rot = await computeIrs({ dataset, represent: rotatedRepresentation(3, 7), numTrain: 500 });
    expect(id.score).toBeGreaterThanOrEqual(0.9);
    expect(rot.score).toBeLessThan(id.score);
  });
});

describe('irsFromCodes on 24 small random edge cases (ties, constant codes, one factor) against the DL formulas', () => {
  const randomCases = (randomFixtures as { cases: { codes: number[][]; factors: number[][]; diffQuantile: number; mig: number; modularity: number | null; aam: number; irs: number }[] }).cases;
  it('agrees case by case to 1e-9', () => {
    for (const c of randomCases) {
      expect(Math.abs(irsFromCodes({ codes: c.codes, factors: c.factors }, { diffQuantile: c.diffQuantile }).score - (c.irs as number))).toBeLessThan(1e-9);
    }
  });
});

describe('irsFromCodes call forms and option names', () => {
  const f = factorGrid(300, 2, 5, 12);
  const t = { codes: f.map(([a, b]) => [a + b / 4, b]), factors: f };
  const other = { codes: [[9, 9], [8, 8]], factors: [[0, 0], [1, 1]] };
  it('takes (train, options) and (train, test, options), ignoring the test split', () => {
    const a = irsFromCodes(t, { diffQuantile: 1 });
    expect(irsFromCodes(t, other, { diffQuantile: 1 })).toEqual(a);
    expect(irsFromCodes(t, other)).toEqual(irsFromCodes(t));
    expect(irsFromCodes(t, { diffQuantile: 0.5 }).score).not.toBe(a.score);
  });
  it('refuses a misspelt option with the closest valid name, in both entries', async () => {
    expect(() => irsFromCodes(t, { diffQuantil: 0.9 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'diffQuantil', message: expect.stringMatching(/did you mean diffQuantile\?/) }));
    await expect(computeIrs({ dataset: factorVectorDataset([4, 5]), represent: identityRepresentation(), numTrain: 64, diffquantile: 0.5 } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringMatching(/did you mean diffQuantile\?/),
    });
  });
});
