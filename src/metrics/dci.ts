/**
 * DCI: disentanglement, completeness and informativeness (Eastwood & Williams 2018, "A Framework for the
 * Quantitative Evaluation of Disentangled Representations"), as disentanglement_lib's `dci.py` computes it, with
 * the InfoGAN-CR repository's Lasso variant as a preset.
 */
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { column, toRows, type Matrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import type { LabelledCodes, Preset, Progress, TensorLike } from '../core/types.js';
import { checkFactorsVary, checkOptions, checkSameWidths, numberOption, testAndOptions, type CodesAndFactors, type FactorOptions } from '../core/validate.js';
import { readFactorSplits } from '../estimators/information/discretize.js';
import { yieldToEventLoop } from '../core/batching.js';
import { gradientBoostingClassifier } from '../estimators/trees/gradientBoostingClassifier.js';
import { lasso } from '../estimators/linear/lasso.js';
import { randomForestClassifier } from '../estimators/trees/randomForest.js';
import { standardScaler } from '../estimators/linear/standardize.js';
import { accuracyScore, r2Score } from '../estimators/scores.js';
import type { ClassifierEstimator, FittedClassifier, FittedRegressor, RegressorEstimator } from '../estimators/types.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTestMatrices, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';
import { DCI_CONVENTIONS, scoreImportances, scoreSettings, type DciScoreOptions, type DciScores, type ScoreSettings } from './dciScores.js';

export { dciFromImportanceMatrix, type DciScoreOptions, type DciScores } from './dciScores.js';

/** Where the entropy conventions and defaults come from: the library's one {@link Preset}, under DCI's first name for it. */
export type DciPreset = Preset;

/** Options of {@link dciFromCodes}. */
export interface DciOptions extends DciScoreOptions, FactorOptions {
  /**
   * Importance model per factor: 'gradient-boosting' (disentanglement_lib's default, scikit-learn
   * `GradientBoostingClassifier()`), 'random-forest', 'lasso' (InfoGAN-CR: Lasso(α) on z-scored codes and factors;
   * the 'infogan-cr' preset's default), any {@link ClassifierEstimator} that reports `featureImportances`, or any
   * {@link RegressorEstimator} (such as `lasso({ alpha })`), which is fitted like the 'lasso' variant: on z-scored
   * codes and z-scored factor, importances |featureImportances| (or |coef|), informativeness R².
   */
  estimator?: 'gradient-boosting' | 'random-forest' | 'lasso' | ClassifierEstimator | RegressorEstimator;
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

const OPTION_NAMES = Object.keys({
  completenessWeighting: 0,
  preset: 0,
  estimator: 0,
  lassoAlpha: 0,
  seed: 0,
  workers: 0,
  onProgress: 0,
  signal: 0,
} satisfies Record<Exclude<keyof DciOptions, keyof FactorOptions>, 0>);
/** The matrix entries' names: the sampling entry draws factor indices and has nothing to discretize. */
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];

/** Result of {@link dciFromCodes} / {@link computeDci}. */
export interface DciResult extends DciScores {
  /** The headline number, equal to `disentanglement`. */
  score: number;
  /**
   * Mean over factors of the train accuracy (classifiers, as disentanglement_lib) or of R² on the z-scored
   * factor (the 'lasso' estimator and other regressors).
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

/** One factor's importances (column j of R) and informativeness on both splits. */
interface FactorFit {
  importance: Float64Array;
  train: number;
  test: number;
}

/** The per-factor model: a classifier on the raw codes, or a regressor on z-scored codes and factor. */
type FactorModel = { kind: 'classifier'; est: ClassifierEstimator } | { kind: 'regressor'; est: RegressorEstimator };

/** Everything DCI checks and derives before fitting, read once. */
interface DciPlan {
  D: number;
  K: number;
  settings: ScoreSettings;
  model: FactorModel;
  /** Parent of the per-factor streams. */
  rng: Rng;
  trainX: Matrix;
  testX: Matrix;
  train: CodesAndFactors;
  test: CodesAndFactors;
}

function factorModel(options: DciOptions, preset: Preset): FactorModel {
  const estimator = options.estimator ?? DCI_CONVENTIONS[preset].estimator;
  const alpha = numberOption(options.lassoAlpha, 'lassoAlpha', 0.02, 0);
  if (estimator === 'lasso') return { kind: 'regressor', est: lasso({ alpha }) };
  if (estimator === 'gradient-boosting') return { kind: 'classifier', est: gradientBoostingClassifier({ workers: options.workers }) };
  if (estimator === 'random-forest') return { kind: 'classifier', est: randomForestClassifier() };
  if (typeof estimator === 'string') {
    throw new DisentangleError('BAD_OPTION', 'estimator', `expected 'gradient-boosting', 'random-forest', 'lasso', a ClassifierEstimator or a RegressorEstimator, got '${estimator}'`);
  }
  if (!estimator || typeof estimator.fit !== 'function') throw new DisentangleError('BAD_OPTION', 'estimator', 'expected a name or an object with fit(x, y, rng)');
  return estimator.kind === 'regressor' ? { kind: 'regressor', est: estimator } : { kind: 'classifier', est: estimator };
}

/** Reads DCI's options for checked splits (`train.factors` must vary, as every metric over factors asks). */
function planDci(train: CodesAndFactors, test: CodesAndFactors, options: DciOptions, rng: Rng, fn: string): DciPlan {
  checkSameWidths(train, test, fn);
  checkFactorsVary(train.factors, 'train.factors', fn);
  const settings = scoreSettings(options);
  const model = factorModel(options, settings.preset);
  // Regressors see codes z-scored with the train split's statistics (InfoGAN-CR's Lasso variant).
  const scaler = model.kind === 'regressor' ? standardScaler(train.codes) : undefined;
  const trainX = scaler ? scaler.transform(train.codes) : train.codes;
  const testX = scaler ? scaler.transform(test.codes) : test.codes;
  return { D: train.codes.cols, K: train.factors.cols, settings, model, rng, trainX, testX, train, test };
}

function importancesOf(name: string, model: FittedClassifier | FittedRegressor, cols: number): Float64Array {
  const imp = model.featureImportances ?? (model as FittedRegressor).coef;
  if (!imp || imp.length !== cols) {
    throw new DisentangleError('BAD_OPTION', 'estimator', `'${name}' must return featureImportances with one entry per code dim`);
  }
  return Float64Array.from(imp, Math.abs);
}

/**
 * Fits and scores factor j: the one place that knows the classifier and regressor routes. Synchronous when the
 * estimator is; `run` selects an estimator's `fitAsync` (the async entries) and hands it the signal.
 */
function fitFactor(plan: DciPlan, j: number, run?: { signal?: AbortSignal }): FactorFit | Promise<FactorFit> {
  const { model, trainX, testX } = plan;
  const yTrain = column(plan.train.factors, j);
  const yTest = column(plan.test.factors, j);
  const rng = plan.rng.fork();
  if (model.kind === 'classifier') {
    const { est } = model;
    const fitted = run && est.fitAsync ? est.fitAsync(trainX, yTrain, rng, run) : est.fit(trainX, yTrain, rng);
    return then(fitted, (m) => ({
      importance: importancesOf(est.name, m, trainX.cols),
      train: accuracyScore(m.predict(trainX), yTrain),
      test: accuracyScore(m.predict(testX), yTest),
    }));
  }
  // The factor is z-scored with its train statistics too, so R² is on the InfoGAN-CR scale.
  const scaler = standardScaler({ data: Float64Array.from(yTrain), rows: yTrain.length, cols: 1 });
  const zTrain = scaler.transform({ data: Float64Array.from(yTrain), rows: yTrain.length, cols: 1 }).data;
  const zTest = scaler.transform({ data: Float64Array.from(yTest), rows: yTest.length, cols: 1 }).data;
  return then(model.est.fit(trainX, zTrain, rng), (m) => ({
    importance: importancesOf(model.est.name, m, trainX.cols),
    train: r2Score(m.predict(trainX), zTrain),
    test: r2Score(m.predict(testX), zTest),
  }));
}

/** `f(value)`: now for a value, once it settles for a promise (or any thenable an estimator returns). */
function then<T, R>(value: T | PromiseLike<T>, f: (v: T) => R): R | Promise<R> {
  const thenable = value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
  return thenable ? Promise.resolve(value).then(f) : f(value as T);
}

function finishDci(plan: DciPlan, fits: FactorFit[]): DciResult {
  const { D, K } = plan;
  const R = new Float64Array(D * K);
  fits.forEach((fit, j) => {
    for (let i = 0; i < D; i++) R[i * K + j] = fit.importance[i];
  });
  const importance = { data: R, rows: D, cols: K };
  const scores = scoreImportances(importance, plan.settings, 'estimator');
  const perTrain = fits.map((f) => f.train);
  const perTest = fits.map((f) => f.test);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    ...scores,
    score: scores.disentanglement,
    informativenessTrain: mean(perTrain),
    informativenessTest: mean(perTest),
    importanceMatrix: toRows(importance),
    informativenessPerFactorTrain: perTrain,
    informativenessPerFactorTest: perTest,
  };
}

/** The splits and options of a matrix entry, read and checked (the test split is required). */
function readEntry(train: LabelledCodes, second: unknown, third: DciOptions | undefined, fn: string): { plan: DciPlan; options: DciOptions } {
  const { test, options } = testAndOptions<DciOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  if (test === undefined) throw new DisentangleError('BAD_INPUT', `test (in ${fn})`, `is missing; DCI needs a test split for informativenessTest: ${fn}(train, test, options)`);
  const [tr, te] = readFactorSplits([[train, 'train'], [test, 'test']], fn, options.factorDiscretizer) as CodesAndFactors[];
  return { plan: planDci(tr, te, options, createRng(numberOption(options.seed, 'seed', 0)), fn), options };
}

/** The async driver: factor by factor, yielding and checking the signal in between. */
async function runDci(plan: DciPlan, options: DciOptions): Promise<DciResult> {
  const fits: FactorFit[] = [];
  for (let j = 0; j < plan.K; j++) {
    throwIfAborted(options.signal);
    fits.push(await fitFactor(plan, j, { signal: options.signal }));
    options.onProgress?.({ stage: 'dci', done: j + 1, total: plan.K });
    await yieldToEventLoop();
  }
  throwIfAborted(options.signal);
  return finishDci(plan, fits);
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
 * Measured (float) factor values need `factorDiscretizer`: a number of equal-width bins per factor (train and
 * test rows binned together, so a bin is the same class in both) or a function from a column of values to
 * indices; without it a non-integer factor is `BAD_INPUT`.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values with factorDiscretizer }` that the models
 * are fitted on.
 * @param test the held-out split for `informativenessTest` (required, as in disentanglement_lib).
 * @example
 * const { disentanglement, completeness, importanceMatrix } = dciFromCodes(train, test);
 */
export function dciFromCodes(train: LabelledCodes, test: LabelledCodes, options?: DciOptions): DciResult {
  const { plan, options: opts } = readEntry(train, test, options, 'dciFromCodes');
  const fits: FactorFit[] = [];
  for (let j = 0; j < plan.K; j++) {
    const fit = fitFactor(plan, j);
    if (fit instanceof Promise) {
      fit.catch(() => undefined); // refused below; its outcome is of no interest
      throw new DisentangleError('BAD_OPTION', 'estimator', `'${plan.model.est.name}' fits asynchronously; use dciFromCodesAsync (or computeDci) with it`);
    }
    fits.push(fit);
    opts.onProgress?.({ stage: 'dci', done: j + 1, total: plan.K });
  }
  return finishDci(plan, fits);
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
export async function dciFromCodesAsync(train: LabelledCodes, test: LabelledCodes, options?: DciOptions): Promise<DciResult> {
  const { plan, options: opts } = readEntry(train, test, options, 'dciFromCodesAsync');
  return runDci(plan, opts);
}

/** Options of {@link computeDci}. */
export type ComputeDciOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<DciOptions, 'onProgress' | 'signal' | 'seed' | keyof FactorOptions>;

const COMPUTE_OPTION_NAMES = [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES];

/**
 * DCI on sampled data with disentanglement_lib's defaults: 10,000 train and 5,000 test points in batches of
 * 16, then {@link dciFromCodes}. Progress reports the sampling stages, then `dci` per factor.
 *
 * @example
 * const { disentanglement, completeness } = await computeDci({ dataset: dsprites(), represent: encoder, seed: 1 });
 */
export async function computeDci<Obs = TensorLike>(options: ComputeDciOptions<Obs>): Promise<DciResult> {
  checkOptions(options, 'computeDci', COMPUTE_OPTION_NAMES);
  await ensureBackend();
  // The estimators get the seed's third stream, apart from the train and test samplers' two.
  const { train, test, rng } = await sampleTrainTestMatrices(options, { numTrain: 10000, numTest: 5000, batchSize: 16 });
  const plan = planDci(train, test as CodesAndFactors, options, rng, 'computeDci'); // numTest has a default ≥ 1
  return runDci(plan, options);
}
