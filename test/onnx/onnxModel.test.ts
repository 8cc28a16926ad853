import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-web';
import fixture from '../fixtures/onnx/burgess.json' with { type: 'json' };
import { onnxModel, type OnnxModel, type OnnxSession, type OrtModule } from '../../src/onnx/index.js';
import { isOrtModule, isSession, loadOrt } from '../../src/onnx/runtime.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import type { PosteriorFunction } from '../../src/core/types.js';
import type { UdrModel } from '../../src/selection/udr.js';
import { computeMig } from '../../src/metrics/mig.js';
import { dsprites } from '../../src/data/dsprites.js';

ort.env.wasm.numThreads = 1;
const DIR = resolve(__dirname, '../fixtures/onnx');
const file = (name: string): string => resolve(DIR, name);
const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(file(name)));

const N = fixture.images.length;
/** The fixture's images as the library holds them: n×64×64×1. */
const images = (): { data: Float32Array; shape: number[] } => ({ data: Float32Array.from(fixture.images.flat()), shape: [N, 64, 64, 1] });

function maxDiff(a: ArrayLike<number>, b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function expectError(p: Promise<unknown> | (() => unknown), code: string, argument: RegExp, message?: RegExp): Promise<DisentangleError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(DisentangleError);
    const err = e as DisentangleError;
    expect(err.code).toBe(code);
    expect(err.argument).toMatch(argument);
    if (message) expect(err.message).toMatch(message);
    return err;
  }
  throw new Error('expected a DisentangleError');
}

describe('onnxModel on the PyTorch Burgess fixtures (scripts/fixtures/onnx_burgess.py)', () => {
  let model: OnnxModel;
  beforeAll(async () => {
    model = await onnxModel({ encoder: file('burgess_encoder.onnx'), decoder: file('burgess_decoder.onnx') });
  });
  afterAll(async () => model.dispose());

  it('reads the NCHW layout off the model and picks mu / logvar', () => {
    expect(model.layout).toBe('nchw');
    expect(model.layoutSource).toBe('model');
    expect(model.codesOutput).toBe('mu');
    expect(model.logVarOutput).toBe('logvar');
  });

  it('represent reproduces PyTorch mu to 1e-4', async () => {
    const r = (await model.represent(images())) as { data: Float32Array; shape: number[] };
    expect(r.shape).toEqual([N, 10]);
    expect(r.data).toBeInstanceOf(Float32Array);
    expect(maxDiff(r.data, fixture.mu.flat())).toBeLessThan(1e-4);
  });

  it('posterior reproduces PyTorch mu and logvar to 1e-4 (a UDR model)', async () => {
    // the one posterior shape of the library: a UDR model and AAM's posterior (checked by the type-check test)
    const asUdr: UdrModel = model.posterior;
    const asPosterior: PosteriorFunction = model.posterior;
    expect([typeof asUdr, typeof asPosterior]).toEqual(['function', 'function']);
    const p = await model.posterior(images());
    expect(p.mean.shape).toEqual([N, 10]);
    expect(p.logVar?.shape).toEqual([N, 10]);
    expect(maxDiff(p.mean.data, fixture.mu.flat())).toBeLessThan(1e-4);
    expect(maxDiff(p.logVar!.data, fixture.logvar.flat())).toBeLessThan(1e-4);
  });

  it('the decoder reproduces PyTorch images to 1e-4, returned n×h×w×c', async () => {
    const g = model.asGenerativeModel();
    expect(g.latentDims).toBe(10);
    const out = (await g.generate({ data: Float32Array.from(fixture.latents.flat()), shape: [3, 10] })) as { data: Float32Array; shape: number[] };
    expect(out.shape).toEqual([3, 64, 64, 1]);
    expect(maxDiff(out.data, fixture.decoded.flat())).toBeLessThan(1e-4);
  });

  it('accepts tfjs tensors, n×h×w images and float64 data, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const t = tf.tensor4d(Float32Array.from(fixture.images.flat()), [N, 64, 64, 1]);
    const fromTensor = (await model.represent(t)) as { data: Float32Array; shape: number[] };
    t.dispose();
    const from3d = (await model.represent({ data: Float64Array.from(fixture.images.flat()), shape: [N, 64, 64] })) as { data: Float32Array; shape: number[] };
    expect(maxDiff(fromTensor.data, fixture.mu.flat())).toBeLessThan(1e-4);
    expect(maxDiff(from3d.data, fixture.mu.flat())).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('splits a batch: batchSize 2 gives the same codes as one run', async () => {
    const small = await onnxModel({ encoder: bytes('burgess_encoder.onnx'), batchSize: 2 });
    const a = (await small.posterior(images()));
    const b = await model.posterior(images());
    expect(Array.from(a.mean.data)).toEqual(Array.from(b.mean.data));
    expect(Array.from(a.logVar!.data)).toEqual(Array.from(b.logVar!.data));
    await small.dispose();
  });

  it('sampleLatents draws N(0, I) from the seeded Rng: same seed, same latents', async () => {
    const g = model.asGenerativeModel();
    const a = (await g.sampleLatents(4, createRng(7))) as { data: Float32Array; shape: number[] };
    const b = (await g.sampleLatents(4, createRng(7))) as { data: Float32Array; shape: number[] };
    const c = (await g.sampleLatents(4, createRng(8))) as { data: Float32Array; shape: number[] };
    expect(a.shape).toEqual([4, 10]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    const imgs = (await g.generate(a)) as { shape: number[] };
    expect(imgs.shape).toEqual([4, 64, 64, 1]);
    await expectError(Promise.resolve().then(() => g.generate({ data: new Float32Array(9), shape: [1, 9] })), 'SHAPE_MISMATCH', /latents/);
  });

  it('refuses a misspelt option, naming the closest valid one', async () => {
    const e = await expectError(onnxModel({ encoder: file('burgess_encoder.onnx'), ort, layuot: 'nhwc' } as never), 'BAD_OPTION', /^layuot$/, /did you mean layout\?/);
    expect(e.message).toMatch(/onnxModel/);
  });

  it('refuses images the model cannot take, naming the argument', async () => {
    await expectError(model.represent({ data: new Float32Array(2 * 32 * 32), shape: [2, 32, 32, 1] }) as Promise<unknown>, 'SHAPE_MISMATCH', /observations/, /1,64,64|NCHW/);
    await expectError(model.represent({ data: new Float32Array(0), shape: [0, 64, 64, 1] }) as Promise<unknown>, 'EMPTY', /observations/);
    await expectError(model.represent('x' as never) as Promise<unknown>, 'BAD_INPUT', /observations/);
  });
});

describe('onnxModel: NHWC models, sessions, options', () => {
  it('an NHWC export agrees with the NCHW one; the layout is read off its input shape', async () => {
    const nhwc = await onnxModel({ encoder: file('burgess_encoder_nhwc.onnx') });
    expect(nhwc.layout).toBe('nhwc');
    expect(nhwc.layoutSource).toBe('model');
    const p = await nhwc.posterior(images());
    expect(maxDiff(p.mean.data, fixture.mu.flat())).toBeLessThan(1e-4);
    expect(maxDiff(p.logVar!.data, fixture.logvar.flat())).toBeLessThan(1e-4);
    await nhwc.dispose();
  });

  it('transposes three-channel images for NCHW and not for NHWC (a session double records the feeds)', async () => {
    const fed: { dims: readonly number[]; data: Float32Array }[] = [];
    const fake = (shape: (number | string)[]) => ({
      inputNames: ['x'],
      outputNames: ['z'],
      inputMetadata: [{ name: 'x', isTensor: true, type: 'float32', shape }],
      async run(feeds: Record<string, { dims: readonly number[]; data: unknown }>) {
        const t = feeds.x;
        fed.push({ dims: t.dims, data: t.data as Float32Array });
        return { z: new ort.Tensor('float32', new Float32Array(t.dims[0] * 2), [t.dims[0], 2]) };
      },
    });
    // one image 2×2 (h×w), 3 channels: value = 100·y + 10·x + c
    const data = new Float32Array(12);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) for (let c = 0; c < 3; c++) data[(y * 2 + x) * 3 + c] = 100 * y + 10 * x + c;
    const obs = { data, shape: [1, 2, 2, 3] };
    const nchw = await onnxModel({ encoder: fake(['n', 3, 2, 2]), ort });
    expect(((await nchw.represent(obs)) as { shape: number[] }).shape).toEqual([1, 2]);
    expect(nchw.layout).toBe('nchw');
    expect(fed[0].dims).toEqual([1, 3, 2, 2]);
    expect(Array.from(fed[0].data)).toEqual([0, 10, 100, 110, 1, 11, 101, 111, 2, 12, 102, 112]);
    const nhwc = await onnxModel({ encoder: fake(['n', 2, 2, 3]), ort });
    await nhwc.represent(obs);
    expect(nhwc.layout).toBe('nhwc');
    expect(fed[1].dims).toEqual([1, 2, 2, 3]);
    expect(Array.from(fed[1].data)).toEqual(Array.from(data));
    // and back: an NCHW decoder output [1, 3, 2, 2] comes out as 1×2×2×3 images
    const decoder = {
      inputNames: ['z'],
      outputNames: ['img'],
      inputMetadata: [{ name: 'z', isTensor: true, type: 'float32', shape: ['n', 2] }],
      outputMetadata: [{ name: 'img', isTensor: true, type: 'float32', shape: ['n', 3, 2, 2] }],
      async run() {
        return { img: new ort.Tensor('float32', Float32Array.of(0, 10, 100, 110, 1, 11, 101, 111, 2, 12, 102, 112), [1, 3, 2, 2]) };
      },
    };
    const gen = (await onnxModel({ encoder: fake(['n', 3, 2, 2]), decoder, ort })).asGenerativeModel();
    const img = (await gen.generate([[0, 0]])) as { data: Float32Array; shape: number[] };
    expect(img.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(img.data)).toEqual(Array.from(data));
    // a static shape that contradicts the images is refused, naming both
    await expectError(nchw.represent({ data: new Float32Array(12), shape: [1, 2, 3, 2] }) as Promise<unknown>, 'SHAPE_MISMATCH', /observations/, /2×3×2/);
    // dynamic spatial sizes say nothing: NCHW by default, and the option wins
    const dyn = await onnxModel({ encoder: fake(['n', 'c', 'h', 'w']), ort });
    expect([dyn.layout, dyn.layoutSource]).toEqual(['nchw', 'default']);
    const forced = await onnxModel({ encoder: fake(['n', 3, 1, 2]), ort, layout: 'nhwc' });
    expect([forced.layout, forced.layoutSource]).toEqual(['nhwc', 'option']);
  });

  it('casts to a float64 input and splits a single [mu, logvar] output when latentDims says so', async () => {
    const fed: string[] = [];
    const session = {
      inputNames: ['x'],
      outputNames: ['h'],
      inputMetadata: [{ name: 'x', isTensor: true, type: 'float64', shape: ['n', 1, 2, 2] }],
      async run(feeds: Record<string, { dims: readonly number[]; data: unknown; type: string }>) {
        const t = feeds.x;
        fed.push(t.type);
        const x = t.data as Float64Array;
        const n = t.dims[0];
        const h = new Float32Array(n * 4);
        for (let i = 0; i < n; i++) h.set([x[i * 4], x[i * 4 + 1], -x[i * 4], -x[i * 4 + 1]], i * 4);
        return { h: new ort.Tensor('float32', h, [n, 4]) };
      },
    };
    const obs = { data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), shape: [2, 2, 2, 1] };
    const split = await onnxModel({ encoder: session, ort, latentDims: 2 });
    const p = await split.posterior(obs);
    expect(fed).toEqual(['float64']);
    expect(p.mean).toEqual({ data: Float32Array.of(1, 2, 5, 6), shape: [2, 2] });
    expect(p.logVar).toEqual({ data: Float32Array.of(-1, -2, -5, -6), shape: [2, 2] });
    const whole = await onnxModel({ encoder: session, ort });
    expect((await whole.posterior(obs)).mean.shape).toEqual([2, 4]);
    expect((await whole.posterior(obs)).logVar).toBeUndefined();
  });

  it('flattens images for a model with a 2-D input, in n×h×w×c order', async () => {
    const fed: number[][] = [];
    const session = {
      inputNames: ['x'],
      outputNames: ['z'],
      inputMetadata: [{ name: 'x', isTensor: true, type: 'float32', shape: ['n', 12] }],
      async run(feeds: Record<string, { dims: readonly number[]; data: unknown }>) {
        fed.push([...feeds.x.dims]);
        const x = feeds.x.data as Float32Array;
        return { z: new ort.Tensor('float32', Float32Array.from({ length: feeds.x.dims[0] }, (_, i) => x[i * 12 + 5]), [feeds.x.dims[0], 1]) };
      },
    };
    const m = await onnxModel({ encoder: session, ort });
    const r = (await m.represent({ data: Float32Array.from({ length: 24 }, (_, i) => i), shape: [2, 2, 2, 3] })) as { data: Float32Array; shape: number[] };
    expect(fed).toEqual([[2, 12]]);
    expect(r).toEqual({ data: Float32Array.of(5, 17), shape: [2, 1] });
  });

  it('uses an existing InferenceSession and does not release it on dispose', async () => {
    // Also a compile-time check: onnxruntime-web's own module and session fit the structural types.
    const runtime: OrtModule = ort;
    const session: OnnxSession & ort.InferenceSession = await ort.InferenceSession.create(bytes('burgess_encoder.onnx'));
    const asOption: OnnxSession = session;
    expect(isOrtModule(runtime)).toBe(true);
    expect(isSession(asOption)).toBe(true);
    const m = await onnxModel({ encoder: session, ort });
    await m.dispose();
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(64 * 64), [1, 1, 64, 64]) });
    expect(out.mu.dims).toEqual([1, 10]);
    await session.release();
  });

  it('dispose releases what it created; later calls fail clearly', async () => {
    const m = await onnxModel({ encoder: bytes('burgess_encoder.onnx').buffer as ArrayBuffer, decoder: bytes('burgess_decoder.onnx') });
    const g = m.asGenerativeModel();
    await m.dispose();
    await m.dispose();
    await expectError(m.represent(images()) as Promise<unknown>, 'BAD_INPUT', /represent/, /disposed/);
    await expectError(Promise.resolve().then(() => g.generate({ data: new Float32Array(10), shape: [1, 10] })), 'BAD_INPUT', /generate/, /disposed/);
  });

  it('an encoder with several outputs and no rule lists them', async () => {
    const err = await expectError(onnxModel({ encoder: file('two_outputs.onnx') }), 'BAD_OPTION', /^codes$/);
    expect(err.message).toContain("'a'");
    expect(err.message).toContain("'b'");
    const picked = await onnxModel({ encoder: file('two_outputs.onnx'), codes: 'b', logVar: 'a' });
    const p = await picked.posterior(images());
    expect(maxDiff(p.mean.data, fixture.twoOutputs.b.flat())).toBeLessThan(1e-4);
    expect(maxDiff(p.logVar!.data, fixture.twoOutputs.a.flat())).toBeLessThan(1e-4);
    await picked.dispose();
    await expectError(onnxModel({ encoder: file('two_outputs.onnx'), codes: 'mu' }), 'BAD_OPTION', /^codes$/, /'a', 'b'/);
  });

  it('a single output is the code', async () => {
    const m = await onnxModel({ encoder: file('single_output.onnx') });
    expect([m.codesOutput, m.logVarOutput]).toEqual(['z', undefined]);
    const r = (await m.represent(images())) as { data: Float32Array; shape: number[] };
    expect(r.shape).toEqual([N, 4]);
    expect(maxDiff(r.data, fixture.singleOutput.flat())).toBeLessThan(1e-4);
    await expectError(Promise.resolve().then(() => m.asGenerativeModel()), 'BAD_OPTION', /decoder/);
    await m.dispose();
  });

  it('a missing runtime is UNSUPPORTED and says what to install', async () => {
    const missing = async (name: string): Promise<never> => {
      throw new Error(`Cannot find package '${name}'`);
    };
    const err = await expectError(loadOrt(undefined, missing), 'UNSUPPORTED', /^ort$/, /npm install onnxruntime-web/);
    expect(err.message).toContain('onnxruntime-node');
    // onnxruntime-node missing, onnxruntime-web present: web is used, with one wasm thread
    const env = { wasm: { numThreads: 0 } };
    const fakeWeb = { InferenceSession: { create: async () => ({}) }, Tensor: class {}, env };
    const got = await loadOrt(undefined, async (name) => (name === 'onnxruntime-web' ? fakeWeb : missing(name)));
    expect(got).toBe(fakeWeb);
    expect(env.wasm.numThreads).toBe(1);
    await expectError(onnxModel({ encoder: file('single_output.onnx'), ort: {} }), 'BAD_OPTION', /^ort$/);
  });

  it('bad options and files name the argument', async () => {
    await expectError(onnxModel({ encoder: file('nope.onnx') }), 'BAD_FILE', /^encoder$/, /nope\.onnx/);
    await expectError(onnxModel({ encoder: new Uint8Array([1, 2, 3]) }), 'BAD_FILE', /^encoder$/);
    await expectError(onnxModel({ encoder: 42 as never }), 'BAD_OPTION', /^encoder$/);
    await expectError(onnxModel({} as never), 'BAD_OPTION', /^encoder$/);
    await expectError(onnxModel({ encoder: file('single_output.onnx'), batchSize: 0 }), 'BAD_OPTION', /^batchSize$/);
    await expectError(onnxModel({ encoder: file('single_output.onnx'), layout: 'chw' as never }), 'BAD_OPTION', /^layout$/);
    await expectError(onnxModel({ encoder: file('single_output.onnx'), executionProviders: 'wasm' as never }), 'BAD_OPTION', /^executionProviders$/);
    await expectError(onnxModel({ encoder: file('single_output.onnx'), batchsize: 2 } as never), 'BAD_OPTION', /^batchsize$/);
    await expectError(onnxModel({ encoder: file('burgess_encoder.onnx'), decoder: file('burgess_decoder.onnx'), latentDims: 4 }), 'BAD_OPTION', /^latentDims$/);
    const wasm = await onnxModel({ encoder: file('single_output.onnx'), executionProviders: ['wasm'] });
    await wasm.dispose();
  });
});

describe('onnxModel end to end', () => {
  it('computeMig runs with represent from onnxModel on procedural dSprites', async () => {
    await tf.setBackend('cpu');
    const model = await onnxModel({ encoder: file('burgess_encoder.onnx'), batchSize: 64 });
    const before = tf.memory().numTensors;
    const r = await computeMig({ represent: model.represent, dataset: dsprites(), numTrain: 200, batchSize: 50, seed: 3 });
    expect(r.score).toBeGreaterThanOrEqual(0);
    expect(r.score).toBeLessThanOrEqual(1);
    expect(r.perFactor).toHaveLength(5);
    const again = await computeMig({ represent: model.represent, dataset: dsprites(), numTrain: 200, batchSize: 50, seed: 3 });
    expect(again.score).toBe(r.score);
    expect(tf.memory().numTensors).toBe(before);
    await model.dispose();
  });
});
