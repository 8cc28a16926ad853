import { DisentangleError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { meanVarianceColumns } from '../../core/stats.js';
import { intOption, numberOption, checkOptions } from '../../core/validate.js';
import { checkXy } from './linearModel.js';
import type { FittedRegressor, RegressorEstimator } from '../types.js';

/** Options of {@link fitLasso}; defaults are scikit-learn `Lasso`'s. */
export interface LassoOptions {
  /** L1 strength α (required, ≥ 0). */
  alpha: number;
  /** Coordinate-descent sweeps (default 1000). */
  maxIter?: number;
  /** Duality-gap tolerance relative to ‖y‖² (default 1e-4). */
  tol?: number;
  /** Fit an intercept by centering x and y (default true). */
  fitIntercept?: boolean;
}

const LASSO_OPTION_NAMES = Object.keys({ alpha: 0, maxIter: 0, tol: 0, fitIntercept: 0 } satisfies Record<keyof LassoOptions, 0>);

function requireAlpha(alpha: unknown): number {
  if (typeof alpha !== 'number') throw new DisentangleError('BAD_OPTION', 'alpha', 'is required (the L1 strength, ≥ 0)');
  return numberOption(alpha, 'alpha', 0, 0);
}

/** A fitted Lasso: weights, intercept, and the number of sweeps run (scikit-learn's `n_iter_`). */
export interface LassoFit {
  coef: Float64Array;
  intercept: number;
  nIter: number;
}

/**
 * The Lasso (Tibshirani 1996) as scikit-learn's `Lasso`: minimizes (1/(2n))‖y − Xw − b‖² + α‖w‖₁ by cyclic
 * coordinate descent (features in order, no shuffling), with the intercept recovered from column means, and
 * scikit-learn's stopping rule: after a sweep whose largest weight change is below tol·max|w| (or whose
 * weights are all zero), compute the duality gap and stop once it is below tol·‖y_centered‖².
 *
 * @example
 * const { coef, intercept } = fitLasso(x, y, { alpha: 0.1 });
 */
export function fitLasso(x: Matrix, y: Float64Array, options: LassoOptions): LassoFit {
  checkOptions(options, 'fitLasso', LASSO_OPTION_NAMES);
  const fn = 'fitLasso';
  checkXy(x, y, fn);
  const alpha = requireAlpha(options.alpha);
  const maxIter = intOption(options.maxIter, 'maxIter', 1000, 1);
  const tol = numberOption(options.tol, 'tol', 1e-4, 0);
  const fitIntercept = options.fitIntercept ?? true;
  const { rows: n, cols: d } = x;

  const xMean = fitIntercept ? meanVarianceColumns(x).mean : new Float64Array(d);
  const yMean = fitIntercept ? meanVarianceColumns({ data: y, rows: n, cols: 1 }).mean[0] : 0;
  // Column-major centered copy: coordinate descent walks one feature at a time.
  const cols: Float64Array[] = [];
  for (let j = 0; j < d; j++) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = x.data[i * d + j] - xMean[j];
    cols.push(c);
  }
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) yc[i] = y[i] - yMean;

  const { w, nIter } = coordinateDescent(cols, yc, alpha * n, maxIter, tol);
  let intercept = 0;
  if (fitIntercept) {
    intercept = yMean;
    for (let j = 0; j < d; j++) intercept -= xMean[j] * w[j];
  }
  return { coef: w, intercept, nIter };
}

// scikit-learn's `enet_coordinate_descent` with l2 = 0; `l1` is α·n (the unnormalized objective ½‖r‖² + l1‖w‖₁).
function coordinateDescent(cols: Float64Array[], y: Float64Array, l1: number, maxIter: number, tol: number): { w: Float64Array; nIter: number } {
  const d = cols.length;
  const n = y.length;
  const w = new Float64Array(d);
  const norm2 = cols.map((c) => dotN(c, c, n));
  const r = Float64Array.from(y);
  const gapTol = tol * dotN(y, y, n);
  for (let iter = 0; iter < maxIter; iter++) {
    let wMax = 0;
    let dwMax = 0;
    for (let j = 0; j < d; j++) {
      if (norm2[j] === 0) continue;
      const c = cols[j];
      const old = w[j];
      if (old !== 0) for (let i = 0; i < n; i++) r[i] += old * c[i];
      const t = dotN(c, r, n);
      const next = (Math.sign(t) * Math.max(Math.abs(t) - l1, 0)) / norm2[j];
      w[j] = next;
      if (next !== 0) for (let i = 0; i < n; i++) r[i] -= next * c[i];
      dwMax = Math.max(dwMax, Math.abs(next - old));
      wMax = Math.max(wMax, Math.abs(next));
    }
    if (wMax === 0 || dwMax / wMax < tol || iter === maxIter - 1) {
      if (dualityGap(cols, y, r, w, l1) < gapTol) return { w, nIter: iter + 1 };
    }
  }
  return { w, nIter: maxIter };
}

function dualityGap(cols: Float64Array[], y: Float64Array, r: Float64Array, w: Float64Array, l1: number): number {
  const n = y.length;
  let dualNorm = 0;
  for (const c of cols) dualNorm = Math.max(dualNorm, Math.abs(dotN(c, r, n)));
  const rNorm2 = dotN(r, r, n);
  let scale = 1;
  let gap = rNorm2;
  if (dualNorm > l1) {
    scale = l1 / dualNorm;
    gap = 0.5 * (rNorm2 + rNorm2 * scale * scale);
  }
  let l1Norm = 0;
  for (let j = 0; j < w.length; j++) l1Norm += Math.abs(w[j]);
  return gap + l1 * l1Norm - scale * dotN(r, y, n);
}

function dotN(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/** A Lasso fitted through the {@link lasso} estimator: the {@link LassoFit} plus predictions and |coef| importances. */
export type FittedLasso = LassoFit & FittedRegressor & { readonly featureImportances: Float64Array; predict(x: Matrix): Float64Array };

/**
 * scikit-learn's `Lasso(alpha)` behind the {@link RegressorEstimator} interface: `fit(x, y)` runs
 * {@link fitLasso} with these options, the model predicts intercept + x·coef and reports |coef| as its feature
 * importances. DCI accepts it as its `estimator` and then fits it as InfoGAN-CR's Lasso variant (z-scored codes
 * and factor, informativeness R²).
 *
 * @example
 * dciFromCodes(train, test, { estimator: lasso({ alpha: 0.01 }) });
 */
export function lasso(options: LassoOptions): RegressorEstimator {
  checkOptions(options, 'lasso', LASSO_OPTION_NAMES);
  requireAlpha(options.alpha);
  const settings = { ...options };
  return {
    name: 'lasso',
    kind: 'regressor',
    fit: (x: Matrix, y: Float64Array): FittedLasso => {
      const fit = fitLasso(x, y, settings);
      const { coef, intercept } = fit;
      const predict = (m: Matrix): Float64Array => {
        if (m.cols !== coef.length) throw new DisentangleError('SHAPE_MISMATCH', 'x (in Lasso.predict)', `has ${m.cols} columns, the model has ${coef.length}`);
        const out = new Float64Array(m.rows);
        for (let i = 0; i < m.rows; i++) {
          let s = intercept;
          for (let j = 0; j < m.cols; j++) s += m.data[i * m.cols + j] * coef[j];
          out[i] = s;
        }
        return out;
      };
      return { ...fit, predict, featureImportances: coef.map(Math.abs) };
    },
  };
}
