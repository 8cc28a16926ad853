/**
 * A process that never called setupBackend: the vitest worker may already hold a backend, so these checks run in
 * fresh child processes (test/core/fixtures/noBackend.ts).
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const CHILD = join(__dirname, 'fixtures', 'noBackend.ts');

async function runChild(mode: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CHILD, mode], { cwd: ROOT, timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
}

describe('no backend set up', () => {
  it('synchronous entries throw UNSUPPORTED naming themselves; an async entry sets a backend up, after which they work', async () => {
    expect(await runChild('sync-first')).toEqual({
      registered: [],
      observationsBefore: 'UNSUPPORTED:observationsFromFactors',
      buildBefore: 'UNSUPPORTED:buildFactorVae',
      sampleQuality: true,
      observationsAfter: 'ok',
      buildAfter: 'ok',
      backend: 'wasm',
    });
  });

  it('computeMig over dsprites() works without setupBackend', async () => {
    expect(await runChild('mig')).toEqual({ registered: [], mig: true, backend: 'wasm' });
  });
});
