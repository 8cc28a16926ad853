import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import type { FactorBatch, GroundTruthDataset } from '../../src/core/types.js';
import { udr, type UdrModel } from '../../src/selection/udr.js';
import { makePopulation } from '../helpers/populations.js';

type Block = { data: Float64Array; shape: [number, number] };

/** disentanglement_lib's DummyData in spirit: 10 factors of 5 values; the observation is the factor vector. */
const dummy: GroundTruthDataset<Block> = {
  factorSizes: new Array(10).fill(5),
  observationsFromFactors: (f: FactorBatch) => ({ data: Float64Array.from(f.data), shape: [f.shape[0], f.shape[1]] }),
};

function columns(x: Block, pick: (row: Float64Array, r: number) => number[]): Block {
  const [n, d] = x.shape;
  const rows = Array.from({ length: n }, (_, r) => pick(x.data.subarray(r * d, (r + 1) * d), r));
  return { data: Float64Array.from(rows.flat()), shape: [n, rows[0].length] };
}

describe('udr: disentanglement_lib behaviour', () => {
  const permutation = [3, 7, 1, 0, 9, 2, 5, 8, 4, 6];
  const flipped = new Set([0, 2, 3, 8, 9]);
  const identity: UdrModel<Block> = (x) => ({ mean: x });
  const permutedFlipped: UdrModel<Block> = (x) => ({ mean: columns(x, (row) => permutation.map((p, k) => (flipped.has(k) ? -row[p] : row[p]))) });

  for (const correlation of ['lasso', 'spearman'] as const) {
    it(`scores two models that differ by a permutation and sign flips in [0.8, 1] (${correlation})`, async () => {
      const r = await udr({ models: [identity, permutedFlipped], dataset: dummy, correlation });
      for (const s of r.scores) {
        expect(s).toBeGreaterThanOrEqual(0.8);
        expect(s).toBeLessThanOrEqual(1 + 1e-12);
      }
      // Without logVar every dim counts as active.
      expect(r.kl[0].every((v) => v === Infinity)).toBe(true);
      expect(r.active[1].every(Boolean)).toBe(true);
    });
  }

  it('one informative dim plus random dims: ≤ 0.2 without the KL filter, ≥ 0.8 with it', async () => {
    const rng = createRng(3);
    // Dim 0 carries factor 0 (KL = ½·E[f²] = 3); the other dims are tiny random means with KL ≈ 0.
    const model: UdrModel<Block> = (x) => ({
      mean: columns(x, (row) => [row[0], ...Array.from({ length: 9 }, () => 0.01 * rng.float())]),
      logVar: { data: new Float64Array(x.shape[0] * 10), shape: [x.shape[0], 10] },
    });
    const off = await udr({ models: [model, model], dataset: dummy, correlation: 'lasso', filterLowKl: false });
    const on = await udr({ models: [model, model], dataset: dummy, correlation: 'lasso', filterLowKl: true });
    for (const s of off.scores) expect(s).toBeLessThanOrEqual(0.2);
    for (const s of on.scores) expect(s).toBeGreaterThanOrEqual(0.8);
    expect(on.active[0]).toEqual([true, ...new Array(9).fill(false)]);
  });

  it('zeroes dims with KL ≤ 0.01 whatever klFilterThreshold is (the hard-coded DL quirk)', async () => {
    const model: UdrModel<Block> = (x) => ({
      mean: columns(x, (row, r) => [row[0], row[1], 0.01 * ((r * 7919) % 13)]),
      logVar: { data: new Float64Array(x.shape[0] * 3), shape: [x.shape[0], 3] },
    });
    // With threshold 0 the near-zero-KL dim stays in the mask but its codes are zeroed: a zero row and column.
    const r = await udr({ models: [model, model], dataset: dummy, correlation: 'lasso', klFilterThreshold: 0 });
    expect(r.active[0]).toEqual([true, true, true]);
    expect(r.correlations[0][1][2]).toEqual([0, 0, 0]);
    expect(r.correlations[0][1].map((row) => row[2])).toEqual([0, 0, 0]);
  });

  it('reports an empty filtered matrix as NaN and never selects a NaN score', async () => {
    const dead: UdrModel<Block> = (x) => ({
      mean: columns(x, () => [0, 0]),
      logVar: { data: new Float64Array(x.shape[0] * 2), shape: [x.shape[0], 2] },
    });
    const live: UdrModel<Block> = (x) => ({ mean: columns(x, (row) => [row[0], row[1]]) });
    const r = await udr({ models: [dead, live, live], dataset: dummy, correlation: 'spearman', numDataPoints: 200 });
    expect(r.pairwise[0][1]).toBeNaN();
    expect(r.scores[0]).toBeNaN();
    expect(r.scores[1]).toBeNaN(); // median over a column holding a NaN, like numpy
    expect(r.selected).toBe(-1);
    expect(r.ranking).toHaveLength(3);
  });
});

interface Fixture {
  batchSize: number;
  numDataPoints: number;
  means: number[][][];
  logVars: number[][][];
  cases: { correlation: 'lasso' | 'spearman'; filterLowKl: boolean; klFilterThreshold: number; kl: number[][]; pairwise: number[][]; scores: number[] }[];
}

describe('udr against scikit-learn / scipy (scripts/fixtures/udr_reference.py)', () => {
  const fx = JSON.parse(readFileSync(new URL('../fixtures/udr_reference.json', import.meta.url), 'utf8')) as Fixture;
  // Observations are row numbers, handed out in order by the dataset's own sampler, so every model's
  // representation of batch b is rows b·10 … b·10 + 9 of the fixture.
  const rowsDataset = (): GroundTruthDataset<number[]> => {
    let next = 0;
    return {
      factorSizes: [fx.numDataPoints],
      sampleFactors: (n) => ({ data: Int32Array.from({ length: n }, () => next++), shape: [n, 1] as const }),
      observationsFromFactors: (f) => Array.from(f.data),
    };
  };
  const models = fx.means.map((mean, m): UdrModel<number[]> => (rows) => ({ mean: rows.map((r) => mean[r]), logVar: rows.map((r) => fx.logVars[m][r]) }));

  for (const c of fx.cases) {
    it(`${c.correlation}, filterLowKl ${c.filterLowKl}, threshold ${c.klFilterThreshold}`, async () => {
      const r = await udr({
        models,
        dataset: rowsDataset(),
        correlation: c.correlation,
        filterLowKl: c.filterLowKl,
        klFilterThreshold: c.klFilterThreshold,
        numDataPoints: fx.numDataPoints,
        batchSize: fx.batchSize,
      });
      r.kl.forEach((k, m) => k.forEach((v, d) => expect(v).toBeCloseTo(c.kl[m][d], 12)));
      r.pairwise.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(c.pairwise[i][j], 6)));
      r.scores.forEach((v, j) => expect(v).toBeCloseTo(c.scores[j], 6));
    });
  }
});

describe('udr with tfjs tensors', () => {
  it('reads tensor means and log-variances, disposes them and the observations, and agrees with arrays', async () => {
    await setupBackend(['cpu']);
    const onDevice = makePopulation({ seed: 9, size: 3, tensors: true });
    const inMemory = makePopulation({ seed: 9, size: 3 });
    const before = tf.memory().numTensors;
    const t = await udr({ models: onDevice.models.map((m) => m.udr), dataset: onDevice.dataset, correlation: 'spearman', numDataPoints: 200 });
    expect(tf.memory().numTensors).toBe(before);
    const a = await udr({ models: inMemory.models.map((m) => m.udr), dataset: inMemory.dataset, correlation: 'spearman', numDataPoints: 200 });
    t.scores.forEach((v, i) => expect(v).toBeCloseTo(a.scores[i], 3)); // float32 on the device
    expect(t.active).toEqual(a.active);
  });
});

describe('udr: bad input', () => {
  const model: UdrModel<Block> = (x) => ({ mean: x });
  const narrow: UdrModel<Block> = (x) => ({ mean: columns(x, (row) => [row[0]]) });
  const code = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(DisentangleError);
      return `${(e as DisentangleError).code} ${(e as DisentangleError).argument}`;
    }
    return 'no error';
  };
  it('refuses models of different code width', async () => {
    expect(await code(udr({ models: [model, narrow], dataset: dummy, correlation: 'lasso' }))).toBe('SHAPE_MISMATCH models[1].mean');
  });
  it('refuses fewer than two models', async () => {
    expect(await code(udr({ models: [model], dataset: dummy, correlation: 'lasso' }))).toMatch(/^EMPTY models/);
  });
  it('refuses numDataPoints that is not a multiple of batchSize', async () => {
    expect(await code(udr({ models: [model, model], dataset: dummy, correlation: 'lasso', numDataPoints: 105, batchSize: 10 }))).toBe('BAD_OPTION numDataPoints');
  });
  it('refuses a missing or unknown correlation', async () => {
    expect(await code(udr({ models: [model, model], dataset: dummy } as never))).toBe('BAD_OPTION correlation');
    expect(await code(udr({ models: [model, model], dataset: dummy, correlation: 'pearson' } as never))).toBe('BAD_OPTION correlation');
  });
  it('refuses a model that returns the wrong number of rows or no mean', async () => {
    const short: UdrModel<Block> = (x) => ({ mean: { data: x.data.subarray(0, 10), shape: [1, 10] } });
    expect(await code(udr({ models: [model, short], dataset: dummy, correlation: 'spearman' }))).toMatch(/^SHAPE_MISMATCH models\[1\]\.mean/);
    expect(await code(udr({ models: [model, (() => ({})) as never], dataset: dummy, correlation: 'spearman' }))).toBe('CALLBACK_RESULT models[1]');
  });
  it('stops when aborted', async () => {
    const ac = new AbortController();
    const p = udr({ models: [model, model, model], dataset: dummy, correlation: 'lasso', signal: ac.signal, onProgress: (p) => p.stage === 'pairs' && p.done === 1 && ac.abort() });
    expect(await code(p)).toBe('ABORTED signal');
  });
});

describe('udr options', () => {
  it('refuses a misspelt option name, naming the closest valid one', async () => {
    const e = await udr({ models: [], dataset: undefined as never, correlation: 'lasso', numDataPoint: 100 } as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DisentangleError);
    expect(e).toMatchObject({ code: 'BAD_OPTION', argument: 'numDataPoint' });
    expect((e as Error).message).toMatch(/did you mean numDataPoints\?/);
  });
});
