import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { toMatrixAsync } from '../../src/core/tensor.js';
import type { FactorBatch, GroundTruthDataset, Progress, RepresentationFunction, TensorLike } from '../../src/core/types.js';
import {
  drawFactors,
  holdColumnFixed,
  representFactors,
  representFactorsRaw,
  sampleCodesAndFactors,
  sampleUniformFactors,
  samplingContext,
  withRawCodes,
} from '../../src/data/sampling.js';
import { sampleTrainTest, sampleTrainTestMatrices } from '../../src/data/trainTest.js';

beforeAll(async () => {
  await setupBackend(['cpu']);
});

const SIZES = [3, 4];

/** A dataset whose observation of (a, b) is the tensor row [a, b, 10a + b]; it counts live observation tensors. */
function tensorDataset(): GroundTruthDataset<tf.Tensor2D> & { alive: () => number; maxAlive: number } {
  const live = new Set<tf.Tensor>();
  const ds = {
    factorSizes: SIZES,
    maxAlive: 0,
    alive: () => [...live].filter((t) => !t.isDisposed).length,
    observationsFromFactors(f: FactorBatch): tf.Tensor2D {
      const n = f.shape[0];
      const rows: number[][] = [];
      for (let i = 0; i < n; i++) rows.push([f.data[2 * i], f.data[2 * i + 1], 10 * f.data[2 * i] + f.data[2 * i + 1]]);
      const t = tf.tensor2d(rows);
      live.add(t);
      ds.maxAlive = Math.max(ds.maxAlive, ds.alive());
      return t;
    },
  };
  return ds;
}

const identity: RepresentationFunction<tf.Tensor2D> = (x) => x;
const tensorCodes: RepresentationFunction<tf.Tensor2D> = (x) => tf.tidy(() => tf.mul(x, 2));

async function rejection(p: Promise<unknown>): Promise<DisentangleError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DisentangleError);
    return e as DisentangleError;
  }
  throw new Error('expected a DisentangleError');
}

describe('sampleCodesAndFactors', () => {
  it('pairs every code row with its factor row, leaks nothing and keeps one batch alive', async () => {
    const ds = tensorDataset();
    const before = tf.memory().numTensors;
    const progress: Progress[] = [];
    const { codes, factors } = await sampleCodesAndFactors(samplingContext(ds, tensorCodes), { numPoints: 50, batchSize: 8, rng: createRng(1), onProgress: (p) => progress.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    expect(ds.maxAlive).toBe(1);
    expect([codes.rows, codes.cols, factors.rows, factors.cols]).toEqual([50, 3, 50, 2]);
    for (let i = 0; i < 50; i++) {
      const [a, b] = [factors.data[2 * i], factors.data[2 * i + 1]];
      expect(Array.from(codes.data.subarray(3 * i, 3 * i + 3))).toEqual([2 * a, 2 * b, 2 * (10 * a + b)]);
    }
    expect(progress.map((p) => p.done)).toEqual([0, 8, 16, 24, 32, 40, 48, 50]);
    expect(progress.every((p) => p.total === 50 && p.stage === 'sampling')).toBe(true);
  });

  it('handles a representation that returns its input (disposed once)', async () => {
    const ds = tensorDataset();
    const before = tf.memory().numTensors;
    const { codes } = await sampleCodesAndFactors(samplingContext(ds, identity), { numPoints: 10, batchSize: 4, rng: createRng(2) });
    expect(codes.rows).toBe(10);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is reproducible for a seed', async () => {
    const run = async (seed: number): Promise<number[]> => Array.from((await sampleCodesAndFactors(samplingContext(tensorDataset(), tensorCodes), { numPoints: 20, batchSize: 7, rng: createRng(seed) })).factors.data);
    expect(await run(3)).toEqual(await run(3));
    expect(await run(3)).not.toEqual(await run(4));
  });

  it('turns bad representation results into CALLBACK_RESULT naming represent, without leaks', async () => {
    const bad: [string, RepresentationFunction<tf.Tensor2D>][] = [
      ['wrong row count', (x) => tf.tidy(() => tf.slice(x, [0, 0], [x.shape[0] - 1, 3]))],
      ['NaN', (x) => tf.tidy(() => tf.div(x, tf.zerosLike(x)))],
      ['1-D result', (x) => tf.tidy(() => tf.sum(x, 1))],
      ['null', () => null as unknown as TensorLike],
      ['number[][] with NaN', (x) => Array.from({ length: x.shape[0] }, () => [NaN])],
    ];
    let calls = 0;
    bad.push(['changing width', (x) => tf.tidy(() => (calls++ === 0 ? x.clone() : tf.slice(x, [0, 0], [x.shape[0], 2])))]);
    for (const [what, represent] of bad) {
      const before = tf.memory().numTensors;
      const e = await rejection(sampleCodesAndFactors(samplingContext(tensorDataset(), represent), { numPoints: 12, batchSize: 6, rng: createRng(0) }));
      expect([e.code, e.argument], what).toEqual(['CALLBACK_RESULT', 'represent']);
      expect(tf.memory().numTensors, what).toBe(before);
    }
  });

  it('disposes the observations when the representation throws', async () => {
    const before = tf.memory().numTensors;
    const represent = (): TensorLike => {
      throw new Error('model failed');
    };
    await expect(sampleCodesAndFactors(samplingContext(tensorDataset(), represent), { numPoints: 4, batchSize: 4, rng: createRng(0) })).rejects.toThrow('model failed');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops with ABORTED and leaks nothing', async () => {
    const ctl = new AbortController();
    const before = tf.memory().numTensors;
    let batches = 0;
    const represent: RepresentationFunction<tf.Tensor2D> = (x) => {
      if (++batches === 2) ctl.abort();
      return tf.clone(x);
    };
    const e = await rejection(sampleCodesAndFactors(samplingContext(tensorDataset(), represent), { numPoints: 100, batchSize: 10, rng: createRng(0), signal: ctl.signal }));
    expect(e.code).toBe('ABORTED');
    expect(batches).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('dataset callbacks', () => {
  it('checks a custom sampleFactors: rows, range, and any TensorLike form', async () => {
    const make = (sampleFactors: GroundTruthDataset['sampleFactors']): GroundTruthDataset => ({ factorSizes: SIZES, sampleFactors, observationsFromFactors: (f) => ({ data: Float64Array.from(f.data), shape: [f.shape[0], 2] }) });
    const ok = make((n) => Array.from({ length: n }, () => [2, 3]));
    const f = await drawFactors(samplingContext(ok, (x) => x), 3, createRng(0));
    expect(Array.from(f.data)).toEqual([2, 3, 2, 3, 2, 3]);
    const short = make((n) => ({ data: new Int32Array(2 * (n - 1)), shape: [n - 1, 2] as const }));
    const e1 = await rejection(drawFactors(samplingContext(short, (x) => x), 3, createRng(0)));
    expect([e1.code, e1.argument]).toEqual(['CALLBACK_RESULT', 'dataset.sampleFactors']);
    const inconsistent = make((n) => ({ data: new Int32Array(n), shape: [n, 2] as const }));
    const e3 = await rejection(drawFactors(samplingContext(inconsistent, (x) => x), 3, createRng(0)));
    expect([e3.code, e3.argument]).toEqual(['CALLBACK_RESULT', 'dataset.sampleFactors']);
    const outside = make((n) => Array.from({ length: n }, () => [3, 0]));
    const e2 = await rejection(drawFactors(samplingContext(outside, (x) => x), 3, createRng(0)));
    expect([e2.code, e2.argument]).toEqual(['BAD_INPUT', 'dataset.sampleFactors']);
  });

  it('validates dataset and represent up front', () => {
    const ds = tensorDataset();
    const cases: [() => unknown, string, string][] = [
      [() => samplingContext(undefined, identity), 'BAD_INPUT', 'dataset'],
      [() => samplingContext({ factorSizes: SIZES } as unknown as GroundTruthDataset, identity as RepresentationFunction), 'BAD_INPUT', 'dataset.observationsFromFactors'],
      [() => samplingContext(ds, undefined), 'BAD_INPUT', 'represent'],
      [() => samplingContext({ ...ds, factorSizes: [] }, identity), 'EMPTY', 'dataset.factorSizes'],
      [() => samplingContext({ ...ds, factorSizes: [2, 0] }, identity), 'BAD_INPUT', 'dataset.factorSizes'],
    ];
    for (const [fn, code, argument] of cases) {
      try {
        fn();
        throw new Error('no throw');
      } catch (e) {
        expect([(e as DisentangleError).code, (e as DisentangleError).argument]).toEqual([code, argument]);
      }
    }
  });

  it('representFactorsRaw leaves the codes on the device until release()', async () => {
    const ctx = samplingContext(tensorDataset(), tensorCodes);
    const before = tf.memory().numTensors;
    const raw = await representFactorsRaw(ctx, { data: Int32Array.of(1, 2, 2, 3), rows: 2, cols: 2 }, createRng(0));
    expect([raw.rows, raw.cols]).toEqual([2, 3]);
    expect(raw.codes).toBeInstanceOf(tf.Tensor);
    expect(Array.from(await (raw.codes as tf.Tensor).data())).toEqual([2, 4, 24, 4, 6, 46]);
    raw.release();
    expect(tf.memory().numTensors).toBe(before);
    const m = await representFactors(ctx, { data: Int32Array.of(0, 1), rows: 1, cols: 2 }, createRng(0));
    expect(Array.from(m.data)).toEqual([0, 2, 2]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('withRawCodes', () => {
  const factors = () => ({ data: Int32Array.of(1, 2, 2, 3), rows: 2, cols: 2 });

  it('hands the codes on the device to the reducer and releases them after it', async () => {
    const ctx = samplingContext(tensorDataset(), tensorCodes);
    const before = tf.memory().numTensors;
    const sum = await withRawCodes(ctx, factors(), createRng(0), async (codes, raw) => {
      expect(codes).toBeInstanceOf(tf.Tensor);
      expect([raw.rows, raw.cols]).toEqual([2, 3]);
      const total = tf.sum(codes as tf.Tensor);
      const [v] = await total.data();
      total.dispose();
      return v;
    });
    expect(sum).toBe(2 + 4 + 24 + 4 + 6 + 46);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("makes a non-finite code the representation's fault (CALLBACK_RESULT naming represent) and still releases", async () => {
    const nan: RepresentationFunction<tf.Tensor2D> = (x) => tf.fill(x.shape, NaN) as tf.Tensor2D;
    const ctx = samplingContext(tensorDataset(), nan);
    const before = tf.memory().numTensors;
    // the reducer reads the codes as the metrics do, so the NaN raises the core's NON_FINITE
    const e = await rejection(withRawCodes(ctx, factors(), createRng(0), (codes) => toMatrixAsync(codes, 'represent', '')));
    expect([e.code, e.argument]).toEqual(['CALLBACK_RESULT', 'represent']);
    expect(tf.memory().numTensors).toBe(before);
    // an error of the reducer's own passes unchanged
    const own = new DisentangleError('BAD_INPUT', 'x', 'mine');
    await expect(withRawCodes(samplingContext(tensorDataset(), tensorCodes), factors(), createRng(0), () => Promise.reject(own))).rejects.toBe(own);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('factor helpers', () => {
  it('sampleUniformFactors stays in range, is seeded, and reaches every value', () => {
    const f = sampleUniformFactors([3, 40], 4000, createRng(9));
    const seen = [new Set<number>(), new Set<number>()];
    for (let i = 0; i < 4000; i++) {
      for (let k = 0; k < 2; k++) {
        const v = f.data[2 * i + k];
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThan([3, 40][k]);
        seen[k].add(v);
      }
    }
    expect([seen[0].size, seen[1].size]).toEqual([3, 40]);
    expect(sampleUniformFactors([3, 40], 10, createRng(9)).data).toEqual(f.data.subarray(0, 20));
  });

  it('holdColumnFixed copies row 0 of one column into every row, for factors and latents', () => {
    const f = holdColumnFixed({ data: Int32Array.of(1, 2, 3, 4, 5, 6), rows: 3, cols: 2 }, 1);
    expect(Array.from(f.data)).toEqual([1, 2, 3, 2, 5, 2]);
    const z = holdColumnFixed({ data: Float64Array.of(0.5, -1, 2, 7, 3, 8), rows: 3, cols: 2 }, 0);
    expect(Array.from(z.data)).toEqual([0.5, -1, 0.5, 7, 0.5, 8]);
  });
});

describe('sampleTrainTest', () => {
  const opts = (extra: object = {}): Parameters<typeof sampleTrainTest<tf.Tensor2D>>[0] => ({ dataset: tensorDataset(), represent: tensorCodes, ...extra });

  it('draws train and test from separate forks, reproducibly, with defaults and overrides', async () => {
    const a = await sampleTrainTest(opts({ seed: 5 }), { numTrain: 30, numTest: 10, batchSize: 7 }, createRng);
    const b = await sampleTrainTest(opts({ seed: 5 }), { numTrain: 30, numTest: 10, batchSize: 7 }, createRng);
    expect(a.train.codes.shape).toEqual([30, 3]);
    expect(a.test?.factors.shape).toEqual([10, 2]);
    expect(Array.from(a.train.factors.data)).toEqual(Array.from(b.train.factors.data));
    expect(Array.from(a.test?.factors.data ?? [])).toEqual(Array.from(b.test?.factors.data ?? []));
    expect(Array.from(a.test?.factors.data ?? [])).not.toEqual(Array.from(a.train.factors.data.subarray(0, 20)));
    const c = await sampleTrainTest(opts({ numTrain: 12, numTest: 3 }), { numTrain: 30, numTest: 10, batchSize: 7 }, createRng);
    expect([c.train.codes.shape[0], c.test?.codes.shape[0]]).toEqual([12, 3]);
    const noTest = await sampleTrainTest(opts(), { numTrain: 5, batchSize: 7 }, createRng);
    expect(noTest.test).toBeUndefined();
  });

  it("matrix form: the same splits as checked matrices, and the seed's third stream for the estimators", async () => {
    const a = await sampleTrainTest(opts({ seed: 5 }), { numTrain: 30, numTest: 10, batchSize: 7 });
    const m = await sampleTrainTestMatrices(opts({ seed: 5 }), { numTrain: 30, numTest: 10, batchSize: 7 });
    expect([m.train.codes.rows, m.train.codes.cols, m.test?.factors.rows]).toEqual([30, 3, 10]);
    expect(Array.from(m.train.codes.data)).toEqual(Array.from(a.train.codes.data));
    expect(Array.from(m.test?.factors.data ?? [])).toEqual(Array.from(a.test?.factors.data ?? []));
    const root = createRng(5);
    root.fork();
    root.fork();
    expect(m.rng.uint32()).toBe(root.fork().uint32());
  });

  it('reports one progress bar over train then test', async () => {
    const progress: Progress[] = [];
    await sampleTrainTest(opts({ onProgress: (p: Progress) => progress.push(p) }), { numTrain: 10, numTest: 5, batchSize: 4 }, createRng);
    expect(progress.every((p) => p.total === 15)).toBe(true);
    expect(progress.filter((p) => p.stage === 'train').map((p) => p.done)).toEqual([0, 4, 8, 10]);
    expect(progress.filter((p) => p.stage === 'test').map((p) => p.done)).toEqual([10, 14, 15]);
  });

  it('refuses bad counts naming the option', async () => {
    for (const [key, value] of [['numTrain', 0], ['numTest', 1.5], ['batchSize', -2]] as const) {
      const e = await rejection(sampleTrainTest(opts({ [key]: value }), { numTrain: 10, numTest: 5, batchSize: 4 }, createRng));
      expect([e.code, e.argument]).toEqual(['BAD_OPTION', key]);
    }
  });
});
