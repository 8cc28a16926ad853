/**
 * Analytic encoders: hand-written representations whose disentanglement is known in advance (no training, unlike
 * the reference models InfoGAN-CR and FactorVAE), used by the demo,
 * the CLI and the tests to show how every metric ranks a factor-recovering code, a rotated (entangled) one,
 * a partly entangled noisy one and a collapsed one. Observations are either tfjs tensors (codes stay on the
 * device) or `{data, shape}` blocks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '../core/rng.js';
import { shapeOf, toMatrix } from '../core/tensor.js';
import type { TensorLike } from '../core/types.js';

/** A `{data, shape}` block of codes or observations. */
export interface CodeBlock {
  data: Float64Array;
  shape: [number, number];
}

/** Codes = observations: a perfectly disentangled representation. Tensors in, tensors out. */
export function identityRepresentation(): (x: TensorLike) => TensorLike {
  return (x) => (x instanceof tf.Tensor ? tf.clone(x) : x);
}

/** A random orthogonal D×D matrix (QR of a Gaussian matrix by Gram–Schmidt), seeded. */
export function randomRotation(dims: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const q = new Float64Array(dims * dims);
  for (let j = 0; j < dims; j++) {
    const v = Float64Array.from({ length: dims }, () => rng.normal());
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < dims; i++) dot += v[i] * q[i * dims + p];
      for (let i = 0; i < dims; i++) v[i] -= dot * q[i * dims + p];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < dims; i++) q[i * dims + j] = v[i] / norm;
  }
  return q;
}

/** Codes = observations · R with R = `mix` (row-major K×D). Tensors stay on the device. */
export function linearRepresentation(mix: Float64Array, codeDims: number): (x: TensorLike) => TensorLike {
  return (x) => {
    if (x instanceof tf.Tensor) {
      return tf.tidy(() => tf.matMul(x as tf.Tensor2D, tf.tensor2d(Float32Array.from(mix), [x.shape[1] ?? 1, codeDims])));
    }
    const { data, rows: n, cols: d } = toMatrix(x, 'observations', '', { finite: false, nonEmpty: false });
    const out = new Float64Array(n * codeDims);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) {
        const v = data[i * d + k];
        for (let j = 0; j < codeDims; j++) out[i * codeDims + j] += v * mix[k * codeDims + j];
      }
    }
    return { data: out, shape: [n, codeDims] };
  };
}

/** A rotation of the identity code: every code dim mixes every factor. */
export function rotatedRepresentation(dims: number, seed = 1): (x: TensorLike) => TensorLike {
  return linearRepresentation(randomRotation(dims, seed), dims);
}

/**
 * Partly entangled and noisy: code j = x_j + `leak`·x_{j+1} + `noise`·ε, with ε drawn from its own seeded
 * stream (a new representation per call restarts it, so runs with the same seed repeat).
 */
export function noisyRepresentation(dims: number, options: { leak?: number; noise?: number; seed?: number } = {}): (x: TensorLike) => TensorLike {
  const { leak = 0.3, noise = 0.05, seed = 2 } = options;
  const mix = new Float64Array(dims * dims);
  for (let j = 0; j < dims; j++) {
    mix[j * dims + j] = 1;
    if (j + 1 < dims) mix[(j + 1) * dims + j] = leak;
  }
  const linear = linearRepresentation(mix, dims);
  const rng: Rng = createRng(seed);
  return (x) => {
    const clean = linear(x);
    if (clean instanceof tf.Tensor) {
      const eps = tf.tensor(Float32Array.from({ length: clean.size }, () => noise * rng.normal()), clean.shape);
      const out = tf.add(clean, eps);
      clean.dispose();
      eps.dispose();
      return out;
    }
    const c = clean as CodeBlock;
    for (let i = 0; i < c.data.length; i++) c.data[i] += noise * rng.normal();
    return c;
  };
}

/** Every code is 0: the collapsed (zero) representation. */
export function collapsedRepresentation(dims: number): (x: TensorLike) => TensorLike {
  return (x) => {
    const n = x instanceof tf.Tensor ? x.shape[0] : shapeOf(x, 'observations')[0];
    return x instanceof tf.Tensor ? tf.zeros([n, dims]) : { data: new Float64Array(n * dims), shape: [n, dims] };
  };
}

/**
 * An encoder that reads the factors off a binary image with tfjs ops: mass (scale), centroid (posX, posY),
 * and the second central moments (orientation, shape). It recovers position and scale well and orientation
 * and shape partly, which is what a good trained encoder does on dSprites.
 */
export function imageMomentEncoder(): (x: TensorLike) => TensorLike {
  return (x) =>
    tf.tidy(() => {
      const img = x as tf.Tensor4D;
      const [n, h, w] = img.shape;
      const flat = tf.reshape(tf.cast(img, 'float32'), [n, h * w]);
      const index = tf.range(0, h * w, 1, 'int32');
      const yy = tf.div(tf.cast(tf.floorDiv(index, w), 'float32'), h);
      const xx = tf.div(tf.cast(tf.mod(index, w), 'float32'), w);
      const mass = tf.add(tf.sum(flat, 1, true), 1e-6);
      const moment = (f: tf.Tensor): tf.Tensor => tf.div(tf.sum(tf.mul(flat, f), 1, true), mass);
      const cx = moment(xx);
      const cy = moment(yy);
      const dx = tf.sub(xx, cx);
      const dy = tf.sub(yy, cy);
      const sxx = moment(tf.mul(dx, dx));
      const syy = moment(tf.mul(dy, dy));
      const sxy = moment(tf.mul(dx, dy));
      // fixed gains bring every feature to a global std of roughly 0.3 on dSprites, above DL's 0.05 pruning
      const features = tf.concat([tf.sqrt(tf.div(mass, h * w)), tf.sub(sxx, syy), sxy, cx, cy], 1);
      return tf.mul(features, tf.tensor1d([6, 150, 300, 2, 2]));
    });
}
