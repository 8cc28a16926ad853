import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { computeVariationPredictability } from '../../src/metrics/variationPredictability.js';
import { DisentangleError } from '../../src/core/errors.js';
import type { GenerativeModel, TensorLike } from '../../src/core/types.js';
import type { Rng } from '../../src/core/rng.js';
import { toMatrix } from '../../src/core/tensor.js';

const S = 16;
const uniformLatents = (L: number) => (n: number, rng: Rng): TensorLike => ({ data: Float64Array.from({ length: n * L }, () => 2 * rng.float() - 1), shape: [n, L] });

/** Each latent moves one factor of a square blob: z0 → x position, z1 → y position, z2 → size. */
const blobGenerator: GenerativeModel = {
  latentDims: 3,
  sampleLatents: uniformLatents(3),
  generate(z: TensorLike) {
    const m = toMatrix(z, 'z');
    const img = new Float32Array(m.rows * S * S);
    for (let i = 0; i < m.rows; i++) {
      const cx = 4 + ((m.data[i * 3] + 1) / 2) * 8;
      const cy = 4 + ((m.data[i * 3 + 1] + 1) / 2) * 8;
      const r = 1 + ((m.data[i * 3 + 2] + 1) / 2) * 2.5;
      for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) img[i * S * S + y * S + x] = Math.abs(x - cx) <= r && Math.abs(y - cy) <= r ? 1 : 0;
    }
    return tf.tensor4d(img, [m.rows, S, S, 1]);
  },
  represent: (x: TensorLike) => x,
};

/** Ignores its latents: every image is the same picture. */
const constantGenerator: GenerativeModel = {
  latentDims: 3,
  sampleLatents: uniformLatents(3),
  generate(z: TensorLike) {
    const n = toMatrix(z, 'z').rows;
    return tf.tidy(() => tf.tile(tf.reshape(tf.linspace(0, 1, S * S), [1, S, S, 1]), [n, 1, 1, 1]) as tf.Tensor4D);
  },
  represent: (x: TensorLike) => x,
};

const small = { numPairs: 450, testRatio: 0.5, epochs: 5, channels: [8, 8, 16, 16] as [number, number, number, number], batchSize: 32, learningRate: 0.01 };

describe('computeVariationPredictability', () => {
  it('is high for a generator whose each latent moves one factor, and reports per-dim accuracies', async () => {
    const before = tf.memory().numTensors;
    const r = await computeVariationPredictability({ model: blobGenerator, ...small, seed: 1 });
    expect(r.numPairs).toBe(450);
    expect(r.numTrain + r.numTest).toBe(450);
    expect(r.numTest).toBe(225);
    expect(r.chance).toBeCloseTo(1 / 3, 12);
    expect(r.score).toBeGreaterThan(0.7); // chance is 1/3
    expect(r.perDim).toHaveLength(3);
    for (const a of r.perDim) expect(a).toBeGreaterThan(0.5);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('is near chance for a generator that ignores its latents', async () => {
    const r = await computeVariationPredictability({ model: constantGenerator, ...small, epochs: 2, seed: 2 });
    expect(r.score).toBeLessThan(r.chance + 0.1);
  });
  it('is reproducible from the seed and averages repeats', async () => {
    const opts = { model: blobGenerator, ...small, numPairs: 90, epochs: 2, repeats: 2, seed: 5 };
    const a = await computeVariationPredictability(opts);
    const b = await computeVariationPredictability(opts);
    expect(a.repeatScores).toEqual(b.repeatScores);
    expect(a.score).toBeCloseTo((a.repeatScores[0] + a.repeatScores[1]) / 2, 12);
  });
  it('reports progress and stops on abort', async () => {
    const stages = new Set<string>();
    const ctrl = new AbortController();
    const run = computeVariationPredictability({
      model: blobGenerator,
      ...small,
      numPairs: 60,
      epochs: 50,
      signal: ctrl.signal,
      onProgress: (p) => {
        stages.add(p.stage);
        if (p.stage === 'training' && p.done >= 1) ctrl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(stages).toEqual(new Set(['pairs', 'training']));
  });
  it('refuses bad options and bad generators', async () => {
    await expect(computeVariationPredictability({ model: blobGenerator, dims: [0] })).rejects.toThrow(DisentangleError);
    await expect(computeVariationPredictability({ model: blobGenerator, testRatio: 1.5 })).rejects.toThrow(/testRatio/);
    const bad: GenerativeModel = { ...blobGenerator, generate: () => tf.zeros([1, S, S, 1]) };
    await expect(computeVariationPredictability({ model: bad, ...small, numPairs: 30 })).rejects.toMatchObject({ code: 'CALLBACK_RESULT' });
  });
});

describe('computeVariationPredictability option names', () => {
  it('refuses a misspelt option with the closest valid name before any work', async () => {
    let generated = 0;
    const counting: GenerativeModel = { ...blobGenerator, generate: (z) => (generated++, blobGenerator.generate(z)) };
    await expect(computeVariationPredictability({ model: counting, numPairs: 30, epoch: 1 } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      argument: 'epoch',
      message: expect.stringMatching(/did you mean epochs\?/),
    });
    await expect(computeVariationPredictability({ model: counting, numPairs: 30, epochs: 1, inputmode: 'concat' } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringMatching(/did you mean inputMode\?/),
    });
    expect(generated).toBe(0);
  });
});
