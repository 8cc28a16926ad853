/**
 * Merging a results directory: every unit of the plan must be there, whole, from this plan and this library
 * version, and the units that read the same model must have read the same bytes. Then the table of scores, or
 * the selection, is assembled exactly as a single process computes it.
 */
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { nodeFs } from '../core/readFiles.js';
import type { MetricId } from '../metrics/registry.js';
import { centralityFromPairwise } from '../selection/modelCentrality.js';
import { udrFromRepresentations } from '../selection/udr.js';
import { fromJsonSafe, readPlanFile, readUnitRecord, unitFilePath, type UnitRecord } from './resultFiles.js';
import { planUnits, type PopulationMethod, type PopulationPlan, type Unit } from './units.js';
import { LIBRARY_VERSION } from '../core/version.js';

/** A merged scoring run: per model, per metric, the fields the metric reports (its `score` first). */
export interface MergedScores {
  kind: 'scores';
  plan: PopulationPlan;
  models: string[];
  metrics: MetricId[];
  /** results[model path][metric id][field] */
  results: Record<string, Partial<Record<MetricId, Record<string, number>>>>;
  /** The same numbers as rows, in plan order. */
  table: { model: string; metric: MetricId; field: string; value: number }[];
}

/** A merged selection run: what `modelCentrality` or `udr` returns for the same population and settings. */
export interface MergedSelection {
  kind: 'selection';
  plan: PopulationPlan;
  method: PopulationMethod;
  models: string[];
  /** ModelCentrality: the centralities; UDR: the median relative strengths. */
  scores: number[];
  /** Model indices by descending score. */
  ranking: number[];
  selected: number;
  /** d[i][j] (ModelCentrality: encoder i on generator j's data; UDR: relative strength of i → j). */
  pairwise: number[][];
}

/** What {@link mergeResults} returns. */
export type MergedResults = MergedScores | MergedSelection;

/** At most `max` names of a list, then how many more. */
function listed(names: readonly string[], max = 8): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/**
 * Merges the results directory of a population run (any number of shards, in any order, on any machines):
 * checks that every unit of the plan in `plan.json` is present and valid and that all agree (same plan, same
 * library version, one tfjs backend, the same bytes for each model), then returns the scores table or the selection. A missing,
 * damaged or foreign unit file is `BAD_INPUT` naming `results`, with the units concerned listed: rerun the
 * missing shards (they skip what is done) and merge again.
 *
 * @example
 * const merged = await mergeResults('out');
 * if (merged.kind === 'selection') console.log(merged.models[merged.selected]);
 */
export async function mergeResults(dir: string, options: { signal?: AbortSignal } = {}): Promise<MergedResults> {
  if (typeof dir !== 'string' || dir === '') throw new DisentangleError('BAD_OPTION', 'results', 'expected a directory path');
  const plan = await readPlanFile(dir);
  const units = planUnits({ models: plan.models, ...(plan.kind === 'scores' ? { metrics: plan.metrics } : { method: plan.method }), seed: plan.seed, settings: plan.settings });
  if (units[0].plan.hash !== plan.hash) throw new DisentangleError('BAD_FILE', 'results', `${dir}/plan.json does not match its own hash (edited by hand?)`);
  const records = new Map<string, UnitRecord>();
  const problems = { missing: [] as string[], corrupt: [] as string[], otherPlan: [] as string[], otherVersion: [] as string[] };
  for (const unit of units) {
    throwIfAborted(options.signal);
    const record = await readUnitRecord(await unitFilePath(dir, unit));
    if (record === undefined) problems.missing.push(unit.id);
    else if (record === 'corrupt' || record.unit !== unit.id) problems.corrupt.push(unit.id);
    else if (record.planHash !== plan.hash) problems.otherPlan.push(unit.id);
    else if (record.libraryVersion !== LIBRARY_VERSION) problems.otherVersion.push(`${unit.id} (${record.libraryVersion})`);
    else records.set(unit.id, record);
  }
  const fs = await nodeFs('results', 'merging results needs Node');
  const expected = new Set(units.map((u) => `${u.id}.json`));
  const { join } = await import('node:path');
  const strays = (await fs.readdir(join(dir, 'units')).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && !n.startsWith('.') && !expected.has(n));
  const lines: string[] = [];
  if (problems.missing.length) lines.push(`${problems.missing.length} of ${units.length} units have no result yet: ${listed(problems.missing)} (run the shards again; finished units are skipped)`);
  if (problems.corrupt.length) lines.push(`damaged unit files (a rerun recomputes them): ${listed(problems.corrupt)}`);
  if (problems.otherPlan.length) lines.push(`unit files from other settings: ${listed(problems.otherPlan)}`);
  if (problems.otherVersion.length) lines.push(`unit files from another library version than ${LIBRARY_VERSION}: ${listed(problems.otherVersion)}`);
  if (strays.length) lines.push(`files that belong to no unit of this plan: ${listed(strays)}`);
  lines.push(...modelConflicts(units, records, plan), ...backendConflicts(units, records));
  if (lines.length) throw new DisentangleError('BAD_INPUT', 'results', `${dir} cannot be merged:\n  ${lines.join('\n  ')}`);
  const result = (u: Unit): Record<string, unknown> => fromJsonSafe(records.get(u.id)!.result) as Record<string, unknown>;
  if (plan.kind === 'scores') {
    const results: MergedScores['results'] = {};
    const table: MergedScores['table'] = [];
    for (const u of units) {
      if (u.kind !== 'score') continue;
      const model = plan.models[u.model];
      const numbers = result(u).numbers as Record<string, number>;
      (results[model] ??= {})[u.metric] = numbers;
      for (const [field, value] of Object.entries(numbers)) table.push({ model, metric: u.metric, field, value });
    }
    return { kind: 'scores', plan, models: plan.models, metrics: plan.metrics!, results, table };
  }
  const n = plan.models.length;
  if (plan.method === 'model-centrality') {
    const d = Array.from({ length: n }, () => new Array<number>(n).fill(NaN));
    for (const u of units) if (u.kind === 'pair') d[u.encoder][u.generator] = result(u).score as number;
    const { centrality, ranking, selected } = centralityFromPairwise(d);
    return { kind: 'selection', plan, method: plan.method, models: plan.models, scores: centrality, ranking, selected, pairwise: d };
  }
  const reps = units.map((u) => {
    const r = result(u) as { mean: { rows: number; cols: number; data: number[] }; kl: number[] };
    return { mean: { rows: r.mean.rows, cols: r.mean.cols, data: Float64Array.from(r.mean.data) }, kl: r.kl };
  });
  const u = await udrFromRepresentations(reps, { correlation: plan.method === 'udr-lasso' ? 'lasso' : 'spearman', signal: options.signal });
  return { kind: 'selection', plan, method: plan.method!, models: plan.models, scores: u.scores, ranking: u.ranking, selected: u.selected, pairwise: u.pairwise };
}

/** Units run on another tfjs backend than most (backends may round differently, so one merge holds one). */
function backendConflicts(units: readonly Unit[], records: ReadonlyMap<string, UnitRecord>): string[] {
  const byBackend = new Map<string, string[]>();
  for (const u of units) {
    const r = records.get(u.id);
    if (r) byBackend.set(r.backend, [...(byBackend.get(r.backend) ?? []), u.id]);
  }
  if (byBackend.size < 2) return [];
  const groups = [...byBackend.entries()].sort((a, b) => b[1].length - a[1].length);
  return [`units from more than one tfjs backend (${groups.map(([b, ids]) => `${b}: ${ids.length}`).join(', ')}): ${listed(groups.slice(1).flatMap(([, ids]) => ids))} (a shard run with --backend ${groups[0][0]} recomputes them)`];
}

/** Units that read other bytes of a model than the majority of its units did (the model changed mid-run). */
function modelConflicts(units: readonly Unit[], records: ReadonlyMap<string, UnitRecord>, plan: PopulationPlan): string[] {
  const seen = new Map<string, Map<string, string[]>>();
  for (const u of units) {
    const r = records.get(u.id);
    if (!r) continue;
    for (const [m, digest] of Object.entries(r.modelDigests)) {
      const byDigest = seen.get(m) ?? new Map<string, string[]>();
      byDigest.set(digest, [...(byDigest.get(digest) ?? []), u.id]);
      seen.set(m, byDigest);
    }
  }
  const out: string[] = [];
  for (const [m, byDigest] of seen) {
    if (byDigest.size < 2) continue;
    const groups = [...byDigest.values()].sort((a, b) => b.length - a.length);
    out.push(`${plan.models[Number(m)]} changed during the run: ${listed(groups.slice(1).flat())} read other bytes than ${listed(groups[0], 3)} (recompute them with --force, or restore the model)`);
  }
  return out;
}
