/**
 * InfoGAN-CR's latent draws and losses (§13): the uniform prior, contrastive pairs for the CR discriminator,
 * and the D, G, Q and CR losses the trainer combines.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';

/** n rows of U(−1, 1) latents, row-major (InfoGAN-CR's prior for codes and noise alike). */
export function sampleUniformLatents(n: number, dims: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * dims);
  for (let i = 0; i < out.length; i++) out[i] = 2 * rng.float() - 1;
  return out;
}

/**
 * Contrastive pairs for the CR discriminator (§13): per row a code ι ~ U{0..codeDims−1}; c_ι is identical in both
 * latents; every other code is drawn independently for each (with gap α > 0 they are drawn in [−1+α/2, 1−α/2]
 * and pushed apart by α/2 each, so |c′ − c″| ≥ α); the noise dims are shared.
 */
export function sampleContrastivePairs(
  n: number,
  codeDims: number,
  noiseDims: number,
  rng: Rng,
  gap = 0,
): { z1: Float32Array; z2: Float32Array; labels: Int32Array } {
  const L = codeDims + noiseDims;
  const z1 = new Float32Array(n * L);
  const z2 = new Float32Array(n * L);
  const labels = new Int32Array(n);
  const half = gap / 2;
  for (let i = 0; i < n; i++) {
    const iota = rng.int(codeDims);
    labels[i] = iota;
    for (let k = 0; k < codeDims; k++) {
      const p = i * L + k;
      if (k === iota) {
        z1[p] = z2[p] = 2 * rng.float() - 1;
      } else if (gap > 0) {
        let a = -1 + half + (2 - gap) * rng.float();
        let b = -1 + half + (2 - gap) * rng.float();
        if (a < b) [a, b] = [a - half, b + half];
        else [a, b] = [a + half, b - half];
        z1[p] = a;
        z2[p] = b;
      } else {
        z1[p] = 2 * rng.float() - 1;
        z2[p] = 2 * rng.float() - 1;
      }
    }
    for (let k = codeDims; k < L; k++) z1[i * L + k] = z2[i * L + k] = 2 * rng.float() - 1;
  }
  return { z1, z2, labels };
}

const EPS = 1e-8;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** L_D = −mean ln(D(x) + ε) − mean ln(1 − D(G(z)) + ε), ε = 1e-8 (§13). */
export function discriminatorLoss(dReal: tf.Tensor, dFake: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    tf.add(tf.neg(tf.mean(tf.log(tf.add(dReal, EPS)))), tf.neg(tf.mean(tf.log(tf.add(tf.sub(1, dFake), EPS))))),
  ) as tf.Scalar;
}

/** G's adversarial term −mean ln(D(G(z)) + ε) (the non-saturating loss). */
export function generatorAdversarialLoss(dFake: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.log(tf.add(dFake, EPS)))) as tf.Scalar;
}

/** L_Q = mean_batch Σ_k [½(c_k − Q_k)² + ½ ln 2π]: the negative log-likelihood of a unit-variance Gaussian. */
export function infoLoss(q: tf.Tensor2D, codes: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const k = q.shape[1];
    return tf.add(tf.mean(tf.sum(tf.mul(tf.squaredDifference(codes, q), 0.5), 1)), k * HALF_LOG_2PI);
  }) as tf.Scalar;
}

/** Softmax cross-entropy mean over rows, as `tf.losses.softmax_cross_entropy` with one-hot labels. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
  }) as tf.Scalar;
}
