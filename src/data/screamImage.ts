/**
 * The background picture of Scream-dSprites (Locatello et al. 2019, disentanglement_lib's `ScreamDSprites`): read
 * from what the user holds (nothing is downloaded), shrunk to fit 350×274 as the reference's `thumbnail` does,
 * and scaled to [0, 1].
 */
import { decode as decodePng, convertIndexedToRgb } from 'fast-png';
import { DisentangleError } from '../core/errors.js';
import { isTfTensor, readBlockSync } from '../core/tensor.js';
import type { TensorLike } from '../core/types.js';
import { resizeBicubicRgb8 } from './resize.js';

/**
 * A background picture for `dsprites({ variant: 'scream' })`: PNG file bytes, or decoded pixels h×w×3 (or h×w×4,
 * alpha ignored, as a canvas `ImageData` gives them). Pixels held in a `Uint8Array` / `Uint8ClampedArray` (or an
 * int32 tensor) are read as 0..255; any other numbers (Float32Array, number[], float tensors) as [0, 1] and
 * rounded to 8 bits, since the reference works on an 8-bit picture. The reference used Munch's *The Scream*
 * (`The_Scream.jpg` from Wikimedia Commons); JPEG bytes must be decoded first.
 */
export type ScreamImage = Uint8Array | ArrayBuffer | TensorLike;

/** A prepared background: `data[(row·width + col)·3 + channel]` = pixel / 255. */
export interface ScreamBackground {
  readonly data: Float64Array;
  readonly height: number;
  readonly width: number;
}

/** The largest size the reference's `thumbnail((350, 274, 3))` shrinks the picture to (width, height). */
export const SCREAM_MAX_WIDTH = 350;
export const SCREAM_MAX_HEIGHT = 274;
const PATCH = 64;

function bad(message: string): never {
  throw new DisentangleError('BAD_OPTION', 'screamImage', message);
}

/**
 * The size Pillow ≤ 6's `Image.thumbnail((350, 274))` gives a width×height picture: keep the aspect ratio, first
 * fit the width, then the height, truncating to integers; never enlarge. (Pillow ≥ 7 raises on the reference's
 * 3-element size, so Pillow 6's rule is the one its results were made with.)
 *
 * @example
 * screamThumbnailSize(1000, 1234); // [222, 274]
 */
export function screamThumbnailSize(width: number, height: number): [number, number] {
  let x = width;
  let y = height;
  if (x > SCREAM_MAX_WIDTH) {
    y = Math.trunc(Math.max((y * SCREAM_MAX_WIDTH) / x, 1));
    x = SCREAM_MAX_WIDTH;
  }
  if (y > SCREAM_MAX_HEIGHT) {
    x = Math.trunc(Math.max((x * SCREAM_MAX_HEIGHT) / y, 1));
    y = SCREAM_MAX_HEIGHT;
  }
  return [x, y];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function decodePngPixels(bytes: Uint8Array): { rgb: Uint8Array; height: number; width: number } {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    const jpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    bad(
      jpeg
        ? 'JPEG bytes cannot be decoded here; decode the picture first (a canvas in the browser, or your image library) and pass { data: Uint8Array, shape: [h, w, 3] }'
        : 'expected PNG file bytes (no PNG signature) or decoded pixels { data, shape: [h, w, 3] }',
    );
  }
  let png;
  try {
    png = decodePng(bytes);
  } catch (e) {
    return bad(`the PNG could not be decoded (${(e as Error)?.message ?? String(e)})`);
  }
  const { width, height } = png;
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const ch = rgb.length / (width * height);
    return { rgb: keepRgb(rgb, width * height, ch), height, width };
  }
  if (png.depth !== 8) bad(`the PNG has ${png.depth}-bit samples; save it with 8 bits per channel`);
  if (png.channels !== 3 && png.channels !== 4) bad(`the PNG has ${png.channels} channel(s); the reference works on an RGB picture`);
  return { rgb: keepRgb(png.data as Uint8Array, width * height, png.channels), height, width };
}

function keepRgb(src: ArrayLike<number>, pixels: number, channels: number): Uint8Array {
  if (channels === 3 && src instanceof Uint8Array) return src;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    out[p * 3] = src[p * channels];
    out[p * 3 + 1] = src[p * channels + 1];
    out[p * 3 + 2] = src[p * channels + 2];
  }
  return out;
}

function readPixels(input: TensorLike): { rgb: Uint8Array; height: number; width: number } {
  let block;
  try {
    block = readBlockSync(input, 'screamImage', 'dsprites');
  } catch (e) {
    return bad(e instanceof DisentangleError ? e.message.replace(/^screamImage: /, '') : String(e));
  }
  const { data, shape } = block;
  if (shape.length !== 3 || (shape[2] !== 3 && shape[2] !== 4)) {
    bad(`expected pixels of shape [height, width, 3] (RGB) or [height, width, 4] (RGBA), got [${shape.join(', ')}]`);
  }
  const [height, width, channels] = shape;
  const dtype = isTfTensor(input) ? input.dtype : undefined;
  const bytes = data instanceof Uint8Array || data instanceof Uint8ClampedArray || dtype === 'int32';
  const out = new Uint8Array(height * width * 3);
  for (let p = 0, q = 0; p < height * width; p++) {
    for (let c = 0; c < 3; c++, q++) {
      const v = data[p * channels + c];
      if (bytes) {
        if (!(Number.isInteger(v) && v >= 0 && v <= 255)) bad(`pixel ${p} channel ${c} is ${v}; integer pixels must lie in 0..255`);
        out[q] = v;
      } else {
        if (!(v >= 0 && v <= 1)) bad(`pixel ${p} channel ${c} is ${v}; float pixels must lie in [0, 1] (pass a Uint8Array for 0..255)`);
        out[q] = Math.round(v * 255);
      }
    }
  }
  return { rgb: out, height, width };
}

/**
 * Reads a {@link ScreamImage}, shrinks it as the reference does (Pillow 6 `thumbnail((350, 274))`: the size
 * rule of {@link screamThumbnailSize}, then Pillow's bicubic resampling on 8-bit pixels) and divides by 255.
 * A picture already within 350×274 is kept as it is. The result must leave room for a 64×64 patch with at
 * least two positions per axis (at least 65×65), since the reference draws the patch corner with
 * `randint(0, size − 64)`. Anything else is a `BAD_OPTION` naming `screamImage`.
 *
 * @example
 * const bg = prepareScreamImage({ data: new Uint8Array(300 * 200 * 3), shape: [300, 200, 3] });
 * [bg.height, bg.width]; // [274, 182]
 */
export function prepareScreamImage(input: ScreamImage): ScreamBackground {
  if (input == null) bad('variant "scream" needs a background picture: PNG bytes or pixels { data, shape: [h, w, 3] }');
  const decoded =
    input instanceof ArrayBuffer
      ? decodePngPixels(new Uint8Array(input))
      : input instanceof Uint8Array
        ? decodePngPixels(input)
        : readPixels(input as TensorLike);
  let { rgb } = decoded;
  const [width, height] = screamThumbnailSize(decoded.width, decoded.height);
  if (height <= PATCH || width <= PATCH) {
    bad(`the picture is ${height}×${width} (height×width) after fitting it into 350×274; a 64×64 patch needs at least 65×65`);
  }
  if (width !== decoded.width || height !== decoded.height) {
    rgb = resizeBicubicRgb8(rgb, decoded.height, decoded.width, height, width);
  }
  const data = new Float64Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) data[i] = rgb[i] / 255;
  return { data, height, width };
}
