/**
 * The engine of ModelCentrality: one data model's fixed-code groups and scale set, generated once and encoded by
 * any set of encoders, reduced to FactorVAE votes and the pairwise scores d[i][j]. `modelCentrality.ts` runs it
 * for every column of the matrix; a population run spreads the columns (or pairs) over processes.
 */
import { forEachBatch, raceAbort, type Yielder } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import type { IntMatrix, Matrix } from '../core/matrix.js';
import { sliceRows } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
// Edited latents go back to the generator in the form its prior produced them.
import { disposeIfTensor, hasShape, likeInput as asModelLatents, shapeOf, toMatrixAsync } from '../core/tensor.js';
import type { GenerativeModel, TensorLike } from '../core/types.js';
import { intOption } from '../core/validate.js';
import { holdColumnFixed, rejectDisposed } from '../data/sampling.js';
import { mergeMoments, type RunningMoments } from '../core/stats.js';
import { codeMoments, groupVariances } from './codeReductions.js';
import { checkPopulation } from './ranking.js';
import { castLowestVarianceVote, majorityVoteAccuracy, majorityVoteMapping, majorityVoteTopAccuracy } from '../estimators/majorityVote.js';

const FN = 'modelCentrality';

/** What a pairwise metric sees of one (encoder i, data model j) pair. */
export interface PairwiseMetricInput {
  /** K_j × D_i votes: row k = code dim of model j held fixed, column d = model i's lowest-variance dim. */
  votes: IntMatrix;
  /** G_j × D_i: each group's variance of model i's codes divided by their variance on j's scale set. */
  normalizedVariances: Matrix;
  /** The code dim of model j held fixed in each group. */
  labels: Int32Array;
  encoder: number;
  data: number;
}

/**
 * How d[i][j] is scored. `'factorvae'` (default): InfoGAN-CR's FactorVAE metric, Σ_d max_k votes / total,
 * fitted and scored on the same groups. `'factorvae-revised'`: InfoGAN-CR's `factorVAE_metric_revised`, only
 * the K_j best code dims get credit. A function receives the votes and normalized variances.
 */
export type PairwiseMetric = 'factorvae' | 'factorvae-revised' | ((input: PairwiseMetricInput) => number);

/** What an encoder's codes showed so far: their width, fixed by the first batch. */
/** The sizes and the pairwise score of a ModelCentrality run (InfoGAN-CR's defaults). */
export interface CentralitySizes {
  /** Fixed-code groups per data model. Default 100 × that model's `codeDims` (InfoGAN-CR: 500 for 5 codes, 1000 for 10). */
  groups?: number;
  /** Samples per group (default 100, as InfoGAN-CR). */
  groupSize?: number;
  /** Generated samples that set each encoder's per-dim scale (default 73,728 = dSprites / 10, as InfoGAN-CR). */
  scaleSetSize?: number;
  /** Rows per `generate` / `represent` call (default 100); the numbers do not depend on it. */
  batchSize?: number;
  metric?: PairwiseMetric;
}

export interface EncoderState {
  dims?: number;
}

/** One encoder of a column: the model, its index in the population (for messages) and what its codes showed so far. */
export interface Encoder<Obs> {
  model: GenerativeModel<Obs>;
  index: number;
  state: EncoderState;
}

/** Draws latents from model j's prior and checks them; returns them as a matrix and in the model's own form. */
export async function drawLatents<Obs>(model: GenerativeModel<Obs>, j: number, n: number, rng: Rng, signal: AbortSignal | undefined): Promise<{ raw: TensorLike; matrix: () => Promise<Matrix> }> {
  const arg = `models[${j}].sampleLatents`;
  throwIfAborted(signal);
  const raw = await raceAbort(model.sampleLatents(n, rng), signal, arg);
  if (raw == null) throw new DisentangleError('CALLBACK_RESULT', arg, `returned ${String(raw)}; expected ${n}×${model.latentDims} latents`);
  rejectDisposed(raw, arg);
  const shape = shapeOf(raw, arg, FN);
  if (shape.length !== 2 || shape[0] !== n || shape[1] !== model.latentDims) {
    disposeIfTensor(raw);
    throw new DisentangleError('CALLBACK_RESULT', arg, `returned shape [${shape}] for ${n} samples; expected [${n}, ${model.latentDims}]`);
  }
  return { raw, matrix: () => toMatrixAsync(raw, arg, FN, { rows: n, cols: model.latentDims }) };
}

/** The abort signal and the event-loop turns shared by every step of one run. */
export interface RunControl {
  signal?: AbortSignal;
  yielder: Yielder;
}

/**
 * Generates one batch from model j and encodes it with every encoder in turn; `reduce(e, codes)` (e = position in
 * `encoders`) must reduce
 * the codes before the next encoder runs, so at most one batch of images and one of codes are alive. Takes
 * ownership of `latents`: they are disposed whatever happens, a failing or abandoned `generate` included.
 */
export async function encodeWithAll<Obs>(
  generator: GenerativeModel<Obs>,
  j: number,
  encoders: readonly Encoder<Obs>[],
  latents: TensorLike,
  rows: number,
  run: RunControl,
  reduce: (i: number, codes: TensorLike, dims: number) => Promise<void>,
): Promise<number> {
  const owned = new Set<unknown>([latents]);
  try {
    throwIfAborted(run.signal); // a synchronous callback cannot be interrupted: do not start one after an abort
    const obs = await raceAbort(generator.generate(latents), run.signal, `models[${j}].generate`);
    owned.add(obs);
    if (obs == null) throw new DisentangleError('CALLBACK_RESULT', `models[${j}].generate`, `returned ${String(obs)}; expected a batch of ${rows} observations`);
    rejectDisposed(obs, `models[${j}].generate`);
    if (hasShape(obs)) {
      const shape = shapeOf(obs as unknown as TensorLike, `models[${j}].generate`, FN);
      if (shape[0] !== rows) {
        throw new DisentangleError('CALLBACK_RESULT', `models[${j}].generate`, `returned ${shape[0]} observations for ${rows} latents; it must return one per latent row`);
      }
    }
    await run.yielder.maybeYield();
    for (let e = 0; e < encoders.length; e++) {
      const { model, index: i, state } = encoders[e];
      const arg = `models[${i}].represent`;
      const codes = await raceAbort(model.represent(obs), run.signal, arg);
      try {
        if (codes == null) throw new DisentangleError('CALLBACK_RESULT', arg, `returned ${String(codes)}; expected ${rows}×D codes`);
        rejectDisposed(codes, arg);
        const shape = shapeOf(codes, arg, FN);
        if (shape.length !== 2 || shape[0] !== rows || shape[1] < 1) {
          throw new DisentangleError('CALLBACK_RESULT', arg, `returned shape [${shape}] for ${rows} observations; expected [${rows}, D]`);
        }
        if (state.dims === undefined) state.dims = shape[1];
        else if (state.dims !== shape[1]) {
          throw new DisentangleError('CALLBACK_RESULT', arg, `returned ${shape[1]} code dims, earlier batches had ${state.dims}`);
        }
        await reduce(e, codes, shape[1]);
      } finally {
        if (!owned.has(codes)) disposeIfTensor(codes);
      }
      // One encoder call can take long (a conv net on a big batch): each is a chance to yield and stop.
      await run.yielder.maybeYield();
    }
    return encoders.length;
  } finally {
    for (const t of owned) disposeIfTensor(t);
  }
}

export function scoreVotes(metric: PairwiseMetric, input: PairwiseMetricInput): number {
  if (metric === 'factorvae') return majorityVoteAccuracy(input.votes, majorityVoteMapping(input.votes));
  if (metric === 'factorvae-revised') return majorityVoteTopAccuracy(input.votes, input.votes.rows);
  const s = metric(input);
  if (typeof s !== 'number' || Number.isNaN(s)) throw new DisentangleError('CALLBACK_RESULT', 'metric', `returned ${String(s)}; expected a number`);
  return s;
}

/** Checks the models (a whole population unless `population` is false) and returns each one's code dims. */
export function checkModels<Obs>(models: readonly GenerativeModel<Obs>[] | undefined, population = true): number[] {
  if (population) checkPopulation(models, FN);
  return models!.map((m, j) => {
    const arg = `models[${j}]`;
    if (!m || typeof m !== 'object') throw new DisentangleError('BAD_INPUT', arg, 'expected a GenerativeModel');
    for (const f of ['sampleLatents', 'generate', 'represent'] as const) {
      if (typeof m[f] !== 'function') throw new DisentangleError('BAD_INPUT', `${arg}.${f}`, 'must be a function');
    }
    if (m.latentDims === undefined) throw new DisentangleError('BAD_INPUT', `${arg}.latentDims`, 'is missing; it is the width of z passed to generate');
    const latentDims = intOption(m.latentDims, `${arg}.latentDims`, 1, 1);
    return intOption(m.codeDims, `${arg}.codeDims`, latentDims, 1, latentDims);
  });
}

/** Everything model j's generated data contributes for the given encoders: d[i][j] for each of them. */
export async function evaluateOnModel<Obs>(
  generator: GenerativeModel<Obs>,
  j: number,
  encoders: readonly Encoder<Obs>[],
  codeDims: number,
  cfg: { groups: number; groupSize: number; scaleSetSize: number; batchSize: number; metric: PairwiseMetric; run: RunControl; onRows?: (done: number, total: number) => void },
  rng: Rng,
): Promise<{ scores: number[]; votes: IntMatrix[]; encodes: number }> {
  const n = encoders.length;
  const scaleRng = rng.fork();
  const groupRng = rng.fork();
  let encodes = 0;
  const moments: (RunningMoments | undefined)[] = new Array(n).fill(undefined);
  const rowsTotal = cfg.scaleSetSize + cfg.groups * cfg.groupSize;
  const scaleRows = cfg.onRows && ((p: { done: number }) => cfg.onRows!(p.done, rowsTotal));
  const groupRows = cfg.onRows && ((p: { done: number }) => cfg.onRows!(cfg.scaleSetSize + p.done * cfg.groupSize, rowsTotal));
  const { signal } = cfg.run;
  await forEachBatch({ total: cfg.scaleSetSize, batchSize: cfg.batchSize, stage: 'scale set', signal, onProgress: scaleRows }, async (_s, size) => {
    const { raw } = await drawLatents(generator, j, size, scaleRng, signal);
    encodes += await encodeWithAll(generator, j, encoders, raw, size, cfg.run, async (e, codes) => {
      const { mean, variance } = await codeMoments(codes, `models[${encoders[e].index}].represent`, FN);
      moments[e] = mergeMoments(moments[e], size, mean, variance);
    });
  });
  const scaleVar = moments.map((m) => Float64Array.from(m!.m2, (v) => v / m!.n));
  const dimsOf = (e: number): number => encoders[e].state.dims!;
  const votes = encoders.map((_, e) => ({ data: new Int32Array(codeDims * dimsOf(e)), rows: codeDims, cols: dimsOf(e) }));
  const normalized = encoders.map((_, e) => new Float64Array(cfg.groups * dimsOf(e)));
  const labels = Int32Array.from({ length: cfg.groups }, (_, m) => m % codeDims);
  const perCall = Math.max(1, Math.floor(cfg.batchSize / cfg.groupSize));
  await forEachBatch({ total: cfg.groups, batchSize: perCall, stage: 'groups', signal, onProgress: groupRows }, async (first, count) => {
    const rows = count * cfg.groupSize;
    const drawn = await drawLatents(generator, j, rows, groupRng, signal);
    let z: Matrix;
    try {
      z = await drawn.matrix();
    } finally {
      disposeIfTensor(drawn.raw); // edited latents are handed on as a fresh block below
    }
    for (let g = 0; g < count; g++) holdColumnFixed(sliceRows(z, g * cfg.groupSize, cfg.groupSize), labels[first + g]);
    const latents = asModelLatents(drawn.raw, z);
    encodes += await encodeWithAll(generator, j, encoders, latents, rows, cfg.run, async (e, codes, dims) => {
      const v = await groupVariances(codes, count, cfg.groupSize, dims, `models[${encoders[e].index}].represent`, FN);
      for (let g = 0; g < count; g++) {
        const row = v.subarray(g * dims, (g + 1) * dims);
        castLowestVarianceVote(votes[e], labels[first + g], row, scaleVar[e], undefined, true);
        for (let d = 0; d < dims; d++) normalized[e][(first + g) * dims + d] = row[d] / scaleVar[e][d];
      }
    });
  });
  const scores = encoders.map((enc, e) =>
    scoreVotes(cfg.metric, {
      votes: votes[e],
      normalizedVariances: { data: normalized[e], rows: cfg.groups, cols: dimsOf(e) },
      labels,
      encoder: enc.index,
      data: j,
    }),
  );
  return { scores, votes, encodes };
}

/** The sizes of one run, each option checked and defaulted. */
export interface CentralitySettings {
  groups?: number;
  groupSize: number;
  scaleSetSize: number;
  batchSize: number;
  metric: PairwiseMetric;
}

export function centralitySettings(options: CentralitySizes): CentralitySettings {
  const metric = options.metric ?? 'factorvae';
  if (metric !== 'factorvae' && metric !== 'factorvae-revised' && typeof metric !== 'function') {
    throw new DisentangleError('BAD_OPTION', 'metric', `expected 'factorvae', 'factorvae-revised' or a function, got ${String(metric)}`);
  }
  return {
    groups: options.groups === undefined ? undefined : intOption(options.groups, 'groups', 1),
    groupSize: intOption(options.groupSize, 'groupSize', 100, 2),
    scaleSetSize: intOption(options.scaleSetSize, 'scaleSetSize', 73728, 1),
    batchSize: intOption(options.batchSize, 'batchSize', 100, 1),
    metric,
  };
}

/** Model j's own stream: the j-th child of the seed's stream, whichever other columns a process computes. */
export function columnRng(seed: number, j: number): Rng {
  const root = createRng(seed);
  let child = root.fork();
  for (let k = 0; k < j; k++) child = root.fork();
  return child;
}
