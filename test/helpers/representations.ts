/**
 * Shared test fixtures for the sampling metrics: a dataset whose observation is its own factor vector, the
 * reference representations every metric should rank the same way (identity > rotated/noisy > collapsed),
 * and small tfjs encoders for image datasets. Others may import these.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../src/core/rng.js';
import type { FactorBatch, GroundTruthDataset, TensorLike } from '../../src/core/types.js';
export {
  identityRepresentation,
  randomRotation,
  linearRepresentation,
  rotatedRepresentation,
  noisyRepresentation,
  collapsedRepresentation,
  imageMomentEncoder,
} from '../../src/models/analyticEncoders.js';

// dSprites' factor sizes (shape, scale, orientation, posX, posY), from their one home in the renderer
export { DSPRITES_FACTOR_SIZES } from '../../src/data/dspritesRenderer.js';
import { DSPRITES_FACTOR_SIZES } from '../../src/data/dspritesRenderer.js';

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
