/**
 * Spawns the built CLI (dist/cli.js) as a user would. `npm test` builds first; a missing or stale build fails
 * here with a reason instead of skipping.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltDist } from '../helpers/builtDist.js';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const out = mkdtempSync(join(tmpdir(), 'disentangle-cli-'));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });

describe('disentangle CLI', () => {
  beforeAll(() => requireBuiltDist(['dist/cli.js']));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('lists every command and shows an example per command', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const c of ['demo', 'evaluate', 'select', 'traverse', 'train']) {
      expect(r.stdout).toContain(c);
      expect(run(c, '--help').stdout).toMatch(/Examples?:\n\s+\$ disentangle /);
    }
  });

  it('evaluates a JS-module model on procedural dSprites, prints a table and writes JSON', () => {
    const json = join(out, 'scores.json');
    const r = run('evaluate', '--model', 'test/cli/fixtures/centroidEncoder.mjs', '--metrics', 'mig,modularity', '--sample-scale', '0.05', '--seed', '3', '--json', json, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/mig\s+score\s+0\.\d{3}/);
    const saved = JSON.parse(readFileSync(json, 'utf8'));
    expect(saved.seed).toBe(3);
    expect(saved.results.mig.score).toBeGreaterThan(0.2); // centroid codes capture posX and posY
    expect(saved.results.modularity.score).toBeGreaterThan(0.5);
  });

  it('evaluates an ONNX encoder exported from PyTorch (onnxruntime-web), encoding each image once', () => {
    const json = join(out, 'onnx-scores.json');
    const r = run('evaluate', '--encoder', 'test/fixtures/onnx/burgess_encoder.onnx', '--metrics', 'mig,modularity', '--sample-scale', '0.01', '--json', json, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/modularity\s+score\s+\d\.\d{3}/);
    const saved = JSON.parse(readFileSync(json, 'utf8'));
    expect(saved.encoder).toBe('test/fixtures/onnx/burgess_encoder.onnx');
    // one draw of 100 rows, handed on from MIG to Modularity
    expect(saved.drawnImages).toBe(100);
    expect(saved.sharedImages).toBe(100);
    expect(saved.encodedImages).toBeGreaterThan(0);
    expect(saved.encodedImages).toBeLessThanOrEqual(100);
  });

  it('shares one draw between metrics for a mean representation, and none for a sampled one', () => {
    const counts = (representation: string): { drawnImages: number; sharedImages: number; encodedImages: number } => {
      const json = join(out, `fvae-${representation}.json`);
      const r = run('evaluate', '--model', 'models/population/factor-vae-g10-s0', '--representation', representation, '--metrics', 'mig,modularity', '--sample-scale', '0.01', '--json', json, '--quiet');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return JSON.parse(readFileSync(json, 'utf8'));
    };
    // the mean is a function of the image: MIG's 100 rows are handed on to Modularity and encoded once
    expect(counts('mean')).toMatchObject({ drawnImages: 100, sharedImages: 100 });
    // sampled codes differ at every call: each metric draws and encodes its own rows, with no table
    expect(counts('sample')).toEqual(expect.objectContaining({ drawnImages: 200, sharedImages: 0, encodedImages: 200 }));
  });

  it('gives the same numbers for the same seed', () => {
    const a = run('evaluate', '-m', 'test/cli/fixtures/centroidEncoder.mjs', '--metrics', 'mig', '--sample-scale', '0.02', '--quiet');
    const b = run('evaluate', '-m', 'test/cli/fixtures/centroidEncoder.mjs', '--metrics', 'mig', '--sample-scale', '0.02', '--quiet');
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('ends bad input with exit 1 and a one-line reason', () => {
    const bad = run('evaluate', '--model', 'test/cli/fixtures/centroidEncoder.mjs', '--metrics', 'nope');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^disentangle: metrics: unknown metric nope/);
    const missing = run('evaluate', '--model', 'no/such/model');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/model: .*does not exist/);
  });

  it('draws a traversal of a shipped reference model', () => {
    const png = join(out, 'traversal.png');
    const r = run('traverse', 'models/population/infogan-cr-s1', '--out', png, '--steps', '4');
    expect(r.status).toBe(0);
    const img = decode(readFileSync(png));
    expect(img.width).toBeGreaterThan(4 * 64);
    expect(img.height).toBeGreaterThan(5 * 64); // one row per code (5 codes)
  });

  it('trains both reference models from the built package, and the saved models load', () => {
    for (const kind of ['factor-vae', 'infogan-cr']) {
      const dir = join(out, kind);
      const r = run('train', kind, '--out', dir, '--iterations', '3', '--batch-size', '8', '--quiet');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`saved ${kind} to ${dir}`);
      const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      expect(saved.modelType).toBe(kind);
      expect(saved.iteration).toBe(3);
      const png = join(out, `${kind}.png`);
      const t = run('traverse', dir, '--out', png, '--steps', '2');
      expect(t.status).toBe(0);
      expect(decode(readFileSync(png)).width).toBe(2 * 64 + 3 * 2); // two steps with the grid's 2-pixel gaps
    }
  });
});
