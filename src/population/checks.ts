/**
 * The checks a results directory passes before anything is merged from it: every unit of the plan present and
 * sealed, from this plan and library version, on one tfjs backend, with one set of bytes per model.
 */
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { nodeFs } from '../core/readFiles.js';
import { LIBRARY_VERSION } from '../core/version.js';
import { readPlanFile, readUnitRecord, unitFilePath, type UnitRecord } from './resultFiles.js';
import { planUnits, type PopulationPlan, type Unit } from './units.js';

/** At most `max` names of a list, then how many more. */
function listed(names: readonly string[], max = 8): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/**
 * Reads every unit file of a results directory and checks them all (see {@link mergeResults}); `BAD_INPUT`
 * naming `results` and listing the units concerned when any is missing, damaged or foreign.
 */
export async function checkedRecords(dir: string, signal?: AbortSignal): Promise<{ plan: PopulationPlan; units: Unit[]; records: Map<string, UnitRecord> }> {
  if (typeof dir !== 'string' || dir === '') throw new DisentangleError('BAD_OPTION', 'results', 'expected a directory path');
  const plan = await readPlanFile(dir);
  const units = planUnits({ models: plan.models, ...(plan.kind === 'scores' ? { metrics: plan.metrics } : { method: plan.method }), seed: plan.seed, settings: plan.settings });
  if (units[0].plan.hash !== plan.hash) throw new DisentangleError('BAD_FILE', 'results', `${dir}/plan.json does not match its own hash (edited by hand?)`);
  const records = new Map<string, UnitRecord>();
  const problems = { missing: [] as string[], corrupt: [] as string[], otherPlan: [] as string[], otherVersion: [] as string[] };
  for (const unit of units) {
    throwIfAborted(signal);
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
  return { plan, units, records };
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
