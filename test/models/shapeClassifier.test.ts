import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../src/core/backend.js';
import { createRng } from '../../src/core/rng.js';
import { dsprites } from '../../src/data/dsprites.js';
import { sampleUniformFactors } from '../../src/data/sampling.js';
import {
  buildShapeClassifier,
  classifyShapes,
  classifyShapesWithFeatures,
  disposeShapeClassifier,
  loadShapeClassifier,
  serializeShapeClassifier,
  shapeClassifierVariables,
  toImageTensor,
} from '../../src/models/shapeClassifier.js';
import { SHAPE_CLASSIFIER_HELD_OUT, SHAPE_CLASSIFIER_WEIGHTS } from '../../src/models/shapeClassifierWeights.js';
import { DisentangleError } from '../../src/core/errors.js';

/** Minimum held-out accuracy of the shipped weights on fresh procedural images (issue 6 asks for ≥ 0.99). */
const REQUIRED_ACCURACY = 0.99;

beforeAll(async () => {
  await setupBackend(['wasm', 'cpu']);
});

function freshImages(n: number, seed: number): { images: tf.Tensor4D; shapes: Int32Array } {
  const data = dsprites();
  const f = sampleUniformFactors(data.factorSizes, n, createRng(seed));
  const shapes = Int32Array.from({ length: n }, (_, i) => f.data[i * 5]);
  return { images: tf.tensor4d(data.renderInto(f, new Float32Array(n * 4096)), [n, 64, 64, 1]), shapes };
}

describe('shipped dSprites shape classifier', () => {
  it('loads from the bundled constant: every variable filled, nothing downloaded', () => {
    const net = loadShapeClassifier();
    const vars = shapeClassifierVariables(net);
    const total = vars.reduce((s, v) => s + v.size, 0);
    expect(Math.floor((SHAPE_CLASSIFIER_WEIGHTS.length * 3) / 4) - (SHAPE_CLASSIFIER_WEIGHTS.match(/=+$/)?.[0].length ?? 0)).toBe(total * 4);
    disposeShapeClassifier(net);
  });
  it('classifies fresh procedural images as accurately as its recorded held-out accuracy, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const net = loadShapeClassifier();
    const { images, shapes } = freshImages(300, 987654);
    const probs = classifyShapes(net, images);
    const p = await probs.data();
    let right = 0;
    for (let i = 0; i < shapes.length; i++) {
      const row = [p[i * 3], p[i * 3 + 1], p[i * 3 + 2]];
      expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 5);
      if (row.indexOf(Math.max(...row)) === shapes[i]) right++;
    }
    tf.dispose([images, probs]);
    disposeShapeClassifier(net);
    // 300 fresh images (another seed than the training script's sets): within 3 binomial sds of the claim.
    const claimed = SHAPE_CLASSIFIER_HELD_OUT.accuracy;
    const sd = Math.sqrt((claimed * (1 - claimed)) / shapes.length);
    expect(right / shapes.length).toBeGreaterThanOrEqual(claimed - 3 * sd - 0.01);
    expect(right / shapes.length).toBeGreaterThan(1 / 3 + 0.05);
    expect(tf.memory().numTensors).toBe(before);
  });
  it(`meets the issue's held-out accuracy target (≥ ${REQUIRED_ACCURACY}) on every shape`, () => {
    expect(SHAPE_CLASSIFIER_HELD_OUT.accuracy).toBeGreaterThanOrEqual(REQUIRED_ACCURACY);
    // Rows of the confusion matrix are the true shapes: each must be recognised, not only the total.
    SHAPE_CLASSIFIER_HELD_OUT.confusion.forEach((row, shape) => {
      const total = row.reduce((a, b) => a + b, 0);
      expect(row[shape] / total).toBeGreaterThanOrEqual(0.97);
    });
  });
  it('returns 128-d penultimate features next to the probabilities', async () => {
    const net = loadShapeClassifier();
    const { images } = freshImages(5, 3);
    const { probs, features } = classifyShapesWithFeatures(net, images);
    expect(probs.shape).toEqual([5, 3]);
    expect(features.shape).toEqual([5, 128]);
    const ref = classifyShapes(net, images);
    const [a, b] = await Promise.all([probs.data(), ref.data()]);
    expect(Array.from(a)).toEqual(Array.from(b));
    tf.dispose([images, probs, features, ref]);
    disposeShapeClassifier(net);
  });
  it('round-trips weights through serializeShapeClassifier', async () => {
    const net = buildShapeClassifier(7);
    const b64 = await serializeShapeClassifier(net);
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const first = shapeClassifierVariables(net)[0];
    const expected = await first.data();
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 5; i++) expect(view.getFloat32(i * 4, true)).toBe(expected[i]);
    disposeShapeClassifier(net);
  });
  it('reads images in several layouts and refuses other shapes', async () => {
    const flat = await toImageTensor({ data: new Float32Array(2 * 4096), shape: [2, 4096] });
    expect(flat.shape).toEqual([2, 64, 64, 1]);
    flat.dispose();
    await expect(toImageTensor({ data: new Float32Array(2 * 1024), shape: [2, 32, 32, 1] })).rejects.toThrow(DisentangleError);
    await expect(toImageTensor({ data: new Float32Array(2 * 8192), shape: [2, 64, 64, 2] })).rejects.toThrow(/64, 64, 1/);
  });
});
