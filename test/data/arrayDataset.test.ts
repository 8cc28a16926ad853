import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { arrayDataset } from '../../src/data/arrayDataset.js';
import { sampleCodesAndFactors, samplingContext } from '../../src/data/sampling.js';
import type { TensorLike } from '../../src/core/types.js';
import { thrown } from '../helpers/errors.js';

beforeAll(async () => {
  await setupBackend(['cpu']);
});

// 2×3 factor grid, each combination once; observation row i = [10·f0 + f1, i] so the test can check both.
const factors = [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]];
const obsRows = factors.map(([a, b], i) => [10 * a + b, i]);

describe('arrayDataset', () => {
  it('infers factor sizes and finds the row of every tuple (arrays in, {data, shape} out)', () => {
    const d = arrayDataset({ factors, observations: obsRows, factorNames: ['a', 'b'] });
    expect(d.factorSizes).toEqual([2, 3]);
    expect(d.factorNames).toEqual(['a', 'b']);
    expect(d.observationShape).toEqual([2]);
    expect(d.numCombinations).toBe(6);
    const out = d.observationsFromFactors({ data: Int32Array.of(1, 2, 0, 0, 1, 2, 0, 1), shape: [4, 2] }, createRng(0)) as { data: Float64Array; shape: number[] };
    expect(out.shape).toEqual([4, 2]);
    expect(Array.from(out.data)).toEqual([12, 5, 0, 0, 12, 5, 1, 1]);
  });

  it('keeps the typed array type of {data, shape} and {data, dims} inputs and their trailing shape', () => {
    const imgs = new Uint8Array(6 * 2 * 2).map((_, i) => i);
    const flat = Int32Array.from(factors.flat());
    for (const obs of [{ data: imgs, shape: [6, 2, 2] }, { data: imgs, dims: [6, 2, 2] }]) {
      const d = arrayDataset({ factors: { data: flat, shape: [6, 2] }, observations: obs });
      const out = d.observationsFromFactors({ data: Int32Array.of(1, 0), shape: [1, 2] }, createRng(0)) as { data: Uint8Array; shape: number[] };
      expect(out.data).toBeInstanceOf(Uint8Array);
      expect(out.shape).toEqual([1, 2, 2]);
      expect(Array.from(out.data)).toEqual([12, 13, 14, 15]);
    }
  });

  it('gathers on the backend when given a tensor, never disposing the caller’s tensor', async () => {
    const obs = tf.tensor2d(obsRows);
    const fac = tf.tensor2d(factors, undefined, 'int32');
    const d = arrayDataset({ factors: fac, observations: obs });
    const before = tf.memory().numTensors;
    const out = d.observationsFromFactors({ data: Int32Array.of(0, 2, 1, 1), shape: [2, 2] }, createRng(0)) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(out.shape).toEqual([2, 2]);
    expect(Array.from(await out.data())).toEqual([2, 2, 11, 4]);
    out.dispose();
    expect(obs.isDisposed).toBe(false);
    obs.dispose();
    fac.dispose();
  });

  it('draws among rows that share a tuple, reproducibly for a seed, and reaches each of them', () => {
    const f = [[0], [1], [1], [1]];
    const d = arrayDataset({ factors: f, observations: [[0], [1], [2], [3]] });
    const draw = (seed: number): number[] => Array.from((d.observationsFromFactors({ data: new Int32Array(60).fill(1), shape: [60, 1] }, createRng(seed)) as unknown as { data: Float64Array }).data);
    const a = draw(4);
    expect(draw(4)).toEqual(a);
    expect(new Set(a)).toEqual(new Set([1, 2, 3]));
  });

  it('plugs into the shared sampler; with sampling "rows" it draws only combinations present', async () => {
    const f = [[0, 0], [1, 2], [2, 1]];
    const d = arrayDataset({ factors: f, observations: [[0], [12], [21]], factorSizes: [3, 3], sampling: 'rows' });
    const ctx = samplingContext(d, (x: TensorLike) => x);
    const { codes, factors: got } = await sampleCodesAndFactors(ctx, { numPoints: 30, batchSize: 7, rng: createRng(2) });
    for (let i = 0; i < 30; i++) expect(codes.data[i]).toBe(10 * got.data[2 * i] + got.data[2 * i + 1]);
    // uniform sampling over a 3×3 grid with 3 rows hits a missing tuple and explains it
    const uniform = arrayDataset({ factors: f, observations: [[0], [12], [21]], factorSizes: [3, 3] });
    await expect(sampleCodesAndFactors(samplingContext(uniform, (x: TensorLike) => x), { numPoints: 30, batchSize: 30, rng: createRng(2) })).rejects.toMatchObject({ code: 'BAD_INPUT', argument: 'factors' });
  });

  it('returns exactly the observation of each tuple (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(4), fc.nat(2)), { minLength: 1, maxLength: 30 }), fc.nat(1000), (rows, seed) => {
        const obs = rows.map(([a, b, c]) => [a * 100 + b * 10 + c]);
        const d = arrayDataset({ factors: rows, observations: obs });
        const q = Int32Array.from(rows.flat());
        const out = d.observationsFromFactors({ data: q, shape: [rows.length, 3] }, createRng(seed)) as unknown as { data: Float64Array };
        expect(Array.from(out.data)).toEqual(obs.flat());
      }),
      { numRuns: 50 },
    );
  });

  it('rejects bad input naming the argument', () => {
    const cases: [() => unknown, string, string][] = [
      [() => arrayDataset({ factors, observations: obsRows.slice(1) }), 'SHAPE_MISMATCH', 'observations (in arrayDataset)'],
      [() => arrayDataset({ factors: [[0.5, 1]], observations: [[1]] }), 'BAD_INPUT', 'factors (in arrayDataset)'],
      [() => arrayDataset({ factors: [[-1, 1]], observations: [[1]] }), 'BAD_INPUT', 'factors (in arrayDataset)'],
      [() => arrayDataset({ factors: [], observations: [] }), 'EMPTY', 'factors (in arrayDataset)'],
      [() => arrayDataset({ factors, observations: obsRows, factorSizes: [2, 2] }), 'BAD_INPUT', 'factors'],
      [() => arrayDataset({ factors, observations: obsRows, factorSizes: [2, 0] }), 'BAD_INPUT', 'factorSizes'],
      [() => arrayDataset({ factors, observations: obsRows, factorNames: ['a'] }), 'BAD_OPTION', 'factorNames'],
      [() => arrayDataset({ factors, observations: obsRows, sampling: 'all' as 'rows' }), 'BAD_OPTION', 'sampling'],
      [() => arrayDataset({ factors, observations: undefined as unknown as TensorLike }), 'BAD_INPUT', 'observations'],
      [() => arrayDataset({ factors, observations: obsRows }).observationsFromFactors({ data: Int32Array.of(2, 0), shape: [1, 2] }, createRng(0)), 'BAD_INPUT', 'factors'],
      [() => arrayDataset({ factors, observations: obsRows }).observationsFromFactors({ data: Int32Array.of(1, 0, 0), shape: [1, 3] }, createRng(0)), 'SHAPE_MISMATCH', 'factors'],
    ];
    for (const [fn, code, argument] of cases) {
      const e = thrown(fn);
      expect([e.code, e.argument]).toEqual([code, argument]);
    }
  });
});

describe('arrayDataset options', () => {
  it('refuses a misspelt option name, naming the closest valid one', () => {
    const call = () => arrayDataset({ factors: [[0], [1]], observations: [[0], [1]], factorSize: [2] } as never);
    expect(call).toThrow(DisentangleError);
    expect(call).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'factorSize', message: expect.stringMatching(/did you mean factorSizes\?/) }));
  });
});
