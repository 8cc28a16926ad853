/**
 * End-to-end checks of the sampling layer through the FactorVAE and BetaVAE metrics: reference
 * representations on the factor-vector dataset and on procedural dSprites, determinism, tensor hygiene on the
 * cpu and wasm backends, callback checks, abort and progress.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import type { Matrix } from '../../src/core/matrix.js';
import type { Progress, TensorLike } from '../../src/core/types.js';
import type { ClassifierEstimator } from '../../src/estimators/types.js';
import { dsprites } from '../../src/data/dsprites.js';
import { computeBetaVaeMetric, type BetaVaeMetricOptions } from '../../src/metrics/betaVae.js';
import { computeFactorVaeMetric, type FactorVaeMetricOptions } from '../../src/metrics/factorVaeMetric.js';
import {
  collapsedRepresentation,
  convEncoder,
  factorVectorDataset,
  identityRepresentation,
  imageMomentEncoder,
  noisyRepresentation,
  rotatedRepresentation,
} from '../helpers/representations.js';

const fvSmall = { numTrain: 200, numEval: 100, numVarianceEstimate: 640 };
const bvSmall = { numTrain: 200, numEval: 100, batchSize: 32 };
const metrics = {
  factorVae: (o: FactorVaeMetricOptions<TensorLike>) => computeFactorVaeMetric({ ...fvSmall, ...o }),
  betaVae: (o: BetaVaeMetricOptions<TensorLike>) => computeBetaVaeMetric({ ...bvSmall, ...o }),
};

describe('reference representations on the factor-vector dataset (§14 bounds)', () => {
  // DL's test dataset (IdentityObservationsData): 10 factors × 10 values, observation = factor vector
  const dataset = factorVectorDataset(new Array<number>(10).fill(10));
  it.each(Object.entries(metrics))('%s: identity ≥ 0.9, collapsed ≤ 0.2 (FactorVAE) / near chance (BetaVAE)', async (name, run) => {
    const identity = await run({ dataset, represent: identityRepresentation() });
    expect(identity.evalAccuracy).toBeGreaterThanOrEqual(0.9);
    const collapsed = await run({ dataset, represent: collapsedRepresentation(10) });
    expect(collapsed.evalAccuracy).toBeLessThanOrEqual(name === 'factorVae' ? 0.2 : 0.25);
    const rotated = await run({ dataset, represent: rotatedRepresentation(10) });
    expect(rotated.evalAccuracy).toBeLessThan(identity.evalAccuracy);
  });

  it.each(Object.entries(metrics))('%s: same seed → same numbers, different seed → different draws', async (_name, run) => {
    const go = (seed: number) => run({ dataset, represent: noisyRepresentation(10, { noise: 0.3, leak: 0.5 }), seed });
    const a = await go(11);
    expect(await go(11)).toEqual(a);
    const others = await Promise.all([go(12), go(13)]);
    expect(others.some((o) => JSON.stringify(o) !== JSON.stringify(a))).toBe(true);
  });
});

describe.each(['cpu', 'wasm'] as const)('tfjs tensors on the %s backend', (backend) => {
  beforeAll(async () => {
    expect(await setupBackend([backend])).toBe(backend);
  });
  const tensorData = factorVectorDataset([3, 6, 40, 32, 32], { asTensor: true });

  it.each(Object.entries(metrics))('%s: scores tensor codes like arrays and leaks no tensor', async (_name, run) => {
    const before = tf.memory().numTensors;
    const onTensors = await run({ dataset: tensorData, represent: identityRepresentation(), seed: 1 });
    const rotated = await run({ dataset: tensorData, represent: rotatedRepresentation(5), seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(onTensors.evalAccuracy).toBe(1);
    const onArrays = await run({ dataset: factorVectorDataset(), represent: rotatedRepresentation(5), seed: 1 });
    // same draws; float32 on the device vs float64 here may only flip near-ties
    expect(Math.abs(rotated.evalAccuracy - onArrays.evalAccuracy)).toBeLessThanOrEqual(0.05);
  });

  it('reduces on the device: represent hands back tensors that are never read in full', async () => {
    const reads: number[] = [];
    const represent = (x: TensorLike): TensorLike => {
      const codes = identityRepresentation()(x) as tf.Tensor;
      const original = codes.dataSync.bind(codes);
      const originalAsync = codes.data.bind(codes);
      codes.dataSync = (() => (reads.push(codes.shape[0]), original())) as typeof codes.dataSync;
      codes.data = (() => (reads.push(codes.shape[0]), originalAsync())) as typeof codes.data;
      return codes;
    };
    await computeFactorVaeMetric({ dataset: tensorData, represent, ...fvSmall });
    await computeBetaVaeMetric({ dataset: tensorData, represent, ...bvSmall });
    expect(reads).toEqual([]);
  });

  it.each(['disentanglement_lib', 'infogan-cr'] as const)('BetaVAE features (%s) on the device equal the CPU ones to float32 precision', async (preset) => {
    const features: Matrix[] = [];
    const capture: ClassifierEstimator = {
      name: 'capture',
      fit: (x, y) => {
        features.push(x);
        return { classes: Int32Array.from(new Set(y)).sort(), predict: (m: Matrix) => new Int32Array(m.rows) };
      },
    };
    const before = tf.memory().numTensors;
    const opts = { preset, numTrain: 20, batchSize: 10, evalMode: 'train' as const, estimator: capture, seed: 5 };
    await computeBetaVaeMetric({ ...opts, dataset: tensorData, represent: rotatedRepresentation(5) });
    await computeBetaVaeMetric({ ...opts, dataset: factorVectorDataset(), represent: rotatedRepresentation(5) });
    expect(tf.memory().numTensors).toBe(before);
    const [device, cpu] = features;
    expect(device.rows).toBe(20);
    device.data.forEach((v, i) => expect(Math.abs(v - cpu.data[i])).toBeLessThan(1e-5));
  });

  it('leaks nothing when a tensor callback fails midway', async () => {
    const before = tf.memory().numTensors;
    let calls = 0;
    const represent = (x: TensorLike): TensorLike => {
      calls++;
      return calls === 30 ? tf.fill([(x as tf.Tensor).shape[0], 5], NaN) : identityRepresentation()(x);
    };
    await expect(computeFactorVaeMetric({ dataset: tensorData, represent, ...fvSmall })).rejects.toMatchObject({ code: 'CALLBACK_RESULT' });
    calls = 0;
    await expect(computeBetaVaeMetric({ dataset: tensorData, represent, ...bvSmall })).rejects.toMatchObject({ code: 'CALLBACK_RESULT' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs procedural dSprites through a small conv encoder without leaks', async () => {
    const encoder = convEncoder({ codeDims: 6, channels: [4, 4, 8, 8] });
    const before = tf.memory().numTensors;
    const f = await computeFactorVaeMetric({ dataset: dsprites(), represent: encoder.represent, numTrain: 10, numEval: 5, numVarianceEstimate: 64, batchSize: 16 });
    const b = await computeBetaVaeMetric({ dataset: dsprites(), represent: encoder.represent, numTrain: 10, numEval: 5, batchSize: 8 });
    expect(tf.memory().numTensors).toBe(before);
    encoder.dispose();
    expect(f.numCodeDims).toBe(6);
    // FactorVAE: 10 training and 5 held-out votes, one per batch unless no dim is active, and the accuracies are
    // the majority-vote classifier's, recomputed here from the returned votes
    const count = (v: number[][]) => v.flat().reduce((a, c) => a + c, 0);
    const correct = (v: number[][]) => f.mapping.reduce((s, k, d) => s + v[k][d], 0);
    if (f.numActiveDims === 0) expect([count(f.votes), f.evalAccuracy]).toEqual([0, 0]);
    else {
      expect([count(f.votes), count(f.evalVotes)]).toEqual([10, 5]);
      expect(f.trainAccuracy).toBe(correct(f.votes) / 10);
      expect(f.evalAccuracy).toBe(correct(f.evalVotes) / 5);
      f.mapping.forEach((k, d) => f.votes.forEach((row) => expect(row[d]).toBeLessThanOrEqual(f.votes[k][d])));
    }
    // BetaVAE: accuracies over 10 training and 5 held-out points
    expect(b).toMatchObject({ numTrain: 10, numEval: 5, score: b.evalAccuracy });
    expect(b.trainAccuracy * 10).toBeCloseTo(Math.round(b.trainAccuracy * 10), 9);
    expect(b.evalAccuracy * 5).toBeCloseTo(Math.round(b.evalAccuracy * 5), 9);
  });
});

describe('procedural dSprites through an encoder that recovers the factors', () => {
  beforeAll(async () => {
    await setupBackend(['wasm', 'cpu']);
  });
  it('scores the image-moment encoder well above chance and the collapsed encoder at 0', async () => {
    const dataset = dsprites();
    const before = tf.memory().numTensors;
    const moments = await computeFactorVaeMetric({ dataset, represent: imageMomentEncoder(), numTrain: 100, numEval: 100, numVarianceEstimate: 640, batchSize: 32 });
    const collapsed = await computeFactorVaeMetric({ dataset, represent: collapsedRepresentation(5), numTrain: 20, numEval: 20, numVarianceEstimate: 64, batchSize: 16 });
    expect(tf.memory().numTensors).toBe(before);
    // position and scale are read off exactly (3 of 5 factors), shape/orientation partly: ≥ 0.5 ≫ 1/K
    expect(moments.evalAccuracy).toBeGreaterThanOrEqual(0.5);
    expect(moments.numActiveDims).toBe(5);
    expect(collapsed.evalAccuracy).toBe(0);
  });
});

describe('callback checks', () => {
  const dataset = factorVectorDataset();
  const arrays = (n: number, d: number, fill = 0): TensorLike => ({ data: new Float64Array(n * d).fill(fill), shape: [n, d] });
  const rowsOf = (x: TensorLike): number => (x as { shape: number[] }).shape[0];
  const bad: Record<string, (x: TensorLike, call: number) => TensorLike> = {
    'too few rows': (x) => arrays(rowsOf(x) - 1, 5),
    'a NaN code': (x, call) => (call === 3 ? arrays(rowsOf(x), 5, NaN) : identityRepresentation()(x)),
    'a width that changes': (x, call) => (call < 3 ? identityRepresentation()(x) : arrays(rowsOf(x), 4)),
    'an infinite code': (x) => arrays(rowsOf(x), 5, Infinity),
    'nothing': () => undefined as unknown as TensorLike,
  };
  for (const [name, run] of Object.entries(metrics)) {
    it.each(Object.keys(bad))(`${name}: represent returning %s → CALLBACK_RESULT`, async (what) => {
      let call = 0;
      const represent = (x: TensorLike) => bad[what](x, ++call);
      await expect(run({ dataset, represent })).rejects.toMatchObject({ name: 'DisentangleError', code: 'CALLBACK_RESULT', argument: 'represent' });
    });
  }

  it('rejects a missing dataset or represent naming the argument', async () => {
    await expect(computeFactorVaeMetric({ dataset: undefined as never, represent: identityRepresentation() })).rejects.toMatchObject({ argument: 'dataset' });
    await expect(computeBetaVaeMetric({ dataset, represent: 3 as never })).rejects.toMatchObject({ argument: 'represent' });
  });
});

describe('abort and progress', () => {
  const dataset = factorVectorDataset();
  it.each(Object.entries(metrics))('%s: an abort from a timer stops the run within a few batches', async (name, run) => {
    const controller = new AbortController();
    let callsAfterAbort = 0;
    const represent = (x: TensorLike): TensorLike => {
      if (controller.signal.aborted) callsAfterAbort++;
      return x;
    };
    setTimeout(() => controller.abort(), 30);
    // DL's full sample sizes: minutes of work if the abort were not seen
    const sizes = { numTrain: 1_000_000, numEval: 1, ...(name === 'factorVae' ? { numVarianceEstimate: 10_000 } : {}) };
    const pending = run({ dataset, represent, signal: controller.signal, ...sizes });
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(callsAfterAbort).toBeLessThanOrEqual(2);
  });

  it('refuses an already aborted signal before any work', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const represent = (x: TensorLike) => (calls++, x);
    await expect(computeFactorVaeMetric({ dataset, represent, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(calls).toBe(0);
  });

  it.each(Object.entries(metrics))('%s: onProgress is monotone, done ≤ total, and ends at total', async (_name, run) => {
    const seen: Progress[] = [];
    await run({ dataset, represent: identityRepresentation(), onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(2);
    const total = seen[0].total;
    seen.forEach((p, i) => {
      expect(p.total).toBe(total);
      expect(p.done).toBeLessThanOrEqual(total);
      if (i > 0) expect(p.done).toBeGreaterThanOrEqual(seen[i - 1].done);
    });
    expect(seen[seen.length - 1].done).toBe(total);
  });
});
