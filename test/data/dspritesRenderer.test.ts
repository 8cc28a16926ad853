import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DisentangleError } from '../../src/core/errors.js';
import { dspritesFactorValues, linspace, renderDspritesBatch } from '../../src/data/dspritesRenderer.js';

const S = 64;
function render(...rows: number[][]): Uint8Array {
  return renderDspritesBatch({ data: Int32Array.from(rows.flat()), shape: [rows.length, 5] });
}
function stats(img: Uint8Array, offset = 0): { area: number; cx: number; cy: number } {
  let area = 0, sx = 0, sy = 0;
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if (img[offset + y * S + x]) { area++; sx += x; sy += y; }
  return { area, cx: sx / area, cy: sy / area };
}

describe('renderDspritesBatch', () => {
  it('moves the sprite right by 32/31 px per posX step and down by 32/31 px per posY step', () => {
    for (let shape = 0; shape < 3; shape++) {
      const base = stats(render([shape, 5, 0, 0, 0]));
      for (let k = 1; k < 32; k++) {
        const right = stats(render([shape, 5, 0, k, 0]));
        const down = stats(render([shape, 5, 0, 0, k]));
        // Pixel-centre sampling moves the shape in whole pixels, so the centroid lags the exact shift by < 1 px.
        expect(Math.abs(right.cx - base.cx - (32 * k) / 31)).toBeLessThan(1);
        expect(Math.abs(right.cy - base.cy)).toBeLessThan(0.1); // sub-pixel shifts reshape curved edges slightly
        expect(Math.abs(down.cy - base.cy - (32 * k) / 31)).toBeLessThan(1);
      }
    }
  });

  it('centres the square on pixel 16 at position 0 and on 48 at position 1, 20 px wide at scale 1', () => {
    const a = stats(render([0, 5, 0, 0, 0]));
    const b = stats(render([0, 5, 0, 31, 31]));
    expect(a).toEqual({ area: 400, cx: 15.5, cy: 15.5 }); // pixels 6..25: the centre of the block is 16.0
    expect(b).toEqual({ area: 400, cx: 47.5, cy: 47.5 });
  });

  it('grows the area strictly with scale for every shape and several orientations', () => {
    for (let shape = 0; shape < 3; shape++) {
      for (const o of [0, 7, 13, 31]) {
        const areas = [0, 1, 2, 3, 4, 5].map((s) => stats(render([shape, s, o, 16, 16])).area);
        for (let s = 1; s < 6; s++) expect(areas[s]).toBeGreaterThan(areas[s - 1]);
        // Area goes with scale²: the largest is 3.3–4.7× the smallest (4× exactly for a continuous shape).
        expect(areas[5] / areas[0]).toBeGreaterThan(3.3);
        expect(areas[5] / areas[0]).toBeLessThan(4.7);
      }
    }
  });

  it('keeps the area within 10% under rotation, and rotates about the sprite centre', () => {
    for (let shape = 0; shape < 3; shape++) {
      const ref = stats(render([shape, 5, 0, 16, 16]));
      for (let o = 0; o < 40; o++) {
        const st = stats(render([shape, 5, o, 16, 16]));
        expect(Math.abs(st.area - ref.area) / ref.area).toBeLessThan(0.1);
        // The heart's centroid sits off its centre (lobes are heavier), so it circles the centre; the others stay.
        const centre = 16 + (32 * 16) / 31 - 0.5; // in pixel-index units
        const r = Math.hypot(st.cx - centre, st.cy - centre);
        expect(r).toBeLessThan(shape === 2 ? 3 : 0.75);
      }
    }
  });

  it('orientation 0 and 2π give the same image; a quarter turn swaps the ellipse axes', () => {
    for (let shape = 0; shape < 3; shape++) expect(render([shape, 3, 39, 10, 20])).toEqual(render([shape, 3, 0, 10, 20]));
    const bbox = (img: Uint8Array): [number, number] => {
      let x0 = S, x1 = -1, y0 = S, y1 = -1;
      for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if (img[y * S + x]) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
      return [x1 - x0 + 1, y1 - y0 + 1];
    };
    const [w, h] = bbox(render([1, 5, 0, 16, 16]));
    expect(w).toBeGreaterThan(1.6 * h); // long axis horizontal
    // linspace(0, 2π, 40)[10] is 92.3°, close to a quarter turn
    const [w2, h2] = bbox(render([1, 5, 10, 16, 16]));
    expect(h2).toBeGreaterThan(1.6 * w2);
  });

  it('draws three different shapes; the heart has its lobes up and its point down', () => {
    const imgs = [0, 1, 2].map((s) => render([s, 5, 0, 0, 16]));
    expect(imgs[0]).not.toEqual(imgs[1]);
    expect(imgs[1]).not.toEqual(imgs[2]);
    expect(imgs[0]).not.toEqual(imgs[2]);
    const heart = stats(imgs[2]);
    expect(heart.cy).toBeLessThan(16 + (32 * 16) / 31 - 0.5 - 1); // mass above the centre
    // a notch at the top middle, a single point at the bottom
    const rowsOn = (y: number): number[] => Array.from({ length: S }, (_, x) => x).filter((x) => imgs[2][y * S + x]);
    let top = 0;
    while (rowsOn(top).length === 0) top++;
    expect(rowsOn(top)).not.toContain(15); // notch between the lobes
    expect(rowsOn(top)).not.toContain(16);
    let bottom = S - 1;
    while (rowsOn(bottom).length === 0) bottom--;
    expect(rowsOn(bottom).length).toBeLessThanOrEqual(2);
    expect(Math.abs(heart.cx - 15.5)).toBeLessThan(1e-9); // left-right symmetric about its centre, x = 16
  });

  it('never clips a sprite at the border (the real set keeps every sprite inside)', () => {
    for (let shape = 0; shape < 3; shape++) {
      for (let o = 0; o < 40; o++) {
        for (const [x, y] of [[0, 0], [31, 31], [0, 31], [31, 0]]) {
          const img = render([shape, 5, o, x, y]);
          let border = 0;
          for (let i = 0; i < S; i++) border += img[i] + img[(S - 1) * S + i] + img[i * S] + img[i * S + S - 1];
          expect(border).toBe(0);
        }
      }
    }
  });

  it('is binary and deterministic, and a Float32Array destination holds the same pixels', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), fc.nat(5), fc.nat(39), fc.nat(31), fc.nat(31)), { minLength: 1, maxLength: 8 }), (rows) => {
        const a = render(...rows);
        const b = render(...rows);
        expect(a).toEqual(b);
        expect(a.every((v) => v === 0 || v === 1)).toBe(true);
        const f = renderDspritesBatch({ data: Int32Array.from(rows.flat()), shape: [rows.length, 5] }, new Float32Array(rows.length * S * S).fill(7));
        expect(f.every((v, i) => v === a[i])).toBe(true);
        // batch rendering equals rendering each row alone
        rows.forEach((r, i) => expect(a.subarray(i * S * S, (i + 1) * S * S)).toEqual(render(r)));
      }),
      { numRuns: 30 },
    );
  });

  it('rejects factors out of range, the wrong width and a wrong destination, naming the argument', () => {
    const bad = (fn: () => unknown, code: string, argument: string): void => {
      try {
        fn();
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(DisentangleError);
        expect((e as DisentangleError).code).toBe(code);
        expect((e as DisentangleError).argument).toBe(argument);
      }
    };
    bad(() => render([3, 0, 0, 0, 0]), 'BAD_INPUT', 'factors');
    bad(() => render([0, 0, 40, 0, 0]), 'BAD_INPUT', 'factors');
    bad(() => render([0, 0, 0, 0, -1]), 'BAD_INPUT', 'factors');
    bad(() => renderDspritesBatch({ data: new Int32Array(4), shape: [1, 4] }), 'SHAPE_MISMATCH', 'factors');
    bad(() => renderDspritesBatch({ data: new Int32Array(5), shape: [2, 5] }), 'SHAPE_MISMATCH', 'factors');
    bad(() => renderDspritesBatch({ data: [0, 0, 0, 0, 0] as unknown as Int32Array, shape: [1, 5] }), 'BAD_INPUT', 'factors');
    bad(() => renderDspritesBatch({ data: new Int32Array(5), shape: [1, 5] }, new Uint8Array(10)), 'SHAPE_MISMATCH', 'out');
    bad(() => dspritesFactorValues({ data: Int32Array.of(0, 6, 0, 0, 0), shape: [1, 5] }), 'BAD_INPUT', 'factors');
  });
});

describe('dspritesFactorValues', () => {
  it('maps indices to the real latent values', () => {
    const v = dspritesFactorValues({ data: Int32Array.of(0, 0, 0, 0, 0, 2, 5, 39, 31, 31, 1, 1, 20, 3, 7), shape: [3, 5] });
    expect(v.shape).toEqual([3, 5]);
    expect(Array.from(v.data.subarray(0, 10))).toEqual([1, 0.5, 0, 0, 0, 3, 1, 2 * Math.PI, 1, 1]);
    expect(v.data[11]).toBeCloseTo(0.6, 15);
    expect(v.data[12]).toBeCloseTo((20 * 2 * Math.PI) / 39, 14);
    expect(v.data[13]).toBeCloseTo(3 / 31, 15);
    expect(v.data[14]).toBeCloseTo(7 / 31, 15);
  });

  it('linspace follows numpy (step·i + start, last value exactly stop)', () => {
    expect(Array.from(linspace(0.5, 1, 6))).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1].map((_, i) => (i === 5 ? 1 : i * 0.1 + 0.5)));
    expect(linspace(0, 1, 1)[0]).toBe(0);
  });
});
