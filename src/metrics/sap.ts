/**
 * SAP score, Separated Attribute Predictability (Kumar, Sattigeri & Balakrishnan 2018, "Variational Inference of
 * Disentangled Latent Concepts from Unlabeled Observations"), as disentanglement_lib's `sap_score.py` computes it,
 * plus the InfoGAN-CR repository's variant.
 */
import { DisentangleError } from '../core/errors.js';
import { column, type IntMatrix, type Matrix } from '../core/matrix.js';
import { createRng } from '../core/rng.js';
import type { LabelledCodes, Preset, TensorLike } from '../core/types.js';
import {
  checkFactorsVary,
  checkSameWidths,
  factorDiscretizerOption,
  numberOption,
  presetOption,
  readLabelledValues,
  testAndOptions,
  checkOptions,
  type CodesAndFactorValues,
  type FactorOptions,
} from '../core/validate.js';
import { factorIndices } from '../estimators/information/discretize.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { fitSingleFeatureSvc, sortFeature } from '../estimators/linear/singleFeatureSvm.js';
import { centredSums } from '../estimators/rankCorrelation.js';
import { accuracyScore } from '../estimators/scores.js';
import { topTwoGap } from '../estimators/topTwoGap.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link sapFromCodes}. */
export interface SapOptions extends FactorOptions {
  /**
   * Which factors are continuous (squared correlation) rather than discrete (linear SVM accuracy): one flag for
   * all, or one per factor. Default false (disentanglement_lib); `preset: 'infogan-cr'` defaults to
   * [false, true, true, true, true] (dSprites: shape discrete, the rest continuous).
   */
  continuousFactors?: boolean | readonly boolean[];
  /** 'disentanglement_lib' (default) or 'infogan-cr' (see {@link sapFromCodes}). */
  preset?: Preset;
  /** Inverse regularization of the discrete-factor SVM (default 0.01, as both references). */
  C?: number;
}

/** Result of {@link sapFromCodes} / {@link computeSap}. */
export interface SapResult {
  /** Mean over factors of (best − second-best) code score, in [0, 1]. */
  score: number;
  /** D×K: per code and factor, the SVM accuracy (discrete) or squared correlation (continuous). */
  scoreMatrix: number[][];
  /** Per-factor gap between the two best codes. */
  perFactor: number[];
  /** The flag used for each factor. */
  continuousFactors: boolean[];
  preset: Preset;
}

const DSPRITES_ICR_FLAGS = [false, true, true, true, true];
const OPTION_NAMES = Object.keys({ continuousFactors: 0, preset: 0, C: 0 } satisfies Record<Exclude<keyof SapOptions, keyof FactorOptions>, 0>);
/** The matrix entry's names: the sampling entry draws factor indices and has nothing to discretize. */
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];

/**
 * SAP from precomputed codes and factors. For every code i and factor j a score S_ij says how well code i
 * alone predicts factor j; SAP is the mean over factors of the gap between the best and the second-best code.
 * Discrete factor: accuracy of `LinearSVC(C = 0.01, class_weight = 'balanced')` fitted on the single code
 * (solved exactly, see `fitSingleFeatureSvc`). Continuous factor: squared Pearson correlation, 0 for a code
 * whose variance is ≤ 1e-12. Needs at least 2 code dims.
 *
 * disentanglement_lib (default): SVMs are fitted on `train` and scored on `test` (required when any factor is
 * discrete); correlations use `train` only.
 * `preset: 'infogan-cr'`: SVMs are fitted and scored on `train` (`test` is ignored); continuous factors use the
 * plain squared correlation without the 1e-12 guard. Where that repository divides 0 by 0 for a constant code
 * (NaN, which then makes the whole score NaN), we return 0 for that entry: a constant code predicts nothing.
 *
 * The options may come second when there is no test split: `sapFromCodes(points, { preset: 'infogan-cr' })`.
 *
 * Continuous factors are scored on their values, floats included. Measured (float) values of a discrete factor
 * need `factorDiscretizer`: a number of equal-width bins (train and test rows binned together) or a function
 * from a column of values to indices; without it a non-integer discrete factor is `BAD_INPUT`. The discretizer
 * never touches the continuous factors.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values (continuous / with factorDiscretizer) }`.
 * @param test held-out split with the same widths (discrete factors, disentanglement_lib preset).
 * @param options `continuousFactors`, `preset`, `C`, `factorDiscretizer`; an unknown name is `BAD_OPTION`.
 * @example
 * const { score, scoreMatrix } = sapFromCodes(train, test);
 * const icr = sapFromCodes(points, { preset: 'infogan-cr' });
 */
export function sapFromCodes(train: LabelledCodes, test?: LabelledCodes, options?: SapOptions): SapResult;
/** {@link sapFromCodes} without a test split (the infogan-cr preset, or only continuous factors). */
export function sapFromCodes(train: LabelledCodes, options?: SapOptions): SapResult;
export function sapFromCodes(train: LabelledCodes, second?: LabelledCodes | SapOptions, third?: SapOptions): SapResult {
  const fn = 'sapFromCodes';
  const { test, options } = testAndOptions<SapOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  return sap(train, test, options, presetOption(options.preset), fn);
}

function sap(train: LabelledCodes, test: LabelledCodes | undefined, options: SapOptions, preset: Preset, fn: string): SapResult {
  const C = numberOption(options.C, 'C', 0.01, Number.MIN_VALUE);
  const discretizer = factorDiscretizerOption(options.factorDiscretizer);
  const tr = readLabelledValues(train, 'train', fn);
  const numCodes = tr.codes.cols;
  const numFactors = tr.factors.cols;
  if (numCodes < 2) throw new DisentangleError('BAD_INPUT', `train.codes (in ${fn})`, `SAP compares the two best codes per factor and needs at least 2 code dims, got ${numCodes}`);
  if (tr.codes.rows < 2) throw new DisentangleError('EMPTY', `train (in ${fn})`, 'needs at least 2 samples');
  const flags = continuousFlags(options.continuousFactors, preset, numFactors);
  checkFactorsVary(tr.factors, 'train.factors', fn);

  const heldOut = preset === 'disentanglement_lib' && flags.some((c) => !c);
  let te: CodesAndFactorValues = tr;
  if (heldOut) {
    if (test === undefined) {
      throw new DisentangleError('BAD_INPUT', `test (in ${fn})`, 'is required: discrete factors are scored on a held-out split (pass { codes, factors })');
    }
    te = readLabelledValues(test, 'test', fn);
    checkSameWidths(tr, te, fn);
  }
  // Discrete factors become indices (train and test binned together); continuous ones keep their values.
  const indices = factorIndices(te === tr ? [tr] : [tr, te], ['train', 'test'], fn, discretizer, flags);
  if (typeof discretizer === 'function') checkFactorsVary(indices[0], 'train.factors', fn, flags);
  const splits: ScoredSplit[] = indices.map((factors, k) => ({ codes: (k === 0 ? tr : te).codes, factors, values: (k === 0 ? tr : te).factors }));
  const matrix = scoreMatrix(splits[0], splits[splits.length - 1], flags, C, preset === 'disentanglement_lib' ? 1e-12 : 0);
  const flat = Float64Array.from(matrix.flat());
  const perFactor = Array.from({ length: numFactors }, (_, j) => topTwoGap(flat, numCodes, numFactors, j));
  return {
    score: perFactor.reduce((a, b) => a + b, 0) / numFactors,
    scoreMatrix: matrix,
    perFactor,
    continuousFactors: flags,
    preset,
  };
}

function continuousFlags(value: SapOptions['continuousFactors'], preset: Preset, k: number): boolean[] {
  if (value === undefined) {
    if (preset === 'disentanglement_lib') return new Array<boolean>(k).fill(false);
    if (k !== DSPRITES_ICR_FLAGS.length) {
      throw new DisentangleError('BAD_OPTION', 'continuousFactors', `the infogan-cr preset's default flags are for dSprites' 5 factors; pass one flag per factor for ${k} factors`);
    }
    return [...DSPRITES_ICR_FLAGS];
  }
  if (typeof value === 'boolean') return new Array<boolean>(k).fill(value);
  if (!Array.isArray(value) || value.length !== k || value.some((v) => typeof v !== 'boolean')) {
    throw new DisentangleError('BAD_OPTION', 'continuousFactors', `expected a boolean or ${k} booleans (one per factor)`);
  }
  return [...value];
}

/** A split as SAP scores it: discrete factors as indices, continuous ones as their values. */
interface ScoredSplit {
  codes: Matrix;
  factors: IntMatrix;
  values: Matrix;
}

function scoreMatrix(tr: ScoredSplit, te: ScoredSplit, continuous: boolean[], C: number, varianceFloor: number): number[][] {
  const d = tr.codes.cols;
  const k = tr.factors.cols;
  const out = Array.from({ length: d }, () => new Array<number>(k).fill(0));
  const trainFactors = Array.from({ length: k }, (_, j) => column(tr.factors, j));
  const trainValues = Array.from({ length: k }, (_, j) => (continuous[j] ? column(tr.values, j) : new Float64Array(0)));
  const testFactors = Array.from({ length: k }, (_, j) => column(te.factors, j));
  for (let i = 0; i < d; i++) {
    const z = column(tr.codes, i);
    const zTest: Matrix = { data: column(te.codes, i), rows: te.codes.rows, cols: 1 };
    const sorted = continuous.every(Boolean) ? undefined : sortFeature(z);
    for (let j = 0; j < k; j++) {
      if (continuous[j]) {
        out[i][j] = squaredCorrelation(z, trainValues[j], varianceFloor);
      } else {
        const svm = fitSingleFeatureSvc(sorted!, trainFactors[j], { C, classWeight: 'balanced' });
        out[i][j] = accuracyScore(svm.predict(zTest), testFactors[j]);
      }
    }
  }
  return out;
}

/** cov(z, y)² / (var z · var y) with ddof 1 (which cancels); 0 when var z ≤ floor (or is exactly 0). */
function squaredCorrelation(z: Float64Array, y: Float64Array, floor: number): number {
  const n = z.length;
  const { sab: szy, saa: szz, sbb: syy } = centredSums(z, y);
  const varZ = szz / (n - 1);
  if (!(varZ > floor)) return 0;
  return (szy / (n - 1)) ** 2 / (varZ * (syy / (n - 1)));
}

/** Options of {@link computeSap}. */
export type ComputeSapOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<SapOptions, keyof FactorOptions>;

/**
 * SAP on sampled codes: `numTrain` = 10,000 and `numTest` = 5,000 points drawn in batches of 16
 * (disentanglement_lib's gin defaults), then {@link sapFromCodes}.
 *
 * @example
 * const { score } = await computeSap({ dataset: dsprites(), represent: encoder, seed: 0 });
 */
export async function computeSap<Obs = TensorLike>(options: ComputeSapOptions<Obs>): Promise<SapResult> {
  checkOptions(options, 'computeSap', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES]);
  const preset = presetOption(options.preset);
  await ensureBackend();
  // The infogan-cr preset fits and scores on one sample, so it draws no test split.
  const sizes = preset === 'infogan-cr' ? { numTrain: 10000, batchSize: 16 } : { numTrain: 10000, numTest: 5000, batchSize: 16 };
  const { train, test } = await sampleTrainTest(options, sizes, createRng);
  return sap(train, test, options, preset, 'sapFromCodes');
}
