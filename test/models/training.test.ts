import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { FactorBatch } from '../../src/core/types.js';
import { createRng } from '../../src/core/rng.js';
import { Adam } from '../../src/models/adam.js';
import { buildInfoGanCr } from '../../src/models/infoganCr.js';
import { buildFactorVae, reparameterize, gaussianNoise } from '../../src/models/factorVae.js';
import { bernoulliReconstructionLoss, discriminatorLoss, gaussianKl, generatorAdversarialLoss, infoLoss, softmaxCrossEntropy } from '../../src/models/losses.js';
import { iterate, trainInfoGanCr } from '../../src/models/trainInfoganCr.js';
import { step } from '../../src/models/training.js';
import { trainFactorVae, vaeIteration } from '../../src/models/trainFactorVae.js';
import { DisentangleError } from '../../src/core/errors.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const S = 16;
/** A 4×4 white square at one of 4×4 positions on a 16×16 canvas. */
const squares = {
  factorSizes: [4, 4],
  observationsFromFactors(f: FactorBatch) {
    const n = f.shape[0];
    const d = new Float32Array(n * S * S);
    for (let i = 0; i < n; i++) {
      const x = f.data[2 * i] * 4;
      const y = f.data[2 * i + 1] * 4;
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) d[i * S * S + (y + a) * S + x + b] = 1;
    }
    return tf.tensor4d(d, [n, S, S, 1]);
  },
};
const GAN = { imageSize: S, trunkConv: [4, 4, 8, 8], generatorDeconv: [8, 4, 4], generatorReshapeChannels: 8, generatorHidden: 16, trunkHidden: 16, qHidden: 8 };
const VAE = { imageSize: S, encoderConv: [4, 4, 8, 8], decoderDeconv: [8, 4, 4], decoderReshapeChannels: 8, decoderHidden: 16, encoderHidden: 16, discriminatorHidden: 12, latentDims: 4 };

function fixedBatch(n: number) {
  const rng = createRng(9);
  const f = new Int32Array(2 * n).map((_, i) => rng.int(4));
  return squares.observationsFromFactors({ data: f, shape: [n, 2] });
}

const scalar = (f: () => tf.Scalar) => tf.tidy(() => f().dataSync()[0]);
const noRead = () => NaN;

describe('one step lowers each loss on a fixed batch', () => {
  it('InfoGAN-CR: H, D/Q and G losses', () => {
    const m = buildInfoGanCr({ ...GAN, seed: 1 });
    const n = 16;
    const real = fixedBatch(n);
    const z = tf.randomUniform([n, 10], -1, 1, 'float32', 3) as tf.Tensor2D;
    const codes = tf.slice(z, [0, 0], [n, 5]) as tf.Tensor2D;
    const z2 = tf.randomUniform([n, 10], -1, 1, 'float32', 4) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0], 'int32');
    const lossH = () => softmaxCrossEntropy(m.crLogits(tf.concat([m.generate(z, true), m.generate(z2, true)], 3) as tf.Tensor4D), labels);
    const lossDQ = () => {
      const fake = m.discriminate(m.generate(z, true));
      return tf.add(discriminatorLoss(m.discriminate(real).d, fake.d), tf.mul(infoLoss(fake.q, codes), 0.05)) as tf.Scalar;
    };
    const lossG = () => {
      const fake = m.discriminate(m.generate(z, true));
      return tf.add(generatorAdversarialLoss(fake.d), tf.mul(infoLoss(fake.q, codes), 0.05)) as tf.Scalar;
    };
    const cases: Array<[string, () => tf.Scalar, tf.Variable[], number]> = [
      ['H', lossH, m.crVariables(), 2e-3],
      ['D/Q', lossDQ, m.discriminatorVariables(), 2e-3],
      ['G', lossG, m.generatorVariables(), 1e-3],
    ];
    for (const [name, f, vars, lr] of cases) {
      const before = scalar(f);
      const opt = new Adam(vars, { learningRate: lr, beta1: 0.5 });
      step(opt, vars, f, noRead);
      opt.dispose();
      expect(scalar(f), name).toBeLessThan(before);
    }
    tf.dispose([real, z, codes, z2, labels]);
    m.dispose();
  });

  it('FactorVAE: VAE loss and TC-discriminator loss', () => {
    // A wider, shallower T than the tiny default: with 12-wide layers and N(0, 0.02) weights its logits start at ~1e-7.
    const m = buildFactorVae({ ...VAE, discriminatorHidden: 200, discriminatorLayers: 2, seed: 2 });
    const x = fixedBatch(16);
    const eps = gaussianNoise(16, 4, createRng(1));
    const vaeLoss = () => {
      const { mu, logVar } = m.encode(x);
      const z = reparameterize(mu, logVar, eps);
      const t = m.discriminatorLogits(z);
      const tc = tf.mean(tf.sub(tf.slice(t, [0, 0], [16, 1]), tf.slice(t, [0, 1], [16, 1])));
      return tf.addN([bernoulliReconstructionLoss(m.decodeLogits(z), x), gaussianKl(mu, logVar), tf.mul(tc, 10)]) as tf.Scalar;
    };
    const before = scalar(vaeLoss);
    const opt = new Adam(m.vaeVariables(), { learningRate: 1e-3 });
    step(opt, m.vaeVariables(), vaeLoss, noRead);
    expect(scalar(vaeLoss)).toBeLessThan(before);
    const z = tf.randomNormal([16, 4], 0, 1, 'float32', 5) as tf.Tensor2D;
    const zt = tf.randomNormal([16, 4], 2, 1, 'float32', 6) as tf.Tensor2D;
    const tLoss = () =>
      tf.mul(
        tf.add(softmaxCrossEntropy(m.discriminatorLogits(z), tf.zeros([16], 'int32') as tf.Tensor1D), softmaxCrossEntropy(m.discriminatorLogits(zt), tf.ones([16], 'int32') as tf.Tensor1D)),
        0.5,
      ) as tf.Scalar;
    const tBefore = scalar(tLoss);
    const topt = new Adam(m.discriminatorVariables(), { learningRate: 1e-3, beta1: 0.5, beta2: 0.9 });
    step(topt, m.discriminatorVariables(), tLoss, noRead);
    expect(scalar(tLoss)).toBeLessThan(tBefore);
    tf.dispose([x, eps, z, zt]);
    opt.dispose();
    topt.dispose();
    m.dispose();
  });
});

describe('no tensor leaks per step', () => {
  it('InfoGAN-CR iteration (with CR on) and FactorVAE iterations of every objective', () => {
    const m = buildInfoGanCr(GAN);
    const adam = (vars: tf.Variable[]) => new Adam(vars, { learningRate: 1e-3, beta1: 0.5 });
    const opts = { g: adam(m.generatorVariables()), dq: adam(m.discriminatorVariables()), h: adam(m.crVariables()) };
    const o = { batchSize: 8, lambdaInfo: 0.05, gap: 0, generatorSteps: 2, trainCrBeforeSwitch: true, lambdaCr: 2 };
    const real = fixedBatch(8);
    iterate(m, opts, o, real, createRng(0), true);
    const before = tf.memory().numTensors;
    iterate(m, opts, o, real, createRng(1), true);
    iterate(m, opts, o, real, createRng(2), false);
    expect(tf.memory().numTensors).toBe(before);
    Object.values(opts).forEach((x) => x.dispose());
    m.dispose();

    const v = buildFactorVae(VAE);
    const vopts = { vae: new Adam(v.vaeVariables(), { learningRate: 1e-3 }), tc: new Adam(v.discriminatorVariables(), { learningRate: 1e-3 }) };
    for (const objective of ['factor-vae', 'beta-vae', 'beta-tcvae'] as const) {
      const vo = { objective, gamma: 10, beta: 4, datasetSize: 16 };
      vaeIteration(v, vopts, vo, real, createRng(0), true);
      const b = tf.memory().numTensors;
      vaeIteration(v, vopts, vo, real, createRng(1), true);
      vaeIteration(v, vopts, vo, real, createRng(2), false);
      expect(tf.memory().numTensors, objective).toBe(b);
    }
    vopts.vae.dispose();
    vopts.tc.dispose();
    real.dispose();
    v.dispose();
  });

  it('a whole training run leaves only the model behind', async () => {
    const before = tf.memory().numTensors;
    const m = await trainInfoGanCr({ dataset: squares, config: GAN, iterations: 2, crStartIteration: 1, batchSize: 8, seed: 0 });
    expect(tf.memory().numTensors - before).toBe(Object.keys(m.params()).length);
    m.dispose();
    const v = await trainFactorVae({ dataset: squares, config: VAE, iterations: 2, batchSize: 8, seed: 0 });
    expect(tf.memory().numTensors - before).toBe(Object.keys(v.params()).length);
    v.dispose();
  });
});

function weights(m: { params(): Record<string, tf.Variable> }): Record<string, number[]> {
  return Object.fromEntries(Object.entries(m.params()).map(([k, v]) => [k, Array.from(v.dataSync())]));
}

describe('reproducible for a seed on the cpu backend', () => {
  it('two 3-step InfoGAN-CR runs (CR switching on at 2) give identical weights; another seed does not', async () => {
    const run = (seed: number) => trainInfoGanCr({ dataset: squares, config: { ...GAN, seed: 5 }, iterations: 3, crStartIteration: 2, batchSize: 8, seed });
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(weights(a)).toEqual(weights(b));
    expect(weights(a)['g/fc0/kernel']).not.toEqual(weights(c)['g/fc0/kernel']);
    expect(a.history.at(-1)?.lambdaCr).toBe(2);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('two 3-step FactorVAE runs give identical weights', async () => {
    const run = () => trainFactorVae({ dataset: squares, config: VAE, iterations: 3, batchSize: 8, seed: 4, objective: 'factor-vae' });
    const [a, b] = [await run(), await run()];
    expect(weights(a)).toEqual(weights(b));
    [a, b].forEach((m) => m.dispose());
  });
});

describe('run options', () => {
  it('reports monotone progress and stops on abort with ABORTED', async () => {
    const seen: number[] = [];
    const ac = new AbortController();
    const p = trainFactorVae({
      dataset: squares,
      config: VAE,
      iterations: 50,
      batchSize: 4,
      onProgress: (q) => {
        seen.push(q.done);
        if (q.done === 3) ac.abort();
      },
      signal: ac.signal,
    });
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('bad options name the argument', async () => {
    await expect(trainInfoGanCr({ dataset: squares, config: GAN, iterations: -1 })).rejects.toBeInstanceOf(DisentangleError);
    await expect(trainFactorVae({ dataset: squares, config: VAE, objective: 'vae' as 'beta-vae' })).rejects.toMatchObject({ argument: 'objective' });
    // images of the wrong size for the config
    await expect(trainFactorVae({ dataset: squares, config: { ...VAE, imageSize: 32 }, iterations: 1, batchSize: 2 })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
  });
});


describe('option and config names', () => {
  it('the trainers, builders and asGenerativeModel refuse a misspelt name, naming the closest valid one', async () => {
    const bad = (argument: string, near: string) => expect.objectContaining({ code: 'BAD_OPTION', argument, message: expect.stringMatching(new RegExp(`did you mean ${near}\\?`)) });
    await expect(trainFactorVae({ dataset: squares, config: VAE, iterations: 1, gama: 2 } as never)).rejects.toEqual(bad('gama', 'gamma'));
    await expect(trainInfoGanCr({ dataset: squares, config: GAN, iterations: 1, lambdaCR: 2 } as never)).rejects.toEqual(bad('lambdaCR', 'lambdaCr'));
    await expect(trainInfoGanCr({ dataset: squares, config: GAN, iterations: 1, checkpointEvry: 2 } as never)).rejects.toEqual(bad('checkpointEvry', 'checkpointEvery'));
    const before = tf.memory().numTensors;
    expect(() => buildFactorVae({ ...VAE, latentDim: 3 } as never)).toThrow(bad('latentDim', 'latentDims'));
    expect(() => buildInfoGanCr({ ...GAN, codeDim: 3 } as never)).toThrow(bad('codeDim', 'codeDims'));
    await expect(trainFactorVae({ dataset: squares, config: { ...VAE, encoderHiden: 8 }, iterations: 1 } as never)).rejects.toEqual(bad('encoderHiden', 'encoderHidden'));
    expect(tf.memory().numTensors).toBe(before);
    const vae = buildFactorVae(VAE);
    expect(() => vae.asGenerativeModel({ representaton: 'mean' } as never)).toThrow(bad('representaton', 'representation'));
    vae.dispose();
  });
});
