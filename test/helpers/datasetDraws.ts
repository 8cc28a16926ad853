/** The check every loaded image dataset passes: a sampling metric draws from it without leaking tensors. */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { GroundTruthDataset } from '../../src/core/types.js';
import { computeMig } from '../../src/metrics/mig.js';

/** computeMig on 256 drawn images gives a finite score, and every tensor it made is freed. */
export async function expectMetricDrawsWithoutLeaks(dataset: GroundTruthDataset<tf.Tensor4D>): Promise<void> {
  const before = tf.memory().numTensors;
  // Codes: each image's mean pixel and the mean of its first row, so they depend on what was read.
  const represent = (x: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => tf.stack([tf.mean(x, [1, 2, 3]), tf.mean(tf.slice(x, [0, 0, 0, 0], [-1, 1, -1, -1]), [1, 2, 3])], 1) as tf.Tensor2D);
  const r = await computeMig({ dataset, represent, numTrain: 256, batchSize: 64, seed: 1 });
  expect(Number.isFinite(r.score)).toBe(true);
  expect(tf.memory().numTensors).toBe(before);
}
