import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fixtures from '../fixtures/dhsic_cases.json' with { type: 'json' };
import { computeDhsic, dhsicFromCodes } from '../../src/metrics/dhsic.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { factorVectorDataset, identityRepresentation, rotatedRepresentation } from '../helpers/representations.js';

const cases = (fixtures as {
  dhsic: { name: string; codes: number[][]; score: number; bandwidths: number[]; terms: number[]; gaussian: { score: number; bandwidths: number[] } }[];
}).dhsic;

describe('dhsicFromCodes against the InfoGAN-CR kernel materialized with numpy', () => {
  for (const c of cases) {
    it(`reproduces ${c.name} (score to 1e-12, bandwidths exactly)`, () => {
      const r = dhsicFromCodes(c.codes);
      expect(r.bandwidths).toEqual(c.bandwidths);
      expect(Math.abs(r.score - c.score)).toBeLessThan(1e-12);
      expect(Math.abs(r.terms.t1 - c.terms[0])).toBeLessThan(1e-12);
      expect(Math.abs(r.terms.t2 - c.terms[1])).toBeLessThan(1e-12);
      expect(Math.abs(r.terms.t3 - c.terms[2])).toBeLessThan(1e-12);
    });
  }
  for (const c of cases) {
    it(`reproduces ${c.name} with the Gaussian kernel of Pfister et al.'s dHSIC package`, () => {
      const r = dhsicFromCodes(c.codes, { kernel: 'gaussian' });
      expect(r.kernel).toBe('gaussian');
      expect(r.bandwidths).toEqual(c.gaussian.bandwidths);
      expect(Math.abs(r.score - c.gaussian.score)).toBeLessThan(1e-12);
    });
  }
  it('rejects an unknown kernel', () => expect(() => dhsicFromCodes(cases[0].codes, { kernel: 'rbf' as never })).toThrow(DisentangleError));
  it('scores dependent codes above independent ones', () => {
    const byName = Object.fromEntries(cases.map((c) => [c.name, c.score]));
    expect(byName.dependent).toBeGreaterThan(5 * byName.independent);
  });
});

describe('dhsicFromCodes properties', () => {
  const draw = (seed: number, n: number, D: number) => {
    const rng = createRng(seed);
    return Array.from({ length: n }, () => Array.from({ length: D }, () => rng.normal()));
  };
  it('is ≥ 0 (up to round-off) and unchanged by permuting the code dims', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 4 }), (seed, D) => {
      const z = draw(seed, 60, D);
      const a = dhsicFromCodes(z).score;
      const b = dhsicFromCodes(z.map((r) => [...r].reverse())).score;
      return a >= -1e-12 && Math.abs(a - b) < 1e-12;
    }), { numRuns: 30 });
  });
  it('is unchanged by shifting a code (kernel depends on differences only)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
      const z = draw(seed, 50, 2).map((r) => r.map((v) => Math.round(v * 256) / 256));
      return Math.abs(dhsicFromCodes(z).score - dhsicFromCodes(z.map(([x, y]) => [x + 4, y])).score) < 1e-12;
    }), { numRuns: 20 });
  });
  it('lets a constant code drop out instead of producing NaN (bandwidth 0)', () => {
    const z = draw(3, 80, 2).map(([x, y]) => [x, x * x + 0.1 * y]);
    const r = dhsicFromCodes(z.map((row) => [...row, 1.5]));
    expect(r.bandwidths[2]).toBe(0);
    expect(r.score).toBeCloseTo(dhsicFromCodes(z).score, 14);
  });
  it('accepts explicit bandwidths and reads tensors without leaking', () => {
    const z = draw(4, 40, 2);
    const before = tf.memory().numTensors;
    const t = tf.tensor2d(z, undefined, 'float32');
    const r = dhsicFromCodes(t, { bandwidths: [1, 2] });
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(r.bandwidths).toEqual([1, 2]);
    expect(() => dhsicFromCodes(z, { bandwidths: [1] })).toThrow(DisentangleError);
  });
  it('accepts a { codes, factors } pair and ignores the factors', () => {
    const z = draw(6, 30, 2);
    expect(dhsicFromCodes({ codes: z, factors: z.map(() => [1]) })).toEqual(dhsicFromCodes(z));
  });
  it('rejects NaN and empty codes', () => {
    expect(() => dhsicFromCodes([[NaN, 1]])).toThrow(DisentangleError);
    expect(() => dhsicFromCodes([])).toThrow(DisentangleError);
  });
});

describe('computeDhsic', () => {
  it('samples numSamples points; independent factors give a lower score than a rotation that mixes them', async () => {
    const dataset = factorVectorDataset([6, 7]);
    let last = 0;
    const id = await computeDhsic({ dataset, represent: identityRepresentation(), numSamples: 300, seed: 1, onProgress: (p) => (last = p.total) });
    const rot = await computeDhsic({ dataset, represent: rotatedRepresentation(2, 3), numSamples: 300, seed: 1 });
    expect(last).toBeGreaterThan(0);
    expect(id.bandwidths.length).toBe(2);
    expect(rot.score).toBeGreaterThan(id.score);
  });
  it('matches dhsicFromCodes on the same draw and honours an aborted signal', async () => {
    const dataset = factorVectorDataset([6, 7]);
    const codes: number[][] = [];
    const represent = (x: unknown) => {
      const o = x as { data: Float64Array; shape: [number, number] };
      for (let i = 0; i < o.shape[0]; i++) codes.push([o.data[2 * i], o.data[2 * i + 1]]);
      return x as never;
    };
    const r = await computeDhsic({ dataset, represent, numSamples: 200, seed: 5 });
    expect(codes.length).toBe(200);
    expect(r).toEqual(dhsicFromCodes(codes));
    const ac = new AbortController();
    ac.abort();
    await expect(computeDhsic({ dataset, represent: identityRepresentation(), numSamples: 50, signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('dhsicFromCodes call forms and option names', () => {
  const z = [[0, 1], [1, 3], [2, 2], [3, 0], [4, 4], [5, 1]];
  const other = [[9, 9], [8, 8]];
  it('takes bare codes or { codes, factors }, then an ignored test split and the options', () => {
    const a = dhsicFromCodes(z, { kernel: 'gaussian' });
    expect(dhsicFromCodes(z, other, { kernel: 'gaussian' })).toEqual(a);
    expect(dhsicFromCodes({ codes: z, factors: z.map(() => [0]) }, { codes: other, factors: [[0], [1]] }, { kernel: 'gaussian' })).toEqual(a);
    expect(dhsicFromCodes(z, other)).toEqual(dhsicFromCodes(z));
    expect(dhsicFromCodes(z).kernel).toBe('infogan-cr');
  });
  it('refuses a misspelt option with the closest valid name, in both entries', async () => {
    expect(() => dhsicFromCodes(z, { kernal: 'gaussian' } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'kernal', message: expect.stringMatching(/did you mean kernel\?/) }));
    const dataset = factorVectorDataset([6, 7]);
    await expect(computeDhsic({ dataset, represent: identityRepresentation(), numSample: 50 } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      argument: 'numSample',
      message: expect.stringMatching(/did you mean numSamples\?/),
    });
    // dHSIC draws one sample: numTrain is not among its options
    await expect(computeDhsic({ dataset, represent: identityRepresentation(), numTrain: 50 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'numTrain' });
  });
});
