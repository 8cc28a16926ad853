/**
 * ModelCentrality (Lin et al. 2020, "InfoGAN-CR and ModelCentrality", arXiv 1906.06034): unsupervised model
 * selection by picking the medoid of a population, as in the InfoGAN-CR repository's `main_mc*.py` scripts.
 */
import { createYielder, forEachBatch, raceAbort, type Yielder } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import type { IntMatrix, Matrix } from '../core/matrix.js';
import { sliceRows, toRows } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
// Edited latents go back to the generator in the form its prior produced them.
import { disposeIfTensor, hasShape, likeInput as asModelLatents, shapeOf, toMatrixAsync } from '../core/tensor.js';
import type { GenerativeModel, RunOptions, TensorLike } from '../core/types.js';
import { intOption, checkOptions } from '../core/validate.js';
import { holdColumnFixed, rejectDisposed } from '../data/sampling.js';
import { mergeMoments, type RunningMoments } from '../core/stats.js';
import { codeMoments, groupVariances } from './codeReductions.js';
import { argmaxFirst, checkPopulation, rankDescending } from './ranking.js';
import { castLowestVarianceVote, majorityVoteAccuracy, majorityVoteMapping, majorityVoteTopAccuracy } from '../estimators/majorityVote.js';
import { ensureBackend } from '../core/backend.js';

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

/** Options of {@link modelCentrality}. */
export interface ModelCentralityOptions<Obs = TensorLike> extends RunOptions {
  models: readonly GenerativeModel<Obs>[];
  /** Fixed-code groups per data model. Default 100 × that model's `codeDims` (InfoGAN-CR: 500 for 5 codes, 1000 for 10). */
  groups?: number;
  /** Samples per group (default 100, as InfoGAN-CR). */
  groupSize?: number;
  /** Generated samples that set each encoder's per-dim scale (default 73,728 = dSprites / 10, as InfoGAN-CR). */
  scaleSetSize?: number;
  metric?: PairwiseMetric;
}

/** Result of {@link modelCentrality}. */
export interface ModelCentralityResult {
  /** centrality[i] = mean over j ≠ i of symmetric[i][j]. */
  centrality: number[];
  /** d[i][j] = metric of model i's encoder on model j's generated data (the diagonal is computed but unused). */
  pairwise: number[][];
  /** (d + dᵀ) / 2. */
  symmetric: number[][];
  /** Model indices by descending centrality (ties: lower index first). */
  ranking: number[];
  /** argmax of centrality, first index on ties. */
  selected: number;
  /** Groups generated per data model. */
  groups: number[];
  /** Votes of each pair, votes[i][j] as K_j × D_i rows. */
  votes: number[][][][];
  /** Calls made to `represent` (all models together). */
  encodes: number;
}

interface EncoderState {
  dims?: number;
}

/** Draws latents from model j's prior and checks them; returns them as a matrix and in the model's own form. */
async function drawLatents<Obs>(model: GenerativeModel<Obs>, j: number, n: number, rng: Rng, signal: AbortSignal | undefined): Promise<{ raw: TensorLike; matrix: () => Promise<Matrix> }> {
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
interface RunControl {
  signal?: AbortSignal;
  yielder: Yielder;
}

/**
 * Generates one batch from model j and encodes it with every model in turn; `reduce(i, codes)` must reduce
 * the codes before the next encoder runs, so at most one batch of images and one of codes are alive. Takes
 * ownership of `latents`: they are disposed whatever happens, a failing or abandoned `generate` included.
 */
async function encodeWithAll<Obs>(
  models: readonly GenerativeModel<Obs>[],
  states: EncoderState[],
  j: number,
  latents: TensorLike,
  rows: number,
  run: RunControl,
  reduce: (i: number, codes: TensorLike, dims: number) => Promise<void>,
): Promise<number> {
  const owned = new Set<unknown>([latents]);
  try {
    throwIfAborted(run.signal); // a synchronous callback cannot be interrupted: do not start one after an abort
    const obs = await raceAbort(models[j].generate(latents), run.signal, `models[${j}].generate`);
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
    for (let i = 0; i < models.length; i++) {
      const arg = `models[${i}].represent`;
      const codes = await raceAbort(models[i].represent(obs), run.signal, arg);
      try {
        if (codes == null) throw new DisentangleError('CALLBACK_RESULT', arg, `returned ${String(codes)}; expected ${rows}×D codes`);
        rejectDisposed(codes, arg);
        const shape = shapeOf(codes, arg, FN);
        if (shape.length !== 2 || shape[0] !== rows || shape[1] < 1) {
          throw new DisentangleError('CALLBACK_RESULT', arg, `returned shape [${shape}] for ${rows} observations; expected [${rows}, D]`);
        }
        if (states[i].dims === undefined) states[i].dims = shape[1];
        else if (states[i].dims !== shape[1]) {
          throw new DisentangleError('CALLBACK_RESULT', arg, `returned ${shape[1]} code dims, earlier batches had ${states[i].dims}`);
        }
        await reduce(i, codes, shape[1]);
      } finally {
        if (!owned.has(codes)) disposeIfTensor(codes);
      }
      // One encoder call can take long (a conv net on a big batch): each is a chance to yield and stop.
      await run.yielder.maybeYield();
    }
    return models.length;
  } finally {
    for (const t of owned) disposeIfTensor(t);
  }
}

function scoreVotes(metric: PairwiseMetric, input: PairwiseMetricInput): number {
  if (metric === 'factorvae') return majorityVoteAccuracy(input.votes, majorityVoteMapping(input.votes));
  if (metric === 'factorvae-revised') return majorityVoteTopAccuracy(input.votes, input.votes.rows);
  const s = metric(input);
  if (typeof s !== 'number' || Number.isNaN(s)) throw new DisentangleError('CALLBACK_RESULT', 'metric', `returned ${String(s)}; expected a number`);
  return s;
}

function checkModels<Obs>(models: readonly GenerativeModel<Obs>[] | undefined): number[] {
  checkPopulation(models, FN);
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

/** Everything model j's generated data contributes: d[·][j]. */
async function evaluateOnModel<Obs>(
  models: readonly GenerativeModel<Obs>[],
  states: EncoderState[],
  j: number,
  codeDims: number,
  cfg: { groups: number; groupSize: number; scaleSetSize: number; batchSize: number; metric: PairwiseMetric; run: RunControl; onRows?: (done: number, total: number) => void },
  rng: Rng,
): Promise<{ scores: number[]; votes: IntMatrix[]; encodes: number }> {
  const n = models.length;
  const scaleRng = rng.fork();
  const groupRng = rng.fork();
  let encodes = 0;
  const moments: (RunningMoments | undefined)[] = new Array(n).fill(undefined);
  const rowsTotal = cfg.scaleSetSize + cfg.groups * cfg.groupSize;
  const scaleRows = cfg.onRows && ((p: { done: number }) => cfg.onRows!(p.done, rowsTotal));
  const groupRows = cfg.onRows && ((p: { done: number }) => cfg.onRows!(cfg.scaleSetSize + p.done * cfg.groupSize, rowsTotal));
  const { signal } = cfg.run;
  await forEachBatch({ total: cfg.scaleSetSize, batchSize: cfg.batchSize, stage: 'scale set', signal, onProgress: scaleRows }, async (_s, size) => {
    const { raw } = await drawLatents(models[j], j, size, scaleRng, signal);
    encodes += await encodeWithAll(models, states, j, raw, size, cfg.run, async (i, codes) => {
      const { mean, variance } = await codeMoments(codes, `models[${i}].represent`, FN);
      moments[i] = mergeMoments(moments[i], size, mean, variance);
    });
  });
  const scaleVar = moments.map((m) => Float64Array.from(m!.m2, (v) => v / m!.n));
  const votes = states.map((s) => ({ data: new Int32Array(codeDims * s.dims!), rows: codeDims, cols: s.dims! }));
  const normalized = states.map((s) => new Float64Array(cfg.groups * s.dims!));
  const labels = Int32Array.from({ length: cfg.groups }, (_, m) => m % codeDims);
  const perCall = Math.max(1, Math.floor(cfg.batchSize / cfg.groupSize));
  await forEachBatch({ total: cfg.groups, batchSize: perCall, stage: 'groups', signal, onProgress: groupRows }, async (first, count) => {
    const rows = count * cfg.groupSize;
    const drawn = await drawLatents(models[j], j, rows, groupRng, signal);
    let z: Matrix;
    try {
      z = await drawn.matrix();
    } finally {
      disposeIfTensor(drawn.raw); // edited latents are handed on as a fresh block below
    }
    for (let g = 0; g < count; g++) holdColumnFixed(sliceRows(z, g * cfg.groupSize, cfg.groupSize), labels[first + g]);
    const latents = asModelLatents(drawn.raw, z);
    encodes += await encodeWithAll(models, states, j, latents, rows, cfg.run, async (i, codes, dims) => {
      const v = await groupVariances(codes, count, cfg.groupSize, dims, `models[${i}].represent`, FN);
      for (let g = 0; g < count; g++) {
        const row = v.subarray(g * dims, (g + 1) * dims);
        castLowestVarianceVote(votes[i], labels[first + g], row, scaleVar[i], undefined, true);
        for (let d = 0; d < dims; d++) normalized[i][(first + g) * dims + d] = row[d] / scaleVar[i][d];
      }
    });
  });
  const scores = states.map((s, i) =>
    scoreVotes(cfg.metric, {
      votes: votes[i],
      normalizedVariances: { data: normalized[i], rows: cfg.groups, cols: s.dims! },
      labels,
      encoder: i,
      data: j,
    }),
  );
  return { scores, votes, encodes };
}

/**
 * ModelCentrality (Lin, Thekumparampil, Fanti & Oh 2020, InfoGAN-CR paper §5): for every pair, model j's
 * generator provides fixed-code groups (code dim k = m mod codeDims held at row 0's value across a group of
 * `groupSize` prior samples) and a scale set; d[i][j] is InfoGAN-CR's FactorVAE metric of model i's encoder on
 * them (codes scaled by their std on the scale set, argmin-std votes with NaN first, Σ row-max / total).
 * S = (d + dᵀ)/2; centrality_i = mean_{j≠i} S[i][j]; the selected model is the most central.
 *
 * Each batch of model j's images is generated once and encoded by every model in turn; only per-dim moments are
 * read back, so memory stays O(batchSize × models). Progress counts (encoder, data) pairs done out of n²; the
 * n pairs that share a data model advance together as its rows are generated.
 *
 * Defaults follow InfoGAN-CR: groupSize 100, groups 100 × codeDims (500 for 5 codes), scaleSetSize 73,728.
 * batchSize 100 (groups are generated floor(batchSize / groupSize) at a time): InfoGAN-CR's scripts use 1000, but
 * the batch is only how many rows one callback call gets, the numbers do not depend on it, and a callback call is
 * the finest grain at which the run can stop (a 1000-row `generate` is 0.7 s on wasm and 21 s on the cpu backend).
 *
 * @example
 * const { selected, centrality } = await modelCentrality({ models, seed: 0 });
 */
export async function modelCentrality<Obs = TensorLike>(options: ModelCentralityOptions<Obs>): Promise<ModelCentralityResult> {
  checkOptions(
    options,
    'modelCentrality',
    Object.keys({ models: 0, groups: 0, groupSize: 0, scaleSetSize: 0, metric: 0, seed: 0, batchSize: 0, onProgress: 0, signal: 0 } satisfies Record<keyof ModelCentralityOptions, 0>),
  );
  await ensureBackend();
  const codeDims = checkModels(options?.models);
  const models = options.models;
  const n = models.length;
  const groupsOpt = options.groups === undefined ? undefined : intOption(options.groups, 'groups', 1);
  const groupSize = intOption(options.groupSize, 'groupSize', 100, 2);
  const scaleSetSize = intOption(options.scaleSetSize, 'scaleSetSize', 73728, 1);
  const batchSize = intOption(options.batchSize, 'batchSize', 100, 1);
  const metric = options.metric ?? 'factorvae';
  if (metric !== 'factorvae' && metric !== 'factorvae-revised' && typeof metric !== 'function') {
    throw new DisentangleError('BAD_OPTION', 'metric', `expected 'factorvae', 'factorvae-revised' or a function, got ${String(metric)}`);
  }
  const root = createRng(options.seed ?? 0);
  const states: EncoderState[] = models.map(() => ({}));
  const d = Array.from({ length: n }, () => new Array<number>(n).fill(NaN));
  const votes: number[][][][] = Array.from({ length: n }, () => new Array<number[][]>(n));
  const groups: number[] = [];
  let encodes = 0;
  const total = n * n;
  throwIfAborted(options.signal);
  const run: RunControl = { signal: options.signal, yielder: createYielder(options.signal) };
  options.onProgress?.({ stage: 'pairs', done: 0, total });
  for (let j = 0; j < n; j++) {
    const G = groupsOpt ?? 100 * codeDims[j];
    groups.push(G);
    // The n pairs served by data model j advance together, in proportion to the rows of j generated so far.
    let last = j * n;
    const onRows = options.onProgress && ((rows: number, rowsTotal: number): void => {
      const done = j * n + Math.floor((n * rows) / rowsTotal);
      if (done > last && done < (j + 1) * n) options.onProgress!({ stage: 'pairs', done: (last = done), total });
    });
    const res = await evaluateOnModel(models, states, j, codeDims[j], { groups: G, groupSize, scaleSetSize, batchSize, metric, run, onRows }, root.fork());
    encodes += res.encodes;
    for (let i = 0; i < n; i++) {
      d[i][j] = res.scores[i];
      votes[i][j] = toRows(res.votes[i]);
    }
    options.onProgress?.({ stage: 'pairs', done: (j + 1) * n, total });
  }
  const symmetric = d.map((row, i) => row.map((v, j) => (v + d[j][i]) / 2));
  const centrality = symmetric.map((row, i) => row.reduce((s, v, j) => (j === i ? s : s + v), 0) / (n - 1));
  return { centrality, pairwise: d, symmetric, ranking: rankDescending(centrality), selected: argmaxFirst(centrality), groups, votes, encodes };
}
