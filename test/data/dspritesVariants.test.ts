import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { decode as decodePng, encode as encodePng } from 'fast-png';
import { setupBackend } from '../../src/core/backend.js';
import { createRng } from '../../src/core/rng.js';
import { hasDeterministicObservations } from '../../src/data/codeCache.js';
import { dsprites } from '../../src/data/dsprites.js';
import { renderDspritesBatch } from '../../src/data/dspritesRenderer.js';
import { prepareScreamImage, screamThumbnailSize } from '../../src/data/screamImage.js';
import { computeMig } from '../../src/metrics/mig.js';
import { evaluate } from '../../src/metrics/evaluate.js';
import { FIXTURE_FACTORS, FIXTURE_N, COLOUR_SEED, PICTURES, fixtureInputs, syntheticPicture } from './dspritesVariantsFixture.js';
import { thrown } from '../helpers/errors.js';

const DIR = new URL('../fixtures/dsprites_variants/', import.meta.url);
const f32 = (name: string): Float32Array => {
  const b = readFileSync(new URL(name, DIR));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const factors = { data: FIXTURE_FACTORS, shape: [FIXTURE_N, 5] as const };
const picture = (name: 'small' | 'resized') => {
  const p = PICTURES.find((q) => q.name === name)!;
  return { ...p, pixels: { data: syntheticPicture(p.height, p.width), shape: [p.height, p.width, 3] } };
};

/** Exact equality of two long arrays, reported as a count and the first differing index (a fast, short failure). */
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  let differ = 0;
  let first = -1;
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      differ++;
      if (first < 0) first = i;
    }
  }
  expect({ differ, first, got: got[first], want: want[first] }).toEqual({ differ: 0, first: -1, got: undefined, want: undefined });
}

function uniformFactors(n: number, seed: number): { data: Int32Array; shape: [number, number] } {
  const rng = createRng(seed);
  const sizes = [3, 6, 40, 32, 32];
  const data = new Int32Array(n * 5);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(sizes[i % 5]);
  return { data, shape: [n, 5] };
}

beforeAll(async () => {
  await setupBackend(['cpu']);
});

describe('dSprites variants against the Python replica of disentanglement_lib', () => {
  it('the fixture inputs (masks and the numbers the variants draw for the fixed seeds) are the committed ones', () => {
    const committed = JSON.parse(readFileSync(new URL('inputs.json', DIR), 'utf8'));
    expect(fixtureInputs()).toEqual(committed);
  });

  it('colour: equal to ColorDSprites on the same colours, bit for bit', () => {
    const got = dsprites({ variant: 'color' }).renderObservations(factors, createRng(COLOUR_SEED));
    expectSame(got, f32('colour.f32'));
  });

  it('scream: a picture within 350×274 is used as is; equal to ScreamDSprites on the same draws', () => {
    const p = picture('small');
    const bg = prepareScreamImage(p.pixels);
    expect([bg.height, bg.width]).toEqual([p.height, p.width]);
    const got = dsprites({ variant: 'scream', screamImage: p.pixels }).renderObservations(factors, createRng(p.seed));
    expectSame(got, f32('scream_small.f32'));
  });

  it("scream: a bigger picture is shrunk as Pillow 6's thumbnail((350, 274)) (size rule and bicubic), bit for bit", () => {
    const p = picture('resized');
    const png = decodePng(readFileSync(new URL('resized.png', DIR)));
    expect(screamThumbnailSize(p.width, p.height)).toEqual([png.width, png.height]);
    const bg = prepareScreamImage(p.pixels);
    expect([bg.height, bg.width]).toEqual([png.height, png.width]);
    let maxDiff = 0;
    for (let i = 0; i < bg.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(bg.data[i] * 255 - png.data[i]));
    expect(maxDiff).toBeLessThan(1e-9);
    const got = dsprites({ variant: 'scream', screamImage: p.pixels }).renderObservations(factors, createRng(p.seed));
    expectSame(got, f32('scream_resized.f32'));
    // The same picture as PNG bytes, as an RGBA tensor and as [0, 1] floats gives the same images.
    const bytes = encodePng({ width: p.width, height: p.height, data: p.pixels.data, channels: 3, depth: 8 });
    expectSame(dsprites({ variant: 'scream', screamImage: bytes }).renderObservations(factors, createRng(p.seed)), got);
    const rgba = new Uint8Array(p.width * p.height * 4).map((_, i) => (i % 4 === 3 ? 255 : p.pixels.data[(i >> 2) * 3 + (i % 4)]));
    const t = tf.tensor3d(rgba, [p.height, p.width, 4], 'int32');
    expectSame(dsprites({ variant: 'scream', screamImage: t }).renderObservations(factors, createRng(p.seed)), got);
    t.dispose();
    const floats = { data: Float32Array.from(p.pixels.data, (v) => v / 255), shape: p.pixels.shape };
    expectSame(dsprites({ variant: 'scream', screamImage: floats }).renderObservations(factors, createRng(p.seed)), got);
  });
});

describe('dSprites variants: statistics of the reference definitions', () => {
  const n = 300;
  const f = uniformFactors(n, 5);
  const mask = renderDspritesBatch(f);

  it('colour: each sprite is one colour in [0.5, 1)³, the background 0; colours spread over [0.5, 1)', () => {
    const obs = dsprites({ variant: 'color' }).renderObservations(f, createRng(1));
    const means = [0, 0, 0];
    let lo = 1;
    let hi = 0;
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const first = mask.subarray(i * 4096).indexOf(1);
      const colour = [0, 1, 2].map((c) => obs[(i * 4096 + first) * 3 + c]);
      for (let p = i * 4096; p < (i + 1) * 4096; p++) {
        for (let c = 0; c < 3; c++) if (obs[p * 3 + c] !== (mask[p] === 1 ? colour[c] : 0)) wrong++;
      }
      colour.forEach((v, c) => {
        means[c] += v / n;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      });
    }
    expect(wrong).toBe(0);
    expect(lo).toBeGreaterThanOrEqual(0.5);
    expect(hi).toBeLessThan(1);
    for (const m of means) expect(Math.abs(m - 0.75)).toBeLessThan(0.03); // sd of the mean 0.144/√300 = 0.008
    expect(lo).toBeLessThan(0.52);
    expect(hi).toBeGreaterThan(0.98);
  });

  it('noisy: min(mask + u, 1) with u the rng stream in C order: sprite 1, background uniform on [0, 1)', () => {
    const k = 20;
    const obs = dsprites({ variant: 'noisy' }).renderObservations({ data: f.data.subarray(0, k * 5), shape: [k, 5] }, createRng(2));
    const stream = createRng(2);
    let sum = 0;
    let sq = 0;
    let count = 0;
    let wrong = 0;
    for (let p = 0; p < k * 4096; p++) {
      for (let c = 0; c < 3; c++) {
        const u = stream.float();
        const v = obs[p * 3 + c];
        if (mask[p] === 1) wrong += v === 1 ? 0 : 1;
        else {
          wrong += v === Math.fround(u) ? 0 : 1;
          sum += v;
          sq += v * v;
          count++;
        }
      }
    }
    expect(wrong).toBe(0);
    const mean = sum / count;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sq / count - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('scream: the sprite inverts (patch + colour) / 2; patch corners cover [0, h − 64) × [0, w − 64)', () => {
    const p = picture('small');
    const bg = prepareScreamImage(p.pixels);
    const obs = dsprites({ variant: 'scream', screamImage: p.pixels }).renderObservations(f, createRng(3));
    const draws = createRng(3);
    const rowsSeen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const r0 = draws.int(p.height - 64);
      const c0 = draws.int(p.width - 64);
      const colour = [draws.float(), draws.float(), draws.float()];
      rowsSeen.add(r0);
      for (let q = i * 4096; q < (i + 1) * 4096; q += 97) {
        const y = (q % 4096) >> 6;
        const x = q & 63;
        for (let c = 0; c < 3; c++) {
          const v = (bg.data[((r0 + y) * p.width + c0 + x) * 3 + c] + colour[c]) / 2;
          expect(obs[q * 3 + c]).toBe(Math.fround(mask[q] === 1 ? 1 - v : v));
        }
      }
    }
    expect(Math.min(...rowsSeen)).toBe(0);
    expect(Math.max(...rowsSeen)).toBe(p.height - 65);
  });
});

describe('dsprites({ variant })', () => {
  it('binary stays the default, bit for bit; the variants are 64×64×3 and not deterministic', async () => {
    const plain = dsprites();
    expect(plain.variant).toBe('binary');
    expect(plain.deterministicObservations).toBe(true);
    expect(hasDeterministicObservations(plain)).toBe(true);
    expectSame(plain.renderObservations(factors), renderDspritesBatch(factors, new Float32Array(FIXTURE_N * 4096)));
    expect(dsprites({ variant: 'binary' }).observationShape).toEqual([64, 64, 1]);
    for (const variant of ['color', 'noisy', 'scream'] as const) {
      const d = dsprites({ variant, screamImage: variant === 'scream' ? picture('small').pixels : undefined });
      expect(d.observationShape).toEqual([64, 64, 3]);
      expect(d.deterministicObservations).toBe(false);
      expect(hasDeterministicObservations(d)).toBe(false);
    }
  });

  it('same seed, same images; another seed, other images; one tensor per call, none leaked', async () => {
    for (const variant of ['color', 'noisy', 'scream'] as const) {
      const d = dsprites({ variant, screamImage: variant === 'scream' ? picture('resized').pixels : undefined });
      const before = tf.memory().numTensors;
      const a = d.observationsFromFactors(factors, createRng(7));
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(a.shape).toEqual([FIXTURE_N, 64, 64, 3]);
      const av = await a.data();
      a.dispose();
      expectSame(av, d.renderObservations(factors, createRng(7)));
      expect(Array.from(av)).not.toEqual(Array.from(d.renderObservations(factors, createRng(8))));
      expect(Math.min(...av)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...av)).toBeLessThanOrEqual(1);
      expect(thrown(() => d.observationsFromFactors(factors)).code).toBe('BAD_INPUT');
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('refuses bad options, naming them', () => {
    const opt = (o: object): [string, string] => {
      const e = thrown(() => dsprites(o as never));
      return [e.code, e.argument];
    };
    const small = picture('small').pixels;
    expect(opt({ variant: 'colour' })).toEqual(['BAD_OPTION', 'variant']);
    expect(opt({ variant: 'scream' })).toEqual(['BAD_OPTION', 'screamImage']);
    expect(opt({ variant: 'color', screamImage: small })).toEqual(['BAD_OPTION', 'screamImage']);
    expect(opt({ screamImage: small })).toEqual(['BAD_OPTION', 'screamImage']);
    expect(opt({ variant: 'scream', screamImage: { data: new Uint8Array(64 * 100 * 3), shape: [64, 100, 3] } })).toEqual(['BAD_OPTION', 'screamImage']);
    expect(opt({ variant: 'scream', screamImage: { data: new Uint8Array(90 * 100), shape: [90, 100] } })).toEqual(['BAD_OPTION', 'screamImage']);
    expect(opt({ variant: 'scream', screamImage: { data: new Float32Array(90 * 100 * 3).fill(2), shape: [90, 100, 3] } })).toEqual(['BAD_OPTION', 'screamImage']);
    expect(opt({ variant: 'scream', screamImage: { data: new Uint8Array(10), shape: [90, 100, 3] } })).toEqual(['BAD_OPTION', 'screamImage']);
    expect(opt({ variant: 'scream', screamImage: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9) })).toEqual(['BAD_OPTION', 'screamImage']);
    const jpeg = thrown(() => dsprites({ variant: 'scream', screamImage: Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0) }));
    expect(jpeg.message).toMatch(/JPEG.*decode/);
    expect(opt({ variant: 'scream', screamImag: small })).toEqual(['BAD_OPTION', 'screamImag']);
  });
});

describe('metrics through the variants', () => {
  // Reads the sprite back: the pixels that differ most from the image's median brightness form the sprite.
  const represent = (x: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      const grey = tf.mean(x, 3);
      const hi = tf.cast(tf.greater(grey, tf.mean(grey, [1, 2], true)), 'float32');
      const area = tf.add(tf.sum(hi, [1, 2]), 1e-6);
      const xs = tf.reshape(tf.range(0, 64, 1, 'float32'), [1, 1, 64]);
      const ys = tf.reshape(tf.range(0, 64, 1, 'float32'), [1, 64, 1]);
      return tf.stack([tf.div(tf.sum(tf.mul(hi, xs), [1, 2]), area), tf.div(tf.sum(tf.mul(hi, ys), [1, 2]), area), area], 1) as tf.Tensor2D;
    });

  it('computeMig runs on each variant (colour and noise keep the position readable), no leaks', async () => {
    for (const variant of ['color', 'noisy', 'scream'] as const) {
      const dataset = dsprites({ variant, screamImage: variant === 'scream' ? picture('resized').pixels : undefined });
      const before = tf.memory().numTensors;
      const r = await computeMig({ dataset, represent, numTrain: 400, batchSize: 100, seed: 1 });
      expect(tf.memory().numTensors).toBe(before);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      if (variant === 'color') expect(r.perFactor[3]).toBeGreaterThan(0.3);
    }
  }, 60_000);

  it('evaluate() keeps no code table for a variant: every drawn image is encoded, as computeMig does', async () => {
    const dataset = dsprites({ variant: 'color' });
    const out = await evaluate({ represent, dataset, metrics: ['mig'], sampleScale: 0.03, seed: 2 });
    expect(out.encodedImages).toBe(300);
    expect(out.drawnImages).toBe(300);
    const direct = await computeMig({ dataset, represent, numTrain: 300, seed: 2 });
    expect(out.results.mig?.score).toBe(direct.score);
  }, 60_000);
});
