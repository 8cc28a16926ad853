/**
 * The TypeScript example of docs/onnx.md, run on the fixture models: the same code with the package's subpaths
 * replaced by source paths and the file names by fixtures, so that the doc's example both type-checks and runs.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { onnxModel } from '../../src/onnx/index.js';
import { computeMig } from '../../src/metrics/index.js';
import { udr } from '../../src/selection/index.js';
import { dsprites } from '../../src/data/index.js';
import { createRng } from '../../src/core/index.js';

const fixture = (name: string): string => resolve(__dirname, '../fixtures/onnx', name);

// The code-table snippet of docs/onnx.md, type-checked only (a full dSprites table is 737,280 rows).
export const codeTableSnippet = async (): Promise<number> => (await computeMig({ codeTable: 'codes.npy', dataset: dsprites(), seed: 0 })).score;

describe('docs/onnx.md example', () => {
  it('scores an exported encoder, selects with UDR, and samples from the decoder', async () => {
    const before = tf.memory().numTensors;
    // --- as in docs/onnx.md (paths and sizes aside) ---
    const model = await onnxModel({ encoder: fixture('burgess_encoder.onnx'), decoder: fixture('burgess_decoder.onnx') });
    const other = await onnxModel({ encoder: fixture('burgess_encoder_nhwc.onnx') });
    try {
      const dataset = dsprites();
      const mig = await computeMig({ represent: model.represent, dataset, seed: 0, numTrain: 100, batchSize: 50 });
      const selection = await udr({ models: [model.posterior, other.posterior], dataset, correlation: 'spearman', seed: 0, numDataPoints: 100 });
      const generator = model.asGenerativeModel();
      const images = await generator.generate(await generator.sampleLatents(4, createRng(0)));
      // --- end of the example ---
      expect(mig.score).toBeGreaterThanOrEqual(0);
      expect(selection.scores).toHaveLength(2);
      expect((images as { shape: number[] }).shape).toEqual([4, 64, 64, 1]);
    } finally {
      await model.dispose();
      await other.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
