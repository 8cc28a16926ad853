import { DisentangleError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { createRng, type Rng } from '../../core/rng.js';
import { enumOption, intOption, numberOption, checkOptions } from '../../core/validate.js';
import { affine, checkXy, encodeClasses } from './logisticRegression.js';
import type { ClassifierEstimator, FittedClassifier } from '../types.js';

/** Options of {@link fitLinearSvc}; defaults are scikit-learn `LinearSVC()`'s. */
export interface LinearSvcOptions {
  /** Inverse L2 strength (default 1; SAP uses 0.01). */
  C?: number;
  /** 'balanced' multiplies C of class c by n / (numClasses · n_c) (default null: no weights). */
  classWeight?: 'balanced' | null;
  /** Dual coordinate-descent epochs per binary problem (default 1000). */
  maxIter?: number;
  /** Stopping tolerance on the projected-gradient spread (default 1e-4). */
  tol?: number;
  /** Stream for liblinear's per-epoch shuffling (default createRng(0)). */
  rng?: Rng;
}

/** A fitted linear SVM: one row of `coef` per binary problem (1 for two classes, C otherwise). */
export type FittedLinearSvc = FittedClassifier & {
  coef: Matrix;
  intercept: Float64Array;
  nIter: Int32Array;
  decisionFunction(x: Matrix): Matrix;
};

/**
 * Linear support-vector classifier as scikit-learn's `LinearSVC` (liblinear solver 2, Hsieh et al. 2008):
 * L2-regularized squared hinge loss, solved in the dual by coordinate descent with shrinking; the intercept is a
 * regularized weight on a constant feature of value 1 (intercept_scaling 1). More than two classes: one-vs-rest,
 * where — as in liblinear's `train()` — the "rest" side of problem c keeps the plain C and only class c's side
 * gets its class weight; two classes: one problem, class 1 positive with C·w₁ and class 0 negative with C·w₀.
 *
 * liblinear shuffles the visiting order with the C library's rand(), which we cannot replay; the optimum is unique
 * in w, so only the last digits below `tol` differ.
 *
 * @example
 * const svm = fitLinearSvc(x, y, { C: 0.01, classWeight: 'balanced' });
 * const yHat = svm.predict(xTest);
 */
export function fitLinearSvc(x: Matrix, y: Int32Array, options: LinearSvcOptions = {}): FittedLinearSvc {
  checkOptions(options, 'fitLinearSvc');
  const fn = 'fitLinearSvc';
  checkXy(x, y, fn);
  const C = numberOption(options.C, 'C', 1, Number.MIN_VALUE);
  const maxIter = intOption(options.maxIter, 'maxIter', 1000, 1);
  const tol = numberOption(options.tol, 'tol', 1e-4, Number.MIN_VALUE);
  const weighted = options.classWeight != null && enumOption(options.classWeight, 'classWeight', ['balanced'], 'balanced') === 'balanced';
  const rng = options.rng ?? createRng(0);
  const { classes, index } = encodeClasses(y);
  if (classes.length < 2) {
    throw new DisentangleError('BAD_INPUT', `y (in ${fn})`, `needs samples of at least 2 classes, got only class ${classes[0]}`);
  }
  const n = x.rows;
  const d = x.cols;
  const counts = new Float64Array(classes.length);
  for (let i = 0; i < n; i++) counts[index[i]]++;
  const weightedC = Array.from(counts, (nc) => (weighted ? (C * n) / (classes.length * nc) : C));
  const xb = withBias(x);
  const sqNorms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j <= d; j++) s += xb[i * (d + 1) + j] ** 2;
    sqNorms[i] = s;
  }
  const problems = classes.length === 2 ? 1 : classes.length;
  const coef = new Float64Array(problems * d);
  const intercept = new Float64Array(problems);
  const nIter = new Int32Array(problems);
  const sign = new Int8Array(n);
  for (let p = 0; p < problems; p++) {
    const positive = problems === 1 ? 1 : p;
    for (let i = 0; i < n; i++) sign[i] = index[i] === positive ? 1 : -1;
    const cPos = weightedC[positive];
    const cNeg = problems === 1 ? weightedC[0] : C;
    const res = dualCoordinateDescent(xb, d + 1, sqNorms, sign, cPos, cNeg, tol, maxIter, rng);
    coef.set(res.w.subarray(0, d), p * d);
    intercept[p] = res.w[d];
    nIter[p] = res.iter;
  }
  return ovrClassifier(classes, { data: coef, rows: problems, cols: d }, intercept, nIter);
}

/** Predictions of a linear one-vs-rest model (one row for two classes: positive score → classes[1]). */
function ovrClassifier(classes: Int32Array, coef: Matrix, intercept: Float64Array, nIter: Int32Array): FittedLinearSvc {
  const problems = coef.rows;
  const decisionFunction = (m: Matrix): Matrix => {
    if (m.cols !== coef.cols) throw new DisentangleError('SHAPE_MISMATCH', 'x (in LinearSVC.predict)', `has ${m.cols} columns, the model was fitted on ${coef.cols}`);
    return affine(m, coef, intercept);
  };
  const predict = (m: Matrix): Int32Array => {
    const z = decisionFunction(m);
    const out = new Int32Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      if (problems === 1) {
        out[i] = z.data[i] > 0 ? classes[1] : classes[0];
      } else {
        let best = 0;
        for (let c = 1; c < problems; c++) if (z.data[i * problems + c] > z.data[i * problems + best]) best = c;
        out[i] = classes[best];
      }
    }
    return out;
  };
  return { classes, coef, intercept, nIter, predict, decisionFunction };
}

function withBias(x: Matrix): Float64Array {
  const d = x.cols;
  const out = new Float64Array(x.rows * (d + 1));
  for (let i = 0; i < x.rows; i++) {
    out.set(x.data.subarray(i * d, (i + 1) * d), i * (d + 1));
    out[i * (d + 1) + d] = 1;
  }
  return out;
}

/**
 * liblinear `solve_l2r_l1l2_svc` for the squared hinge: minimizes ½αᵀQ̄α − eᵀα, α ≥ 0, with
 * Q̄ = Q + diag(1/(2Cᵢ)), one coordinate at a time in a random order, shrinking coordinates whose projected
 * gradient stays beyond the previous sweep's maximum, and stopping when the projected-gradient spread ≤ eps.
 */
function dualCoordinateDescent(
  x: Float64Array,
  width: number,
  sqNorms: Float64Array,
  sign: Int8Array,
  cPos: number,
  cNeg: number,
  eps: number,
  maxIter: number,
  rng: Rng,
): { w: Float64Array; iter: number } {
  const l = sign.length;
  const w = new Float64Array(width);
  const alpha = new Float64Array(l);
  const diag = new Float64Array(l);
  const qd = new Float64Array(l);
  const order = new Int32Array(l);
  for (let i = 0; i < l; i++) {
    diag[i] = 0.5 / (sign[i] > 0 ? cPos : cNeg);
    qd[i] = diag[i] + sqNorms[i];
    order[i] = i;
  }
  let active = l;
  let pgMaxOld = Infinity;
  let iter = 0;
  while (iter < maxIter) {
    let pgMaxNew = -Infinity;
    let pgMinNew = Infinity;
    for (let i = 0; i < active; i++) {
      const j = i + rng.int(active - i);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (let s = 0; s < active; s++) {
      const i = order[s];
      const yi = sign[i];
      const off = i * width;
      let g = 0;
      for (let j = 0; j < width; j++) g += w[j] * x[off + j];
      g = yi * g - 1 + alpha[i] * diag[i];
      let pg = 0;
      if (alpha[i] === 0) {
        if (g > pgMaxOld) {
          active--;
          order[s] = order[active];
          order[active] = i;
          s--;
          continue;
        } else if (g < 0) {
          pg = g;
        }
      } else {
        pg = g;
      }
      if (pg > pgMaxNew) pgMaxNew = pg;
      if (pg < pgMinNew) pgMinNew = pg;
      if (Math.abs(pg) > 1e-12) {
        const old = alpha[i];
        alpha[i] = Math.max(old - g / qd[i], 0);
        const delta = (alpha[i] - old) * yi;
        for (let j = 0; j < width; j++) w[j] += delta * x[off + j];
      }
    }
    iter++;
    if (pgMaxNew - pgMinNew <= eps) {
      if (active === l) break;
      active = l;
      pgMaxOld = Infinity;
      continue;
    }
    pgMaxOld = pgMaxNew;
    if (pgMaxOld <= 0) pgMaxOld = Infinity;
  }
  return { w, iter };
}

/**
 * scikit-learn's `LinearSVC` behind the {@link ClassifierEstimator} interface (uses the rng it is given for
 * liblinear's shuffling).
 *
 * @example
 * const est = linearSvc({ C: 0.01, classWeight: 'balanced' });
 */
export function linearSvc(options: Omit<LinearSvcOptions, 'rng'> = {}): ClassifierEstimator {
  checkOptions(options, 'linearSvc');
  return { name: 'linear-svc', fit: (x, y, rng) => fitLinearSvc(x, y, { ...options, rng }) };
}

/** One feature column sorted once, so that every SVM fitted on it (one per factor in SAP) reuses the sort. */
export interface SortedFeature {
  /** Values in ascending order. */
  readonly sorted: Float64Array;
  /** sorted[k] = x[order[k]]. */
  readonly order: Int32Array;
  /** Prefix sums of 1, x, x² over the sorted values (length n + 1). */
  readonly prefix: PrefixSums;
}

/** Sorted feature values with running class sums, reused across the Newton steps of one fit. */
export interface PrefixSums {
  s1: Float64Array;
  s2: Float64Array;
}

function prefixSums(sorted: Float64Array): PrefixSums {
  const n = sorted.length;
  const s1 = new Float64Array(n + 1);
  const s2 = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) {
    s1[k + 1] = s1[k] + sorted[k];
    s2[k + 1] = s2[k] + sorted[k] * sorted[k];
  }
  return { s1, s2 };
}

/** Sorts one feature column for {@link fitSingleFeatureSvc}. */
export function sortFeature(x: ArrayLike<number>): SortedFeature {
  const order = Int32Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const sorted = Float64Array.from(order, (i) => x[i]);
  return { sorted, order, prefix: prefixSums(sorted) };
}

// First index with v[k] ≥ t (count of values < t).
function lowerBound(v: Float64Array, t: number): number {
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// First index with v[k] > t (count of values ≤ t).
function upperBound(v: Float64Array, t: number): number {
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Count, Σx and Σx² of a sorted set over the index range [a, b). */
function rangeSums(v: Float64Array, p: PrefixSums, a: number, b: number): [number, number, number] {
  return [b - a, p.s1[b] - p.s1[a], p.s2[b] - p.s2[a]];
}

/**
 * Which points of a sorted set violate the margin, y·(w·x + b) < 1, as an index range: for a fixed sign of w
 * they form a prefix or a suffix of the sorted values.
 */
function activeRange(v: Float64Array, w: number, b: number, y: 1 | -1): [number, number] {
  const n = v.length;
  // y(wx + b) < 1  ⇔  y·w·x < 1 − y·b
  const yw = y * w;
  const rhs = 1 - y * b;
  if (yw === 0) return rhs > 0 ? [0, n] : [0, 0];
  const t = rhs / yw;
  return yw > 0 ? [0, lowerBound(v, t)] : [upperBound(v, t), n];
}

/**
 * The exact optimum of liblinear's L2-regularized squared-hinge problem on a single feature (plus the
 * regularized bias feature): ½(w² + b²) + Σᵢ Cᵢ max(0, 1 − yᵢ(w·xᵢ + b))², with Cᵢ = cPos for the positives and
 * cNeg for the negatives. The objective is piecewise quadratic and the margin violators are a prefix/suffix of
 * the sorted values, so each Newton step costs O(log n) from prefix sums; it stops when a full step keeps the
 * active set, i.e. at the exact minimizer.
 */
function solveSingleFeature(
  all: Float64Array,
  allP: PrefixSums,
  pos: Float64Array,
  posP: PrefixSums,
  cPos: number,
  cNeg: number,
): { w: number; b: number; iter: number } {
  // Negatives = all − positives, range by range.
  const sums = (w: number, b: number) => {
    const [pa, pb] = activeRange(pos, w, b, 1);
    const P = rangeSums(pos, posP, pa, pb);
    const [na, nb] = activeRange(all, w, b, -1);
    const [qa, qb] = activeRange(pos, w, b, -1);
    const A = rangeSums(all, allP, na, nb);
    const Q = rangeSums(pos, posP, qa, qb);
    const N: [number, number, number] = [A[0] - Q[0], A[1] - Q[1], A[2] - Q[2]];
    return { P, N, key: `${pa},${pb},${na},${nb},${qa},${qb}` };
  };
  const objective = (w: number, b: number): number => {
    const { P, N } = sums(w, b);
    const u = 1 - b;
    const v = 1 + b;
    const fp = u * u * P[0] - 2 * u * w * P[1] + w * w * P[2];
    const fn = v * v * N[0] + 2 * v * w * N[1] + w * w * N[2];
    return 0.5 * (w * w + b * b) + cPos * Math.max(fp, 0) + cNeg * Math.max(fn, 0);
  };
  let w = 0;
  let b = 0;
  let f = objective(w, b);
  let iter = 0;
  for (; iter < 100; iter++) {
    const { P, N, key } = sums(w, b);
    const u = 1 - b;
    const v = 1 + b;
    const gw = w + cPos * (-2 * u * P[1] + 2 * w * P[2]) + cNeg * (2 * v * N[1] + 2 * w * N[2]);
    const gb = b + cPos * (-2 * u * P[0] + 2 * w * P[1]) + cNeg * (2 * v * N[0] + 2 * w * N[1]);
    const hww = 1 + 2 * cPos * P[2] + 2 * cNeg * N[2];
    const hwb = 2 * cPos * P[1] + 2 * cNeg * N[1];
    const hbb = 1 + 2 * cPos * P[0] + 2 * cNeg * N[0];
    const det = hww * hbb - hwb * hwb;
    const dw = -(hbb * gw - hwb * gb) / det;
    const db = -(-hwb * gw + hww * gb) / det;
    const slope = gw * dw + gb * db;
    if (!(slope < 0)) break; // zero gradient: at the minimizer
    let step = 1;
    let fNew = objective(w + dw, b + db);
    while (fNew > f + 1e-4 * step * slope && step > 1e-12) {
      step *= 0.5;
      fNew = objective(w + step * dw, b + step * db);
    }
    if (!(fNew <= f)) break;
    w += step * dw;
    b += step * db;
    f = fNew;
    if (step === 1 && sums(w, b).key === key) {
      iter++;
      break; // the quadratic piece we solved exactly is still the active one
    }
  }
  return { w, b, iter };
}

/**
 * `LinearSVC` on a single feature (SAP's discrete case), solved exactly instead of by dual coordinate descent.
 * Same objective, classes, one-vs-rest and class-weight rules as {@link fitLinearSvc}; liblinear stops its dual
 * solver at tol = 1e-4, so its weights sit within that tolerance of the optimum returned here and predictions
 * differ only for points practically on a decision boundary. Pass a {@link SortedFeature} to reuse one sort for
 * several label vectors.
 *
 * @example
 * const svm = fitSingleFeatureSvc(sortFeature(codeColumn), factorColumn, { C: 0.01, classWeight: 'balanced' });
 */
export function fitSingleFeatureSvc(
  feature: SortedFeature,
  y: Int32Array,
  options: { C?: number; classWeight?: 'balanced' | null } = {},
): FittedLinearSvc {
  const fn = 'fitSingleFeatureSvc';
  const n = feature.sorted.length;
  if (n === 0) throw new DisentangleError('EMPTY', `x (in ${fn})`, 'needs at least one sample');
  if (y.length !== n) throw new DisentangleError('SHAPE_MISMATCH', `y (in ${fn})`, `has ${y.length} labels, x has ${n} values`);
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(feature.sorted[k])) throw new DisentangleError('NON_FINITE', `x (in ${fn})`, `contains ${feature.sorted[k]}`);
  }
  const C = numberOption(options.C, 'C', 1, Number.MIN_VALUE);
  const weighted = options.classWeight != null && enumOption(options.classWeight, 'classWeight', ['balanced'], 'balanced') === 'balanced';
  const { classes, index } = encodeClasses(y);
  if (classes.length < 2) {
    throw new DisentangleError('BAD_INPUT', `y (in ${fn})`, `needs samples of at least 2 classes, got only class ${classes[0]}`);
  }
  const k = classes.length;
  // Each class's values in ascending order (a subsequence of the global sort) with their prefix sums.
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) counts[index[i]]++;
  const members = Array.from(counts, (c) => new Float64Array(c));
  const fill = new Int32Array(k);
  for (let q = 0; q < n; q++) {
    const c = index[feature.order[q]];
    members[c][fill[c]++] = feature.sorted[q];
  }
  const weightedC = Array.from(counts, (nc) => (weighted ? (C * n) / (k * nc) : C));
  const problems = k === 2 ? 1 : k;
  const coef = new Float64Array(problems);
  const intercept = new Float64Array(problems);
  const nIter = new Int32Array(problems);
  for (let p = 0; p < problems; p++) {
    const positive = problems === 1 ? 1 : p;
    const cNeg = problems === 1 ? weightedC[0] : C;
    const sol = solveSingleFeature(feature.sorted, feature.prefix, members[positive], prefixSums(members[positive]), weightedC[positive], cNeg);
    coef[p] = sol.w;
    intercept[p] = sol.b;
    nIter[p] = sol.iter;
  }
  return ovrClassifier(classes, { data: coef, rows: problems, cols: 1 }, intercept, nIter);
}
