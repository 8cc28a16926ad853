/**
 * disentanglement_lib's three stochastic dSprites variants (Locatello et al. 2019, "Challenging Common
 * Assumptions in the Unsupervised Learning of Disentangled Representations", `data/ground_truth/dsprites.py`:
 * `ColorDSprites`, `NoisyDSprites`, `ScreamDSprites`), composed over the binary sprite masks of the procedural
 * renderer. Pure functions over typed arrays, no tfjs; every random number comes from the `Rng` given, drawn
 * in the reference's order, so a seed fixes the images.
 *
 * - colour: one colour per image, each channel uniform on [0.5, 1); the sprite takes the colour, the background
 *   stays 0 (`observations * color`);
 * - noisy: one uniform [0, 1) number per pixel and channel, in C order; the observation is
 *   `min(mask + noise, 1)` (sprite pixels 1, the background the noise);
 * - scream: per image a 64×64 patch of the background picture at row `randint(0, h − 64)`, column
 *   `randint(0, w − 64)` (upper bounds excluded, as numpy's), then a colour uniform on [0, 1)³; the patch becomes
 *   `(patch + colour) / 2` and the sprite's pixels are inverted (`1 − value`).
 */
import { DisentangleError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { ScreamBackground } from './screamImage.js';

/** The dSprites variants: `'binary'` (the plain 0/1 images, default), and disentanglement_lib's three. */
export type DspritesVariant = 'binary' | 'color' | 'noisy' | 'scream';

/** The variants' names, default first. */
export const DSPRITES_VARIANTS: readonly DspritesVariant[] = Object.freeze(['binary', 'color', 'noisy', 'scream']);

const S = 64;
const PIXELS = S * S;

/** The random numbers a batch of scream images uses: per image the patch corner and a colour. */
export interface ScreamDraws {
  /** First row of each image's patch, in [0, h − 64). */
  rows: Int32Array;
  /** First column of each image's patch, in [0, w − 64). */
  cols: Int32Array;
  /** n×3 colours, uniform on [0, 1). */
  colours: Float64Array;
}

function checkMask(mask: ArrayLike<number>, n: number): void {
  if (mask.length !== n * PIXELS) {
    throw new DisentangleError('SHAPE_MISMATCH', 'mask', `expected ${n * PIXELS} values (n·64·64), got ${mask.length}`);
  }
}

function output(n: number, out: Float32Array | undefined): Float32Array {
  if (out === undefined) return new Float32Array(n * PIXELS * 3);
  if (!(out instanceof Float32Array) || out.length !== n * PIXELS * 3) {
    throw new DisentangleError('SHAPE_MISMATCH', 'out', `expected a Float32Array of ${n * PIXELS * 3} values (n·64·64·3)`);
  }
  return out;
}

/** Colour-dSprites' colours: n×3 numbers `0.5 + 0.5·u`, u uniform on [0, 1), image by image, channel by channel. */
export function drawSpriteColours(n: number, rng: Rng): Float64Array {
  const c = new Float64Array(n * 3);
  for (let i = 0; i < c.length; i++) c[i] = 0.5 + 0.5 * rng.float();
  return c;
}

/** Scream-dSprites' draws for n images on an h×w background: row, column, then three colour numbers per image. */
export function drawScreamDraws(n: number, rng: Rng, height: number, width: number): ScreamDraws {
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  const colours = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    rows[i] = rng.int(height - S);
    cols[i] = rng.int(width - S);
    for (let c = 0; c < 3; c++) colours[i * 3 + c] = rng.float();
  }
  return { rows, cols, colours };
}

/** Colour-dSprites from masks (n·64·64 values of 0/1) and n×3 colours: n·64·64·3 values, channels last. */
export function composeColour(mask: ArrayLike<number>, n: number, colours: Float64Array, out?: Float32Array): Float32Array {
  checkMask(mask, n);
  const dst = output(n, out);
  for (let i = 0; i < n; i++) {
    const r = colours[i * 3];
    const g = colours[i * 3 + 1];
    const b = colours[i * 3 + 2];
    for (let p = i * PIXELS, q = p * 3; p < (i + 1) * PIXELS; p++, q += 3) {
      const on = mask[p] === 1;
      dst[q] = on ? r : 0;
      dst[q + 1] = on ? g : 0;
      dst[q + 2] = on ? b : 0;
    }
  }
  return dst;
}

/**
 * Noisy-dSprites from masks: draws n·64·64·3 uniform numbers from `rng` in C order (image, row, column,
 * channel) and writes `min(mask + u, 1)`: 1 on the sprite, u elsewhere.
 */
export function composeNoisy(mask: ArrayLike<number>, n: number, rng: Rng, out?: Float32Array): Float32Array {
  checkMask(mask, n);
  const dst = output(n, out);
  for (let p = 0, q = 0; p < n * PIXELS; p++) {
    const m = mask[p];
    for (let c = 0; c < 3; c++, q++) dst[q] = Math.min(m + rng.float(), 1);
  }
  return dst;
}

/** Scream-dSprites from masks, a prepared background and the draws of {@link drawScreamDraws}. */
export function composeScream(mask: ArrayLike<number>, n: number, background: ScreamBackground, draws: ScreamDraws, out?: Float32Array): Float32Array {
  checkMask(mask, n);
  const dst = output(n, out);
  const { data, width } = background;
  for (let i = 0; i < n; i++) {
    const r0 = draws.rows[i];
    const c0 = draws.cols[i];
    const colour = draws.colours.subarray(i * 3, i * 3 + 3);
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const p = i * PIXELS + y * S + x;
        const on = mask[p] === 1;
        const src = ((r0 + y) * width + (c0 + x)) * 3;
        for (let c = 0; c < 3; c++) {
          const v = (data[src + c] + colour[c]) / 2;
          dst[p * 3 + c] = on ? 1 - v : v;
        }
      }
    }
  }
  return dst;
}

/**
 * One batch of a variant's observations from binary masks (n·64·64 values of 0/1), drawing from `rng`:
 * n·64·64·3 float32 values in [0, 1], channels last. `'binary'` is not handled here (its image is the mask).
 */
export function composeVariant(variant: Exclude<DspritesVariant, 'binary'>, mask: ArrayLike<number>, n: number, rng: Rng, background?: ScreamBackground, out?: Float32Array): Float32Array {
  if (variant === 'color') return composeColour(mask, n, drawSpriteColours(n, rng), out);
  if (variant === 'noisy') return composeNoisy(mask, n, rng, out);
  if (!background) throw new DisentangleError('BAD_OPTION', 'screamImage', 'variant "scream" needs a background picture');
  return composeScream(mask, n, background, drawScreamDraws(n, rng, background.height, background.width), out);
}
