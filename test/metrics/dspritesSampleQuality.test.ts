import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../src/core/backend.js';
import { computeDspritesSampleQuality, proceduralDspritesGenerator } from '../../src/metrics/dspritesSampleQuality.js';
import { buildShapeClassifier, disposeShapeClassifier, loadShapeClassifier, type ShapeClassifier } from '../../src/models/shapeClassifier.js';

/** Two samples of one distribution must be this many times closer (Fréchet) than balanced vs hearts-only. */
const FD_RATIO = 3;
import { DisentangleError } from '../../src/core/errors.js';
import type { GenerativeModel, Progress } from '../../src/core/types.js';

let net: ShapeClassifier;
beforeAll(async () => {
  await setupBackend(['wasm', 'cpu']);
  net = loadShapeClassifier();
});

describe('computeDspritesSampleQuality', () => {
  it('scores the procedural dataset used as a generator like the real-data reference', async () => {
    const before = tf.memory().numTensors;
    const progress: Progress[] = [];
    const r = await computeDspritesSampleQuality({
      model: proceduralDspritesGenerator(),
      numSamples: 600,
      batchSize: 200,
      seed: 1,
      realReference: true,
      classifier: net,
      onProgress: (p) => progress.push(p),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.numSamples).toBe(600);
    const real = r.real!;
    // Same distribution, different draws: the scores agree up to sampling noise.
    expect(Math.abs(r.inceptionScore - real.inceptionScore)).toBeLessThan(0.1);
    expect(Math.abs(r.confidence - real.confidence)).toBeLessThan(0.03);
    expect(Math.abs(r.modeKl - real.modeKl)).toBeLessThan(0.05);
    // A mode-dropping generator (hearts only) is further from the real features and less varied.
    const oneShape = await computeDspritesSampleQuality({ model: proceduralDspritesGenerator({ shapes: [2] }), numSamples: 600, batchSize: 200, seed: 1, classifier: net });
    expect(r.frechetDistance).toBeLessThan(oneShape.frechetDistance / FD_RATIO);
    expect(oneShape.modeKl).toBeGreaterThan(r.modeKl);
    expect(oneShape.inceptionScore).toBeLessThan(r.inceptionScore);
    expect(progress.at(-1)).toEqual({ stage: 'real', done: 1200, total: 1200 });
    expect(progress.some((p) => p.stage === 'generated')).toBe(true);
  });
  it('gives mode-KL = ln 3 and IS = 1 when every sample is classified as one shape', async () => {
    // A classifier whose output ignores the image and always favours 'ellipse'.
    const constant = buildShapeClassifier(0);
    constant.out.kernel.assign(tf.zeros(constant.out.kernel.shape));
    constant.out.bias.assign(tf.tensor1d([0, 4, 0]));
    const r = await computeDspritesSampleQuality({ model: proceduralDspritesGenerator(), numSamples: 60, batchSize: 30, classifier: constant });
    expect(r.modeKl).toBeCloseTo(Math.log(3), 12);
    expect(r.modeCounts).toEqual([0, 60, 0]);
    expect(r.inceptionScore).toBeCloseTo(1, 6);
    expect(r.confidence).toBeCloseTo(Math.exp(4) / (Math.exp(4) + 2), 6);
    disposeShapeClassifier(constant);
  });
  it('gives mode-KL ≈ ln 3 with the shipped classifier for a generator that draws a single shape', async () => {
    const r = await computeDspritesSampleQuality({ model: proceduralDspritesGenerator({ shapes: [0] }), numSamples: 300, batchSize: 150, classifier: net });
    expect(r.modeKl).toBeGreaterThan(Math.log(3) - 0.1);
    expect(r.inceptionScore).toBeLessThan(1.3);
  });
  it('is reproducible from the seed', async () => {
    const opts = { model: proceduralDspritesGenerator(), numSamples: 100, batchSize: 50, seed: 9, classifier: net };
    const a = await computeDspritesSampleQuality(opts);
    const b = await computeDspritesSampleQuality(opts);
    expect(a).toEqual(b);
  });
  it('refuses bad models and options', async () => {
    await expect(computeDspritesSampleQuality({ model: {} as GenerativeModel })).rejects.toThrow(DisentangleError);
    await expect(computeDspritesSampleQuality({ model: proceduralDspritesGenerator(), numSamples: 1 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    const wrong: GenerativeModel = { ...proceduralDspritesGenerator(), generate: () => tf.zeros([3, 32, 32, 1]) };
    await expect(computeDspritesSampleQuality({ model: wrong, numSamples: 10, classifier: net })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    const short: GenerativeModel = { ...proceduralDspritesGenerator(), generate: () => tf.zeros([1, 64, 64, 1]) };
    await expect(computeDspritesSampleQuality({ model: short, numSamples: 10, classifier: net })).rejects.toMatchObject({ code: 'CALLBACK_RESULT' });
  });
  it('stops on abort', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(computeDspritesSampleQuality({ model: proceduralDspritesGenerator(), numSamples: 10, signal: ctrl.signal, classifier: net })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('computeDspritesSampleQuality headline and option names', () => {
  it('carries score = the generated samples\' inceptionScore', async () => {
    const r = await computeDspritesSampleQuality({ model: proceduralDspritesGenerator(), numSamples: 40, batchSize: 20, classifier: net, realReference: true });
    expect(r.score).toBe(r.inceptionScore);
    expect(r.real!.score).toBe(r.real!.inceptionScore);
  });
  it('refuses a misspelt option with the closest valid name, and so does the procedural generator', async () => {
    await expect(computeDspritesSampleQuality({ model: proceduralDspritesGenerator(), numSample: 40, classifier: net } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      argument: 'numSample',
      message: expect.stringMatching(/did you mean numSamples\?/),
    });
    expect(() => proceduralDspritesGenerator({ shape: [0] } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(/did you mean shapes\?/) }));
  });
});
