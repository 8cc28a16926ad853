/**
 * ModelCentrality (Lin et al. 2020, "InfoGAN-CR and ModelCentrality", arXiv 1906.06034): unsupervised model
 * selection by picking the medoid of a population, as in the InfoGAN-CR repository's `main_mc*.py` scripts.
 */
import { createYielder } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { toRows } from '../core/matrix.js';
import type { GenerativeModel, RunOptions, TensorLike } from '../core/types.js';
import { intOption, checkOptions } from '../core/validate.js';
import { argmaxFirst, rankDescending } from './ranking.js';
import { ensureBackend } from '../core/backend.js';
import { centralitySettings, checkModels, columnRng, evaluateOnModel, type CentralitySizes, type Encoder, type RunControl } from './centralityColumn.js';

export type { CentralitySizes, PairwiseMetric, PairwiseMetricInput } from './centralityColumn.js';

/** Options of {@link modelCentrality}. */
export interface ModelCentralityOptions<Obs = TensorLike> extends RunOptions, CentralitySizes {
  models: readonly GenerativeModel<Obs>[];
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

const MODEL_CENTRALITY_OPTION_NAMES = Object.keys({
  models: 0,
  groups: 0,
  groupSize: 0,
  scaleSetSize: 0,
  metric: 0,
  seed: 0,
  batchSize: 0,
  onProgress: 0,
  signal: 0,
} satisfies Record<keyof ModelCentralityOptions, 0>);

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
  checkOptions(options, 'modelCentrality', MODEL_CENTRALITY_OPTION_NAMES);
  await ensureBackend();
  const codeDims = checkModels(options?.models);
  const models = options.models;
  const n = models.length;
  const cfg = centralitySettings(options);
  const encoders: Encoder<Obs>[] = models.map((model, index) => ({ model, index, state: {} }));
  const d = Array.from({ length: n }, () => new Array<number>(n).fill(NaN));
  const votes: number[][][][] = Array.from({ length: n }, () => new Array<number[][]>(n));
  const groups: number[] = [];
  let encodes = 0;
  const total = n * n;
  throwIfAborted(options.signal);
  const run: RunControl = { signal: options.signal, yielder: createYielder(options.signal) };
  options.onProgress?.({ stage: 'pairs', done: 0, total });
  for (let j = 0; j < n; j++) {
    const G = cfg.groups ?? 100 * codeDims[j];
    groups.push(G);
    // The n pairs served by data model j advance together, in proportion to the rows of j generated so far.
    let last = j * n;
    const onRows = options.onProgress && ((rows: number, rowsTotal: number): void => {
      const done = j * n + Math.floor((n * rows) / rowsTotal);
      if (done > last && done < (j + 1) * n) options.onProgress!({ stage: 'pairs', done: (last = done), total });
    });
    const res = await evaluateOnModel(models[j], j, encoders, codeDims[j], { ...cfg, groups: G, run, onRows }, columnRng(options.seed ?? 0, j));
    encodes += res.encodes;
    for (let i = 0; i < n; i++) {
      d[i][j] = res.scores[i];
      votes[i][j] = toRows(res.votes[i]);
    }
    options.onProgress?.({ stage: 'pairs', done: (j + 1) * n, total });
  }
  return { ...centralityFromPairwise(d), pairwise: d, groups, votes, encodes };
}

/**
 * ModelCentrality's last step from a complete pairwise matrix d (d[i][j] = encoder i on model j's data):
 * S = (d + dᵀ) / 2, centrality_i = mean over j ≠ i of S[i][j], the ranking and the selected model. What
 * {@link modelCentrality} returns, for a d assembled from columns computed apart ({@link modelCentralityColumn}).
 *
 * @example
 * const { selected } = centralityFromPairwise([[1, 0.8], [0.6, 1]]); // centrality [0.7, 0.7]: model 0
 */
export function centralityFromPairwise(d: readonly (readonly number[])[]): Pick<ModelCentralityResult, 'centrality' | 'symmetric' | 'ranking' | 'selected'> {
  const n = d.length;
  const symmetric = d.map((row, i) => row.map((v, j) => (v + d[j][i]) / 2));
  const centrality = symmetric.map((row, i) => row.reduce((s, v, j) => (j === i ? s : s + v), 0) / (n - 1));
  return { centrality, symmetric, ranking: rankDescending(centrality), selected: argmaxFirst(centrality) };
}

/** Options of {@link modelCentralityColumn}: one data model and some encoders of a population. */
export interface ModelCentralityColumnOptions<Obs = TensorLike> extends Omit<ModelCentralityOptions<Obs>, 'models'> {
  /** Model j, whose generator provides the groups and scale set. */
  generator: GenerativeModel<Obs>;
  /** j: the generator's index in the population; it picks the seed's stream for this column. */
  generatorIndex: number;
  /** The encoders to score on j's data, with their population indices `encoderIndices`. */
  encoders: readonly GenerativeModel<Obs>[];
  encoderIndices: readonly number[];
}

/** Result of {@link modelCentralityColumn}: entry e is encoder `encoderIndices[e]` on the generator's data. */
export interface ModelCentralityColumn {
  /** d[encoderIndices[e]][generatorIndex]. */
  scores: number[];
  /** Votes of each encoder, K_j × D_i rows. */
  votes: number[][][];
  /** Groups generated. */
  groups: number;
  encodes: number;
}

/**
 * Part of one column of ModelCentrality's pairwise matrix: d[i][j] for the given encoders i on model j's
 * generated data, the unit of work a population run spreads over processes. The numbers are those
 * {@link modelCentrality} computes for the same pairs with the same seed and sizes, bit for bit: model j's
 * groups come from the j-th child of the seed's stream, and each encoder's statistics depend on its own codes
 * only. Computing several encoders in one call generates j's data once.
 *
 * @example
 * const col = await modelCentralityColumn({ generator: models[2], generatorIndex: 2, encoders: [models[0]], encoderIndices: [0], seed: 0 });
 * col.scores[0]; // d[0][2]
 */
export async function modelCentralityColumn<Obs = TensorLike>(options: ModelCentralityColumnOptions<Obs>): Promise<ModelCentralityColumn> {
  checkOptions(options, 'modelCentralityColumn', [...MODEL_CENTRALITY_OPTION_NAMES.filter((k) => k !== 'models'), 'generator', 'generatorIndex', 'encoders', 'encoderIndices']);
  await ensureBackend();
  const j = intOption(options.generatorIndex, 'generatorIndex', 0, 0);
  const indices = options.encoderIndices;
  if (!Array.isArray(options.encoders) || options.encoders.length === 0) throw new DisentangleError('EMPTY', 'encoders', 'give at least one encoder');
  if (!Array.isArray(indices) || indices.length !== options.encoders.length) {
    throw new DisentangleError('BAD_OPTION', 'encoderIndices', `expected one index per encoder (${options.encoders.length})`);
  }
  const [codeDims] = checkModels([options.generator, ...options.encoders], false);
  const cfg = centralitySettings(options);
  const encoders = options.encoders.map((model, e) => ({ model, index: intOption(indices[e], `encoderIndices[${e}]`, 0, 0), state: {} }));
  throwIfAborted(options.signal);
  const run: RunControl = { signal: options.signal, yielder: createYielder(options.signal) };
  const groups = cfg.groups ?? 100 * codeDims;
  const onRows = options.onProgress && ((rows: number, total: number): void => options.onProgress!({ stage: 'rows', done: rows, total }));
  const res = await evaluateOnModel(options.generator, j, encoders, codeDims, { ...cfg, groups, run, onRows }, columnRng(options.seed ?? 0, j));
  return { scores: res.scores, votes: res.votes.map(toRows), groups, encodes: res.encodes };
}
