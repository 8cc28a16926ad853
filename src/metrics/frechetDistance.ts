/**
 * Fréchet distance between two Gaussians fitted to feature sets (the FID of Heusel et al. 2017, here on the
 * dSprites shape classifier's features), with the matrix square root done by symmetric eigendecompositions.
 */
import { DisentangleError } from '../core/errors.js';
import { RunningCovariance } from '../core/stats.js';
import { toMatrix } from '../core/tensor.js';
import type { TensorLike } from '../core/types.js';
import { traceSqrtProduct } from '../estimators/linalg.js';

/** A Gaussian summary of a feature set: mean (d) and covariance (d×d, ddof 1 as numpy's `np.cov`). */
export interface GaussianMoments {
  mean: ArrayLike<number>;
  covariance: TensorLike;
}

/** Either raw features (n×d, rows are samples) or their precomputed moments. */
export type FeaturesOrMoments = TensorLike | GaussianMoments;

function isMoments(x: FeaturesOrMoments): x is GaussianMoments {
  return !!x && typeof x === 'object' && !Array.isArray(x) && 'mean' in x && 'covariance' in x;
}

/** Mean and covariance (ddof 1) of the rows of an n×d block, two-pass within the block, in float64. */
export function featureMoments(data: ArrayLike<number>, rows: number, cols: number): { mean: Float64Array; covariance: Float64Array } {
  const acc = new RunningCovariance(cols);
  acc.add(data, rows);
  return acc.result();
}

function readSide(x: FeaturesOrMoments, argument: string): { mean: Float64Array; covariance: Float64Array; dims: number } {
  const fn = 'frechetDistance';
  if (isMoments(x)) {
    const raw: unknown = x.mean;
    const numeric = Array.isArray(raw) || (ArrayBuffer.isView(raw) && !(raw instanceof DataView) && !(raw instanceof BigInt64Array) && !(raw instanceof BigUint64Array));
    if (!numeric) throw new DisentangleError('BAD_INPUT', `${argument}.mean (in ${fn})`, 'expected an array or typed array of numbers');
    // Anything but a number becomes NaN, which the finiteness check below names.
    const mean = Float64Array.from(raw as ArrayLike<unknown>, (v) => (typeof v === 'number' ? v : NaN));
    const d = mean.length;
    if (d === 0) throw new DisentangleError('EMPTY', `${argument}.mean (in ${fn})`, 'is empty');
    const cov = toMatrix(x.covariance, `${argument}.covariance`, fn, { rows: d, cols: d });
    for (let i = 0; i < d; i++) {
      if (!Number.isFinite(mean[i])) throw new DisentangleError('NON_FINITE', `${argument}.mean (in ${fn})`, `entry ${i} is ${mean[i]}`);
      for (let j = 0; j < i; j++) {
        const a = cov.data[i * d + j];
        const b = cov.data[j * d + i];
        if (Math.abs(a - b) > 1e-8 * (Math.abs(a) + Math.abs(b) + 1)) {
          throw new DisentangleError('BAD_INPUT', `${argument}.covariance (in ${fn})`, `is not symmetric at [${i}][${j}]`);
        }
      }
    }
    return { mean, covariance: cov.data, dims: d };
  }
  const m = toMatrix(x, argument, fn);
  if (m.rows < 2) throw new DisentangleError('EMPTY', `${argument} (in ${fn})`, `has ${m.rows} row; a covariance needs at least 2 samples`);
  return { ...featureMoments(m.data, m.rows, m.cols), dims: m.cols };
}

/**
 * Fréchet (2-Wasserstein) distance between the Gaussians N(μa, Σa) and N(μb, Σb) fitted to two feature sets:
 * ‖μa − μb‖² + tr(Σa + Σb − 2 (Σa^{½} Σb Σa^{½})^{½}) (Dowson & Landau 1982; the FID of Heusel et al. 2017).
 * Covariances of raw features use ddof 1 (numpy `np.cov`). The square roots come from symmetric
 * eigendecompositions (`traceSqrtProduct` of the estimators), with tiny negative eigenvalues clipped to 0, which is
 * stabler than a general `sqrtm` and never returns complex parts.
 *
 * @param featuresA n×d features (rows are samples) or precomputed `{ mean, covariance }`.
 * @param featuresB m×d features or moments, same d.
 * @example
 * frechetDistance({ mean: [0, 0], covariance: [[1, 0], [0, 1]] }, { mean: [3, 0], covariance: [[4, 0], [0, 1]] }) // 9 + 1
 */
export function frechetDistance(featuresA: FeaturesOrMoments, featuresB: FeaturesOrMoments): number {
  const A = readSide(featuresA, 'featuresA');
  const B = readSide(featuresB, 'featuresB');
  if (A.dims !== B.dims) {
    throw new DisentangleError('SHAPE_MISMATCH', 'featuresB (in frechetDistance)', `has ${B.dims} feature dims, featuresA has ${A.dims}`);
  }
  checkFiniteCovariance(A.covariance, 'featuresA');
  checkFiniteCovariance(B.covariance, 'featuresB');
  const value = frechetFromMoments(A.mean, A.covariance, B.mean, B.covariance, A.dims);
  if (!Number.isFinite(value)) {
    throw new DisentangleError('NON_FINITE', 'featuresA (in frechetDistance)', 'the distance overflows float64; rescale both feature sets (the distance scales with the square of the features)');
  }
  return value;
}

/** Finite features can still have a covariance beyond float64 (entries near 1e200 square to Infinity). */
function checkFiniteCovariance(cov: Float64Array, argument: string): void {
  for (let i = 0; i < cov.length; i++) {
    if (!Number.isFinite(cov[i])) {
      throw new DisentangleError('NON_FINITE', `${argument} (in frechetDistance)`, `its covariance has a non-finite entry (${cov[i]}); features beyond about 1e154 overflow float64, rescale them`);
    }
  }
}

function frechetFromMoments(muA: Float64Array, covA: Float64Array, muB: Float64Array, covB: Float64Array, d: number): number {
  let meanTerm = 0;
  let trace = 0;
  for (let i = 0; i < d; i++) {
    meanTerm += (muA[i] - muB[i]) ** 2;
    trace += covA[i * d + i] + covB[i * d + i];
  }
  const value = meanTerm + trace - 2 * traceSqrtProduct({ data: covA, rows: d, cols: d }, { data: covB, rows: d, cols: d });
  // Round-off can leave −1e-15 for identical inputs; the distance is non-negative by definition.
  return Math.max(value, 0);
}
