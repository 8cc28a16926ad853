/**
 * ModelCentrality's reductions of one batch of codes: per-dim moments merged across batches (the scale set) and
 * per-group variances, computed where the codes live (a tfjs tensor on its own backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { columnMoments, isTfTensor, toMatrixAsync } from '../core/tensor.js';
import type { TensorLike } from '../core/types.js';

/** Per-dim running mean and sum of squared deviations, merged batch by batch (Chan et al. 1979). */
export interface RunningMoments {
  n: number;
  mean: Float64Array;
  m2: Float64Array;
}

export function mergeMoments(acc: RunningMoments | undefined, n: number, mean: Float64Array, variance: Float64Array): RunningMoments {
  if (!acc) return { n, mean: Float64Array.from(mean), m2: Float64Array.from(variance, (v) => v * n) };
  const total = acc.n + n;
  for (let d = 0; d < mean.length; d++) {
    const delta = mean[d] - acc.mean[d];
    acc.mean[d] += (delta * n) / total;
    acc.m2[d] += variance[d] * n + (delta * delta * acc.n * n) / total;
  }
  acc.n = total;
  return acc;
}

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
    for (let g = 0; g < groups; g++) {
      const mean = new Float64Array(dims);
      for (let r = g * size; r < (g + 1) * size; r++) for (let d = 0; d < dims; d++) mean[d] += m.data[r * dims + d];
      for (let d = 0; d < dims; d++) mean[d] /= size;
      for (let r = g * size; r < (g + 1) * size; r++) {
        for (let d = 0; d < dims; d++) {
          const x = m.data[r * dims + d] - mean[d];
          out[g * dims + d] += x * x;
        }
      }
      for (let d = 0; d < dims; d++) out[g * dims + d] /= size;
    }
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

