import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../src/core/rng.js';
import { buildInfoGanCr, loadInfoGanCr } from '../../src/models/infoganCr.js';
import { buildFactorVae, loadFactorVae } from '../../src/models/factorVae.js';
import { decodeModel, encodeModel } from '../../src/models/checkpoint.js';
import { trainInfoGanCr } from '../../src/models/trainInfoganCr.js';
import { trainFactorVae } from '../../src/models/trainFactorVae.js';
import type { FactorBatch, TensorLike } from '../../src/core/types.js';
import { squares, TINY_VAE as VAE, TINY_GAN as GAN } from '../helpers/tinyModels.js';


let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'disentangle-models-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const values = (t: unknown) => {
  const x = t as tf.Tensor;
  const v = Array.from(x.dataSync());
  x.dispose();
  return v;
};

function weights(m: { params(): Record<string, tf.Variable> }): Record<string, number[]> {
  return Object.fromEntries(Object.entries(m.params()).map(([k, v]) => [k, Array.from(v.dataSync())]));
}

describe('save → load', () => {
  it('InfoGAN-CR: identical generations and Q codes, model.json in tfjs weights-manifest form', async () => {
    const m = await trainInfoGanCr({ dataset: squares, config: { ...GAN, seed: 2 }, iterations: 2, batchSize: 8, crStartIteration: 1, seed: 1 });
    await m.save(join(dir, 'gan'));
    const l = await loadInfoGanCr(join(dir, 'gan'));
    expect(l.config).toEqual(m.config);
    expect(l.iteration).toBe(2);
    const [gm, gl] = [m.asGenerativeModel(), l.asGenerativeModel()];
    const z = (await gm.sampleLatents(4, createRng(3))) as TensorLike;
    const imgs = gm.generate(z) as tf.Tensor4D;
    expect(values(gl.generate(z))).toEqual(Array.from(imgs.dataSync()));
    expect(values(gl.represent(imgs))).toEqual(values(gm.represent(imgs)));
    imgs.dispose();
    const json = JSON.parse((await import('node:fs')).readFileSync(join(dir, 'gan', 'model.json'), 'utf8'));
    expect(json.modelType).toBe('infogan-cr');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual(Object.keys(m.params()));
    m.dispose();
    l.dispose();
  });

  it('FactorVAE: identical decoder output and mean codes; sampled codes are seeded', async () => {
    const m = buildFactorVae({ ...VAE, seed: 7 });
    await m.save(join(dir, 'vae'));
    const l = await loadFactorVae(join(dir, 'vae'));
    const imgs = squares.observationsFromFactors({ data: Int32Array.of(0, 1, 2, 3, 3, 0), shape: [3, 2] });
    const mean = (x: typeof m) => x.asGenerativeModel({ representation: 'mean' });
    expect(values(mean(l).represent(imgs))).toEqual(values(mean(m).represent(imgs)));
    const a = values(m.asGenerativeModel({ seed: 1 }).represent(imgs));
    expect(values(l.asGenerativeModel({ seed: 1 }).represent(imgs))).toEqual(a);
    expect(values(l.asGenerativeModel({ seed: 2 }).represent(imgs))).not.toEqual(a);
    const z = { data: new Float32Array(8).fill(0.5), shape: [2, 4] };
    expect(values(l.asGenerativeModel().generate(z))).toEqual(values(m.asGenerativeModel().generate(z)));
    imgs.dispose();
    m.dispose();
    l.dispose();
  });

  it('loading the wrong kind or a damaged file fails with BAD_FILE', async () => {
    await expect(loadFactorVae(join(dir, 'gan'))).rejects.toMatchObject({ code: 'BAD_FILE' });
    await expect(loadInfoGanCr(join(dir, 'nothing-here'))).rejects.toMatchObject({ code: 'BAD_FILE' });
    writeFileSync(join(dir, 'vae', 'weights.bin'), new Uint8Array(12));
    await expect(loadFactorVae(join(dir, 'vae'))).rejects.toMatchObject({ code: 'BAD_FILE' });
    const before = tf.memory().numTensors;
    const t = { a: tf.tensor1d([1, 2, 3]) };
    const enc = await encodeModel({ modelType: 'x', config: {} }, t);
    const dec = decodeModel(enc.modelJson, enc.weightData);
    expect(Array.from(dec.tensors.a.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([t.a, dec.tensors.a]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => decodeModel({ format: 'nope' }, enc.weightData)).toThrow(/model.json/);
  });
});

describe('checkpoints', () => {
  it('InfoGAN-CR resumed from a checkpoint (weights + Adam state) ends exactly where the uninterrupted run ends', async () => {
    const base = { dataset: squares, config: { ...GAN, seed: 3 }, batchSize: 8, crStartIteration: 2, seed: 6 };
    const full = await trainInfoGanCr({ ...base, iterations: 3 });
    const part = await trainInfoGanCr({ ...base, iterations: 2, checkpointEvery: 2, checkpointDir: join(dir, 'ckpt') });
    // iteration-1 is both the every-2 checkpoint and the pre-CR "InfoGAN (modified)" baseline
    // the resumed run starts at the switch: H and its Adam state are reset there, exactly as in the full run
    const resumed = await trainInfoGanCr({ ...base, iterations: 3, resumeFrom: join(dir, 'ckpt', 'iteration-1') });
    expect(resumed.iteration).toBe(3);
    expect(weights(resumed)).toEqual(weights(full));
    // a checkpoint also loads as a plain model
    const asModel = await loadInfoGanCr(join(dir, 'ckpt', 'iteration-1'));
    expect(asModel.iteration).toBe(2);
    [full, part, resumed, asModel].forEach((m) => m.dispose());
  });

  it('FactorVAE resumed from a checkpoint matches the uninterrupted run', async () => {
    const base = { dataset: squares, config: VAE, batchSize: 8, seed: 2 };
    const full = await trainFactorVae({ ...base, iterations: 4 });
    const part = await trainFactorVae({ ...base, iterations: 2, checkpointEvery: 2, checkpointDir: join(dir, 'vckpt') });
    const resumed = await trainFactorVae({ ...base, iterations: 4, resumeFrom: join(dir, 'vckpt', 'iteration-1') });
    expect(weights(resumed)).toEqual(weights(full));
    [full, part, resumed].forEach((m) => m.dispose());
  });
});

describe('shipped population', () => {
  it('every model in models/population loads and generates 64×64 images', async () => {
    const { readFileSync } = await import('node:fs');
    const index = JSON.parse(readFileSync('models/population/index.json', 'utf8')) as { models: Array<{ name: string; family: string }> };
    expect(index.models.length).toBeGreaterThan(0);
    for (const entry of index.models) {
      const path = join('models/population', entry.name);
      // InfoGAN (modified) baselines are InfoGAN-CR checkpoints taken before λ_CR switched on: the same model type.
      const m = entry.family.startsWith('infogan') ? await loadInfoGanCr(path) : await loadFactorVae(path);
      const gm = m.asGenerativeModel();
      const z = (await gm.sampleLatents(2, createRng(0))) as TensorLike;
      const img = gm.generate(z) as tf.Tensor;
      expect(img.shape).toEqual([2, 64, 64, 1]);
      const codes = gm.represent(img as tf.Tensor4D) as tf.Tensor;
      expect(codes.shape).toEqual([2, gm.codeDims]);
      tf.dispose([img, codes]);
      m.dispose();
    }
  });
});
