/**
 * Ctrl-C during `disentangle select` (issue 15): the CLI, spawned from the sources through tsx, must turn SIGINT
 * into an abort, say what was left unfinished, write nothing, and exit with 130 within 2 s; a second Ctrl-C
 * ends it at once. The population is a JS-module model whose every call is ~8 ms of synchronous work
 * (test/faults/fixtures/abortSlowModel.mjs), so ModelCentrality at its default sizes runs for many seconds.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const MODEL = 'test/faults/fixtures/abortSlowModel.mjs';
const HANG = 'test/faults/fixtures/abortHangingModel.mjs';
const NEVER = 'test/faults/fixtures/neverSettlingEncoder.mjs';
const out = mkdtempSync(join(tmpdir(), 'disentangle-abort-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ms from the (first) SIGINT to the process's exit */
  exitMs: number;
}

/** Starts the CLI, waits until its progress shows it is working, sends `signals` SIGINTs `gapMs` apart. */
function interrupt(args: string[], signals = 1, gapMs = 50): Promise<Interrupted> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', '--backend', 'cpu', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // the first progress line: models loaded, ModelCentrality running; give it a moment to get into a batch
      if (!sentAt && /pairs 0\/\d+/.test(stderr)) {
        setTimeout(() => {
          sentAt = performance.now();
          for (let i = 0; i < signals; i++) setTimeout(() => child.kill('SIGINT'), i * gapMs);
        }, 300);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolvePromise({ code, stdout, stderr, exitMs: sentAt ? performance.now() - sentAt : NaN });
    });
  });
}

describe('SIGINT to the CLI', () => {
  it('during select: exits with 130 within 2 s, says where it stopped, writes no result', async () => {
    const json = join(out, 'select.json');
    const r = await interrupt(['select', MODEL, MODEL, '--json', json]);
    expect(r.code).toBe(130);
    expect(r.exitMs).toBeLessThan(2000);
    expect(r.stderr).toMatch(/disentangle: interrupted: model-centrality stopped at pairs \d+\/4; no result written\n/);
    expect(r.stderr.match(/interrupted/g)).toHaveLength(1);
    expect(r.stdout).toBe(''); // no ranking table
    expect(existsSync(json)).toBe(false);
  });

  it('a callback that never returns keeps nothing waiting: the run is abandoned and the process exits', async () => {
    // generate() of this model never settles and the module holds the event loop open with a timer
    const r = await interrupt(['select', HANG, HANG]);
    expect(r.code).toBe(130);
    expect(r.exitMs).toBeLessThan(2000);
    expect(r.stderr.match(/interrupted: model-centrality stopped at pairs 0\/4/g)).toHaveLength(1);
  });

  it('a second Ctrl-C exits at once, before the grace period', async () => {
    const r = await interrupt(['select', HANG, HANG], 2, 100);
    expect(r.code).toBe(130);
    expect(r.exitMs).toBeLessThan(900); // the grace period is 1 s
    expect(r.stderr.match(/interrupted/g)).toHaveLength(1);
  });

  it('a callback that never settles and holds nothing open: evaluate says so and exits 1, not a silent 13', async () => {
    const json = join(out, 'never.json');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', '--backend', 'cpu', 'evaluate', '--model', NEVER, '--metrics', 'mig', '--json', json], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/disentangle: stopped: MIG at train 0\/10000 was waiting for a callback \(your model or dataset\) whose promise never settled; no result written\n$/);
    expect(existsSync(json)).toBe(false);
  });
});
