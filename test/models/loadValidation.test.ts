/**
 * Every malformed model directory is refused with BAD_FILE naming the file and the field, and leaves no tensor
 * behind; configs out of range are refused before a variable exists.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, readModel } from '../../src/models/checkpoint.js';
import { buildFactorVae, factorVaeWeights, loadFactorVae, resolveFactorVaeConfig } from '../../src/models/factorVae.js';
import { buildInfoGanCr, loadInfoGanCr } from '../../src/models/infoganCr.js';
import { infoGanCrWeights, resolveInfoGanCrConfig } from '../../src/models/infoganCrConfig.js';
import { countParams } from '../../src/models/layers.js';
import { MAX_MODEL_PARAMS } from '../../src/models/modelConfig.js';
import { TINY_VAE as VAE, TINY_GAN as GAN } from '../helpers/tinyModels.js';


let root: string;
let vaeDir: string;
let ganDir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'disentangle-load-'));
  vaeDir = join(root, 'vae');
  ganDir = join(root, 'gan');
  const vae = buildFactorVae(VAE);
  const gan = buildInfoGanCr(GAN);
  await vae.save(vaeDir);
  await gan.save(ganDir);
  vae.dispose();
  gan.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Json = { modelType: string; config: Record<string, unknown>; iteration?: unknown; format: string; weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }> };

let copies = 0;
/** A damaged copy of a saved model: `edit` changes model.json (and may return new weight bytes). */
function damaged(from: string, edit: (json: Json, bytes: Uint8Array) => Uint8Array | void): string {
  const dir = join(root, `case-${++copies}`);
  cpSync(from, dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Json;
  const bytes = new Uint8Array(readFileSync(join(dir, 'weights.bin')));
  const out = edit(json, bytes) ?? bytes;
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'weights.bin'), out);
  return dir;
}

function without(dir: string, file: string): string {
  unlinkSync(join(dir, file));
  return dir;
}
function replaced(dir: string, modelJson: string): string {
  writeFileSync(join(dir, 'model.json'), modelJson);
  return dir;
}

async function expectBadFile(load: Promise<unknown>, message: RegExp): Promise<void> {
  await expect(load).rejects.toMatchObject({ name: 'DisentangleError', code: 'BAD_FILE', message: expect.stringMatching(message) });
}

const weightsOf = (j: Json) => j.weightsManifest[0].weights;
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

describe('malformed model directories → BAD_FILE naming the file and field, zero leaked tensors', () => {
  const cases: Array<[string, () => string, RegExp, 'vae' | 'gan']> = [
    ['a missing directory', () => join(root, 'nope'), /model\.json: missing/, 'vae'],
    ['no model.json', () => without(damaged(vaeDir, () => undefined), 'model.json'), /model\.json: missing/, 'vae'],
    ['no weights.bin', () => without(damaged(vaeDir, () => undefined), 'weights.bin'), /weights\.bin: missing/, 'vae'],
    ['model.json not JSON', () => replaced(damaged(vaeDir, () => undefined), '{"format": '), /model\.json: not valid JSON/, 'vae'],
    ['model.json an array', () => replaced(damaged(vaeDir, () => undefined), '[1,2]'), /model\.json: \(top level\)/, 'vae'],
    ['another format', () => damaged(vaeDir, (j) => void (j.format = 'keras')), /model\.json: format/, 'vae'],
    ['unknown modelType', () => damaged(vaeDir, (j) => void (j.modelType = 'vq-vae')), /'vq-vae' model, not 'factor-vae'.*modelType/, 'vae'],
    ['the other model type', () => ganDir, /'infogan-cr' model, not 'factor-vae'/, 'vae'],
    ['a negative iteration', () => damaged(vaeDir, (j) => void (j.iteration = -3)), /model\.json: iteration/, 'vae'],
    ['truncated weights', () => damaged(vaeDir, (_j, b) => b.slice(0, b.length - 4)), /weights\.bin: holds \d+ bytes, the manifest in model\.json needs/, 'vae'],
    ['extra bytes', () => damaged(vaeDir, (_j, b) => Uint8Array.from([...b, 0, 0, 0, 0])), /weights\.bin: holds/, 'vae'],
    ['two weight groups', () => damaged(vaeDir, (j) => void j.weightsManifest.push({ paths: ['more.bin'], weights: [] })), /weightsManifest: expected one group/, 'vae'],
    ['a path outside the folder', () => damaged(vaeDir, (j) => void (j.weightsManifest[0].paths = ['../weights.bin'])), /weightsManifest\[0\]\.paths/, 'vae'],
    ['a negative size', () => damaged(vaeDir, (j) => void (weightsOf(j)[0].shape = [-4, 4, 1, 4])), /weights\[0\]\.shape/, 'vae'],
    ['a fractional size', () => damaged(vaeDir, (j) => void (weightsOf(j)[0].shape = [4.5, 4, 1, 4])), /weights\[0\]\.shape/, 'vae'],
    ['a shape that is not a list', () => damaged(vaeDir, (j) => void ((weightsOf(j)[1] as { shape: unknown }).shape = '4')), /weights\[1\]\.shape/, 'vae'],
    ['a huge declared shape', () => damaged(vaeDir, (j) => void (weightsOf(j)[0].shape = [1e6, 1e6])), /weights\[0\]\.shape.*values/, 'vae'],
    ['an int32 dtype', () => damaged(vaeDir, (j) => void (weightsOf(j)[2].dtype = 'int32')), /weights\[2\]\.dtype: expected 'float32'/, 'vae'],
    ['a float16 dtype', () => damaged(ganDir, (j) => void (weightsOf(j)[0].dtype = 'float16')), /weights\[0\]\.dtype/, 'gan'],
    ['a duplicated name', () => damaged(vaeDir, (j) => void (weightsOf(j)[1].name = weightsOf(j)[0].name)), /weights\[1\]\.name: '.*' appears twice/, 'vae'],
    [
      'a weight left out',
      () =>
        damaged(vaeDir, (j, b) => {
          const w = weightsOf(j);
          const last = w.pop()!;
          return b.slice(0, b.length - 4 * sizeOf(last.shape));
        }),
      /weight 'tc\/fc\d\/bias' is missing/,
      'vae',
    ],
    ['a transposed kernel (same bytes, wrong shape)', () => damaged(vaeDir, (j) => void (weightsOf(j)[0].shape = [...weightsOf(j)[0].shape].reverse())), /weight 'enc\/conv0\/kernel' has shape \[4,1,4,4\], expected \[4,4,1,4\]/, 'vae'],
    ['an unknown weight', () => damaged(vaeDir, (j, b) => (weightsOf(j).push({ name: 'extra', shape: [1], dtype: 'float32' }), Uint8Array.from([...b, 0, 0, 0, 0]))), /weight 'extra' belongs to no layer/, 'vae'],
    ['encoderHidden: 200000', () => damaged(vaeDir, (j) => void (j.config.encoderHidden = 200000)), /model\.json: config\.encoderHidden: expected an integer in \[1, 65536\]/, 'vae'],
    ['a model over the weight budget', () => damaged(vaeDir, (j) => void Object.assign(j.config, { discriminatorHidden: 60000, discriminatorLayers: 30 })), /model\.json: config: .*weights, more than/, 'vae'],
    ['a string size', () => damaged(ganDir, (j) => void (j.config.trunkHidden = '16')), /model\.json: config\.trunkHidden/, 'gan'],
    ['a bad conv list', () => damaged(ganDir, (j) => void (j.config.trunkConv = [4, -1, 8, 8])), /model\.json: config\.trunkConv\[1\]/, 'gan'],
    ['an image side the layers do not divide', () => damaged(ganDir, (j) => void (j.config.imageSize = 20)), /model\.json: config\.(trunkConv|generatorDeconv)/, 'gan'],
    ['no config', () => damaged(ganDir, (j) => void delete (j as Partial<Json>).config), /model\.json: config: expected an object/, 'gan'],
    ['a config of another size than the weights', () => damaged(ganDir, (j) => void (j.config.qHidden = 9)), /weight 'dq\/q0\/kernel' has shape \[16,8\], expected \[16,9\]/, 'gan'],
  ];

  for (const [name, make, message, kind] of cases) {
    it(name, async () => {
      const dir = make();
      const before = tf.memory().numTensors;
      await expectBadFile(kind === 'vae' ? loadFactorVae(dir) : loadInfoGanCr(dir), message);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('readModel and decodeModel check the same things', async () => {
    const before = tf.memory().numTensors;
    await expectBadFile(readModel(damaged(vaeDir, (_j, b) => b.slice(8))), /weights\.bin: holds/);
    const json = JSON.parse(readFileSync(join(vaeDir, 'model.json'), 'utf8')) as Json;
    weightsOf(json)[0].dtype = 'string';
    expect(() => decodeModel(json, new ArrayBuffer(0))).toThrow(/weights\[0\]\.dtype/);
    const t = { a: tf.tensor1d([1, 2]) };
    const enc = await encodeModel({ modelType: 'x', config: {} }, t);
    t.a.dispose();
    expect(() => decodeModel(enc.modelJson, new Uint8Array(8) as unknown as ArrayBuffer)).toThrow(/weightData: expected an ArrayBuffer/);
    expect(() => decodeModel(enc.modelJson, new ArrayBuffer(4))).toThrow(/weights hold 4 bytes, the manifest needs 8/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a valid copy still loads (the cases above damage one thing each)', async () => {
    const m = await loadFactorVae(damaged(vaeDir, () => undefined));
    expect(m.config.encoderHidden).toBe(16);
    m.dispose();
  });
});

describe('config bounds before allocation', () => {
  it('build refuses out-of-range and oversized configs without creating a variable', () => {
    const before = tf.memory().numTensors;
    expect(() => buildFactorVae({ encoderHidden: 200000 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'encoderHidden' }));
    expect(() => buildFactorVae({ discriminatorHidden: 60000 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'config' }));
    expect(() => buildInfoGanCr({ imageSize: 4096 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'imageSize' }));
    expect(() => buildInfoGanCr({ trunkConv: [8, 8, 8, 8, 8, 8, 8, 8, 8] })).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'trunkConv' }));
    expect(() => buildInfoGanCr({ generatorDeconv: ['8'] as unknown as number[] })).toThrow(expect.objectContaining({ argument: 'generatorDeconv[0]' }));
    expect(() => buildInfoGanCr(null as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'config' }));
    expect(() => buildFactorVae({ seed: Number.NaN })).toThrow(expect.objectContaining({ argument: 'seed' }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the weight counts the bounds use are the built models’ counts', () => {
    const configs = [{}, VAE, { ...VAE, discriminatorLayers: 0, channels: 3 }];
    for (const c of configs) {
      const m = buildFactorVae(c);
      expect(factorVaeWeights(resolveFactorVaeConfig(c))).toBe(countParams(m.params()));
      m.dispose();
    }
    for (const c of [{}, GAN, { ...GAN, noiseDims: 0, channels: 3, codeDims: 7 }]) {
      const m = buildInfoGanCr(c);
      expect(infoGanCrWeights(resolveInfoGanCrConfig(c))).toBe(countParams(m.params()));
      m.dispose();
    }
    expect(factorVaeWeights(resolveFactorVaeConfig({}))).toBeLessThan(MAX_MODEL_PARAMS / 8);
  });
});
