/**
 * ModelCentrality's reductions of one batch of codes: per-dim moments (merged across batches by core/stats'
 * `mergeMoments` into the scale set) and per-group variances, computed where the codes live (a tfjs tensor on its
 * own backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { sliceRows } from '../core/matrix.js';
import { columnMoments, meanVarianceColumns } from '../core/stats.js';
import { isTfTensor, toMatrixAsync } from '../core/tensor.js';
import type { TensorLike } from '../core/types.js';

/** Variance (ddof 0) of each group of `size` consecutive rows, per dim: groups × dims, reduced on the codes' device. */
export async function groupVariances(codes: TensorLike, groups: number, size: number, dims: number, arg: string, fn: string): Promise<Float64Array> {
  let out: Float64Array;
  if (isTfTensor(codes)) {
    // One transpose puts each group's samples on the innermost axis, which tfjs reduces without further copies.
    const v = tf.tidy(() => {
      const x = codes.dtype === 'float32' ? codes : tf.cast(codes, 'float32');
      return tf.moments(tf.transpose(tf.reshape(x, [groups, size, dims]), [0, 2, 1]), 2).variance;
    });
    try {
      out = Float64Array.from(await v.data());
    } finally {
      v.dispose();
    }
  } else {
    const m = await toMatrixAsync(codes, arg, fn, { finite: false });
    out = new Float64Array(groups * dims);
    for (let g = 0; g < groups; g++) out.set(meanVarianceColumns(sliceRows(m, g * size, size), 0).variance, g * dims);
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new DisentangleError('CALLBACK_RESULT', arg, 'returned a non-finite code');
  }
  return out;
}

/** Per-column moments of one encoder's codes (see `columnMoments`); non-finite codes are the encoder's fault. */
export async function codeMoments(codes: TensorLike, arg: string, fn: string): Promise<{ mean: Float64Array; variance: Float64Array }> {
  try {
    return await columnMoments(codes, arg, fn, 0);
  } catch (e) {
    if (e instanceof DisentangleError && e.code === 'NON_FINITE') throw new DisentangleError('CALLBACK_RESULT', arg, `returned a non-finite code (${e.message})`);
    throw e;
  }
}

