import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DisentangleError } from '../../src/core/errors.js';
import { lanczosCoefficients, pilLanczosResizer, pilResizer, resizeBicubicRgb8 } from '../../src/data/resize.js';

interface Case {
  name: string;
  mode: 'L' | 'RGB' | 'I';
  inShape: [number, number, number];
  outShape: [number, number, number];
  input: string;
  output: string;
  filter: 'lanczos' | 'bicubic';
  box: [number, number, number, number] | null;
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/datasets/resize.json'), 'utf8')) as { pillow: string; cases: Case[] };
const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));

describe("pilResizer equals Pillow's Image.resize", () => {
  it('was checked against Pillow 9.4', () => expect(fixture.pillow).toBe('9.4.0'));

  for (const c of fixture.cases) {
    it(c.name, () => {
      const input = bytes(c.input);
      const expected = new Int16Array(bytes(c.output).buffer);
      const [h, w, ch] = c.inShape;
      const [oh, ow] = c.outShape;
      const r = pilResizer(h, w, ch, oh, ow, { mode: c.mode === 'I' ? 'int32' : 'uint8', filter: c.filter, box: c.box ?? undefined });
      const out = c.mode === 'I' ? new Int32Array(oh * ow * ch) : new Uint8Array(oh * ow * ch);
      r.resize(input, out);
      expect(Array.from(out)).toEqual(Array.from(expected));
    });
  }

  it("mode 'I' keeps Lanczos' overshoot outside 0…255 and mode 'L' clamps it", () => {
    const c = fixture.cases.find((x) => x.mode === 'I' && x.inShape[0] === 96) as Case;
    const expected = new Int16Array(bytes(c.output).buffer);
    expect(Math.min(...expected)).toBeLessThan(0);
    expect(Math.max(...expected)).toBeGreaterThan(255);
    const out = new Uint8Array(64 * 64);
    pilLanczosResizer(96, 96, 1, 64, 64).resize(bytes(c.input), out);
    expect(Math.min(...out)).toBe(0);
    expect(Math.max(...out)).toBe(255);
  });

  it('weights of each output pixel sum to 1 and span ±4.5 input pixels for 96 → 64', () => {
    const k = lanczosCoefficients(96, 64);
    expect(k.ksize).toBe(11);
    for (let i = 0; i < 64; i++) {
      let s = 0;
      for (let j = 0; j < k.ksize; j++) s += k.weights[i * k.ksize + j];
      expect(s).toBeCloseTo(1, 12);
      expect(k.bounds[i * 2 + 1]).toBeLessThanOrEqual(10);
    }
  });

  it('reads and writes at offsets, and refuses short buffers and bad sizes', () => {
    const c = fixture.cases[0];
    const input = bytes(c.input);
    const padded = new Uint8Array(input.length + 7);
    padded.set(input, 7);
    const out = new Float32Array(64 * 64 + 3);
    pilLanczosResizer(96, 96, 1, 64, 64).resize(padded, out, 7, 3);
    expect(Array.from(out.subarray(3))).toEqual(Array.from(new Int16Array(bytes(c.output).buffer)));
    expect(() => pilLanczosResizer(96, 96, 1, 64, 64).resize(input.subarray(1), out)).toThrow(DisentangleError);
    expect(() => pilLanczosResizer(96, 96, 1, 64, 64).resize(input, new Uint8Array(10))).toThrow(DisentangleError);
    expect(() => pilLanczosResizer(0, 96, 1, 64, 64)).toThrow(/inH/);
    expect(() => pilLanczosResizer(96, 96, 3, 64, 64, 'int32')).toThrow(/one band/);
    expect(() => pilResizer(10, 10, 1, 5, 5, { box: [0, 0, 11, 10] })).toThrow(/box/);
  });

  it('resizeBicubicRgb8 is the bicubic RGB case', () => {
    const c = fixture.cases.find((x) => x.filter === 'bicubic') as Case;
    const out = resizeBicubicRgb8(bytes(c.input), c.inShape[0], c.inShape[1], c.outShape[0], c.outShape[1]);
    expect(Array.from(out)).toEqual(Array.from(new Int16Array(bytes(c.output).buffer)));
  });
});
