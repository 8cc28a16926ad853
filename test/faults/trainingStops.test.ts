/** The trainers stop on request: a dataset that never answers cannot hold them past an abort, and timers run during training. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FactorBatch } from '../../src/core/types.js';
import { trainFactorVae } from '../../src/models/trainFactorVae.js';
import { trainInfoGanCr } from '../../src/models/trainInfoganCr.js';
import { squares, TINY_VAE as VAE, TINY_GAN as GAN } from '../helpers/tinyModels.js';


beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainers stop on request', () => {
  it('a dataset that never settles: ABORTED within 1 s of the signal, nothing leaked (both trainers)', async () => {
    let calls = 0;
    const stuck = {
      factorSizes: [4, 4],
      observationsFromFactors: (f: FactorBatch) => (++calls > 2 ? new Promise<tf.Tensor4D>(() => undefined) : squares.observationsFromFactors(f)),
    };
    for (const train of [
      (signal: AbortSignal) => trainFactorVae({ dataset: stuck, config: VAE, batchSize: 8, iterations: 10, signal }),
      (signal: AbortSignal) => trainInfoGanCr({ dataset: stuck, config: GAN, batchSize: 8, iterations: 10, signal }),
    ]) {
      calls = 0;
      const before = tf.memory().numTensors;
      const t0 = performance.now();
      await expect(train(AbortSignal.timeout(300))).rejects.toMatchObject({ code: 'ABORTED' });
      expect(performance.now() - t0).toBeLessThan(1300);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('timers fire while training (time-based yields), and an abort from a timer lands within the iteration', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const t0 = performance.now();
    let last = t0;
    let longest = 0;
    const onProgress = () => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    };
    const m = await trainFactorVae({ dataset: squares, config: VAE, batchSize: 8, iterations: 40, onProgress });
    const ms = performance.now() - t0;
    clearInterval(timer);
    m.dispose();
    // A turn at least every 50 ms, rounded up to whole iterations (however slow a loaded machine makes them).
    expect(ticks).toBeGreaterThan(0);
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(ms / (50 + 2 * longest)));
    const before = tf.memory().numTensors;
    await expect(trainInfoGanCr({ dataset: squares, config: GAN, batchSize: 8, iterations: 10_000, signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('trainer options', () => {
  it('wrong types and huge batches are BAD_OPTION before anything is built', async () => {
    const before = tf.memory().numTensors;
    const base = { dataset: squares, config: VAE, iterations: 1 };
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ onProgress: 5 }, 'onProgress'],
      [{ onResume: 'x' }, 'onResume'],
      [{ signal: {} }, 'signal'],
      [{ checkpointDir: 7 }, 'checkpointDir'],
      [{ resumeFrom: '' }, 'resumeFrom'],
      [{ batchSize: 1e9 }, 'batchSize'],
    ];
    for (const [extra, argument] of bad) {
      await expect(trainFactorVae({ ...base, ...extra } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', argument });
      await expect(trainInfoGanCr({ ...base, config: GAN, ...extra } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', argument });
    }
    await expect(trainFactorVae(null as never)).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'options' });
    expect(tf.memory().numTensors).toBe(before);
  });
});
