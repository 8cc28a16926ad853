import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { zipSync } from 'fflate';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng, permutation } from '../../src/core/rng.js';
import { renderDspritesBatch } from '../../src/data/dspritesRenderer.js';
import { N, SIZES, allFactors, arrays, expectedImages, npy, toDsprites, zip } from './dspritesNpz.js';
import { loadDsprites } from '../../src/data/loadDsprites.js';
import { encodeNpyHeader, parseNpyHeader, readNpzStream } from '../../src/data/npz.js';
import { rejection } from '../helpers/errors.js';

let dir = '';
beforeAll(async () => {
  await setupBackend(['cpu']);
  dir = mkdtempSync(join(tmpdir(), 'dsprites-npz-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loadError = (src: string | Uint8Array, what = ''): Promise<DisentangleError> => rejection(loadDsprites(src), what);

describe('loadDsprites', () => {
  it('round-trips a small npz written with the real keys, dtypes and layout (bytes, deflated)', async () => {
    const data = await loadDsprites(zip(arrays()));
    expect(data.factorSizes).toEqual(SIZES.slice(1));
    expect(data.factorNames).toEqual(['shape', 'scale', 'orientation', 'posX', 'posY']);
    expect(data.observationShape).toEqual([64, 64, 1]);
    expect(data.numImages).toBe(N);
    expect(data.packedBytes).toBe(N * 512); // one bit per pixel
    expect(Array.from(data.renderInto(allFactors()))).toEqual(Array.from(expectedImages()));
    expect(data.factorValues[0]).toEqual([1, 2, 3]);
    expect(data.factorValues[2]).toEqual([3, 3.1, 3.2, 3.3]);
  });

  it('reads a path in chunks, stored (uncompressed) entries, and extra entries such as metadata', async () => {
    const a = arrays();
    // An object array as NumPy writes metadata: skipped, not parsed.
    a.metadata = npy('|O', [], new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]));
    const path = join(dir, 'stored.npz');
    writeFileSync(path, zip(a, 0));
    const progress: number[] = [];
    const data = await loadDsprites(path, { onProgress: (p) => progress.push(p.done / p.total) });
    expect(Array.from(data.renderInto(allFactors()))).toEqual(Array.from(expectedImages()));
    expect(progress[0]).toBe(0);
    expect(progress[progress.length - 1]).toBe(1);
  });

  it('looks images up by factors when the rows are stored in another order', async () => {
    const order = permutation(N, createRng(5));
    const data = await loadDsprites(zip(arrays(order)));
    expect(Array.from(data.renderInto(allFactors()))).toEqual(Array.from(expectedImages()));
  });

  it('returns a float32 tensor of the looked-up images and leaks nothing', async () => {
    const data = await loadDsprites(zip(arrays()));
    const f = { data: Int32Array.of(2, 1, 3, 2, 1, 0, 0, 0, 0, 0), shape: [2, 5] as const };
    const before = tf.memory().numTensors;
    const t = data.observationsFromFactors(f, createRng(0));
    expect(t.shape).toEqual([2, 64, 64, 1]);
    expect(t.dtype).toBe('float32');
    const want = renderDspritesBatch({ data: Int32Array.from([...toDsprites([0, 2, 1, 3, 2, 1]), ...toDsprites([0, 0, 0, 0, 0, 0])]), shape: [2, 5] });
    expect(Array.from(await t.data())).toEqual(Array.from(want));
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => data.observationsFromFactors({ data: Int32Array.of(3, 0, 0, 0, 0), shape: [1, 5] }, createRng(0))).toThrow(DisentangleError);
  });

  it('refuses wrong files with BAD_FILE naming pathOrBytes', async () => {
    const cases: [string, Uint8Array | string][] = [
      ['not a zip', new TextEncoder().encode('hello, this is not a zip file at all')],
      ['empty', new Uint8Array(0)],
      ['missing path', join(dir, 'nope.npz')],
      ['truncated', ((z) => z.subarray(0, Math.floor(z.length / 3)))(zip(arrays()))],
    ];
    const missing = arrays();
    delete missing.latents_values;
    cases.push(['missing key', zip(missing)]);
    const a = arrays();
    a.imgs = npy('<f8', [N, 64, 64], new Float64Array(N * 4096));
    cases.push(['wrong dtype', zip(a)]);
    const b = arrays();
    b.imgs = npy('|u1', [N, 4096], new Uint8Array(N * 4096));
    cases.push(['wrong rank', zip(b)]);
    const c = arrays();
    c.imgs = npy('|u1', [N - 1, 64, 64], new Uint8Array((N - 1) * 4096));
    cases.push(['row mismatch', zip(c)]);
    const d = arrays(Array.from({ length: N }, (_, i) => (i === 7 ? 6 : i)));
    cases.push(['duplicate combination', zip(d)]);
    const e = arrays();
    const raw = e.imgs as Uint8Array;
    raw[raw.length - 1] = 255;
    cases.push(['non-binary pixel', zip(e)]);
    const g = arrays();
    (g.imgs as Uint8Array)[0] = 0x00; // break the .npy magic
    cases.push(['bad npy magic', zip(g)]);
    for (const [what, src] of cases) {
      const err = await loadError(src, what);
      expect(`${what}: ${err.code}`).toBe(`${what}: BAD_FILE`);
      expect(err.code, what).toBe('BAD_FILE');
      expect(err.argument, what).toBe('pathOrBytes');
    }
    const wrongType = await loadError(42 as unknown as string);
    expect([wrongType.code, wrongType.argument]).toEqual(['BAD_INPUT', 'pathOrBytes']);
  });

  it('stops when aborted', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(loadDsprites(zip(arrays()), { signal: ctl.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('npz / npy reader', () => {
  it('writes and parses headers of every version-1 shape NumPy writes', () => {
    for (const shape of [[], [3], [737280, 64, 64], [2, 6]]) {
      const h = encodeNpyHeader('<i8', shape);
      expect(h.length % 64).toBe(0);
      const parsed = parseNpyHeader(h);
      expect(parsed?.header).toEqual({ descr: '<i8', fortranOrder: false, shape, itemSize: 8 });
      expect(parsed?.dataOffset).toBe(h.length);
      expect(parseNpyHeader(h.subarray(0, h.length - 1))).toBeUndefined();
    }
  });

  it('parses a version-2 header and a header as NumPy 1.x writes it (Python 2 longs)', () => {
    const dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (3L, 4L), }\n";
    const v2 = new Uint8Array(12 + dict.length);
    v2.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(v2.buffer).setUint32(8, dict.length, true);
    v2.set(new TextEncoder().encode(dict), 12);
    expect(parseNpyHeader(v2)?.header).toEqual({ descr: '<f4', fortranOrder: true, shape: [3, 4], itemSize: 4 });
  });

  it('hands data across arbitrary chunk boundaries in order', async () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i * 1.5 - 7);
    const z = zipSync({ 'x.npy': npy('<f8', [1000], values) });
    for (const size of [1, 7, 8, 13, 4096]) {
      const chunks: Uint8Array[] = [];
      for (let p = 0; p < z.length; p += size) chunks.push(z.subarray(p, p + size));
      const got: number[] = [];
      const names = await readNpzStream(chunks, (name, h) => {
        expect(name).toBe('x');
        expect(h.shape).toEqual([1000]);
        return {
          write(chunk, off) {
            expect(off).toBe(got.length);
            got.push(...chunk);
          },
        };
      });
      expect(names).toEqual(['x']);
      expect(Array.from(new Float64Array(Uint8Array.from(got).buffer))).toEqual(Array.from(values));
    }
  });
});

describe('loadDsprites options', () => {
  it('refuses a misspelt option name, naming the closest valid one', async () => {
    const e = await loadDsprites(new Uint8Array(0), { onProgres: () => undefined } as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DisentangleError);
    expect(e).toMatchObject({ code: 'BAD_OPTION', argument: 'onProgres' });
    expect((e as Error).message).toMatch(/did you mean onProgress\?/);
  });
});
