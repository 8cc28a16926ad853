/**
 * UDR's comparisons as units of their own. A UDR plan's units are the models' representations; the merge then
 * compares every ordered pair, n(n − 1) Lasso or Spearman fits, which for 1,000 models is hours on one core. These
 * comparisons can be spread over processes too, once every representation is stored: `runUdrComparisons` with a
 * shard writes `comparisons/cmp-<i>-<j>.json`, sealed and tied to the two representation files it read, and the
 * merge uses every valid one, computing only what is missing. The numbers are the same either way.
 */
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { createYielder } from '../core/batching.js';
import type { Progress } from '../core/types.js';
import { LIBRARY_VERSION } from '../core/version.js';
import { udrComparer } from '../selection/udrComparison.js';
import type { UdrRepresentation } from '../selection/udrComparison.js';
import { checkedRecords } from './checks.js';
import { fromJsonSafe, readSealed, toJsonSafe, writeSealed, type UnitRecord } from './resultFiles.js';
import type { PopulationPlan, Shard, Unit } from './units.js';

/** One stored comparison: UDR_ij and the seals of the representations it was computed from. */
interface ComparisonRecord {
  format: 'disentangle-comparison/1';
  pair: string;
  planHash: string;
  libraryVersion: string;
  /** Checksums of the representation files of models i and j. */
  inputs: [string, string];
  strength: unknown;
  seconds: number;
  checksum: string;
}

/** Options of {@link runUdrComparisons}. */
export interface RunComparisonsOptions {
  /** The slice of the n(n − 1) ordered pairs to compute (all of them without it). */
  shard?: Shard;
  /** Recompute pairs even when a valid file is stored. */
  force?: boolean;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

interface Pair {
  id: string;
  i: number;
  j: number;
}

function pairsOf(n: number): Pair[] {
  const width = Math.max(3, String(n - 1).length);
  const pad = (k: number): string => String(k).padStart(width, '0');
  const out: Pair[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) out.push({ id: `cmp-${pad(i)}-${pad(j)}`, i, j });
  return out;
}

function representation(record: UnitRecord): UdrRepresentation {
  const r = fromJsonSafe(record.result) as { mean: { rows: number; cols: number; data: number[] }; kl: number[] };
  return { mean: { rows: r.mean.rows, cols: r.mean.cols, data: Float64Array.from(r.mean.data) }, kl: r.kl };
}

const correlationOf = (plan: PopulationPlan): 'lasso' | 'spearman' => (plan.method === 'udr-lasso' ? 'lasso' : 'spearman');

/** The path of a pair's file, and whether the stored file is valid for these representation records. */
async function stored(dir: string, plan: PopulationPlan, pair: Pair, inputs: [string, string]): Promise<{ path: string; strength?: number }> {
  const { join } = await import('node:path');
  const path = join(dir, 'comparisons', `${pair.id}.json`);
  const record = await readSealed<ComparisonRecord>(path, 'disentangle-comparison/1');
  const valid =
    record !== undefined &&
    record !== 'corrupt' &&
    record.pair === pair.id &&
    record.planHash === plan.hash &&
    record.libraryVersion === LIBRARY_VERSION &&
    Array.isArray(record.inputs) &&
    record.inputs[0] === inputs[0] &&
    record.inputs[1] === inputs[1];
  return { path, strength: valid ? (fromJsonSafe(record.strength) as number) : undefined };
}

/** The checked representations of a UDR results directory, with their pairs. */
async function udrInputs(dir: string, signal?: AbortSignal) {
  const { plan, units, records } = await checkedRecords(dir, signal);
  if (plan.method !== 'udr-lasso' && plan.method !== 'udr-spearman') {
    throw new DisentangleError('BAD_INPUT', 'results', `${dir} holds a ${plan.kind === 'scores' ? 'scoring' : plan.method} run; only UDR's comparisons are split at the merge`);
  }
  return { plan, units, records, pairs: pairsOf(plan.models.length) };
}

/**
 * Computes and stores a shard of UDR's pairwise comparisons for a results directory whose representation units
 * are all done (otherwise `BAD_INPUT` listing what is missing). Shard s takes a contiguous block of the ordered
 * pairs (i, j); a pair whose valid file is stored is skipped, so reruns resume.
 *
 * @example
 * await runUdrComparisons('out/udr', { shard: parseShard('auto/16', process.env) });
 * const merged = await mergeResults('out/udr'); // reads the stored comparisons
 */
export async function runUdrComparisons(dir: string, options: RunComparisonsOptions = {}): Promise<{ computed: number; skipped: number; pairs: number }> {
  const { plan, units, records, pairs } = await udrInputs(dir, options.signal);
  const count = options.shard?.count ?? 1;
  const index = options.shard?.index ?? 0;
  const mine = pairs.slice(Math.floor((index * pairs.length) / count), Math.floor(((index + 1) * pairs.length) / count));
  const reps = new Map<number, UdrRepresentation>();
  const rep = (m: number): UdrRepresentation => reps.get(m) ?? reps.set(m, representation(records.get(units[m].id)!)).get(m)!;
  const strengthOf = udrComparer({ correlation: correlationOf(plan), signal: options.signal });
  const yielder = createYielder(options.signal);
  let computed = 0;
  options.onProgress?.({ stage: 'comparisons', done: 0, total: mine.length });
  for (let k = 0; k < mine.length; k++) {
    throwIfAborted(options.signal);
    const pair = mine[k];
    const inputs: [string, string] = [records.get(units[pair.i].id)!.checksum, records.get(units[pair.j].id)!.checksum];
    const { path, strength } = await stored(dir, plan, pair, inputs);
    if (strength === undefined || options.force) {
      const t0 = performance.now();
      const value = await strengthOf(rep(pair.i), rep(pair.j));
      const body: Omit<ComparisonRecord, 'checksum'> = { format: 'disentangle-comparison/1', pair: pair.id, planHash: plan.hash, libraryVersion: LIBRARY_VERSION, inputs, strength: toJsonSafe(value), seconds: (performance.now() - t0) / 1000 };
      await writeSealed(path, body);
      computed++;
    }
    options.onProgress?.({ stage: 'comparisons', done: k + 1, total: mine.length });
    await yielder.maybeYield();
  }
  return { computed, skipped: mine.length - computed, pairs: mine.length };
}

/**
 * UDR's pairwise matrix for a checked results directory: stored comparisons where valid, the others computed
 * here (a merge without a comparison phase computes them all).
 */
export async function udrPairwise(dir: string, plan: PopulationPlan, units: readonly Unit[], records: ReadonlyMap<string, UnitRecord>, options: { signal?: AbortSignal }): Promise<number[][]> {
  const n = plan.models.length;
  const pairwise = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const reps = units.map((u) => representation(records.get(u.id)!));
  const strengthOf = udrComparer({ correlation: correlationOf(plan), signal: options.signal });
  const yielder = createYielder(options.signal);
  for (const pair of pairsOf(n)) {
    const inputs: [string, string] = [records.get(units[pair.i].id)!.checksum, records.get(units[pair.j].id)!.checksum];
    const { strength } = await stored(dir, plan, pair, inputs);
    pairwise[pair.i][pair.j] = strength ?? (await strengthOf(reps[pair.i], reps[pair.j]));
    await yielder.maybeYield();
  }
  return pairwise;
}

