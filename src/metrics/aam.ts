/**
 * Axis-Aligned Metric (AAM) of YannDubs/disentangling-vae (`disvae/evaluate.py`, `_axis_aligned_metric`),
 * applied to the same discrete D×K mutual-information matrix as MIG.
 */
import { forEachBatch, raceAbort } from '../core/batching.js';
import { DisentangleError } from '../core/errors.js';
import { concatRows, toRows, type Matrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import { disposeIfTensor, toMatrixAsync } from '../core/tensor.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { checkFactorSizes, intOption, readLabelledCodes, checkOptions, checkFactorsVary } from '../core/validate.js';
import {
  discretizedMutualInformation,
  sampledMutualInformation,
  type GaussianPosteriorBlock,
} from '../estimators/information/codeFactorInformation.js';
import { sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link aamFromCodes}. */
export interface AamOptions {
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
 * @param train `{ codes: n×D, factors: n×K integer indices }`.
 * @param options `numBins` (default 20).
 * @example
 * const { score, perFactor } = aamFromCodes({ codes, factors });
 */
export function aamFromCodes(train: LabelledCodes, options: AamOptions = {}): AamResult {
  checkOptions(options, 'aamFromCodes');
  const { codes, factors } = readLabelledCodes(train, 'train', 'aamFromCodes');
  checkFactorsVary(factors, 'train.factors', 'aamFromCodes');
  const numBins = intOption(options.numBins, 'numBins', 20);
  const info = discretizedMutualInformation(codes, factors, numBins);
  const rows = toRows({ data: info.mutualInformation, rows: info.numCodes, cols: info.numFactors });
  const perFactor: number[] = [];
  for (let j = 0; j < info.numFactors; j++) perFactor.push(axisAlignedScore(rows.map((r) => r[j])));
  return { score: perFactor.reduce((a, b) => a + b, 0) / perFactor.length, perFactor, mutualInformation: rows };
}

/** A posterior encoder: observations → the mean and log-variance of a factorised Gaussian q(z|x). */
export type PosteriorFunction<Obs = TensorLike> = (
  observations: Obs,
) => { mean: TensorLike; logVar: TensorLike } | Promise<{ mean: TensorLike; logVar: TensorLike }>;

/** Options of {@link computeAam}. */
export type ComputeAamOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> &
  AamOptions & {
    /**
     * When given, AAM uses disentangling-vae's own sampled-entropy mutual information over the full factor grid
     * (every one of Π factorSizes points is encoded; `represent` is not called) instead of the discrete estimate.
     */
    posterior?: PosteriorFunction<Obs>;
    /** Points drawn per entropy estimate in the sampled-entropy mode, default 10,000 (disentangling-vae). */
    numEntropySamples?: number;
  };

/**
 * AAM on `numTrain` sampled points (default 10,000, batch 16, the disentanglement_lib sampling defaults), or,
 * with `posterior`, on disentangling-vae's sampled-entropy mutual information over the whole factor grid
 * (its own estimator; only practical for grids of up to a few ten thousand points).
 *
 * @example
 * const { score } = await computeAam({ dataset: dsprites(), represent: encoder });
 */
export async function computeAam<Obs = TensorLike>(options: ComputeAamOptions<Obs>): Promise<AamResult> {
  checkOptions(options, 'computeAam');
  await ensureBackend();
  if (!options.posterior) {
    const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
    return aamFromCodes(train, options);
  }
  const numSamples = intOption(options.numEntropySamples, 'numEntropySamples', 10000);
  const sizes = checkFactorSizes(options.dataset?.factorSizes, 'dataset.factorSizes');
  sizes.forEach((s, k) => {
    if (s < 2) throw new DisentangleError('BAD_INPUT', 'dataset.factorSizes', `factor ${k} takes a single value; it carries no information to measure (drop it from the dataset)`);
  });
  const rng = createRng(options.seed ?? 0);
  const block = await encodeFactorGrid(options, options.posterior, sizes, rng.fork());
  const info = sampledMutualInformation(block, sizes, rng.fork(), numSamples);
  const rows = toRows({ data: info.mutualInformation, rows: block.mean.cols, cols: sizes.length });
  const perFactor = sizes.map((_, j) => axisAlignedScore(rows.map((r) => r[j])));
  return { score: perFactor.reduce((a, b) => a + b, 0) / perFactor.length, perFactor, mutualInformation: rows };
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
    for (let r = 0; r < size; r++) {
      let rest = start + r;
      for (let j = K - 1; j >= 0; j--) {
        f[r * K + j] = rest % sizes[j];
        rest = Math.floor(rest / sizes[j]);
      }
    }
    const obs = await raceAbort(options.dataset.observationsFromFactors({ data: f, shape: [size, K] }, rng), options.signal, 'dataset.observationsFromFactors');
    let out: { mean: TensorLike; logVar: TensorLike } | undefined;
    try {
      out = await raceAbort(posterior(obs), options.signal, 'posterior');
      if (!out || out.mean === undefined || out.logVar === undefined) {
        throw new DisentangleError('CALLBACK_RESULT', 'posterior', 'must return { mean, logVar }');
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
