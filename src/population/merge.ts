/**
 * Merging a results directory: every unit of the plan must be there, whole, from this plan and this library
 * version, and the units that read the same model must have read the same bytes. Then the table of scores, or
 * the selection, is assembled exactly as a single process computes it.
 */
import type { MetricId } from '../metrics/registry.js';
import { centralityFromPairwise } from '../selection/modelCentrality.js';
import { udrFromPairwise } from '../selection/udrComparison.js';
import { udrPairwise } from './comparisons.js';
import { checkedRecords } from './checks.js';
import { fromJsonSafe } from './resultFiles.js';
import type { PopulationMethod, PopulationPlan, Unit } from './units.js';

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
  const { plan, units, records } = await checkedRecords(dir, options.signal);
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
  const pairwise = await udrPairwise(dir, plan, units, records, { signal: options.signal });
  const u = udrFromPairwise(pairwise);
  return { kind: 'selection', plan, method: plan.method!, models: plan.models, scores: u.scores, ranking: u.ranking, selected: u.selected, pairwise };
}
