import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { unflatIndex } from '../../src/core/matrix.js';
import { loadShapes3d, openShapes3d, SHAPES3D_FACTOR_NAMES, SHAPES3D_FACTOR_SIZES, SHAPES3D_FACTOR_VALUES, SHAPES3D_SHA256, type Shapes3dLayout } from '../../src/data/shapes3d.js';
import type { FactorBatch } from '../../src/core/types.js';
import { computeMig } from '../../src/metrics/mig.js';

// Written by scripts/fixtures/shapes3d_standin.py: the published layout (uint8 images, float64 labels, gzip,
// chunks spanning several images) with reduced factor sizes; pixel rows encode the factor indices.
const DIR = join(__dirname, '../fixtures/datasets');
const FILE = join(DIR, 'shapes3d_small.h5');
const fixture = JSON.parse(readFileSync(join(DIR, 'shapes3d_small.json'), 'utf8')) as {
  sizes: number[];
  values: number[][];
  labelsRow5: number[];
  cases: { index: number; factors: number[]; sum: number; pixels: number[] }[];
};
const LAYOUT: Shapes3dLayout = { sizes: fixture.sizes, names: SHAPES3D_FACTOR_NAMES, values: fixture.values };
const N = fixture.sizes.reduce((a, b) => a * b, 1);

/** The stand-in's image of a factor row, from its definition (row band y // 11 shows factor min(band, 5)). */
function expectedImage(f: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(64 * 64 * 3);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) for (let c = 0; c < 3; c++) out[(y * 64 + x) * 3 + c] = (f[Math.min(Math.floor(y / 11), 5)] * 17 + x + 3 * c) % 256;
  return out;
}

function batch(rows: number[][]): FactorBatch {
  return { data: Int32Array.from(rows.flat()), shape: [rows.length, rows[0].length] };
}

async function failure(p: Promise<unknown>): Promise<DisentangleError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DisentangleError);
    return e as DisentangleError;
  }
  throw new Error('expected an error');
}

beforeAll(async () => {
  await setupBackend(['cpu']);
});

describe('loadShapes3d', () => {
  it('publishes the factor table of disentanglement_lib and the 3d-shapes release', () => {
    expect(SHAPES3D_FACTOR_SIZES).toEqual([10, 10, 10, 8, 4, 15]);
    expect(SHAPES3D_FACTOR_NAMES).toEqual(['floor_hue', 'wall_hue', 'object_hue', 'scale', 'shape', 'orientation']);
    expect(SHAPES3D_FACTOR_VALUES[0][3]).toBeCloseTo(0.3, 12);
    expect(SHAPES3D_FACTOR_VALUES[3][7]).toBe(1.25);
    expect(SHAPES3D_FACTOR_VALUES[5][0]).toBe(-30);
    expect(SHAPES3D_FACTOR_VALUES[5][7]).toBe(0);
  });

  it('reads every image of the stand-in in C order over the factor sizes (path, bytes and Blob agree)', async () => {
    const all: number[][] = [];
    for (let i = 0; i < N; i++) all.push(Array.from(unflatIndex(fixture.sizes, i, new Int32Array(6))));
    for (const src of [FILE, new Uint8Array(readFileSync(FILE)), new Blob([readFileSync(FILE)])]) {
      const data = await openShapes3d(src, {}, LAYOUT);
      expect(data.factorSizes).toEqual(fixture.sizes);
      expect(data.numImages).toBe(N);
      expect(data.observationShape).toEqual([64, 64, 3]);
      const bytes = await data.imagesFromFactors(batch(all));
      for (let i = 0; i < N; i++) {
        const img = bytes.subarray(i * 12288, (i + 1) * 12288);
        const want = expectedImage(all[i]);
        if (!img.every((v, j) => v === want[j])) throw new Error(`image ${i} (factors ${all[i]}) differs`);
      }
      data.close();
    }
  });

  it('matches the images h5py reads from the file (fixture), in any request order, as float32 / 255', async () => {
    const data = await openShapes3d(FILE, { cacheBytes: 0 }, LAYOUT);
    const cases = [...fixture.cases].reverse();
    const before = tf.memory().numTensors;
    const t = await data.observationsFromFactors(batch(cases.map((c) => c.factors)));
    expect(t.shape).toEqual([cases.length, 64, 64, 3]);
    const px = t.dataSync();
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    cases.forEach((c, i) => {
      const img = px.subarray(i * 12288, (i + 1) * 12288);
      let sum = 0;
      for (const v of img) sum += Math.round(v * 255);
      expect(sum).toBe(c.sum);
      const sub: number[] = [];
      for (let y = 0; y < 64; y += 9) for (let x = 0; x < 64; x += 9) for (let k = 0; k < 3; k++) sub.push(Math.round(img[(y * 64 + x) * 3 + k] * 255));
      expect(sub).toEqual(c.pixels);
      expect(img[0]).toBeCloseTo(c.pixels[0] / 255, 7);
    });
    data.close();
  });

  it('reads each chunk once per call and serves repeats from the cache; a zero cache still reads correctly', async () => {
    const data = await openShapes3d(FILE, {}, LAYOUT);
    const rows = [[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1], [1, 2, 1, 1, 1, 2]]; // rows 0, 1 and 143: two row blocks
    await data.imagesFromFactors(batch(rows));
    const perBlock = 4 * 4 * 3; // 64/16 × 64/16 × 3 chunks per 20-image block
    expect(data.cacheStats().chunkReads).toBe(2 * perBlock);
    await data.imagesFromFactors(batch(rows));
    expect(data.cacheStats().chunkReads).toBe(2 * perBlock);
    expect(data.cacheStats().cacheHits).toBe(2 * perBlock);
    data.close();
    await expect(data.imagesFromFactors(batch(rows))).rejects.toThrow(/closed/);
  });

  it('the published loader wants 480,000 images: a reduced file is BAD_FILE naming both counts', async () => {
    const e = await failure(loadShapes3d(FILE));
    expect(e.code).toBe('BAD_FILE');
    expect(e.argument).toBe('pathOrBytes');
    expect(e.message).toMatch(/holds 144 images, expected 480000/);
  });

  it('labels that disagree with the factor table are BAD_FILE naming the row and factor', async () => {
    const e = await failure(openShapes3d(join(DIR, 'shapes3d_small_badlabels.h5'), {}, LAYOUT));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/'labels' row 0 gives scale = 0, expected 0\.75/);
    // A layout whose factor order differs from the file's is caught by the labels as well.
    const swapped: Shapes3dLayout = { sizes: [3, 2, 2, 2, 2, 3], names: LAYOUT.names, values: [fixture.values[1], fixture.values[0], ...fixture.values.slice(2)] };
    expect((await failure(openShapes3d(FILE, {}, swapped))).message).toMatch(/'labels' row \d+ gives (floor|wall)_hue/);
  });

  it('wrong element types, missing datasets, truncated and non-HDF5 files are BAD_FILE', async () => {
    expect((await failure(openShapes3d(join(DIR, 'shapes3d_small_uint16.h5'), {}, LAYOUT))).message).toMatch(/'images' has uint16 elements, expected uint8/);
    expect((await failure(openShapes3d(join(DIR, 'shapes3d_small_nolabels.h5'), {}, LAYOUT))).message).toMatch(/has no 'labels' dataset/);
    const bytes = readFileSync(FILE);
    const dir = mkdtempSync(join(tmpdir(), 'shapes3d-'));
    const cut = join(dir, 'cut.h5');
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    for (const src of [cut, new Uint8Array(bytes.subarray(0, bytes.length >> 1)), new TextEncoder().encode('not hdf5 at all'), join(dir, 'missing.h5')]) {
      const e = await failure(openShapes3d(src, {}, LAYOUT));
      expect(e.code).toBe('BAD_FILE');
      expect(e.message).toMatch(/cannot be opened as HDF5 \(.+\)/);
    }
    expect((await failure(openShapes3d(cut, {}, LAYOUT))).message).toMatch(/truncated/);
  });

  it('checks an expected SHA-256 when given', async () => {
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(readFileSync(FILE)).digest('hex');
    const data = await openShapes3d(FILE, { sha256: digest.toUpperCase() }, LAYOUT);
    data.close();
    const e = await failure(openShapes3d(new Blob([readFileSync(FILE)]), { sha256: SHAPES3D_SHA256 }, LAYOUT));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe(`pathOrBytes: has SHA-256 ${digest}, expected ${SHAPES3D_SHA256}`);
    expect((await failure(loadShapes3d(FILE, { sha256: 'abc' }))).code).toBe('BAD_OPTION');
  });

  it('checks options and factor batches', async () => {
    expect((await failure(loadShapes3d(FILE, { cache: 1 } as never))).code).toBe('BAD_OPTION');
    expect((await failure(loadShapes3d(FILE, { cacheBytes: -1 }))).code).toBe('BAD_OPTION');
    const ac = new AbortController();
    ac.abort();
    expect((await failure(loadShapes3d(FILE, { signal: ac.signal }))).code).toBe('ABORTED');
    const progress: [number, number][] = [];
    const data = await openShapes3d(FILE, { onProgress: (p) => progress.push([p.done, p.total]) }, LAYOUT);
    expect(progress[0]).toEqual([0, N]);
    expect(progress[progress.length - 1]).toEqual([N, N]);
    await expect(data.imagesFromFactors(batch([[0, 0, 0]]))).rejects.toThrow(DisentangleError);
    data.close();
  });
});

describe('a sampling metric draws from Shapes3D', () => {
  it('computeMig runs through it with codes read off the pixels, without leaking tensors', async () => {
    const data = await openShapes3d(FILE, {}, LAYOUT);
    const before = tf.memory().numTensors;
    // Code k: pixel (11k, 0, red) = factor k's index · 17 / 255, so each code carries exactly one factor.
    const represent = (x: tf.Tensor4D): tf.Tensor2D =>
      tf.tidy(() => tf.concat([0, 1, 2, 3, 4, 5].map((k) => tf.reshape(tf.slice(x, [0, 11 * k, 0, 0], [-1, 1, 1, 1]), [-1, 1])), 1) as tf.Tensor2D);
    const r = await computeMig({ dataset: data, represent, numTrain: 256, batchSize: 64, seed: 1 });
    expect(r.score).toBeGreaterThan(0.8);
    expect(tf.memory().numTensors).toBe(before);
    data.close();
  }, 120_000);
});
