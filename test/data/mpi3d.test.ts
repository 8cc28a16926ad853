import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { flatIndex, unflatIndex } from '../../src/core/matrix.js';
import { loadMpi3d, MPI3D_FACTOR_NAMES, type LoadMpi3dOptions } from '../../src/data/mpi3d.js';
import { writeSavezStandIn } from '../helpers/savezStandIn.js';
import { rejection } from '../helpers/errors.js';
import { expectMetricDrawsWithoutLeaks } from '../helpers/datasetDraws.js';

const IMAGE = 64 * 64 * 3;
const FULL = 1_036_800;
const SIZES = [6, 6, 2, 3, 3, 40, 40];

/** Image of row `i`: every byte encodes the row and the pixel, so a wrong offset or a factor mix-up shows. */
function rowImage(i: number): Uint8Array {
  const img = new Uint8Array(IMAGE);
  for (let p = 0; p < IMAGE; p++) img[p] = (i * 131 + p * 7 + (i >> 8)) & 255;
  return img;
}

/** The rows written into the sparse stand-ins (every other row reads back as zeros). */
const WRITTEN = [0, 1, 1599, 1600, 14_400, 28_800, 115_200, 500_123, FULL - 1];

/** A sparse np.savez-layout file of `rows` images (only the WRITTEN rows hold bytes). */
function writeSavezLike(path: string, rows: number, shape: number[] = [rows, 64, 64, 3]): void {
  writeSavezStandIn(path, shape, (write) => {
    for (const r of WRITTEN) if (r < rows) write(r, rowImage(r));
  });
}

let dir = '';
beforeAll(async () => {
  await setupBackend(['cpu']);
  dir = mkdtempSync(join(tmpdir(), 'mpi3d-'));
  writeSavezLike(join(dir, 'mpi3d_toy.npz'), FULL);
  writeSavezLike(join(dir, 'complex.npz'), 460_800);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loadError = (input: Parameters<typeof loadMpi3d>[0], options: LoadMpi3dOptions): Promise<DisentangleError> => rejection(loadMpi3d(input, options));

const factorsOf = (rows: number[], sizes = SIZES): Int32Array => {
  const out = new Int32Array(rows.length * sizes.length);
  rows.forEach((r, i) => unflatIndex(sizes, r, out, i * sizes.length));
  return out;
};

describe('loadMpi3d on a full-size (12.7 GB, sparse) stand-in in np.savez layout', () => {
  it('has the published factors and reads each image at its C-order flat index', async () => {
    const mpi = await loadMpi3d(join(dir, 'mpi3d_toy.npz'), { variant: 'toy' });
    try {
      expect(mpi.factorSizes).toEqual(SIZES);
      expect(mpi.factorNames).toEqual([...MPI3D_FACTOR_NAMES]);
      expect(mpi.numImages).toBe(FULL);
      expect(mpi.observationShape).toEqual([64, 64, 3]);
      expect(mpi.deterministicObservations).toBe(true);
      // Shuffled order and a repeat: every image must come back in the caller's row order.
      const rows = [FULL - 1, 1600, 0, 500_123, 1599, 14_400, 1, 28_800, 115_200, 1600, 7];
      const f = factorsOf(rows);
      expect(flatIndex(SIZES, f, 3 * 7)).toBe(500_123);
      expect(Array.from(f.subarray(7, 14))).toEqual([0, 0, 0, 0, 1, 0, 0]); // row 1600 = background_color 1
      const bytes = await mpi.readImages({ data: f, shape: [rows.length, 7] });
      rows.forEach((r, i) => {
        const want = WRITTEN.includes(r) ? rowImage(r) : new Uint8Array(IMAGE);
        expect(Buffer.compare(Buffer.from(bytes.subarray(i * IMAGE, (i + 1) * IMAGE)), Buffer.from(want)), `row ${r}`).toBe(0);
      });
      const before = tf.memory().numTensors;
      const obs = await mpi.observationsFromFactors({ data: f.subarray(0, 14), shape: [2, 7] });
      expect(obs.shape).toEqual([2, 64, 64, 3]);
      const px = obs.dataSync();
      obs.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(px[5]).toBe(Math.fround(rowImage(FULL - 1)[5] / 255));
      expect(px[IMAGE + 9]).toBe(Math.fround(rowImage(1600)[9] / 255));
    } finally {
      await mpi.close();
    }
  });

  it("variant 'complex' reads a 460,800-image file with sizes [4, 4, 2, 3, 3, 40, 40]", async () => {
    const mpi = await loadMpi3d(join(dir, 'complex.npz'), { variant: 'complex' });
    expect(mpi.factorSizes).toEqual([4, 4, 2, 3, 3, 40, 40]);
    const sizes = [4, 4, 2, 3, 3, 40, 40];
    const bytes = await mpi.readImages({ data: factorsOf([115_200], sizes), shape: [1, 7] });
    expect(Buffer.compare(Buffer.from(bytes), Buffer.from(rowImage(115_200)))).toBe(0);
    await mpi.close();
    await expect(mpi.readImages({ data: factorsOf([0], sizes), shape: [1, 7] })).rejects.toThrow(/closed/);
  });
});

describe('loadMpi3d refuses what it cannot read by offset', () => {
  it('a wrong image count names the count and the releases', async () => {
    const e = await loadError(join(dir, 'complex.npz'), { variant: 'toy' });
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/'images' holds 460800 images; variant 'toy' has 1036800 \(6×6×2×3×3×40×40\); 460,800 images is the complex release or the old 4×4 toy release/);
  });

  it("numpy's own np.savez file (4 images) parses up to its count, from a path, bytes or a Blob", async () => {
    const path = join(__dirname, '../fixtures/datasets/mpi3d-4-stored.npz');
    const bytes = new Uint8Array(readFileSync(path));
    for (const input of [path, bytes, new Blob([bytes])]) {
      const e = await loadError(input, { variant: 'real' });
      expect(e.message).toMatch(/'images' holds 4 images; variant 'real' has 1036800/);
    }
  });

  it('np.savez_compressed: cannot be read by offset, and says how to re-save', async () => {
    const e = await loadError(join(__dirname, '../fixtures/datasets/mpi3d-4-deflated.npz'), { variant: 'toy' });
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/compressed \(zip method 8.*cannot be read by offset; re-save it uncompressed: .*np\.savez\(/);
  });

  it('a truncated file, a wrong shape, a missing file, not a zip, bad options', async () => {
    const cut = join(dir, 'cut.npz');
    writeSavezLike(cut, 20, [20, 64, 64, 3]);
    const fd = openSync(cut, 'r+');
    ftruncateSync(fd, 5000);
    closeSync(fd);
    expect((await loadError(cut, { variant: 'toy' })).message).toMatch(/no end-of-central-directory record/);
    const gray = join(dir, 'gray.npz');
    writeSavezLike(gray, FULL, [FULL, 64, 64, 1]);
    expect((await loadError(gray, { variant: 'toy' })).message).toMatch(/'images' has shape \(1036800, 64, 64, 1\), expected \(1036800, 64, 64, 3\)/);
    rmSync(gray);
    expect((await loadError(join(dir, 'missing.npz'), { variant: 'toy' })).message).toMatch(/cannot read/);
    expect((await loadError(new Uint8Array(100), { variant: 'toy' })).message).toMatch(/not a zip archive/);
    await expect(loadMpi3d(cut, { variant: 'old' as 'toy' })).rejects.toThrow(/variant/);
    await expect(loadMpi3d(cut, { variant: 'toy', cache: 1 } as LoadMpi3dOptions)).rejects.toThrow(DisentangleError);
  });
});

describe('loadMpi3d sha256 option', () => {
  const path = join(__dirname, '../fixtures/datasets/mpi3d-4-stored.npz');
  const hex = async (b: Uint8Array): Promise<string> =>
    Array.from(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>)), (x) => x.toString(16).padStart(2, '0')).join('');

  it('the right digest passes (the load goes on to the header checks), a wrong one is BAD_FILE naming both', async () => {
    const bytes = new Uint8Array(readFileSync(path));
    const digest = await hex(bytes);
    const stages: string[] = [];
    const ok = await loadError(path, { variant: 'real', sha256: digest.toUpperCase(), onProgress: (p) => stages.push(p.stage) });
    expect(ok.message).toMatch(/'images' holds 4 images/);
    expect(stages[0]).toBe('sha256');
    expect(stages).toContain('load');
    const wrong = 'ab'.repeat(32);
    for (const input of [path, bytes, new Blob([bytes])]) {
      const e = await loadError(input, { variant: 'real', sha256: wrong });
      expect(e.code).toBe('BAD_FILE');
      expect(e.message).toContain(`has SHA-256 ${digest}, expected ${wrong}`);
    }
    expect((await loadError(path, { variant: 'real', sha256: wrong })).message).toContain(`'${path}' has SHA-256`);
  });

  it('a malformed digest is BAD_OPTION; an abort stops the hashing', async () => {
    for (const sha256 of ['abc', 'z'.repeat(64), 12 as unknown as string]) {
      const e = await loadError(path, { variant: 'real', sha256 });
      expect(e.code).toBe('BAD_OPTION');
      expect(e.argument).toBe('sha256');
    }
    const ac = new AbortController();
    ac.abort();
    expect((await loadError(path, { variant: 'real', sha256: 'ab'.repeat(32), signal: ac.signal })).code).toBe('ABORTED');
  });
});

describe('a sampling metric draws from the dataset', () => {
  it('computeMig runs through it without leaking tensors', async () => {
    const data = await loadMpi3d(join(dir, 'mpi3d_toy.npz'), { variant: 'toy' });
    await expectMetricDrawsWithoutLeaks(data);
    await data.close();
  }, 120_000);
});
