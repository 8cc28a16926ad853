import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import { convFilterGradient, transposedConv } from './convGradients.js';

/**
 * Shared building blocks of the reference models (the InfoGAN-CR paper's dSprites setup): plain functions over
 * tfjs-core ops and `tf.Variable`s, no tfjs-layers. Every initializer is seeded from our {@link Rng} (via
 * `rng.uint32()`), so a model built twice from the same seed has the same weights on every backend.
 *
 * Convolutions carry their own filter gradient: the wasm backend has no `Conv2DBackpropFilter` kernel, so the
 * filter gradient is written as a dilated convolution of the input with the output gradient (what TF does
 * inside that kernel), which every backend runs. Outside a gradient tape the fused kernels are used.
 */

/** Named trainable (or non-trainable) variables of a network, keyed by a stable path such as `d/conv0/kernel`. */
export type Params = Record<string, tf.Variable>;

/** Activations the layer functions can apply (fused into the kernel where the backend allows). */
export type Activation = 'linear' | 'relu' | 'leakyrelu' | 'sigmoid';

/** Weights of a fully connected layer: kernel [in, out], bias [out]. */
export type DenseParams = { kernel: tf.Variable; bias: tf.Variable };
/** Weights of a 2-D convolution: kernel [kh, kw, in, out], bias [out]. */
export type Conv2dParams = { kernel: tf.Variable; bias: tf.Variable };
/** Weights of a transposed convolution: kernel [kh, kw, out, in] (tfjs `conv2dTranspose` layout), bias [out]. */
export type Deconv2dParams = { kernel: tf.Variable; bias: tf.Variable };

/** BatchNorm state: learnable scale/offset, and the moving statistics used at evaluation time. */
export type BatchNormState = {
  gamma: tf.Variable;
  beta: tf.Variable;
  movingMean: tf.Variable;
  movingVar: tf.Variable;
};

/** LeakyReLU slope of every reference model. */
const LEAKY_SLOPE = 0.2;

// tfjs keeps one global registry of variable names, so two models built side by side need distinct names.
let variableCounter = 0;
function makeVariable(value: tf.Tensor, name: string, trainable = true): tf.Variable {
  variableCounter += 1;
  const v = tf.variable(value, trainable, `${name}_${variableCounter}`);
  value.dispose(); // the variable holds its own reference to the data
  return v;
}

/** Seed for one tfjs initializer, drawn from our stream so the whole model depends only on the model seed. */
function seedFrom(rng: Rng): number {
  return rng.uint32();
}

/**
 * A fully connected layer's weights: kernel ~ N(0, std²) (the references' N(0, 0.02)), bias 0.
 *
 * @example
 * const p = denseParams(createRng(0), 128, 10, 'q/out');
 * const y = dense(x, p);        // [n, 10]
 */
export function denseParams(rng: Rng, inDim: number, outDim: number, name: string, std = 0.02): DenseParams {
  const seed = seedFrom(rng);
  return {
    kernel: makeVariable(tf.tidy(() => tf.randomNormal([inDim, outDim], 0, std, 'float32', seed)), `${name}/kernel`),
    bias: makeVariable(tf.zeros([outDim]), `${name}/bias`),
  };
}

/**
 * x·W + b, with an optional activation fused into one kernel when no gradient is being recorded.
 *
 * @example
 * const h = dense(x, denseParams(rng, 1024, 128, 'fc'), 'relu');
 */
export function dense(x: tf.Tensor2D, p: { kernel: tf.Tensor; bias: tf.Tensor }, activation: Activation = 'linear'): tf.Tensor2D {
  const kernel = p.kernel as tf.Tensor2D;
  if (activation !== 'sigmoid') {
    // fused.matMul falls back to separate ops under a gradient tape for non-linear activations.
    return tf.fused.matMul({ a: x, b: kernel, bias: p.bias, activation, leakyreluAlpha: LEAKY_SLOPE }) as tf.Tensor2D;
  }
  return tf.sigmoid(tf.add(tf.matMul(x, kernel), p.bias)) as tf.Tensor2D;
}

/**
 * A convolution's weights: kernel [k, k, inCh, outCh] ~ truncated N(0, 0.02²), bias 0 (as the references).
 *
 * @example
 * const p = conv2dParams(rng, 1, 32, 'enc/conv0');   // 4×4 kernel
 */
export function conv2dParams(rng: Rng, inCh: number, outCh: number, name: string, k = 4, std = 0.02): Conv2dParams {
  const seed = seedFrom(rng);
  return {
    kernel: makeVariable(tf.tidy(() => tf.truncatedNormal([k, k, inCh, outCh], 0, std, 'float32', seed)), `${name}/kernel`),
    bias: makeVariable(tf.zeros([outCh]), `${name}/bias`),
  };
}

/**
 * A transposed convolution's weights: kernel [k, k, outCh, inCh] ~ truncated N(0, 0.02²), bias 0 (as the references).
 *
 * @example
 * const p = deconv2dParams(rng, 64, 32, 'g/deconv1');
 */
export function deconv2dParams(rng: Rng, inCh: number, outCh: number, name: string, k = 4, std = 0.02): Deconv2dParams {
  const seed = seedFrom(rng);
  return {
    kernel: makeVariable(tf.tidy(() => tf.truncatedNormal([k, k, outCh, inCh], 0, std, 'float32', seed)), `${name}/kernel`),
    bias: makeVariable(tf.zeros([outCh]), `${name}/bias`),
  };
}

function recordingGradients(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

function activate<T extends tf.Tensor>(y: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return tf.relu(y);
    case 'leakyrelu':
      return tf.leakyRelu(y, LEAKY_SLOPE);
    case 'sigmoid':
      return tf.sigmoid(y);
    default:
      return y;
  }
}

/**
 * 'same' convolution, NHWC, stride 2 by default (the references' 4×4, stride 2), plus bias and an optional activation.
 * `kernel` may be any tensor of the right shape (spectral norm passes W/σ).
 *
 * @example
 * const h = conv2d(images, p, 2, 'leakyrelu');   // [n, 64, 64, 1] → [n, 32, 32, 32]
 */
export function conv2d(
  x: tf.Tensor4D,
  p: { kernel: tf.Tensor; bias: tf.Tensor },
  stride = 2,
  activation: Activation = 'linear',
): tf.Tensor4D {
  const kernel = p.kernel as tf.Tensor4D;
  if (!recordingGradients() && activation !== 'sigmoid') {
    return tf.fused.conv2d({ x, filter: kernel, strides: stride, pad: 'same', bias: p.bias, activation, leakyreluAlpha: LEAKY_SLOPE });
  }
  const k = kernel.shape[0];
  const conv = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, wi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: tf.conv2d(xi, wi, stride, 'same'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        return [transposedConv(dy4, ws, xs.shape, stride), convFilterGradient(xs, dy4, k, stride)];
      },
    };
  });
  return activate(tf.add(conv(x, kernel) as tf.Tensor4D, p.bias), activation);
}

/**
 * Transposed 'same' convolution with stride 2 (tfjs `conv2dTranspose`, filter [kh, kw, out, in]), bias, activation.
 *
 * @example
 * const up = deconv2d(h, p, [n, 8, 8, 64], 'leakyrelu');   // [n, 4, 4, 64] → [n, 8, 8, 64]
 */
export function deconv2d(
  x: tf.Tensor4D,
  p: { kernel: tf.Tensor; bias: tf.Tensor },
  outShape: [number, number, number, number],
  activation: Activation = 'linear',
  stride = 2,
): tf.Tensor4D {
  const kernel = p.kernel as tf.Tensor4D;
  const k = kernel.shape[0];
  if (!recordingGradients()) {
    return activate(tf.add(transposedConv(x, kernel, outShape, stride), p.bias), activation);
  }
  const deconv = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, wi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: transposedConv(xi, wi, outShape, stride),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        // A transposed conv is the input-gradient of a conv from dy's shape to x's shape, so the roles swap.
        return [tf.conv2d(dy4, ws, stride, 'same'), convFilterGradient(dy4, xs, k, stride)];
      },
    };
  });
  return activate(tf.add(deconv(x, kernel) as tf.Tensor4D, p.bias), activation);
}

/**
 * BatchNorm state for `channels` features: gamma 1, beta 0 (trainable); moving mean 0, moving variance 1
 * (not trainable, updated by {@link batchNorm} in training mode).
 *
 * @example
 * const bn = batchNormState('g/bn0', 128);
 */
export function batchNormState(name: string, channels: number): BatchNormState {
  return {
    gamma: makeVariable(tf.ones([channels]), `${name}/gamma`),
    beta: makeVariable(tf.zeros([channels]), `${name}/beta`),
    movingMean: makeVariable(tf.zeros([channels]), `${name}/moving_mean`, false),
    movingVar: makeVariable(tf.ones([channels]), `${name}/moving_variance`, false),
  };
}

/** Options of {@link batchNorm}: TF1's `batch_norm` defaults used by the reference models. */
export interface BatchNormOptions {
  eps?: number;
  decay?: number;
}

/**
 * Batch normalization over every axis but the last (channels). In training mode the batch's own mean and
 * (biased) variance normalize it and the moving averages move: m ← decay·m + (1 − decay)·batch (decay 0.9,
 * eps 1e-5, as the InfoGAN-CR reference). In evaluation mode the moving statistics are used.
 *
 * @example
 * const h = batchNorm(tf.relu(x), bn, true);   // BN after the activation, as the InfoGAN-CR reference
 */
export function batchNorm<T extends tf.Tensor>(x: T, state: BatchNormState, training: boolean, options: BatchNormOptions = {}): T {
  const eps = options.eps ?? 1e-5;
  const decay = options.decay ?? 0.9;
  if (!training) {
    return tf.batchNorm(x, state.movingMean, state.movingVar, state.beta, state.gamma, eps) as T;
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  // Plain broadcasting arithmetic rather than tf.moments + tf.batchNorm: their gradients tile the statistics to
  // the input's shape, which costs more on the wasm backend than the reductions below.
  const mean = tf.mean(x, axes);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axes);
  // The moving statistics are bookkeeping, not part of the loss (assign is never differentiated).
  tf.tidy(() => {
    state.movingMean.assign(tf.add(tf.mul(state.movingMean, decay), tf.mul(mean, 1 - decay)));
    state.movingVar.assign(tf.add(tf.mul(state.movingVar, decay), tf.mul(variance, 1 - decay)));
  });
  return tf.add(tf.mul(centred, tf.mul(tf.rsqrt(tf.add(variance, eps)), state.gamma)), state.beta) as T;
}

/**
 * LeakyReLU with the reference models' slope 0.2.
 *
 * @example
 * const h = leakyRelu(x);
 */
export function leakyRelu<T extends tf.Tensor>(x: T, alpha = LEAKY_SLOPE): T {
  return tf.leakyRelu(x, alpha);
}

/**
 * Flattens [n, h, w, c] to [n, h·w·c] in NHWC order (row, then column, then channel), as TF's reshape does.
 *
 * @example
 * const flat = flatten(h);   // [n, 4, 4, 64] → [n, 1024]
 */
export function flatten(x: tf.Tensor): tf.Tensor2D {
  const n = x.shape[0];
  return tf.reshape(x, [n, x.size / n]);
}

/** Disposes every variable of a parameter set. */
export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v.dispose();
}

/** Number of scalar weights in a parameter set (trainable and not). */
export function countParams(params: Params): number {
  let total = 0;
  for (const v of Object.values(params)) total += v.size;
  return total;
}
