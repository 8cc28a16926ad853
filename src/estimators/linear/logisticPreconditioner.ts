/**
 * The preconditioner `fitLogisticRegression` hands to L-BFGS: the Hessian of its objective at an iterate,
 * estimated from a subsample, Cholesky-factored. θ holds rows of (D weights, intercept) on centered columns.
 */
import type { Matrix } from '../../core/matrix.js';
import type { InversePreconditioner } from './lbfgs.js';
import { sigmoid, softmaxInto } from './logisticObjectives.js';

// Up to this many parameters the whole Hessian is used (its Cholesky costs ≤ 512³/6 ≈ 22 M multiply-adds, a few
// evaluations); beyond, only its per-class diagonal blocks (the coupling between classes is left out).
const FULL_HESSIAN_MAX_PARAMS = 512;
// Samples the curvature is estimated from, evenly spaced: a preconditioner needs the curvature's shape, not its
// last digit, and this bounds its cost whatever n is. On the explicitness benchmark's 6-, 32- and 40-class fits
// (tol 1e-7) the whole Hessian from 512 of 5,000 samples gives 23–25 evaluations, from 256 samples 26–27;
// per-class blocks from 2,048 samples give 44–54.
const FULL_HESSIAN_SAMPLES = 512;
const BLOCK_SAMPLES = 2048;
// The blocks' cost relative to an evaluation grows with D (samples·K·D²/2 against n·K·2D multiply-adds): past this
// many features per block (≈ 7 evaluations' worth at n = 5,000) L-BFGS runs without a preconditioner, as it used to.
const BLOCK_MAX_SIZE = 64;

/**
 * M⁻¹ for L-BFGS: (1/m)·Σᵢ (diag(pᵢ) − pᵢpᵢᵀ) ⊗ x̃ᵢx̃ᵢᵀ + λI over m sampled rows (x̃ = (x, 1); λ also on the
 * intercepts so that M is positive definite despite the flat direction below), or its per-class diagonal blocks
 * (1/m)·Σᵢ pᵢc(1 − pᵢc)·x̃ᵢx̃ᵢᵀ + λI when there are more than {@link FULL_HESSIAN_MAX_PARAMS} parameters.
 * Undefined (no preconditioning) when the blocks would be larger than {@link BLOCK_MAX_SIZE}, or when a Cholesky
 * pivot is not positive (λ below round-off, for huge C).
 *
 * Why: plain L-BFGS spends most of a many-class fit on directions that pair a class's weight on its informative
 * code with its intercept and with the neighbouring classes' (classes at the ends of a saturating code see only a
 * narrow, off-centre range of x); the Hessian captures exactly those.
 */
export function hessianPreconditioner(x: Matrix, rowsOfW: number, C: number, fitIntercept: boolean, theta: Float64Array): InversePreconditioner | undefined {
  const s = x.cols + 1;
  const coupled = rowsOfW * s <= FULL_HESSIAN_MAX_PARAMS;
  if (!coupled && s > BLOCK_MAX_SIZE) return undefined;
  const stride = Math.ceil(x.rows / (coupled ? FULL_HESSIAN_SAMPLES : BLOCK_SAMPLES));
  const size = coupled ? rowsOfW * s : s;
  const count = coupled ? 1 : rowsOfW;
  const blocks = assemble(curvaturePairs(x, rowsOfW, fitIntercept, theta, stride, coupled), rowsOfW, s, coupled);
  const used = Math.ceil(x.rows / stride);
  const lambda = 1 / (C * x.rows);
  for (let b = 0; b < count; b++) {
    const o = b * size * size;
    for (let q = 0; q < size * size; q++) blocks[o + q] /= used;
    for (let a = 0; a < size; a++) blocks[o + a * size + a] += lambda;
    // Without an intercept its coordinates must stay at 0: unit rows/columns pass their (zero) gradient through.
    if (!fitIntercept) for (let a = s - 1; a < size; a += s) unitRowAndColumn(blocks, o, size, a);
    if (!choleskyInPlace(blocks, o, size)) return undefined;
  }
  // Adding one constant to every multinomial intercept changes no probability: a flat direction of the objective
  // that the gradient never has a component along. Plain L-BFGS therefore keeps the intercepts' sum at its start
  // (0, as scikit-learn's zeros do); M⁻¹ would not, so its output is projected back onto that subspace.
  const keepInterceptSum = fitIntercept && rowsOfW > 1;
  return (g, out) => {
    for (let b = 0; b < count; b++) choleskySolve(blocks, b * size * size, size, g, out, b * size);
    if (!keepInterceptSum) return;
    let sum = 0;
    for (let c = 0; c < rowsOfW; c++) sum += out[c * s + s - 1];
    for (let c = 0; c < rowsOfW; c++) out[c * s + s - 1] -= sum / rowsOfW;
  };
}

// Packed upper triangles of Σᵢ (δ_cc′·pᵢc − pᵢc·pᵢc′)·x̃ᵢx̃ᵢᵀ for the class pairs c ≤ c′ (only c = c′ unless
// `coupled`) over every `stride`-th sample, pair (c, c′) at (c·K + c′)·packed. Entry q of pair (c, c′) is
// Σᵢ (pᵢc·x̃x̃ᵀ_q)·pᵢc′: with the probabilities stored class-major and the outer products entry-major, each is one
// dot product over the samples, with contiguous operands (about twice as fast as adding every sample's outer
// product into every pair's entries, which sweeps the K²·packed accumulators through memory once per sample).
function curvaturePairs(x: Matrix, k: number, fitIntercept: boolean, theta: Float64Array, stride: number, coupled: boolean): Float64Array {
  const s = x.cols + 1;
  const packed = (s * (s + 1)) / 2;
  const { pt, ot, m } = sampledTerms(x, k, fitIntercept, theta, stride);
  const pairs = new Float64Array((coupled ? k * k : k) * packed);
  const weighted = new Float64Array(m);
  for (let q = 0; q < packed; q++) {
    for (let c = 0; c < k; c++) {
      let diag = 0;
      for (let r = 0; r < m; r++) {
        weighted[r] = pt[c * m + r] * ot[q * m + r];
        diag += weighted[r];
      }
      for (let c2 = c; c2 <= (coupled ? k - 1 : c); c2++) {
        const cross = dotAt(weighted, 0, pt, c2 * m, m);
        pairs[(coupled ? c * k + c2 : c) * packed + q] = (c === c2 ? diag : 0) - cross;
      }
    }
  }
  return pairs;
}

// For the samples 0, stride, 2·stride, …: probabilities class-major (pt[c·m + r]) and packed outer products x̃x̃ᵀ
// entry-major (ot[q·m + r]).
function sampledTerms(x: Matrix, k: number, fitIntercept: boolean, theta: Float64Array, stride: number): { pt: Float64Array; ot: Float64Array; m: number } {
  const { rows: n, cols: d, data } = x;
  const s = d + 1;
  const packed = (s * (s + 1)) / 2;
  const m = Math.ceil(n / stride);
  const pt = new Float64Array(k * m);
  const ot = new Float64Array(packed * m);
  const xt = new Float64Array(s);
  const z = new Float64Array(k);
  const p = new Float64Array(k);
  xt[d] = 1;
  for (let r = 0; r < m; r++) {
    const i = r * stride;
    for (let j = 0; j < d; j++) xt[j] = data[i * d + j];
    for (let a = 0, q = 0; a < s; a++) for (let b = a; b < s; b++, q++) ot[q * m + r] = xt[a] * xt[b];
    for (let c = 0; c < k; c++) {
      let v = fitIntercept ? theta[c * s + d] : 0;
      for (let j = 0; j < d; j++) v += theta[c * s + j] * xt[j];
      z[c] = v;
    }
    if (k === 1) p[0] = sigmoid(z[0]);
    else softmaxInto(z, 0, k, p, 0);
    for (let c = 0; c < k; c++) pt[c * m + r] = p[c];
  }
  return { pt, ot, m };
}

// Dense symmetric blocks from the packed pairs: one (K·s)² block when coupled, else K blocks of s².
function assemble(pairs: Float64Array, k: number, s: number, coupled: boolean): Float64Array {
  const packed = (s * (s + 1)) / 2;
  const size = coupled ? k * s : s;
  const blocks = new Float64Array((coupled ? 1 : k) * size * size);
  for (let c = 0; c < k; c++) {
    for (let c2 = c; c2 <= (coupled ? k - 1 : c); c2++) {
      const src = (coupled ? c * k + c2 : c) * packed;
      const o = coupled ? 0 : c * size * size;
      const r0 = coupled ? c * s : 0;
      const c0 = coupled ? c2 * s : 0;
      for (let a = 0, q = src; a < s; a++) {
        for (let b = a; b < s; b++, q++) {
          const v = pairs[q];
          blocks[o + (r0 + a) * size + c0 + b] = blocks[o + (c0 + b) * size + r0 + a] = v;
          blocks[o + (r0 + b) * size + c0 + a] = blocks[o + (c0 + a) * size + r0 + b] = v;
        }
      }
    }
  }
  return blocks;
}

function unitRowAndColumn(m: Float64Array, o: number, size: number, a: number): void {
  for (let b = 0; b < size; b++) m[o + a * size + b] = m[o + b * size + a] = 0;
  m[o + a * size + a] = 1;
}

// Lower Cholesky factor of the s×s symmetric block at m[o…], written over its lower triangle; false when a pivot
// is not positive (the block is positive definite in exact arithmetic, but λ can be below round-off for huge C).
function choleskyInPlace(m: Float64Array, o: number, s: number): boolean {
  for (let j = 0; j < s; j++) {
    const rj = o + j * s;
    const diag = m[rj + j] - dotAt(m, rj, m, rj, j);
    if (!(diag > 0)) return false;
    const ljj = Math.sqrt(diag);
    m[rj + j] = ljj;
    for (let i = j + 1; i < s; i++) {
      const ri = o + i * s;
      m[ri + j] = (m[ri + j] - dotAt(m, ri, m, rj, j)) / ljj;
    }
  }
  return true;
}

// Σ_{k<len} a[ao + k]·b[bo + k], in four partial sums (one running sum would wait on each addition's latency).
function dotAt(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < len; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + (s2 + s3);
}

// out[q…q+s) = (L·Lᵀ)⁻¹ g[q…q+s), L the factor at m[o…].
function choleskySolve(m: Float64Array, o: number, s: number, g: Float64Array, out: Float64Array, q: number): void {
  for (let i = 0; i < s; i++) out[q + i] = (g[q + i] - dotAt(m, o + i * s, out, q, i)) / m[o + i * s + i];
  for (let i = s - 1; i >= 0; i--) {
    let v = out[q + i];
    for (let k = i + 1; k < s; k++) v -= m[o + k * s + i] * out[q + k];
    out[q + i] = v / m[o + i * s + i];
  }
}
