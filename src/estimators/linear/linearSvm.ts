/**
 * The linear support-vector classifier as scikit-learn's `LinearSVC`: liblinear's dual coordinate descent for the
 * squared hinge (`fitLinearSvc`, the {@link linearSvc} estimator), and the one-vs-rest scheme around a binary
 * solver that the exact single-feature solver (`singleFeatureSvm.ts`, SAP's) shares.
 */
import { DisentangleError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { createRng, type Rng } from '../../core/rng.js';
import { enumOption, intOption, numberOption, checkOptions } from '../../core/validate.js';
import { argmaxRows, encodeLabels, type EncodedLabels } from '../labels.js';
import { affine, checkXy } from './linearModel.js';
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

const OPTION_NAMES = Object.keys({ C: 0, classWeight: 0, maxIter: 0, tol: 0, rng: 0 } satisfies Record<keyof LinearSvcOptions, 0>);

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
  checkOptions(options, 'fitLinearSvc', OPTION_NAMES);
  const fn = 'fitLinearSvc';
  checkXy(x, y, fn);
  const { C, weighted } = svcPenalty(options);
  const maxIter = intOption(options.maxIter, 'maxIter', 1000, 1);
  const tol = numberOption(options.tol, 'tol', 1e-4, Number.MIN_VALUE);
  const rng = options.rng ?? createRng(0);
  const labels = svcLabels(y, fn);
  const n = x.rows;
  const d = x.cols;
  const xb = withBias(x);
  const sqNorms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j <= d; j++) s += xb[i * (d + 1) + j] ** 2;
    sqNorms[i] = s;
  }
  const sign = new Int8Array(n);
  return oneVsRestSvc(labels, d, C, weighted, (positive, cPos, cNeg) => {
    for (let i = 0; i < n; i++) sign[i] = labels.index[i] === positive ? 1 : -1;
    const res = dualCoordinateDescent(xb, d + 1, sqNorms, sign, cPos, cNeg, tol, maxIter, rng);
    return { w: res.w.subarray(0, d), b: res.w[d], iter: res.iter };
  });
}

/** `C` and `classWeight` of an SVC fit, checked. */
export function svcPenalty(options: { C?: number; classWeight?: 'balanced' | null }): { C: number; weighted: boolean } {
  const C = numberOption(options.C, 'C', 1, Number.MIN_VALUE);
  const weighted = options.classWeight != null && enumOption(options.classWeight, 'classWeight', ['balanced'], 'balanced') === 'balanced';
  return { C, weighted };
}

/** The encoded labels of an SVC fit; at least two classes. */
export function svcLabels(y: Int32Array, fn: string): EncodedLabels {
  const labels = encodeLabels(y);
  if (labels.classes.length < 2) {
    throw new DisentangleError('BAD_INPUT', `y (in ${fn})`, `needs samples of at least 2 classes, got only class ${labels.classes[0]}`);
  }
  return labels;
}

/** One binary problem's solution: the feature weights, the bias and the solver's iterations. */
export interface BinarySvcSolution {
  w: ArrayLike<number>;
  b: number;
  iter: number;
}

/**
 * liblinear's multi-class scheme around a binary solver: two classes are one problem (class 1 positive with
 * C·w₁, class 0 negative with C·w₀); more are one-vs-rest, where the "rest" side of problem c keeps the plain C
 * and only class c's side gets its class weight ('balanced': w_c = n / (classes · n_c)).
 */
export function oneVsRestSvc(
  labels: EncodedLabels,
  d: number,
  C: number,
  weighted: boolean,
  solve: (positive: number, cPos: number, cNeg: number) => BinarySvcSolution,
): FittedLinearSvc {
  const { classes, counts } = labels;
  const n = labels.index.length;
  const weightedC = Array.from(counts, (nc) => (weighted ? (C * n) / (classes.length * nc) : C));
  const problems = classes.length === 2 ? 1 : classes.length;
  const coef = new Float64Array(problems * d);
  const intercept = new Float64Array(problems);
  const nIter = new Int32Array(problems);
  for (let p = 0; p < problems; p++) {
    const positive = problems === 1 ? 1 : p;
    const cNeg = problems === 1 ? weightedC[0] : C;
    const sol = solve(positive, weightedC[positive], cNeg);
    coef.set(sol.w, p * d);
    intercept[p] = sol.b;
    nIter[p] = sol.iter;
  }
  return ovrClassifier(classes, { data: coef, rows: problems, cols: d }, intercept, nIter);
}

/** Predictions of a linear one-vs-rest model (one row for two classes: positive score → classes[1]). */
function ovrClassifier(classes: Int32Array, coef: Matrix, intercept: Float64Array, nIter: Int32Array): FittedLinearSvc {
  const decisionFunction = (m: Matrix): Matrix => {
    if (m.cols !== coef.cols) throw new DisentangleError('SHAPE_MISMATCH', 'x (in LinearSVC.predict)', `has ${m.cols} columns, the model was fitted on ${coef.cols}`);
    return affine(m, coef, intercept);
  };
  const predict = (m: Matrix): Int32Array => argmaxRows(decisionFunction(m), classes);
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
  checkOptions(options, 'linearSvc', OPTION_NAMES.filter((name) => name !== 'rng'));
  return { name: 'linear-svc', fit: (x, y, rng) => fitLinearSvc(x, y, { ...options, rng }) };
}
