/**
 * Shared test fixtures for the sampling metrics: a dataset whose observation is its own factor vector, the
 * reference representations every metric should rank the same way (identity > rotated/noisy > collapsed),
 * and small tfjs encoders for image datasets. Others may import these.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '../../src/core/rng.js';
import type { FactorBatch, GroundTruthDataset, TensorLike } from '../../src/core/types.js';

/** dSprites' factor sizes: shape, scale, orientation, posX, posY. */
export const DSPRITES_FACTOR_SIZES = [3, 6, 40, 32, 32] as const;

/** Observations of the factor-vector dataset: factor index / (size − 1), so each column spans [0, 1]. */
export interface FactorVectorObservations {
  data: Float64Array;
  shape: [number, number];
}

/**
 * A dataset whose observation is its factor vector scaled to [0, 1] (`asTensor`: a float32 tfjs tensor on the
 * current backend). With it a representation is just a function of the factors.
 */
export function factorVectorDataset(
  factorSizes: readonly number[] = DSPRITES_FACTOR_SIZES,
  options: { asTensor?: boolean } = {},
): GroundTruthDataset<TensorLike> {
  return {
    factorSizes,
    factorNames: factorSizes.map((_, k) => `factor${k}`),
    observationShape: [factorSizes.length],
    observationsFromFactors(f: FactorBatch): TensorLike {
      const [n, K] = f.shape;
      const data = new Float64Array(n * K);
      for (let i = 0; i < n * K; i++) {
        const size = factorSizes[i % K];
        data[i] = size > 1 ? f.data[i] / (size - 1) : 0;
      }
      return options.asTensor ? tf.tensor2d(Float32Array.from(data), [n, K]) : { data, shape: [n, K] };
    },
  };
}

/** Reads an observation block from either form the factor-vector dataset returns. */
function readObs(x: TensorLike): { data: ArrayLike<number>; n: number; d: number } {
  if (x instanceof tf.Tensor) return { data: x.dataSync(), n: x.shape[0], d: x.shape[1] ?? 1 };
  const o = x as FactorVectorObservations;
  return { data: o.data, n: o.shape[0], d: o.shape[1] };
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
    const { data, n, d } = readObs(x);
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
    const c = clean as FactorVectorObservations;
    for (let i = 0; i < c.data.length; i++) c.data[i] += noise * rng.normal();
    return c;
  };
}

/** Every code is 0: the collapsed (zero) representation. */
export function collapsedRepresentation(dims: number): (x: TensorLike) => TensorLike {
  return (x) => {
    const n = x instanceof tf.Tensor ? x.shape[0] : readObs(x).n;
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

/**
 * A small conv encoder with fixed random weights (seeded): 64×64×1 → 4 conv layers (4×4, stride 2;
 * 32, 32, 64, 64 channels, ReLU) → a dense layer to `codeDims`. The architecture of the reference
 * models' encoders, for timing and device-path tests; it does not recover the factors.
 */
export function convEncoder(options: { codeDims?: number; seed?: number; channels?: readonly number[] } = {}): {
  represent: (x: TensorLike) => TensorLike;
  dispose(): void;
} {
  const { codeDims = 10, seed = 3, channels = [32, 32, 64, 64] } = options;
  const rng = createRng(seed);
  const heInit = (shape: number[], fanIn: number): tf.Tensor => {
    const size = shape.reduce((a, b) => a * b, 1);
    const std = Math.sqrt(2 / fanIn);
    return tf.tensor(Float32Array.from({ length: size }, () => std * rng.normal()), shape);
  };
  const kernels: tf.Tensor4D[] = [];
  let inC = 1;
  for (const c of channels) {
    kernels.push(heInit([4, 4, inC, c], 16 * inC) as tf.Tensor4D);
    inC = c;
  }
  const spatial = 64 / 2 ** channels.length;
  const dense = heInit([spatial * spatial * inC, codeDims], spatial * spatial * inC) as tf.Tensor2D;
  return {
    represent: (x) =>
      tf.tidy(() => {
        let h = tf.cast(x as tf.Tensor4D, 'float32') as tf.Tensor4D;
        for (const k of kernels) h = tf.relu(tf.conv2d(h, k, 2, 'same'));
        return tf.matMul(tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D, dense);
      }),
    dispose: () => {
      kernels.forEach((k) => k.dispose());
      dense.dispose();
    },
  };
}

/** Wraps a representation so it counts the milliseconds spent inside it (for the library-share benchmark). */
export function timed<T extends unknown[], R>(f: (...a: T) => R | Promise<R>): { f: (...a: T) => Promise<R>; ms: () => number } {
  let total = 0;
  return {
    f: async (...a: T) => {
      const t0 = performance.now();
      try {
        return await f(...a);
      } finally {
        total += performance.now() - t0;
      }
    },
    ms: () => total,
  };
}
