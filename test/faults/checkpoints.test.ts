/**
 * Torn checkpoints and resume: a run directory resumes from its newest checkpoint that loads and says which it
 * skipped; resuming at or past the target keeps the iteration; failures inside training leak nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FactorBatch } from '../../src/core/types.js';
import { buildFactorVae } from '../../src/models/factorVae.js';
import { trainFactorVae } from '../../src/models/trainFactorVae.js';
import { trainInfoGanCr } from '../../src/models/trainInfoganCr.js';
import type { ResumeInfo } from '../../src/models/resume.js';
import { squares, TINY_VAE as VAE, TINY_GAN as GAN } from '../helpers/tinyModels.js';

const base = { dataset: squares, config: VAE, batchSize: 8, seed: 5 };

const weights = (m: { params(): Record<string, tf.Variable> }) => Object.fromEntries(Object.entries(m.params()).map(([k, v]) => [k, Array.from(v.dataSync())]));

let root: string;
let run: string;
let full: Record<string, number[]>;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'disentangle-ckpt-'));
  run = join(root, 'run');
  // A run that checkpoints every iteration; the full 4-iteration run is the reference for every resume.
  const part = await trainFactorVae({ ...base, iterations: 3, checkpointEvery: 1, checkpointDir: join(run, 'checkpoints') });
  part.dispose();
  const m = await trainFactorVae({ ...base, iterations: 4 });
  full = weights(m);
  m.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let copies = 0;
function copyRun(): string {
  const dir = join(root, `copy-${++copies}`);
  cpSync(run, dir, { recursive: true });
  return dir;
}

async function resume(source: string, iterations = 4) {
  const infos: ResumeInfo[] = [];
  const before = tf.memory().numTensors;
  const m = await trainFactorVae({ ...base, iterations, resumeFrom: source, onResume: (i) => infos.push(i) });
  const made = tf.memory().numTensors - before;
  const result = { model: m, info: infos[0], weights: weights(m), leaked: made - Object.keys(m.params()).length };
  return result;
}

describe('resume from a run directory', () => {
  it('an intact run resumes from its newest checkpoint, given the run folder or its checkpoints/ folder', async () => {
    const dir = copyRun();
    for (const source of [dir, join(dir, 'checkpoints')]) {
      const r = await resume(source);
      expect(r.info.checkpoint).toBe(join(source === dir ? join(dir, 'checkpoints') : source, 'iteration-2'));
      expect(r.info.iteration).toBe(3);
      expect(r.info.skipped).toEqual([]);
      expect(r.weights).toEqual(full);
      expect(r.leaked).toBe(0);
      r.model.dispose();
    }
  });

  it('a truncated newest weights.bin falls back to the previous checkpoint, says so, and still ends bit-exact', async () => {
    const dir = copyRun();
    const w = join(dir, 'checkpoints', 'iteration-2', 'weights.bin');
    truncateSync(w, Math.floor(readFileSync(w).length / 2));
    const r = await resume(dir);
    expect(r.info.checkpoint).toBe(join(dir, 'checkpoints', 'iteration-1'));
    expect(r.info.iteration).toBe(2);
    expect(r.info.skipped).toHaveLength(1);
    expect(r.info.skipped[0].checkpoint).toBe(join(dir, 'checkpoints', 'iteration-2'));
    expect(r.info.skipped[0].reason).toMatch(/iteration-2\/weights\.bin: holds \d+ bytes/);
    expect(r.weights).toEqual(full);
    expect(r.leaked).toBe(0);
    r.model.dispose();
  });

  it('corrupt model.json in the two newest checkpoints: falls back twice, zero leaks', async () => {
    const dir = copyRun();
    writeFileSync(join(dir, 'checkpoints', 'iteration-2', 'model.json'), '{"format": "disentangle-reference-model/1", "weightsMan');
    const j1 = join(dir, 'checkpoints', 'iteration-1', 'model.json');
    const json = JSON.parse(readFileSync(j1, 'utf8'));
    json.weightsManifest[0].weights[0].shape = [1, 2, 3];
    writeFileSync(j1, JSON.stringify(json));
    const r = await resume(dir);
    expect(r.info.checkpoint).toBe(join(dir, 'checkpoints', 'iteration-0'));
    expect(r.info.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/model\.json: not valid JSON/), expect.stringMatching(/weights\.bin: holds|shape/)]);
    expect(r.weights).toEqual(full);
    expect(r.leaked).toBe(0);
    r.model.dispose();
  });

  it('a checkpoint whose swap was interrupted (only .iteration-2.new left) is recovered and used', async () => {
    const dir = copyRun();
    const ck = join(dir, 'checkpoints');
    renameSync(join(ck, 'iteration-2'), join(ck, '.iteration-2.new'));
    const r = await resume(dir);
    expect(r.info.checkpoint).toBe(join(ck, 'iteration-2'));
    expect(r.info.skipped).toEqual([]);
    expect(r.weights).toEqual(full);
    r.model.dispose();
  });

  it('when nothing loads: BAD_FILE listing every checkpoint and why, zero leaks', async () => {
    const dir = copyRun();
    for (const i of [0, 1, 2]) truncateSync(join(dir, 'checkpoints', `iteration-${i}`, 'weights.bin'), 10);
    const before = tf.memory().numTensors;
    await expect(trainFactorVae({ ...base, iterations: 4, resumeFrom: dir })).rejects.toMatchObject({
      code: 'BAD_FILE',
      argument: 'resumeFrom',
      message: expect.stringMatching(/no checkpoint in .* loads: .*iteration-2.*iteration-1.*iteration-0/),
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a single checkpoint directory that is torn fails (no silent fallback), and so does another model’s run', async () => {
    const dir = copyRun();
    truncateSync(join(dir, 'checkpoints', 'iteration-2', 'weights.bin'), 10);
    const before = tf.memory().numTensors;
    await expect(trainFactorVae({ ...base, iterations: 4, resumeFrom: join(dir, 'checkpoints', 'iteration-2') })).rejects.toMatchObject({ code: 'BAD_FILE' });
    await expect(trainInfoGanCr({ dataset: squares, config: GAN, batchSize: 8, iterations: 4, resumeFrom: join(dir, 'checkpoints', 'iteration-1') })).rejects.toMatchObject({
      code: 'BAD_FILE',
      message: expect.stringMatching(/'factor-vae' model, not 'infogan-cr'/),
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a saved model is not a checkpoint: BAD_FILE naming training.optimizerSteps', async () => {
    const dir = join(root, 'saved');
    const m = await trainFactorVae({ ...base, iterations: 1 });
    await m.save(dir);
    m.dispose();
    const before = tf.memory().numTensors;
    await expect(trainFactorVae({ ...base, iterations: 2, resumeFrom: dir })).rejects.toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/training\.optimizerSteps/) });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('resume at or past the target', () => {
  it('returns the checkpoint’s model with its iteration kept (both trainers)', async () => {
    const dir = copyRun();
    for (const iterations of [3, 2, 0]) {
      const r = await resume(dir, iterations);
      expect(r.model.iteration).toBe(3);
      expect(r.leaked).toBe(0);
      r.model.dispose();
    }
    const ganRun = join(root, 'gan-run');
    const g = await trainInfoGanCr({ dataset: squares, config: GAN, batchSize: 8, iterations: 2, crStartIteration: 5, checkpointEvery: 2, checkpointDir: ganRun, seed: 1 });
    const resumed = await trainInfoGanCr({ dataset: squares, config: GAN, batchSize: 8, iterations: 2, crStartIteration: 5, resumeFrom: ganRun, seed: 1 });
    expect(resumed.iteration).toBe(2);
    expect(weights(resumed)).toEqual(weights(g));
    g.dispose();
    resumed.dispose();
  });
});

describe('failures inside training leak nothing', () => {
  it('a throwing onProgress, onResume or dataset, and a failing checkpoint write', async () => {
    const before = tf.memory().numTensors;
    const boom = () => {
      throw new Error('callback failed');
    };
    await expect(trainFactorVae({ ...base, iterations: 3, onProgress: boom })).rejects.toThrow('callback failed');
    await expect(trainInfoGanCr({ dataset: squares, config: GAN, batchSize: 8, iterations: 3, onProgress: boom })).rejects.toThrow('callback failed');
    await expect(trainFactorVae({ ...base, iterations: 4, resumeFrom: copyRun(), onResume: boom })).rejects.toThrow('callback failed');
    let calls = 0;
    const flaky = {
      factorSizes: [4, 4],
      observationsFromFactors(f: FactorBatch) {
        if (++calls === 2) throw new Error('dataset failed');
        return squares.observationsFromFactors(f);
      },
    };
    await expect(trainFactorVae({ ...base, dataset: flaky, iterations: 3 })).rejects.toThrow('dataset failed');
    const wrongRows = { factorSizes: [4, 4], observationsFromFactors: (f: FactorBatch) => squares.observationsFromFactors({ data: f.data.slice(0, 2), shape: [1, 2] }) };
    await expect(trainFactorVae({ ...base, dataset: wrongRows, iterations: 3 })).rejects.toMatchObject({ code: 'CALLBACK_RESULT' });
    const blocked = join(root, 'blocked');
    writeFileSync(blocked, 'a file where the checkpoint folder should go');
    await expect(trainFactorVae({ ...base, iterations: 2, checkpointEvery: 1, checkpointDir: join(blocked, 'ck') })).rejects.toMatchObject({ code: 'BAD_FILE' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an abort mid-run leaks nothing and a passed-in model stays usable', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    await expect(
      trainFactorVae({ ...base, iterations: 50, onProgress: (p) => p.done === 2 && controller.abort(), signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(tf.memory().numTensors).toBe(before);
    const mine = buildFactorVae(VAE);
    const again = new AbortController();
    await expect(trainFactorVae({ ...base, model: mine, iterations: 50, onProgress: (p) => p.done === 1 && again.abort(), signal: again.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(mine.iteration).toBe(1);
    expect(Object.values(mine.params()).every((v) => !v.isDisposed)).toBe(true);
    mine.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(trainFactorVae({ ...base, model: {} as never, iterations: 1 })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'model' });
  });
});
