/**
 * MIG-sup (Li et al. 2020, "Progressive learning and disentanglement of hierarchical representations"), the
 * "MIG over codes" compared in Carbonneau et al. 2020 ("Measuring disentanglement: a review of metrics"), with
 * the binned estimator of ubisoft-laforge-disentanglement-metrics' `mig_sup.py`.
 */
import { createRng } from '../core/rng.js';
import { toRows } from '../core/matrix.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { checkOptions, testAndOptions, type FactorOptions } from '../core/validate.js';
import { readBinnedInformation } from '../estimators/information/minMaxBins.js';
import { topTwo } from '../estimators/topTwoGap.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link migSupFromCodes}. */
export interface MigSupOptions extends FactorOptions {
  /** Equal-width bins per code dim after min-max scaling, default 10 (the reference's `nb_bins`). */
  numBins?: number;
}

/** Result of {@link migSupFromCodes} / {@link computeMigSup}. */
export interface MigSupResult {
  /** Mean over codes of the normalised gap, in [0, 1]. */
  score: number;
  /** Per code: (I_(1) − I_(2)) / H(code), the gap between its two most informative factors. */
  perCode: number[];
  /** D×K mutual information (nats) between binned codes and factors. */
  mutualInformation: number[][];
  /** H(binned code_i) in nats (0 for a constant code). */
  codeEntropy: number[];
}

const OPTION_NAMES = Object.keys({ numBins: 0 } satisfies Record<Exclude<keyof MigSupOptions, keyof FactorOptions>, 0>);
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];

/**
 * MIG-sup from precomputed codes and factors: each code is min-max scaled and cut into 10 equal-width bins;
 * for every code, the mutual information with each factor is normalised by the code's entropy, and the gap
 * between the two largest is averaged over codes:
 * `MIG-sup = 1/D Σ_i (I(z_i; v_(1)) − I(z_i; v_(2))) / H(z_i)`. Range [0, 1]; 1 = every code informs about one
 * factor only (a modularity score: it does not ask that each factor be captured).
 *
 * Computed on `train` alone (a `test` split is accepted for the common `(train, test?, options?)` form and
 * ignored). Degenerate inputs: a constant code has entropy 0 (the reference returns NaN); its normalised gap is
 * 0, as a dead code informs about nothing. A constant factor is `BAD_INPUT` naming `train.factors` (the
 * library's one rule for degenerate factors). At least two factors are needed for a gap.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values with factorDiscretizer }`.
 * @param options `numBins` (default 10), `factorDiscretizer`; an unknown name is `BAD_OPTION`.
 * @example
 * const { score, perCode } = migSupFromCodes({ codes, factors }); // codes n×D, factors n×K
 */
export function migSupFromCodes(train: LabelledCodes, options?: MigSupOptions): MigSupResult;
/** {@link migSupFromCodes} with a held-out split, which MIG-sup ignores (it scores `train`). */
export function migSupFromCodes(train: LabelledCodes, test: LabelledCodes | undefined, options?: MigSupOptions): MigSupResult;
export function migSupFromCodes(train: LabelledCodes, second?: LabelledCodes | MigSupOptions, third?: MigSupOptions): MigSupResult {
  const fn = 'migSupFromCodes';
  const { options } = testAndOptions<MigSupOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  return migSup(train, options, fn);
}

function migSup(train: LabelledCodes, options: MigSupOptions, fn: string): MigSupResult {
  const info = readBinnedInformation(train, options, fn, 'factors');
  const D = info.numCodes;
  const K = info.numFactors;
  const normalised = new Float64Array(D * K);
  for (let i = 0; i < D; i++) {
    const h = info.codeEntropy[i];
    for (let j = 0; j < K; j++) normalised[i * K + j] = h > 0 ? info.mutualInformation[i * K + j] / h : 0;
  }
  const perCode = Array.from({ length: D }, (_, i) => {
    const { first, second } = topTwo(normalised, i * K, K, 1); // code i's row
    return first - second;
  });
  return {
    score: perCode.reduce((a, b) => a + b, 0) / D,
    perCode,
    mutualInformation: toRows({ data: info.mutualInformation, rows: D, cols: K }),
    codeEntropy: Array.from(info.codeEntropy),
  };
}

/** Options of {@link computeMigSup}: the sampling options plus {@link MigSupOptions}. */
export type ComputeMigSupOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<MigSupOptions, keyof FactorOptions>;

/**
 * MIG-sup on `numTrain` points (default 10,000, batch 16) drawn from `dataset` and encoded by `represent`.
 *
 * @example
 * const { score } = await computeMigSup({ dataset: dsprites(), represent: encoder, seed: 0 });
 */
export async function computeMigSup<Obs = TensorLike>(options: ComputeMigSupOptions<Obs>): Promise<MigSupResult> {
  checkOptions(options, 'computeMigSup', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES]);
  await ensureBackend();
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  return migSup(train, options, 'migSupFromCodes');
}
