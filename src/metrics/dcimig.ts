/**
 * DCIMIG (Sepliarskaia, Kiseleva and de Rijke 2019, "Evaluating disentangled representations",
 * arXiv:1910.05587), compared in Carbonneau et al. 2020, with the binned estimator of
 * ubisoft-laforge-disentanglement-metrics' `dcimig.py`.
 */
import { createRng } from '../core/rng.js';
import { toRows } from '../core/matrix.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { checkOptions, testAndOptions, type FactorOptions } from '../core/validate.js';
import { readBinnedInformation } from '../estimators/information/minMaxBins.js';
import { topTwo } from '../estimators/topTwoGap.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link dcimigFromCodes}. */
export interface DcimigOptions extends FactorOptions {
  /** Equal-width bins per code dim after min-max scaling, default 10 (the reference's `nb_bins`). */
  numBins?: number;
}

/** Result of {@link dcimigFromCodes} / {@link computeDcimig}. */
export interface DcimigResult {
  /** Σ_j perFactor_j / Σ_j H(v_j), in [0, 1]. */
  score: number;
  /** Per factor: the largest gap among the codes whose top factor it is (nats; 0 if no code chose it). */
  perFactor: number[];
  /** Per code: I(z_i; v_(1)) − I(z_i; v_(2)) in nats. */
  codeGap: number[];
  /** Per code: the factor it is most informative about (the first on ties, as numpy `argmax`). */
  codeFactor: number[];
  /** D×K mutual information (nats) between binned codes and factors. */
  mutualInformation: number[][];
  /** H(factor_j) in nats. */
  factorEntropy: number[];
}

const OPTION_NAMES = Object.keys({ numBins: 0 } satisfies Record<Exclude<keyof DcimigOptions, keyof FactorOptions>, 0>);
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];

/**
 * DCIMIG from precomputed codes and factors: codes are min-max scaled and cut into 10 equal-width bins; each
 * code i gives its gap g_i = I(z_i; v_(1)) − I(z_i; v_(2)) to its most informative factor; each factor keeps the
 * largest gap it received, and `DCIMIG = Σ_j max_{i: top(i) = j} g_i / Σ_j H(v_j)`. Range [0, 1]; 1 = every
 * factor has a code that captures it fully and nothing else (modularity, compactness and explicitness at once).
 *
 * Computed on `train` alone (a `test` split is accepted and ignored). A constant code has zero MI and gap 0 (no
 * NaN); a constant factor is `BAD_INPUT` naming `train.factors` (the library's one rule for degenerate
 * factors); at least two factors are needed for a gap.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values with factorDiscretizer }`.
 * @param options `numBins` (default 10), `factorDiscretizer`; an unknown name is `BAD_OPTION`.
 * @example
 * const { score, perFactor } = dcimigFromCodes({ codes, factors }); // codes n×D, factors n×K
 */
export function dcimigFromCodes(train: LabelledCodes, options?: DcimigOptions): DcimigResult;
/** {@link dcimigFromCodes} with a held-out split, which DCIMIG ignores (it scores `train`). */
export function dcimigFromCodes(train: LabelledCodes, test: LabelledCodes | undefined, options?: DcimigOptions): DcimigResult;
export function dcimigFromCodes(train: LabelledCodes, second?: LabelledCodes | DcimigOptions, third?: DcimigOptions): DcimigResult {
  const fn = 'dcimigFromCodes';
  const { options } = testAndOptions<DcimigOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  return dcimig(train, options, fn);
}

function dcimig(train: LabelledCodes, options: DcimigOptions, fn: string): DcimigResult {
  const info = readBinnedInformation(train, options, fn, 'factors');
  const D = info.numCodes;
  const K = info.numFactors;
  const mi = info.mutualInformation;
  const codeGap: number[] = [];
  const codeFactor: number[] = [];
  const perFactor = new Array<number>(K).fill(0);
  for (let i = 0; i < D; i++) {
    const { first, second, index: best } = topTwo(mi, i * K, K, 1); // code i's row, first factor on ties
    const gap = first - second;
    codeGap.push(gap);
    codeFactor.push(best);
    if (gap > perFactor[best]) perFactor[best] = gap;
  }
  let entropySum = 0;
  for (const h of info.factorEntropy) entropySum += h;
  return {
    score: perFactor.reduce((a, b) => a + b, 0) / entropySum,
    perFactor,
    codeGap,
    codeFactor,
    mutualInformation: toRows({ data: mi, rows: D, cols: K }),
    factorEntropy: Array.from(info.factorEntropy),
  };
}

/** Options of {@link computeDcimig}: the sampling options plus {@link DcimigOptions}. */
export type ComputeDcimigOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<DcimigOptions, keyof FactorOptions>;

/**
 * DCIMIG on `numTrain` points (default 10,000, batch 16) drawn from `dataset` and encoded by `represent`.
 *
 * @example
 * const { score } = await computeDcimig({ dataset: dsprites(), represent: encoder, seed: 0 });
 */
export async function computeDcimig<Obs = TensorLike>(options: ComputeDcimigOptions<Obs>): Promise<DcimigResult> {
  checkOptions(options, 'computeDcimig', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES]);
  await ensureBackend();
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  return dcimig(train, options, 'dcimigFromCodes');
}
