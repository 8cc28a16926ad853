/**
 * Running the Python references on the benchmarks' own inputs: arrays are written as `.npy` into a temporary
 * folder and each `scripts/bench/ref_*.py` prints one JSON line per timed reference (see their docstrings for the
 * reference trees they import). Used by `metrics-from-codes.ts --reference`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpyHeader } from '../../src/data/npz.js';

/** One timed reference: what the script printed. */
export interface ReferenceTime {
  id: string;
  seconds: number;
  [field: string]: unknown;
}

/** A temporary folder for `.npy` inputs; `dispose()` removes it. */
export function npyFolder(): { write(name: string, data: Float64Array | Int32Array, shape: readonly number[]): string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'disentangle-ref-'));
  return {
    write(name, data, shape) {
      const descr = data instanceof Float64Array ? '<f8' : '<i4';
      const header = encodeNpyHeader(descr, shape);
      const bytes = new Uint8Array(header.length + data.byteLength);
      bytes.set(header, 0);
      bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
      const path = join(dir, `${name}.npy`);
      writeFileSync(path, bytes);
      return path;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs `python3 script args…` and returns its JSON lines; a failing script is reported and gives none. */
export function runReference(script: string, args: readonly string[]): ReferenceTime[] {
  const r = spawnSync('/usr/bin/python3', [script, ...args], { encoding: 'utf8', timeout: 1_800_000 });
  if (r.status !== 0) {
    console.log(`${script}: failed (${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    return [];
  }
  return r.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as ReferenceTime);
}
