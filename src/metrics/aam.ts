/**
 * Axis-Aligned Metric (AAM) of YannDubs/disentangling-vae (`disvae/evaluate.py`, `_axis_aligned_metric`),
 * applied to the same discrete D×K mutual-information matrix as MIG.
 */
import { forEachBatch, raceAbort } from '../core/batching.js';
import { DisentangleError } from '../core/errors.js';
import { concatRows, toRows, unflatIndex, type Matrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import { disposeIfTensor, toMatrixAsync } from '../core/tensor.js';
import type { LabelledCodes, Posterior, PosteriorFunction, TensorLike } from '../core/types.js';
import { checkFactorSizes, intOption, checkOptions, checkFactorsVary, testAndOptions, type FactorOptions } from '../core/validate.js';
import { readFactorSplits } from '../estimators/information/discretize.js';
import {
  discretizedMutualInformation,
  sampledMutualInformation,
  type GaussianPosteriorBlock,
} from '../estimators/information/codeFactorInformation.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link aamFromCodes}. */
export interface AamOptions extends FactorOptions {
  /** Equal-width bins per code dim, default 20. */
  numBins?: number;
}

/** Result of {@link aamFromCodes} / {@link computeAam}. */
export interface AamResult {
  /** Mean of the per-factor AAM, in [0, 1]. */
  score: number;
  /** max(0, I_(1) − Σ_{r≥2} I_(r)) / I_(1) per factor; 0 when no code carries information about it. */
  perFactor: number[];
  /** D×K mutual information (nats) the score was computed from. */
  mutualInformation: number[][];
}

/**
 * AAM of one factor from the informations of every code about it: how much the most informative code
 * outweighs all the others together, relative to itself. 0 when every code has zero information
 * (disentangling-vae maps its 0/0 to 0).
 */
export function axisAlignedScore(informations: readonly number[]): number {
  const sorted = informations.map((v) => Math.max(0, v)).sort((a, b) => b - a);
  const top = sorted[0];
  if (!(top > 0)) return 0;
  let rest = 0;
  for (let r = 1; r < sorted.length; r++) rest += sorted[r];
  return Math.max(0, top - rest) / top;
}

/**
 * AAM from precomputed codes and factors. disentangling-vae defines, per factor, the excess of the most
 * informative code over the sum of all other codes, divided by the largest information; we feed it the
 * discretized (20-bin) mutual information of disentanglement_lib instead of that repository's sampled
 * entropy estimate, so it sits next to MIG on the same matrix. Unlike MIG it penalises information spread
 * over many codes, not just the runner-up. Range [0, 1]. A factor that takes a single value is `BAD_INPUT`, as
 * in every metric over codes and factors (it carries no information, and its 0 would pull the mean down).
 *
 * AAM is computed on the training split alone: a `test` split, accepted so every matrix entry has the same
 * `(train, test?, options?)` form, is ignored. Options may also come second.
 *
 * Measured (float) factor values need `factorDiscretizer`: a number of equal-width bins per factor (as the codes
 * are binned) or a function from a column of values to indices; without it a non-integer factor is `BAD_INPUT`.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values with factorDiscretizer }`.
 * @param options `numBins` (default 20), `factorDiscretizer`; an unknown name is `BAD_OPTION`.
 * @example
 * const { score, perFactor } = aamFromCodes({ codes, factors }, { numBins: 20 });
 */
export function aamFromCodes(train: LabelledCodes, options?: AamOptions): AamResult;
/** {@link aamFromCodes} with a held-out split, which AAM ignores (it scores `train`). */
export function aamFromCodes(train: LabelledCodes, test: LabelledCodes | undefined, options?: AamOptions): AamResult;
export function aamFromCodes(train: LabelledCodes, second?: LabelledCodes | AamOptions, third?: AamOptions): AamResult {
  const fn = 'aamFromCodes';
  const { options } = testAndOptions<AamOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  return aam(train, options, fn);
}

function aam(train: LabelledCodes, options: AamOptions, fn: string): AamResult {
  const { codes, factors } = readFactorSplits([[train, 'train']], fn, options.factorDiscretizer)[0]!;
  checkFactorsVary(factors, 'train.factors', fn);
  const numBins = intOption(options.numBins, 'numBins', 20);
  const info = discretizedMutualInformation(codes, factors, numBins);
  return fromInformation({ data: info.mutualInformation, rows: info.numCodes, cols: info.numFactors });
}

/** The result from a D×K information matrix, whichever estimator filled it. */
function fromInformation(mi: Matrix): AamResult {
  const rows = toRows(mi);
  const perFactor = Array.from({ length: mi.cols }, (_, j) => axisAlignedScore(rows.map((r) => r[j])));
  return { score: perFactor.reduce((a, b) => a + b, 0) / mi.cols, perFactor, mutualInformation: rows };
}

/** Options of {@link computeAam}. */
export type ComputeAamOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> &
  Omit<AamOptions, keyof FactorOptions> & {
    /**
     * When given, AAM uses disentangling-vae's own sampled-entropy mutual information over the full factor grid
     * (every one of Π factorSizes points is encoded; `represent` is not called) instead of the discrete estimate.
     * It must return `logVar` as well as `mean` (a `CALLBACK_RESULT` otherwise).
     */
    posterior?: PosteriorFunction<Obs>;
    /** Points drawn per entropy estimate in the sampled-entropy mode, default 10,000 (disentangling-vae). */
    numEntropySamples?: number;
  };

const OPTION_NAMES = Object.keys({ numBins: 0 } satisfies Record<Exclude<keyof AamOptions, keyof FactorOptions>, 0>);
/** The matrix entry's names: the sampling entry draws factor indices and has nothing to discretize. */
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];
const SAMPLED_ENTROPY_OPTION_NAMES = Object.keys({ posterior: 0, numEntropySamples: 0 } satisfies Record<Exclude<keyof ComputeAamOptions, keyof SamplingMetricOptions | keyof AamOptions>, 0>);

/**
 * AAM on `numTrain` sampled points (default 10,000, batch 16, the disentanglement_lib sampling defaults), or,
 * with `posterior`, on disentangling-vae's sampled-entropy mutual information over the whole factor grid
 * (its own estimator; only practical for grids of up to a few ten thousand points).
 *
 * @example
 * const { score } = await computeAam({ dataset: dsprites(), represent: encoder });
 */
export async function computeAam<Obs = TensorLike>(options: ComputeAamOptions<Obs>): Promise<AamResult> {
  checkOptions(options, 'computeAam', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES, ...SAMPLED_ENTROPY_OPTION_NAMES]);
  await ensureBackend();
  if (!options.posterior) {
    const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
    return aam(train, options, 'aamFromCodes');
  }
  const numSamples = intOption(options.numEntropySamples, 'numEntropySamples', 10000);
  const sizes = checkFactorSizes(options.dataset?.factorSizes, 'dataset.factorSizes');
  sizes.forEach((s, k) => {
    if (s < 2) throw new DisentangleError('BAD_INPUT', 'dataset.factorSizes', `factor ${k} takes a single value; it carries no information to measure (drop it from the dataset)`);
  });
  const rng = createRng(options.seed ?? 0);
  const block = await encodeFactorGrid(options, options.posterior, sizes, rng.fork());
  const info = sampledMutualInformation(block, sizes, rng.fork(), numSamples);
  return fromInformation({ data: info.mutualInformation, rows: block.mean.cols, cols: sizes.length });
}

/** Encodes every point of the factor grid (row-major, last factor fastest) in batches. */
async function encodeFactorGrid<Obs>(
  options: ComputeAamOptions<Obs>,
  posterior: PosteriorFunction<Obs>,
  sizes: number[],
  rng: Rng,
): Promise<GaussianPosteriorBlock> {
  const N = sizes.reduce((a, b) => a * b, 1);
  const K = sizes.length;
  const batchSize = intOption(options.batchSize, 'batchSize', 64);
  const means: Matrix[] = [];
  const logVars: Matrix[] = [];
  await forEachBatch({ total: N, batchSize, stage: 'grid', onProgress: options.onProgress, signal: options.signal }, async (start, size) => {
    const f = new Int32Array(size * K);
    for (let r = 0; r < size; r++) unflatIndex(sizes, start + r, f, r * K);
    const obs = await raceAbort(options.dataset.observationsFromFactors({ data: f, shape: [size, K] }, rng), options.signal, 'dataset.observationsFromFactors');
    let out: Posterior | undefined;
    try {
      out = await raceAbort(posterior(obs), options.signal, 'posterior');
      if (!out || out.mean === undefined) throw new DisentangleError('CALLBACK_RESULT', 'posterior', 'must return { mean, logVar }');
      if (out.logVar === undefined) {
        throw new DisentangleError('CALLBACK_RESULT', 'posterior', "returned no logVar; AAM's sampled-entropy mode needs the log-variances of q(z|x) (leave out posterior to use the discrete estimate)");
      }
      means.push(await toMatrixAsync(out.mean, 'posterior().mean', 'computeAam', { rows: size }));
      logVars.push(await toMatrixAsync(out.logVar, 'posterior().logVar', 'computeAam', { rows: size, cols: means[means.length - 1].cols }));
    } finally {
      if (out) {
        disposeIfTensor(out.mean);
        disposeIfTensor(out.logVar);
      }
      disposeIfTensor(obs);
    }
  });
  return { mean: concatRows(means), logVar: concatRows(logVars) };
}
