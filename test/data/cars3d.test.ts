import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../src/core/backend.js';
import { CARS3D_FACTOR_NAMES, CARS3D_FACTOR_SIZES, loadCars3d, openCars3d, type Cars3dFile } from '../../src/data/cars3d.js';
import { readMatV5 } from '../../src/data/matV5.js';
import type { FactorBatch } from '../../src/core/types.js';
import { rejection } from '../helpers/errors.js';
import { expectMetricDrawsWithoutLeaks } from '../helpers/datasetDraws.js';
import { matV5File } from '../helpers/matV5StandIn.js';

// Written by scripts/fixtures/cars3d_standin.py: three car_NNN_mesh.mat files (scipy savemat, compressed) in the
// published layout, and the images its replica of disentanglement_lib's loader (PIL Lanczos 128→64) gives.
const DIR = join(__dirname, '../fixtures/datasets/cars3d');
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/datasets/cars3d.json'), 'utf8')) as {
  names: string[];
  sums: number[];
  picks: { factors: number[]; pixels: number[] }[];
};
const NCARS = fixture.names.length;
const SIZES = [4, 24, NCARS];
const N = 4 * 24 * NCARS;
const fail = (m: string): Error => new Error(m);

function allFactors(): FactorBatch {
  const data = new Int32Array(N * 3);
  for (let i = 0; i < N; i++) {
    data[i * 3] = Math.floor(i / (24 * NCARS));
    data[i * 3 + 1] = Math.floor(i / NCARS) % 24;
    data[i * 3 + 2] = i % NCARS;
  }
  return { data, shape: [N, 3] };
}

beforeAll(async () => {
  await setupBackend(['cpu']);
});

describe('readMatV5', () => {
  it("reads scipy's compressed 'im' in MATLAB order (column-major)", () => {
    const [im] = readMatV5(readFileSync(join(DIR, 'car_007_mesh.mat')), fail, 'im');
    expect(im.name).toBe('im');
    expect(im.className).toBe('uint8');
    expect(im.dims).toEqual([128, 128, 3, 24, 4]);
    expect(im.data).toBeInstanceOf(Uint8Array);
    // im(a, b, c, az, el) = (car·40 + el·60 + az·9 + a + 2b + 50c) mod 256 in the stand-in.
    const at = (a: number, b: number, c: number, az: number, el: number): number => im.data[a + 128 * (b + 128 * (c + 3 * (az + 24 * el)))];
    for (const [a, b, c, az, el] of [[0, 0, 0, 0, 0], [5, 77, 2, 13, 3], [127, 127, 1, 23, 2]]) {
      expect(at(a, b, c, az, el)).toBe((7 * 40 + el * 60 + az * 9 + a + 2 * b + 50 * c) % 256);
    }
  });

  it('reports malformed files through the given error builder', () => {
    expect(() => readMatV5(new Uint8Array(50), fail)).toThrow(/128-byte header/);
    expect(() => readMatV5(new TextEncoder().encode('x'.repeat(200)), fail)).toThrow(/not a MATLAB level-5 MAT-file/);
    const good = readFileSync(join(DIR, 'car_003_mesh.mat'));
    expect(() => readMatV5(good.subarray(0, 5000), fail)).toThrow(/ends inside/);
    const bad = new Uint8Array(good);
    bad.fill(7, 200, 260);
    expect(() => readMatV5(bad, fail)).toThrow(/does not inflate/);
  });
});

describe('loadCars3d', () => {
  it('equals the reference loader replica image for image (files sorted by name, PIL Lanczos 128→64)', async () => {
    const data = await openCars3d(DIR, {}, NCARS);
    expect(data.factorSizes).toEqual(SIZES);
    expect(data.factorNames).toEqual(['elevation', 'azimuth', 'object']);
    expect(data.fileNames).toEqual(fixture.names);
    expect(data.numImages).toBe(N);
    const bytes = data.imagesFromFactors(allFactors());
    const sums = Array.from({ length: N }, (_, i) => bytes.subarray(i * 12288, (i + 1) * 12288).reduce((a, b) => a + b, 0));
    expect(sums).toEqual(fixture.sums);
    for (const p of fixture.picks) {
      const got = data.imagesFromFactors({ data: Int32Array.from(p.factors), shape: [1, 3] });
      expect(Array.from(got)).toEqual(p.pixels);
    }
  });

  it('takes files as { name, data } (bytes or Blob) in any order, and returns float32 tensors without leaks', async () => {
    const names = readdirSync(DIR).reverse();
    const files: Cars3dFile[] = names.map((name, i) => {
      const b = readFileSync(join(DIR, name));
      return { name, data: i % 2 ? new Blob([b]) : new Uint8Array(b) };
    });
    files.push({ name: 'README.txt', data: new Uint8Array(3) }); // not a .mat: ignored
    const data = await openCars3d(files, {}, NCARS);
    expect(data.fileNames).toEqual(fixture.names);
    const byName = await openCars3d(Object.fromEntries(names.map((n, i) => [n, i === 0 ? join(DIR, n) : readFileSync(join(DIR, n))])), {}, NCARS);
    expect(Buffer.compare(byName.imagesFromFactors(allFactors()), data.imagesFromFactors(allFactors()))).toBe(0);
    const p = fixture.picks[1];
    const before = tf.memory().numTensors;
    const t = data.observationsFromFactors({ data: Int32Array.from([...p.factors, ...fixture.picks[0].factors]), shape: [2, 3] });
    expect(t.shape).toEqual([2, 64, 64, 3]);
    const px = t.dataSync();
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 12288; i++) if (Math.abs(px[i] - p.pixels[i] / 255) > 1e-7) throw new Error(`pixel ${i}`);
  });

  it('the published loader wants 183 cars; counts, dimensions, classes and missing arrays are BAD_FILE', async () => {
    expect(CARS3D_FACTOR_SIZES).toEqual([4, 24, 183]);
    expect(CARS3D_FACTOR_NAMES).toEqual(['elevation', 'azimuth', 'object']);
    const e = await rejection(loadCars3d(DIR));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/holds 3 \.mat files, expected 183/);
    const dir = mkdtempSync(join(tmpdir(), 'cars3d-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const n of fixture.names.slice(1)) copyFileSync(join(DIR, n), join(dir, n));
    const cases: [Uint8Array, RegExp][] = [
      [matV5File('im', 9, [128, 128, 3, 24, 3], 2, new Uint8Array(128 * 128 * 3 * 24 * 3)), /'im' of dimensions \[128×128×3×24×3\]/],
      [matV5File('im', 6, [128, 128, 3, 24, 4], 9, new Uint8Array(8 * 128 * 128 * 3 * 24 * 4)), /'im' of class double, expected uint8/],
      [matV5File('other', 9, [2, 2], 2, new Uint8Array(4)), /holds no numeric array 'im'/],
      [readFileSync(join(DIR, fixture.names[0])).subarray(0, 30000), /'car_003_mesh\.mat' ends inside/],
    ];
    for (const [bytes, msg] of cases) {
      writeFileSync(join(dir, fixture.names[0]), bytes);
      const err = await rejection(openCars3d(dir, {}, NCARS));
      expect(err.code).toBe('BAD_FILE');
      expect(err.message).toMatch(msg);
    }
    expect((await rejection(openCars3d(join(dir, 'missing'), {}, NCARS))).message).toMatch(/cannot list/);
  });

  it('checks options and honours an aborted signal', async () => {
    expect((await rejection(loadCars3d(DIR, { nope: 1 } as never))).code).toBe('BAD_OPTION');
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(openCars3d(DIR, { signal: ac.signal }, NCARS))).code).toBe('ABORTED');
  });

  it('checks expected SHA-256 digests of the named files', async () => {
    const hex = async (b: Uint8Array): Promise<string> =>
      Array.from(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>)), (x) => x.toString(16).padStart(2, '0')).join('');
    const names = fixture.names;
    const digests = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await hex(new Uint8Array(readFileSync(join(DIR, n))))] as const)));
    const data = await openCars3d(DIR, { sha256: { ...digests, [names[0]]: digests[names[0]].toUpperCase() } }, NCARS);
    expect(data.numImages).toBe(N);
    const wrong = 'ef'.repeat(32);
    const e = await rejection(openCars3d(DIR, { sha256: { [names[1]]: wrong } }, NCARS));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe(`dirOrFiles: '${names[1]}' has SHA-256 ${digests[names[1]]}, expected ${wrong}`);
    const bad = await rejection(openCars3d(DIR, { sha256: { [names[0]]: 'xyz' } }, NCARS));
    expect(bad.code).toBe('BAD_OPTION');
    const unknown = await rejection(openCars3d(DIR, { sha256: { 'car_999_mesh.mat': wrong } }, NCARS));
    expect(unknown.code).toBe('BAD_OPTION');
    expect(unknown.message).toContain(names.join(', '));
    expect((await rejection(openCars3d(DIR, { sha256: [wrong] as unknown as Record<string, string> }, NCARS))).code).toBe('BAD_OPTION');
  });
});

describe('a sampling metric draws from Cars3D', () => {
  it('computeMig runs through it without leaking tensors, and loading reports progress per file', async () => {
    const progress: number[] = [];
    const data = await openCars3d(DIR, { onProgress: (p) => progress.push(p.done) }, NCARS);
    expect(progress).toEqual([0, 1, 2, 3]);
    await expectMetricDrawsWithoutLeaks(data);
  }, 120_000);
});
