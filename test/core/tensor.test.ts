import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { columnMoments, meanVarianceColumns } from '../../src/core/stats.js';
import {
  disposeIfTensor,
  hasShape,
  isTfTensor,
  likeInput,
  readBlock,
  readFactorBatch,
  readBlockSync,
  shapeOf,
  toFactors,
  toFactorsAsync,
  toMatrix,
  toMatrixAsync,
  toTensor,
  toTensorAsync,
} from '../../src/core/tensor.js';
import type { TensorLike } from '../../src/core/types.js';

const ROWS = [
  [1, 2.5, -3],
  [4, 0, 6.25],
];
const FLAT = ROWS.flat();

/** Every synchronous host form of the same 2×3 block. */
function hostForms(rows = ROWS): [string, TensorLike][] {
  const flat = Float64Array.from(rows.flat());
  const shape = [rows.length, rows[0].length];
  return [
    ['number[][]', rows],
    ['{data, shape}', { data: flat, shape }],
    ['{data: number[], shape}', { data: Array.from(flat), shape }],
    ['{data, dims} (ONNX Runtime)', { data: Float32Array.from(flat), dims: shape }],
  ];
}
function asyncForm(rows = ROWS): TensorLike {
  const flat = Float64Array.from(rows.flat());
  return { shape: [rows.length, rows[0].length], data: async () => flat };
}

function caught(fn: () => unknown): DisentangleError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DisentangleError);
    return e as DisentangleError;
  }
  throw new Error('expected a DisentangleError');
}
async function caughtAsync(fn: () => Promise<unknown>): Promise<DisentangleError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DisentangleError);
    return e as DisentangleError;
  }
  throw new Error('expected a DisentangleError');
}

afterAll(async () => {
  await setupBackend(['cpu']);
});

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`TensorLike adapter with tfjs tensors on the ${backend} backend`, () => {
    it('starts the backend', async () => {
      expect(await setupBackend([backend])).toBe(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    it('reads a tensor in every entry point without leaking tensors', async () => {
      const t = tf.tensor2d(ROWS);
      const before = tf.memory().numTensors;
      expect(isTfTensor(t)).toBe(true);
      expect(shapeOf(t, 'x')).toEqual([2, 3]);
      expect(Array.from(readBlockSync(t, 'x').data)).toEqual(FLAT);
      expect(Array.from((await readBlock(t, 'x')).data)).toEqual(FLAT);
      const m = toMatrix(t, 'x', 'fn');
      expect([m.rows, m.cols, Array.from(m.data)]).toEqual([2, 3, FLAT]);
      expect(Array.from((await toMatrixAsync(t, 'x')).data)).toEqual(FLAT);
      const ti = tf.tensor2d([[0, 1], [2, 3]], undefined, 'int32');
      const before2 = tf.memory().numTensors;
      expect(Array.from(toFactors(ti, 'f').data)).toEqual([0, 1, 2, 3]);
      expect(Array.from((await toFactorsAsync(ti, 'f')).data)).toEqual([0, 1, 2, 3]);
      expect(tf.memory().numTensors).toBe(before2);
      ti.dispose();
      expect(tf.memory().numTensors).toBe(before);
      t.dispose();
    });

    it('reduces columnMoments on the backend (ddof 0 and 1) to the same values as float64 arrays, leak-free', async () => {
      const rows = Array.from({ length: 50 }, (_, i) => [Math.sin(i), i / 7, (i % 5) - 2]);
      const t = tf.tensor2d(rows);
      const before = tf.memory().numTensors;
      for (const ddof of [0, 1]) {
        const onDevice = await columnMoments(t, 'codes', 'fn', ddof);
        const host = await columnMoments(rows, 'codes', 'fn', ddof);
        expect(onDevice.rows).toBe(50);
        for (let j = 0; j < 3; j++) {
          expect(onDevice.mean[j]).toBeCloseTo(host.mean[j], 5);
          expect(onDevice.variance[j]).toBeCloseTo(host.variance[j], 4);
        }
      }
      expect(tf.memory().numTensors).toBe(before);
      // one row with ddof 1: the variance is undefined (NaN), as on the host path, not an input error
      const one = tf.tensor2d([[1, 2]]);
      const m1 = await columnMoments(one, 'codes', 'fn', 1);
      expect(Array.from(m1.mean)).toEqual([1, 2]);
      expect(Number.isNaN(m1.variance[0])).toBe(true);
      one.dispose();
      const bad = tf.tensor2d([[1, NaN], [2, 3]]);
      const e = await caughtAsync(() => columnMoments(bad, 'codes', 'fn'));
      expect([e.code, e.argument]).toEqual(['NON_FINITE', 'codes (in fn)']);
      expect(tf.memory().numTensors).toBe(before + 1);
      bad.dispose();
      t.dispose();
    });

    it('disposes only tensors, and refuses a disposed tensor', () => {
      const t = tf.tensor1d([1, 2]);
      disposeIfTensor(t);
      expect(t.isDisposed).toBe(true);
      disposeIfTensor(t); // twice is harmless
      disposeIfTensor([[1]]);
      const e = caught(() => toMatrix(t, 'codes', 'fn'));
      expect([e.code, e.argument]).toEqual(['BAD_INPUT', 'codes (in fn)']);
    });
  });
}

describe('TensorLike adapter with host forms', () => {
  it('reads every form to the same matrix, sync and async', async () => {
    for (const [name, x] of hostForms()) {
      const m = toMatrix(x, 'x');
      expect([m.rows, m.cols, Array.from(m.data)], name).toEqual([2, 3, FLAT]);
      expect(Array.from((await toMatrixAsync(x, 'x')).data), name).toEqual(FLAT);
      expect(shapeOf(x, 'x'), name).toEqual([2, 3]);
    }
    const a = asyncForm();
    expect(Array.from((await toMatrixAsync(a, 'x')).data)).toEqual(FLAT);
    expect(Array.from((await readBlock(a, 'x')).data)).toEqual(FLAT);
    expect(shapeOf(a, 'x')).toEqual([2, 3]);
  });

  it('agrees across forms on random blocks (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }).chain((d) => fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: d, maxLength: d }), { minLength: 1, maxLength: 8 })),
        async (rows) => {
          const want = rows.flat();
          for (const [name, x] of hostForms(rows)) {
            const got = Array.from(toMatrix(x, 'x').data);
            if (name.includes('dims')) got.forEach((v, i) => expect(v).toBeCloseTo(Math.fround(want[i]), 10));
            else expect(got, name).toEqual(want);
          }
          expect(Array.from((await toMatrixAsync(asyncForm(rows), 'x')).data)).toEqual(want);
          const mv = meanVarianceColumns(toMatrix(rows, 'x'), 0);
          const d = rows[0].length;
          for (let j = 0; j < d; j++) {
            const col = rows.map((r) => r[j]);
            const mean = col.reduce((s, v) => s + v, 0) / col.length;
            expect(mv.mean[j]).toBeCloseTo(mean, 6);
            expect(mv.variance[j]).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('turns a vector into an n×1 matrix', () => {
    const m = toMatrix([3, 4, 5] as unknown as TensorLike, 'v');
    expect([m.rows, m.cols]).toEqual([3, 1]);
    const m2 = toMatrix({ data: Float64Array.of(1, 2), shape: [2] }, 'v');
    expect([m2.rows, m2.cols]).toEqual([2, 1]);
  });

  it('reads factors from every form and refuses non-integers or negatives', async () => {
    const forms: TensorLike[] = [[[0, 2], [1, 1]], { data: Int32Array.of(0, 2, 1, 1), shape: [2, 2] }, { data: Float64Array.of(0, 2, 1, 1), dims: [2, 2] }];
    for (const x of forms) expect(Array.from(toFactors(x, 'f').data)).toEqual([0, 2, 1, 1]);
    expect(Array.from((await toFactorsAsync({ shape: [2, 2], data: async () => [0, 2, 1, 1] }, 'f')).data)).toEqual([0, 2, 1, 1]);
    for (const bad of [[[0.5]], [[-1]], [[2 ** 31]]]) {
      const e = caught(() => toFactors(bad, 'factors', 'fn'));
      expect([e.code, e.argument]).toEqual(['BAD_INPUT', 'factors (in fn)']);
    }
  });

  it('names the argument and the function for each kind of bad input', async () => {
    const cases: [TensorLike, string][] = [
      [[[1, 2], [3]], 'SHAPE_MISMATCH'],
      [[[1, NaN]], 'NON_FINITE'],
      [[[1, Infinity]], 'NON_FINITE'],
      [[], 'EMPTY'],
      [[[]], 'EMPTY'],
      [[['a' as unknown as number]], 'BAD_INPUT'],
      [{ data: new Float64Array(5), shape: [2, 3] }, 'SHAPE_MISMATCH'],
      [{ data: new Float64Array(6), shape: [2, -3] }, 'BAD_INPUT'],
      [{ data: new Float64Array(8), shape: [2, 2, 2] }, 'SHAPE_MISMATCH'],
      [null as unknown as TensorLike, 'BAD_INPUT'],
      [42 as unknown as TensorLike, 'BAD_INPUT'],
      [{ foo: 1 } as unknown as TensorLike, 'BAD_INPUT'],
      [asyncForm(), 'BAD_INPUT'], // async-only form in a synchronous entry point
    ];
    for (const [x, code] of cases) {
      const e = caught(() => toMatrix(x, 'codes', 'migFromCodes'));
      expect([e.code, e.argument], JSON.stringify(x)).toEqual([code, 'codes (in migFromCodes)']);
    }
    const e1 = caught(() => toMatrix([[1, 2]], 'codes', 'fn', { cols: 3 }));
    expect(e1.code).toBe('SHAPE_MISMATCH');
    const e2 = caught(() => toMatrix([[1, 2]], 'codes', 'fn', { rows: 2 }));
    expect(e2.code).toBe('SHAPE_MISMATCH');
    expect(toMatrix([[1, NaN]], 'codes', 'fn', { finite: false }).data[1]).toBeNaN();
    expect(toMatrix([], 'codes', 'fn', { nonEmpty: false }).rows).toBe(0);
    const e3 = await caughtAsync(() => toMatrixAsync({ data: async () => [1] } as unknown as TensorLike, 'codes', 'fn'));
    expect([e3.code, e3.argument]).toEqual(['BAD_INPUT', 'codes (in fn)']);
    const e4 = await caughtAsync(() => toMatrixAsync({ shape: [2], data: async () => [1, 2, 3] }, 'codes', 'fn'));
    expect(e4.code).toBe('SHAPE_MISMATCH');
    const e5 = caught(() => shapeOf({ data: [1] } as unknown as TensorLike, 'codes', 'fn'));
    expect([e5.code, e5.argument]).toEqual(['BAD_INPUT', 'codes (in fn)']);
  });

  it('columnMoments on host forms matches a two-pass float64 computation, ddof 0 and 1', async () => {
    const rows = [[1, 10], [2, 10], [4, 10], [7, 10]];
    const m0 = await columnMoments(rows, 'x');
    expect(Array.from(m0.mean)).toEqual([3.5, 10]);
    expect(Array.from(m0.variance)).toEqual([5.25, 0]);
    const m1 = await columnMoments({ data: Float64Array.from(rows.flat()), dims: [4, 2] }, 'x', '', 1);
    expect(m1.variance[0]).toBeCloseTo(7, 12);
    const single = await columnMoments([[5]], 'x', '', 1);
    expect(single.variance[0]).toBeNaN(); // n - ddof = 0: undefined, as numpy gives nan
  });
});

describe('TensorLike adapter: values that are not real numbers', () => {
  it('refuses complex64 and string tensors (tfjs and duck-typed) in every reader, naming the argument', async () => {
    await setupBackend(['cpu']);
    const before = tf.memory().numTensors;
    const complex = tf.complex([1, 2], [3, 4]);
    const strings = tf.tensor1d(['a', 'b'], 'string');
    for (const [what, t] of [['complex64', complex], ['string', strings]] as const) {
      for (const read of [() => toMatrix(t, 'codes', 'fn'), () => readBlockSync(t, 'codes', 'fn'), () => toFactors(t, 'factors', 'fn')]) {
        const e = caught(read);
        expect([e.code, e.message.includes(what)]).toEqual(['BAD_INPUT', true]);
      }
      for (const read of [() => toMatrixAsync(t, 'codes', 'fn'), () => readBlock(t, 'codes', 'fn'), () => columnMoments(t, 'codes', 'fn')]) {
        const e = await caughtAsync(read);
        expect([e.code, e.argument]).toEqual(['BAD_INPUT', 'codes (in fn)']);
      }
    }
    const duck = { dtype: 'complex64', shape: [2], dataSync: () => Float32Array.of(1, 3, 2, 4) } as unknown as TensorLike;
    expect(caught(() => toMatrix(duck, 'codes', 'fn')).code).toBe('BAD_INPUT');
    const duckBlock = { dtype: 'complex64', shape: [2], data: Float32Array.of(1, 3, 2, 4) } as unknown as TensorLike;
    expect(caught(() => toMatrix(duckBlock, 'codes', 'fn')).code).toBe('BAD_INPUT');
    complex.dispose();
    strings.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads bool tensors as 0/1', () => {
    const b = tf.tensor2d([[true, false], [false, true]], [2, 2], 'bool');
    expect(Array.from(toFactors(b, 'factors', 'fn').data)).toEqual([1, 0, 0, 1]);
    b.dispose();
  });

  it('refuses string and BigInt data, symbols in a shape, and tensors whose reads throw, as BAD_INPUT', async () => {
    const cases: unknown[] = [
      { data: 'abcd', shape: [4] },
      { data: BigInt64Array.of(1n, 2n), shape: [2] },
      { data: { length: 2 }, shape: [2] },
      { data: [1, 2], shape: [Symbol('x'), 1] },
      { dtype: 'float32', shape: [1], dataSync: () => { throw new TypeError('boom'); } },
    ];
    for (const x of cases) {
      const e = caught(() => toMatrix(x as TensorLike, 'codes', 'fn'));
      expect(['BAD_INPUT', 'SHAPE_MISMATCH']).toContain(e.code);
    }
    const rejecting = { shape: [1], data: () => Promise.reject(new Error('gone')) } as unknown as TensorLike;
    expect((await caughtAsync(() => toMatrixAsync(rejecting, 'codes', 'fn'))).code).toBe('BAD_INPUT');
  });
});

describe('toTensor / toTensorAsync, likeInput, readFactorBatch', () => {
  it('passes a float32 tensor of the right shape through, reshapes or casts others, uploads host forms, leak-free', async () => {
    await setupBackend(['cpu']);
    const before = tf.memory().numTensors;
    const t = tf.tensor2d([[1, 2], [3, 4]]);
    const same = toTensor(t, [2], 'x', 'fn');
    expect([same.tensor === t, same.owned]).toEqual([true, false]);
    const flat = toTensor(t, [2, 1], 'x', 'fn');
    expect([flat.owned, flat.tensor.shape]).toEqual([true, [2, 2, 1]]);
    flat.tensor.dispose();
    const ints = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    const cast = toTensor(ints, [2], 'x', 'fn');
    expect([cast.tensor.dtype, cast.owned]).toEqual(['float32', true]);
    cast.tensor.dispose();
    ints.dispose();
    const host = await toTensorAsync(asyncForm(), [3], 'x', 'fn');
    expect([host.owned, host.tensor.shape, Array.from(host.tensor.dataSync())]).toEqual([true, [2, 3], FLAT]);
    host.tensor.dispose();
    const e = caught(() => toTensor(ROWS, [4], 'x', 'fn'));
    expect([e.code, e.argument]).toEqual(['SHAPE_MISMATCH', 'x (in fn)']);
    const refused = caught(() => toTensor(t, [2], 'x', 'fn', () => { throw new DisentangleError('SHAPE_MISMATCH', 'x', 'no'); }));
    expect(refused.message).toMatch(/no/);
    t.dispose();
    expect(caught(() => toTensor(t, [2], 'x', 'fn')).code).toBe('BAD_INPUT'); // disposed
    expect(tf.memory().numTensors).toBe(before);
  });

  it('likeInput hands a matrix back in the form given; readFactorBatch checks width and range by name', () => {
    const m = { data: Float64Array.of(1, 2), rows: 1, cols: 2 };
    expect(likeInput([[0, 0]], m)).toEqual([[1, 2]]);
    expect(likeInput({ data: [0, 0], shape: [1, 2] }, m)).toEqual({ data: m.data, shape: [1, 2] });
    const back = likeInput(tf.zeros([1, 2]), m) as tf.Tensor;
    expect([back.dtype, Array.from(back.dataSync())]).toEqual(['float32', [1, 2]]);
    back.dispose();
    const f = readFactorBatch({ data: Int32Array.of(0, 2, 1, 0), shape: [2, 2] }, [2, 3]);
    expect([f.rows, f.cols]).toEqual([2, 2]);
    expect(caught(() => readFactorBatch({ data: Int32Array.of(0, 3), shape: [1, 2] }, [2, 3], 'factors', ['a', 'b'])).message).toMatch(/factor b is 3, outside 0\.\.2/);
    expect(caught(() => readFactorBatch({ data: Int32Array.of(-1, 0), rows: 1, cols: 2 }, [2, 3])).code).toBe('BAD_INPUT');
    expect(caught(() => readFactorBatch({ data: Int32Array.of(0, 0), shape: [1, 2] }, [2, 3, 4])).code).toBe('SHAPE_MISMATCH');
    expect(caught(() => readFactorBatch({ data: [0, 0] } as never, [2, 3])).code).toBe('BAD_INPUT');
    expect([hasShape([[1]]), hasShape({ dims: [1] }), hasShape({ data: [1] })]).toEqual([true, true, false]);
  });
});
