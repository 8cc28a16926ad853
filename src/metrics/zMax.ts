/**
 * Z-max (Kim, Wang, Sahu & Pavlovic 2019, "Relevance Factor VAE: Learning and Identifying Disentangled
 * Factors", arXiv:1902.01568): the FactorVAE vote turned around, as ubisoft-laforge-disentanglement-metrics'
 * `z_max_var.py` computes it. One factor varies over a batch while the others stay fixed; the code whose variance
 * (relative to its global variance) is largest votes for that factor.
 */
import { ProgressCounter } from '../core/batching.js';
import { DisentangleError } from '../core/errors.js';
import { intMatrix, toRows, type IntMatrix, type Matrix } from '../core/matrix.js';
import { createRng, permutation, type Rng } from '../core/rng.js';
import { columnMoments, meanVarianceColumns, mergeMoments, momentsVariance, type RunningMoments } from '../core/stats.js';
import type { GroundTruthDataset, LabelledCodes, RepresentationFunction, RunOptions, TensorLike } from '../core/types.js';
import { checkFactorsVary, checkOptions, intOption, numberOption, testAndOptions, type CodesAndFactors, type FactorOptions } from '../core/validate.js';
import { drawFactors, holdColumnFixed, openSamplingContext, withRawCodes, type CodeRouteOptions, type SamplingContext } from '../data/sampling.js';
import { lookahead, prefetchCodes } from '../data/prefetch.js';
import { readFactorSplits } from '../estimators/information/discretize.js';
import { majorityVoteAccuracy, majorityVoteMapping } from '../estimators/majorityVote.js';
import { castTableVotes, combinationGroups, factorCounts, highestNormalizedVarianceDim, type VoteTable } from '../estimators/zMaxVotes.js';
import { ensureBackend } from '../core/backend.js';

/** The protocol options both Z-max entries take (the reference's names in brackets). */
export interface ZMaxProtocolOptions {
  /** Rows per vote, default 200 (`batch_size`). */
  batchSize?: number;
  /** Training votes, default 800 (`nb_training`). */
  numTrain?: number;
  /** Evaluation votes, default 800 (`nb_eval`). */
  numEval?: number;
  /** Points for the global variances (ddof 1), default 10,000 (`nb_variance_estimate`). */
  numVarianceEstimate?: number;
  /** Codes whose global std is below this cast no vote, default 0.05 (`std_threshold`). */
  stdThreshold?: number;
  /** Map accuracy a to (a − 1/K) / (1 − 1/K), so that chance scores 0; default true (`scale`). */
  scale?: boolean;
}

/** Options of {@link zMaxFromCodes}. */
export interface ZMaxOptions extends ZMaxProtocolOptions, FactorOptions {
  /** Seed of the random votes, default 0. */
  seed?: number;
}

/** Result of {@link zMaxFromCodes} / {@link computeZMax}. */
export interface ZMaxResult {
  /** The headline number, equal to `evalAccuracy`. */
  score: number;
  /** Accuracy of the majority-vote classifier on the evaluation votes (scaled unless `scale: false`). */
  evalAccuracy: number;
  /** Its accuracy on the training votes it was built from (same scaling). */
  trainAccuracy: number;
  /** Training votes, D×K: votes[d][k] = times code d had the largest normalised variance while factor k varied. */
  votes: number[][];
  /** Evaluation votes, D×K. */
  evalVotes: number[][];
  /** The classifier: the factor each code predicts (the argmax of its training votes, first on ties). */
  mapping: number[];
  /** Codes whose global std reached `stdThreshold` (and whose variance is not 0). */
  numActiveDims: number;
  numCodeDims: number;
  /** Global variance of each code (ddof 1). */
  globalVariance: number[];
}

const PROTOCOL_NAMES = Object.keys({
  batchSize: 0, numTrain: 0, numEval: 0, numVarianceEstimate: 0, stdThreshold: 0, scale: 0,
} satisfies Record<keyof ZMaxProtocolOptions, 0>);
const ENTRY_OPTION_NAMES = [...PROTOCOL_NAMES, 'seed', 'factorDiscretizer'];

interface Protocol {
  batchSize: number;
  numTrain: number;
  numEval: number;
  numVarianceEstimate: number;
  stdThreshold: number;
  scale: boolean;
}

function readProtocol(o: ZMaxProtocolOptions): Protocol {
  if (o.scale !== undefined && typeof o.scale !== 'boolean') throw new DisentangleError('BAD_OPTION', 'scale', `expected true or false, got ${String(o.scale)}`);
  return {
    batchSize: intOption(o.batchSize, 'batchSize', 200, 2),
    numTrain: intOption(o.numTrain, 'numTrain', 800),
    numEval: intOption(o.numEval, 'numEval', 800),
    numVarianceEstimate: intOption(o.numVarianceEstimate, 'numVarianceEstimate', 10000, 2),
    stdThreshold: numberOption(o.stdThreshold, 'stdThreshold', 0.05, 0),
    scale: o.scale ?? true,
  };
}

/**
 * Z-max from precomputed codes and factors, with the fixed-table protocol of ubisoft-laforge-disentanglement-
 * metrics' `z_max_var`: global variances (ddof 1) from up to `numVarianceEstimate` shuffled rows; codes with std
 * below `stdThreshold` are ignored; each vote draws a factor k uniformly, fixes the other factors to a
 * combination that occurs at least twice in the table (drawn uniformly among such combinations), takes
 * `batchSize` rows with that combination (cycling through freshly shuffled matching rows when there are fewer)
 * and votes for the active code with the largest in-batch variance / global variance. Each code predicts the
 * factor it got most training votes for; the score is that classifier's accuracy on the evaluation votes,
 * scaled so that chance (1/K) is 0 and 1 stays 1. Perfect = 1.
 *
 * Defaults are the reference's: 800 training and 800 evaluation votes of 200 rows, 10,000 rows for the
 * variances, std threshold 0.05, scaled. Without `test` both vote sets come from `train` (the reference's one
 * table); with `test` the training votes and the variances come from `train` and the evaluation votes from
 * `test`. Votes are stored by the true code index (the reference shifts indices after pruning; the accuracies
 * are the same). No active code → every score 0 (the reference raises).
 *
 * Factors are integer indices, or measured values with `factorDiscretizer` (the reference's own default is
 * continuous factors min-max scaled into 3 bins: `factorDiscretizer: 3`). A constant factor is `BAD_INPUT`; so is
 * a table in which some factor has no combination of the other factors that occurs twice (the reference returns
 * NaN: the factors are binned too finely). At least 2 factors and 2 rows per split are needed.
 *
 * @param train `{ codes: n×D, factors: n×K }`.
 * @param options `seed` (0), `batchSize`, `numTrain`, `numEval`, `numVarianceEstimate`, `stdThreshold`, `scale`,
 *   `factorDiscretizer`; an unknown name is `BAD_OPTION`.
 * @example
 * const factors = Array.from({ length: 40 }, (_, i) => [i % 2, Math.floor(i / 2) % 4]);
 * const { score } = zMaxFromCodes({ codes: factors.map(([a, b]) => [b, 3 * a]), factors }); // 1
 */
export function zMaxFromCodes(train: LabelledCodes, options?: ZMaxOptions): ZMaxResult;
/** {@link zMaxFromCodes} with evaluation votes drawn from a held-out split. */
export function zMaxFromCodes(train: LabelledCodes, test: LabelledCodes | undefined, options?: ZMaxOptions): ZMaxResult;
export function zMaxFromCodes(train: LabelledCodes, second?: LabelledCodes | ZMaxOptions, third?: ZMaxOptions): ZMaxResult {
  const fn = 'zMaxFromCodes';
  const { test, options } = testAndOptions<ZMaxOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  const protocol = readProtocol(options);
  const rng = createRng(options.seed ?? 0);
  const [tr, te] = readFactorSplits([[train, 'train'], [test, 'test']], fn, options.factorDiscretizer);
  const splits = te ? [[tr!, 'train'], [te, 'test']] as const : [[tr!, 'train']] as const;
  const tables = splits.map(([split, name]) => checkTable(split, name, fn));
  const K = tr!.factors.cols;

  const [scaleRng, voteRng] = [rng.fork(), rng.fork()];
  const order = permutation(tr!.codes.rows, scaleRng);
  const used = order.subarray(0, Math.min(order.length, protocol.numVarianceEstimate));
  const globalVariance = meanVarianceColumns(pickRows(tr!.codes, used), 1).variance;
  const active = activeCodes(globalVariance, protocol.stdThreshold);
  const trainCounts = factorCounts(protocol.numTrain, K, voteRng);
  const evalCounts = factorCounts(protocol.numEval, K, voteRng);
  const D = tr!.codes.cols;
  const votes = { train: intMatrix(K, D), eval: intMatrix(K, D) };
  if (active.some((a) => a === 1)) {
    const zeros = new Int32Array(K);
    if (tables.length === 1) castTableVotes(tables[0], trainCounts, evalCounts, votes, globalVariance, active, protocol.batchSize, voteRng);
    else {
      castTableVotes(tables[0], trainCounts, zeros, votes, globalVariance, active, protocol.batchSize, voteRng);
      castTableVotes(tables[1], zeros, evalCounts, votes, globalVariance, active, protocol.batchSize, voteRng);
    }
  }
  return zMaxResult(votes.train, votes.eval, globalVariance, active, protocol.scale);
}

function checkTable(split: CodesAndFactors, name: string, fn: string): VoteTable {
  const { codes, factors } = split;
  if (codes.rows < 2) throw new DisentangleError('EMPTY', `${name} (in ${fn})`, `has ${codes.rows} rows; a variance needs at least 2`);
  if (factors.cols < 2) throw new DisentangleError('SHAPE_MISMATCH', `${name}.factors (in ${fn})`, `has ${factors.cols} factor; a vote between factors needs at least 2`);
  checkFactorsVary(factors, `${name}.factors`, fn);
  const groups = Array.from({ length: factors.cols }, (_, k) => {
    const g = combinationGroups(factors, k);
    if (g.length === 0) {
      throw new DisentangleError('BAD_INPUT', `${name}.factors (in ${fn})`, `no combination of the factors other than factor ${k} occurs in two rows, so factor ${k} cannot be varied with the others fixed: the factor table is too fine (use fewer factorDiscretizer bins, or more rows)`);
    }
    return g;
  });
  return { codes, groups };
}

/** Active codes: global std ≥ threshold and a variance above 0 (a constant code votes for nothing). */
function activeCodes(variance: Float64Array, threshold: number): Uint8Array {
  return Uint8Array.from(variance, (v) => (v > 0 && Math.sqrt(v) >= threshold ? 1 : 0));
}

function pickRows(m: Matrix, rows: ArrayLike<number>): Matrix {
  const out = new Float64Array(rows.length * m.cols);
  for (let i = 0; i < rows.length; i++) out.set(m.data.subarray(rows[i] * m.cols, (rows[i] + 1) * m.cols), i * m.cols);
  return { data: out, rows: rows.length, cols: m.cols };
}

/**
 * The classifier and its accuracies from K×D training and evaluation votes (the reference's last lines):
 * each code predicts the argmax of its training votes; accuracy = correctly classified votes / all votes,
 * scaled to (a − 1/K) / (1 − 1/K) when `scale`. No vote at all (no active code) gives 0 everywhere.
 *
 * @example
 * const r = zMaxResult(intMatrix(2, 2, Int32Array.of(3, 0, 1, 5)), intMatrix(2, 2, Int32Array.of(2, 1, 0, 4)), Float64Array.of(1, 1), Uint8Array.of(1, 1), false);
 * r.trainAccuracy; // 8 / 9
 */
export function zMaxResult(trainVotes: IntMatrix, evalVotes: IntMatrix, globalVariance: Float64Array, active: Uint8Array, scale: boolean): ZMaxResult {
  const K = trainVotes.rows;
  const mapping = majorityVoteMapping(trainVotes);
  const anyVote = trainVotes.data.some((v) => v > 0);
  const scaled = (a: number): number => (anyVote && scale ? (a - 1 / K) / (1 - 1 / K) : a);
  const trainAccuracy = scaled(majorityVoteAccuracy(trainVotes, mapping));
  const evalAccuracy = scaled(majorityVoteAccuracy(evalVotes, mapping));
  return {
    score: evalAccuracy,
    evalAccuracy,
    trainAccuracy,
    votes: toRows(transpose(trainVotes)),
    evalVotes: toRows(transpose(evalVotes)),
    mapping: Array.from(mapping),
    numActiveDims: active.reduce((s, a) => s + a, 0),
    numCodeDims: globalVariance.length,
    globalVariance: Array.from(globalVariance),
  };
}

function transpose(m: IntMatrix): IntMatrix {
  const out = intMatrix(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out.data[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
}

/** Options of {@link computeZMax}. */
export interface ComputeZMaxOptions<Obs = TensorLike> extends RunOptions, CodeRouteOptions, ZMaxProtocolOptions {
  dataset: GroundTruthDataset<Obs>;
  /** The model's representation; optional when `codeTable` is given. */
  represent?: RepresentationFunction<Obs>;
}

const COMPUTE_OPTION_NAMES = [
  ...Object.keys({ dataset: 0, represent: 0, codeTable: 0, codeSource: 0, seed: 0, onProgress: 0, signal: 0 } satisfies Record<Exclude<keyof ComputeZMaxOptions, keyof ZMaxProtocolOptions>, 0>),
  ...PROTOCOL_NAMES,
  'sharedDraws', // handed to every entry by evaluate(); Z-max draws its own groups
];
const FN = 'computeZMax';

/**
 * Z-max on a ground-truth dataset: each vote draws a factor k uniformly and one factor row, then a batch of
 * `batchSize` rows in which factor k is drawn afresh per row and every other factor keeps that row's value; the
 * batch is encoded and votes for the active code with the largest in-batch variance relative to its global
 * variance (from `numVarianceEstimate` random points, ddof 1). Defaults are the reference's sizes: 800 training
 * and 800 evaluation votes of 200 rows, 10,000 points for the variances, std threshold 0.05, scaled accuracy.
 *
 * @example
 * const { score } = await computeZMax({ dataset: dsprites(), represent: encoder, seed: 0 });
 */
export async function computeZMax<Obs = TensorLike>(options: ComputeZMaxOptions<Obs>): Promise<ZMaxResult> {
  checkOptions(options, FN, COMPUTE_OPTION_NAMES);
  const protocol = readProtocol(options);
  await ensureBackend();
  const ctx = await openSamplingContext(options);
  const K = ctx.factorSizes.length;
  if (K < 2) throw new DisentangleError('SHAPE_MISMATCH', 'dataset.factorSizes', `has ${K} factor; a vote between factors needs at least 2`);
  const root = createRng(options.seed ?? 0);
  const [scaleRng, trainRng, evalRng] = [root.fork(), root.fork(), root.fork()];
  const scaleBatches = Math.ceil(protocol.numVarianceEstimate / protocol.batchSize);
  const progress = new ProgressCounter(options.onProgress, scaleBatches + protocol.numTrain + protocol.numEval, options.signal);

  const globalVariance = await globalCodeVariance(ctx, protocol, scaleRng, progress);
  const active = activeCodes(globalVariance, protocol.stdThreshold);
  const D = globalVariance.length;
  if (!active.some((a) => a === 1)) {
    progress.finish('votes');
    return zMaxResult(intMatrix(K, D), intMatrix(K, D), globalVariance, active, protocol.scale);
  }
  const run = { ctx, protocol, globalVariance, active, progress };
  const trainVotes = await sampledVotes(run, protocol.numTrain, trainRng);
  const evalVotes = await sampledVotes(run, protocol.numEval, evalRng);
  return zMaxResult(trainVotes, evalVotes, globalVariance, active, protocol.scale);
}

/** Global variance (ddof 1) of the codes of `numVarianceEstimate` random points, streamed batch by batch. */
async function globalCodeVariance<Obs>(ctx: SamplingContext<Obs>, protocol: Protocol, rng: Rng, progress: ProgressCounter): Promise<Float64Array> {
  const { numVarianceEstimate: n, batchSize } = protocol;
  let moments: RunningMoments | undefined;
  const ahead = lookahead(ctx, batchSize);
  for (let start = 0; start < n; ) {
    const drawn: IntMatrix[] = [];
    for (let s = start; s < n && drawn.length < ahead; s += batchSize) drawn.push(await drawFactors(ctx, Math.min(batchSize, n - s), rng));
    if (ahead > 1) await prefetchCodes(ctx, drawn, rng);
    for (const factors of drawn) {
      moments = await withRawCodes(ctx, factors, rng, async (codes) => {
        const batch = await columnMoments(codes, 'represent', FN, 0);
        return mergeMoments(moments, factors.rows, batch.mean, batch.variance);
      });
      start += factors.rows;
      await progress.step('variance');
    }
  }
  return momentsVariance(moments as RunningMoments, 1);
}

/**
 * `count` sampled votes tallied K×D. A batch is one factor draw repeated, except column k, which keeps each row's
 * own draw: factor k varies, the others are fixed. With a code table several batches are drawn first (same
 * rng order) and their missing rows encoded together.
 */
async function sampledVotes<Obs>(
  run: { ctx: SamplingContext<Obs>; protocol: Protocol; globalVariance: Float64Array; active: Uint8Array; progress: ProgressCounter },
  count: number,
  rng: Rng,
): Promise<IntMatrix> {
  const { ctx, protocol } = run;
  const K = ctx.factorSizes.length;
  const votes = intMatrix(K, run.globalVariance.length);
  const ahead = lookahead(ctx, protocol.batchSize);
  for (let i = 0; i < count; ) {
    const group: { k: number; factors: IntMatrix }[] = [];
    for (let j = 0; j < ahead && i + j < count; j++) {
      const k = rng.int(K);
      const factors = await drawFactors(ctx, protocol.batchSize, rng);
      for (let c = 0; c < K; c++) if (c !== k) holdColumnFixed(factors, c);
      group.push({ k, factors });
    }
    if (ahead > 1) await prefetchCodes(ctx, group.map((g) => g.factors), rng);
    for (const { k, factors } of group) {
      const variance = await withRawCodes(ctx, factors, rng, async (codes) => (await columnMoments(codes, 'represent', FN, 1)).variance);
      const d = highestNormalizedVarianceDim(variance, run.globalVariance, run.active);
      if (d >= 0) votes.data[k * votes.cols + d] += 1;
      await run.progress.step('votes');
    }
    i += group.length;
  }
  return votes;
}
