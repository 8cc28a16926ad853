/**
 * The dSprites shape classifier of the InfoGAN-CR repository's sample-quality metric,
 * on tfjs-core, with weights trained by `scripts/train-shape-classifier.ts` and shipped inside the package.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { toTensorAsync } from '../core/tensor.js';
import type { TensorLike } from '../core/types.js';
import { batchNorm, batchNormState, conv2d, conv2dParams, dense, denseParams, flatten, leakyRelu } from './layers.js';
import type { BatchNormState, Conv2dParams, DenseParams } from './layers.js';
import { SHAPE_CLASSIFIER_WEIGHTS } from './shapeClassifierWeights.js';
import { requireBackend } from '../core/backend.js';

/** Image side of dSprites. */
export const SHAPE_IMAGE_SIZE = 64;
/** Width of the penultimate layer (the features the Fréchet distance uses). */
export const SHAPE_FEATURE_DIMS = 128;
/** Classes in dSprites order: square, ellipse, heart. */
export const SHAPE_CLASSES = Object.freeze(['square', 'ellipse', 'heart']);
const CONV_CHANNELS = [32, 32, 64, 64];

/** The classifier's variables. BatchNorm follows each activation, as in the reference. */
export interface ShapeClassifier {
  convs: Conv2dParams[];
  convNorms: BatchNormState[];
  fc: DenseParams;
  fcNorm: BatchNormState;
  out: DenseParams;
}

/** Logits and penultimate features of one forward pass. */
export interface ShapeClassifierOutput {
  /** [n, 3] unnormalized class scores. */
  logits: tf.Tensor2D;
  /** [n, 128] activations after the last BatchNorm. */
  features: tf.Tensor2D;
}

/**
 * A freshly initialized classifier (weights from the seed, as the reference models' initializers). Used by the
 * training script; to classify, use {@link loadShapeClassifier}.
 *
 * @example
 * const net = buildShapeClassifier(0);
 */
export function buildShapeClassifier(seed = 0): ShapeClassifier {
  requireBackend('buildShapeClassifier');
  const rng = createRng(seed);
  let inCh = 1;
  const convs: Conv2dParams[] = [];
  const convNorms: BatchNormState[] = [];
  CONV_CHANNELS.forEach((ch, i) => {
    convs.push(conv2dParams(rng, inCh, ch, `shape/conv${i}`));
    convNorms.push(batchNormState(`shape/bn${i}`, ch));
    inCh = ch;
  });
  const flat = (SHAPE_IMAGE_SIZE / 16) ** 2 * inCh;
  return {
    convs,
    convNorms,
    fc: denseParams(rng, flat, SHAPE_FEATURE_DIMS, 'shape/fc'),
    fcNorm: batchNormState('shape/bn_fc', SHAPE_FEATURE_DIMS),
    out: denseParams(rng, SHAPE_FEATURE_DIMS, 3, 'shape/out'),
  };
}

/**
 * 64×64×1 → [conv 4×4/2 SAME → LeakyReLU 0.2 → BatchNorm] × (32, 32, 64, 64) → flatten → FC 128 → LeakyReLU →
 * BatchNorm → FC 3. `training` uses batch statistics and moves the BN averages; otherwise the averages are used.
 */
export function shapeClassifierForward(net: ShapeClassifier, images: tf.Tensor4D, training = false): ShapeClassifierOutput {
  let h: tf.Tensor4D = images;
  net.convs.forEach((p, i) => {
    h = batchNorm(conv2d(h, p, 2, 'leakyrelu'), net.convNorms[i], training);
  });
  const features = batchNorm(leakyRelu(dense(flatten(h), net.fc)), net.fcNorm, training);
  return { logits: dense(features, net.out), features };
}

/** Every variable in a fixed order: the layout of the shipped weight blob. */
export function shapeClassifierVariables(net: ShapeClassifier): tf.Variable[] {
  const bn = (s: BatchNormState) => [s.gamma, s.beta, s.movingMean, s.movingVar];
  return [
    ...net.convs.flatMap((p, i) => [p.kernel, p.bias, ...bn(net.convNorms[i])]),
    net.fc.kernel,
    net.fc.bias,
    ...bn(net.fcNorm),
    net.out.kernel,
    net.out.bias,
  ];
}

/** Trainable variables only (BatchNorm moving statistics excluded). */
export function shapeClassifierTrainable(net: ShapeClassifier): tf.Variable[] {
  return shapeClassifierVariables(net).filter((v) => v.trainable);
}

/** Packs every variable as little-endian float32 and encodes it as base64 (the form shipped in the bundle). */
export async function serializeShapeClassifier(net: ShapeClassifier): Promise<string> {
  const vars = shapeClassifierVariables(net);
  const total = vars.reduce((s, v) => s + v.size, 0);
  const view = new DataView(new ArrayBuffer(total * 4));
  let off = 0;
  for (const v of vars) {
    const data = await v.data();
    for (let i = 0; i < data.length; i++, off += 4) view.setFloat32(off, data[i], true);
  }
  const bytes = new Uint8Array(view.buffer);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The trained dSprites shape classifier, decoded from the weights bundled with the package (no download, no
 * file access). Variables live on the current tfjs backend; call {@link disposeShapeClassifier} when done.
 *
 * @example
 * const net = loadShapeClassifier();
 * const probs = classifyShapes(net, images);   // [n, 3]: square, ellipse, heart
 * disposeShapeClassifier(net);
 */
export function loadShapeClassifier(): ShapeClassifier {
  requireBackend('loadShapeClassifier');
  const net = buildShapeClassifier(0);
  const vars = shapeClassifierVariables(net);
  const bytes = decodeBase64(SHAPE_CLASSIFIER_WEIGHTS);
  const total = vars.reduce((s, v) => s + v.size, 0);
  if (bytes.length !== total * 4) {
    disposeShapeClassifier(net);
    throw new DisentangleError('BAD_FILE', 'shapeClassifierWeights', `holds ${bytes.length} bytes, the architecture needs ${total * 4}; regenerate it with scripts/train-shape-classifier.ts`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  for (const v of vars) {
    const vals = new Float32Array(v.size);
    for (let i = 0; i < vals.length; i++, off += 4) vals[i] = view.getFloat32(off, true);
    tf.tidy(() => v.assign(tf.tensor(vals, v.shape, 'float32')));
  }
  return net;
}

/** Disposes every variable of a classifier. */
export function disposeShapeClassifier(net: ShapeClassifier): void {
  for (const v of shapeClassifierVariables(net)) v.dispose();
}

/** Reads images ([n, 64, 64, 1], [n, 64, 64] or [n, 4096]) into a new float32 tensor (the caller disposes it). */
export async function toImageTensor(images: TensorLike, argument = 'images', fn = 'classifyShapes'): Promise<tf.Tensor4D> {
  const S = SHAPE_IMAGE_SIZE;
  const check = (shape: readonly number[]): void => {
    const rest = shape.slice(1).reduce((a, b) => a * b, 1);
    if (shape.length < 2 || rest !== S * S || (shape.length === 4 && shape[3] !== 1)) {
      throw new DisentangleError('SHAPE_MISMATCH', `${argument} (in ${fn})`, `has shape [${shape}]; expected [n, 64, 64, 1] grey dSprites images`);
    }
  };
  const { tensor, owned } = await toTensorAsync(images, [S, S, 1], argument, fn, check);
  return (owned ? tensor : tf.clone(tensor)) as tf.Tensor4D;
}

/**
 * Class probabilities p(shape | image) (softmax of the logits, BatchNorm in evaluation mode), as a [n, 3] tensor the
 * caller disposes. Columns: square, ellipse, heart.
 *
 * @example
 * const probs = classifyShapes(loadShapeClassifier(), dsprites().observationsFromFactors(f, rng));
 */
export function classifyShapes(net: ShapeClassifier, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(shapeClassifierForward(net, images, false).logits));
}

/** Probabilities and penultimate features in one evaluation pass; both tensors belong to the caller. */
export function classifyShapesWithFeatures(net: ShapeClassifier, images: tf.Tensor4D): { probs: tf.Tensor2D; features: tf.Tensor2D } {
  const out = tf.tidy(() => {
    const o = shapeClassifierForward(net, images, false);
    return [tf.softmax(o.logits), o.features] as const;
  });
  return { probs: out[0] as tf.Tensor2D, features: out[1] as tf.Tensor2D };
}
