import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import { loadModelSpec } from '../../src/models/modelSpec.js';
import { dsprites } from '../../src/data/dsprites.js';
import { createRng } from '../../src/core/rng.js';
import { DisentangleError } from '../../src/core/errors.js';

const population = resolve(__dirname, '../../models/population');

describe('loadModelSpec', () => {
  beforeAll(async () => {
    await setupBackend(['cpu']);
  });

  it('loads saved reference models whose callbacks leave only their outputs', async () => {
    const index = JSON.parse(readFileSync(resolve(population, 'index.json'), 'utf8')) as { models: Array<{ name: string; family: string }> };
    const firstOf = (family: string) => index.models.find((m) => m.family === family)?.name;
    const names = [firstOf('factor-vae'), firstOf('infogan-cr')].filter((n): n is string => n !== undefined);
    expect(names.length).toBe(2);
    for (const name of names) {
      const before = tf.memory().numTensors;
      const m = await loadModelSpec(resolve(population, name), 'mean');
      const afterLoad = tf.memory().numTensors;
      const images = dsprites().observationsFromFactors({ data: new Int32Array(4 * 5), shape: [4, 5] }, createRng(0));
      const out = await m.udr!(images);
      const codes = await m.represent(images);
      const outputs = [out.mean, out.logVar, codes].filter((t): t is tf.Tensor => t instanceof tf.Tensor);
      // Exactly the returned tensors are new: the encoder's intermediate activations were freed.
      expect(tf.memory().numTensors).toBe(afterLoad + 1 + outputs.length);
      expect((out.mean as tf.Tensor).shape[0]).toBe(4);
      outputs.forEach((t) => t.dispose());
      images.dispose();
      m.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('names the argument when the model does not exist or exports nothing usable', async () => {
    await expect(loadModelSpec('no/such/model')).rejects.toMatchObject({ code: 'BAD_INPUT', argument: 'model' });
    await expect(loadModelSpec(resolve(__dirname, 'fixtures/notAModel.mjs'))).rejects.toBeInstanceOf(DisentangleError);
  });
});
