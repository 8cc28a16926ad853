/**
 * Explicitness (Ridgeway & Zemel 2018, "Learning Deep Disentangled Embeddings with the F-Statistic Loss"), as
 * disentanglement_lib's `modularity_explicitness.py` computes it, plus the InfoGAN-CR repository's variant.
 */
import { createYielder, runSteps, runStepsAsync, type Steps } from '../core/batching.js';
import { DisentangleError } from '../core/errors.js';
import { column, type Matrix } from '../core/matrix.js';
import { createRng } from '../core/rng.js';
import type { LabelledCodes, Preset, TensorLike } from '../core/types.js';
import { checkFactorsVary, numberOption, presetOption, testAndOptions, checkOptions, type CodesAndFactors, type FactorOptions } from '../core/validate.js';
import { readFactorSplits } from '../estimators/information/discretize.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { fitLogisticRegression } from '../estimators/linear/logisticRegression.js';
import { rocAucOneVsRestMacro } from '../estimators/rocAuc.js';
import { standardScaler } from '../estimators/linear/standardize.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link explicitnessFromCodes}. */
export interface ExplicitnessOptions extends FactorOptions {
  /** 'disentanglement_lib' (default): z-scored codes, train and test AUC; 'infogan-cr': raw codes, training AUC. */
  preset?: Preset;
  /** Inverse L2 strength of the logistic regression (default 1, scikit-learn's default). */
  C?: number;
  /**
   * Gradient tolerance of the logistic-regression solver (default 1e-8, `fitLogisticRegression`'s: on the benchmark
   * shape the AUCs are then within 5e-8 of the exact optimum's; see docs/estimators.md).
   */
  tol?: number;
}

/** Result of {@link explicitnessFromCodes} / {@link computeExplicitness}. */
export interface ExplicitnessResult {
  /** Mean over factors of the training-split macro ROC-AUC. */
  scoreTrain: number;
  /** Mean over factors of the test-split macro ROC-AUC; NaN when no test split was given (infogan-cr preset). */
  scoreTest: number;
  perFactorTrain: number[];
  perFactorTest: number[];
  /**
   * The headline: the number each reference reports, `scoreTest` (disentanglement_lib, the default) or
   * `scoreTrain` (infogan-cr, which has no held-out split).
   */
  score: number;
  preset: Preset;
}

const OPTION_NAMES = Object.keys({ preset: 0, C: 0, tol: 0 } satisfies Record<Exclude<keyof ExplicitnessOptions, keyof FactorOptions>, 0>);
/** The matrix entry's names: the sampling entry draws factor indices and has nothing to discretize. */
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];

/**
 * Explicitness from precomputed codes and factors: per factor, a multinomial L2 logistic regression
 * (scikit-learn `LogisticRegression()`, C = 1, solved to convergence) predicts the factor from all codes, and
 * its predicted probabilities are scored by macro one-vs-rest ROC-AUC; explicitness is the mean over factors.
 * Range [0, 1]: 0.5 is chance, 1 perfect.
 *
 * disentanglement_lib (default): codes are z-scored with the training mean and population std and the same
 * transform is applied to `test` (required). Two guards where the reference breaks:
 * - a constant code has std 0, which the reference divides by (NaN, then scikit-learn raises); we leave it
 *   unscaled (StandardScaler semantics), i.e. it becomes a zero column that carries no information;
 * - the reference one-hot encodes train and test labels separately, which misaligns columns when a class is
 *   missing from the test split (or raises); we fix the class list from training, count test labels unseen in
 *   training as negatives for every class, and leave classes with no test positives out of the test mean.
 * `preset: 'infogan-cr'`: raw codes, fitted and scored on `train` (`score` = `scoreTrain`); a `test` split, if
 * given, is scored with the same model. Without a test split the options may come second:
 * `explicitnessFromCodes(train, { preset: 'infogan-cr' })`.
 *
 * Measured (float) factor values need `factorDiscretizer`: a number of equal-width bins per factor (train and
 * test rows binned together, so a bin is the same class in both) or a function from a column of values to
 * indices; without it a non-integer factor is `BAD_INPUT`.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values with factorDiscretizer }`.
 * @param test held-out split with the same widths.
 * @param options `preset`, `C`, `tol`, `factorDiscretizer`; an unknown name is `BAD_OPTION`.
 * @example
 * const { score, scoreTest, perFactorTest } = explicitnessFromCodes(train, test); // score === scoreTest
 */
export function explicitnessFromCodes(train: LabelledCodes, test?: LabelledCodes, options?: ExplicitnessOptions): ExplicitnessResult;
/** {@link explicitnessFromCodes} without a test split (the infogan-cr preset). */
export function explicitnessFromCodes(train: LabelledCodes, options?: ExplicitnessOptions): ExplicitnessResult;
export function explicitnessFromCodes(train: LabelledCodes, second?: LabelledCodes | ExplicitnessOptions, third?: ExplicitnessOptions): ExplicitnessResult {
  const fn = 'explicitnessFromCodes';
  const { test, options } = testAndOptions<ExplicitnessOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  return runSteps(explicitnessSteps(train, test, options, presetOption(options.preset), fn));
}

/** The work of {@link explicitnessFromCodes}, pausing after each factor's fit (about 0.2 s each at DL's sizes). */
function* explicitnessSteps(train: LabelledCodes, test: LabelledCodes | undefined, options: ExplicitnessOptions, preset: Preset, fn: string): Steps<ExplicitnessResult> {
  const C = numberOption(options.C, 'C', 1, Number.MIN_VALUE);
  const tol = numberOption(options.tol, 'tol', 1e-8, 0);
  const [tr, te] = readFactorSplits([[train, 'train'], [test, 'test']], fn, options.factorDiscretizer) as [CodesAndFactors, CodesAndFactors?];
  if (test === undefined && preset === 'disentanglement_lib') {
    throw new DisentangleError('BAD_INPUT', `test (in ${fn})`, 'is required: disentanglement_lib scores a held-out split (or use preset: "infogan-cr")');
  }
  checkFactorsVary(tr.factors, 'train.factors', fn);

  let xTrain: Matrix = tr.codes;
  let xTest: Matrix | undefined = te?.codes;
  if (preset === 'disentanglement_lib') {
    const scaler = standardScaler(tr.codes);
    xTrain = scaler.transform(tr.codes);
    xTest = te && scaler.transform(te.codes);
  }
  const perFactorTrain: number[] = [];
  const perFactorTest: number[] = [];
  for (let j = 0; j < tr.factors.cols; j++) {
    const y = column(tr.factors, j);
    const model = fitLogisticRegression(xTrain, y, { C, tol });
    perFactorTrain.push(rocAucOneVsRestMacro(model.predictProba(xTrain), y, model.classes));
    if (te && xTest) {
      const auc = rocAucOneVsRestMacro(model.predictProba(xTest), column(te.factors, j), model.classes, { undefinedClass: 'skip' });
      perFactorTest.push(auc);
    }
    yield;
  }
  const scoreTrain = mean(perFactorTrain);
  const scoreTest = te ? mean(perFactorTest) : NaN;
  return {
    scoreTrain,
    scoreTest,
    perFactorTrain,
    perFactorTest: te ? perFactorTest : perFactorTrain.map(() => NaN),
    score: preset === 'disentanglement_lib' ? scoreTest : scoreTrain,
    preset,
  };
}

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** Options of {@link computeExplicitness}. */
export type ComputeExplicitnessOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<ExplicitnessOptions, keyof FactorOptions>;

/**
 * Explicitness on sampled codes: `numTrain` = 10,000 and `numTest` = 5,000 points in batches of 16
 * (disentanglement_lib's defaults), then {@link explicitnessFromCodes}. The infogan-cr preset draws no test split.
 *
 * @example
 * const { scoreTest } = await computeExplicitness({ dataset: dsprites(), represent: encoder, seed: 0 });
 */
export async function computeExplicitness<Obs = TensorLike>(options: ComputeExplicitnessOptions<Obs>): Promise<ExplicitnessResult> {
  checkOptions(options, 'computeExplicitness', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES]);
  const preset = presetOption(options.preset);
  await ensureBackend();
  const sizes = preset === 'infogan-cr' ? { numTrain: 10000, batchSize: 16 } : { numTrain: 10000, numTest: 5000, batchSize: 16 };
  const { train, test } = await sampleTrainTest(options, sizes, createRng);
  // The fits take about a second at these sizes: between factors the signal is checked and the event loop runs.
  return runStepsAsync(explicitnessSteps(train, test, options, preset, 'computeExplicitness'), createYielder(options.signal));
}
