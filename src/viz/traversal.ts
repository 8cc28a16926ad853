import { encode as encodePng } from 'fast-png';
// @ts-ignore -- gifenc ships no type declarations; GifEncoder below types the part used here.
import * as gifencModule from 'gifenc';
import { DisentangleError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { disposeIfTensor, readBlock } from '../core/tensor.js';
import type { GenerativeModel, TensorLike } from '../core/types.js';
import { intOption, checkOptions } from '../core/validate.js';
import { ensureBackend } from '../core/backend.js';

interface GifEncoder {
  writeFrame(index: Uint8Array, width: number, height: number, opts: { palette?: number[][]; delay?: number; repeat?: number }): void;
  finish(): void;
  bytes(): Uint8Array;
}
type GifEncoderFactory = () => GifEncoder;

/** gifenc's ESM build has a named GIFEncoder; through CJS interop it may arrive as `default` or `default.GIFEncoder`. */
function gifEncoderFactory(): GifEncoderFactory {
  const ns = gifencModule as unknown as { GIFEncoder?: unknown; default?: unknown };
  const d = ns.default as { GIFEncoder?: unknown } | undefined;
  const f = [ns.GIFEncoder, d?.GIFEncoder, ns.default].find((x) => typeof x === 'function');
  if (!f) throw new DisentangleError('UNSUPPORTED', 'gifenc', 'the gifenc package did not load');
  return f as GifEncoderFactory;
}

/** Options of {@link latentTraversal} and {@link latentTraversalGif}. */
export interface TraversalOptions {
  /** Latent dims to sweep, one picture row each. Default: every code dim (`model.codeDims ?? latentDims`). */
  rows?: readonly number[];
  /** Values per sweep (columns of the PNG, frames of the GIF), 2 to 256; rows × steps at most 4096. Default 10. */
  steps?: number;
  /**
   * Swept interval. Default: [−1, 1] when the prior's draws stay inside it (InfoGAN-CR's uniform prior), else
   * [−2, 2] (a Gaussian prior such as FactorVAE's).
   */
  range?: readonly [number, number];
  /** Seed of the base latent whose other dims stay fixed. Default 0. */
  seed?: number;
  /** Pixels between cells, 0 to 64. Default 2. */
  cellPadding?: number;
  /** Nearest-neighbour upscaling of each cell, 1 to 16. Default 1. */
  scale?: number;
  /** GIF only: milliseconds per frame. Default 120. */
  frameDelay?: number;
}

type Grid = { pixels: Uint8Array; width: number; height: number; channels: number };

/** The option names of {@link TraversalOptions}, for `checkOptions` (the `satisfies` keeps list and interface equal). */
const OPTION_NAMES = Object.keys({
  rows: 0,
  steps: 0,
  range: 0,
  seed: 0,
  cellPadding: 0,
  scale: 0,
  frameDelay: 0,
} satisfies Record<keyof TraversalOptions, 0>);

interface Sweep {
  /** images[r][s]: the image of row r at step s, as 0–255 bytes h·w·c. */
  images: Uint8Array[][];
  h: number;
  w: number;
  c: number;
}

/** Most values per sweep, and most images one traversal generates (each is held as bytes until the picture is drawn). */
const MAX_STEPS = 256;
const MAX_TRAVERSAL_IMAGES = 4096;
/** Most bytes of one drawn picture (a PNG or one GIF frame) before encoding. */
const MAX_PICTURE_BYTES = 2 ** 28;

/** The layout options, checked before the model runs. */
function layoutOptions(options: TraversalOptions): { pad: number; scale: number } {
  return { pad: intOption(options.cellPadding, 'cellPadding', 2, 0, 64), scale: intOption(options.scale, 'scale', 1, 1, 16) };
}

async function sweep<Obs extends TensorLike>(model: GenerativeModel<Obs>, options: TraversalOptions, fn: string): Promise<Sweep> {
  if (!model || typeof model.generate !== 'function' || typeof model.sampleLatents !== 'function') {
    throw new DisentangleError('BAD_INPUT', 'model', `${fn} needs a GenerativeModel (sampleLatents, generate)`);
  }
  const L = intOption(model.latentDims, 'model.latentDims', 1);
  const rows = [...(options.rows ?? Array.from({ length: model.codeDims ?? L }, (_, i) => i))];
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= L) throw new DisentangleError('BAD_OPTION', 'rows', `latent dim ${r} is outside [0, ${L})`);
  }
  if (rows.length === 0) throw new DisentangleError('EMPTY', 'rows', 'nothing to traverse');
  const steps = intOption(options.steps, 'steps', 10, 2, MAX_STEPS);
  if (rows.length * steps > MAX_TRAVERSAL_IMAGES) {
    throw new DisentangleError('BAD_OPTION', 'steps', `${rows.length} rows × ${steps} steps = ${rows.length * steps} images, more than the ${MAX_TRAVERSAL_IMAGES} a traversal draws`);
  }
  const rng = createRng(options.seed ?? 0);
  const range = options.range ?? (await defaultRange(model, rng));
  if (!(range[0] < range[1])) throw new DisentangleError('BAD_OPTION', 'range', `expected lo < hi, got [${range}]`);
  const base = await readBlock(await model.sampleLatents(1, rng), 'sampleLatents', fn);
  const n = rows.length * steps;
  const z = new Float32Array(n * L);
  rows.forEach((dim, r) => {
    for (let s = 0; s < steps; s++) {
      const p = (r * steps + s) * L;
      for (let j = 0; j < L; j++) z[p + j] = base.data[j];
      z[p + dim] = range[0] + ((range[1] - range[0]) * s) / (steps - 1);
    }
  });
  const out = await model.generate({ data: z, shape: [n, L] });
  const block = await readBlock(out, 'generate', fn);
  disposeIfTensor(out);
  const shape = block.shape;
  if (shape.length < 3 || shape[0] !== n) {
    throw new DisentangleError('CALLBACK_RESULT', 'model.generate', `expected ${n} images [n, h, w(, c)], got shape [${shape}]`);
  }
  const [h, w, c] = [shape[1], shape[2], shape[3] ?? 1];
  if (c !== 1 && c !== 3) throw new DisentangleError('UNSUPPORTED', 'model.generate', `images with ${c} channels (1 or 3 supported)`);
  const per = h * w * c;
  const images = rows.map((_, r) =>
    Array.from({ length: steps }, (_, s) => {
      const bytes = new Uint8Array(per);
      const off = (r * steps + s) * per;
      for (let i = 0; i < per; i++) bytes[i] = Math.round(255 * Math.min(1, Math.max(0, Number(block.data[off + i]))));
      return bytes;
    }),
  );
  return { images, h, w, c };
}

async function defaultRange<Obs extends TensorLike>(model: GenerativeModel<Obs>, rng: ReturnType<typeof createRng>): Promise<[number, number]> {
  const probe = await readBlock(await model.sampleLatents(256, rng.fork()), 'sampleLatents', 'latentTraversal');
  let max = 0;
  for (let i = 0; i < probe.data.length; i++) max = Math.max(max, Math.abs(Number(probe.data[i])));
  return max <= 1 ? [-1, 1] : [-2, 2];
}

/** Lays cells out row by row; the gaps are white so the cells' black backgrounds stay apart. */
function layout(cells: Uint8Array[][], sw: Sweep, pad: number, scale: number): Grid {
  const ch = sw.h * scale;
  const cw = sw.w * scale;
  const rowsN = cells.length;
  const colsN = cells[0].length;
  const width = colsN * cw + (colsN + 1) * pad;
  const height = rowsN * ch + (rowsN + 1) * pad;
  if (width * height * sw.c > MAX_PICTURE_BYTES) {
    throw new DisentangleError('BAD_OPTION', 'scale', `a ${width}×${height} picture is more than ${MAX_PICTURE_BYTES} bytes; use fewer rows or steps, or a smaller scale`);
  }
  const pixels = new Uint8Array(width * height * sw.c).fill(255);
  cells.forEach((row, r) =>
    row.forEach((img, s) => {
      const y0 = pad + r * (ch + pad);
      const x0 = pad + s * (cw + pad);
      for (let y = 0; y < ch; y++) {
        for (let x = 0; x < cw; x++) {
          const src = ((Math.floor(y / scale) * sw.w + Math.floor(x / scale)) * sw.c) | 0;
          const dst = ((y0 + y) * width + x0 + x) * sw.c;
          for (let k = 0; k < sw.c; k++) pixels[dst + k] = img[src + k];
        }
      }
    }),
  );
  return { pixels, width, height, channels: sw.c };
}

/**
 * A latent traversal picture: one row per swept latent dim, `steps` columns from `range[0]` to `range[1]`, every
 * other latent held at one draw from the prior (seeded). Returns PNG bytes (fast-png), grayscale or RGB.
 *
 * @example
 * const png = await latentTraversal(model.asGenerativeModel(), { steps: 10, seed: 0 });
 * await fs.writeFile('traversal.png', png);
 */
export async function latentTraversal<Obs extends TensorLike>(model: GenerativeModel<Obs>, options: TraversalOptions = {}): Promise<Uint8Array> {
  checkOptions(options, 'latentTraversal', OPTION_NAMES);
  await ensureBackend();
  const { pad, scale } = layoutOptions(options);
  const sw = await sweep(model, options, 'latentTraversal');
  const g = layout(sw.images, sw, pad, scale);
  return encodePng({ width: g.width, height: g.height, data: g.pixels, channels: g.channels, depth: 8 });
}

/**
 * The same sweep as an animated GIF (gifenc): frame s shows every swept dim (left to right) at its s-th value,
 * going forth and back so the loop is smooth.
 *
 * @example
 * const gif = await latentTraversalGif(vae.asGenerativeModel(), { rows: [0, 1, 2], steps: 16 });
 */
export async function latentTraversalGif<Obs extends TensorLike>(model: GenerativeModel<Obs>, options: TraversalOptions = {}): Promise<Uint8Array> {
  checkOptions(options, 'latentTraversalGif', OPTION_NAMES);
  await ensureBackend();
  const { pad, scale } = layoutOptions(options);
  const delay = intOption(options.frameDelay, 'frameDelay', 120, 1, 60_000);
  const sw = await sweep(model, options, 'latentTraversalGif');
  const steps = sw.images[0].length;
  const order = [...Array.from({ length: steps }, (_, s) => s), ...Array.from({ length: steps - 2 }, (_, i) => steps - 2 - i)];
  const gif = gifEncoderFactory()();
  // A fixed palette: 256 grays, or a 6×7×6 colour cube for RGB (frames stay comparable, no per-frame quantizing).
  const palette = sw.c === 1 ? Array.from({ length: 256 }, (_, v) => [v, v, v]) : colourCube();
  for (const s of order) {
    const g = layout([sw.images.map((row) => row[s])], sw, pad, scale);
    const index = new Uint8Array(g.width * g.height);
    for (let i = 0; i < index.length; i++) {
      index[i] = sw.c === 1 ? g.pixels[i] : cubeIndex(g.pixels[3 * i], g.pixels[3 * i + 1], g.pixels[3 * i + 2]);
    }
    gif.writeFrame(index, g.width, g.height, { palette, delay, repeat: 0 });
  }
  gif.finish();
  return gif.bytes();
}

function colourCube(): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < 6; r++) for (let g = 0; g < 7; g++) for (let b = 0; b < 6; b++) out.push([r * 51, Math.round((g * 255) / 6), b * 51]);
  return out;
}

function cubeIndex(r: number, g: number, b: number): number {
  return Math.round(r / 51) * 42 + Math.round((g * 6) / 255) * 6 + Math.round(b / 51);
}
