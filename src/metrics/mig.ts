/**
 * Mutual Information Gap (Chen et al. 2018, "Isolating Sources of Disentanglement in VAEs"), with the discrete
 * estimator of disentanglement_lib's `mig.py`.
 */
import { DisentangleError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { intOption, checkOptions, testAndOptions, type FactorOptions } from '../core/validate.js';
import { readFactorSplits } from '../estimators/information/discretize.js';
import { toRows } from '../core/matrix.js';
import { discretizedMutualInformation, requireVaryingFactors } from '../estimators/information/codeFactorInformation.js';
import { topTwoGap } from '../estimators/topTwoGap.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link migFromCodes}. */
export interface MigOptions extends FactorOptions {
  /** Equal-width bins per code dim, default 20. */
  numBins?: number;
}

/** Result of {@link migFromCodes} / {@link computeMig}. */
export interface MigResult {
  /** Mean over factors of the normalised gap, in [0, 1]. */
  score: number;
  /** (I_(1) − I_(2)) / H per factor. */
  perFactor: number[];
  /** D×K mutual information (nats) between discretized codes and factors. */
  mutualInformation: number[][];
  /** H(factor_j) in nats. */
  factorEntropy: number[];
}

const OPTION_NAMES = Object.keys({ numBins: 0 } satisfies Record<Exclude<keyof MigOptions, keyof FactorOptions>, 0>);
/** The matrix entry's names: the sampling entry draws factor indices and has nothing to discretize. */
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];

/**
 * MIG from precomputed codes and factors: discretize each code into 20 equal-width bins, take the D×K mutual
 * information with the factors, and average over factors the gap between the two most informative codes
 * divided by the factor's entropy. Range [0, 1]; 1 = each factor captured by exactly one code.
 *
 * MIG is computed on the training split alone (as disentanglement_lib): a `test` split, accepted so every matrix
 * entry has the same `(train, test?, options?)` form, is ignored. Options may also come second:
 * `migFromCodes(train, { numBins })`.
 *
 * A factor that takes one value has entropy 0 and makes the ratio undefined (disentanglement_lib returns
 * NaN); we throw `BAD_INPUT` naming `train.factors` instead. At least two code dims are needed for a gap.
 *
 * Measured (float) factor values need `factorDiscretizer`: a number of equal-width bins per factor (as the codes
 * are binned) or a function from a column of values to indices; without it a non-integer factor is `BAD_INPUT`.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values with factorDiscretizer }`.
 * @param options `numBins` (default 20), `factorDiscretizer`; an unknown name is `BAD_OPTION`.
 * @example
 * // code 0 tracks the factor, code 1 is noise: MIG = 1
 * const codes = [[0, 1], [0, 2], [0.5, 1], [0.5, 2], [1, 1], [1, 2]];
 * const { score } = migFromCodes({ codes, factors: [[0], [0], [1], [1], [2], [2]] }); // 1
 */
export function migFromCodes(train: LabelledCodes, options?: MigOptions): MigResult;
/** {@link migFromCodes} with a held-out split, which MIG ignores (it scores `train`). */
export function migFromCodes(train: LabelledCodes, test: LabelledCodes | undefined, options?: MigOptions): MigResult;
export function migFromCodes(train: LabelledCodes, second?: LabelledCodes | MigOptions, third?: MigOptions): MigResult {
  const fn = 'migFromCodes';
  const { options } = testAndOptions<MigOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  return mig(train, options, fn);
}

function mig(train: LabelledCodes, options: MigOptions, fn: string): MigResult {
  const { codes, factors } = readFactorSplits([[train, 'train']], fn, options.factorDiscretizer)[0]!;
  const numBins = intOption(options.numBins, 'numBins', 20);
  if (codes.cols < 2) {
    throw new DisentangleError('SHAPE_MISMATCH', `train.codes (in ${fn})`, `has ${codes.cols} code dim; the gap between the two most informative codes needs at least 2`);
  }
  const info = discretizedMutualInformation(codes, factors, numBins);
  requireVaryingFactors(info.factorEntropy, `train.factors (in ${fn})`);
  const perFactor = Array.from(info.factorEntropy, (h, j) => topTwoGap(info.mutualInformation, info.numCodes, info.numFactors, j) / h);
  return {
    score: mean(perFactor),
    perFactor,
    mutualInformation: toRows({ data: info.mutualInformation, rows: info.numCodes, cols: info.numFactors }),
    factorEntropy: Array.from(info.factorEntropy),
  };
}

/** Options of {@link computeMig}: the sampling options plus {@link MigOptions}. */
export type ComputeMigOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<MigOptions, keyof FactorOptions>;

/**
 * MIG on `numTrain` points (default 10,000, batch 16, as disentanglement_lib) drawn from `dataset` and
 * encoded by `represent`.
 *
 * @example
 * const { score } = await computeMig({ dataset: dsprites(), represent: encoder, seed: 0 });
 */
export async function computeMig<Obs = TensorLike>(options: ComputeMigOptions<Obs>): Promise<MigResult> {
  checkOptions(options, 'computeMig', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES]);
  await ensureBackend();
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  return mig(train, options, 'migFromCodes');
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
