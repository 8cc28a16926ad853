import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { intOption, numberOption } from '../core/validate.js';
import type { ClassifierEstimator, FittedClassifier } from './types.js';

/** Options of {@link fitLogisticRegression}; the defaults are scikit-learn `LogisticRegression()`'s. */
export interface LogisticRegressionOptions {
  /** Inverse L2 strength (default 1). */
  C?: number;
  /** Fit an unpenalized intercept (default true). */
  fitIntercept?: boolean;
  /** L-BFGS iteration cap (default 1000; scikit-learn stops at 100, see below). */
  maxIter?: number;
  /** Stop when every entry of the gradient of the per-sample-averaged objective is ≤ tol (default 1e-8). */
  tol?: number;
}

/** A fitted logistic regression: `coef` is (1 or C)×D, `intercept` has the same number of rows. */
export type FittedLogisticRegression = FittedClassifier & {
  coef: Matrix;
  intercept: Float64Array;
  /** L-BFGS iterations used, and whether the gradient tolerance was reached. */
  nIter: number;
  converged: boolean;
  predictProba(x: Matrix): Matrix;
  decisionFunction(x: Matrix): Matrix;
};

/** Sorted distinct labels and each sample's index into them. */
export function encodeClasses(y: Int32Array): { classes: Int32Array; index: Int32Array } {
  const classes = Int32Array.from(new Set(y)).sort();
  const lookup = new Map<number, number>();
  classes.forEach((c, k) => lookup.set(c, k));
  const index = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) index[i] = lookup.get(y[i]) as number;
  return { classes, index };
}

export function checkXy(x: Matrix, y: Int32Array | Float64Array, fn: string): void {
  if (x.rows === 0 || x.cols === 0) throw new DisentangleError('EMPTY', `x (in ${fn})`, 'needs at least one row and one column');
  if (y.length !== x.rows) throw new DisentangleError('SHAPE_MISMATCH', `y (in ${fn})`, `has ${y.length} values, x has ${x.rows} rows`);
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i])) throw new DisentangleError('NON_FINITE', `x (in ${fn})`, `entry ${i} is ${x.data[i]}`);
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new DisentangleError('NON_FINITE', `y (in ${fn})`, `entry ${i} is ${y[i]}`);
  }
}

/**
 * L2-regularized logistic regression as scikit-learn 1.2 `LogisticRegression()` (lbfgs, multi_class='auto'):
 * plain binary logistic loss for 2 classes, multinomial softmax for more, intercept unpenalized. The objective is
 * C·Σᵢ lossᵢ + ½‖W‖² (W without the intercept), minimized here by L-BFGS to a tight gradient tolerance.
 *
 * The objective is strictly convex, so the solution is unique and does not depend on the solver. scikit-learn stops
 * lbfgs at max_iter = 100 (ConvergenceWarning); where it had not converged its coefficients differ from the optimum
 * we return (usually in the 3rd–5th digit of the probabilities on unscaled or separable data).
 *
 * @example
 * const clf = fitLogisticRegression(x, y);            // C = 1
 * const p = clf.predictProba(xTest);                   // columns follow clf.classes
 */
export function fitLogisticRegression(x: Matrix, y: Int32Array, options: LogisticRegressionOptions = {}): FittedLogisticRegression {
  const fn = 'fitLogisticRegression';
  checkXy(x, y, fn);
  const C = numberOption(options.C, 'C', 1, Number.MIN_VALUE);
  const maxIter = intOption(options.maxIter, 'maxIter', 1000, 1);
  const tol = numberOption(options.tol, 'tol', 1e-8, 0);
  const fitIntercept = options.fitIntercept ?? true;
  const { classes, index } = encodeClasses(y);
  if (classes.length < 2) {
    throw new DisentangleError('BAD_INPUT', `y (in ${fn})`, `needs samples of at least 2 classes, got only class ${classes[0]}`);
  }
  const rowsOfW = classes.length === 2 ? 1 : classes.length;
  const d = x.cols;
  // Both objectives use rowsOfW rows of (D weights, intercept).
  // With an unpenalized intercept, W(x − μ) + b' is the same model as Wx + b (b = b' − Wμ) under the same
  // penalty, so fitting on centered columns changes nothing but the conditioning (far fewer iterations).
  const mu = fitIntercept ? columnMeans(x) : new Float64Array(d);
  const xc = centered(x, mu);
  const objective = rowsOfW === 1 ? binaryObjective(xc, index, C, fitIntercept) : multinomialObjective(xc, index, rowsOfW, C, fitIntercept);
  const result = minimizeLbfgs(objective, priorStart(index, rowsOfW, d, fitIntercept), { maxIter, tol, memory: 50 });
  const coef = new Float64Array(rowsOfW * d);
  const intercept = new Float64Array(rowsOfW);
  for (let k = 0; k < rowsOfW; k++) {
    let b = result.x[k * (d + 1) + d];
    for (let j = 0; j < d; j++) {
      coef[k * d + j] = result.x[k * (d + 1) + j];
      b -= coef[k * d + j] * mu[j];
    }
    intercept[k] = b;
  }
  return linearClassifier(classes, { data: coef, rows: rowsOfW, cols: d }, intercept, result.nIter, result.converged);
}

// Intercepts at the log class frequencies: the exact optimum when W = 0, and a few iterations closer than zeros.
function priorStart(index: Int32Array, rowsOfW: number, d: number, fitIntercept: boolean): Float64Array {
  const theta = new Float64Array(rowsOfW * (d + 1));
  if (!fitIntercept) return theta;
  const counts = new Float64Array(Math.max(2, rowsOfW));
  for (let i = 0; i < index.length; i++) counts[index[i]]++;
  if (rowsOfW === 1) {
    theta[d] = Math.log(counts[1] / counts[0]);
  } else {
    let mean = 0;
    for (let c = 0; c < rowsOfW; c++) mean += Math.log(counts[c]) / rowsOfW;
    for (let c = 0; c < rowsOfW; c++) theta[c * (d + 1) + d] = Math.log(counts[c]) - mean;
  }
  return theta;
}

function columnMeans(x: Matrix): Float64Array {
  const mu = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) mu[j] += x.data[i * x.cols + j];
  for (let j = 0; j < x.cols; j++) mu[j] /= x.rows;
  return mu;
}

function centered(x: Matrix, mu: Float64Array): Matrix {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out[i * x.cols + j] = x.data[i * x.cols + j] - mu[j];
  return { data: out, rows: x.rows, cols: x.cols };
}

function linearClassifier(classes: Int32Array, coef: Matrix, intercept: Float64Array, nIter: number, converged: boolean): FittedLogisticRegression {
  const decisionFunction = (m: Matrix): Matrix => {
    if (m.cols !== coef.cols) {
      throw new DisentangleError('SHAPE_MISMATCH', 'x (in LogisticRegression.predict)', `has ${m.cols} columns, the model was fitted on ${coef.cols}`);
    }
    return affine(m, coef, intercept);
  };
  const predictProba = (m: Matrix): Matrix => {
    const z = decisionFunction(m);
    const out = new Float64Array(m.rows * classes.length);
    if (coef.rows === 1) {
      for (let i = 0; i < m.rows; i++) {
        const p = sigmoid(z.data[i]);
        out[2 * i] = 1 - p;
        out[2 * i + 1] = p;
      }
    } else {
      const k = coef.rows;
      for (let i = 0; i < m.rows; i++) softmaxInto(z.data, i * k, k, out, i * k);
    }
    return { data: out, rows: m.rows, cols: classes.length };
  };
  const predict = (m: Matrix): Int32Array => {
    const z = decisionFunction(m);
    const out = new Int32Array(m.rows);
    const k = coef.rows;
    for (let i = 0; i < m.rows; i++) {
      if (k === 1) {
        out[i] = z.data[i] > 0 ? classes[1] : classes[0];
      } else {
        let best = 0;
        for (let c = 1; c < k; c++) if (z.data[i * k + c] > z.data[i * k + best]) best = c;
        out[i] = classes[best];
      }
    }
    return out;
  };
  return { classes, coef, intercept, nIter, converged, predict, predictProba, decisionFunction };
}

/** x·Wᵀ + b, n×K. */
export function affine(x: Matrix, w: Matrix, b: Float64Array): Matrix {
  const { rows: n, cols: d } = x;
  const k = w.rows;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = b[c];
      for (let j = 0; j < d; j++) s += x.data[i * d + j] * w.data[c * d + j];
      out[i * k + c] = s;
    }
  }
  return { data: out, rows: n, cols: k };
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

// log(1 + e^t) without overflow.
function log1pExp(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

function softmaxInto(z: Float64Array, off: number, k: number, out: Float64Array, outOff: number): void {
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
function binaryObjective(x: Matrix, index: Int32Array, C: number, fitIntercept: boolean) {
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
function multinomialObjective(x: Matrix, index: Int32Array, k: number, C: number, fitIntercept: boolean) {
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
 * scikit-learn's default `LogisticRegression()` behind the {@link ClassifierEstimator} interface.
 *
 * @example
 * dciFromCodes(train, test, { estimator: logisticRegression({ C: 0.1 }) });
 */
export function logisticRegression(options: LogisticRegressionOptions = {}): ClassifierEstimator {
  return { name: 'logistic-regression', fit: (x, y) => fitLogisticRegression(x, y, options) };
}
/**
 * Limited-memory BFGS (Nocedal 1980) with an Armijo backtracking line search, for smooth convex objectives.
 * `evaluate(x, grad)` writes the gradient into `grad` and returns the objective. Stops when the largest
 * gradient entry is ≤ `tol`, when the objective stops decreasing, or after `maxIter` iterations.
 */
export function minimizeLbfgs(
  evaluate: (x: Float64Array, grad: Float64Array) => number,
  x0: Float64Array,
  options: { maxIter: number; tol: number; memory?: number },
): { x: Float64Array; f: number; nIter: number; converged: boolean } {
  const n = x0.length;
  const m = options.memory ?? 10;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = evaluate(x, g);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  let stalls = 0;
  let iter = 0;
  if (maxAbs(g) <= options.tol) return { x, f, nIter: 0, converged: true };
  for (; iter < options.maxIter; iter++) {
    searchDirection(g, sList, yList, rho, alpha, d);
    let gd = dot(g, d);
    if (!(gd < 0)) {
      sList.length = 0;
      yList.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      gd = dot(g, d);
    }
    // Without curvature pairs the first direction is the raw gradient; a unit-length trial step keeps it sane.
    let step = sList.length === 0 ? Math.min(1, 1 / Math.sqrt(-gd)) : 1;
    let fNew = NaN;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = evaluate(xNew, gNew);
      if (fNew <= f + 1e-4 * step * gd) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) break; // no decrease possible at float precision
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-300) {
      if (sList.length === m) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
      sList.push(s);
      yList.push(y);
      rho.push(1 / sy);
    }
    const decrease = f - fNew;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    if (maxAbs(g) <= options.tol) return { x, f, nIter: iter + 1, converged: true };
    stalls = decrease <= 1e-16 * Math.max(1, Math.abs(f)) ? stalls + 1 : 0;
    if (stalls >= 3) return { x, f, nIter: iter + 1, converged: true };
  }
  return { x, f, nIter: iter, converged: false };
}

function searchDirection(
  g: Float64Array,
  sList: Float64Array[],
  yList: Float64Array[],
  rho: number[],
  alpha: Float64Array,
  d: Float64Array,
): void {
  const n = g.length;
  for (let i = 0; i < n; i++) d[i] = -g[i];
  const k = sList.length;
  for (let j = k - 1; j >= 0; j--) {
    alpha[j] = rho[j] * dot(sList[j], d);
    axpy(-alpha[j], yList[j], d);
  }
  if (k > 0) {
    const gamma = 1 / (rho[k - 1] * dot(yList[k - 1], yList[k - 1]));
    for (let i = 0; i < n; i++) d[i] *= gamma;
  }
  for (let j = 0; j < k; j++) {
    const beta = rho[j] * dot(yList[j], d);
    axpy(alpha[j] - beta, sList[j], d);
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
