/**
 * The dSprites rasterizer: pure functions over typed arrays, no tfjs. Geometry was measured on the real images
 * (the 320 frames of `dsprites.gif` in deepmind/dsprites-dataset) so that the procedural set lines up with the
 * real one pixel for pixel in position and size:
 *
 * - the sprite centre sits at `16 + 32·pos` pixels on both axes (continuous coordinates, pixel i covers [i, i+1)),
 *   so posX = 0..1 moves the centre from 16 to 48 px, 32/31 px per step; posY grows downwards (row index);
 * - at scale 1 the square has a 19.2 px side (20×20 pixels when upright), the ellipse has semi-axes 12.8 × 7.2 px
 *   (long axis horizontal at orientation 0), the heart is 20 px wide and 17 px tall, lobes up; everything scales
 *   with the scale value;
 * - orientation θ turns the sprite counter-clockwise on screen about its centre;
 * - a pixel is on when its centre falls inside the shape, so the output is binary and deterministic.
 * Against the real frames (scale, orientation and position traversals) the mean number of differing pixels per
 * image is 0–0.2 for the square, 1–1.3 for the ellipse and 4–9 for the heart (of 130–370 pixels on).
 */
import { DisentangleError } from '../core/errors.js';
import type { IntMatrix } from '../core/matrix.js';
import { readFactorBatch } from '../core/tensor.js';
import type { FactorBatch } from '../core/types.js';

/** Side of a dSprites image in pixels. */
export const DSPRITES_IMAGE_SIZE = 64;
/** Cardinalities of shape, scale, orientation, posX, posY (the color factor of the file is dropped). */
export const DSPRITES_FACTOR_SIZES: readonly number[] = Object.freeze([3, 6, 40, 32, 32]);
/** Names of the five factors, in column order. */
export const DSPRITES_FACTOR_NAMES: readonly string[] = Object.freeze(['shape', 'scale', 'orientation', 'posX', 'posY']);

const PIXELS = DSPRITES_IMAGE_SIZE * DSPRITES_IMAGE_SIZE;
const POS_OFFSET = 16;
const POS_SPAN = 32;

// Shape geometry in pixels at scale 1 (see the module comment).
// 19.2 px: sampled at pixel centres an upright square covers 20×20 px, and rotated ones keep the real set's
// smaller area (≈ 370 px instead of 400).
const SQUARE_HALF = 9.6;
const ELLIPSE_A = 12.8;
const ELLIPSE_B = 7.2;
// Heart: two lobes (discs) at (±LOBE_X, LOBE_Y) joined to a point below by straight edges tangent to the lobes.
const LOBE_X = 4.7;
const LOBE_Y = -4.0;
const LOBE_R = 5.1;
const EDGE_SLOPE = 1.1;
const APEX_Y = EDGE_SLOPE * LOBE_X + LOBE_Y + LOBE_R * Math.sqrt(1 + EDGE_SLOPE * EDGE_SLOPE);
/** Radius (px at scale 1) of a disc around the centre that holds each shape, for any rotation. */
const BOUNDING_RADIUS = [Math.SQRT2 * SQUARE_HALF, ELLIPSE_A, Math.max(APEX_Y, Math.hypot(LOBE_X, LOBE_Y) + LOBE_R)];

/** numpy's `linspace(start, stop, num)`, including its order of operations (so values match bit for bit). */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

const SCALES = linspace(0.5, 1, 6);
const ORIENTATIONS = linspace(0, 2 * Math.PI, 40);
const POSITIONS = linspace(0, 1, 32);

/** The real latent values of each factor's classes, as in the file's `latents_values` (color dropped). */
export const DSPRITES_FACTOR_VALUES: readonly (readonly number[])[] = Object.freeze(
  [[1, 2, 3], Array.from(SCALES), Array.from(ORIENTATIONS), Array.from(POSITIONS), Array.from(POSITIONS)].map((v) => Object.freeze(v)),
);

function insideSquare(x: number, y: number): boolean {
  return Math.abs(x) < SQUARE_HALF && Math.abs(y) < SQUARE_HALF;
}

function insideEllipse(x: number, y: number): boolean {
  const u = x / ELLIPSE_A;
  const v = y / ELLIPSE_B;
  return u * u + v * v < 1;
}

function insideHeart(x: number, y: number): boolean {
  const ax = Math.abs(x);
  const dx = ax - LOBE_X;
  const dy = y - LOBE_Y;
  if (dx * dx + dy * dy < LOBE_R * LOBE_R) return true;
  // The part below the lobes' centres, bounded by the two tangent edges and the radii to the tangent points.
  return dy >= 0 && EDGE_SLOPE * ax + y < APEX_Y && dx - EDGE_SLOPE * dy <= 0;
}

const INSIDE = [insideSquare, insideEllipse, insideHeart];

/** {@link readFactorBatch} for the five dSprites factors. */
export function readDspritesFactors(factors: IntMatrix | FactorBatch, argument = 'factors'): IntMatrix {
  return readFactorBatch(factors, DSPRITES_FACTOR_SIZES, argument, DSPRITES_FACTOR_NAMES);
}

/**
 * The real latent values of dSprites factor indices: shape 1..3, scale linspace(0.5, 1, 6), orientation
 * linspace(0, 2π, 40), posX / posY linspace(0, 1, 32) — the `latents_values` columns 1..5 of the real file.
 *
 * @example
 * dspritesFactorValues({ data: Int32Array.of(2, 5, 0, 31, 0), shape: [1, 5] }).data; // [3, 1, 0, 1, 0]
 */
export function dspritesFactorValues(factors: IntMatrix | FactorBatch): { data: Float64Array; shape: [number, number] } {
  const f = readDspritesFactors(factors);
  const out = new Float64Array(f.rows * 5);
  for (let i = 0, p = 0; i < f.rows; i++, p += 5) {
    out[p] = f.data[p] + 1;
    out[p + 1] = SCALES[f.data[p + 1]];
    out[p + 2] = ORIENTATIONS[f.data[p + 2]];
    out[p + 3] = POSITIONS[f.data[p + 3]];
    out[p + 4] = POSITIONS[f.data[p + 4]];
  }
  return { data: out, shape: [f.rows, 5] };
}

function renderOne(out: Uint8Array | Float32Array, offset: number, shape: number, scale: number, theta: number, cx: number, cy: number): void {
  const inside = INSIDE[shape];
  const c = Math.cos(theta) / scale;
  const s = Math.sin(theta) / scale;
  const reach = BOUNDING_RADIUS[shape] * scale + 1;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(DSPRITES_IMAGE_SIZE - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(DSPRITES_IMAGE_SIZE - 1, Math.ceil(cy + reach));
  for (let py = y0; py <= y1; py++) {
    const dy = py + 0.5 - cy;
    const row = offset + py * DSPRITES_IMAGE_SIZE;
    for (let px = x0; px <= x1; px++) {
      const dx = px + 0.5 - cx;
      // Back to sprite coordinates: undo the on-screen counter-clockwise turn (y points down) and the scale.
      if (inside(c * dx - s * dy, s * dx + c * dy)) out[row + px] = 1;
    }
  }
}

/**
 * Renders dSprites images for a block of factor indices (n×5: shape, scale, orientation, posX, posY) into
 * `out` (n·64·64 values, row-major images, 0 or 1), without tfjs. Deterministic; no allocation when `out` is given.
 *
 * @param factors factor indices, as `{ data: Int32Array, shape: [n, 5] }` (or the internal `{data, rows, cols}`).
 * @param out optional destination, Uint8Array (default) or Float32Array, length n·4096; it is overwritten.
 * @example
 * const img = renderDspritesBatch({ data: Int32Array.of(2, 5, 0, 16, 16), shape: [1, 5] }); // one heart, 4096 bytes
 */
export function renderDspritesBatch<T extends Uint8Array | Float32Array = Uint8Array>(factors: IntMatrix | FactorBatch, out?: T): T {
  const f = readDspritesFactors(factors);
  const size = f.rows * PIXELS;
  let dst: Uint8Array | Float32Array;
  if (out === undefined) dst = new Uint8Array(size);
  else {
    if (!(out instanceof Uint8Array || out instanceof Float32Array) || out.length !== size) {
      throw new DisentangleError('SHAPE_MISMATCH', 'out', `expected a Uint8Array or Float32Array of ${size} values (n·64·64), got length ${(out as { length?: number })?.length}`);
    }
    dst = out;
    dst.fill(0);
  }
  for (let i = 0, p = 0; i < f.rows; i++, p += 5) {
    const d = f.data;
    renderOne(dst, i * PIXELS, d[p], SCALES[d[p + 1]], ORIENTATIONS[d[p + 2]], POS_OFFSET + POS_SPAN * POSITIONS[d[p + 3]], POS_OFFSET + POS_SPAN * POSITIONS[d[p + 4]]);
  }
  return dst as T;
}
