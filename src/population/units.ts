/**
 * A population's work as independent units: (model, metric) for scoring, (model) for UDR's shared-sample
 * representations, (generator j, encoder i) for ModelCentrality's pairwise entries. A plan is a pure function of
 * its inputs, so every process that plans the same population gets the same units in the same order, and a
 * shard is a deterministic slice of them: no coordinator, only a shared results directory.
 */
import { DisentangleError } from '../core/errors.js';
import { createSha256 } from '../core/sha256.js';
import { checkOptions, checkKnownOptions } from '../core/validate.js';
import { selectMetrics, type MetricId } from '../metrics/registry.js';

/** How a population is selected: ModelCentrality or UDR with either correlation. */
export type PopulationMethod = 'model-centrality' | 'udr-lasso' | 'udr-spearman';

/**
 * What every unit of a plan shares besides models, metric or method and seed: the dataset (a name as
 * `loadDatasetSpec` reads it; scoring and UDR), the sizes, and how a model file is read. Part of the plan's hash:
 * results computed with other settings are never mixed in.
 */
export interface PopulationSettings {
  /** Scoring and UDR: the ground-truth dataset, e.g. 'dsprites' or 'shapes3d:/data/3dshapes.h5' (default 'dsprites'). */
  dataset?: string;
  /** Scoring: multiplies the reference sample sizes (default 1). */
  sampleScale?: number;
  /** Scoring: a FactorVAE's sampled z ('sample', default) or its mean. Selection always reads the mean. */
  representation?: 'sample' | 'mean';
  /** ModelCentrality: fixed-code groups per data model (default 100 × its code dims). */
  groups?: number;
  /** ModelCentrality: samples per group (default 100). */
  groupSize?: number;
  /** ModelCentrality: samples that set each encoder's scale (default 73,728). */
  scaleSetSize?: number;
  /** UDR: observations every model encodes (default 1000). */
  numDataPoints?: number;
  /** ONNX models: how their files are read (layout, output names); recorded so that results say how they were made. */
  onnx?: Record<string, string | number>;
}

const SETTING_NAMES = Object.keys({
  dataset: 0,
  sampleScale: 0,
  representation: 0,
  groups: 0,
  groupSize: 0,
  scaleSetSize: 0,
  numDataPoints: 0,
  onnx: 0,
} satisfies Record<keyof PopulationSettings, 0>);

const SETTINGS_BY_KIND: Record<'scores' | 'model-centrality' | 'udr', readonly string[]> = {
  scores: ['dataset', 'sampleScale', 'representation', 'onnx'],
  'model-centrality': ['groups', 'groupSize', 'scaleSetSize', 'onnx'],
  udr: ['dataset', 'numDataPoints', 'onnx'],
};

/** Options of {@link planUnits}: a population and either metrics (scoring) or a selection method. */
export interface PlanUnitsOptions {
  /** Model paths: saved model directories, JS modules or ONNX encoders, in the order results are reported. */
  models: readonly string[];
  /** Scoring: metric ids or 'all'. */
  metrics?: readonly MetricId[] | 'all';
  /** Selection: the method. */
  method?: PopulationMethod;
  /** Seed of every unit (default 0). */
  seed?: number;
  settings?: PopulationSettings;
}

/** The identity of a plan: everything that decides its numbers. Stored as `plan.json` in a results directory. */
export interface PopulationPlan {
  format: 'disentangle-population/1';
  kind: 'scores' | 'selection';
  metrics?: MetricId[];
  method?: PopulationMethod;
  models: string[];
  seed: number;
  settings: PopulationSettings;
  /** SHA-256 of the fields above: two plans are the same plan when their hashes are equal. */
  hash: string;
  unitCount: number;
}

interface UnitBase {
  /** Unique within the plan; the result file is `units/<id>.json`. */
  id: string;
  /** Position in the plan's order. */
  index: number;
  plan: PopulationPlan;
}
/** Scores model `model` (an index into `plan.models`) with one metric. */
export interface ScoreUnit extends UnitBase {
  kind: 'score';
  model: number;
  metric: MetricId;
}
/** Encodes UDR's shared sample with model `model`. */
export interface RepresentationUnit extends UnitBase {
  kind: 'representation';
  model: number;
}
/** ModelCentrality's d[encoder][generator]: encoder `encoder` on generator `generator`'s data. */
export interface PairUnit extends UnitBase {
  kind: 'pair';
  generator: number;
  encoder: number;
}
/** One unit of a population run. */
export type Unit = ScoreUnit | RepresentationUnit | PairUnit;

/** JSON with sorted keys, so equal values always give equal text (and equal hashes). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v,
  );
}

/** SHA-256 of a string's UTF-8 bytes, as hex. */
export function sha256Hex(text: string): string {
  const h = createSha256();
  h.update(new TextEncoder().encode(text));
  return h.digestHex();
}

function checkSettings(settings: PopulationSettings | undefined, kind: keyof typeof SETTINGS_BY_KIND): PopulationSettings {
  if (settings === undefined) return {};
  checkOptions(settings, 'planUnits settings', SETTING_NAMES);
  const allowed = SETTINGS_BY_KIND[kind];
  for (const k of Object.keys(settings)) {
    if (!allowed.includes(k)) throw new DisentangleError('BAD_OPTION', `settings.${k}`, `does not apply to ${kind === 'scores' ? 'scoring' : kind}; it takes ${allowed.join(', ')}`);
  }
  const s = settings as Record<string, unknown>;
  // Undefined entries are dropped, so { sampleScale: undefined } and {} are the same plan.
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as PopulationSettings;
}

/**
 * Splits a population's scoring or selection into independent units (see the module comment), in a fixed
 * order: scoring model by model, each with its metrics in registry order; UDR model by model; ModelCentrality
 * generator by generator, each with every encoder. Pure: the same options give the same units everywhere,
 * each with its plan (whose `hash` covers models, metrics or method, seed and settings).
 *
 * @example
 * const units = planUnits({ models: ['runs/a', 'runs/b'], metrics: ['mig', 'dci'], seed: 0, settings: { sampleScale: 0.1 } });
 * units.length; // 4
 */
export function planUnits(options: PlanUnitsOptions): Unit[] {
  checkOptions(options, 'planUnits', Object.keys({ models: 0, metrics: 0, method: 0, seed: 0, settings: 0 } satisfies Record<keyof PlanUnitsOptions, 0>));
  const models = options.models;
  if (!Array.isArray(models) || models.some((m) => typeof m !== 'string' || m === '')) throw new DisentangleError('BAD_INPUT', 'models', 'expected an array of model paths');
  if (models.length === 0) throw new DisentangleError('EMPTY', 'models', 'the population has no models');
  const dup = models.find((m, i) => models.indexOf(m) !== i);
  if (dup !== undefined) throw new DisentangleError('BAD_INPUT', 'models', `${dup} is listed twice`);
  if ((options.metrics === undefined) === (options.method === undefined)) throw new DisentangleError('BAD_OPTION', 'metrics', 'give either metrics (scoring) or method (selection)');
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new DisentangleError('BAD_OPTION', 'seed', `expected a finite number, got ${String(seed)}`);
  let identity: Omit<PopulationPlan, 'hash' | 'unitCount'>;
  if (options.metrics !== undefined) {
    const metrics = selectMetrics(options.metrics === 'all' ? 'all' : [...options.metrics]).map((m) => m.id);
    identity = { format: 'disentangle-population/1', kind: 'scores', metrics, models: [...models], seed, settings: checkSettings(options.settings, 'scores') };
  } else {
    const method = options.method;
    if (method !== 'model-centrality' && method !== 'udr-lasso' && method !== 'udr-spearman') {
      throw new DisentangleError('BAD_OPTION', 'method', `expected model-centrality, udr-lasso or udr-spearman, got ${String(method)}`);
    }
    if (models.length < 2) throw new DisentangleError('EMPTY', 'models', `has ${models.length} model; selection needs at least 2 to compare`);
    identity = { format: 'disentangle-population/1', kind: 'selection', method, models: [...models], seed, settings: checkSettings(options.settings, method === 'model-centrality' ? 'model-centrality' : 'udr') };
  }
  const n = models.length;
  const count = identity.kind === 'scores' ? n * identity.metrics!.length : identity.method === 'model-centrality' ? n * n : n;
  const plan: PopulationPlan = { ...identity, hash: sha256Hex(canonicalJson(identity)), unitCount: count };
  const width = Math.max(3, String(n - 1).length);
  const pad = (i: number): string => String(i).padStart(width, '0');
  const units: Unit[] = [];
  if (plan.kind === 'scores') {
    for (let m = 0; m < n; m++) for (const metric of plan.metrics!) units.push({ kind: 'score', id: `score-${pad(m)}-${metric}`, index: units.length, plan, model: m, metric });
  } else if (plan.method === 'model-centrality') {
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) units.push({ kind: 'pair', id: `pair-${pad(j)}-${pad(i)}`, index: units.length, plan, generator: j, encoder: i });
  } else {
    for (let m = 0; m < n; m++) units.push({ kind: 'representation', id: `udr-${pad(m)}`, index: units.length, plan, model: m });
  }
  return units;
}

/** Shard `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Shard `index` of `count`'s units. ModelCentrality's pairs are cut into contiguous blocks, so a shard meets few
 * generators and generates each one's data once for all its encoders; other units are dealt round-robin, so the
 * expensive metrics (DCI) spread over the shards. Together the shards hold every unit exactly once.
 *
 * @example
 * shardUnits(units, { index: 0, count: 3 }); // the first of three slices
 */
export function shardUnits<U extends Unit>(units: readonly U[], shard: Shard): U[] {
  const { index, count } = checkShard(shard);
  if (units.length > 0 && units[0].kind === 'pair') {
    const from = Math.floor((index * units.length) / count);
    const to = Math.floor(((index + 1) * units.length) / count);
    return units.slice(from, to);
  }
  return units.filter((_, k) => k % count === index);
}

function checkShard(shard: Shard): Shard {
  checkKnownOptions(shard, ['index', 'count'], 'shard');
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1) throw new DisentangleError('BAD_OPTION', 'shard', `count must be a positive integer, got ${String(count)}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new DisentangleError('BAD_OPTION', 'shard', `index must be an integer in 0..${count - 1}, got ${String(index)}`);
  return shard;
}

/**
 * Reads a shard given as `i/n` (1-based: `1/3`, `2/3`, `3/3`), `auto` or `auto/n`, which take it from the
 * scheduler:
 * - a Slurm job array: with `auto`, shard `SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN` of
 *   `SLURM_ARRAY_TASK_COUNT`; with `auto/n`, shard `SLURM_ARRAY_TASK_ID` of n, so the array ids are the shard
 *   indices 0 … n − 1 and resubmitting one of them (`--array=3`) reruns that shard;
 * - a Kubernetes indexed Job: shard `JOB_COMPLETION_INDEX` (0-based) of n in `auto/n` (Kubernetes does not
 *   export the completion count).
 *
 * @example
 * parseShard('2/3'); // { index: 1, count: 3 }
 * parseShard('auto', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' }); // { index: 3, count: 8 }
 * parseShard('auto/8', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '3', SLURM_ARRAY_TASK_COUNT: '1' }); // { index: 3, count: 8 }
 */
export function parseShard(text: string, env: Readonly<Record<string, string | undefined>> = {}, argument = 'shard'): Shard {
  const int = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined);
  const fixed = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (fixed) {
    const [i, n] = [Number(fixed[1]), Number(fixed[2])];
    if (n < 1 || i < 1 || i > n) throw new DisentangleError('BAD_OPTION', argument, `expected i/n with 1 ≤ i ≤ n, got ${text}`);
    return { index: i - 1, count: n };
  }
  const auto = /^auto(?:\/(\d+))?$/.exec(text.trim());
  if (!auto) throw new DisentangleError('BAD_OPTION', argument, `expected i/n (1-based, e.g. 2/3), auto or auto/n, got ${text}`);
  const given = auto[1] === undefined ? undefined : Number(auto[1]);
  const slurmId = int(env.SLURM_ARRAY_TASK_ID);
  if (slurmId !== undefined) {
    if (given !== undefined) return checkShard({ index: slurmId, count: given });
    const count = int(env.SLURM_ARRAY_TASK_COUNT);
    if (count === undefined) throw new DisentangleError('BAD_OPTION', argument, 'SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: give auto/n');
    return checkShard({ index: slurmId - (int(env.SLURM_ARRAY_TASK_MIN) ?? 0), count });
  }
  const k8s = int(env.JOB_COMPLETION_INDEX);
  if (k8s !== undefined) {
    if (given === undefined) throw new DisentangleError('BAD_OPTION', argument, 'JOB_COMPLETION_INDEX is set (a Kubernetes indexed Job): give the completions as auto/n');
    return checkShard({ index: k8s, count: given });
  }
  throw new DisentangleError('BAD_OPTION', argument, 'auto needs SLURM_ARRAY_TASK_ID (a Slurm job array) or JOB_COMPLETION_INDEX (a Kubernetes indexed Job); give i/n otherwise');
}
