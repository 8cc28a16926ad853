/**
 * Small symmetric linear algebra on our row-major {@link Matrix}: the covariance and spectral pieces the
 * unsupervised metrics need, with the numerically delicate steps (centering, symmetrizing, scaling, clamping
 * round-off) in one place. Each long routine is also a generator of {@link Steps}, so an async caller can
 * pause between columns; the synchronous functions run the same steps to the end. Eigenvectors, which only
 * the Fréchet distance's matrix square roots need, come from ml-matrix's decomposition ({@link symmetricEigen}).
 */
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { runSteps, type Steps } from '../core/batching.js';
import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { symmetricEigenvaluesInPlace } from './symmetricEigen.js';

/**
 * Sample covariance of the columns of `x` (rows = samples), as numpy's `np.cov(x.T, ddof)`: the columns are
 * centred on their means, then Σ_ij = Σ_n (x_ni − μ_i)(x_nj − μ_j) / (n − ddof).
 *
 * @param x n×D samples.
 * @param ddof delta degrees of freedom, default 1 (numpy's `np.cov` default).
 * @returns D×D symmetric matrix.
 * @example
 * covariance({ data: Float64Array.of(0, 0, 2, 2), rows: 2, cols: 2 }).data // [2, 2, 2, 2]
 */
export function covariance(x: Matrix, ddof = 1): Matrix {
  return runSteps(covarianceSteps(x, ddof));
}

/**
 * {@link covariance} as steps, pausing after each row of Σ. Each entry is a dot product of two centred columns
 * summed over the samples in order (the order numpy's and a row-by-row accumulation use), four entries at a
 * time from column-major copies, which is several times faster than accumulating row by row for wide codes.
 */
export function* covarianceSteps(x: Matrix, ddof = 1): Steps<Matrix> {
  const { rows: n, cols: d, data } = x;
  if (n - ddof <= 0) {
    throw new DisentangleError('EMPTY', 'codes', `has ${n} rows; a covariance with ddof ${ddof} needs at least ${ddof + 1}`);
  }
  const mean = new Float64Array(d);
  const block = Math.max(1, Math.floor(1e6 / Math.max(1, d))); // rows per pause in the O(n·d) passes
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
    if ((i + 1) % block === 0) yield;
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const columns = Array.from({ length: d }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) columns[j][i] = data[i * d + j] - mean[j];
    if ((i + 1) % block === 0) yield;
  }
  const out = new Float64Array(d * d);
  const scale = n - ddof;
  for (let a = 0; a < d; a++) {
    covarianceRow(columns, a, out, scale);
    yield;
  }
  return { data: out, rows: d, cols: d };
}

/** Σ[a][b] = Σ[b][a] for b ≥ a: four dot products share each pass over column a (separate sums, same order). */
function covarianceRow(columns: Float64Array[], a: number, out: Float64Array, scale: number): void {
  const d = columns.length;
  const ca = columns[a];
  const n = ca.length;
  let b = a;
  for (; b + 3 < d; b += 4) {
    const c0 = columns[b];
    const c1 = columns[b + 1];
    const c2 = columns[b + 2];
    const c3 = columns[b + 3];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n; i++) {
      const v = ca[i];
      s0 += v * c0[i];
      s1 += v * c1[i];
      s2 += v * c2[i];
      s3 += v * c3[i];
    }
    out[a * d + b] = out[b * d + a] = s0 / scale;
    out[a * d + b + 1] = out[(b + 1) * d + a] = s1 / scale;
    out[a * d + b + 2] = out[(b + 2) * d + a] = s2 / scale;
    out[a * d + b + 3] = out[(b + 3) * d + a] = s3 / scale;
  }
  for (; b < d; b++) {
    const cb = columns[b];
    let sum = 0;
    for (let i = 0; i < n; i++) sum += ca[i] * cb[i];
    out[a * d + b] = out[b * d + a] = sum / scale;
  }
}

function checkSquare(m: Matrix, argument: string): void {
  if (m.rows !== m.cols) throw new DisentangleError('SHAPE_MISMATCH', argument, `expected a square matrix, got ${m.rows}×${m.cols}`);
}

/**
 * Eigenvalues of a symmetric matrix in ascending order (Householder tridiagonalization and implicit QL, the
 * tred2/tql2 pair, eigenvalues only). The matrix is symmetrized ((M + Mᵀ)/2) first, so tiny asymmetries from
 * round-off do not matter. A non-finite entry is refused (`NON_FINITE`, naming `argument`).
 *
 * @example
 * symmetricEigenvalues({ data: Float64Array.of(2, 1, 1, 2), rows: 2, cols: 2 }) // [1, 3]
 */
export function symmetricEigenvalues(m: Matrix, argument = 'matrix'): Float64Array {
  const { values, log2Scale } = runSteps(scaledEigenvaluesSteps(m, argument));
  return log2Scale === 0 ? values : values.map((v) => v * 2 ** log2Scale);
}

/** Entries beyond these magnitudes are brought near 1 before the QL iteration, whose squares would overflow. */
const SAFE_LOG2 = 400;

/**
 * Eigenvalues of `m` divided by 2^log2Scale, a power of two (even, so the square roots inside are exact) that
 * brings the largest entry near 1 when it is huge or tiny; 0 otherwise. Scaling by a power of two is exact and
 * the algorithm is homogeneous, so the scaled values are the exact scaled results.
 */
export function* scaledEigenvaluesSteps(m: Matrix, argument = 'matrix'): Steps<{ values: Float64Array; log2Scale: number }> {
  checkSquare(m, argument);
  const d = m.rows;
  const sym = new Float64Array(d * d);
  let max = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const v = (m.data[i * d + j] + m.data[j * d + i]) / 2;
      if (!Number.isFinite(v)) throw new DisentangleError('NON_FINITE', argument, `entry [${i}][${j}] is ${v}; eigenvalues need finite entries`);
      sym[i * d + j] = v;
      max = Math.max(max, Math.abs(v));
    }
  }
  const exponent = max === 0 ? 0 : Math.floor(Math.log2(max));
  const log2Scale = Math.abs(exponent) > SAFE_LOG2 ? 2 * Math.round(exponent / 2) : 0;
  if (log2Scale !== 0) {
    const f = 2 ** -log2Scale;
    for (let i = 0; i < sym.length; i++) sym[i] *= f;
  }
  const values = yield* symmetricEigenvaluesInPlace(sym, d);
  return { values, log2Scale };
}

/**
 * ln det of a symmetric positive semi-definite matrix from its eigenvalues: −Infinity when it is numerically
 * singular, i.e. an eigenvalue ≤ λ_max·d·ε (numpy `matrix_rank`'s tolerance), which is what a degenerate
 * covariance (collinear codes) means; round-off would otherwise turn it into an arbitrary large finite number.
 *
 * @example
 * logDeterminantSymmetric({ data: Float64Array.of(2, 0, 0, 3), rows: 2, cols: 2 }) // ln 6
 */
export function logDeterminantSymmetric(m: Matrix): number {
  return runSteps(logDeterminantSymmetricSteps(m));
}

/** {@link logDeterminantSymmetric} as steps (one per Householder step). */
export function* logDeterminantSymmetricSteps(m: Matrix, argument = 'matrix'): Steps<number> {
  const { values: eigenvalues, log2Scale } = yield* scaledEigenvaluesSteps(m, argument);
  const tolerance = (eigenvalues[eigenvalues.length - 1] ?? 0) * m.rows * Number.EPSILON;
  let sum = 0;
  for (const lambda of eigenvalues) {
    if (!(lambda > tolerance)) return -Infinity;
    sum += Math.log(lambda);
  }
  return log2Scale === 0 ? sum : sum + m.rows * log2Scale * Math.LN2;
}

/**
 * tr sqrtm(diag(Σ)·Σ) for a symmetric PSD Σ, the term of the Gaussian Wasserstein correlation.
 * diag(Σ)·Σ is similar to the symmetric S^½ Σ S^½ (S = diag Σ), so its principal square root has trace
 * Σ_i √λ_i over that symmetric matrix's eigenvalues, which a symmetric eigensolver gets stably (scipy's
 * `sqrtm` works on the non-symmetric product through a Schur form). Round-off negatives are clamped to 0.
 *
 * @example
 * traceSqrtDiagTimes({ data: Float64Array.of(4, 0, 0, 9), rows: 2, cols: 2 }) // 4 + 9
 */
export function traceSqrtDiagTimes(sigma: Matrix): number {
  return runSteps(traceSqrtDiagTimesSteps(sigma));
}

/**
 * {@link traceSqrtDiagTimes} as steps. S^½ Σ S^½ squares Σ's scale, so a huge or tiny Σ is first divided by a
 * power of four c (exact), which divides the result by c: tr sqrtm(diag(Σ/c)·Σ/c) = tr sqrtm(diag(Σ)·Σ) / c.
 */
export function* traceSqrtDiagTimesSteps(sigma: Matrix, argument = 'sigma'): Steps<number> {
  checkSquare(sigma, argument);
  const d = sigma.rows;
  let max = 0;
  for (let i = 0; i < d * d; i++) {
    if (!Number.isFinite(sigma.data[i])) throw new DisentangleError('NON_FINITE', argument, `entry ${i} is ${sigma.data[i]}; expected a finite covariance`);
    max = Math.max(max, Math.abs(sigma.data[i]));
  }
  const exponent = max === 0 ? 0 : Math.floor(Math.log2(max));
  const log2Scale = Math.abs(exponent) > SAFE_LOG2 / 2 ? 2 * Math.round(exponent / 2) : 0;
  const f = 2 ** -log2Scale;
  const root = new Float64Array(d);
  for (let i = 0; i < d; i++) root[i] = Math.sqrt(Math.max(0, sigma.data[i * d + i] * f));
  const sym = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sym[i * d + j] = root[i] * (sigma.data[i * d + j] * f) * root[j];
  const { values, log2Scale: inner } = yield* scaledEigenvaluesSteps({ data: sym, rows: d, cols: d }, argument);
  let trace = 0;
  for (const lambda of values) trace += Math.sqrt(Math.max(0, lambda));
  // sym's eigenvalues were divided by 2^inner (even), their square roots by 2^(inner/2)
  return trace * 2 ** (inner / 2 + log2Scale);
}

/** Sum of the diagonal. */
export function trace(m: Matrix): number {
  checkSquare(m, 'matrix');
  let t = 0;
  for (let i = 0; i < m.rows; i++) t += m.data[i * m.cols + i];
  return t;
}

/** Our row-major block as an ml-matrix. */
function toMl(data: Float64Array, d: number): MlMatrix {
  return new MlMatrix(Array.from({ length: d }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d))));
}

function mlEigen(data: Float64Array, d: number): { values: number[]; vectors: MlMatrix } {
  const evd = new EigenvalueDecomposition(toMl(data, d), { assumeSymmetric: true });
  return { values: evd.realEigenvalues, vectors: evd.eigenvectorMatrix };
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix (ml-matrix's `EigenvalueDecomposition` with
 * `assumeSymmetric`, the tred2/tql2 pair with the vectors accumulated): values in ascending order, and column k
 * of `vectors` the unit eigenvector of values[k]. Only the lower triangle is used as given; for the eigenvalues
 * alone {@link symmetricEigenvalues} is much faster.
 *
 * @example
 * symmetricEigen({ data: Float64Array.of(2, 1, 1, 2), rows: 2, cols: 2 }).values // [1, 3]
 */
export function symmetricEigen(m: Matrix, argument = 'matrix'): { values: Float64Array; vectors: Matrix } {
  checkSquare(m, argument);
  const d = m.rows;
  const { values, vectors } = mlEigen(m.data, d);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) v[i * d + k] = vectors.get(i, k);
  return { values: Float64Array.from(values), vectors: { data: v, rows: d, cols: d } };
}

/**
 * tr((A^½ B A^½)^½) for symmetric positive semi-definite A and B, the cross term of the Fréchet (2-Wasserstein)
 * distance between Gaussians: A^½ = V diag(√λ) Vᵀ from A's eigendecomposition, then the eigenvalues of the
 * symmetrized A^½ B A^½, whose square roots sum to the trace. Negative round-off eigenvalues are clipped to 0 in
 * both steps, so the result is real where scipy's general `sqrtm` can return complex parts.
 *
 * @example
 * traceSqrtProduct({ data: Float64Array.of(4, 0, 0, 1), rows: 2, cols: 2 }, { data: Float64Array.of(1, 0, 0, 9), rows: 2, cols: 2 }) // 2 + 3
 */
export function traceSqrtProduct(a: Matrix, b: Matrix): number {
  checkSquare(a, 'a');
  checkSquare(b, 'b');
  if (a.rows !== b.rows) throw new DisentangleError('SHAPE_MISMATCH', 'b', `is ${b.rows}×${b.cols}, a is ${a.rows}×${a.cols}`);
  const d = a.rows;
  const ea = mlEigen(a.data, d);
  const sq = ea.values.map((v) => Math.sqrt(Math.max(v, 0)));
  const V = ea.vectors;
  const sqrtA = V.clone().mulRowVector(sq).mmul(V.transpose()); // mulRowVector works in place
  const M = sqrtA.mmul(toMl(b.data, d)).mmul(sqrtA);
  const sym = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sym[i * d + j] = (M.get(i, j) + M.get(j, i)) / 2;
  const em = mlEigen(sym, d);
  return em.values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
}
