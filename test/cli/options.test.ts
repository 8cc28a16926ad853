/**
 * CLI option ranges and output checks, from the sources: a bad value or an unwritable output ends the run with
 * one line on stderr and exit code 1 before anything is computed. Most cases run `main` in this process (fast);
 * two spawn the CLI through tsx to check the real exit code and output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

const ROOT = resolve(__dirname, '../..');
const ENCODER = 'test/cli/fixtures/centroidEncoder.mjs';
const MODEL = 'models/population/infogan-cr-s1';
const out = mkdtempSync(join(tmpdir(), 'disentangle-cli-options-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs the CLI's main in-process; returns what it wrote to stderr and stdout and the exit code it set. */
async function cli(...args: string[]): Promise<{ stderr: string; stdout: string; code: number | undefined; ms: number }> {
  let stderr = '';
  let stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const t0 = performance.now();
  await main(['node', 'disentangle', '--backend', 'cpu', '--quiet', ...args]);
  const ms = performance.now() - t0;
  vi.restoreAllMocks();
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { stderr, stdout, code, ms };
}

async function refused(args: string[], message: RegExp): Promise<void> {
  const r = await cli(...args);
  expect(r.code, `${args.join(' ')} → ${r.stderr}`).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^disentangle: /);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe('');
}

describe('option ranges', () => {
  const cases: Array<[string[], RegExp]> = [
    [['evaluate', '-m', ENCODER, '--sample-scale', '0'], /--sample-scale: expected a number > 0 and ≤ 10, got '0'/],
    [['evaluate', '-m', ENCODER, '--sample-scale', '-1'], /--sample-scale: expected a number > 0/],
    [['evaluate', '-m', ENCODER, '--sample-scale', 'Infinity'], /--sample-scale/],
    [['evaluate', '-m', ENCODER, '--sample-scale', 'abc'], /--sample-scale/],
    [['evaluate', '-m', ENCODER, '--seed', '-1'], /--seed: expected an integer in \[0, 4294967295\]/],
    [['evaluate', '-m', ENCODER, '--seed', '1.5'], /--seed/],
    [['evaluate', '-m', ENCODER, '--representation', 'median'], /--representation: expected sample, mean/],
    [['traverse', MODEL, '--out', join(out, 't.png'), '--steps', '1000'], /--steps: expected an integer in \[2, 64\], got '1000'/],
    [['traverse', MODEL, '--out', join(out, 't.png'), '--steps', '1'], /--steps/],
    [['traverse', MODEL, '--out', join(out, 't.jpg')], /--out: expected a file name ending in \.png or \.gif/],
    [['traverse', MODEL, '--out', join(out, 'png')], /--out: expected a file name ending in \.png or \.gif/],
    [['select', MODEL, MODEL, '--groups', '0'], /--groups: expected an integer in \[1, 10000\]/],
    [['select', MODEL, MODEL, '--group-size', '1'], /--group-size/],
    [['select', MODEL, MODEL, '--scale-set-size', '1e9'], /--scale-set-size/],
    [['select', MODEL, MODEL, '--method', 'best'], /--method: expected model-centrality, udr-lasso, udr-spearman/],
    [['select', MODEL, MODEL, '--num-data-points', '5'], /--num-data-points: expected an integer in \[10, 1000000\]/],
    [['select', MODEL, MODEL, '--num-data-points', '100'], /--num-data-points: does not apply to --method model-centrality/],
    [['select', MODEL, MODEL, '--method', 'udr-lasso', '--groups', '5'], /--groups: does not apply to --method udr-lasso/],
    [['train', 'factor-vae', '--out', join(out, 'm'), '--iterations', '0'], /--iterations: expected an integer in \[1, 100000000\]/],
    [['train', 'factor-vae', '--out', join(out, 'm'), '--iterations', '1e12'], /--iterations/],
    [['train', 'factor-vae', '--out', join(out, 'm'), '--batch-size', '1'], /--batch-size: expected an integer in \[2, 1024\]/],
    [['train', 'factor-vae', '--out', join(out, 'm'), '--batch-size', '100000'], /--batch-size/],
    [['train', 'factor-vae', '--out', join(out, 'm'), '--checkpoint-every', '0'], /--checkpoint-every/],
    [['train', 'infogan-cr', '--out', join(out, 'm'), '--cr-start', '-5'], /--cr-start/],
    [['train', 'factor-vae', '--out', join(out, 'm'), '--gamma', '-1'], /--gamma: expected a number ≥ 0/],
    [['train', 'factor-vae', '--out', join(out, 'm'), '--objective', 'vq'], /--objective: expected factor-vae, beta-vae, beta-tcvae/],
    [['train', 'gan', '--out', join(out, 'm')], /kind: expected infogan-cr or factor-vae/],
  ];
  for (const [args, message] of cases) {
    it(`refuses ${args.slice(args.length - 2).join(' ')} (${args[0]})`, async () => {
      await refused(args, message);
    });
  }
  it('wrote nothing while refusing', () => {
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('outputs are checked before computing', () => {
  it('--json that is a directory, under a file, or in an unwritable place is refused at once', async () => {
    const dir = join(out, 'a-directory');
    mkdirSync(dir);
    const file = join(out, 'a-file');
    writeFileSync(file, 'x');
    // Every metric at full size would run for many minutes: a refusal in well under that proves nothing ran.
    await refused(['evaluate', '-m', ENCODER, '--metrics', 'all', '--json', dir], /--json: .*is a directory/);
    await refused(['evaluate', '-m', ENCODER, '--json', join(file, 'scores.json')], /--json: cannot write .*not a directory/);
    await refused(['select', MODEL, MODEL, '--json', dir], /--json: .*is a directory/);
    await refused(['demo', '--json', dir], /--json: .*is a directory/);
    await refused(['demo', '--out', file], /--out: .*exists and is not a directory/);
    await refused(['traverse', MODEL, '--out', join(file, 't.png')], /--out: cannot write/);
  });

  it('train --out that is a file is refused before training (no checkpoint written)', async () => {
    const file = join(out, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = await cli('train', 'factor-vae', '--out', file, '--iterations', '5', '--checkpoint-every', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^disentangle: --out: .*exists and is not a directory\n$/);
    expect(r.ms).toBeLessThan(5000);
  });
});

describe('the CLI process (tsx, from the sources)', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

  it('exits 1 with one line for an out-of-range option and for a .jpg traversal, and writes nothing', () => {
    const a = run('evaluate', '-m', ENCODER, '--sample-scale', '0');
    expect(a.status).toBe(1);
    expect(a.stderr).toBe("disentangle: --sample-scale: expected a number > 0 and ≤ 10, got '0'\n");
    const jpg = join(out, 'x.jpg');
    const b = run('traverse', MODEL, '--out', jpg);
    expect(b.status).toBe(1);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(jpg)).toBe(false);
  });
});
