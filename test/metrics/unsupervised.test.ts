import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fixtures from '../fixtures/mig_codes_metrics.json' with { type: 'json' };
import randomFixtures from '../fixtures/mig_random_cases.json' with { type: 'json' };
import {
  computeUnsupervised,
  gaussianTotalCorrelation,
  gaussianWassersteinCorrelation,
  unsupervisedFromCodes,
  unsupervisedFromCodesAsync,
} from '../../src/metrics/unsupervised.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { factorVectorDataset, identityRepresentation } from '../helpers/representations.js';

interface Fixture {
  name: string;
  codes: number[][];
  unsupervised?: {
    gaussianTotalCorrelation: number;
    gaussianWassersteinCorrelation: number;
    gaussianWassersteinCorrelationNorm: number;
    mutualInfoScore: number;
    covariance: number[][];
  };
}
const cases = (fixtures as { labelled: Fixture[] }).labelled.filter((c) => c.unsupervised);
const mat = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe('unsupervisedFromCodes against disentanglement_lib (np.cov, slogdet, scipy sqrtm, mutual_info_score)', () => {
  for (const c of cases) {
    it(`reproduces ${c.name}`, () => {
      const u = c.unsupervised!;
      const r = unsupervisedFromCodes(c.codes);
      expect(rel(r.gaussianTotalCorrelation, u.gaussianTotalCorrelation)).toBeLessThan(1e-9);
      expect(rel(r.gaussianWassersteinCorrelation, u.gaussianWassersteinCorrelation)).toBeLessThan(1e-9);
      expect(rel(r.gaussianWassersteinCorrelationNorm, u.gaussianWassersteinCorrelationNorm)).toBeLessThan(1e-9);
      expect(Math.abs(r.mutualInfoScore - u.mutualInfoScore)).toBeLessThan(1e-12);
      r.covariance.forEach((row, i) => row.forEach((v, j) => expect(rel(v, u.covariance[i][j])).toBeLessThan(1e-12)));
      expect(r.constantDims).toEqual([]);
    });
  }
});

describe('Gaussian total / Wasserstein correlation (DL unit tests)', () => {
  it('TC(I) = 0 and Wasserstein(I) = 0', () => {
    const I = mat([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(gaussianTotalCorrelation(I)).toBe(0);
    expect(gaussianWassersteinCorrelation(I)).toBe(0);
  });
  it('Wasserstein of any diagonal covariance is 0', () => {
    expect(Math.abs(gaussianWassersteinCorrelation(mat([[4, 0], [0, 9]])))).toBeLessThan(1e-12);
  });
  it('TC equals KL(N(0,Σ) ‖ N(0, diag Σ)) computed the unstable way', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 5 }), (seed, d) => {
      const rng = createRng(seed);
      const a = Array.from({ length: d }, () => Array.from({ length: d }, () => rng.normal()));
      // Σ = A Aᵀ + I is well conditioned
      const sigma = a.map((ri, i) => a.map((rj, j) => ri.reduce((s, v, k) => s + v * rj[k], 0) + (i === j ? 1 : 0)));
      // KL = ½(tr(D⁻¹Σ) − d + ln det D − ln det Σ) with tr(D⁻¹Σ) = d
      const logDetSigma = choleskyLogDet(sigma);
      const kl = 0.5 * (sigma.reduce((s, r, i) => s + Math.log(r[i]), 0) - logDetSigma);
      return Math.abs(gaussianTotalCorrelation(mat(sigma)) - kl) < 1e-10;
    }), { numRuns: 40 });
  });
  it('2×2 Wasserstein correlation by hand: 2 tr Σ − 2 tr sqrtm(diag(Σ)Σ)', () => {
    // Σ = [[1, ρ], [ρ, 1]]: diag(Σ)Σ = Σ, eigenvalues 1 ± ρ
    const rho = 0.6;
    const expected = 4 - 2 * (Math.sqrt(1 + rho) + Math.sqrt(1 - rho));
    expect(gaussianWassersteinCorrelation(mat([[1, rho], [rho, 1]]))).toBeCloseTo(expected, 14);
  });
});

function choleskyLogDet(a: number[][]): number {
  const n = a.length;
  const l = a.map((r) => r.map(() => 0));
  let logDet = 0;
  for (let j = 0; j < n; j++) {
    let s = a[j][j];
    for (let k = 0; k < j; k++) s -= l[j][k] * l[j][k];
    l[j][j] = Math.sqrt(s);
    logDet += 2 * Math.log(l[j][j]);
    for (let i = j + 1; i < n; i++) {
      let t = a[i][j];
      for (let k = 0; k < j; k++) t -= l[i][k] * l[j][k];
      l[i][j] = t / l[j][j];
    }
  }
  return logDet;
}

describe('unsupervisedFromCodes behaviour', () => {
  const rng = createRng(5);
  const independent = Array.from({ length: 4000 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  it('scores a code with a huge variance: the total correlation does not depend on each code\'s scale', () => {
    // One code scaled by 2^53 among codes near 1: on Σ itself the small eigenvalues fell under the singularity
    // tolerance and the score became +Infinity; on the correlation matrix it is the unscaled score.
    const correlated = independent.map(([x, y, z]) => [x, x + 0.3 * y, z]);
    const base = unsupervisedFromCodes(correlated).gaussianTotalCorrelation;
    for (const k of [53, -40, 30]) {
      const scaled = correlated.map(([x, y, z]) => [x * 2 ** k, y, z]);
      expect(unsupervisedFromCodes(scaled).gaussianTotalCorrelation).toBeCloseTo(base, 10);
    }
    expect(base).toBeGreaterThan(0.5);
  });

  it('is near 0 for independent codes and larger for correlated ones', () => {
    const a = unsupervisedFromCodes(independent);
    const b = unsupervisedFromCodes(independent.map(([x, y, z]) => [x, x + 0.3 * y, z]));
    expect(a.gaussianTotalCorrelation).toBeLessThan(0.01);
    expect(b.gaussianTotalCorrelation).toBeGreaterThan(a.gaussianTotalCorrelation + 0.5);
    expect(b.gaussianWassersteinCorrelation).toBeGreaterThan(a.gaussianWassersteinCorrelation);
    expect(b.mutualInfoScore).toBeGreaterThan(a.mutualInfoScore);
  });
  it('leaves a constant code out of the total correlation instead of returning NaN', () => {
    const withDead = independent.map(([x, y]) => [x, x + y, 0.1]);
    const r = unsupervisedFromCodes(withDead);
    const live = unsupervisedFromCodes(independent.map(([x, y]) => [x, x + y]));
    expect(r.constantDims).toEqual([2]);
    expect(r.gaussianTotalCorrelation).toBeCloseTo(live.gaussianTotalCorrelation, 12);
    expect(Number.isFinite(r.gaussianWassersteinCorrelation)).toBe(true);
  });
  it('returns +Infinity total correlation for duplicated (collinear) codes', () => {
    const r = unsupervisedFromCodes(independent.map(([x]) => [x, 2 * x]));
    expect(r.gaussianTotalCorrelation).toBe(Infinity);
  });
  it('total correlation is invariant to positive rescaling of codes and to permuting them', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.1, max: 10, noNaN: true }), (seed, s) => {
      const g = createRng(seed);
      const z = Array.from({ length: 200 }, () => {
        const x = g.normal();
        return [x, x + g.normal(), g.normal()];
      });
      const a = unsupervisedFromCodes(z);
      const b = unsupervisedFromCodes(z.map(([x, y, w]) => [w, s * x, y]));
      return Math.abs(a.gaussianTotalCorrelation - b.gaussianTotalCorrelation) < 1e-9 && Math.abs(a.mutualInfoScore - b.mutualInfoScore) < 1e-9 && a.gaussianTotalCorrelation >= -1e-12;
    }), { numRuns: 30 });
  });
  it('reads a tfjs tensor without leaking', () => {
    const before = tf.memory().numTensors;
    const t = tf.tensor2d(independent.slice(0, 100));
    const r = unsupervisedFromCodes(t);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(r.gaussianTotalCorrelation).toBeCloseTo(unsupervisedFromCodes(independent.slice(0, 100).map((row) => row.map(Math.fround))).gaussianTotalCorrelation, 12);
  });
  it('accepts a { codes, factors } pair and ignores the factors', () => {
    const z = independent.slice(0, 50);
    expect(unsupervisedFromCodes({ codes: z, factors: z.map(() => [0]) })).toEqual(unsupervisedFromCodes(z));
  });
  it('rejects NaN, a single code dim and a single row', () => {
    expect(() => unsupervisedFromCodes([[NaN, 1], [1, 2]])).toThrow(DisentangleError);
    expect(() => unsupervisedFromCodes([[1], [2]])).toThrow(/at least 2/);
    expect(() => unsupervisedFromCodes([[1, 2]])).toThrow(/at least 2/);
    expect(() => unsupervisedFromCodes([])).toThrow(DisentangleError);
  });
  it('computeUnsupervised samples codes only', async () => {
    const r = await computeUnsupervised({ dataset: factorVectorDataset([4, 5, 6]), represent: identityRepresentation(), numTrain: 800 });
    expect(r.gaussianTotalCorrelation).toBeLessThan(0.05);
    expect(r.covariance.length).toBe(3);
  });
});

describe('unsupervisedFromCodes on small random cases against the DL formulas', () => {
  type U = { gaussianTotalCorrelation: number; gaussianWassersteinCorrelation: number; gaussianWassersteinCorrelationNorm: number; mutualInfoScore: number };
  const randomCases = (randomFixtures as { cases: { codes: number[][]; unsupervised?: U }[] }).cases.filter((c) => c.unsupervised);
  it(`agrees on ${randomCases.length} cases`, () => {
    for (const c of randomCases) {
      const r = unsupervisedFromCodes(c.codes);
      const u = c.unsupervised!;
      expect(rel(r.gaussianTotalCorrelation, u.gaussianTotalCorrelation)).toBeLessThan(1e-9);
      expect(rel(r.gaussianWassersteinCorrelation, u.gaussianWassersteinCorrelation)).toBeLessThan(1e-9);
      expect(rel(r.gaussianWassersteinCorrelationNorm, u.gaussianWassersteinCorrelationNorm)).toBeLessThan(1e-9);
      expect(Math.abs(r.mutualInfoScore - u.mutualInfoScore)).toBeLessThan(1e-12);
    }
  });
});

describe('unsupervisedFromCodes on extreme magnitudes (issue 15: a raw TypeError near 1e200)', () => {
  const rng = createRng(21);
  const base = Array.from({ length: 300 }, () => {
    const x = rng.normal();
    return [x, x + 0.5 * rng.normal(), rng.normal()];
  });
  const ref = unsupervisedFromCodes(base);
  it('scores codes near 1e150 and 1e-200 like the same codes near 1 (the covariance scaled, the rest unchanged)', () => {
    for (const s of [1e150, 1e-200, 2 ** 70]) {
      const r = unsupervisedFromCodes(base.map((row) => row.map((v) => v * s)));
      expect(rel(r.gaussianTotalCorrelation, ref.gaussianTotalCorrelation)).toBeLessThan(1e-12);
      expect(rel(r.gaussianWassersteinCorrelationNorm, ref.gaussianWassersteinCorrelationNorm)).toBeLessThan(1e-12);
      expect(r.mutualInfoScore).toBe(ref.mutualInfoScore);
      if (s > 1) expect(rel(r.covariance[0][1] / (s * s), ref.covariance[0][1])).toBeLessThan(1e-12);
      if (s > 1) expect(rel(r.gaussianWassersteinCorrelation / (s * s), ref.gaussianWassersteinCorrelation)).toBeLessThan(1e-9);
    }
  });
  it('refuses codes whose covariance overflows float64 with NON_FINITE naming the codes', () => {
    for (const s of [1e200, 1e300]) {
      try {
        unsupervisedFromCodes(base.map((row) => row.map((v) => v * s)));
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DisentangleError);
        expect(e).toMatchObject({ code: 'NON_FINITE', argument: 'codes (in unsupervisedFromCodes)' });
        expect((e as Error).message).toMatch(/overflow/);
      }
    }
  });
});

describe('unsupervisedFromCodesAsync and computeUnsupervised (yield, abort)', () => {
  const rng = createRng(8);
  const wide = { data: Float64Array.from({ length: 2000 * 120 }, () => rng.normal()), shape: [2000, 120] as [number, number] };
  it('gives the same numbers as the synchronous entry', async () => {
    const small = { data: wide.data.subarray(0, 300 * 40), shape: [300, 40] as [number, number] };
    expect(await unsupervisedFromCodesAsync(small)).toEqual(unsupervisedFromCodes(small));
  });
  it('reports monotone progress that ends at its total', async () => {
    const seen: { done: number; total: number }[] = [];
    await unsupervisedFromCodesAsync({ data: wide.data.subarray(0, 500 * 60), shape: [500, 60] }, { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(10);
    for (let i = 1; i < seen.length; i++) expect(seen[i].done).toBeGreaterThanOrEqual(seen[i - 1].done);
    expect(seen.every((p) => p.done <= p.total)).toBe(true);
    expect(seen.at(-1)!.done).toBe(seen.at(-1)!.total);
  });
  it('lets timers run while it computes and stops with ABORTED soon after the signal fires', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const ac = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = Date.now();
      ac.abort();
    }, 60);
    const err = await unsupervisedFromCodesAsync(wide, { signal: ac.signal }).catch((e: unknown) => e);
    clearInterval(timer);
    expect(err).toMatchObject({ code: 'ABORTED' });
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    expect(ticks).toBeGreaterThanOrEqual(1);
  });
  it('computeUnsupervised honours an abort that fires while the scores are computed', async () => {
    // 80 wide codes: sampling is quick, the scores take a few hundred ms; the abort is set off when sampling ends
    const dataset = factorVectorDataset(new Array<number>(80).fill(7));
    const ac = new AbortController();
    let abortedAt = 0;
    const onProgress = (p: { done: number; total: number }): void => {
      if (p.done === p.total && !abortedAt) setTimeout(() => ((abortedAt = Date.now()), ac.abort()), 20);
    };
    const err = await computeUnsupervised({ dataset, represent: identityRepresentation(), numTrain: 20_000, batchSize: 2000, signal: ac.signal, onProgress }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ABORTED' });
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
  });
});

describe('unsupervisedFromCodes call forms and option names', () => {
  const rng = createRng(21);
  const codes = Array.from({ length: 200 }, () => {
    const a = rng.normal();
    return [a, a + 0.5 * rng.normal(), rng.normal()];
  });
  const other = [[1, 2, 3], [4, 5, 6]];
  it('takes bare codes or { codes, factors }, then an ignored test split (bare or labelled) and the options', async () => {
    const a = unsupervisedFromCodes(codes, { numBins: 5 });
    expect(a.score).toBe(a.gaussianTotalCorrelation);
    expect(unsupervisedFromCodes(codes, other, { numBins: 5 })).toEqual(a);
    expect(unsupervisedFromCodes({ codes, factors: codes.map(() => [0]) }, { codes: other, factors: [[0], [1]] }, { numBins: 5 })).toEqual(a);
    expect(unsupervisedFromCodes(codes, undefined, { numBins: 5 })).toEqual(a);
    expect(unsupervisedFromCodes(codes, other)).toEqual(unsupervisedFromCodes(codes));
    expect(unsupervisedFromCodes(codes, { numBins: 3 }).mutualInfoScore).not.toBe(a.mutualInfoScore);
    expect(await unsupervisedFromCodesAsync(codes, other, { numBins: 5 })).toEqual(a);
  });
  it('refuses a misspelt option with the closest valid name, in all three entries', async () => {
    expect(() => unsupervisedFromCodes(codes, { numBns: 5 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'numBns', message: expect.stringMatching(/did you mean numBins\?/) }));
    await expect(unsupervisedFromCodesAsync(codes, { signl: AbortSignal.timeout(1000) } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/did you mean signal\?/) });
    await expect(computeUnsupervised({ dataset: factorVectorDataset([4, 5]), represent: identityRepresentation(), numTrain: 40, numBin: 5 } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringMatching(/did you mean numBins\?/),
    });
  });
});
