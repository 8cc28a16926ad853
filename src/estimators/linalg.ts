/**
 * Small symmetric linear algebra on our row-major {@link Matrix}: the covariance and spectral pieces the
 * unsupervised metrics need. Decompositions come from ml-matrix; this module only adapts shapes and keeps the
 * numerically delicate steps (centering, symmetrizing, clamping round-off) in one place.
 */
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';

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
  const { rows: n, cols: d, data } = x;
  if (n - ddof <= 0) {
    throw new DisentangleError('EMPTY', 'codes', `has ${n} rows; a covariance with ddof ${ddof} needs at least ${ddof + 1}`);
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const centred = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) centred[i] = data[i] - mean[i % d];
  const out = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let a = 0; a < d; a++) {
      const va = centred[row + a];
      if (va === 0) continue;
      for (let b = a; b < d; b++) out[a * d + b] += va * centred[row + b];
    }
  }
  const scale = n - ddof;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      out[a * d + b] /= scale;
      out[b * d + a] = out[a * d + b];
    }
  }
  return { data: out, rows: d, cols: d };
}

function checkSquare(m: Matrix, argument: string): void {
  if (m.rows !== m.cols) throw new DisentangleError('SHAPE_MISMATCH', argument, `expected a square matrix, got ${m.rows}×${m.cols}`);
}

/**
 * Eigenvalues of a symmetric matrix in ascending order (ml-matrix's symmetric tridiagonal QL). Only the upper
 * triangle's average with the lower is used, so tiny asymmetries from round-off do not matter.
 *
 * @example
 * symmetricEigenvalues({ data: Float64Array.of(2, 1, 1, 2), rows: 2, cols: 2 }) // [1, 3]
 */
export function symmetricEigenvalues(m: Matrix): Float64Array {
  checkSquare(m, 'matrix');
  const d = m.rows;
  if (d === 0) return new Float64Array(0);
  const rows: number[][] = [];
  for (let i = 0; i < d; i++) {
    const r: number[] = [];
    for (let j = 0; j < d; j++) r.push((m.data[i * d + j] + m.data[j * d + i]) / 2);
    rows.push(r);
  }
  const evd = new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true });
  return Float64Array.from(evd.realEigenvalues).sort();
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
  const eigenvalues = symmetricEigenvalues(m);
  const tolerance = (eigenvalues[eigenvalues.length - 1] ?? 0) * m.rows * Number.EPSILON;
  let sum = 0;
  for (const lambda of eigenvalues) {
    if (!(lambda > tolerance)) return -Infinity;
    sum += Math.log(lambda);
  }
  return sum;
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
  checkSquare(sigma, 'sigma');
  const d = sigma.rows;
  const root = new Float64Array(d);
  for (let i = 0; i < d; i++) root[i] = Math.sqrt(Math.max(0, sigma.data[i * d + i]));
  const sym = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sym[i * d + j] = root[i] * sigma.data[i * d + j] * root[j];
  let trace = 0;
  for (const lambda of symmetricEigenvalues({ data: sym, rows: d, cols: d })) trace += Math.sqrt(Math.max(0, lambda));
  return trace;
}

/** Sum of the diagonal. */
export function trace(m: Matrix): number {
  checkSquare(m, 'matrix');
  let t = 0;
  for (let i = 0; i < m.rows; i++) t += m.data[i * m.cols + i];
  return t;
}
