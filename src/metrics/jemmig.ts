/**
 * JEMMIG, the joint-entropy-minus-mutual-information gap (Do and Tran 2020, "Theory and evaluation metrics for
 * learning disentangled representations", ICLR), compared in Carbonneau et al. 2020, with the binned estimator
 * of ubisoft-laforge-disentanglement-metrics' `jemmig.py`.
 */
import { createRng } from '../core/rng.js';
import { toRows } from '../core/matrix.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { checkOptions, testAndOptions, type FactorOptions } from '../core/validate.js';
import { readBinnedInformation } from '../estimators/information/minMaxBins.js';
import { topTwo } from '../estimators/topTwoGap.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link jemmigFromCodes}. */
export interface JemmigOptions extends FactorOptions {
  /** Equal-width bins per code dim after min-max scaling, default 10 (the reference's `nb_bins`). */
  numBins?: number;
}

/** Result of {@link jemmigFromCodes} / {@link computeJemmig}. */
export interface JemmigResult {
  /** Mean over factors of the normalised term, in [0, 1]; higher is better. */
  score: number;
  /** Per factor: 1 − JEMMIG_j / (H(v_j) + ln B). */
  perFactor: number[];
  /** Per factor, unnormalised: JEMMIG_j = H(v_j, z*) − I(v_j; z*) + I(v_j; z°) in nats (lower is better). */
  unnormalised: number[];
  /** Per factor: z*, the code most informative about it (the last on ties, numpy's stable `argsort`). */
  topCode: number[];
  /** D×K mutual information (nats) between binned codes and factors. */
  mutualInformation: number[][];
  /** H(factor_j) in nats. */
  factorEntropy: number[];
}

const OPTION_NAMES = Object.keys({ numBins: 0 } satisfies Record<Exclude<keyof JemmigOptions, keyof FactorOptions>, 0>);
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];

/**
 * JEMMIG from precomputed codes and factors: codes are min-max scaled and cut into B = 10 equal-width bins; for
 * each factor v_j with most informative code z* and runner-up z°,
 * `JEMMIG_j = H(v_j, z*) − I(v_j; z*) + I(v_j; z°)`, normalised as `1 − JEMMIG_j / (H(v_j) + ln B)` and averaged
 * over factors. Range [0, 1]; 1 = each factor is one code, exactly, and no other code knows about it.
 *
 * Computed on `train` alone (a `test` split is accepted and ignored). A constant code has zero MI and joint
 * entropy H(v_j) (no NaN); a constant factor is `BAD_INPUT` naming `train.factors` (the library's one rule for
 * degenerate factors); at least two code dims are needed for a runner-up.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values with factorDiscretizer }`.
 * @param options `numBins` (default 10), `factorDiscretizer`; an unknown name is `BAD_OPTION`.
 * @example
 * const { score, perFactor, unnormalised } = jemmigFromCodes({ codes, factors }); // codes n×D, factors n×K
 */
export function jemmigFromCodes(train: LabelledCodes, options?: JemmigOptions): JemmigResult;
/** {@link jemmigFromCodes} with a held-out split, which JEMMIG ignores (it scores `train`). */
export function jemmigFromCodes(train: LabelledCodes, test: LabelledCodes | undefined, options?: JemmigOptions): JemmigResult;
export function jemmigFromCodes(train: LabelledCodes, second?: LabelledCodes | JemmigOptions, third?: JemmigOptions): JemmigResult {
  const fn = 'jemmigFromCodes';
  const { options } = testAndOptions<JemmigOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  return jemmig(train, options, fn);
}

function jemmig(train: LabelledCodes, options: JemmigOptions, fn: string): JemmigResult {
  const info = readBinnedInformation(train, options, fn, 'codes');
  const D = info.numCodes;
  const K = info.numFactors;
  const mi = info.mutualInformation;
  const perFactor: number[] = [];
  const unnormalised: number[] = [];
  const topCode: number[] = [];
  for (let j = 0; j < K; j++) {
    // factor j's column; on tied maxima the last code is the top one (JEMMIG's rule, unchanged)
    const { first, second, index: best } = topTwo(mi, j, D, K, 'last');
    const hf = info.factorEntropy[j];
    const joint = hf + info.codeEntropy[best] - first;
    const term = joint - first + second;
    unnormalised.push(term);
    perFactor.push(1 - term / (hf + Math.log(info.numBins)));
    topCode.push(best);
  }
  return {
    score: perFactor.reduce((a, b) => a + b, 0) / K,
    perFactor,
    unnormalised,
    topCode,
    mutualInformation: toRows({ data: mi, rows: D, cols: K }),
    factorEntropy: Array.from(info.factorEntropy),
  };
}

/** Options of {@link computeJemmig}: the sampling options plus {@link JemmigOptions}. */
export type ComputeJemmigOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<JemmigOptions, keyof FactorOptions>;

/**
 * JEMMIG on `numTrain` points (default 10,000, batch 16) drawn from `dataset` and encoded by `represent`.
 *
 * @example
 * const { score } = await computeJemmig({ dataset: dsprites(), represent: encoder, seed: 0 });
 */
export async function computeJemmig<Obs = TensorLike>(options: ComputeJemmigOptions<Obs>): Promise<JemmigResult> {
  checkOptions(options, 'computeJemmig', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES]);
  await ensureBackend();
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  return jemmig(train, options, 'jemmigFromCodes');
}
