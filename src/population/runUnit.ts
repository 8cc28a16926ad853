/**
 * Running units: each one's result goes to its own file in the results directory, and a unit whose file is
 * already there, whole, from this plan, this library version and the same model bytes is skipped, so a killed
 * or rerun shard picks up where it stopped.
 */
import { throwIfAborted, DisentangleError } from '../core/errors.js';
import type { GroundTruthDataset, Progress, TensorLike } from '../core/types.js';
import { checkOptions } from '../core/validate.js';
import { loadDatasetSpec } from '../data/datasetSpec.js';
import { evaluate } from '../metrics/evaluate.js';
import { headlineNumbers, selectMetrics } from '../metrics/registry.js';
import { loadModelSpec, type LoadedModel } from '../models/modelSpec.js';
import { modelCentralityColumn } from '../selection/modelCentrality.js';
import { udrRepresentation } from '../selection/udr.js';
import { modelDigest } from './modelFiles.js';
import { ensurePlanFile, readUnitRecord, unitFilePath, unitFileStatus, writeUnitRecord, type UnitFileStatus } from './resultFiles.js';
import { shardUnits, type PairUnit, type Shard, type Unit } from './units.js';

/** Reads a model path; the default reads saved model directories and JS modules (the CLI adds ONNX). */
export type ModelLoader = (path: string, options: { representation: 'sample' | 'mean' }) => Promise<LoadedModel>;

/** Options of {@link runUnit}. */
export interface RunUnitOptions {
  /** The results directory (created when missing). */
  results: string;
  /** How model paths are read (default {@link loadModelSpec}). */
  loadModel?: ModelLoader;
  /** The ground-truth dataset, instead of loading `settings.dataset` by name. */
  dataset?: GroundTruthDataset<TensorLike>;
  /** Recompute even a unit whose stored result is valid. */
  force?: boolean;
  /** Units done out of the units given (`stage: 'units'`), and the running unit's own progress under its id. */
  onProgress?: (p: Progress & { unit?: string }) => void;
  signal?: AbortSignal;
}

/** Options of {@link runUnits}: those of {@link runUnit} and the shard to take. */
export interface RunUnitsOptions extends RunUnitOptions {
  shard?: Shard;
}

/** What happened to one unit. */
export interface UnitOutcome {
  unit: string;
  /** 'skipped': a valid result was there; 'computed': none was; 'recomputed': one was there but not valid. */
  status: 'computed' | 'skipped' | 'recomputed';
  /** Why a stored file was not used ('missing' when there was none). */
  stored: UnitFileStatus;
  file: string;
  seconds: number;
}

const OPTION_NAMES = Object.keys({ results: 0, loadModel: 0, dataset: 0, force: 0, onProgress: 0, signal: 0 } satisfies Record<keyof RunUnitOptions, 0>);

/** The model paths a unit reads, by their index in the plan. */
function modelsOf(unit: Unit): number[] {
  return unit.kind === 'pair' ? [...new Set([unit.generator, unit.encoder])] : [unit.model];
}

/**
 * Runs one unit of {@link planUnits} and writes its result file atomically into `results` (see
 * {@link runUnits}, which also shares a generator's data between the pairs of one shard).
 *
 * @example
 * const [unit] = planUnits({ models: ['runs/a'], metrics: ['mig'], settings: { sampleScale: 0.1 } });
 * const { status, file } = await runUnit(unit, { results: 'out' });
 */
export async function runUnit(unit: Unit, options: RunUnitOptions): Promise<UnitOutcome> {
  checkOptions(options, 'runUnit', OPTION_NAMES);
  const { outcomes } = await runUnits([unit], options);
  return outcomes[0];
}

/**
 * Runs the units of one shard (all of them without `shard`): each unit's stored result is checked first and
 * kept when valid; the others are computed and written one file each, as soon as each is done. Pairs of
 * ModelCentrality that share a generator are computed together, generating its data once. Scoring loads a model
 * afresh for every unit, so a sampled representation's noise starts from the model's seed whatever the shard.
 *
 * @example
 * const units = planUnits({ models, method: 'model-centrality', settings: { groups: 50 } });
 * await runUnits(units, { results: 'out', shard: parseShard('2/3') });
 */
export async function runUnits(units: readonly Unit[], options: RunUnitsOptions): Promise<{ outcomes: UnitOutcome[]; computed: number; skipped: number }> {
  checkOptions(options, 'runUnits', [...OPTION_NAMES, 'shard']);
  if (typeof options.results !== 'string' || options.results === '') throw new DisentangleError('BAD_OPTION', 'results', 'expected a directory path');
  if (!Array.isArray(units) || units.length === 0) throw new DisentangleError('EMPTY', 'units', 'no units to run');
  const plan = units[0].plan;
  if (units.some((u) => u?.plan?.hash !== plan.hash)) throw new DisentangleError('BAD_INPUT', 'units', 'units of different plans: run each plan into its own results directory');
  const mine = options.shard ? shardUnits(units, options.shard) : [...units];
  const loadModel = options.loadModel ?? ((path, o) => loadModelSpec(path, o.representation));
  const signal = options.signal;
  await ensurePlanFile(options.results, plan);
  const datasets = new Map<string, Promise<GroundTruthDataset<TensorLike>>>();
  const dataset = (): Promise<GroundTruthDataset<TensorLike>> => {
    if (options.dataset) return Promise.resolve(options.dataset);
    const spec = plan.settings.dataset ?? 'dsprites';
    if (!datasets.has(spec)) datasets.set(spec, loadDatasetSpec(spec, 'settings.dataset'));
    return datasets.get(spec)!;
  };
  const outcomes: UnitOutcome[] = [];
  const report = options.onProgress;
  report?.({ stage: 'units', done: 0, total: mine.length });
  // Each model is hashed once per run, however many units read it (n² pairs read each model 2n times).
  const digests = new Map<number, Promise<string>>();
  const digestOf = (m: number): Promise<string> => digests.get(m) ?? digests.set(m, modelDigest(plan.models[m], `models[${m}]`)).get(m)!;
  const digestsOf = async (unit: Unit): Promise<Record<string, string>> =>
    Object.fromEntries(await Promise.all(modelsOf(unit).map(async (m) => [String(m), await digestOf(m)] as const)));
  const pending: { unit: Unit; stored: UnitFileStatus; digests: Record<string, string> }[] = [];
  for (const unit of mine) {
    throwIfAborted(signal);
    const digests = await digestsOf(unit);
    const file = await unitFilePath(options.results, unit);
    const stored = unitFileStatus(await readUnitRecord(file), unit, digests);
    if (stored === 'ok' && !options.force) outcomes.push({ unit: unit.id, status: 'skipped', stored, file, seconds: 0 });
    else pending.push({ unit, stored, digests });
  }
  const finish = async (p: (typeof pending)[number], result: unknown, seconds: number): Promise<void> => {
    const file = await writeUnitRecord(options.results, p.unit, p.digests, result, seconds);
    outcomes.push({ unit: p.unit.id, status: p.stored === 'missing' ? 'computed' : 'recomputed', stored: p.stored, file, seconds });
    report?.({ stage: 'units', done: outcomes.length, total: mine.length });
  };
  report?.({ stage: 'units', done: outcomes.length, total: mine.length });
  for (let k = 0; k < pending.length; ) {
    throwIfAborted(signal);
    const first = pending[k].unit;
    const inner = report && ((p: Progress) => report({ ...p, unit: first.id }));
    const t0 = performance.now();
    if (first.kind === 'pair') {
      // Consecutive pending pairs of one generator: its data is generated once for all their encoders.
      let end = k + 1;
      while (end < pending.length && pending[end].unit.kind === 'pair' && (pending[end].unit as PairUnit).generator === first.generator) end++;
      const group = pending.slice(k, end);
      const scores = await runPairs(group.map((p) => p.unit as PairUnit), loadModel, signal, inner);
      const seconds = (performance.now() - t0) / 1000 / group.length;
      for (let e = 0; e < group.length; e++) await finish(group[e], scores[e], seconds);
      k = end;
      continue;
    }
    const result = first.kind === 'score' ? await runScore(first, loadModel, await dataset(), signal, inner) : await runRepresentation(first, loadModel, await dataset(), signal, inner);
    await finish(pending[k], result, (performance.now() - t0) / 1000);
    k++;
  }
  const order = new Map(mine.map((u, i) => [u.id, i]));
  outcomes.sort((a, b) => order.get(a.unit)! - order.get(b.unit)!);
  return { outcomes, computed: pending.length, skipped: outcomes.length - pending.length };
}

async function withModel<T>(load: () => Promise<LoadedModel>, body: (m: LoadedModel) => Promise<T>): Promise<T> {
  const m = await load();
  try {
    return await body(m);
  } finally {
    await m.dispose();
  }
}

async function runScore(unit: Extract<Unit, { kind: 'score' }>, loadModel: ModelLoader, dataset: GroundTruthDataset<TensorLike>, signal: AbortSignal | undefined, onProgress?: (p: Progress) => void): Promise<unknown> {
  const { plan } = unit;
  const [entry] = selectMetrics([unit.metric]);
  return withModel(
    () => loadModel(plan.models[unit.model], { representation: plan.settings.representation ?? 'sample' }),
    async (m) => {
      const run = await evaluate({
        represent: m.represent,
        dataset,
        metrics: [unit.metric],
        seed: plan.seed,
        sampleScale: plan.settings.sampleScale ?? 1,
        // As the CLI's evaluate: a sampled representation gets no code cache and no shared draws.
        cache: !m.stochastic,
        shareDraws: !m.stochastic,
        signal,
        onProgress,
      });
      const result = run.results[unit.metric]!;
      return { numbers: { score: result.score, ...headlineNumbers(entry, result) }, result };
    },
  );
}

async function runRepresentation(unit: Extract<Unit, { kind: 'representation' }>, loadModel: ModelLoader, dataset: GroundTruthDataset<TensorLike>, signal: AbortSignal | undefined, onProgress?: (p: Progress) => void): Promise<unknown> {
  const { plan } = unit;
  const path = plan.models[unit.model];
  return withModel(
    () => loadModel(path, { representation: 'mean' }),
    async (m) => {
      if (!m.udr) throw new DisentangleError('BAD_INPUT', `models[${unit.model}]`, `${path} offers no encoder means for UDR`);
      const rep = await udrRepresentation({ model: m.udr, modelIndex: unit.model, dataset, numDataPoints: plan.settings.numDataPoints, seed: plan.seed, signal, onProgress });
      return { mean: { rows: rep.mean.rows, cols: rep.mean.cols, data: rep.mean.data }, kl: rep.kl };
    },
  );
}

/** d[encoder][generator] for pairs that share one generator, in the pairs' order. */
async function runPairs(pairs: readonly PairUnit[], loadModel: ModelLoader, signal: AbortSignal | undefined, onProgress?: (p: Progress) => void): Promise<unknown[]> {
  const { plan, generator: j } = pairs[0];
  const indices = [...new Set([j, ...pairs.map((p) => p.encoder)])];
  const loaded = new Map<number, LoadedModel>();
  try {
    for (const m of indices) loaded.set(m, await loadModel(plan.models[m], { representation: 'mean' }));
    const generative = (m: number) => {
      const g = loaded.get(m)!.generative;
      if (!g) throw new DisentangleError('BAD_INPUT', `models[${m}]`, `${plan.models[m]} is not a generative model; ModelCentrality needs a generator and an encoder for every model`);
      return g;
    };
    const col = await modelCentralityColumn({
      generator: generative(j),
      generatorIndex: j,
      encoders: pairs.map((p) => generative(p.encoder)),
      encoderIndices: pairs.map((p) => p.encoder),
      seed: plan.seed,
      groups: plan.settings.groups,
      groupSize: plan.settings.groupSize,
      scaleSetSize: plan.settings.scaleSetSize,
      signal,
      onProgress,
    });
    return pairs.map((_, e) => ({ score: col.scores[e], votes: col.votes[e], groups: col.groups }));
  } finally {
    await Promise.all([...loaded.values()].map((m) => m.dispose()));
  }
}
