/**
 * `disentangle evaluate --codes codes.npy`: every dataset-based metric from a table of codes saved elsewhere
 * (numpy order), with no model. Runs the built CLI (dist/cli.js) like the other CLI tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpyHeader } from '../../src/data/npz.js';
import { requireBuiltDist } from '../helpers/builtDist.js';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const out = mkdtempSync(join(tmpdir(), 'disentangle-codes-'));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });

/** Codes for all 737,280 dSprites combinations in numpy (C) order: posX and posY, scaled to [0, 1]. */
function positionCodes(): Buffer {
  const N = 3 * 6 * 40 * 32 * 32;
  const codes = new Float32Array(N * 2);
  for (let r = 0; r < N; r++) {
    codes[2 * r] = (Math.floor(r / 32) % 32) / 31; // posX: the second-to-last factor
    codes[2 * r + 1] = (r % 32) / 31; // posY: the last factor
  }
  return Buffer.concat([Buffer.from(encodeNpyHeader('<f4', [N, 2])), Buffer.from(codes.buffer)]);
}

describe('disentangle evaluate --codes', () => {
  beforeAll(() => requireBuiltDist(['dist/cli.js']));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('scores a .npy code table with no model and encodes nothing', () => {
    const codes = join(out, 'codes.npy');
    writeFileSync(codes, positionCodes());
    const json = join(out, 'scores.json');
    const r = run('evaluate', '--codes', codes, '--dataset', 'dsprites', '--metrics', 'mig,factor-vae', '--sample-scale', '0.02', '--json', json, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/mig\s+score\s+0\.\d{3}/);
    const saved = JSON.parse(readFileSync(json, 'utf8'));
    expect(saved.codes).toBe(codes);
    expect(saved.encodedImages).toBe(0);
    expect(saved.drawnImages).toBeGreaterThan(0);
    expect(saved.results.mig.score).toBeGreaterThan(0.15); // posX and posY exactly (2 of 5 factors)
    expect(saved.results['factor-vae'].evalAccuracy).toBeGreaterThan(0.3);
  });

  it('refuses a table of the wrong size, and --codes with --model', () => {
    const small = join(out, 'small.npy');
    writeFileSync(small, Buffer.concat([Buffer.from(encodeNpyHeader('<f4', [10, 2])), Buffer.alloc(80)]));
    const bad = run('evaluate', '--codes', small, '--metrics', 'mig');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^disentangle: codeTable: has 10 rows, the dataset has 737280/);
    const both = run('evaluate', '--codes', small, '--model', 'test/cli/fixtures/centroidEncoder.mjs');
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/^disentangle: --model: give exactly one of --model, --encoder and --codes \(got 2\)/);
  });
});
