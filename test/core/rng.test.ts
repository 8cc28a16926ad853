import { describe, expect, it } from 'vitest';
import { createRng, permutation, sampleWithoutReplacement } from '../../src/core/rng.js';
import { DisentangleError } from '../../src/core/errors.js';

describe('createRng', () => {
  it('repeats the same stream for the same seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    for (let i = 0; i < 100; i++) expect(a.float()).toBe(b.float());
  });
  it('gives different streams for different seeds', () => {
    expect(createRng(1).float()).not.toBe(createRng(2).float());
    expect(createRng(1).float()).not.toBe(createRng(1.5).float());
  });
  it('forks independent, reproducible children', () => {
    const a = createRng(7);
    const c1 = a.fork();
    const c2 = a.fork();
    const xs = Array.from({ length: 5 }, () => c1.float());
    const ys = Array.from({ length: 5 }, () => c2.float());
    expect(xs).not.toEqual(ys);
    const b = createRng(7);
    const d1 = b.fork();
    expect(Array.from({ length: 5 }, () => d1.float())).toEqual(xs);
  });
  it('draws uniform integers (chi-square, 10 bins, 100k draws)', () => {
    const rng = createRng(3);
    const counts = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[rng.int(10)]++;
    const e = n / 10;
    const chi2 = counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0);
    expect(chi2).toBeLessThan(27.88); // 99.9th percentile of chi-square with 9 dof
  });
  it('draws floats in [0, 1) and normals with mean 0, variance 1', () => {
    const rng = createRng(11);
    let s = 0;
    let s2 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const u = rng.float();
      expect(u >= 0 && u < 1).toBe(true);
      const z = rng.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  });
  it('rejects a non-finite seed and a bad bound', () => {
    expect(() => createRng(NaN)).toThrow(DisentangleError);
    expect(() => createRng(0).int(0)).toThrow(DisentangleError);
  });
  it('makes permutations and draws without replacement', () => {
    const p = Array.from(permutation(50, createRng(0))).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const s = sampleWithoutReplacement(1000, 100, createRng(0));
    expect(new Set(s).size).toBe(100);
  });
});
