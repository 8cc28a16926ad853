import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { loadSmallNorb, type SmallNorbDataset } from '../../src/data/smallNorb.js';
import { rejection } from '../helpers/errors.js';
import { expectMetricDrawsWithoutLeaks } from '../helpers/datasetDraws.js';
import { NORB_ROWS as ROWS, NORB_SIDE as SIDE, norbCombination as combination, norbFileName as fileName, norbHeader as header, writeNorbStandIn } from '../helpers/norbStandIn.js';

// The stand-in pixels of scripts/fixtures/norb_standin.py, which also wrote the expected images.
const patterned = (r: number): boolean => r % 2430 === 17;
function leftImage([cat, inst, elev, az, light]: number[]): Uint8Array {
  const v = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      let p = (cat * 50 + inst * 20 + elev * 9 + az * 5 + light * 31 + y * 3 + x * 7 + ((x * y) % 13) * 11) % 256;
      if (y >= 30 && y < 40) p = x < 48 ? 255 : 0;
      v[y * SIDE + x] = p;
    }
  }
  return v;
}
/** Writes the six stand-in files (the .dat files sparse: only the patterned rows hold pixels, the right image grey). */
function writeStandIn(dir: string): void {
  const grey = new Uint8Array(SIDE * SIDE).fill(128);
  writeNorbStandIn(dir, (_s, r, combo) => (patterned(r) ? Buffer.concat([leftImage(combo), grey]) : undefined));
}

const loadError = (input: Parameters<typeof loadSmallNorb>[0]): Promise<DisentangleError> => rejection(loadSmallNorb(input));

interface Row {
  split: number;
  row: number;
  features: number[];
  clamped: string;
  reference?: string;
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/datasets/norb.json'), 'utf8')) as { rows: Row[]; referenceMin: number; referenceMax: number };
const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

let dir = '';
let norb: SmallNorbDataset;
beforeAll(async () => {
  await setupBackend(['cpu']);
  dir = mkdtempSync(join(tmpdir(), 'smallnorb-'));
  writeStandIn(dir);
  norb = await loadSmallNorb(dir);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadSmallNorb on full-size stand-ins of the published files', () => {
  it("has disentanglement_lib's factors and an image table of 48,600 × 64 × 64 bytes", () => {
    expect(norb.factorSizes).toEqual([5, 9, 18, 6]);
    expect(norb.factorNames).toEqual(['category', 'elevation', 'azimuth', 'lighting']);
    expect(norb.observationShape).toEqual([64, 64, 1]);
    expect(norb.numImages).toBe(48_600);
    expect(norb.tableBytes).toBe(48_600 * 4096);
    expect(norb.deterministicObservations).toBe(false);
  });

  it("each combination's image equals Pillow's resize of its left image (the reference replica's features)", () => {
    expect(fixture.rows.length).toBe(20);
    const all = new Int32Array(fixture.rows.flatMap((r) => r.features));
    // The features the replica read off cat + info are the ones our formula wrote.
    for (const r of fixture.rows) expect(r.features).toEqual(combination(r.split, r.row));
    const out = norb.renderInto({ data: all, shape: [fixture.rows.length, 5] }, new Int16Array(fixture.rows.length * 4096));
    fixture.rows.forEach((r, i) => expect(Array.from(out.subarray(i * 4096, (i + 1) * 4096)), `row ${r.row} of split ${r.split}`).toEqual(Array.from(b64(r.clamped))));
  });

  it('an unwritten (zero) image stays zero, and the grey right image is never used', () => {
    const f = combination(0, 18);
    const out = norb.renderInto({ data: Int32Array.from(f), shape: [1, 5] }, new Float32Array(4096));
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('observationsFromFactors draws the instance from rng and scales to [0, 1]', () => {
    const r = fixture.rows[4];
    const [cat, , elev, az, light] = r.features;
    const n = 64;
    const factors = new Int32Array(n * 4);
    for (let i = 0; i < n; i++) factors.set([cat, elev, az, light], i * 4);
    const expected = b64(r.clamped);
    const rng = createRng(3);
    const before = tf.memory().numTensors;
    const obs = norb.observationsFromFactors({ data: factors, shape: [n, 4] }, rng);
    expect(obs.shape).toEqual([n, 64, 64, 1]);
    const data = obs.dataSync();
    obs.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const check = createRng(3);
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const inst = check.int(10);
      const img = data.subarray(i * 4096, (i + 1) * 4096);
      if (inst === r.features[1]) {
        hits++;
        expect(Array.from(img)).toEqual(Array.from(expected, (v) => Math.fround(v / 255)));
      }
      const own = norb.renderInto({ data: Int32Array.of(cat, inst, elev, az, light), shape: [1, 5] }, new Float32Array(4096));
      expect(Array.from(img)).toEqual(Array.from(own, (v) => Math.fround(v / 255)));
    }
    expect(hits).toBeGreaterThan(0);
  });
});

describe("loadSmallNorb pixels: 'reference'", () => {
  it("equals disentanglement_lib's unclamped values bit for bit", async () => {
    const ref = await loadSmallNorb(dir, { pixels: 'reference' });
    const rows = fixture.rows.filter((r) => r.reference);
    expect(rows.length).toBe(6);
    const out = ref.renderInto({ data: new Int32Array(rows.flatMap((r) => r.features)), shape: [rows.length, 5] }, new Int16Array(rows.length * 4096));
    rows.forEach((r, i) => expect(Array.from(out.subarray(i * 4096, (i + 1) * 4096))).toEqual(Array.from(new Int16Array(b64(r.reference as string).buffer))));
    expect(Math.min(...out)).toBeLessThan(0); // Lanczos' overshoot, kept as the reference keeps it
    expect(Math.max(...out)).toBeGreaterThan(255);
    expect(fixture.referenceMin).toBeLessThan(0);
  }, 300_000);
});

describe('loadSmallNorb refuses damaged files', () => {
  /** The cat and info files whole, the .dat files cut after their first pair. */
  const small = (): Record<string, Uint8Array> => {
    const files: Record<string, Uint8Array> = {};
    for (let s = 0; s < 2; s++) {
      for (const kind of ['cat', 'info']) files[fileName(s, kind)] = new Uint8Array(readFileSync(join(dir, fileName(s, kind))));
      const head = new Uint8Array(24 + 2 * SIDE * SIDE);
      const fd = openSync(join(dir, fileName(s, 'dat')), 'r');
      readSync(fd, head, 0, head.length, 0);
      closeSync(fd);
      files[fileName(s, 'dat')] = head;
    }
    return files;
  };

  const byPath = (): Record<string, string | Uint8Array> => {
    const out: Record<string, string | Uint8Array> = {};
    for (let s = 0; s < 2; s++) for (const kind of ['dat', 'cat', 'info']) out[fileName(s, kind)] = join(dir, fileName(s, kind));
    return out;
  };

  it('a wrong magic names the file and field', async () => {
    const files = { ...byPath(), ...small(), [fileName(0, 'dat')]: join(dir, fileName(0, 'dat')), [fileName(1, 'dat')]: join(dir, fileName(1, 'dat')) };
    const cat = (files[fileName(1, 'cat')] as Uint8Array).slice();
    cat[0] ^= 1;
    const e = await loadError({ ...files, [fileName(1, 'cat')]: cat });
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toContain(fileName(1, 'cat'));
    expect(e.message).toContain("field 'magic'");
  });

  it('a truncated .dat names its data field', async () => {
    const e = await loadError(small());
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/'smallnorb-5x46789x9x18x6x2x96x96-training-dat\.mat': field 'data' holds 18432 bytes, dims \[24300,2,96,96\] need 447897600 \(the file is truncated\)/);
  });

  it('wrong dims, a missing file, a duplicate combination and an odd azimuth', async () => {
    const dirs = mkdtempSync(join(tmpdir(), 'smallnorb-bad-'));
    try {
      const files = small();
      const info = files[fileName(0, 'info')].slice();
      const paths = byPath();
      new DataView(info.buffer).setInt32(12, 5, true);
      expect((await loadError({ ...paths, [fileName(0, 'info')]: info })).message).toMatch(/field 'dims' is \[24300,5\]/);
      const { [fileName(1, 'info')]: _, ...missing } = files;
      expect((await loadError(missing)).message).toContain(`has no '${fileName(1, 'info')}'`);
      mkdirSync(join(dirs, 'empty'));
      expect((await loadError(join(dirs, 'empty'))).code).toBe('BAD_FILE');
      // Full-size files are needed past the header checks: reuse the stand-in's .dat files by path.
      const dup = files[fileName(1, 'info')].slice();
      const v = new DataView(dup.buffer);
      const first = combination(0, 0);
      v.setInt32(20, first[1], true);
      v.setInt32(24, first[2], true);
      v.setInt32(28, first[3] * 2, true);
      v.setInt32(32, first[4], true);
      const cat = files[fileName(1, 'cat')].slice();
      new DataView(cat.buffer).setInt32(20, first[0], true);
      expect((await loadError({ ...paths, [fileName(1, 'info')]: dup, [fileName(1, 'cat')]: cat })).message).toMatch(/appears twice/);
      const odd = files[fileName(0, 'info')].slice();
      new DataView(odd.buffer).setInt32(28, 3, true);
      expect((await loadError({ ...paths, [fileName(0, 'info')]: odd })).message).toMatch(/azimuth at row 0 is 3/);
    } finally {
      rmSync(dirs, { recursive: true, force: true });
    }
  });

  it('bad options', async () => {
    await expect(loadSmallNorb(dir, { pixels: 'raw' as 'clamped' })).rejects.toThrow(/pixels/);
    await expect(loadSmallNorb(dir, { pixel: 'clamped' } as object)).rejects.toThrow(DisentangleError);
  });
});

describe('loadSmallNorb sha256 option', () => {
  const hex = async (b: Uint8Array): Promise<string> =>
    Array.from(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>)), (x) => x.toString(16).padStart(2, '0')).join('');
  const failure = async (input: Parameters<typeof loadSmallNorb>[0], options: Parameters<typeof loadSmallNorb>[1]): Promise<DisentangleError> => {
    const e = await loadSmallNorb(input, options).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(DisentangleError);
    return e as DisentangleError;
  };

  it('right digests pass (the load goes on to the headers), a wrong one is BAD_FILE naming the file and digests', async () => {
    const { gzipSync } = await import('node:zlib');
    // Paths for the big .dat files; the first .dat has a wrong magic, so a load that gets past the digests stops there.
    const files: Record<string, string | Uint8Array> = {};
    for (let s = 0; s < 2; s++) for (const kind of ['dat', 'cat', 'info']) files[fileName(s, kind)] = join(dir, fileName(s, kind));
    files[fileName(0, 'dat')] = header(0x1e3d4c54, [ROWS, 2, SIDE, SIDE]);
    const cat0 = new Uint8Array(readFileSync(join(dir, fileName(0, 'cat'))));
    const info1 = new Uint8Array(readFileSync(join(dir, fileName(1, 'info'))));
    const catGz = new Uint8Array(gzipSync(new Uint8Array(readFileSync(join(dir, fileName(1, 'cat'))))));
    delete files[fileName(1, 'cat')];
    files[`${fileName(1, 'cat')}.gz`] = catGz;
    const sha256 = { [fileName(0, 'cat')]: (await hex(cat0)).toUpperCase(), [fileName(1, 'info')]: await hex(info1), [`${fileName(1, 'cat')}.gz`]: await hex(catGz) };
    const progress: { stage: string; done: number; total: number }[] = [];
    const ok = await failure(files, { sha256, onProgress: (p) => progress.push(p) });
    expect(ok.message).toMatch(/field 'magic'/);
    expect(progress.at(-1)).toEqual({ stage: 'sha256', done: cat0.length + info1.length + catGz.length, total: cat0.length + info1.length + catGz.length });
    const wrong = 'cd'.repeat(32);
    const e = await failure(files, { sha256: { ...sha256, [fileName(1, 'info')]: wrong } });
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toContain(`'${fileName(1, 'info')}' has SHA-256 ${await hex(info1)}, expected ${wrong}`);
  });

  it('malformed digests, unknown names and a name other than the file read are BAD_OPTION', async () => {
    const codes = async (sha256: unknown): Promise<DisentangleError> => failure(dir, { sha256: sha256 as Record<string, string> });
    expect((await codes({ [fileName(0, 'cat')]: 'abc' })).code).toBe('BAD_OPTION');
    const unknown = await codes({ 'car_001_mesh.mat': 'ab'.repeat(32) });
    expect(unknown.code).toBe('BAD_OPTION');
    expect(unknown.message).toContain(fileName(1, 'info'));
    expect((await codes('ab'.repeat(32))).code).toBe('BAD_OPTION');
    const gz = await codes({ [`${fileName(0, 'cat')}.gz`]: 'ab'.repeat(32) });
    expect(gz.code).toBe('BAD_OPTION');
    expect(gz.message).toContain(`the file read was '${fileName(0, 'cat')}'`);
  });
});

describe('a sampling metric draws from the dataset', () => {
  it('computeMig runs through it without leaking tensors', async () => {
    const data = norb;
    await expectMetricDrawsWithoutLeaks(data);
  }, 120_000);
});

describe('loadSmallNorb from the published gzip files (<name>.mat.gz)', () => {
  it('reads gzip-compressed stand-ins streaming, with the same images as the plain files; a corrupt gzip is BAD_FILE', async () => {
    const { pipeline } = await import('node:stream/promises');
    const { createReadStream, createWriteStream } = await import('node:fs');
    const { createGzip, gzipSync } = await import('node:zlib');
    const gzDir = mkdtempSync(join(tmpdir(), 'smallnorb-gz-'));
    try {
      for (let s = 0; s < 2; s++) {
        for (const kind of ['dat', 'cat', 'info']) {
          await pipeline(createReadStream(join(dir, fileName(s, kind))), createGzip({ level: 1 }), createWriteStream(join(gzDir, `${fileName(s, kind)}.gz`)));
        }
      }
      const progress: number[] = [];
      const gz = await loadSmallNorb(gzDir, { onProgress: (p) => progress.push(p.done) });
      expect(progress[progress.length - 1]).toBe(2 * ROWS * 2 * SIDE * SIDE);
      const all = new Int32Array(fixture.rows.flatMap((r) => r.features));
      const batch = { data: all, shape: [fixture.rows.length, 5] as [number, number] };
      const want = norb.renderInto(batch, new Int16Array(fixture.rows.length * 4096));
      expect(Array.from(gz.renderInto(batch, new Int16Array(fixture.rows.length * 4096)))).toEqual(Array.from(want));

      // Bytes given by name, plain and gzip mixed; a gzip whose trailer CRC differs, or that is cut short, is BAD_FILE.
      const files: Record<string, string | Uint8Array> = {};
      for (let s = 0; s < 2; s++) for (const kind of ['dat', 'cat', 'info']) files[fileName(s, kind)] = join(dir, fileName(s, kind));
      const cat = readFileSync(join(dir, fileName(0, 'cat')));
      const catGz = new Uint8Array(gzipSync(cat));
      delete files[fileName(0, 'cat')];
      const badCrc = catGz.slice();
      badCrc[badCrc.length - 8] ^= 1;
      let e = await loadError({ ...files, [`${fileName(0, 'cat')}.gz`]: badCrc });
      expect(e.code).toBe('BAD_FILE');
      expect(e.message).toMatch(/\.mat\.gz' is a corrupt gzip file: it inflates to \d+ bytes with CRC-32 [0-9a-f]+, its trailer records/);
      e = await loadError({ ...files, [`${fileName(0, 'cat')}.gz`]: catGz.slice(0, catGz.length >> 1) });
      expect(e.code).toBe('BAD_FILE');
      expect(e.message).toContain(`${fileName(0, 'cat')}.gz`);
      e = await loadError({ ...files, [`${fileName(0, 'cat')}.gz`]: cat });
      expect(e.message).toMatch(/is not gzip data/);
      // The size check applies after inflation: a gzip of a truncated .mat names the data field.
      e = await loadError({ ...files, [`${fileName(0, 'cat')}.gz`]: new Uint8Array(gzipSync(cat.subarray(0, cat.length - 4))) });
      expect(e.message).toMatch(/cat\.mat\.gz': field 'data' holds 97196 bytes, dims \[24300\] need 97200 \(the file is truncated\)/);
    } finally {
      rmSync(gzDir, { recursive: true, force: true });
    }
  }, 300_000);
});
