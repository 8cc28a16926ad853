/**
 * Renders docs/images/dsprites.png: one row per factor traversal of the procedural dSprites (shape: 3 images,
 * scale: 6, orientation, posX, posY: 10 evenly spaced values each), images separated by 1-px grey lines. The other
 * factors are held at a middle value (shape: ellipse, posX / posY: centre), except orientation, held at 0 so that
 * the sprites stand upright, and scale, held at its largest value so that the shapes are easy to tell apart. Run: `npx tsx scripts/make-dsprites-figure.ts [out.png]`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { encode } from 'fast-png';
import { DSPRITES_FACTOR_NAMES, DSPRITES_FACTOR_SIZES, renderDspritesBatch } from '../src/data/dspritesRenderer.js';
import { writeFileAtomic } from '../src/core/files.js';

const S = 64;
const COLS = 10;
const SEPARATOR = 96;
const EMPTY = 32;

/** Up to COLS evenly spaced indices of a factor with `size` values, always including both ends. */
function traversal(size: number): number[] {
  if (size <= COLS) return Array.from({ length: size }, (_, i) => i);
  return Array.from({ length: COLS }, (_, i) => Math.round((i * (size - 1)) / (COLS - 1)));
}

export function dspritesFigure(): { width: number; height: number; data: Uint8Array } {
  const K = DSPRITES_FACTOR_SIZES.length;
  const middle = DSPRITES_FACTOR_SIZES.map((s) => Math.floor((s - 1) / 2));
  middle[1] = DSPRITES_FACTOR_SIZES[1] - 1;
  middle[2] = 0;
  const width = COLS * (S + 1) + 1;
  const height = K * (S + 1) + 1;
  const data = new Uint8Array(width * height).fill(SEPARATOR);
  for (let k = 0; k < K; k++) {
    const values = traversal(DSPRITES_FACTOR_SIZES[k]);
    const factors = new Int32Array(values.length * K);
    values.forEach((v, i) => {
      factors.set(middle, i * K);
      factors[i * K + k] = v;
    });
    const imgs = renderDspritesBatch({ data: factors, shape: [values.length, K] });
    for (let c = 0; c < COLS; c++) {
      const x0 = 1 + c * (S + 1);
      const y0 = 1 + k * (S + 1);
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          data[(y0 + y) * width + x0 + x] = c < values.length ? imgs[c * S * S + y * S + x] * 255 : EMPTY;
        }
      }
    }
  }
  return { width, height, data };
}

const out = process.argv[2] ?? 'docs/images/dsprites.png';
const fig = dspritesFigure();
mkdirSync(dirname(out), { recursive: true });
await writeFileAtomic(out, encode({ width: fig.width, height: fig.height, data: fig.data, channels: 1, depth: 8 }));
console.log(`wrote ${out} (${fig.width}×${fig.height}); rows: ${DSPRITES_FACTOR_NAMES.join(', ')}`);
