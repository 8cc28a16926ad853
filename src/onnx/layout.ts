/**
 * Image layouts and element types between the library (images are n×h×w×c, numbers any ArrayLike) and an ONNX
 * model (PyTorch exports NCHW; TensorFlow and JAX models are often NHWC; inputs are usually float32).
 */
import { DisentangleError } from '../core/errors.js';
import type { OnnxFloatType, OnnxValueMetadata } from './runtime.js';

/** Axis order of a model's image input (or a decoder's image output). */
export type OnnxLayout = 'nchw' | 'nhwc';

const isChannels = (d: unknown): boolean => d === 1 || d === 3;

/**
 * The layout a 4-D image shape implies when one of its channel axes is static: 1 or 3 at axis 1 and not at axis 3
 * is NCHW, the reverse NHWC. Anything else (dynamic sizes, a 64×64×3×3 shape) says nothing.
 */
export function layoutFromShape(shape: readonly (number | string)[] | undefined): OnnxLayout | undefined {
  if (!shape || shape.length !== 4) return undefined;
  const c1 = isChannels(shape[1]);
  const c3 = isChannels(shape[3]);
  if (c1 && !c3) return 'nchw';
  if (c3 && !c1) return 'nhwc';
  return undefined;
}

/** The element type to feed an input: float64 when the model asks for it, float32 otherwise. */
export function inputType(meta: OnnxValueMetadata | undefined, argument: string): OnnxFloatType {
  const t = meta?.type;
  if (t === undefined || t === 'float32' || t === 'float') return 'float32';
  if (t === 'float64' || t === 'double') return 'float64';
  throw new DisentangleError('UNSUPPORTED', argument, `the model's input '${meta?.name}' is ${t}; onnxModel feeds float32 or float64 (export the model with a float input)`);
}

/** The static size of axis `axis` of a metadata shape, or undefined when it is symbolic or unknown. */
export function staticDim(meta: OnnxValueMetadata | undefined, axis: number): number | undefined {
  const d = meta?.shape?.[axis];
  return typeof d === 'number' && d > 0 ? d : undefined;
}

/**
 * Copies rows [start, start+n) of an n×h×w×c block into a new array of the model's type, in the model's layout
 * (NCHW transposes; with one channel both layouts hold the same bytes, so only the type conversion is done, and
 * a float32 block of float32 input is passed as a view without any copy).
 */
export function toModelInput(
  data: ArrayLike<number>,
  start: number,
  n: number,
  hwc: readonly [number, number, number],
  layout: OnnxLayout,
  type: OnnxFloatType,
): Float32Array | Float64Array {
  const [h, w, c] = hwc;
  const size = h * w * c;
  const Out = type === 'float64' ? Float64Array : Float32Array;
  if (layout === 'nhwc' || c === 1) {
    if (data instanceof Out) return data.subarray(start * size, (start + n) * size);
    const out = new Out(n * size);
    const off = start * size;
    for (let i = 0; i < out.length; i++) out[i] = data[off + i];
    return out;
  }
  const out = new Out(n * size);
  const hw = h * w;
  for (let i = 0; i < n; i++) {
    const src = (start + i) * size;
    const dst = i * size;
    for (let p = 0; p < hw; p++) {
      for (let ch = 0; ch < c; ch++) out[dst + ch * hw + p] = data[src + p * c + ch];
    }
  }
  return out;
}

/** Writes an NCHW (or NHWC) model output for n images into `out` at image `start`, as n×h×w×c. */
export function fromModelOutput(
  data: ArrayLike<number>,
  out: Float32Array,
  start: number,
  n: number,
  hwc: readonly [number, number, number],
  layout: OnnxLayout,
): void {
  const [h, w, c] = hwc;
  const size = h * w * c;
  if (layout === 'nhwc' || c === 1) {
    for (let i = 0; i < n * size; i++) out[start * size + i] = data[i];
    return;
  }
  const hw = h * w;
  for (let i = 0; i < n; i++) {
    const src = i * size;
    const dst = (start + i) * size;
    for (let p = 0; p < hw; p++) {
      for (let ch = 0; ch < c; ch++) out[dst + p * c + ch] = data[src + ch * hw + p];
    }
  }
}
