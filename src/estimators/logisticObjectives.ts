/**
 * The objectives minimized by `fitLogisticRegression`, C·Σᵢ lossᵢ + ½‖W‖² divided by n·C, with their gradients,
 * and a block-diagonal preconditioner built from their Hessians. θ holds rows of (D weights, intercept) on
 * centered columns.
 */
import type { Matrix } from '../core/matrix.js';
import type { InversePreconditioner } from './lbfgs.js';

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

// log(1 + e^t) without overflow.
function log1pExp(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

export function softmaxInto(z: Float64Array, off: number, k: number, out: Float64Array, outOff: number): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, z[off + c]);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const e = Math.exp(z[off + c] - max);
    out[outOff + c] = e;
    sum += e;
  }
  for (let c = 0; c < k; c++) out[outOff + c] /= sum;
}

// Objectives are divided by n·C (same minimizer) so that `tol` does not depend on the sample count.
export function binaryObjective(x: Matrix, index: Int32Array, C: number, fitIntercept: boolean) {
  const { rows: n, cols: d, data } = x;
  const lambda = 1 / (C * n);
  return (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let f = 0;
    const b = fitIntercept ? theta[d] : 0;
    for (let i = 0; i < n; i++) {
      let z = b;
      const row = i * d;
      for (let j = 0; j < d; j++) z += data[row + j] * theta[j];
      const s = index[i] === 1 ? 1 : -1;
      f += log1pExp(-s * z);
      const r = sigmoid(z) - (index[i] === 1 ? 1 : 0);
      for (let j = 0; j < d; j++) grad[j] += r * data[row + j];
      grad[d] += r;
    }
    f /= n;
    for (let j = 0; j <= d; j++) grad[j] /= n;
    for (let j = 0; j < d; j++) {
      f += 0.5 * lambda * theta[j] * theta[j];
      grad[j] += lambda * theta[j];
    }
    if (!fitIntercept) grad[d] = 0;
    return f;
  };
}

// Classes whose logit is more than 40 below the largest have probability < 5e-18 (below the float resolution of
// the others' sum), so their exp and gradient terms are skipped: with informative codes only a few classes per
// sample are live, which is what makes the 32- and 40-class fits of explicitness cheaper.
const NEGLIGIBLE_LOGIT_GAP = 40;

// The n·K exponentials of the softmax are about a third of an objective evaluation, and V8 calls Math.exp out
// of line. For the only arguments needed here, −NEGLIGIBLE_LOGIT_GAP < t ≤ 0, e^t = 2^(−m/32) · e^r with
// m = round(−32t/ln 2) and |r| ≤ ln2/64: one table lookup and a degree-6 Taylor polynomial (truncation < 4e-18),
// within 2 ulp of Math.exp and a quarter faster per evaluation. ln2/32 is split so that m·LN2_32_HI is exact.
const LN2_32_HI = 6.9314718036912381649e-1 / 32;
const LN2_32_LO = 1.90821492927058770002e-10 / 32;
const INV_LN2_32 = 32 / Math.LN2;
// Adding and subtracting 1.5·2^52 rounds a double to the nearest integer without a call to Math.round.
const ROUND_SHIFTER = 6755399441055744;
// POW2_NEG[m] = 2^(−m/32), as an exact power of two times 2^(−i/32), i = m mod 32.
const POW2_NEG = Float64Array.from({ length: Math.ceil((32 * NEGLIGIBLE_LOGIT_GAP) / Math.LN2) + 2 }, (_, m) =>
  Math.pow(2, -Math.floor(m / 32)) * Math.pow(2, -(m % 32) / 32),
);

function expOfGap(t: number): number {
  const m = t * INV_LN2_32 + ROUND_SHIFTER - ROUND_SHIFTER; // round(t·32/ln2) ≤ 0
  const r = t - m * LN2_32_HI - m * LN2_32_LO;
  const er = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  return POW2_NEG[-m] * er;
}

// The multinomial parameters are class-major, K rows of (D weights, intercept): each logit is a dot product kept
// in a register, and each gradient row is updated contiguously. (The binary model uses the same single row.)
export function multinomialObjective(x: Matrix, index: Int32Array, k: number, C: number, fitIntercept: boolean) {
  const { rows: n, cols: d, data } = x;
  const stride = d + 1;
  const lambda = 1 / (C * n);
  const block = new Float64Array(4 * k);
  const logitBlock = (theta: Float64Array, i0: number): void => {
    const m = Math.min(4, n - i0);
    const r0 = i0 * d;
    const r1 = m > 1 ? r0 + d : r0;
    const r2 = m > 2 ? r0 + 2 * d : r0;
    const r3 = m > 3 ? r0 + 3 * d : r0;
    for (let c = 0; c < k; c++) {
      const w = c * stride;
      const b = fitIntercept ? theta[w + d] : 0;
      let s0 = b;
      let s1 = b;
      let s2 = b;
      let s3 = b;
      for (let j = 0; j < d; j++) {
        const wj = theta[w + j];
        s0 += data[r0 + j] * wj;
        s1 += data[r1 + j] * wj;
        s2 += data[r2 + j] * wj;
        s3 += data[r3 + j] * wj;
      }
      block[c] = s0;
      block[k + c] = s1;
      block[2 * k + c] = s2;
      block[3 * k + c] = s3;
    }
  };
  return (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let f = 0;
    // Four samples at a time: each weight row is loaded once per block for the logits, and each gradient row is
    // updated once per block from the four residuals (both with the partial sums in registers).
    for (let i0 = 0; i0 < n; i0 += 4) {
      logitBlock(theta, i0);
      const m = Math.min(4, n - i0);
      for (let slot = 0; slot < 4; slot++) {
        const off = slot * k;
        if (slot >= m) {
          block.fill(0, off, off + k);
          continue;
        }
        let max = -Infinity;
        for (let c = 0; c < k; c++) if (block[off + c] > max) max = block[off + c];
        const yi = index[i0 + slot];
        // −log softmax_y = log Σ e^{z_c − max} − (z_y − max), exact even when p_y underflows.
        f -= block[off + yi] - max;
        let sum = 0;
        for (let c = 0; c < k; c++) {
          const t = block[off + c] - max;
          const e = t > -NEGLIGIBLE_LOGIT_GAP ? expOfGap(t) : 0;
          block[off + c] = e;
          sum += e;
        }
        f += Math.log(sum);
        const inv = 1 / sum;
        for (let c = 0; c < k; c++) block[off + c] *= inv;
        block[off + yi] -= 1; // residual p − onehot(y)
      }
      const r0 = i0 * d;
      const r1 = m > 1 ? r0 + d : r0;
      const r2 = m > 2 ? r0 + 2 * d : r0;
      const r3 = m > 3 ? r0 + 3 * d : r0;
      for (let c = 0; c < k; c++) {
        const e0 = block[c];
        const e1 = block[k + c];
        const e2 = block[2 * k + c];
        const e3 = block[3 * k + c];
        if (e0 === 0 && e1 === 0 && e2 === 0 && e3 === 0) continue;
        const w = c * stride;
        for (let j = 0; j < d; j++) grad[w + j] += e0 * data[r0 + j] + e1 * data[r1 + j] + e2 * data[r2 + j] + e3 * data[r3 + j];
        grad[w + d] += e0 + e1 + e2 + e3;
      }
    }
    f /= n;
    const invN = 1 / n;
    for (let q = 0; q < grad.length; q++) grad[q] *= invN;
    for (let c = 0; c < k; c++) {
      const w = c * stride;
      for (let j = 0; j < d; j++) {
        f += 0.5 * lambda * theta[w + j] * theta[w + j];
        grad[w + j] += lambda * theta[w + j];
      }
      if (!fitIntercept) grad[w + d] = 0;
    }
    return f;
  };
}

/**
 * M⁻¹ for L-BFGS: the Hessian of the objective at θ without the coupling between classes, i.e. one (D+1)×(D+1)
 * block per row of W, (1/n)·Σᵢ pᵢ(1 − pᵢ)·x̃ᵢx̃ᵢᵀ + λ (x̃ = (x, 1); λ also on the intercept so that a class with
 * vanishing probabilities keeps a positive definite block), applied through its Cholesky factors.
 *
 * Why: in these fits the slowest directions of plain L-BFGS pair each class's weight on its informative code with
 * its intercept (classes at the ends of a saturating code see only a narrow, off-centre range of x); the per-class
 * blocks undo that correlation, and the curvature pairs take care of the coupling between classes.
 */
// The blocks are estimated from at most this many evenly spaced samples: a preconditioner needs the curvature's
// shape, not its last digit, and this bounds its cost (a few objective evaluations) whatever n is.
const PRECONDITIONER_SAMPLES = 2048;

export function blockPreconditioner(x: Matrix, rowsOfW: number, C: number, fitIntercept: boolean, theta: Float64Array): InversePreconditioner | undefined {
  const { rows: n, cols: d } = x;
  const s = d + 1;
  const stride = Math.ceil(n / PRECONDITIONER_SAMPLES);
  const packed = curvatureBlocks(x, rowsOfW, fitIntercept, theta, stride);
  const used = Math.ceil(n / stride);
  const lambda = 1 / (C * n);
  const blocks = new Float64Array(rowsOfW * s * s);
  for (let k = 0; k < rowsOfW; k++) {
    const o = k * s * s;
    for (let a = 0, q = k * ((s * (s + 1)) / 2); a < s; a++) {
      for (let b = a; b < s; b++, q++) blocks[o + b * s + a] = blocks[o + a * s + b] = packed[q] / used;
      blocks[o + a * s + a] += lambda;
    }
    if (!fitIntercept) {
      // The intercept coordinate must stay at 0: a unit row/column passes its (zero) gradient through unchanged.
      for (let a = 0; a < s; a++) blocks[o + a * s + d] = blocks[o + d * s + a] = 0;
      blocks[o + d * s + d] = 1;
    }
    if (!choleskyInPlace(blocks, o, s)) return undefined;
  }
  // Adding one constant to every multinomial intercept changes no probability: a flat direction of the objective
  // that the gradient never has a component along. Plain L-BFGS therefore keeps the intercepts' sum at its start
  // (0, as scikit-learn's zeros do); M⁻¹ would not, so its output is projected back onto that subspace.
  const keepInterceptSum = fitIntercept && rowsOfW > 1;
  return (g, out) => {
    let sum = 0;
    for (let k = 0; k < rowsOfW; k++) {
      choleskySolve(blocks, k * s * s, s, g, out, k * s);
      sum += out[k * s + d];
    }
    if (keepInterceptSum) for (let k = 0; k < rowsOfW; k++) out[k * s + d] -= sum / rowsOfW;
  };
}

// Packed upper triangles of Σᵢ pᵢ(1 − pᵢ)·x̃ᵢx̃ᵢᵀ, one per row of W, over every `stride`-th sample. Each sample's
// packed outer product is formed once and added to every block as one contiguous axpy.
function curvatureBlocks(x: Matrix, rowsOfW: number, fitIntercept: boolean, theta: Float64Array, stride: number): Float64Array {
  const { rows: n, cols: d, data } = x;
  const s = d + 1;
  const packed = (s * (s + 1)) / 2;
  const blocks = new Float64Array(rowsOfW * packed);
  const xt = new Float64Array(s);
  const outer = new Float64Array(packed);
  const z = new Float64Array(rowsOfW);
  const p = new Float64Array(rowsOfW);
  xt[d] = 1;
  for (let i = 0; i < n; i += stride) {
    for (let j = 0; j < d; j++) xt[j] = data[i * d + j];
    for (let a = 0, q = 0; a < s; a++) for (let b = a; b < s; b++, q++) outer[q] = xt[a] * xt[b];
    for (let k = 0; k < rowsOfW; k++) {
      let v = fitIntercept ? theta[k * s + d] : 0;
      for (let j = 0; j < d; j++) v += theta[k * s + j] * xt[j];
      z[k] = v;
    }
    if (rowsOfW === 1) p[0] = sigmoid(z[0]);
    else softmaxInto(z, 0, rowsOfW, p, 0);
    for (let k = 0; k < rowsOfW; k++) {
      const w = p[k] * (1 - p[k]);
      if (w === 0) continue;
      const o = k * packed;
      for (let q = 0; q < packed; q++) blocks[o + q] += w * outer[q];
    }
  }
  return blocks;
}

// Lower Cholesky factor of the s×s symmetric block at m[o…], written over its lower triangle; false when a pivot
// is not positive (the block is positive definite in exact arithmetic, but λ can be below round-off for huge C).
function choleskyInPlace(m: Float64Array, o: number, s: number): boolean {
  for (let j = 0; j < s; j++) {
    let diag = m[o + j * s + j];
    for (let k = 0; k < j; k++) diag -= m[o + j * s + k] * m[o + j * s + k];
    if (!(diag > 0)) return false;
    const ljj = Math.sqrt(diag);
    m[o + j * s + j] = ljj;
    for (let i = j + 1; i < s; i++) {
      let v = m[o + i * s + j];
      for (let k = 0; k < j; k++) v -= m[o + i * s + k] * m[o + j * s + k];
      m[o + i * s + j] = v / ljj;
    }
  }
  return true;
}

// out[q…q+s) = (L·Lᵀ)⁻¹ g[q…q+s), L the factor at m[o…].
function choleskySolve(m: Float64Array, o: number, s: number, g: Float64Array, out: Float64Array, q: number): void {
  for (let i = 0; i < s; i++) {
    let v = g[q + i];
    for (let k = 0; k < i; k++) v -= m[o + i * s + k] * out[q + k];
    out[q + i] = v / m[o + i * s + i];
  }
  for (let i = s - 1; i >= 0; i--) {
    let v = out[q + i];
    for (let k = i + 1; k < s; k++) v -= m[o + k * s + i] * out[q + k];
    out[q + i] = v / m[o + i * s + i];
  }
}
