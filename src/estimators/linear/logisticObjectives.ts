/**
 * The objectives minimized by `fitLogisticRegression`, C·Σᵢ lossᵢ + ½‖W‖² divided by n·C, with their gradients.
 * θ holds rows of (D weights, intercept) on centered columns.
 */
import type { Matrix } from '../../core/matrix.js';

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

// Features are processed in chunks of 12, zero-padded: within a chunk the sample's 12 values sit in registers
// while every class's logit (and then gradient row) is formed from them, which V8 compiles to straight-line code
// (a loop over a runtime feature count, with its bounds checks, was half as fast at D = 10).
const CHUNK = 12;

/**
 * The multinomial objective and gradient, one pass over the samples: per sample, the K logits, the softmax (its
 * normalizer folded into the sample's features before the gradient update), then the gradient rows. θ is
 * class-major, K rows of (D weights, intercept). The label term of the gradient, −Σᵢ onehot(yᵢ)·x̃ᵢ, does not depend
 * on θ and is summed once. Optional per-sample `weights` (mean 1 keeps `tol`'s scale) multiply each sample's loss
 * and gradient terms; C = Infinity drops the penalty.
 */
export function multinomialObjective(x: Matrix, index: Int32Array, k: number, C: number, fitIntercept: boolean, weights?: Float64Array) {
  const { rows: n, cols: d } = x;
  const stride = d + 1;
  const lambda = 1 / (C * n);
  const chunks = Math.ceil(d / CHUNK);
  const width = chunks * CHUNK;
  const xp = paddedRows(x, width);
  const labelSums = labelFeatureSums(x, index, k, weights);
  const tp = new Float64Array(k * (width + 1));
  const gp = new Float64Array(k * (width + 1));
  const z = new Float64Array(k + 1);
  return (theta: Float64Array, grad: Float64Array): number => {
    tp.fill(0);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) tp[c * (width + 1) + j] = theta[c * stride + j];
      tp[c * (width + 1) + width] = fitIntercept ? theta[c * stride + d] : 0;
    }
    gp.fill(0);
    let f = 0;
    for (let i = 0; i < n; i++) {
      for (let q = 0; q < chunks; q++) addLogits(xp, (i * chunks + q) * CHUNK, tp, width, q * CHUNK, k, z, q === 0);
      const w = weights ? weights[i] : 1;
      f += w * softmaxInPlace(z, k, index[i]);
      const inv = w / z[k]; // softmaxInPlace leaves the normalizer after the K entries
      for (let q = 0; q < chunks; q++) addGradient(xp, (i * chunks + q) * CHUNK, inv, z, k, gp, width, q * CHUNK);
      for (let c = 0; c < k; c++) gp[c * (width + 1) + width] += z[c] * inv;
    }
    let penalty = 0;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const t = theta[c * stride + j];
        penalty += t * t;
        grad[c * stride + j] = (gp[c * (width + 1) + j] - labelSums[c * stride + j]) / n + lambda * t;
      }
      grad[c * stride + d] = fitIntercept ? (gp[c * (width + 1) + width] - labelSums[c * stride + d]) / n : 0;
    }
    return f / n + 0.5 * lambda * penalty;
  };
}

// Rows of x copied into rows of `width` ≥ D values, zero-padded.
function paddedRows(x: Matrix, width: number): Float64Array {
  const out = new Float64Array(x.rows * width);
  for (let i = 0; i < x.rows; i++) out.set(x.data.subarray(i * x.cols, (i + 1) * x.cols), i * width);
  return out;
}

// Σᵢ wᵢ·onehot(yᵢ)·x̃ᵢ as K rows of (D weighted sums, weighted count); wᵢ = 1 without weights.
function labelFeatureSums(x: Matrix, index: Int32Array, k: number, weights?: Float64Array): Float64Array {
  const { rows: n, cols: d, data } = x;
  const out = new Float64Array(k * (d + 1));
  for (let i = 0; i < n; i++) {
    const o = index[i] * (d + 1);
    const w = weights ? weights[i] : 1;
    for (let j = 0; j < d; j++) out[o + j] += w * data[i * d + j];
    out[o + d] += w;
  }
  return out;
}

// z[c] (+)= Σ_{j in chunk} x[r + j]·θ[c][j0 + j], plus the intercept when `first`.
function addLogits(xp: Float64Array, r: number, tp: Float64Array, width: number, j0: number, k: number, z: Float64Array, first: boolean): void {
  const x0 = xp[r], x1 = xp[r + 1], x2 = xp[r + 2], x3 = xp[r + 3], x4 = xp[r + 4], x5 = xp[r + 5];
  const x6 = xp[r + 6], x7 = xp[r + 7], x8 = xp[r + 8], x9 = xp[r + 9], x10 = xp[r + 10], x11 = xp[r + 11];
  for (let c = 0; c < k; c++) {
    const w = c * (width + 1);
    const o = w + j0;
    const s =
      x0 * tp[o] + x1 * tp[o + 1] + x2 * tp[o + 2] + x3 * tp[o + 3] + x4 * tp[o + 4] + x5 * tp[o + 5] +
      x6 * tp[o + 6] + x7 * tp[o + 7] + x8 * tp[o + 8] + x9 * tp[o + 9] + x10 * tp[o + 10] + x11 * tp[o + 11];
    z[c] = first ? tp[w + width] + s : z[c] + s;
  }
}

// Overwrites z[0…k) with e^{z_c − max} (0 below the negligible gap) and stores their sum in z[k]; returns the
// sample's loss −log softmax_y = log Σ e^{z_c − max} − (z_y − max), exact even when p_y underflows.
function softmaxInPlace(z: Float64Array, k: number, y: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (z[c] > max) max = z[c];
  const loss = max - z[y];
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const t = z[c] - max;
    const e = t > -NEGLIGIBLE_LOGIT_GAP ? expOfGap(t) : 0;
    z[c] = e;
    sum += e;
  }
  z[k] = sum;
  return loss + Math.log(sum);
}

// G[c][j0 + j] += e_c · (x[r + j]·inv) over the chunk, skipping classes whose probability is 0.
function addGradient(xp: Float64Array, r: number, inv: number, z: Float64Array, k: number, gp: Float64Array, width: number, j0: number): void {
  const x0 = xp[r] * inv, x1 = xp[r + 1] * inv, x2 = xp[r + 2] * inv, x3 = xp[r + 3] * inv, x4 = xp[r + 4] * inv, x5 = xp[r + 5] * inv;
  const x6 = xp[r + 6] * inv, x7 = xp[r + 7] * inv, x8 = xp[r + 8] * inv, x9 = xp[r + 9] * inv, x10 = xp[r + 10] * inv, x11 = xp[r + 11] * inv;
  for (let c = 0; c < k; c++) {
    const e = z[c];
    if (e === 0) continue;
    const o = c * (width + 1) + j0;
    gp[o] += e * x0;
    gp[o + 1] += e * x1;
    gp[o + 2] += e * x2;
    gp[o + 3] += e * x3;
    gp[o + 4] += e * x4;
    gp[o + 5] += e * x5;
    gp[o + 6] += e * x6;
    gp[o + 7] += e * x7;
    gp[o + 8] += e * x8;
    gp[o + 9] += e * x9;
    gp[o + 10] += e * x10;
    gp[o + 11] += e * x11;
  }
}
