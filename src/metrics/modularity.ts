/**
 * Modularity (Ridgeway & Mozer 2018, "Learning Deep Disentangled Embeddings with the F-Statistic Loss"), as
 * disentanglement_lib's `modularity_explicitness.py` computes it from discretized codes.
 */
import { DisentangleError } from '../core/errors.js';
import { toRows, type Matrix } from '../core/matrix.js';
import { createRng } from '../core/rng.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { intOption, checkOptions, checkFactorsVary, testAndOptions, type FactorOptions } from '../core/validate.js';
import { readFactorSplits } from '../estimators/information/discretize.js';
import { discretizedMutualInformation } from '../estimators/information/codeFactorInformation.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link modularityFromCodes}. */
export interface ModularityOptions extends FactorOptions {
  /** Equal-width bins per code dim, default 20. */
  numBins?: number;
}

/** Result of {@link modularityFromCodes} / {@link computeModularity}. */
export interface ModularityResult {
  /** Mean of the per-code modularity, in [0, 1]. */
  score: number;
  /** m_i per code dim (0 for a code with no information about any factor). */
  perCode: number[];
  /** D×K mutual information (nats) the score was computed from. */
  mutualInformation: number[][];
}

const OPTION_NAMES = Object.keys({ numBins: 0 } satisfies Record<Exclude<keyof ModularityOptions, keyof FactorOptions>, 0>);
/** The matrix entry's names: the sampling entry draws factor indices and has nothing to discretize. */
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];

/**
 * Modularity of a D×K mutual-information matrix: for code i, θ_i = max_j MI_ij and
 * m_i = 1 − (Σ_j MI_ij² − θ_i²) / (θ_i² (K − 1)); the score is the mean of m_i. As in disentanglement_lib,
 * a code with θ_i = 0 counts as m_i = 0. With a single factor (K = 1) every informative code is trivially
 * modular: m_i = 1 (disentanglement_lib divides 0 by 0 there).
 *
 * @example
 * modularityFromMutualInformation({ data: Float64Array.of(1, 0, 0, 1, 0, 0), rows: 3, cols: 2 }).score // 2/3
 */
export function modularityFromMutualInformation(mi: Matrix): { score: number; perCode: number[] } {
  const { rows: D, cols: K, data } = mi;
  if (D === 0 || K === 0) throw new DisentangleError('EMPTY', 'mutualInformation', `has shape ${D}×${K}`);
  const perCode: number[] = [];
  for (let i = 0; i < D; i++) {
    let sumSq = 0;
    let maxSq = 0;
    for (let j = 0; j < K; j++) {
      const v = data[i * K + j];
      if (!Number.isFinite(v) || v < 0) throw new DisentangleError('BAD_INPUT', 'mutualInformation', `entry [${i}][${j}] is ${v}; mutual information is finite and ≥ 0`);
      const sq = v * v;
      sumSq += sq;
      if (sq > maxSq) maxSq = sq;
    }
    if (maxSq === 0) perCode.push(0);
    else if (K === 1) perCode.push(1);
    else perCode.push(1 - (sumSq - maxSq) / (maxSq * (K - 1)));
  }
  return { score: perCode.reduce((a, b) => a + b, 0) / D, perCode };
}

/**
 * Modularity from precomputed codes and factors: each code is discretized into 20 equal-width bins, its
 * mutual information with every factor is taken, and the score rewards codes whose information is
 * concentrated on one factor. Range [0, 1]; duplicated codes are not penalised. A factor that takes a single
 * value is `BAD_INPUT` (as in every metric over codes and factors): it would only add a zero column, which
 * raises the score through the K − 1 in the denominator.
 *
 * Modularity is computed on the training split alone (as disentanglement_lib): a `test` split, accepted so every
 * matrix entry has the same `(train, test?, options?)` form, is ignored. Options may also come second.
 *
 * Measured (float) factor values need `factorDiscretizer`: a number of equal-width bins per factor (as the codes
 * are binned) or a function from a column of values to indices; without it a non-integer factor is `BAD_INPUT`.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values with factorDiscretizer }`.
 * @param options `numBins` (default 20), `factorDiscretizer`; an unknown name is `BAD_OPTION`.
 * @example
 * const { score, perCode } = modularityFromCodes({ codes, factors }, { numBins: 20 });
 */
export function modularityFromCodes(train: LabelledCodes, options?: ModularityOptions): ModularityResult;
/** {@link modularityFromCodes} with a held-out split, which modularity ignores (it scores `train`). */
export function modularityFromCodes(train: LabelledCodes, test: LabelledCodes | undefined, options?: ModularityOptions): ModularityResult;
export function modularityFromCodes(train: LabelledCodes, second?: LabelledCodes | ModularityOptions, third?: ModularityOptions): ModularityResult {
  const fn = 'modularityFromCodes';
  const { options } = testAndOptions<ModularityOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  return modularity(train, options, fn);
}

function modularity(train: LabelledCodes, options: ModularityOptions, fn: string): ModularityResult {
  const { codes, factors } = readFactorSplits([[train, 'train']], fn, options.factorDiscretizer)[0]!;
  checkFactorsVary(factors, 'train.factors', fn);
  const numBins = intOption(options.numBins, 'numBins', 20);
  const info = discretizedMutualInformation(codes, factors, numBins);
  const mi: Matrix = { data: info.mutualInformation, rows: info.numCodes, cols: info.numFactors };
  const { score, perCode } = modularityFromMutualInformation(mi);
  return { score, perCode, mutualInformation: toRows(mi) };
}

/** Options of {@link computeModularity}. */
export type ComputeModularityOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<ModularityOptions, keyof FactorOptions>;

/**
 * Modularity on `numTrain` sampled points (default 10,000, batch 16, as disentanglement_lib).
 *
 * @example
 * const { score } = await computeModularity({ dataset: dsprites(), represent: encoder });
 */
export async function computeModularity<Obs = TensorLike>(options: ComputeModularityOptions<Obs>): Promise<ModularityResult> {
  checkOptions(options, 'computeModularity', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES]);
  await ensureBackend();
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  return modularity(train, options, 'modularityFromCodes');
}
