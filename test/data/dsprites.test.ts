import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { dsprites } from '../../src/data/dsprites.js';
import { renderDspritesBatch } from '../../src/data/dspritesRenderer.js';
import { sampleCodesAndFactors, samplingContext } from '../../src/data/sampling.js';

beforeAll(async () => {
  await setupBackend(['cpu']);
});

describe('dsprites()', () => {
  it('declares the real factor layout', () => {
    const d = dsprites();
    expect(d.factorSizes).toEqual([3, 6, 40, 32, 32]);
    expect(d.factorNames).toEqual(['shape', 'scale', 'orientation', 'posX', 'posY']);
    expect(d.observationShape).toEqual([64, 64, 1]);
    expect(d.factorValues.map((v) => v.length)).toEqual([3, 6, 40, 32, 32]);
    expect(d.factorValues[1][1]).toBeCloseTo(0.6, 15);
    expect(d.factorValues[2][39]).toBe(2 * Math.PI);
  });

  it('returns a float32 [n, 64, 64, 1] tensor of the rendered 0/1 pixels on the current backend', async () => {
    const d = dsprites({ seed: 3 });
    const factors = { data: Int32Array.of(0, 5, 0, 3, 4, 2, 1, 17, 30, 9), shape: [2, 5] as const };
    const before = tf.memory().numTensors;
    const t = d.observationsFromFactors(factors, createRng(0)) as tf.Tensor4D;
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(t.shape).toEqual([2, 64, 64, 1]);
    expect(t.dtype).toBe('float32');
    const expected = renderDspritesBatch(factors);
    expect(Array.from(await t.data())).toEqual(Array.from(expected));
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('feeds the shared sampler: every image the representation sees matches its factors, no tensor leaks', async () => {
    const d = dsprites();
    const before = tf.memory().numTensors;
    // A representation that reads the sprite centroid and area back from the pixels.
    const represent = (x: tf.Tensor4D): tf.Tensor2D =>
      tf.tidy(() => {
        const img = tf.reshape(x, [x.shape[0], 64, 64]);
        const area = tf.sum(img, [1, 2]);
        const xs = tf.reshape(tf.range(0, 64, 1, 'float32'), [1, 1, 64]);
        const cx = tf.div(tf.sum(tf.mul(img, xs), [1, 2]), area);
        return tf.stack([area, cx], 1) as tf.Tensor2D;
      });
    const ctx = samplingContext(d, represent);
    const { codes, factors } = await sampleCodesAndFactors(ctx, { numPoints: 40, batchSize: 16, rng: createRng(1) });
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 40; i++) {
      const posX = factors.data[i * 5 + 3];
      const centre = 16 + (32 * posX) / 31 - 0.5;
      expect(codes.data[i * 2]).toBeGreaterThan(50);
      expect(Math.abs(codes.data[i * 2 + 1] - centre)).toBeLessThan(3);
    }
  });

  it('rejects bad options and bad factors, naming them', () => {
    const code = (fn: () => unknown): [string, string] => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(DisentangleError);
        return [(e as DisentangleError).code, (e as DisentangleError).argument];
      }
      throw new Error('no error');
    };
    expect(code(() => dsprites({ renderer: 'real' as 'procedural' }))).toEqual(['BAD_OPTION', 'renderer']);
    expect(code(() => dsprites({ seed: Number.NaN }))).toEqual(['BAD_OPTION', 'seed']);
    const before = tf.memory().numTensors;
    expect(code(() => dsprites().observationsFromFactors({ data: Int32Array.of(0, 0, 0, 32, 0), shape: [1, 5] }, createRng(0)))).toEqual(['BAD_INPUT', 'factors']);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('dsprites options', () => {
  it('refuses a misspelt option name, naming the closest valid one', () => {
    expect(() => dsprites({ sead: 1 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'sead', message: expect.stringMatching(/did you mean seed\?/) }));
  });
});
