import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import type { TensorLike } from '../../src/core/types.js';
import { arrayDataset } from '../../src/data/arrayDataset.js';
import { CodeSource } from '../../src/data/codeCache.js';
import { dsprites } from '../../src/data/dsprites.js';
import { sampleCodesAndFactors, samplingContext } from '../../src/data/sampling.js';
import { imageMomentEncoder } from '../../src/models/analyticEncoders.js';

beforeAll(async () => {
  await setupBackend(['cpu']);
});

// A 4×5×3 grid, each combination once; the observation of a row is its three factor values.
const sizes = [4, 5, 3];
const grid: number[][] = [];
for (let a = 0; a < 4; a++) for (let b = 0; b < 5; b++) for (let c = 0; c < 3; c++) grid.push([a, b, c]);

function countingEncoder(kind: 'array' | 'f32'): { represent: (x: TensorLike) => TensorLike; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    represent: (x) => {
      const { data, shape } = x as { data: ArrayLike<number>; shape: number[] };
      calls.push(shape[0]);
      const rows: number[][] = [];
      for (let i = 0; i < shape[0]; i++) rows.push([Math.sin(data[3 * i] + 0.1) / 3, data[3 * i + 1] * 0.7 + data[3 * i + 2] / 7]);
      return kind === 'array' ? rows : { data: Float32Array.from(rows.flat()), shape: [shape[0], 2] };
    },
  };
}

async function sample(source: CodeSource | undefined, represent: (x: TensorLike) => TensorLike, numPoints = 300) {
  const dataset = arrayDataset({ factors: grid, observations: grid });
  const ctx = samplingContext(dataset, represent, undefined, source);
  return sampleCodesAndFactors(ctx, { numPoints, batchSize: 16, rng: createRng(7) });
}

describe('deterministicObservations', () => {
  it('is declared by procedural dSprites and by an arrayDataset with one observation per factor row', () => {
    expect(dsprites().deterministicObservations).toBe(true);
    expect(arrayDataset({ factors: grid, observations: grid }).deterministicObservations).toBe(true);
    const twice = [...grid, grid[0]];
    expect(arrayDataset({ factors: twice, observations: twice }).deterministicObservations).toBe(false);
  });
});

describe('CodeSource', () => {
  for (const kind of ['array', 'f32'] as const) {
    it(`gives the same codes as encoding every batch (${kind} codes), encoding each distinct row once`, async () => {
      const plain = countingEncoder(kind);
      const cached = countingEncoder(kind);
      const source = new CodeSource(sizes, { encodeBatchSize: 40 });
      const a = await sample(undefined, plain.represent);
      const b = await sample(source, cached.represent);
      expect(Array.from(b.codes.data)).toEqual(Array.from(a.codes.data));
      expect(Array.from(b.factors.data)).toEqual(Array.from(a.factors.data));
      expect(source.drawnImages).toBe(300);
      expect(source.encodedImages).toBe(cached.calls.reduce((s, n) => s + n, 0));
      expect(source.encodedImages).toBeLessThanOrEqual(60);
      expect(Math.max(...cached.calls)).toBeLessThanOrEqual(40);
      // a second run through the same table encodes nothing
      const again = await sample(source, cached.represent);
      expect(Array.from(again.codes.data)).toEqual(Array.from(a.codes.data));
      expect(source.encodedImages).toBe(cached.calls.reduce((s, n) => s + n, 0));
    });
  }

  it('stays within maxCachedRows (oldest rows dropped) and still returns the same codes', async () => {
    const plain = countingEncoder('f32');
    const cached = countingEncoder('f32');
    const source = new CodeSource(sizes, { maxCachedRows: 7, encodeBatchSize: 5 });
    const a = await sample(undefined, plain.represent);
    const b = await sample(source, cached.represent);
    expect(Array.from(b.codes.data)).toEqual(Array.from(a.codes.data));
    expect(source.rowsHeld).toBe(7);
    expect(source.encodedImages).toBeGreaterThan(60); // rows were dropped and encoded again
  });

  it('keeps float32 tfjs codes exact, hands back own tensors and leaks none', async () => {
    const data = dsprites();
    const encode = imageMomentEncoder();
    const run = async (source?: CodeSource) => {
      const ctx = samplingContext(data, encode, undefined, source);
      return sampleCodesAndFactors(ctx, { numPoints: 200, batchSize: 16, rng: createRng(3) });
    };
    const before = tf.memory().numTensors;
    const a = await run();
    const source = new CodeSource(data.factorSizes);
    const b = await run(source);
    expect(Array.from(b.codes.data)).toEqual(Array.from(a.codes.data));
    expect(tf.memory().numTensors).toBe(before);
    expect(source.encodedImages).toBeLessThanOrEqual(200);
  });

  it('rejects a table built for other factor sizes and a bad maxCachedRows', () => {
    const dataset = arrayDataset({ factors: grid, observations: grid });
    expect(() => samplingContext(dataset, countingEncoder('f32').represent, undefined, new CodeSource([4, 5]))).toThrow(DisentangleError);
    expect(() => new CodeSource(sizes, { maxCachedRows: -1 })).toThrow(/maxCachedRows/);
  });
});
