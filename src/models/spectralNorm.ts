import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';

/**
 * Spectral normalization (Miyato et al., ICLR 2018) as the InfoGAN-CR reference code uses it: the kernel W is viewed as
 * a matrix [−1, out]; a persistent vector u ∈ R^{1×out} (truncated-normal init, not trainable) drives one power
 * iteration per use,
 *   v = ℓ2(u Wᵀ),  u' = ℓ2(v W),  σ = v W u'ᵀ,
 * and the layer uses W/σ. Gradients flow through the whole iteration (the reference does not stop them). The
 * stored u changes only when {@link updateSpectralNorm} runs, once per training iteration after every update.
 */

/** The persistent power-iteration vector of one spectrally normalized layer. */
export type SpectralNormState = { u: tf.Variable };

let counter = 0;

/**
 * Creates u ∈ R^{1×outDim} ~ truncated N(0, 1), seeded from our stream.
 *
 * @example
 * const sn = spectralNormState(rng, 32, 'd/conv0');
 */
export function spectralNormState(rng: Rng, outDim: number, name: string): SpectralNormState {
  counter += 1;
  const seed = rng.uint32();
  const init = tf.tidy(() => tf.truncatedNormal([1, outDim], 0, 1, 'float32', seed));
  const u = tf.variable(init, false, `${name}/sn_u_${counter}`);
  init.dispose();
  return { u };
}

/** ℓ2 normalization with the reference's eps: v / (‖v‖ + 1e-12). */
function l2Normalize(v: tf.Tensor2D): tf.Tensor2D {
  return tf.div(v, tf.add(tf.sqrt(tf.sum(tf.square(v))), 1e-12));
}

/** One power iteration from u: returns u' and σ for the kernel viewed as [−1, out]. */
function powerIteration(w: tf.Tensor, u: tf.Tensor): { uHat: tf.Tensor2D; sigma: tf.Scalar } {
  const out = w.shape[w.shape.length - 1];
  const w2 = tf.reshape(w, [-1, out]) as tf.Tensor2D;
  const v = l2Normalize(tf.matMul(u as tf.Tensor2D, w2, false, true));
  const uHat = l2Normalize(tf.matMul(v, w2));
  const sigma = tf.sum(tf.mul(tf.matMul(v, w2), uHat)) as tf.Scalar;
  return { uHat, sigma };
}

/**
 * W/σ for the current u (does not change u). Works for dense [in, out] and conv [kh, kw, in, out] kernels.
 *
 * @example
 * const kernel = spectralNormalize(p.kernel, sn);   // use in conv2d/dense instead of p.kernel
 */
export function spectralNormalize(w: tf.Tensor, state: SpectralNormState): tf.Tensor {
  return tf.tidy(() => tf.div(w, powerIteration(w, state.u).sigma));
}

/**
 * Stores u ← u' computed from the current W and u: the reference's once-per-iteration SN update op.
 *
 * @example
 * for (const [w, sn] of pairs) updateSpectralNorm(w, sn);
 */
export function updateSpectralNorm(w: tf.Tensor, state: SpectralNormState): void {
  tf.tidy(() => {
    state.u.assign(powerIteration(w, state.u).uHat);
  });
}

/** The current estimate σ = v W u'ᵀ of W's largest singular value (one power iteration from the stored u). */
export function spectralNormSigma(w: tf.Tensor, state: SpectralNormState): number {
  return tf.tidy(() => powerIteration(w, state.u).sigma.dataSync()[0]);
}
