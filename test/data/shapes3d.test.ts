import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { unflatIndex } from '../../src/core/matrix.js';
import { loadShapes3d, openShapes3d, SHAPES3D_FACTOR_NAMES, SHAPES3D_FACTOR_SIZES, SHAPES3D_FACTOR_VALUES, SHAPES3D_SHA256, type Shapes3dLayout } from '../../src/data/shapes3d.js';
import type { FactorBatch } from '../../src/core/types.js';
import { IMAGE_COPY_HEADER_BYTES } from '../../src/data/imageCopy.js';
import { computeMig } from '../../src/metrics/mig.js';
import { rejection } from '../helpers/errors.js';

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
    const e = await rejection(loadShapes3d(FILE));
    expect(e.code).toBe('BAD_FILE');
    expect(e.argument).toBe('pathOrBytes');
    expect(e.message).toMatch(/holds 144 images, expected 480000/);
  });

  it('labels that disagree with the factor table are BAD_FILE naming the row and factor', async () => {
    const e = await rejection(openShapes3d(join(DIR, 'shapes3d_small_badlabels.h5'), {}, LAYOUT));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/'labels' row 0 gives scale = 0, expected 0\.75/);
    // A layout whose factor order differs from the file's is caught by the labels as well.
    const swapped: Shapes3dLayout = { sizes: [3, 2, 2, 2, 2, 3], names: LAYOUT.names, values: [fixture.values[1], fixture.values[0], ...fixture.values.slice(2)] };
    expect((await rejection(openShapes3d(FILE, {}, swapped))).message).toMatch(/'labels' row \d+ gives (floor|wall)_hue/);
  });

  it('wrong element types, missing datasets, truncated and non-HDF5 files are BAD_FILE', async () => {
    expect((await rejection(openShapes3d(join(DIR, 'shapes3d_small_uint16.h5'), {}, LAYOUT))).message).toMatch(/'images' has uint16 elements, expected uint8/);
    expect((await rejection(openShapes3d(join(DIR, 'shapes3d_small_nolabels.h5'), {}, LAYOUT))).message).toMatch(/has no 'labels' dataset/);
    const bytes = readFileSync(FILE);
    const dir = mkdtempSync(join(tmpdir(), 'shapes3d-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const cut = join(dir, 'cut.h5');
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    for (const src of [cut, new Uint8Array(bytes.subarray(0, bytes.length >> 1)), new TextEncoder().encode('not hdf5 at all'), join(dir, 'missing.h5')]) {
      const e = await rejection(openShapes3d(src, {}, LAYOUT));
      expect(e.code).toBe('BAD_FILE');
      expect(e.message).toMatch(/cannot be opened as HDF5 \(.+\)/);
    }
    expect((await rejection(openShapes3d(cut, {}, LAYOUT))).message).toMatch(/truncated/);
  });

  it('checks an expected SHA-256 when given', async () => {
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(readFileSync(FILE)).digest('hex');
    const data = await openShapes3d(FILE, { sha256: digest.toUpperCase() }, LAYOUT);
    data.close();
    const e = await rejection(openShapes3d(new Blob([readFileSync(FILE)]), { sha256: SHAPES3D_SHA256 }, LAYOUT));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe(`pathOrBytes: 'blob' has SHA-256 ${digest}, expected ${SHAPES3D_SHA256}`);
    const onPath = await rejection(openShapes3d(FILE, { sha256: SHAPES3D_SHA256 }, LAYOUT));
    expect(onPath.code).toBe('BAD_FILE');
    expect(onPath.message).toContain(`'${FILE}' has SHA-256 ${digest}`);
    const stages: string[] = [];
    (await openShapes3d(new Uint8Array(readFileSync(FILE)), { sha256: digest, onProgress: (p) => stages.push(p.stage) }, LAYOUT)).close();
    expect(stages[0]).toBe('sha256');
    expect(stages).toContain('load');
    expect((await rejection(loadShapes3d(FILE, { sha256: 'abc' }))).code).toBe('BAD_OPTION');
    expect((await rejection(loadShapes3d(FILE, { sha256: 'g'.repeat(64) }))).code).toBe('BAD_OPTION');
  });

  it('checks options and factor batches', async () => {
    expect((await rejection(loadShapes3d(FILE, { cache: 1 } as never))).code).toBe('BAD_OPTION');
    expect((await rejection(loadShapes3d(FILE, { cacheBytes: -1 }))).code).toBe('BAD_OPTION');
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(loadShapes3d(FILE, { signal: ac.signal }))).code).toBe('ABORTED');
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

describe('loadShapes3d with an uncompressed copy', () => {
  const all: number[][] = [];
  for (let i = 0; i < N; i++) all.push(Array.from(unflatIndex(fixture.sizes, i, new Int32Array(6))));
  /** A private copy of the stand-in (mtime is part of the copy's identity) and the copy's path beside it. */
  function setup(): { dir: string; h5: string; copy: string } {
    const dir = mkdtempSync(join(tmpdir(), 'shapes3d-copy-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const h5 = join(dir, 'small.h5');
    writeFileSync(h5, readFileSync(FILE));
    return { dir, h5, copy: join(dir, 'sub', 'small.images.u8') };
  }

  it('writes the copy once (progress per block) and reads every image from it equal to the h5 path', async () => {
    const { h5, copy } = setup();
    const convert: number[] = [];
    const data = await openShapes3d(h5, { uncompressedCopy: copy, onProgress: (p) => p.stage === 'convert' && convert.push(p.done) }, LAYOUT);
    expect(data.copyBuilt).toBe(true);
    expect(convert).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 144]); // blocks of 20 rows (the fixture's chunk rows)
    expect(statSync(copy).size).toBe(IMAGE_COPY_HEADER_BYTES + N * 12288);
    const direct = await openShapes3d(h5, {}, LAYOUT);
    const order = [...all].reverse().concat([all[7], all[7], all[8], all[100]]); // any order, repeats, runs
    const [a, b] = [await data.imagesFromFactors(batch(order)), await direct.imagesFromFactors(batch(order))];
    for (let i = 0; i < order.length; i++) {
      if (!a.subarray(i * 12288, (i + 1) * 12288).every((v, j) => v === b[i * 12288 + j])) throw new Error(`row ${i} differs`);
    }
    const before = tf.memory().numTensors;
    const t = await data.observationsFromFactors(batch(all.slice(0, 5)));
    expect(Array.from(t.dataSync().subarray(0, 100), (v) => Math.round(v * 255))).toEqual(Array.from(a.subarray(143 * 12288, 143 * 12288 + 100))); // order[143] is all[0]
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    direct.close();
    data.close();
    // The second load reuses the copy: nothing rewritten, no chunk read.
    const mtime = statSync(copy).mtimeMs;
    const again = await openShapes3d(h5, { uncompressedCopy: copy, onProgress: (p) => expect(p.stage).toBe('load') }, LAYOUT);
    expect(again.copyBuilt).toBe(false);
    const c = await again.imagesFromFactors(batch(order));
    expect(again.cacheStats().chunkReads).toBe(0);
    expect(Buffer.from(c).equals(Buffer.from(a))).toBe(true);
    expect(statSync(copy).mtimeMs).toBe(mtime);
    again.close();
  });

  it('a truncated copy, or one made from another file, is rebuilt; a foreign file is refused', async () => {
    const { h5, copy } = setup();
    (await openShapes3d(h5, { uncompressedCopy: copy }, LAYOUT)).close();
    const good = readFileSync(copy);
    writeFileSync(copy, good.subarray(0, good.length - 1));
    const rebuilt = await openShapes3d(h5, { uncompressedCopy: copy }, LAYOUT);
    expect(rebuilt.copyBuilt).toBe(true);
    rebuilt.close();
    expect(readFileSync(copy).equals(good)).toBe(true);
    // The same bytes under another source identity (the h5 touched): stale, rebuilt with the new mtime.
    utimesSync(h5, new Date(2001, 1, 1), new Date(2001, 1, 1));
    const touched = await openShapes3d(h5, { uncompressedCopy: copy }, LAYOUT);
    expect(touched.copyBuilt).toBe(true);
    touched.close();
    expect(readFileSync(copy).subarray(0, 4096).toString()).toMatch(new RegExp(`"sourceMtimeMs":${statSync(h5).mtimeMs}`));
    // A header edited to another image count is stale too.
    const edited = readFileSync(copy);
    edited.write(edited.subarray(0, 4096).toString().replace('"numImages":144', '"numImages":145'), 0);
    writeFileSync(copy, edited);
    const again = await openShapes3d(h5, { uncompressedCopy: copy }, LAYOUT);
    expect(again.copyBuilt).toBe(true);
    again.close();
    // Without the magic line it is not ours: BAD_FILE, left as it was.
    const foreign = Buffer.from(readFileSync(copy));
    foreign[0] = 0x58;
    writeFileSync(copy, foreign);
    const e = await rejection(openShapes3d(h5, { uncompressedCopy: copy }, LAYOUT));
    expect(e.code).toBe('BAD_FILE');
    expect(e.argument).toBe('uncompressedCopy');
    expect(e.message).toMatch(/is not an image copy written by disentangle/);
    expect(readFileSync(copy).equals(foreign)).toBe(true);
  });

  it('an abort mid-conversion leaves no file under the final name and no temporary file', async () => {
    const { dir, h5 } = setup();
    const copy = join(dir, 'small.images.u8');
    const ac = new AbortController();
    const p = openShapes3d(h5, { uncompressedCopy: copy, signal: ac.signal, onProgress: (q) => q.stage === 'convert' && q.done >= 60 && ac.abort() }, LAYOUT);
    expect((await rejection(p)).code).toBe('ABORTED');
    expect(existsSync(copy)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['small.h5']);
  });

  it('checks the option', async () => {
    expect((await rejection(openShapes3d(new Uint8Array(readFileSync(FILE)), { uncompressedCopy: '/tmp/x.u8' }, LAYOUT))).code).toBe('BAD_OPTION');
    expect((await rejection(loadShapes3d(FILE, { uncompressedCopy: '' }))).code).toBe('BAD_OPTION');
  });
});
