/**
 * The whole project type-checks under its strict tsconfig: sources, tests, benchmarks, scripts and examples.
 * Vitest strips types without checking them, so without this a type error in a test or a benchmark (or an
 * assignment a test makes to pin a public type, such as an ONNX posterior being a UDR model) would pass.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');

describe('types', () => {
  it('tsc --noEmit -p . reports no error', () => {
    const r = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', ROOT], { encoding: 'utf8', cwd: ROOT });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  }, 240_000);
});
