/**
 * The `VarPred` ConvNet of the variation-predictability metric (Zhu, Xu & Tao, ECCV 2020; their VP-metric-pytorch
 * code): it learns which latent dimension was varied between two generated images. Like the shape classifier, a
 * small model the metric trains and reads; the metric itself lives in `metrics/variationPredictability.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import { registerGradients } from './gradients.js';
import { batchNorm, batchNormState, conv2d, conv2dParams, dense, denseParams } from './layers.js';
import type { BatchNormState, Conv2dParams, DenseParams } from './layers.js';

/**
 * The reference `VarPred` network: conv7×7/2 → BN → ReLU → conv3×3 → BN → ReLU → maxpool 3/2 → conv3×3 → BN →
 * ReLU → conv3×3 → BN → ReLU → global average pool → linear. Convolutions have no bias in the reference; ours
 * carry one (layers.ts), which the following BatchNorm cancels.
 */
export interface VariationPredictor {
  convs: Conv2dParams[];
  norms: BatchNormState[];
  out: DenseParams;
}

/**
 * A freshly initialized network for `inChannels`-channel inputs, the four convolution widths `channels` and
 * `outDim` classes (the varied dims), its weights drawn from `rng`. Registers the gradients its training needs.
 *
 * @example
 * const net = buildVariationPredictor(createRng(0), 1, [64, 64, 128, 256], 5);
 */
export function buildVariationPredictor(rng: Rng, inChannels: number, channels: readonly number[], outDim: number): VariationPredictor {
  registerGradients();
  const convs: Conv2dParams[] = [];
  const norms: BatchNormState[] = [];
  let inCh = inChannels;
  channels.forEach((ch, i) => {
    // He-style std for ReLU nets (PyTorch's kaiming-uniform default has the same scale up to a constant).
    const k = i === 0 ? 7 : 3;
    convs.push(conv2dParams(rng, inCh, ch, `vp/conv${i}`, k, Math.sqrt(2 / (k * k * inCh))));
    norms.push(batchNormState(`vp/bn${i}`, ch));
    inCh = ch;
  });
  return { convs, norms, out: denseParams(rng, inCh, outDim, 'vp/out', 1 / Math.sqrt(inCh)) };
}

/** Class scores [n, outDim] for inputs [n, H, W, C]; `training` uses batch statistics and moves the BN averages. */
export function variationPredictorLogits(net: VariationPredictor, x: tf.Tensor4D, training: boolean): tf.Tensor2D {
  let h = tf.relu(batchNorm(conv2d(x, net.convs[0], 2), net.norms[0], training));
  h = tf.relu(batchNorm(conv2d(h, net.convs[1], 1), net.norms[1], training));
  h = tf.maxPool(h, 3, 2, 'same');
  h = tf.relu(batchNorm(conv2d(h, net.convs[2], 1), net.norms[2], training));
  h = tf.relu(batchNorm(conv2d(h, net.convs[3], 1), net.norms[3], training));
  return dense(tf.mean(h, [1, 2]) as tf.Tensor2D, net.out);
}

/** Every variable (BatchNorm moving statistics included; filter on `trainable` for the optimizer's list). */
export function variationPredictorVariables(net: VariationPredictor): tf.Variable[] {
  const bn = (s: BatchNormState) => [s.gamma, s.beta, s.movingMean, s.movingVar];
  return [...net.convs.flatMap((c, i) => [c.kernel, c.bias, ...bn(net.norms[i])]), net.out.kernel, net.out.bias];
}

/** Frees the network's variables. */
export function disposeVariationPredictor(net: VariationPredictor): void {
  for (const v of variationPredictorVariables(net)) v.dispose();
}
