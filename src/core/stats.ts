/**
 * Column statistics: per-column mean and variance of a block (two-pass, or reduced on a tensor's own backend),
 * and running moments merged batch by batch with Chan, Golub & LeVeque's pairwise update (1979; the
 * `combine_variances` of simple-statistics), so a streamed estimate needs memory for one batch, not all samples.
 * Every copy of these steps in the library goes through here: the FactorVAE metric's global variance,
 * ModelCentrality's scale set and the Fréchet distance's feature moments.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from './errors.js';
import type { Matrix } from './matrix.js';
import { checkTensorDtype, toMatrixAsync } from './tensor.js';
import type { TensorLike } from './types.js';

/** Column means and variances (two-pass, float64) of a matrix; `ddof` as numpy's (NaN when rows ≤ ddof). */
export function meanVarianceColumns(m: Matrix, ddof = 0): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(m.cols);
  const variance = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) mean[j] += m.data[i * m.cols + j];
  for (let j = 0; j < m.cols; j++) mean[j] /= m.rows;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const d = m.data[i * m.cols + j] - mean[j];
      variance[j] += d * d;
    }
  }
  for (let j = 0; j < m.cols; j++) variance[j] = m.rows - ddof > 0 ? variance[j] / (m.rows - ddof) : NaN;
  return { mean, variance };
}

/**
 * Per-column mean and variance of an n×d TensorLike. A tfjs tensor is reduced on its own backend (WebGL, wasm …)
 * and only 2·d numbers are read back; other forms are reduced here in float64 ({@link meanVarianceColumns}).
 * Non-finite values are `NON_FINITE` naming the argument.
 */
export async function columnMoments(
  x: TensorLike,
  argument: string,
  fn = '',
  ddof = 0,
): Promise<{ mean: Float64Array; variance: Float64Array; rows: number }> {
  const where = fn ? `${argument} (in ${fn})` : argument;
  // Reduce on the device only for tensors of our own tfjs-core; a duck-typed one is read like any other form.
  if (x instanceof tf.Tensor) {
    if (x.isDisposed) throw new DisentangleError('BAD_INPUT', where, 'the tensor has already been disposed');
    checkTensorDtype(x, argument, fn);
    if (x.shape.length !== 2) throw new DisentangleError('SHAPE_MISMATCH', where, `expected a 2-D tensor (n×d), got shape [${x.shape}]`);
    const n = x.shape[0];
    const [m, v] = tf.tidy(() => {
      const xf = tf.cast(x, 'float32');
      const mo = tf.moments(xf, 0);
      return [mo.mean, mo.variance];
    });
    try {
      const [md, vd] = await Promise.all([m.data(), v.data()]);
      const scale = n - ddof > 0 ? n / (n - ddof) : NaN;
      const mean = Float64Array.from(md);
      const variance = Float64Array.from(vd, (val) => val * scale);
      // Check the data's moments, not the rescaled variance: n - ddof ≤ 0 gives NaN, as on the host path.
      for (let i = 0; i < mean.length; i++) {
        if (!Number.isFinite(md[i]) || !Number.isFinite(vd[i])) throw new DisentangleError('NON_FINITE', where, `column ${i} contains NaN or Infinity`);
      }
      return { mean, variance, rows: n };
    } finally {
      m.dispose();
      v.dispose();
    }
  }
  const mat = await toMatrixAsync(x, argument, fn);
  const { mean, variance } = meanVarianceColumns(mat, ddof);
  return { mean, variance, rows: mat.rows };
}

/** Per-column running count, mean and sum of squared deviations (M2) of the batches merged so far. */
export interface RunningMoments {
  n: number;
  mean: Float64Array;
  m2: Float64Array;
}

/**
 * Merges one batch's summary (its size, column means and ddof-0 variances) into `acc` (Chan et al. 1979):
 * δ = mean_b − mean_a, mean += δ·n_b/n, M2 += var_b·n_b + δ²·n_a·n_b/n. Starts a new accumulator when `acc` is
 * undefined; otherwise updates it in place and returns it.
 *
 * @example
 * let acc: RunningMoments | undefined;
 * for (const b of batches) acc = mergeMoments(acc, b.rows, b.mean, b.variance);
 * const variance = momentsVariance(acc!, 1);
 */
export function mergeMoments(acc: RunningMoments | undefined, n: number, mean: ArrayLike<number>, variance: ArrayLike<number>): RunningMoments {
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

/** The per-column variance M2 / (n − ddof) of merged moments. */
export function momentsVariance(acc: RunningMoments, ddof = 0): Float64Array {
  return Float64Array.from(acc.m2, (v) => v / (acc.n - ddof));
}

/**
 * The covariance version of {@link mergeMoments}: streams rows into a running mean and scatter matrix, merging
 * batch by batch with the same pairwise update, so memory grows with the batch and d², never with the number of
 * samples. Each batch is centred on its own mean first (two-pass within the batch).
 *
 * @example
 * const acc = new RunningCovariance(2);
 * acc.add(Float64Array.of(1, 2, 3, 5), 2);
 * acc.result().covariance; // [2, 3, 3, 4.5]
 */
export class RunningCovariance {
  readonly dims: number;
  count = 0;
  private readonly mean: Float64Array;
  private readonly scatter: Float64Array;

  constructor(dims: number) {
    this.dims = dims;
    this.mean = new Float64Array(dims);
    this.scatter = new Float64Array(dims * dims);
  }

  /** Adds `rows` rows of a row-major block of width `dims`. */
  add(data: ArrayLike<number>, rows: number): void {
    if (rows === 0) return;
    const d = this.dims;
    const bm = new Float64Array(d);
    for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) bm[j] += data[i * d + j];
    for (let j = 0; j < d; j++) bm[j] /= rows;
    const centered = new Float64Array(rows * d);
    for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) centered[i * d + j] = data[i * d + j] - bm[j];
    const S = this.scatter;
    for (let i = 0; i < rows; i++) {
      const off = i * d;
      for (let a = 0; a < d; a++) {
        const va = centered[off + a];
        if (va === 0) continue;
        const row = a * d;
        for (let b = a; b < d; b++) S[row + b] += va * centered[off + b];
      }
    }
    const na = this.count;
    const n = na + rows;
    const w = (na * rows) / n;
    for (let a = 0; a < d; a++) {
      const da = bm[a] - this.mean[a];
      for (let b = a; b < d; b++) S[a * d + b] += w * da * (bm[b] - this.mean[b]);
    }
    for (let j = 0; j < d; j++) this.mean[j] += ((bm[j] - this.mean[j]) * rows) / n;
    this.count = n;
  }

  /** The mean and the covariance scatter / (count − ddof); default ddof 1 as numpy's `np.cov` (needs 2 rows). */
  result(ddof = 1): { mean: Float64Array; covariance: Float64Array } {
    const d = this.dims;
    const cov = new Float64Array(d * d);
    const denom = this.count - ddof;
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const v = this.scatter[a * d + b] / denom;
        cov[a * d + b] = v;
        cov[b * d + a] = v;
      }
    }
    return { mean: Float64Array.from(this.mean), covariance: cov };
  }
}
