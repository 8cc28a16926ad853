/**
 * Axis-Aligned Metric (AAM) of YannDubs/disentangling-vae (`disvae/evaluate.py`, `_axis_aligned_metric`),
 * applied to the same discrete D×K mutual-information matrix as MIG.
 */
import { createRng } from '../core/rng.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { intOption, readLabelledCodes } from '../core/validate.js';
import { discretizedMutualInformation, matrixRows } from '../estimators/codeFactorInformation.js';
import { sampleTrainTest, type SamplingMetricOptions } from '../data/sampling.js';

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
 * over many codes, not just the runner-up. Range [0, 1].
 *
 * @param train `{ codes: n×D, factors: n×K integer indices }`.
 * @param options `numBins` (default 20).
 * @example
 * const { score, perFactor } = aamFromCodes({ codes, factors });
 */
export function aamFromCodes(train: LabelledCodes, options: AamOptions = {}): AamResult {
  const { codes, factors } = readLabelledCodes(train, 'train', 'aamFromCodes');
  const numBins = intOption(options.numBins, 'numBins', 20);
  const info = discretizedMutualInformation(codes, factors, numBins);
  const rows = matrixRows(info.mutualInformation, info.numCodes, info.numFactors);
  const perFactor: number[] = [];
  for (let j = 0; j < info.numFactors; j++) perFactor.push(axisAlignedScore(rows.map((r) => r[j])));
  return { score: perFactor.reduce((a, b) => a + b, 0) / perFactor.length, perFactor, mutualInformation: rows };
}

/** Options of {@link computeAam}. */
export type ComputeAamOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & AamOptions;

/**
 * AAM on `numTrain` sampled points (default 10,000, batch 16, the disentanglement_lib sampling defaults).
 *
 * @example
 * const { score } = await computeAam({ dataset: dsprites(), represent: encoder });
 */
export async function computeAam<Obs = TensorLike>(options: ComputeAamOptions<Obs>): Promise<AamResult> {
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  return aamFromCodes(train, options);
}
