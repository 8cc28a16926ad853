import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fixture from '../fixtures/ubisoft-z-max.json' with { type: 'json' };
import { computeZMax, zMaxFromCodes, zMaxResult } from '../../src/metrics/zMax.js';
import { combinationGroups, zMaxVote } from '../../src/estimators/zMaxVotes.js';
import { intMatrix } from '../../src/core/matrix.js';
import { dsprites } from '../../src/data/dsprites.js';
import { imageMomentEncoder } from '../../src/models/analyticEncoders.js';
import { collapsedRepresentation, factorVectorDataset, identityRepresentation } from '../helpers/representations.js';
import { expectError } from '../helpers/errors.js';

interface SpreadCase {
  name: string;
  codes: number[][];
  factors: number[][];
  options: Record<string, number>;
  values: number[];
  mean: number;
  min: number;
  max: number;
  std: number;
}
interface Batch {
  factor: number;
  rows: number[];
}
interface Exact {
  codes: number[][];
  numFactors: number;
  globalVariance: number[];
  active: boolean[];
  train: Batch[];
  eval: Batch[];
  trainArgmax: number[];
  evalArgmax: number[];
  trainVotes: number[][];
  evalVotes: number[][];
  trainAccuracy: number;
  evalAccuracy: number;
  scaledTrainAccuracy: number;
  scaledEvalAccuracy: number;
}
const data = fixture as unknown as { seeds: number; cases: SpreadCase[]; exact: Exact; tooFine: { codes: number[][]; factors: number[][]; isNaN: boolean } };
const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7];

describe('zMaxFromCodes within the seed spread of ubisoft z_max_var.py (scripts/fixtures/ubisoft_z_max.py)', () => {
  for (const c of data.cases) {
    it(c.name, () => {
      const ours = SEEDS.map((seed) => zMaxFromCodes({ codes: c.codes, factors: c.factors }, { ...c.options, seed }).score);
      const mean = ours.reduce((a, b) => a + b, 0) / ours.length;
      // each value within 4 reference standard deviations of the reference's mean (exact when the spread is 0) ...
      for (const v of ours) expect(Math.abs(v - c.mean)).toBeLessThanOrEqual(4 * c.std + 1e-12);
      // ... and our mean within 4 standard errors of the difference of two means (8 vs 20 seeds)
      expect(Math.abs(mean - c.mean)).toBeLessThanOrEqual(4 * c.std * Math.sqrt(1 / ours.length + 1 / data.seeds) + 1e-12);
      // most values inside the reference's observed [min, max]
      expect(ours.filter((v) => v >= c.min - 1e-12 && v <= c.max + 1e-12).length).toBeGreaterThanOrEqual(ours.length - 2);
    });
  }
  it('covers perfect, entangled, D > K, D < K, a collapsed code and continuous factors', () => {
    const D = data.cases.map((c) => Math.sign(c.codes[0].length - c.factors[0].length));
    expect(new Set(D)).toEqual(new Set([-1, 0, 1]));
    expect(data.cases.some((c) => c.std > 0.02 && c.mean < 0.2)).toBe(true); // entangled: near chance
    expect(data.cases.some((c) => c.options.factorDiscretizer === 3)).toBe(true);
  });
});

describe('Z-max sub-steps against the reference helpers, exactly', () => {
  const e = data.exact;
  const codes = { data: Float64Array.from(e.codes.flat()), rows: e.codes.length, cols: e.codes[0].length };
  const active = Uint8Array.from(e.active, (a) => (a ? 1 : 0));
  const activeIndex = Array.from(active.keys()).filter((d) => active[d]);

  it('global variance (ddof 1) and active codes', () => {
    const factors = e.codes.map((_, i) => [i % 2, Math.floor(i / 2) % 2]);
    const r = zMaxFromCodes({ codes: e.codes, factors }, { numTrain: 1, numEval: 1, batchSize: 2 });
    r.globalVariance.forEach((v, d) => expect(Math.abs(v - e.globalVariance[d]) / e.globalVariance[d]).toBeLessThan(1e-12));
    expect(r.numActiveDims).toBe(activeIndex.length);
  });

  it('the argmax of each given batch (the reference indexes the active codes; we keep the true index)', () => {
    const scale = Float64Array.from(e.globalVariance);
    const ours = (bs: Batch[]): number[] => bs.map((b) => zMaxVote(codes, b.rows, scale, active));
    expect(ours(e.train)).toEqual(e.trainArgmax.map((j) => activeIndex[j]));
    expect(ours(e.eval)).toEqual(e.evalArgmax.map((j) => activeIndex[j]));
  });

  it('votes → classifier → accuracies, scaled and not, to 1e-12', () => {
    const tally = (bs: Batch[], argmax: number[]) => {
      const m = intMatrix(e.numFactors, codes.cols);
      bs.forEach((b, i) => (m.data[b.factor * codes.cols + activeIndex[argmax[i]]] += 1));
      return m;
    };
    const tv = tally(e.train, e.trainArgmax);
    const ev = tally(e.eval, e.evalArgmax);
    const variance = Float64Array.from(e.globalVariance);
    const plain = zMaxResult(tv, ev, variance, active, false);
    const scaled = zMaxResult(tv, ev, variance, active, true);
    expect(Math.abs(plain.trainAccuracy - e.trainAccuracy)).toBeLessThan(1e-12);
    expect(Math.abs(plain.evalAccuracy - e.evalAccuracy)).toBeLessThan(1e-12);
    expect(Math.abs(scaled.trainAccuracy - e.scaledTrainAccuracy)).toBeLessThan(1e-12);
    expect(Math.abs(scaled.evalAccuracy - e.scaledEvalAccuracy)).toBeLessThan(1e-12);
    // our D×K table is the reference's with its rows moved back to the true code index
    const shifted = e.trainVotes.map((_, d) => (active[d] ? e.trainVotes[activeIndex.indexOf(d)] : e.trainVotes[0].map(() => 0)));
    expect(plain.votes).toEqual(shifted);
  });

  it('a table in which no combination repeats: the reference returns NaN, we throw BAD_INPUT naming train.factors', () => {
    expect(data.tooFine.isNaN).toBe(true);
    expectError(() => zMaxFromCodes({ codes: data.tooFine.codes, factors: data.tooFine.factors }), 'BAD_INPUT', /train\.factors/, /too fine/);
  });
});

/** A table over a full 3×4×2 grid repeated `reps` times, with codes from `code(row)`. */
function grid(reps: number, code: (f: number[], i: number) => number[]): { codes: number[][]; factors: number[][] } {
  const factors: number[][] = [];
  for (let r = 0; r < reps; r++) for (let a = 0; a < 3; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 2; c++) factors.push([a, b, c]);
  return { factors, codes: factors.map(code) };
}
const small = { numTrain: 120, numEval: 120, batchSize: 16 };

describe('zMaxFromCodes invariants and guards', () => {
  it('permuting the codes permutes the votes and keeps the score; scaling a code keeps the score', () => {
    fc.assert(
      fc.property(
        fc.constantFrom([0, 1, 2], [2, 0, 1], [1, 2, 0]),
        fc.array(fc.constantFrom(0.5, 2, 10, -3), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (perm, scale, seed) => {
          const t = grid(4, (f, i) => f.map((v, j) => v * (j + 1) * 0.3 + 0.4 * Math.sin(5 * i + 3 * j) + 0.2 * f[(j + 1) % 3]));
          const base = zMaxFromCodes(t, { ...small, seed });
          const moved = zMaxFromCodes({ factors: t.factors, codes: t.codes.map((row) => perm.map((k, j) => row[k] * scale[j])) }, { ...small, seed });
          expect(moved.score).toBeCloseTo(base.score, 12);
          expect(moved.votes).toEqual(perm.map((k) => base.votes[k]));
          expect(moved.evalVotes).toEqual(perm.map((k) => base.evalVotes[k]));
        },
      ),
      { numRuns: 20 },
    );
  });

  it('perfect codes score 1, entangled codes less', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
        const perfect = zMaxFromCodes(grid(3, (f, i) => [f[0] + 0.01 * Math.sin(i), f[1], f[2]]), { ...small, seed });
        const entangled = zMaxFromCodes(grid(3, (f, i) => [0, 1, 2].map((j) => f[0] + f[1] + f[2] + 0.8 * Math.sin(7 * i + 11 * j))), { ...small, seed });
        expect(perfect.score).toBe(1);
        expect(perfect.mapping).toEqual([0, 1, 2]);
        expect(entangled.score).toBeLessThan(perfect.score);
      }),
      { numRuns: 10 },
    );
  });

  it('is deterministic per seed; `scale: false` reports raw accuracies; votes add up', () => {
    const t = grid(3, (f, i) => [f[0] + f[1], f[1] + Math.sin(i), f[2]]);
    const a = zMaxFromCodes(t, { ...small, seed: 4 });
    expect(zMaxFromCodes(t, { ...small, seed: 4 })).toEqual(a);
    const raw = zMaxFromCodes(t, { ...small, seed: 4, scale: false });
    expect(raw.evalAccuracy).toBeCloseTo(a.evalAccuracy * (2 / 3) + 1 / 3, 12);
    expect(a.votes.flat().reduce((s, v) => s + v, 0)).toBe(120);
    expect(a.evalVotes.flat().reduce((s, v) => s + v, 0)).toBe(120);
    expect(a.votes).toHaveLength(3);
    expect(a.votes[0]).toHaveLength(3);
  });

  it('with a test split, the evaluation votes come from it', () => {
    const train = grid(3, (f) => [f[0], f[1], f[2]]);
    const scrambled = grid(3, (f, i) => [Math.sin(i * 3.1), Math.cos(i * 1.7), Math.sin(i * 0.37 + 1)]);
    const same = zMaxFromCodes(train, train, small);
    expect(same.score).toBe(1);
    const other = zMaxFromCodes(train, scrambled, small);
    expect(other.trainAccuracy).toBe(1);
    expect(other.evalAccuracy).toBeLessThan(0.8);
  });

  it('a collapsed code casts no vote; all collapsed scores 0; a constant factor is BAD_INPUT', () => {
    const t = grid(3, (f) => [5, f[0], f[1], f[2]]);
    const r = zMaxFromCodes(t, small);
    expect(r.numActiveDims).toBe(3);
    expect(r.votes[0]).toEqual([0, 0, 0]);
    expect(r.score).toBe(1);
    expect(r.mapping.slice(1)).toEqual([0, 1, 2]);
    const dead = zMaxFromCodes(grid(3, () => [1, 2]), small);
    expect(dead).toMatchObject({ score: 0, trainAccuracy: 0, evalAccuracy: 0, numActiveDims: 0 });
    // stdThreshold 0 keeps a constant code out too (numpy's argmax would pick its NaN ratio)
    expect(zMaxFromCodes(t, { ...small, stdThreshold: 0 }).votes[0]).toEqual([0, 0, 0]);
    const constant = grid(3, (f) => f);
    expectError(() => zMaxFromCodes({ codes: constant.codes, factors: constant.factors.map(([a, b]) => [a, b, 7]) }), 'BAD_INPUT', /train\.factors/);
    expectError(() => zMaxFromCodes(t, { codes: constant.codes.slice(0, 4).map((r) => [...r, 0]), factors: constant.factors.slice(0, 4).map(([a]) => [a, 0, 1]) }), 'BAD_INPUT', /test\.factors/);
  });

  it('checks sizes and options', () => {
    const t = grid(2, (f) => f);
    expectError(() => zMaxFromCodes({ codes: [[1, 2]], factors: [[0, 1]] }), 'EMPTY', /train/);
    expectError(() => zMaxFromCodes({ codes: t.codes, factors: t.factors.map(([a]) => [a]) }), 'SHAPE_MISMATCH', /train\.factors/);
    expectError(() => zMaxFromCodes(t, { numTrian: 5 } as never), 'BAD_OPTION', /numTrian/, /numTrain/);
    expectError(() => zMaxFromCodes(t, { scale: 1 } as never), 'BAD_OPTION', /scale/);
    expectError(() => zMaxFromCodes(t, { batchSize: 1 }), 'BAD_OPTION', /batchSize/);
    expectError(() => zMaxFromCodes(t, { numEval: 0 }), 'BAD_OPTION', /numEval/);
    expectError(() => zMaxFromCodes(t, { codes: [[0, 1]], factors: [[0, 1, 2]] }), 'SHAPE_MISMATCH', /test/);
    expectError(() => zMaxFromCodes({ codes: t.codes, factors: t.factors.map((r) => r.map((v) => v + 0.5)) }), 'BAD_INPUT', /train\.factors/, /factorDiscretizer/);
  });

  it('groups rows by the other factors', () => {
    const f = intMatrix(5, 2, Int32Array.of(0, 1, 1, 1, 2, 0, 0, 0, 3, 1));
    expect(combinationGroups(f, 0).map((g) => Array.from(g))).toEqual([[2, 3], [0, 1, 4]]);
    expect(combinationGroups(f, 1).map((g) => Array.from(g))).toEqual([[0, 3]]);
  });
});

describe('computeZMax', () => {
  const opts = { numTrain: 60, numEval: 60, batchSize: 32, numVarianceEstimate: 500 };

  it('scores the identity representation 1 and the collapsed one 0', async () => {
    const dataset = factorVectorDataset();
    const r = await computeZMax({ dataset, represent: identityRepresentation(), seed: 1, ...opts });
    expect(r.score).toBe(1);
    expect(r.mapping).toEqual([0, 1, 2, 3, 4]);
    expect(r.votes.flat().reduce((a, b) => a + b, 0)).toBe(60);
    const seen: number[] = [];
    const dead = await computeZMax({ dataset, represent: collapsedRepresentation(5), ...opts, onProgress: (p) => seen.push(p.done) });
    expect(dead).toMatchObject({ score: 0, numActiveDims: 0, numCodeDims: 5 });
    expect(seen[seen.length - 1]).toBe(Math.ceil(500 / 32) + 120);
  });

  it('runs on procedural dSprites with the image-moment encoder, deterministically and without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const run = { dataset: dsprites(), represent: imageMomentEncoder(), seed: 2, numTrain: 20, numEval: 20, batchSize: 10, numVarianceEstimate: 100 };
    const r = await computeZMax(run);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.numCodeDims).toBeGreaterThan(0);
    expect(r.score).toBeGreaterThan(0.2); // the centroid codes find posX and posY
    expect(r.score).toBeLessThanOrEqual(1);
    expect((await computeZMax(run)).score).toBe(r.score);
  });

  it('honours an abort and refuses unknown options', async () => {
    const controller = new AbortController();
    const run = computeZMax({ dataset: factorVectorDataset(), represent: identityRepresentation(), ...opts, numTrain: 5000, signal: controller.signal, onProgress: (p) => p.done > 20 && controller.abort() });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(computeZMax({ dataset: dsprites(), represent: imageMomentEncoder(), numTrian: 64 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(computeZMax({ dataset: dsprites(), represent: imageMomentEncoder(), factorDiscretizer: 3 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
