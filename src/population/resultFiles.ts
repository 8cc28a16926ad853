/**
 * A results directory: `plan.json` (the plan's identity) and `units/<id>.json`, one file per unit, each written
 * atomically (temporary name, then rename) and sealed with a SHA-256 of its content. A file is trusted only when
 * it is whole, belongs to this plan, was written by this library version on the same tfjs backend and was computed
 * from the model bytes present now; anything else is recomputed by a run and refused by a merge.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { nodeFs } from '../core/readFiles.js';
import { LIBRARY_VERSION } from '../core/version.js';
import { canonicalJson, sha256Hex, type PopulationPlan, type Unit } from './units.js';

/** What one unit file holds. */
export interface UnitRecord {
  format: 'disentangle-unit/1';
  unit: string;
  planHash: string;
  libraryVersion: string;
  /** The tfjs backend that ran the unit ('wasm', 'cpu', …): backends may differ in the last bits of a float. */
  backend: string;
  /** SHA-256 of each model the unit read, by its index in the plan's model list. */
  modelDigests: Record<string, string>;
  /** The unit's numbers, in JSON with non-finite numbers spelled out (see {@link toJsonSafe}). */
  result: unknown;
  /** Seconds the unit took (not part of any merged number). */
  seconds: number;
  /** SHA-256 of the canonical JSON of every other field. */
  checksum: string;
}

/** How a stored unit file compares with what the unit would compute now. */
export type UnitFileStatus = 'missing' | 'corrupt' | 'other-plan' | 'other-version' | 'other-backend' | 'other-model' | 'ok';

const MESSAGE = 'population results live in files: they need Node';

/** The unit's result file inside a results directory. */
export async function unitFilePath(results: string, unit: Pick<Unit, 'id'>): Promise<string> {
  const { join } = await import('node:path');
  return join(results, 'units', `${unit.id}.json`);
}

/**
 * Numbers and arrays as JSON can hold them: typed arrays become arrays and NaN / ±Infinity become
 * `{ "nonFinite": "NaN" }` (plain JSON would turn them into null). Finite doubles round-trip exactly.
 */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { nonFinite: String(value) };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>, toJsonSafe);
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function').map(([k, v]) => [k, toJsonSafe(v)]));
  }
  return value;
}

/** Reverses {@link toJsonSafe} (typed arrays come back as plain arrays). */
export function fromJsonSafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJsonSafe);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'nonFinite') return Number((value as { nonFinite: string }).nonFinite);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJsonSafe(v)]));
  }
  return value;
}

const seal = (body: object): string => sha256Hex(canonicalJson(body));

/** Writes `body` with its seal (the SHA-256 of its canonical JSON) atomically to `path`, creating the folder. */
export async function writeSealed(path: string, body: { format: string }): Promise<void> {
  const fs = await nodeFs('results', MESSAGE);
  const { dirname } = await import('node:path');
  await fs.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify({ ...body, checksum: seal(body) }, null, 1)}\n`, 'results');
}

/** Reads a sealed file of `format`: undefined when missing, `'corrupt'` when unreadable, of another format or unsealed. */
export async function readSealed<T extends { format: string; checksum: string }>(path: string, format: T['format']): Promise<T | 'corrupt' | undefined> {
  const fs = await nodeFs('results', MESSAGE);
  const text = await fs.readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : 'corrupt'));
  if (text === undefined || text === 'corrupt') return text;
  try {
    const record = JSON.parse(text) as T;
    if (!record || typeof record !== 'object' || record.format !== format || typeof record.checksum !== 'string') return 'corrupt';
    const { checksum, ...body } = record;
    return seal(body) === checksum ? record : 'corrupt';
  } catch {
    return 'corrupt';
  }
}

/** Writes one unit's result atomically. */
export async function writeUnitRecord(results: string, unit: Unit, modelDigests: Record<string, string>, result: unknown, seconds: number): Promise<string> {
  const path = await unitFilePath(results, unit);
  const body: Omit<UnitRecord, 'checksum'> = {
    format: 'disentangle-unit/1',
    unit: unit.id,
    planHash: unit.plan.hash,
    libraryVersion: LIBRARY_VERSION,
    backend: tf.getBackend(),
    modelDigests,
    result: toJsonSafe(result),
    seconds,
  };
  await writeSealed(path, body);
  return path;
}

/** Parses and checks a unit file's seal; undefined when it is missing, `'corrupt'` when it cannot be trusted. */
export function readUnitRecord(path: string): Promise<UnitRecord | 'corrupt' | undefined> {
  return readSealed<UnitRecord>(path, 'disentangle-unit/1');
}

/** Compares a read unit file with the unit and the model digests of now. */
export function unitFileStatus(record: UnitRecord | 'corrupt' | undefined, unit: Unit, digests: Record<string, string>): UnitFileStatus {
  if (record === undefined) return 'missing';
  if (record === 'corrupt' || record.unit !== unit.id) return 'corrupt';
  if (record.planHash !== unit.plan.hash) return 'other-plan';
  if (record.libraryVersion !== LIBRARY_VERSION) return 'other-version';
  if (record.backend !== tf.getBackend()) return 'other-backend';
  for (const [k, d] of Object.entries(digests)) if (record.modelDigests[k] !== d) return 'other-model';
  return 'ok';
}

/** The plan's identity as stored: everything but the units. */
const planText = (plan: PopulationPlan): string => `${JSON.stringify(plan, null, 1)}\n`;

/**
 * Makes `results` the home of `plan`: writes `plan.json` when absent (or unreadable), and refuses a directory
 * that holds another plan's results, naming what differs. Every shard calls it; they write identical bytes.
 */
export async function ensurePlanFile(results: string, plan: PopulationPlan): Promise<void> {
  const fs = await nodeFs('results', MESSAGE);
  const { join } = await import('node:path');
  await fs.mkdir(join(results, 'units'), { recursive: true });
  const stored = await readPlanFile(results).catch(() => undefined);
  if (stored?.hash === plan.hash) return;
  if (stored) {
    const differs = (['kind', 'metrics', 'method', 'models', 'seed', 'settings'] as const).filter((k) => canonicalJson(stored[k]) !== canonicalJson(plan[k]));
    throw new DisentangleError('BAD_INPUT', 'results', `${results} holds the results of another plan (it differs in ${differs.join(', ') || 'its format'}); use another results directory`);
  }
  await writeFileAtomic(join(results, 'plan.json'), planText(plan), 'results');
}

/** Reads `plan.json`; `BAD_INPUT` naming `results` when it is missing or damaged. */
export async function readPlanFile(results: string): Promise<PopulationPlan> {
  const fs = await nodeFs('results', MESSAGE);
  const { join } = await import('node:path');
  const text = await fs.readFile(join(results, 'plan.json'), 'utf8').catch(() => undefined);
  if (text === undefined) throw new DisentangleError('BAD_INPUT', 'results', `${results} has no plan.json: is it the --results directory of a population run?`);
  try {
    const plan = JSON.parse(text) as PopulationPlan;
    if (plan?.format !== 'disentangle-population/1' || typeof plan.hash !== 'string' || !Array.isArray(plan.models)) throw new Error('not a population plan');
    return plan;
  } catch (e) {
    throw new DisentangleError('BAD_FILE', 'results', `${join(results, 'plan.json')} is damaged (${(e as Error).message})`);
  }
}
