/**
 * FactorVAE metric (Kim & Mnih 2018, "Disentangling by Factorising"), as disentanglement_lib's
 * `factor_vae.py` computes it, plus the InfoGAN-CR repository's variant (Lin et al. 2020).
 */
import { ProgressCounter } from '../core/batching.js';
import { intMatrix, toRows, type IntMatrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import { columnMoments, mergeMoments, momentsVariance, type RunningMoments } from '../core/stats.js';
import type { Preset, TensorLike } from '../core/types.js';
import { intOption, numberOption, checkOptions } from '../core/validate.js';
import { drawFactors, holdColumnFixed, openSamplingContext, withRawCodes, type SamplingContext } from '../data/sampling.js';
import { lookahead, prefetchCodes } from '../data/prefetch.js';
import { castLowestVarianceVote, majorityVoteAccuracy, scoreMajorityVotes } from '../estimators/majorityVote.js';
import { ensureBackend } from '../core/backend.js';
import { FIXED_FACTOR_OPTION_NAMES, fixedFactorPlan, type FixedFactorOptions, type FixedFactorPlan } from './fixedFactor.js';

/** Which reference's protocol to reproduce: the library's one {@link Preset}, under the name this metric exported first. */
export type FixedFactorPreset = Preset;

/** Options of {@link computeFactorVaeMetric}; `batchSize` is the rows per vote and per encoding call of the scale estimate. */
export interface FactorVaeMetricOptions<Obs = TensorLike> extends FixedFactorOptions<Obs> {
  /** Points for the global scale. DL 10,000; InfoGAN-CR ceil(Π factorSizes / 10) (73,728 for dSprites). */
  numVarianceEstimate?: number;
  /** Dims whose global std is below this are ignored. DL 0.05; InfoGAN-CR 0 (no pruning). */
  pruneThreshold?: number;
}

const OPTION_NAMES = [...FIXED_FACTOR_OPTION_NAMES, 'numVarianceEstimate', 'pruneThreshold'];
const FN = 'computeFactorVaeMetric';

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
  preset: Preset;
  evalMode: 'train' | 'heldout';
}

/** What each reference does differently in this metric (the protocol they share is in `fixedFactor.ts`). */
interface FactorVaeConventions {
  /** ddof of the global variance. */
  ddof: number;
  /** Default `pruneThreshold`. */
  pruneThreshold: number;
  /** Default `numVarianceEstimate`. */
  scaleSetSize(factorSizes: readonly number[]): number;
  /** A zero-scale dim gives NaN, which numpy's argmin picks first (InfoGAN-CR); DL prunes such dims instead. */
  nanFirst: boolean;
}

const CONVENTIONS: Record<Preset, FactorVaeConventions> = {
  disentanglement_lib: { ddof: 1, pruneThreshold: 0.05, scaleSetSize: () => 10000, nanFirst: false },
  // InfoGAN-CR's scale set: a tenth of the dataset (73,728 of dSprites' 737,280 images).
  'infogan-cr': { ddof: 0, pruneThreshold: 0, scaleSetSize: (sizes) => Math.max(2, Math.ceil(sizes.reduce((p, s) => p * s, 1) / 10)), nanFirst: true },
};

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
  checkOptions(options, FN, OPTION_NAMES);
  await ensureBackend();
  const ctx = await openSamplingContext(options);
  const plan = fixedFactorPlan(options, ctx.factorSizes);
  const conventions = CONVENTIONS[plan.preset];
  const pruneThreshold = numberOption(options.pruneThreshold, 'pruneThreshold', conventions.pruneThreshold, 0);
  const numVarianceEstimate = intOption(options.numVarianceEstimate, 'numVarianceEstimate', conventions.scaleSetSize(ctx.factorSizes), 2);
  const root = createRng(options.seed ?? 0);
  const [scaleRng, trainRng, evalRng] = [root.fork(), root.fork(), root.fork()];
  const scaleBatches = Math.ceil(numVarianceEstimate / plan.batchSize);
  const progress = new ProgressCounter(options.onProgress, scaleBatches + plan.numTrain + plan.numEval, options.signal);

  const globalVariance = await globalCodeVariance(ctx, numVarianceEstimate, plan.batchSize, conventions.ddof, scaleRng, progress);
  const active = Uint8Array.from(globalVariance, (v) => (Math.sqrt(v) >= pruneThreshold ? 1 : 0));
  const numActiveDims = active.reduce((s, a) => s + a, 0);
  const D = globalVariance.length;
  const base = { numActiveDims, numCodeDims: D, globalVariance: Array.from(globalVariance), preset: plan.preset, evalMode: plan.evalMode };
  if (numActiveDims === 0) {
    progress.finish('votes');
    const none = toRows(intMatrix(ctx.factorSizes.length, D));
    return { ...base, score: 0, trainAccuracy: 0, evalAccuracy: 0, revisedAccuracy: 0, votes: none, evalVotes: none, mapping: new Array<number>(D).fill(0) };
  }

  const run: VoteRun<Obs> = { ctx, plan, conventions, scale: globalVariance, active, progress };
  const votes = await tallyVotes(run, plan.numTrain, trainRng);
  const train = scoreMajorityVotes(votes);
  const evalVotes = plan.evalMode === 'train' ? votes : await tallyVotes(run, plan.numEval, evalRng);
  const evalAccuracy = majorityVoteAccuracy(evalVotes, train.mapping);
  return {
    ...base,
    score: evalAccuracy,
    trainAccuracy: train.accuracy,
    evalAccuracy,
    revisedAccuracy: train.topAccuracy,
    votes: toRows(votes),
    evalVotes: toRows(evalVotes),
    mapping: Array.from(train.mapping),
  };
}

/** Per-dim variance of the codes of `factors`, reduced where the codes live (only D numbers read back from a tensor). */
function codeVariance<Obs>(ctx: SamplingContext<Obs>, factors: IntMatrix, rng: Rng, ddof: number): Promise<Float64Array> {
  return withRawCodes(ctx, factors, rng, async (codes) => (await columnMoments(codes, 'represent', FN, ddof)).variance);
}

/**
 * Variance of the codes of `n` random points, streamed in batches: each batch is reduced to its mean and
 * variance where it lives and merged into running moments (`mergeMoments`), so memory stays at one batch.
 */
async function globalCodeVariance<Obs>(
  ctx: SamplingContext<Obs>,
  n: number,
  batchSize: number,
  ddof: number,
  rng: Rng,
  progress: ProgressCounter,
): Promise<Float64Array> {
  let moments: RunningMoments | undefined;
  const ahead = lookahead(ctx, batchSize);
  const drawn: IntMatrix[] = [];
  for (let start = 0; start < n; start += batchSize) {
    if (drawn.length === 0) {
      // With a code table, draw a few batches ahead (same rng order) and encode their missing rows together.
      for (let s = start; s < n && drawn.length < ahead; s += batchSize) drawn.push(await drawFactors(ctx, Math.min(batchSize, n - s), rng));
      if (ahead > 1) await prefetchCodes(ctx, drawn, rng);
    }
    const factors = drawn.shift() as IntMatrix;
    moments = await withRawCodes(ctx, factors, rng, async (codes) => {
      const batch = await columnMoments(codes, 'represent', FN, 0);
      return mergeMoments(moments, factors.rows, batch.mean, batch.variance);
    });
    await progress.step('variance');
  }
  return momentsVariance(moments as RunningMoments, ddof);
}

/** What the votes of one run are cast against. */
interface VoteRun<Obs> {
  ctx: SamplingContext<Obs>;
  plan: FixedFactorPlan;
  conventions: FactorVaeConventions;
  /** The global variance each dim's in-batch variance is divided by. */
  scale: Float64Array;
  active: Uint8Array;
  progress: ProgressCounter;
}

/**
 * Casts `count` votes and tallies them K×D: each vote holds the plan's factor fixed over a batch, encodes it and
 * votes for the dim of lowest normalized variance (none when no dim is eligible). With a code table the factors
 * of a few votes are drawn first (in the same rng order: a deterministic dataset's rendering draws nothing) and
 * their missing rows encoded together.
 */
async function tallyVotes<Obs>(run: VoteRun<Obs>, count: number, rng: Rng): Promise<IntMatrix> {
  const { ctx, plan, conventions } = run;
  const votes = intMatrix(ctx.factorSizes.length, run.scale.length);
  const ahead = lookahead(ctx, plan.batchSize);
  for (let i = 0; i < count; ) {
    const group: { k: number; factors: IntMatrix }[] = [];
    for (let j = 0; j < ahead && i + j < count; j++) {
      const k = plan.factorOf(i + j, rng);
      group.push({ k, factors: holdColumnFixed(await drawFactors(ctx, plan.batchSize, rng), k) });
    }
    if (ahead > 1) await prefetchCodes(ctx, group.map((g) => g.factors), rng);
    for (const { k, factors } of group) {
      const variance = await codeVariance(ctx, factors, rng, conventions.ddof);
      castLowestVarianceVote(votes, k, variance, run.scale, run.active, conventions.nanFirst);
      await run.progress.step('votes');
    }
    i += group.length;
  }
  return votes;
}
