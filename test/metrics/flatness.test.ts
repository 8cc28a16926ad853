import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fixture from '../fixtures/disent-flatness.json' with { type: 'json' };
import { computeFlatness, type FlatnessResult } from '../../src/metrics/flatness.js';
import { flatnessAverages, measureTraversal, TraversalMeansAccumulator, type TraversalMeasures } from '../../src/estimators/traversalFlatness.js';
import type { FactorBatch, GroundTruthDataset, TensorLike } from '../../src/core/types.js';
import { dsprites } from '../../src/data/dsprites.js';
import { encodeDataset } from '../../src/data/encodeDataset.js';
import { imageMomentEncoder } from '../../src/models/analyticEncoders.js';

const KEYS = {
  aveFlatness: 'ave_flatness',
  aveFlatnessL1: 'ave_flatness_l1',
  aveFlatnessL2: 'ave_flatness_l2',
  aveWidthL1: 'ave_width_l1',
  aveWidthL2: 'ave_width_l2',
  aveLengthL1: 'ave_length_l1',
  aveLengthL2: 'ave_length_l2',
} as const;
type Reference = Record<(typeof KEYS)[keyof typeof KEYS], number>;

interface TraversalCase {
  name: string;
  factorSizes: number[];
  repeats: number;
  dims: number;
  traversals: number[][][];
  singles: Array<TraversalMeasures & { codes: number[][] }>;
  perFactor: TraversalMeasures[];
  result: Reference;
}
interface EndToEndCase {
  name: string;
  factorSizes: number[];
  encoder: 'linear' | 'curved' | 'wavy';
  W: number[][];
  repeats: number;
  batchSize: number;
  bases: number[][];
  result: Reference;
}
const { traversals: traversalCases, endToEnd } = fixture as unknown as { traversals: TraversalCase[]; endToEnd: EndToEndCase[] };

let maxDeviation = 0;
function expectReference(r: FlatnessResult, ref: Reference, tol = 1e-9): void {
  for (const [ours, theirs] of Object.entries(KEYS)) {
    const dev = Math.abs(r[ours as keyof typeof KEYS] - ref[theirs]);
    maxDeviation = Math.max(maxDeviation, dev);
    expect(dev, ours).toBeLessThan(tol);
  }
  expect(r.score).toBe(r.aveFlatness);
}

/** A dataset of raw factor vectors (float64) whose base rows come from a list, in order (disent's recorded draws). */
function replayDataset(factorSizes: readonly number[], bases?: number[][]): GroundTruthDataset<TensorLike> {
  let next = 0;
  return {
    factorSizes,
    deterministicObservations: true,
    ...(bases && {
      sampleFactors: (n: number): FactorBatch => {
        const rows = bases.slice(next, next + n);
        next += n;
        return { data: Int32Array.from(rows.flat()), shape: [rows.length, factorSizes.length] };
      },
    }),
    observationsFromFactors: (f: FactorBatch) => ({ data: Float64Array.from(f.data), shape: [f.shape[0], f.shape[1]] }),
  };
}

/** The fixture's encoders, as the script defines them: z = W x, tanh(0.3 W x) + 0.05 (W x)², or sin(1.3 W x). */
function fixtureEncoder(W: number[][], kind: 'linear' | 'curved' | 'wavy'): (x: TensorLike) => TensorLike {
  return (x) => {
    const o = x as { data: Float64Array; shape: [number, number] };
    const [n, K] = o.shape;
    const D = W.length;
    const data = new Float64Array(n * D);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < D; d++) {
        let h = 0;
        for (let k = 0; k < K; k++) h += W[d][k] * o.data[i * K + k];
        data[i * D + d] = kind === 'linear' ? h : kind === 'wavy' ? Math.sin(1.3 * h) : Math.tanh(0.3 * h) + 0.05 * h * h;
      }
    }
    return { data, shape: [n, D] };
  };
}

/** Our pure measures over the traversals of each factor, in disent's order (factor by factor, repeat by repeat). */
function pureFlatness(factorSizes: number[], repeats: number, traversals: number[][][]): { means: TraversalMeasures[]; averages: ReturnType<typeof flatnessAverages> } {
  let t = 0;
  const means = factorSizes.map((S) => {
    const acc = new TraversalMeansAccumulator(S);
    if (S > 1) for (let r = 0; r < repeats; r++) acc.add(measureTraversal(Float64Array.from(traversals[t++].flat()), 0, S, traversals[0][0].length));
    return acc.means();
  });
  return { means, averages: flatnessAverages(factorSizes, means) };
}

describe('flatness against nmichlo/disent _flatness.py (scripts/fixtures/disent_flatness.py)', () => {
  for (const c of traversalCases) {
    it(`pure measures on the same code traversals: ${c.name}`, () => {
      for (const s of c.singles) {
        const m = measureTraversal(Float64Array.from(s.codes.flat()), 0, s.codes.length, c.dims);
        for (const key of ['widthL1', 'widthL2', 'lengthL1', 'lengthL2'] as const) expect(Math.abs(m[key] - s[key])).toBeLessThan(1e-9);
      }
      const { means, averages } = pureFlatness(c.factorSizes, c.repeats, c.traversals);
      means.forEach((m, k) => {
        for (const key of ['widthL1', 'widthL2', 'lengthL1', 'lengthL2'] as const) expect(Math.abs(m[key] - c.perFactor[k][key])).toBeLessThan(1e-9);
      });
      expectReference({ ...averages, score: averages.aveFlatness, perFactor: [], repeats: c.repeats }, c.result);
    });

    it(`computeFlatness on the same codes (represent hands them out in order): ${c.name}`, async () => {
      const rows = c.traversals.flat();
      let next = 0;
      const represent = (x: TensorLike): TensorLike => {
        const n = (x as { shape: number[] }).shape[0];
        const out = rows.slice(next, next + n);
        next += n;
        return out;
      };
      const r = await computeFlatness({ dataset: replayDataset(c.factorSizes), represent, repeats: c.repeats, batchSize: 7 });
      expect(next).toBe(rows.length);
      expectReference(r, c.result);
      r.perFactor.forEach((f, k) => {
        expect(f.active).toBe(c.factorSizes[k] > 1);
        expect(Math.abs(f.widthL2 - c.perFactor[k].widthL2)).toBeLessThan(1e-9);
        expect(Math.abs(f.lengthL1 - c.perFactor[k].lengthL1)).toBeLessThan(1e-9);
      });
    });
  }

  for (const c of endToEnd) {
    it(`whole metric_flatness on a factor-vector dataset: ${c.name}`, async () => {
      const opts = { dataset: replayDataset(c.factorSizes, c.bases), represent: fixtureEncoder(c.W, c.encoder), repeats: c.repeats, batchSize: c.batchSize };
      expectReference(await computeFlatness(opts), c.result);
    });
  }

  it('covers size-1 factors, constant codes, a linear and a curved encoder (max deviation under 1e-9)', () => {
    expect(traversalCases.some((c) => c.factorSizes.includes(1))).toBe(true);
    expect(traversalCases.some((c) => c.perFactor.some((m) => m.widthL1 === 0))).toBe(true);
    expect(new Set(endToEnd.map((c) => c.encoder))).toEqual(new Set(['linear', 'curved', 'wavy']));
    expect(maxDeviation).toBeLessThan(1e-9);
  });
});

/** A traversal (S × D) from fast-check doubles. */
const traversal = (S: number, D: number) => fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: D, maxLength: D }), { minLength: S, maxLength: S });

describe('flatness invariants', () => {
  it('permuting or sign-flipping code dims changes nothing; scaling by c scales widths and lengths and keeps flatness', () => {
    fc.assert(
      fc.property(traversal(6, 4), fc.constantFrom([0, 1, 2, 3], [3, 1, 0, 2], [2, 3, 1, 0]), fc.array(fc.constantFrom(-1, 1), { minLength: 4, maxLength: 4 }), fc.double({ min: 0.01, max: 100, noNaN: true }), (z, perm, sign, c) => {
        const base = measureTraversal(Float64Array.from(z.flat()), 0, 6, 4);
        const moved = measureTraversal(Float64Array.from(z.flatMap((row) => perm.map((k, j) => sign[j] * row[k]))), 0, 6, 4);
        const scaled = measureTraversal(Float64Array.from(z.flat().map((v) => c * v)), 0, 6, 4);
        for (const key of ['widthL1', 'widthL2', 'lengthL1', 'lengthL2'] as const) {
          expect(moved[key]).toBeCloseTo(base[key], 9);
          expect(scaled[key]).toBeCloseTo(c * base[key], 6);
        }
        const ratio = (m: TraversalMeasures) => flatnessAverages([6], [m]);
        if (base.lengthL1 > 1e-9) {
          expect(ratio(scaled).aveFlatness).toBeCloseTo(ratio(base).aveFlatness, 9);
          expect(ratio(scaled).aveFlatnessL2).toBeCloseTo(ratio(base).aveFlatnessL2, 9);
        }
        // the width never exceeds the path: every flatness lies in [0, 1] (L2 width / L1 length too)
        for (const v of Object.values(ratio(base)).slice(0, 3)) expect(v).toBeLessThanOrEqual(1 + 1e-12);
      }),
      { numRuns: 60 },
    );
  });

  it('a linear encoder is flat (L1 and L2 flatness 1, aveFlatness = mean |w|₂ / |w|₁); a curved one is below 1', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.double({ min: 0.2, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 2, maxLength: 2 }), async (W) => {
        const sizes = [4, 5, 3];
        const dataset = replayDataset(sizes);
        const linear = await computeFlatness({ dataset, represent: fixtureEncoder(W, 'linear'), repeats: 3, seed: 1 });
        expect(linear.aveFlatnessL1).toBeCloseTo(1, 9);
        expect(linear.aveFlatnessL2).toBeCloseTo(1, 9);
        const expected = sizes.map((_, k) => Math.hypot(W[0][k], W[1][k]) / (Math.abs(W[0][k]) + Math.abs(W[1][k])));
        expect(linear.aveFlatness).toBeCloseTo(expected.reduce((a, b) => a + b) / 3, 9);
        // codes on a circle: each step turns, the path is longer than the chord
        const circle = (x: TensorLike): TensorLike => {
          const o = x as { data: Float64Array; shape: [number, number] };
          return Array.from({ length: o.shape[0] }, (_, i) => {
            const a = o.data[i * 3] * W[0][0] + o.data[i * 3 + 1] * W[0][1] + o.data[i * 3 + 2] * W[0][2];
            return [Math.cos(0.4 * a), Math.sin(0.4 * a)];
          });
        };
        const curved = await computeFlatness({ dataset, represent: circle, repeats: 3, seed: 1 });
        expect(curved.aveFlatnessL2).toBeLessThan(1 - 1e-6);
      }),
      { numRuns: 15 },
    );
  });

  it('one code dim per factor (the identity on factor indices) scores 1 on every flatness', async () => {
    const r = await computeFlatness({ dataset: replayDataset([3, 6, 4]), represent: (x) => x, repeats: 5 });
    expect(r.aveFlatness).toBeCloseTo(1, 12);
    expect(r.aveFlatnessL1).toBeCloseTo(1, 12);
    r.perFactor.forEach((f, k) => expect(f.widthL1).toBeCloseTo([2, 5, 3][k], 12));
  });
});

describe('flatness degenerate inputs and options', () => {
  it('constant codes score 0, never NaN; size-1 factors are left out; all-size-1 is BAD_INPUT', async () => {
    const constant = await computeFlatness({ dataset: replayDataset([3, 1, 4]), represent: (x) => Array.from({ length: (x as { shape: number[] }).shape[0] }, () => [1, 2]), repeats: 4 });
    expect(constant).toMatchObject({ score: 0, aveFlatness: 0, aveFlatnessL1: 0, aveFlatnessL2: 0, aveWidthL1: 0, aveLengthL2: 0 });
    expect(constant.perFactor.map((f) => f.flatness)).toEqual([0, null, 0]);
    expect(constant.perFactor[1]).toMatchObject({ active: false, widthL1: 0, lengthL1: 0, size: 1 });
    // a size-1 factor changes nothing: same as without it (its stream is forked but not drawn from)
    const identity = (x: TensorLike) => x;
    const withOne = await computeFlatness({ dataset: replayDataset([3, 1, 4]), represent: identity, repeats: 4 });
    expect(withOne.aveFlatness).toBeCloseTo(1, 12);
    await expect(computeFlatness({ dataset: replayDataset([1, 1]), represent: identity })).rejects.toMatchObject({ code: 'BAD_INPUT', argument: 'dataset.factorSizes' });
  });

  it('refuses unknown and invalid options', async () => {
    const dataset = replayDataset([3, 4]);
    const represent = (x: TensorLike) => x;
    await expect(computeFlatness({ dataset, represent, repeat: 8 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'repeat' });
    await expect(computeFlatness({ dataset, represent, repeats: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'repeats' });
    await expect(computeFlatness({ dataset, represent, batchSize: 1.5 })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'batchSize' });
    await expect(computeFlatness({ dataset, represent: (() => [[Number.NaN, 0]]) as never, repeats: 1, batchSize: 1 })).rejects.toMatchObject({ code: 'CALLBACK_RESULT' });
  });

  it('the batch size does not change the result', async () => {
    const dataset = replayDataset([5, 3]);
    const represent = fixtureEncoder([[0.3, -1], [2, 0.5], [1, 1]], 'curved');
    const a = await computeFlatness({ dataset, represent, repeats: 7, batchSize: 3, seed: 4 });
    const b = await computeFlatness({ dataset, represent, repeats: 7, batchSize: 64, seed: 4 });
    expect(b).toEqual(a);
  });
});

describe('computeFlatness on dSprites', () => {
  it('runs with the image-moment encoder, deterministically, reporting progress and leaking no tensors', async () => {
    const before = tf.memory().numTensors;
    const seen: { done: number; total: number }[] = [];
    const opts = { dataset: dsprites(), represent: imageMomentEncoder(), repeats: 4, seed: 3 };
    const r = await computeFlatness({ ...opts, onProgress: (p) => seen.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen[seen.length - 1].done).toBe(seen[0].total);
    expect(r.perFactor.map((f) => f.size)).toEqual([3, 6, 40, 32, 32]);
    expect(r.score).toBeGreaterThan(0);
    expect(r.score).toBeLessThanOrEqual(1);
    // position moves the centroid codes almost along a line: posX and posY are the flattest factors
    expect(r.perFactor[3].flatnessL2!).toBeGreaterThan(0.8);
    expect((await computeFlatness(opts)).score).toBe(r.score);
  });

  it('gives the same numbers through a code table as through represent', async () => {
    const dataset = replayDataset([4, 3, 5]);
    const represent = fixtureEncoder([[0.5, -1, 0.25], [2, 0.5, 1]], 'curved');
    const table = await encodeDataset({ represent, dataset });
    const viaTable = await computeFlatness({ dataset, codeTable: { data: table.codes, shape: table.shape }, repeats: 6, seed: 2 });
    const direct = await computeFlatness({ dataset, represent, repeats: 6, seed: 2 });
    for (const key of Object.keys(KEYS) as (keyof typeof KEYS)[]) expect(viaTable[key]).toBeCloseTo(direct[key], 5); // the table is float32
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    const pending = computeFlatness({ dataset: dsprites(), represent: imageMomentEncoder(), signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    const aborted = new AbortController();
    aborted.abort();
    await expect(computeFlatness({ dataset: dsprites(), represent: imageMomentEncoder(), signal: aborted.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
