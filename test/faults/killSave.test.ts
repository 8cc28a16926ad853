/**
 * kill -9 during save: a child process overwrites a saved model directory in a loop (two models in turn) and is
 * killed at random moments; every time, the directory must load as exactly one of the two models.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { buildFactorVae, loadFactorVae, type FactorVae } from '../../src/models/factorVae.js';
import { KILL_TEST_CONFIG } from './helpers/killConfig.js';

const ROOT = resolve(__dirname, '../..');
const CHILD = join(__dirname, 'helpers', 'saveLoop.ts');
const KILLS = 10;

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'disentangle-kill-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const flat = (m: FactorVae): Float32Array => {
  const parts = Object.values(m.params()).map((v) => v.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

/** Starts the saving loop, waits until it is writing, lets it run `ms` more, then kill -9. */
function killDuringSaves(dir: string, ms: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, '1', '2'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let armed = false;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (armed || !d.toString().includes('ready')) return;
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? done() : fail(new Error(`saving loop ended on its own (code ${code}): ${err.slice(-2000)}`))));
  });
}

describe('kill -9 while a model is being overwritten', () => {
  it(`the directory loads as the old or the new model after each of ${KILLS} kills at random moments`, async () => {
    const dir = join(root, 'model');
    const a = buildFactorVae({ ...KILL_TEST_CONFIG, seed: 1 });
    const b = buildFactorVae({ ...KILL_TEST_CONFIG, seed: 2 });
    const expected = { 1: flat(a), 2: flat(b) };
    await a.save(dir);
    a.dispose();
    b.dispose();
    const rng = createRng(15);
    const seen = { 1: 0, 2: 0, midSwap: 0 };
    for (let k = 0; k < KILLS; k++) {
      await killDuringSaves(dir, Math.floor(rng.float() * 400));
      if (readdirSync(root).length > 1) seen.midSwap++;
      const before = tf.memory().numTensors;
      const m = await loadFactorVae(dir);
      const seed = m.config.seed as 1 | 2;
      expect([1, 2]).toContain(seed);
      expect(same(flat(m), expected[seed])).toBe(true);
      seen[seed]++;
      m.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    // A later save clears whatever the killed writers left next to the directory.
    const c = buildFactorVae({ ...KILL_TEST_CONFIG, seed: 1 });
    await c.save(dir);
    c.dispose();
    expect(readdirSync(root)).toEqual(['model']);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    console.info(`kill -9 test: loaded seed 1 ${seen[1]}×, seed 2 ${seen[2]}×; ${seen.midSwap} kills left temporary siblings behind`);
  }, 300_000);
});
