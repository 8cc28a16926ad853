/**
 * `evaluate()`: many metrics of one model in one call, every distinct observation encoded at most once (a code
 * table shared by the metrics), or no model at all (a code table brought from PyTorch / JAX).
 */
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { ensureBackend } from '../core/backend.js';
import { shapeOf } from '../core/tensor.js';
import type { GroundTruthDataset, Progress, RepresentationFunction, TensorLike } from '../core/types.js';
import { checkOptions, numberOption } from '../core/validate.js';
import { CodeSource, datasetSize, hasDeterministicObservations } from '../data/codeCache.js';
import { loadCodeTable } from '../data/codeTable.js';
import { SharedDraws } from '../data/sharedDraws.js';
import { selectMetrics, type MetricId, type MetricResult } from './registry.js';

/** Options of {@link evaluate}. Give exactly one of `represent`, `model` and `codeTable`. */
export interface EvaluateOptions<Obs = TensorLike> {
  represent?: RepresentationFunction<Obs>;
  /** A model with a representation: a `GenerativeModel`, an `OnnxModel` from `disentangle/onnx` … */
  model?: { represent: RepresentationFunction<Obs> };
  /** N×D codes of every factor combination in canonical order (C-order flat index), or a `.npy` path (Node). */
  codeTable?: TensorLike | string;
  dataset: GroundTruthDataset<Obs>;
  /** Metric ids (see `metricIds()`) or `'all'`. */
  metrics: MetricId[] | 'all';
  /** Default 0; same seed, same numbers. */
  seed?: number;
  /** Multiplies disentanglement_lib's sample sizes (default 1; 0.1 for a quick look). */
  sampleScale?: number;
  /** Rows per `represent` call for rows the table lacks (default 256), whatever a metric's statistical batch. */
  encodeBatchSize?: number;
  /**
   * Keep codes by flat factor index so each distinct observation is encoded once (default true; used when the
   * dataset declares `deterministicObservations`). Turn it off for a stochastic encoder (sampled z).
   */
  cache?: boolean;
  /** Most rows the cache holds (default: the dataset size, up to 2,000,000). */
  maxCachedRows?: number;
  /**
   * Metrics that draw the same train/test split (same seed, size and batch size: MIG, SAP, DCI, modularity,
   * explicitness, IRS, unsupervised and AAM at one `sampleScale`) share one draw (default true). With a
   * stochastic encoder they then see the same noise; `false` gives each metric its own pass.
   */
  shareDraws?: boolean;
  /** Per-metric overrides: a metric's own `sampleScale` (instead of the common one) and statistical `batchSize`. */
  metricOptions?: Partial<Record<MetricId, { sampleScale?: number; batchSize?: number }>>;
  /** Progress of the metric running now (`metric`, its index `metricIndex` of `metricCount`). */
  onProgress?: (p: Progress & { metric: MetricId; metricIndex: number; metricCount: number }) => void;
  signal?: AbortSignal;
}

const EVALUATE_OPTION_NAMES = Object.keys({
  represent: 0,
  model: 0,
  codeTable: 0,
  dataset: 0,
  metrics: 0,
  seed: 0,
  sampleScale: 0,
  encodeBatchSize: 0,
  cache: 0,
  maxCachedRows: 0,
  shareDraws: 0,
  metricOptions: 0,
  onProgress: 0,
  signal: 0,
} satisfies Record<keyof EvaluateOptions, 0>);

/** Result of {@link evaluate}. */
export interface EvaluateResult {
  /** Each metric's full result, with its headline number as `score`. */
  results: Partial<Record<MetricId, MetricResult>>;
  /** Observations the metrics drew (with repeats), not counting a split handed on to a later metric. */
  drawnImages: number;
  /** Rows a metric got from an earlier metric's identical draw instead of drawing them. */
  sharedImages: number;
  /** Observations sent to `represent` (0 on the code-table route). */
  encodedImages: number;
  /** Seconds inside `represent`, and in all. */
  seconds: { encode: number; total: number };
  /** The same counts per metric, in run order (a later metric finds the rows an earlier one encoded). */
  perMetric: Partial<Record<MetricId, { drawnImages: number; encodedImages: number; sharedImages: number; seconds: { encode: number; total: number } }>>;
}

/**
 * Scores one model with several metrics. With a dataset that declares `deterministicObservations` (procedural
 * and real dSprites, an `arrayDataset` with one observation per factor row) the metrics share a table of codes
 * by flat factor index: only rows missing from it are rendered and encoded, `encodeBatchSize` at a time, so a
 * run encodes each distinct image at most once (within `maxCachedRows`). Metrics that ask for the same train or
 * test split (same seed, size and batch size) share one draw (`shareDraws`). With a deterministic encoder every
 * number is identical to running the metrics one by one without the table.
 *
 * @example
 * const { results, drawnImages, encodedImages } = await evaluate({ represent: encoder, dataset: dsprites(), metrics: 'all', sampleScale: 0.1 });
 * results.mig?.score;
 */
export async function evaluate<Obs = TensorLike>(options: EvaluateOptions<Obs>): Promise<EvaluateResult> {
  checkOptions(options, 'evaluate', EVALUATE_OPTION_NAMES);
  const started = performance.now();
  const routes = [options.represent !== undefined, options.model !== undefined, options.codeTable !== undefined].filter(Boolean).length;
  if (routes !== 1) throw new DisentangleError('BAD_OPTION', 'represent', `give exactly one of represent, model and codeTable (got ${routes})`);
  const model = options.model;
  // bound: a model class's represent may use `this`
  const user = options.represent ?? (model && typeof model.represent === 'function' ? model.represent.bind(model) : undefined);
  if (options.codeTable === undefined && typeof user !== 'function') {
    throw new DisentangleError('BAD_INPUT', options.model ? 'model.represent' : 'represent', 'must be a function (observations) => codes');
  }
  const dataset = options.dataset;
  if (!dataset || typeof dataset !== 'object') throw new DisentangleError('BAD_INPUT', 'dataset', 'expected a GroundTruthDataset');
  if (options.metrics === undefined) throw new DisentangleError('BAD_OPTION', 'metrics', "is missing: pass metric ids (metricIds()) or 'all'");
  const entries = selectMetrics(options.metrics);
  const sampleScale = numberOption(options.sampleScale, 'sampleScale', 1, Number.MIN_VALUE, 10);
  for (const key of ['cache', 'shareDraws'] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== 'boolean') throw new DisentangleError('BAD_OPTION', key, `expected true or false, got ${String(v)}`);
  }
  if (options.metricOptions !== undefined && (options.metricOptions === null || typeof options.metricOptions !== 'object')) {
    throw new DisentangleError('BAD_OPTION', 'metricOptions', 'expected an object keyed by metric id');
  }
  for (const id of Object.keys(options.metricOptions ?? {})) selectMetrics([id]);
  await ensureBackend();
  throwIfAborted(options.signal);

  let source: CodeSource | undefined;
  if (options.codeTable !== undefined) source = await loadCodeTable(options.codeTable, dataset.factorSizes, options.signal);
  else if (options.cache !== false && hasDeterministicObservations(dataset) && datasetSize(dataset.factorSizes) !== undefined) {
    source = new CodeSource(dataset.factorSizes, { maxCachedRows: options.maxCachedRows, encodeBatchSize: options.encodeBatchSize });
  } else {
    // Validate the sizing options even when no table is kept, so a typo is never silently ignored.
    new CodeSource([1], { maxCachedRows: options.maxCachedRows, encodeBatchSize: options.encodeBatchSize });
  }

  let encodeMs = 0;
  let encodedRows = 0;
  const represent =
    user &&
    (async (obs: Obs): Promise<TensorLike> => {
      const t0 = performance.now();
      try {
        const codes = await user(obs);
        try {
          encodedRows += shapeOf(codes, 'represent')[0] ?? 0;
        } catch {
          // a malformed reply is reported by the sampler, which checks it
        }
        return codes;
      } finally {
        encodeMs += performance.now() - t0;
      }
    });

  const shared = options.shareDraws === false ? undefined : new SharedDraws();
  const results: Partial<Record<MetricId, MetricResult>> = {};
  const perMetric: EvaluateResult['perMetric'] = {};
  const drawn = (): number => (source ? source.drawnImages : encodedRows);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    throwIfAborted(options.signal);
    const at = { drawn: drawn(), encoded: encodedRows, shared: shared?.sharedImages ?? 0, encodeMs, t: performance.now() };
    const report = options.onProgress;
    const own = options.metricOptions?.[entry.id];
    results[entry.id] = await entry.run({
      dataset: dataset as unknown as GroundTruthDataset<TensorLike>,
      represent: represent as RepresentationFunction<TensorLike> | undefined,
      codeSource: source,
      sharedDraws: shared,
      seed: options.seed ?? 0,
      sampleScale: own?.sampleScale === undefined ? sampleScale : numberOption(own.sampleScale, `metricOptions.${entry.id}.sampleScale`, 1, Number.MIN_VALUE, 10),
      batchSize: own?.batchSize,
      signal: options.signal,
      onProgress: report && ((p) => report({ ...p, metric: entry.id, metricIndex: i, metricCount: entries.length })),
    });
    perMetric[entry.id] = {
      drawnImages: drawn() - at.drawn,
      encodedImages: encodedRows - at.encoded,
      sharedImages: (shared?.sharedImages ?? 0) - at.shared,
      seconds: { encode: (encodeMs - at.encodeMs) / 1000, total: (performance.now() - at.t) / 1000 },
    };
  }
  return {
    results,
    drawnImages: source ? source.drawnImages : encodedRows,
    encodedImages: encodedRows,
    sharedImages: shared?.sharedImages ?? 0,
    seconds: { encode: encodeMs / 1000, total: (performance.now() - started) / 1000 },
    perMetric,
  };
}
