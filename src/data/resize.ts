/**
 * Pillow's image resize, bit for bit: the separable convolution of `Image.resize(size, Image.LANCZOS)` (alias
 * `ANTIALIAS`) in Pillow's `libImaging/Resample.c`, so that images the reference loaders shrank with PIL can be
 * reproduced without Python.
 *
 * How Pillow resizes (one axis at a time, horizontal pass first, then vertical):
 * - scale = inSize / outSize; the filter is stretched by max(1, scale), so its support is 3·max(1, scale) for
 *   Lanczos-3; output pixel i is centred at (i + 0.5)·scale in input coordinates and takes input pixels
 *   x ∈ [⌊centre − support + 0.5⌋, ⌊centre + support + 0.5⌋) clipped to the image, weighted by
 *   L((x − centre + 0.5) / max(1, scale)) with L(t) = sinc(t)·sinc(t / 3) on [−3, 3), normalised to sum to 1;
 * - 8-bit images ('L', 'RGB'): weights become fixed-point integers with 22 fraction bits (rounded half away from
 *   zero), the sum starts at 2^21 (rounding), and each pass clamps its result to 0…255 (the horizontal pass's
 *   clamped 8-bit result is what the vertical pass reads);
 * - 32-bit integer images ('I', what `Image.fromarray` makes of an int8 array): double weights, each pass rounds
 *   half away from zero and nothing is clamped, so Lanczos' overshoot survives (values below 0 or above 255).
 */
import { DisentangleError } from '../core/errors.js';

/** Which of Pillow's integer code paths to follow: `'uint8'` (modes L / RGB, clamped) or `'int32'` (mode I). */
export type PilResizeMode = 'uint8' | 'int32';

const PRECISION_BITS = 32 - 8 - 2;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

function lanczos(x: number): number {
  return -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

/** Pillow's bicubic kernel (a = −0.5), support 2. */
function bicubic(x: number): number {
  const a = -0.5;
  const t = x < 0 ? -x : x;
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** The resampling filters implemented: Pillow's `LANCZOS` (= `ANTIALIAS`) and `BICUBIC`. */
export type PilFilter = 'lanczos' | 'bicubic';

const FILTERS: Record<PilFilter, { fn: (x: number) => number; support: number }> = {
  lanczos: { fn: lanczos, support: 3 },
  bicubic: { fn: bicubic, support: 2 },
};

/** One axis' weights: per output pixel the first input index, the tap count and `ksize` weights. */
export interface ResampleCoefficients {
  ksize: number;
  bounds: Int32Array;
  weights: Float64Array;
}

/**
 * Pillow's `precompute_coeffs` for one axis: output pixels over the input span [in0, in1) (Pillow's `box`, held
 * as float32 there; default the whole axis).
 */
export function resampleCoefficients(inSize: number, outSize: number, filter: PilFilter = 'lanczos', in0 = 0, in1 = inSize): ResampleCoefficients {
  const f0 = Math.fround(in0);
  const scale = Math.fround(Math.fround(in1) - f0) / outSize;
  const filterScale = Math.max(1, scale);
  const { fn, support: base } = FILTERS[filter];
  const support = base * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Float64Array(outSize * ksize);
  const ss = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = f0 + (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const w = fn((x + xmin - center + 0.5) * ss);
      weights[base + x] = w;
      ww += w;
    }
    // Remaining weights stay 0 when xmax < ksize.
    if (ww !== 0) for (let x = 0; x < xmax; x++) weights[base + x] /= ww;
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

/** {@link resampleCoefficients} for Lanczos-3 over the whole axis. */
export function lanczosCoefficients(inSize: number, outSize: number): ResampleCoefficients {
  return resampleCoefficients(inSize, outSize, 'lanczos');
}

/** Pillow's `normalize_coeffs_8bpc`: weights as 22-bit fixed point, rounded half away from zero. */
function fixedPoint(c: ResampleCoefficients): Int32Array {
  const out = new Int32Array(c.weights.length);
  const one = 1 << PRECISION_BITS;
  for (let i = 0; i < out.length; i++) {
    const w = c.weights[i];
    out[i] = w < 0 ? Math.trunc(-0.5 + w * one) : Math.trunc(0.5 + w * one);
  }
  return out;
}

/** Pillow's ROUND_UP: half away from zero, then C's truncating (int) cast. */
const roundUp = (f: number): number => Math.trunc(f >= 0 ? f + 0.5 : f - 0.5);

/** `clip8`: the fixed-point sum shifted down and clamped to 0…255. */
function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * A reusable resizer for one input and output size: resize many images of the same shape without recomputing
 * the filter. `resize(src, dst)` reads an h×w×c image (row-major, channels last) from `src` and writes the
 * outH×outW×c result into `dst`.
 */
export interface PilResizer {
  readonly inShape: readonly [number, number, number];
  readonly outShape: readonly [number, number, number];
  resize(src: ArrayLike<number>, dst: { [i: number]: number; length: number }, srcOffset?: number, dstOffset?: number): void;
}

/** Options of {@link pilResizer}. */
export interface PilResizerOptions {
  /** `'uint8'` (default; Pillow modes L / RGB, each pass clamped) or `'int32'` (mode I, unclamped). */
  mode?: PilResizeMode;
  /** Default `'lanczos'` (Pillow's `LANCZOS`, alias `ANTIALIAS`). */
  filter?: PilFilter;
  /** Pillow's `box` argument `[x0, y0, x1, y1]`: the input region to resize (default the whole image). */
  box?: readonly [number, number, number, number];
}

/**
 * Builds a {@link PilResizer} equal to Pillow 9.4's `Image.resize((outW, outH), filter, box)` on an image of
 * `channels` 8-bit bands ('L' for 1, 'RGB' for 3) in `mode: 'uint8'` (the default), or on a 32-bit integer image
 * (mode 'I', one band) in `mode: 'int32'` — what disentanglement_lib's SmallNORB loader gets by passing an int8
 * array to `Image.fromarray` (the bytes read back unsigned, results not clamped to 0…255).
 *
 * @example
 * const r = pilResizer(96, 96, 1, 64, 64);
 * const small = new Uint8Array(64 * 64);
 * r.resize(norbImage, small); // equals np.asarray(Image.fromarray(norbImage).resize((64, 64), Image.LANCZOS))
 */
export function pilResizer(inH: number, inW: number, channels: number, outH: number, outW: number, options: PilResizerOptions = {}): PilResizer {
  const mode = options.mode ?? 'uint8';
  const filter = options.filter ?? 'lanczos';
  for (const [name, v] of [['inH', inH], ['inW', inW], ['channels', channels], ['outH', outH], ['outW', outW]] as const) {
    if (!Number.isSafeInteger(v) || v < 1 || v > 1 << 16) throw new DisentangleError('BAD_OPTION', name, `expected an integer in 1…65536, got ${String(v)}`);
  }
  if (mode !== 'uint8' && mode !== 'int32') throw new DisentangleError('BAD_OPTION', 'mode', `expected 'uint8' or 'int32', got ${String(mode)}`);
  if (!(filter in FILTERS)) throw new DisentangleError('BAD_OPTION', 'filter', `expected 'lanczos' or 'bicubic', got ${String(filter)}`);
  if (mode === 'int32' && channels !== 1) throw new DisentangleError('BAD_OPTION', 'channels', "mode 'int32' (Pillow's mode I) has one band");
  const box = options.box ?? [0, 0, inW, inH];
  if (box.length !== 4 || !box.every(Number.isFinite) || box[0] < 0 || box[1] < 0 || box[2] > inW || box[3] > inH || box[2] <= box[0] || box[3] <= box[1]) {
    throw new DisentangleError('BAD_OPTION', 'box', `expected [x0, y0, x1, y1] inside the ${inW}×${inH} image, got [${String(box)}]`);
  }
  const c = channels;
  // Pillow's own test (it compares box[2] with the output width).
  const needH = outW !== inW || box[0] !== 0 || box[2] !== outW;
  const needV = outH !== inH || box[1] !== 0 || box[3] !== outH;
  const vert = resampleCoefficients(inH, outH, filter, box[1], box[3]);
  const horiz = resampleCoefficients(inW, outW, filter, box[0], box[2]);
  // Rows of the input the vertical pass reads (Pillow only resamples those horizontally).
  const yFirst = vert.bounds[0];
  const yLast = vert.bounds[(outH - 1) * 2] + vert.bounds[(outH - 1) * 2 + 1];
  const midRows = needH ? yLast - yFirst : inH;
  const midW = needH ? outW : inW;
  const p: Plan = { c, inW, outW, outH, midRows, midW, yFirst, hb: horiz.bounds, hks: horiz.ksize, vb: vert.bounds, vks: vert.ksize };
  const n = inH * inW * c;
  const m = outH * outW * c;
  const u8 = mode === 'uint8';
  const hk8 = fixedPoint(horiz);
  const vk8 = fixedPoint(vert);
  const in8 = new Uint8Array(n);
  const mid8 = new Uint8Array(midRows * midW * c);
  const out8 = new Uint8Array(m);
  const inF = u8 ? new Float64Array(0) : new Float64Array(n);
  const midF = u8 ? new Float64Array(0) : new Float64Array(midRows * midW);
  const outF = u8 ? new Float64Array(0) : new Float64Array(m);

  return {
    inShape: [inH, inW, c],
    outShape: [outH, outW, c],
    resize(src, dst, srcOffset = 0, dstOffset = 0): void {
      if (srcOffset + n > src.length) throw new DisentangleError('SHAPE_MISMATCH', 'src', `expected ${n} values from offset ${srcOffset}, got ${src.length}`);
      if (dstOffset + m > dst.length) throw new DisentangleError('SHAPE_MISMATCH', 'dst', `expected room for ${m} values from offset ${dstOffset}`);
      // Monomorphic typed copies keep the kernels fast whatever array types the caller passes.
      let out: Uint8Array | Float64Array;
      if (u8) {
        const inp = src instanceof Uint8Array ? src.subarray(srcOffset, srcOffset + n) : copyInto(in8, src, srcOffset);
        if (needH) h8(inp, p, hk8, mid8);
        if (needV) v8(needH ? mid8 : inp, needH ? yFirst : 0, p, vk8, out8);
        out = needV ? out8 : needH ? mid8 : inp;
      } else {
        const inp = copyInto(inF, src, srcOffset);
        if (needH) h32(inp, p, horiz.weights, midF);
        if (needV) v32(needH ? midF : inp, needH ? yFirst : 0, p, vert.weights, outF);
        out = needV ? outF : needH ? midF : inp;
      }
      if (dst instanceof Uint8Array || dst instanceof Int16Array || dst instanceof Int32Array || dst instanceof Float32Array || dst instanceof Float64Array) dst.set(out.subarray(0, m), dstOffset);
      else for (let i = 0; i < m; i++) dst[dstOffset + i] = out[i];
    },
  };
}

/** Sizes and bounds the pass kernels share. */
interface Plan {
  c: number;
  inW: number;
  outW: number;
  outH: number;
  midRows: number;
  midW: number;
  yFirst: number;
  hb: Int32Array;
  hks: number;
  vb: Int32Array;
  vks: number;
}

function copyInto<T extends Uint8Array | Float64Array>(buf: T, src: ArrayLike<number>, off: number): T {
  for (let i = 0; i < buf.length; i++) buf[i] = src[off + i];
  return buf;
}

const HALF = 1 << (PRECISION_BITS - 1);

function h8(src: Uint8Array, p: Plan, k: Int32Array, mid: Uint8Array): void {
  const { c, inW, outW, midRows, yFirst, hb, hks } = p;
  for (let y = 0; y < midRows; y++) {
    const row = (y + yFirst) * inW * c;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = hb[xx * 2];
      const xmax = hb[xx * 2 + 1];
      const kb = xx * hks;
      for (let b = 0; b < c; b++) {
        let s = HALF;
        for (let x = 0, q = row + xmin * c + b; x < xmax; x++, q += c) s += src[q] * k[kb + x];
        mid[(y * outW + xx) * c + b] = clip8(s);
      }
    }
  }
}

function v8(src: Uint8Array, rowShift: number, p: Plan, k: Int32Array, out: Uint8Array): void {
  const { c, outH, midW, vb, vks } = p;
  const stride = midW * c;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = vb[yy * 2] - rowShift;
    const ymax = vb[yy * 2 + 1];
    const kb = yy * vks;
    for (let xx = 0; xx < stride; xx++) {
      let s = HALF;
      for (let y = 0, q = ymin * stride + xx; y < ymax; y++, q += stride) s += src[q] * k[kb + y];
      out[yy * stride + xx] = clip8(s);
    }
  }
}

function h32(src: Float64Array, p: Plan, k: Float64Array, mid: Float64Array): void {
  const { inW, outW, midRows, yFirst, hb, hks } = p;
  for (let y = 0; y < midRows; y++) {
    const row = (y + yFirst) * inW;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = hb[xx * 2];
      const xmax = hb[xx * 2 + 1];
      const kb = xx * hks;
      let s = 0;
      for (let x = 0; x < xmax; x++) s += src[row + x + xmin] * k[kb + x];
      mid[y * outW + xx] = roundUp(s);
    }
  }
}

function v32(src: Float64Array, rowShift: number, p: Plan, k: Float64Array, out: Float64Array): void {
  const { outH, midW, vb, vks } = p;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = vb[yy * 2] - rowShift;
    const ymax = vb[yy * 2 + 1];
    const kb = yy * vks;
    for (let xx = 0; xx < midW; xx++) {
      let s = 0;
      for (let y = 0; y < ymax; y++) s += src[(y + ymin) * midW + xx] * k[kb + y];
      out[yy * midW + xx] = roundUp(s);
    }
  }
}

/** {@link pilResizer} with Pillow's `LANCZOS` filter (`Image.ANTIALIAS` before Pillow 10). */
export function pilLanczosResizer(inH: number, inW: number, channels: number, outH: number, outW: number, mode: PilResizeMode = 'uint8'): PilResizer {
  return pilResizer(inH, inW, channels, outH, outW, { mode });
}

/**
 * An 8-bit RGB image resized as Pillow's `Image.fromarray(rgb).resize((outW, outH), Image.BICUBIC)`.
 *
 * @example
 * const small = resizeBicubicRgb8(rgb, 600, 800, 274, 350);
 */
export function resizeBicubicRgb8(rgb: ArrayLike<number>, inH: number, inW: number, outH: number, outW: number): Uint8Array {
  const out = new Uint8Array(outH * outW * 3);
  pilResizer(inH, inW, 3, outH, outW, { filter: 'bicubic' }).resize(rgb, out);
  return out;
}
