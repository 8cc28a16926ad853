/**
 * The smallest reference models and dataset the model tests train on: 16×16 images of a 4×4 white square at one
 * of 4×4 positions, and InfoGAN-CR / FactorVAE configs a few kilobytes in size.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FactorBatch } from '../../src/core/types.js';

/** A 4×4 white square at one of 4×4 positions on a 16×16 canvas; factors (posX, posY). */
export const squares = {
  factorSizes: [4, 4],
  observationsFromFactors(f: FactorBatch): tf.Tensor4D {
    const n = f.shape[0];
    const d = new Float32Array(n * 256);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) d[i * 256 + (f.data[2 * i + 1] * 4 + a) * 16 + f.data[2 * i] * 4 + b] = 1;
    }
    return tf.tensor4d(d, [n, 16, 16, 1]);
  },
};

export const TINY_VAE = { imageSize: 16, encoderConv: [4, 4, 8, 8], decoderDeconv: [8, 4, 4], decoderReshapeChannels: 8, decoderHidden: 16, encoderHidden: 16, discriminatorHidden: 12, latentDims: 4 };
export const TINY_GAN = { imageSize: 16, trunkConv: [4, 4, 8, 8], generatorDeconv: [8, 4, 4], generatorReshapeChannels: 8, generatorHidden: 16, trunkHidden: 16, qHidden: 8 };
