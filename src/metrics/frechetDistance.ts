/**
 * Fréchet distance between two Gaussians fitted to feature sets (the FID of Heusel et al. 2017, here on the
 * dSprites shape classifier's features), with the matrix square root done by symmetric eigendecompositions.
 */
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { DisentangleError } from '../core/errors.js';
import { toMatrix } from '../core/tensor.js';
import type { TensorLike } from '../core/types.js';

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

/** Mean and covariance (ddof 1) of the rows of an n×d block, two-pass in float64. */
export function featureMoments(data: ArrayLike<number>, rows: number, cols: number): { mean: Float64Array; covariance: Float64Array } {
  const acc = new MomentAccumulator(cols);
  acc.add(data, rows);
  return acc.result();
}

/**
 * Streams rows into a running mean and scatter matrix, merging batch by batch with Chan, Golub & LeVeque's
 * pairwise update, so memory grows with the batch and d², never with the number of samples.
 */
export class MomentAccumulator {
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

  /** The mean and the covariance with ddof 1 (needs at least 2 rows). */
  result(): { mean: Float64Array; covariance: Float64Array } {
    const d = this.dims;
    const cov = new Float64Array(d * d);
    const denom = this.count - 1;
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

function symmetricEigen(data: Float64Array, d: number): { values: number[]; vectors: MlMatrix } {
  const rows = Array.from({ length: d }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d)));
  const evd = new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true });
  return { values: evd.realEigenvalues, vectors: evd.eigenvectorMatrix };
}

/** tr((A^{½} B A^{½})^{½}) for symmetric positive semi-definite A, B; negative round-off eigenvalues clip to 0. */
export function traceSqrtProduct(a: Float64Array, b: Float64Array, d: number): number {
  const ea = symmetricEigen(a, d);
  const sq = ea.values.map((v) => Math.sqrt(Math.max(v, 0)));
  const V = ea.vectors;
  const sqrtA = V.clone().mulRowVector(sq).mmul(V.transpose()); // mulRowVector works in place
  const B = new MlMatrix(Array.from({ length: d }, (_, i) => Array.from(b.subarray(i * d, (i + 1) * d))));
  const M = sqrtA.mmul(B).mmul(sqrtA);
  const sym = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sym[i * d + j] = (M.get(i, j) + M.get(j, i)) / 2;
  const em = symmetricEigen(sym, d);
  return em.values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
}

/**
 * Fréchet (2-Wasserstein) distance between the Gaussians N(μa, Σa) and N(μb, Σb) fitted to two feature sets:
 * ‖μa − μb‖² + tr(Σa + Σb − 2 (Σa^{½} Σb Σa^{½})^{½}) (Dowson & Landau 1982; the FID of Heusel et al. 2017).
 * Covariances of raw features use ddof 1 (numpy `np.cov`). The square roots come from symmetric
 * eigendecompositions (ml-matrix), with tiny negative eigenvalues clipped to 0, which is stabler than a
 * general `sqrtm` and never returns complex parts.
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

/** The distance from moments already in float64 (used by the streaming sample-quality metric). */
export function frechetFromMoments(muA: Float64Array, covA: Float64Array, muB: Float64Array, covB: Float64Array, d: number): number {
  let meanTerm = 0;
  let trace = 0;
  for (let i = 0; i < d; i++) {
    meanTerm += (muA[i] - muB[i]) ** 2;
    trace += covA[i * d + i] + covB[i * d + i];
  }
  const value = meanTerm + trace - 2 * traceSqrtProduct(covA, covB, d);
  // Round-off can leave −1e-15 for identical inputs; the distance is non-negative by definition.
  return Math.max(value, 0);
}
