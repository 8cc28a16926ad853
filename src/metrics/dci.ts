/**
 * DCI: disentanglement, completeness and informativeness (Eastwood & Williams 2018, "A Framework for the
 * Quantitative Evaluation of Disentangled Representations"), as disentanglement_lib's `dci.py` computes it, with
 * the InfoGAN-CR repository's Lasso variant as a preset.
 */
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { column, type Matrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import type { LabelledCodes, Progress, TensorLike } from '../core/types.js';
import { checkFactorsVary, checkSameWidths, enumOption, numberOption, readLabelledCodes, checkOptions } from '../core/validate.js';
import { yieldToEventLoop } from '../core/batching.js';
import { gradientBoostingClassifier } from '../estimators/trees/gradientBoostingClassifier.js';
import { fitLasso } from '../estimators/linear/lasso.js';
import { randomForestClassifier } from '../estimators/trees/randomForest.js';
import { standardScaler } from '../estimators/linear/standardize.js';
import type { ClassifierEstimator, FittedClassifier } from '../estimators/types.js';
import { sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Where the entropy conventions and defaults come from. */
export type DciPreset = 'disentanglement_lib' | 'infogan-cr';

/** Options of {@link dciFromImportanceMatrix}. */
export interface DciScoreOptions {
  /**
   * 'importance' (disentanglement_lib): completeness weighted by each factor's share of the total importance;
   * 'mean' (InfoGAN-CR, the paper): the plain mean. Default follows the preset.
   */
  completenessWeighting?: 'importance' | 'mean';
  /**
   * 'disentanglement_lib' (default): entropies of R + 1e-11, normalized; 'infogan-cr': −Σ p·ln(p + 1e-12) / ln(n + 1e-12).
   */
  preset?: DciPreset;
}

/** Options of {@link dciFromCodes}. */
export interface DciOptions extends DciScoreOptions {
  /**
   * Importance model per factor: 'gradient-boosting' (disentanglement_lib's default, scikit-learn
   * `GradientBoostingClassifier()`), 'random-forest', 'lasso' (InfoGAN-CR: Lasso(α) on z-scored codes and factors;
   * the 'infogan-cr' preset's default), or any {@link ClassifierEstimator} that reports `featureImportances`.
   */
  estimator?: 'gradient-boosting' | 'random-forest' | 'lasso' | ClassifierEstimator;
  /** L1 strength of the 'lasso' estimator, default 0.02 (InfoGAN-CR). */
  lassoAlpha?: number;
  /** Seed of randomized estimators (each factor gets its own fork), default 0. */
  seed?: number;
  /**
   * Threads for the 'gradient-boosting' estimator in the async entry points (`dciFromCodesAsync`, `computeDci`):
   * 'auto' (default) uses the available cores for large fits, 1 keeps everything on the calling thread. The
   * scores do not depend on it. `dciFromCodes` (synchronous) always uses the calling thread.
   */
  workers?: number | 'auto';
  /** Called with `{ stage: 'dci', done, total: K }` after each factor. */
  onProgress?: (p: Progress) => void;
  /** Checked between factors. */
  signal?: AbortSignal;
}

/** The scores of an importance matrix. */
export interface DciScores {
  /** Σ_i ρ_i D_i with ρ_i code i's share of the total importance. In [0, 1] (the infogan-cr preset, without smoothing, can exceed 1 by float rounding). */
  disentanglement: number;
  /** Importance-weighted or plain mean of the per-factor completeness. In [0, 1]. */
  completeness: number;
  /** D_i = 1 − H_K(P_i·) per code. */
  disentanglementPerCode: number[];
  /** C_j = 1 − H_D(P̃_·j) per factor. */
  completenessPerFactor: number[];
}

/** Result of {@link dciFromCodes} / {@link computeDci}. */
export interface DciResult extends DciScores {
  /** The headline number, equal to `disentanglement`. */
  score: number;
  /**
   * Mean over factors of the train accuracy (classifiers, as disentanglement_lib) or of R² on the z-scored
   * factor (the 'lasso' estimator).
   */
  informativenessTrain: number;
  /** The same on the test split. */
  informativenessTest: number;
  /** R (D×K): |importance| of code i for factor j. */
  importanceMatrix: number[][];
  /** Per-factor informativeness on the train and test splits. */
  informativenessPerFactorTrain: number[];
  informativenessPerFactorTest: number[];
}

/** 1 − normalized entropy of `weights` (length n ≥ 1), in the preset's convention. */
function oneMinusEntropy(weights: Float64Array, preset: DciPreset): number {
  const n = weights.length;
  // With one outcome there is nothing to spread over; both references divide by ln 1 = 0 there.
  if (n === 1) return 1;
  if (preset === 'disentanglement_lib') {
    let total = 0;
    for (let k = 0; k < n; k++) total += weights[k] + 1e-11;
    let h = 0;
    for (let k = 0; k < n; k++) {
      const p = (weights[k] + 1e-11) / total;
      if (p > 0) h -= p * Math.log(p);
    }
    return 1 - h / Math.log(n);
  }
  let total = 0;
  for (let k = 0; k < n; k++) total += weights[k];
  // InfoGAN-CR returns NaN for an all-zero vector; a code that explains nothing is not disentangled.
  if (total === 0) return 0;
  const logN = Math.log(n + 1e-12);
  let h = 0;
  for (let k = 0; k < n; k++) {
    const p = weights[k] / total;
    h -= (p * Math.log(p + 1e-12)) / logN;
  }
  return 1 - h;
}

/**
 * D, C and their per-code / per-factor parts from an importance matrix R (D×K, R ≥ 0):
 * D_i = 1 − H_K(R_i· / Σ_j R_ij), weighted by ρ_i = Σ_j R_ij / ΣR; C_j = 1 − H_D(R_·j / Σ_i R_ij), averaged
 * with weights Σ_i R_ij / ΣR ('importance', disentanglement_lib) or plainly ('mean'). With ΣR = 0 the weights
 * are uniform, as in disentanglement_lib.
 *
 * @example
 * dciFromImportanceMatrix({ data: Float64Array.of(5, 0, 0, 5), rows: 2, cols: 2 }) // D ≈ 1, C ≈ 1
 */
export function dciFromImportanceMatrix(importance: Matrix, options: DciScoreOptions = {}): DciScores {
  checkOptions(options, 'dciFromImportanceMatrix');
  const preset = enumOption(options.preset, 'preset', ['disentanglement_lib', 'infogan-cr'] as const, 'disentanglement_lib');
  const weighting = enumOption(
    options.completenessWeighting,
    'completenessWeighting',
    ['importance', 'mean'] as const,
    preset === 'infogan-cr' ? 'mean' : 'importance',
  );
  const { rows: D, cols: K, data } = importance;
  if (D === 0 || K === 0) throw new DisentangleError('EMPTY', 'importance', `has shape ${D}×${K}`);
  for (let k = 0; k < data.length; k++) {
    if (!(data[k] >= 0) || !Number.isFinite(data[k])) {
      throw new DisentangleError('BAD_INPUT', 'importance', `entry ${k} is ${data[k]}; importances are finite and ≥ 0`);
    }
  }
  const disentanglementPerCode: number[] = [];
  const rowSums = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    const row = data.subarray(i * K, (i + 1) * K);
    disentanglementPerCode.push(oneMinusEntropy(row, preset));
    for (let j = 0; j < K; j++) rowSums[i] += row[j];
  }
  const completenessPerFactor: number[] = [];
  const colSums = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    const col = column(importance, j);
    completenessPerFactor.push(oneMinusEntropy(col, preset));
    for (let i = 0; i < D; i++) colSums[j] += col[i];
  }
  const total = rowSums.reduce((a, b) => a + b, 0);
  const share = (s: number, count: number): number => (total === 0 ? 1 / count : s / total);
  let disentanglement = 0;
  for (let i = 0; i < D; i++) disentanglement += disentanglementPerCode[i] * share(rowSums[i], D);
  let completeness = 0;
  for (let j = 0; j < K; j++) {
    completeness += completenessPerFactor[j] * (weighting === 'mean' ? 1 / K : share(colSums[j], K));
  }
  return { disentanglement, completeness, disentanglementPerCode, completenessPerFactor };
}

interface FactorFit {
  importance: Float64Array;
  train: number;
  test: number;
}

function accuracy(predicted: Int32Array, truth: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) hits++;
  return hits / truth.length;
}

function importancesOf(est: ClassifierEstimator, model: FittedClassifier, cols: number): Float64Array {
  const imp = model.featureImportances;
  if (!imp || imp.length !== cols) {
    throw new DisentangleError('BAD_OPTION', 'estimator', `'${est.name}' must return featureImportances with one entry per code dim`);
  }
  return Float64Array.from(imp, Math.abs);
}

function scoreClassifier(est: ClassifierEstimator, model: FittedClassifier, f: FactorData): FactorFit {
  return {
    importance: importancesOf(est, model, f.trainX.cols),
    train: accuracy(model.predict(f.trainX), f.yTrain),
    test: accuracy(model.predict(f.testX), f.yTest),
  };
}

/** R² of a linear prediction; 1 − SSE/SST, with SST over the target's own mean. */
function rSquared(x: Matrix, y: Float64Array, coef: Float64Array, intercept: number): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < x.rows; i++) {
    let pred = intercept;
    for (let d = 0; d < x.cols; d++) pred += x.data[i * x.cols + d] * coef[d];
    sse += (y[i] - pred) ** 2;
    sst += (y[i] - mean) ** 2;
  }
  return sst === 0 ? 0 : 1 - sse / sst;
}

/** InfoGAN-CR's variant: z-score codes and the factor (train statistics), Lasso(α), importance |coef|. */
function fitLassoFactor(trainZ: Matrix, testZ: Matrix, yTrain: Int32Array, yTest: Int32Array, alpha: number): FactorFit {
  const scaler = standardScaler({ data: Float64Array.from(yTrain), rows: yTrain.length, cols: 1 });
  const zTrain = scaler.transform({ data: Float64Array.from(yTrain), rows: yTrain.length, cols: 1 }).data;
  const zTest = scaler.transform({ data: Float64Array.from(yTest), rows: yTest.length, cols: 1 }).data;
  const { coef, intercept } = fitLasso(trainZ, zTrain, { alpha });
  return {
    importance: Float64Array.from(coef, Math.abs),
    train: rSquared(trainZ, zTrain, coef, intercept),
    test: rSquared(testZ, zTest, coef, intercept),
  };
}

/** One factor's training and test data, shared by the sync and async drivers. */
interface FactorData {
  trainX: Matrix;
  testX: Matrix;
  yTrain: Int32Array;
  yTest: Int32Array;
}

/** Everything `dciFromCodes` checks and derives before fitting, shared by the sync and async drivers. */
interface DciPlan {
  D: number;
  K: number;
  preset: DciPreset;
  classifier?: ClassifierEstimator;
  alpha: number;
  rootRng: Rng;
  factor(j: number): FactorData;
}

function planDci(train: LabelledCodes, test: LabelledCodes, options: DciOptions, fn: string): DciPlan {
  const tr = readLabelledCodes(train, 'train', fn);
  const te = readLabelledCodes(test, 'test', fn);
  checkSameWidths(tr, te, fn);
  checkFactorsVary(tr.factors, 'train.factors', fn);
  const preset = enumOption(options.preset, 'preset', ['disentanglement_lib', 'infogan-cr'] as const, 'disentanglement_lib');
  const estimator = options.estimator ?? (preset === 'infogan-cr' ? 'lasso' : 'gradient-boosting');
  const alpha = numberOption(options.lassoAlpha, 'lassoAlpha', 0.02, 0);
  const seed = numberOption(options.seed, 'seed', 0);
  const named: Record<string, () => ClassifierEstimator> = {
    'gradient-boosting': () => gradientBoostingClassifier({ workers: options.workers }),
    'random-forest': () => randomForestClassifier(),
  };
  let classifier: ClassifierEstimator | undefined;
  if (typeof estimator === 'string') {
    if (estimator !== 'lasso' && !(estimator in named)) {
      throw new DisentangleError('BAD_OPTION', 'estimator', `expected 'gradient-boosting', 'random-forest', 'lasso' or a ClassifierEstimator, got '${estimator}'`);
    }
    classifier = estimator === 'lasso' ? undefined : named[estimator]();
  } else if (estimator && typeof estimator.fit === 'function') classifier = estimator;
  else throw new DisentangleError('BAD_OPTION', 'estimator', 'expected a name or an object with fit(x, y, rng)');
  const scaler = classifier ? undefined : standardScaler(tr.codes);
  const trainX = scaler ? scaler.transform(tr.codes) : tr.codes;
  const testX = scaler ? scaler.transform(te.codes) : te.codes;
  return {
    D: tr.codes.cols,
    K: tr.factors.cols,
    preset,
    classifier,
    alpha,
    rootRng: createRng(seed),
    factor: (j) => ({ trainX, testX, yTrain: column(tr.factors, j), yTest: column(te.factors, j) }),
  };
}

function finishDci(plan: DciPlan, fits: FactorFit[], options: DciOptions): DciResult {
  const { D, K } = plan;
  const R = new Float64Array(D * K);
  fits.forEach((fit, j) => {
    for (let i = 0; i < D; i++) R[i * K + j] = fit.importance[i];
  });
  const scores = dciFromImportanceMatrix({ data: R, rows: D, cols: K }, { preset: plan.preset, completenessWeighting: options.completenessWeighting });
  const perTrain = fits.map((f) => f.train);
  const perTest = fits.map((f) => f.test);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const importanceMatrix: number[][] = [];
  for (let i = 0; i < D; i++) importanceMatrix.push(Array.from(R.subarray(i * K, (i + 1) * K)));
  return {
    ...scores,
    score: scores.disentanglement,
    informativenessTrain: mean(perTrain),
    informativenessTest: mean(perTest),
    importanceMatrix,
    informativenessPerFactorTrain: perTrain,
    informativenessPerFactorTest: perTest,
  };
}

function fitFactorSync(plan: DciPlan, j: number): FactorFit {
  const f = plan.factor(j);
  if (!plan.classifier) return fitLassoFactor(f.trainX, f.testX, f.yTrain, f.yTest, plan.alpha);
  const model = plan.classifier.fit(f.trainX, f.yTrain, plan.rootRng.fork());
  if (model instanceof Promise) {
    throw new DisentangleError('BAD_OPTION', 'estimator', `'${plan.classifier.name}' fits asynchronously; use dciFromCodesAsync (or computeDci) with it`);
  }
  return scoreClassifier(plan.classifier, model, f);
}

/**
 * DCI from precomputed codes and factors. Per factor, a model predicts the factor from all codes; its
 * importances form column j of R (D×K); disentanglement and completeness are entropies of R's rows and columns
 * ({@link dciFromImportanceMatrix}); informativeness is the mean train / test accuracy. Defaults are
 * disentanglement_lib's: scikit-learn `GradientBoostingClassifier()` on raw codes, entropies of R + 1e-11,
 * importance-weighted completeness. `preset: 'infogan-cr'` switches to Lasso(0.02) on z-scored codes and factors
 * with the plain-mean completeness. Synchronous, like every matrix entry; {@link dciFromCodesAsync} does the
 * same work but yields between factors, reports progress and honours an AbortSignal (and takes async estimators).
 *
 * @param train `{ codes: n×D, factors: n×K integer indices }` that the models are fitted on.
 * @param test the held-out split for `informativenessTest` (required, as in disentanglement_lib).
 * @example
 * const { disentanglement, completeness, importanceMatrix } = dciFromCodes(train, test);
 */
export function dciFromCodes(train: LabelledCodes, test: LabelledCodes, options: DciOptions = {}): DciResult {
  checkOptions(options, 'dciFromCodes');
  const plan = planDci(train, test, options, 'dciFromCodes');
  const fits: FactorFit[] = [];
  for (let j = 0; j < plan.K; j++) {
    fits.push(fitFactorSync(plan, j));
    options.onProgress?.({ stage: 'dci', done: j + 1, total: plan.K });
  }
  return finishDci(plan, fits, options);
}

/**
 * {@link dciFromCodes} for long runs: yields to the event loop and checks `signal` between factors (and, for
 * gradient boosting, between stages), reports `{ stage: 'dci', done, total: K }`, accepts estimators whose `fit`
 * returns a Promise, and uses an estimator's `fitAsync` where it has one: the default gradient boosting then grows
 * each stage's trees on the available cores (`workers`), with the same result as `dciFromCodes`.
 *
 * @example
 * const r = await dciFromCodesAsync(train, test, { onProgress: console.log, signal: controller.signal });
 */
export async function dciFromCodesAsync(train: LabelledCodes, test: LabelledCodes, options: DciOptions = {}): Promise<DciResult> {
  checkOptions(options, 'dciFromCodesAsync');
  const plan = planDci(train, test, options, 'dciFromCodesAsync');
  const fits: FactorFit[] = [];
  for (let j = 0; j < plan.K; j++) {
    throwIfAborted(options.signal);
    const f = plan.factor(j);
    if (plan.classifier) {
      const est = plan.classifier;
      const rng = plan.rootRng.fork();
      const model = est.fitAsync ? await est.fitAsync(f.trainX, f.yTrain, rng, { signal: options.signal }) : await est.fit(f.trainX, f.yTrain, rng);
      fits.push(scoreClassifier(est, model, f));
    } else fits.push(fitLassoFactor(f.trainX, f.testX, f.yTrain, f.yTest, plan.alpha));
    options.onProgress?.({ stage: 'dci', done: j + 1, total: plan.K });
    await yieldToEventLoop();
  }
  throwIfAborted(options.signal);
  return finishDci(plan, fits, options);
}

/** Options of {@link computeDci}. */
export type ComputeDciOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<DciOptions, 'onProgress' | 'signal' | 'seed'>;

/**
 * DCI on sampled data with disentanglement_lib's defaults: 10,000 train and 5,000 test points in batches of
 * 16, then {@link dciFromCodes}. Progress reports the sampling stages, then `dci` per factor.
 *
 * @example
 * const { disentanglement, completeness } = await computeDci({ dataset: dsprites(), represent: encoder, seed: 1 });
 */
export async function computeDci<Obs = TensorLike>(options: ComputeDciOptions<Obs>): Promise<DciResult> {
  checkOptions(options, 'computeDci');
  await ensureBackend();
  const { train, test } = await sampleTrainTest(options, { numTrain: 10000, numTest: 5000, batchSize: 16 }, createRng);
  if (!test) throw new DisentangleError('BAD_INPUT', 'numTest', 'DCI needs a test split');
  return dciFromCodesAsync(train, test, { ...options, onProgress: options.onProgress, signal: options.signal, seed: options.seed });
}
