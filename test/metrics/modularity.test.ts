import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fixtures from '../fixtures/mig_codes_metrics.json' with { type: 'json' };
import randomFixtures from '../fixtures/mig_random_cases.json' with { type: 'json' };
import { computeModularity, modularityFromCodes, modularityFromMutualInformation } from '../../src/metrics/modularity.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { factorVectorDataset, identityRepresentation, rotatedRepresentation } from '../helpers/representations.js';

interface LabelledFixture {
  name: string;
  codes: number[][];
  factors: number[][];
  modularity: { score: number; perCode: number[] };
}
const cases = (fixtures as { labelled: LabelledFixture[] }).labelled;

const mat = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });
const eye = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
const factorGrid = (n: number, K: number, values: number, seed: number): number[][] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: K }, () => rng.int(values)));
};

describe('modularityFromMutualInformation: disentanglement_lib unit vectors', () => {
  it('diagonal → 1', () => expect(modularityFromMutualInformation(mat(eye(3))).score).toBeCloseTo(1, 15));
  it('[[1,0],[0,1],[0,0]] → 2/3', () => expect(modularityFromMutualInformation(mat([[1, 0], [0, 1], [0, 0]])).score).toBeCloseTo(2 / 3, 15));
  it('zeros → 0', () => expect(modularityFromMutualInformation(mat([[0, 0], [0, 0]])).score).toBe(0));
  it('two copies of the diagonal → 1', () => expect(modularityFromMutualInformation(mat([...eye(3), ...eye(3)])).score).toBeCloseTo(1, 15));
  it('[I₅ I₅] (K = 10) → 1 − 1/9', () => {
    const rows = eye(5).map((r) => [...r, ...r]);
    expect(modularityFromMutualInformation(mat(rows)).score).toBeCloseTo(1 - 1 / 9, 15);
  });
  it('missed factors (first two rows of a diagonal) → 1', () => {
    expect(modularityFromMutualInformation(mat(eye(5).slice(0, 2).map((r) => r.map((v) => 5 * v)))).score).toBeCloseTo(1, 15);
  });
  it('equal information about every factor → 0', () => expect(modularityFromMutualInformation(mat([[0.3, 0.3, 0.3]])).perCode[0]).toBeCloseTo(0, 15));
  it('a single factor makes every informative code modular (1) and an empty one 0', () => {
    expect(modularityFromMutualInformation(mat([[0.4], [0]])).perCode).toEqual([1, 0]);
  });
  it('rejects negative or non-finite information', () => {
    expect(() => modularityFromMutualInformation(mat([[-1, 0]]))).toThrow(DisentangleError);
    expect(() => modularityFromMutualInformation(mat([[NaN, 0]]))).toThrow(DisentangleError);
  });
});

describe('modularityFromCodes against the disentanglement_lib formulas', () => {
  for (const c of cases) {
    it(`reproduces ${c.name} to 1e-12`, () => {
      const r = modularityFromCodes({ codes: c.codes, factors: c.factors });
      expect(Math.abs(r.score - c.modularity.score)).toBeLessThan(1e-12);
      r.perCode.forEach((v, i) => expect(Math.abs(v - c.modularity.perCode[i])).toBeLessThan(1e-12));
    });
  }
});

describe('modularityFromCodes: disentanglement_lib test bounds', () => {
  const f = factorGrid(3000, 10, 10, 11);
  it('identity representation ≥ 0.9', () => expect(modularityFromCodes({ codes: f, factors: f }).score).toBeGreaterThanOrEqual(0.9));
  it('duplicated code [x, x] ≥ 0.9 (not penalised)', () => {
    expect(modularityFromCodes({ codes: f.map((r) => [...r, ...r]), factors: f }).score).toBeGreaterThanOrEqual(0.9);
  });
  it('per-sample random permutation of the code ≤ 0.2 (20,000 points as in the DL test)', () => {
    // DL's own bound on its seed-0 draw; across seeds the score of this representation spreads over ≈ 0.15–0.21
    const rng = createRng(0);
    const big = Array.from({ length: 20000 }, () => Array.from({ length: 10 }, () => rng.int(10)));
    const codes = big.map((r) => {
      const c = [...r];
      for (let i = c.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [c[i], c[j]] = [c[j], c[i]];
      }
      return c;
    });
    expect(modularityFromCodes({ codes, factors: big }).score).toBeLessThanOrEqual(0.2);
  });
  it('zero representation → 0 (m_i = 0 when no code is informative)', () => {
    expect(modularityFromCodes({ codes: f.map((r) => r.map(() => 0)), factors: f }).score).toBe(0);
  });
});

describe('modularityFromCodes properties', () => {
  const arb = fc.record({ seed: fc.integer({ min: 0, max: 1e6 }), D: fc.integer({ min: 1, max: 5 }), K: fc.integer({ min: 1, max: 4 }) });
  const draw = ({ seed, D, K }: { seed: number; D: number; K: number }) => {
    const rng = createRng(seed);
    const factors = Array.from({ length: 80 }, () => Array.from({ length: K }, () => rng.int(3)));
    const codes = factors.map((f) => Array.from({ length: D }, (_, d) => f[d % K] * rng.float() + rng.normal()));
    return { codes, factors };
  };
  it('lies in [0, 1]', () => {
    fc.assert(fc.property(arb, (p) => {
      const r = modularityFromCodes(draw(p));
      return r.perCode.every((m) => m >= -1e-12 && m <= 1 + 1e-12);
    }), { numRuns: 50 });
  });
  it('is unchanged (up to the order of the mean) by reversing the code dims', () => {
    fc.assert(fc.property(arb, (p) => {
      const { codes, factors } = draw(p);
      const a = modularityFromCodes({ codes, factors });
      const b = modularityFromCodes({ codes: codes.map((r) => [...r].reverse()), factors });
      return Math.abs(a.score - b.score) < 1e-14 && a.perCode.every((v, i) => v === b.perCode[p.D - 1 - i]);
    }), { numRuns: 40 });
  });
  it('is unchanged by scaling a code by a power of two', () => {
    fc.assert(fc.property(arb, fc.integer({ min: -6, max: 6 }), (p, e) => {
      const { codes, factors } = draw(p);
      const scaled = codes.map((r) => r.map((v) => v * 2 ** e));
      return modularityFromCodes({ codes, factors }).score === modularityFromCodes({ codes: scaled, factors }).score;
    }), { numRuns: 40 });
  });
  it('ranks one-factor-per-code above a mixture of factors', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
      const rng = createRng(seed);
      const factors = Array.from({ length: 400 }, () => [rng.int(6), rng.int(6)]);
      const perfect = factors.map(([a, b]) => [a + 0.1 * rng.normal(), b + 0.1 * rng.normal()]);
      const mixed = factors.map(([a, b]) => [a + b, a - b]);
      return modularityFromCodes({ codes: perfect, factors }).score > modularityFromCodes({ codes: mixed, factors }).score;
    }), { numRuns: 15 });
  });
});

describe('modularityFromCodes bad input and computeModularity', () => {
  it('rejects mismatched rows, NaN, negative factors', () => {
    expect(() => modularityFromCodes({ codes: [[0], [1]], factors: [[0]] })).toThrow(/train\.factors/);
    expect(() => modularityFromCodes({ codes: [[NaN], [1]], factors: [[0], [1]] })).toThrow(DisentangleError);
    expect(() => modularityFromCodes({ codes: [[0], [1]], factors: [[0], [-2]] })).toThrow(DisentangleError);
  });
  it('samples and scores: identity ≥ 0.9 > rotated', async () => {
    const dataset = factorVectorDataset([4, 5, 6]);
    const id = await computeModularity({ dataset, represent: identityRepresentation(), numTrain: 600, seed: 1 });
    const rot = await computeModularity({ dataset, represent: rotatedRepresentation(3, 2), numTrain: 600, seed: 1 });
    expect(id.score).toBeGreaterThanOrEqual(0.9);
    expect(rot.score).toBeLessThan(id.score);
  });
});

describe('modularityFromCodes on 24 small random edge cases (ties, constant codes, one factor) against the DL formulas', () => {
  const randomCases = (randomFixtures as { cases: { codes: number[][]; factors: number[][]; diffQuantile: number; mig: number; modularity: number | null; aam: number; irs: number }[] }).cases;
  it('agrees case by case to 1e-12', () => {
    for (const c of randomCases) {
      if (c.modularity === null) continue; // K = 1: DL divides 0 by 0; we return 1 per informative code
      expect(Math.abs(modularityFromCodes({ codes: c.codes, factors: c.factors }).score - (c.modularity as number))).toBeLessThan(1e-12);
    }
  });
});

describe('modularityFromCodes call forms and option names', () => {
  const f = factorGrid(300, 2, 5, 11);
  const t = { codes: f.map(([a, b]) => [a + b / 10, b]), factors: f };
  const other = { codes: [[9, 9], [8, 8]], factors: [[0, 0], [1, 1]] };
  it('takes (train, options) and (train, test, options), ignoring the test split', () => {
    const a = modularityFromCodes(t, { numBins: 5 });
    expect(modularityFromCodes(t, other, { numBins: 5 })).toEqual(a);
    expect(modularityFromCodes(t, other)).toEqual(modularityFromCodes(t));
    expect(modularityFromCodes(t, { numBins: 2 }).score).not.toBe(a.score);
  });
  it('refuses a misspelt option with the closest valid name, in both entries', async () => {
    expect(() => modularityFromCodes(t, { numBin: 5 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'numBin', message: expect.stringMatching(/did you mean numBins\?/) }));
    await expect(computeModularity({ dataset: factorVectorDataset([4, 5]), represent: identityRepresentation(), numTrain: 64, numbins: 5 } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringMatching(/did you mean numBins\?/),
    });
  });
});
