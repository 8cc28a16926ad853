/**
 * FactorVAE metric (Kim & Mnih 2018, "Disentangling by Factorising"), as disentanglement_lib's
 * `factor_vae.py` computes it, plus the InfoGAN-CR repository's variant (Lin et al. 2020).
 */
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { createYielder, type Yielder } from '../core/batching.js';
import { intMatrix, toRows, type IntMatrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import { columnMoments } from '../core/tensor.js';
import type { GroundTruthDataset, Progress, RepresentationFunction, RunOptions, TensorLike } from '../core/types.js';
import { enumOption, intOption, numberOption, checkOptions } from '../core/validate.js';
import { drawFactors, holdColumnFixed, openSamplingContext, representFactorsRaw, type CodeRouteOptions, type SamplingContext } from '../data/sampling.js';
import { lookahead, prefetchCodes } from '../data/prefetch.js';
import {
  lowestNormalizedVarianceDim,
  majorityVoteAccuracy,
  majorityVoteMapping,
  majorityVoteTopAccuracy,
} from '../estimators/majorityVote.js';
import { ensureBackend } from '../core/backend.js';

/** Which reference's protocol to reproduce. */
export type FixedFactorPreset = 'disentanglement_lib' | 'infogan-cr';

/** Options of {@link computeFactorVaeMetric}. */
export interface FactorVaeMetricOptions<Obs = TensorLike> extends RunOptions, CodeRouteOptions {
  dataset: GroundTruthDataset<Obs>;
  /** The model's representation; optional when `codeTable` is given. */
  represent?: RepresentationFunction<Obs>;
  /** Rows per vote (and per encoding call of the scale estimate). DL 64, InfoGAN-CR 100. */
  batchSize?: number;
  /** Training votes. DL 10,000; InfoGAN-CR 500 groups. */
  numTrain?: number;
  /** Held-out votes. DL 5,000; InfoGAN-CR 500 when `evalMode: 'heldout'`. */
  numEval?: number;
  /** Points for the global scale. DL 10,000; InfoGAN-CR ceil(Π factorSizes / 10) (73,728 for dSprites). */
  numVarianceEstimate?: number;
  /** Dims whose global std is below this are ignored. DL 0.05; InfoGAN-CR 0 (no pruning). */
  pruneThreshold?: number;
  preset?: FixedFactorPreset;
  /** 'heldout' scores fresh votes with the training mapping (DL); 'train' scores the training votes (InfoGAN-CR). */
  evalMode?: 'train' | 'heldout';
}

/** Result of {@link computeFactorVaeMetric}. */
export interface FactorVaeMetricResult {
  /** The headline number, equal to `evalAccuracy` (every metric result carries one `score`). */
  score: number;
  trainAccuracy: number;
  /** The reported score: accuracy of the majority-vote classifier on the evaluation votes. */
  evalAccuracy: number;
  /** InfoGAN-CR's `factorVAE_metric_revised` on the training votes: only the K best code dims get credit. */
  revisedAccuracy: number;
  /** Dims that passed pruning. disentanglement_lib reports the code width here instead (see `numCodeDims`). */
  numActiveDims: number;
  numCodeDims: number;
  /** Training votes, K×D: votes[k][d] = times dim d had the lowest normalized variance while factor k was fixed. */
  votes: number[][];
  /** Evaluation votes, K×D (the training votes when `evalMode` is 'train'). */
  evalVotes: number[][];
  /** The classifier: the factor each code dim predicts. */
  mapping: number[];
  /** The global scale per dim (variance, ddof 1 for DL, 0 for InfoGAN-CR). */
  globalVariance: number[];
  preset: FixedFactorPreset;
  evalMode: 'train' | 'heldout';
}

/**
 * FactorVAE metric: hold one factor fixed over a batch, encode, and vote for the code dim whose variance
 * (relative to its global variance) is lowest; a majority-vote classifier maps dims to factors and its
 * accuracy is the score. Perfect = 1, entangled ≈ 1/K.
 *
 * Defaults follow disentanglement_lib's configuration: scale from 10,000 points (variance ddof 1), dims with
 * global std < 0.05 pruned (none left → all scores 0), 10,000 training and 5,000 held-out votes of 64 rows,
 * each with a uniformly drawn factor. Votes are stored by the true dim index (DL shifts columns after pruning;
 * the accuracies are the same). `numActiveDims` is the real count of active dims, where DL reports D.
 *
 * `preset: 'infogan-cr'` reproduces InfoGAN-CR's `FactorVAEMetric`: 500 groups of 100 rows, group m fixes
 * factor m mod K, a scale set of ceil(Π factorSizes / 10) points with ddof 0, no pruning (a zero-variance dim
 * gives NaN and numpy's argmin picks it first), and the votes are scored on themselves (`evalMode: 'train'`).
 * InfoGAN-CR's scale set is a tenth of the dSprites images drawn without replacement; here its points are drawn
 * like every other sample (uniform factors, with replacement), which only matters for tiny factor spaces.
 *
 * When `represent` returns tfjs tensors the per-batch variances are computed on their backend and only D
 * numbers are read back per vote.
 *
 * @example
 * const { evalAccuracy } = await computeFactorVaeMetric({ dataset: dsprites(), represent: encode, seed: 0 });
 */
export async function computeFactorVaeMetric<Obs = TensorLike>(options: FactorVaeMetricOptions<Obs>): Promise<FactorVaeMetricResult> {
  checkOptions(options, 'computeFactorVaeMetric');
  await ensureBackend();
  const fn = 'computeFactorVaeMetric';
  const ctx = await openSamplingContext(options);
  const plan = fixedFactorPlan(options, ctx.factorSizes);
  const pruneThreshold = numberOption(options.pruneThreshold, 'pruneThreshold', plan.icr ? 0 : 0.05, 0);
  const numVarianceEstimate = intOption(options.numVarianceEstimate, 'numVarianceEstimate', plan.icr ? icrScaleSetSize(ctx.factorSizes) : 10000, 2);
  const root = createRng(options.seed ?? 0);
  const [scaleRng, trainRng, evalRng] = [root.fork(), root.fork(), root.fork()];
  const scaleBatches = Math.ceil(numVarianceEstimate / plan.batchSize);
  const progress = new ProgressCounter(options.onProgress, scaleBatches + plan.numTrain + plan.numEval, options.signal);

  const ddof = plan.icr ? 0 : 1;
  const globalVariance = await globalCodeVariance(ctx, numVarianceEstimate, plan.batchSize, ddof, scaleRng, progress, fn);
  const active = Uint8Array.from(globalVariance, (v) => (Math.sqrt(v) >= pruneThreshold ? 1 : 0));
  const numActiveDims = active.reduce((s, a) => s + a, 0);
  const K = ctx.factorSizes.length;
  const D = globalVariance.length;
  const base = { numActiveDims, numCodeDims: D, globalVariance: Array.from(globalVariance), preset: plan.preset, evalMode: plan.evalMode };
  if (numActiveDims === 0) {
    progress.finish('votes');
    const none = toRows(intMatrix(K, D));
    return { ...base, score: 0, trainAccuracy: 0, evalAccuracy: 0, revisedAccuracy: 0, votes: none, evalVotes: none, mapping: new Array<number>(D).fill(0) };
  }

  const voter: Voter<Obs> = {
    ctx,
    draw: async (vote, rng) => {
      const k = plan.icr ? vote % K : rng.int(K);
      return { k, factors: holdColumnFixed(await drawFactors(ctx, plan.batchSize, rng), k) };
    },
    score: async ({ k, factors }, rng) => [k, lowestNormalizedVarianceDim(await codeVariance(ctx, factors, rng, ddof, fn), globalVariance, active, plan.icr)],
    ahead: lookahead(ctx, plan.batchSize),
  };
  const votes = await tallyVotes(K, D, plan.numTrain, trainRng, voter, progress);
  const mapping = majorityVoteMapping(votes);
  const trainAccuracy = majorityVoteAccuracy(votes, mapping);
  const evalVotes = plan.evalMode === 'train' ? votes : await tallyVotes(K, D, plan.numEval, evalRng, voter, progress);
  const evalAccuracy = majorityVoteAccuracy(evalVotes, mapping);
  return {
    ...base,
    score: evalAccuracy,
    trainAccuracy,
    evalAccuracy,
    revisedAccuracy: majorityVoteTopAccuracy(votes, K),
    votes: toRows(votes),
    evalVotes: toRows(evalVotes),
    mapping: Array.from(mapping),
  };
}

/** @internal The sample sizes and protocol shared by the FactorVAE and BetaVAE metrics. */
export interface FixedFactorPlan {
  preset: FixedFactorPreset;
  icr: boolean;
  batchSize: number;
  numTrain: number;
  /** 0 when `evalMode` is 'train'. */
  numEval: number;
  evalMode: 'train' | 'heldout';
}

/** @internal Reads the options common to the fixed-factor metrics, with each preset's defaults. */
export function fixedFactorPlan(
  options: { preset?: FixedFactorPreset; batchSize?: number; numTrain?: number; numEval?: number; evalMode?: 'train' | 'heldout' },
  factorSizes: readonly number[],
): FixedFactorPlan {
  const preset = enumOption(options.preset, 'preset', ['disentanglement_lib', 'infogan-cr'] as const, 'disentanglement_lib');
  const icr = preset === 'infogan-cr';
  const evalMode = enumOption(options.evalMode, 'evalMode', ['train', 'heldout'] as const, icr ? 'train' : 'heldout');
  const batchSize = intOption(options.batchSize, 'batchSize', icr ? 100 : 64, 2);
  const numTrain = intOption(options.numTrain, 'numTrain', icr ? 500 : 10000);
  const numEval = evalMode === 'train' ? 0 : intOption(options.numEval, 'numEval', icr ? 500 : 5000);
  if (icr && numTrain < factorSizes.length) {
    throw new DisentangleError('BAD_OPTION', 'numTrain', `the infogan-cr preset needs at least one group per factor (${factorSizes.length}), got ${numTrain}`);
  }
  return { preset, icr, batchSize, numTrain, numEval, evalMode };
}

/** InfoGAN-CR's scale set: a tenth of the dataset (73,728 of dSprites' 737,280 images). */
function icrScaleSetSize(factorSizes: readonly number[]): number {
  return Math.max(2, Math.ceil(factorSizes.reduce((p, s) => p * s, 1) / 10));
}

/** Renders and encodes `factors` and returns the per-dim code variance, reduced where the codes live. */
async function codeVariance<Obs>(ctx: SamplingContext<Obs>, factors: IntMatrix, rng: Rng, ddof: number, fn: string): Promise<Float64Array> {
  return (await codeMoments(ctx, factors, rng, ddof, fn)).variance;
}

async function codeMoments<Obs>(
  ctx: SamplingContext<Obs>,
  factors: IntMatrix,
  rng: Rng,
  ddof: number,
  fn: string,
): Promise<{ mean: Float64Array; variance: Float64Array }> {
  const raw = await representFactorsRaw(ctx, factors, rng);
  try {
    return await columnMoments(raw.codes, 'represent', fn, ddof);
  } catch (e) {
    throw asCallbackError(e);
  } finally {
    raw.release();
  }
}

/** @internal Non-finite codes are the callback's fault, not the caller's argument's. */
export function asCallbackError(e: unknown): unknown {
  if (e instanceof DisentangleError && e.code === 'NON_FINITE') {
    return new DisentangleError('CALLBACK_RESULT', 'represent', `returned a non-finite code (${e.message})`);
  }
  return e;
}

/**
 * Variance of the codes of `n` random points, streamed in batches: each batch is reduced to its mean and
 * variance where it lives and merged with Chan et al.'s pairwise update, so memory stays at one batch.
 */
async function globalCodeVariance<Obs>(
  ctx: SamplingContext<Obs>,
  n: number,
  batchSize: number,
  ddof: number,
  rng: Rng,
  progress: ProgressCounter,
  fn: string,
): Promise<Float64Array> {
  let count = 0;
  let mean: Float64Array = new Float64Array(0);
  let m2: Float64Array = new Float64Array(0);
  const ahead = lookahead(ctx, batchSize);
  let drawn: IntMatrix[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    if (drawn.length === 0) {
      // With a code table, draw a few batches ahead (same rng order) and encode their missing rows together.
      for (let s = start; s < n && drawn.length < ahead; s += batchSize) drawn.push(await drawFactors(ctx, Math.min(batchSize, n - s), rng));
      if (ahead > 1) await prefetchCodes(ctx, drawn, rng);
    }
    const batch = await codeMoments(ctx, drawn.shift() as IntMatrix, rng, 0, fn);
    if (count === 0) {
      mean = Float64Array.from(batch.mean);
      m2 = batch.variance.map((v) => v * size);
    } else {
      const total = count + size;
      for (let d = 0; d < mean.length; d++) {
        const delta = batch.mean[d] - mean[d];
        mean[d] += (delta * size) / total;
        m2[d] += batch.variance[d] * size + (delta * delta * count * size) / total;
      }
    }
    count += size;
    await progress.step('variance');
  }
  return m2.map((v) => v / (count - ddof));
}

/** How one vote is drawn (factors, on the host) and scored (encoded), and how many votes are drawn ahead. */
interface Voter<Obs> {
  ctx: SamplingContext<Obs>;
  draw(vote: number, rng: Rng): Promise<{ k: number; factors: IntMatrix }>;
  score(drawn: { k: number; factors: IntMatrix }, rng: Rng): Promise<[number, number]>;
  /** 1 without a code table (draw, score, draw, … as always); with one, enough votes to fill an encode batch. */
  ahead: number;
}

/**
 * Casts `count` votes and tallies them K×D; a vote of −1 (no dim eligible) is dropped. With a code table the
 * factors of `ahead` votes are drawn first (in the same rng order: a deterministic dataset's rendering draws
 * nothing) and their missing rows encoded together.
 */
async function tallyVotes<Obs>(K: number, D: number, count: number, rng: Rng, voter: Voter<Obs>, progress: ProgressCounter): Promise<IntMatrix> {
  const votes = intMatrix(K, D);
  for (let i = 0; i < count; ) {
    const group: { k: number; factors: IntMatrix }[] = [];
    for (let j = 0; j < voter.ahead && i + j < count; j++) group.push(await voter.draw(i + j, rng));
    if (voter.ahead > 1) await prefetchCodes(voter.ctx, group.map((g) => g.factors), rng);
    for (const g of group) {
      const [k, d] = await voter.score(g, rng);
      if (d >= 0) votes.data[k * D + d] += 1;
      await progress.step('votes');
    }
    i += group.length;
  }
  return votes;
}

/**
 * @internal One progress bar over all stages of a metric, counting encoding steps; it also yields to the event
 * loop every few milliseconds so that progress repaints and an abort fired from a timer is seen promptly even
 * when every callback is synchronous.
 */
export class ProgressCounter {
  private done = 0;
  private readonly yielder: Yielder;

  constructor(
    private readonly onProgress: ((p: Progress) => void) | undefined,
    readonly total: number,
    signal: AbortSignal | undefined,
  ) {
    throwIfAborted(signal);
    this.yielder = createYielder(signal);
    onProgress?.({ stage: 'start', done: 0, total });
  }

  async step(stage: string): Promise<void> {
    this.done += 1;
    await this.yielder.maybeYield();
    this.onProgress?.({ stage, done: this.done, total: this.total });
  }

  /** Reports completion when a run ends early (no active dims): bars should not stop short. */
  finish(stage: string): void {
    this.done = this.total;
    this.onProgress?.({ stage, done: this.total, total: this.total });
  }
}
