/**
 * The reference models' losses, one home for both trainers: the GAN, info and CR losses of InfoGAN-CR, the
 * softmax cross-entropy that InfoGAN-CR's CR discriminator and FactorVAE's TC discriminator share, and the VAE
 * reconstruction and KL terms. Each returns a scalar mean over the batch.
 */
import * as tf from '@tensorflow/tfjs-core';

const EPS = 1e-8;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** L_D = −mean ln(D(x) + ε) − mean ln(1 − D(G(z)) + ε), ε = 1e-8 (the reference code's). */
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

/** mean_batch Σ_pixels BCE-with-logits, in the stable form max(l, 0) − l·x + ln(1 + e^{−|l|}). */
export function bernoulliReconstructionLoss(logits: tf.Tensor4D, x: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const per = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.mean(tf.sum(tf.reshape(per, [x.shape[0], -1]), 1));
  }) as tf.Scalar;
}

/** KL(q(z|x) ‖ N(0, I)) = mean_batch Σ_k ½(−1 − logvar + μ² + e^{logvar}). */
export function gaussianKl(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.mul(tf.add(tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), logVar), -1), 0.5), 1))) as tf.Scalar;
}
