import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { adjustedRandIndex, clusteringAccuracy, normalizedMutualInfo } from '../../src/metrics/clustering.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';

interface Case { a: number[]; b: number[]; accuracy: number; nmi: number; ari: number }
const fixture = JSON.parse(readFileSync(new URL('../fixtures/clustering.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('clustering scores against scikit-learn 1.2.1', () => {
  it('reproduces every fixture case', () => {
    for (const c of fixture.cases) {
      expect(clusteringAccuracy(c.a, c.b)).toBeCloseTo(c.accuracy, 12);
      expect(normalizedMutualInfo(c.b, c.a)).toBeCloseTo(c.nmi, 12);
      expect(adjustedRandIndex(c.b, c.a)).toBeCloseTo(c.ari, 12);
    }
  });
});

describe('hand-computed cases', () => {
  it('relabelled perfect clustering scores 1, 1, 1', () => {
    const truth = [0, 0, 1, 1, 2, 2, 2];
    const pred = [5, 5, 3, 3, 9, 9, 9];
    expect(clusteringAccuracy(pred, truth)).toBe(1);
    expect(normalizedMutualInfo(pred, truth)).toBeCloseTo(1, 14);
    expect(adjustedRandIndex(pred, truth)).toBe(1);
  });
  it('accuracy with more clusters than classes leaves the extra cluster unmatched', () => {
    // clusters {0,0},{1,1},{2}: best match 0→a, 1→b, so 4 of 5 right
    expect(clusteringAccuracy([0, 0, 1, 1, 2], [7, 7, 8, 8, 8])).toBeCloseTo(4 / 5, 15);
  });
  it('NMI of a two-cluster split against one merged pair', () => {
    // a = [0,0,1,1], b = [0,0,1,2]: I = ln 2, H(a) = ln 2, H(b) = 1.5 ln 2 → NMI = 1 / 1.25
    expect(normalizedMutualInfo([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.8, 14);
  });
  it('ARI of the same pair by counting pairs', () => {
    // unordered pairs: same-same 1, same-diff 1, diff-same 0, diff-diff 4 → ordered ×2
    // tp = 2, fp = 0, fn = 2, tn = 8: ARI = 2(2·8 − 0)/((4)(10) + (2)(8)) = 32/56
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(32 / 56, 15);
  });
  it('follows scikit-learn edge cases', () => {
    expect(normalizedMutualInfo([1, 1, 1], [4, 4, 4])).toBe(1);
    expect(normalizedMutualInfo([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(adjustedRandIndex([1, 1, 1], [4, 4, 4])).toBe(1);
    expect(adjustedRandIndex([], [])).toBe(1);
    expect(normalizedMutualInfo([], [])).toBe(1);
  });
  it('independent labels give ARI ≈ 0 and low NMI', () => {
    const rng = createRng(3);
    const a = Array.from({ length: 20000 }, () => rng.int(5));
    const b = Array.from({ length: 20000 }, () => rng.int(4));
    expect(Math.abs(adjustedRandIndex(a, b))).toBeLessThan(0.005);
    expect(normalizedMutualInfo(a, b)).toBeLessThan(0.005);
  });
  it('accepts typed arrays and {data, shape}', () => {
    expect(clusteringAccuracy(Int32Array.from([1, 1, 0]), { data: [0, 0, 1], shape: [3] })).toBe(1);
  });
});

describe('properties', () => {
  const labels = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 60 });
  const relabel = (xs: number[], perm: number[]) => xs.map((v) => perm[v]);
  const perm5 = fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 });
  it('are invariant to permuting label names', () => {
    fc.assert(
      fc.property(labels, perm5, perm5, fc.integer(), (a, p1, p2, seed) => {
        const rng = createRng(seed);
        const b = a.map(() => rng.int(3));
        const a2 = relabel(a, p1);
        const b2 = relabel(b, p2);
        expect(normalizedMutualInfo(a2, b2)).toBeCloseTo(normalizedMutualInfo(a, b), 12);
        expect(adjustedRandIndex(a2, b2)).toBeCloseTo(adjustedRandIndex(a, b), 12);
        expect(clusteringAccuracy(a2, b2)).toBeCloseTo(clusteringAccuracy(a, b), 12);
      }),
    );
  });
  it('NMI and ARI are symmetric; all three are bounded', () => {
    fc.assert(
      fc.property(labels, fc.integer(), (a, seed) => {
        const rng = createRng(seed);
        const b = a.map(() => rng.int(4));
        expect(normalizedMutualInfo(a, b)).toBeCloseTo(normalizedMutualInfo(b, a), 12);
        expect(adjustedRandIndex(a, b)).toBeCloseTo(adjustedRandIndex(b, a), 12);
        const acc = clusteringAccuracy(a, b);
        expect(acc).toBeGreaterThan(0);
        expect(acc).toBeLessThanOrEqual(1);
        const nmi = normalizedMutualInfo(a, b);
        expect(nmi).toBeGreaterThanOrEqual(0);
        expect(nmi).toBeLessThanOrEqual(1 + 1e-12);
        expect(adjustedRandIndex(a, b)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('bad input', () => {
  it('names the argument', () => {
    expect(() => clusteringAccuracy([0, 1], [0])).toThrow(DisentangleError);
    expect(() => normalizedMutualInfo([0, NaN], [0, 1])).toThrow(/a/);
    expect(() => adjustedRandIndex([[0, 1]], [[0, 1]])).toThrow(DisentangleError);
    expect(() => clusteringAccuracy([], [])).toThrow(DisentangleError);
  });
});
