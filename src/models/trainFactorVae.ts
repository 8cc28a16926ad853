import * as tf from '@tensorflow/tfjs-core';
import { createYielder } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { permutation, type Rng } from '../core/rng.js';
import type { GroundTruthDataset, RunOptions, TensorLike } from '../core/types.js';
import { enumOption, intOption, numberOption, checkOptions } from '../core/validate.js';
import { Adam } from './adam.js';
import { checkTrainingOptions, MAX_TRAINING_BATCH, startTraining, writeCheckpoint, type ResumeInfo } from './resume.js';
import {
  bernoulliReconstructionLoss,
  buildFactorVae,
  FactorVae,
  gaussianKl,
  gaussianNoise,
  reparameterize,
  resolveFactorVaeConfig,
  type FactorVaeConfig,
} from './factorVae.js';
import { softmaxCrossEntropy } from './infoganCr.js';
import { realBatchSampler, step, trainingRng } from './trainInfoganCr.js';
import { ensureBackend } from '../core/backend.js';

/** The VAE objectives {@link trainFactorVae} offers. */
export type VaeObjective = 'factor-vae' | 'beta-vae' | 'beta-tcvae';

/** Options of {@link trainFactorVae}; defaults follow the ICR FactorVAE dSprites runs (§13). */
export interface TrainFactorVaeOptions extends RunOptions {
  dataset: GroundTruthDataset<TensorLike>;
  model?: FactorVae;
  config?: FactorVaeConfig;
  /** Default 'factor-vae'. */
  objective?: VaeObjective;
  /** FactorVAE's TC weight γ (tc_coe ∈ {1, 10, 20, 40} in the paper's runs). Default 10. */
  gamma?: number;
  /** β of β-VAE (default 4, Higgins et al. on dSprites) or of β-TCVAE's TC term (default 6, disentangling-vae). */
  beta?: number;
  /** Default 311,040 (27 epochs of 737,280 images at batch 64). */
  iterations?: number;
  batchSize?: number;
  /** VAE Adam: lr 1e-4, β (0.9, 0.999). TC discriminator Adam: lr 1e-4, β (0.5, 0.9). ε 1e-8. */
  learningRate?: number;
  discriminatorLr?: number;
  /** β-TCVAE's minibatch weighted sampling needs the dataset size N. Default: the product of the factor sizes. */
  datasetSize?: number;
  checkpointEvery?: number;
  checkpointDir?: string;
  /**
   * Resume from a checkpoint written by this trainer, or from a run directory (`checkpointDir`, or the folder
   * holding it as `checkpoints/`): then from its newest checkpoint that loads, skipping torn or damaged newer
   * ones. Resuming at or past `iterations` returns the checkpoint's model.
   */
  resumeFrom?: string;
  /** Told which checkpoint a resume started from and which newer ones it skipped, and why. */
  onResume?: (info: ResumeInfo) => void;
  /** Record losses every N iterations in `model.history`. Default 50. */
  logEvery?: number;
}

/**
 * Trains FactorVAE (Kim & Mnih 2018) as the ICR reference does (§13), or, with `objective`, β-VAE (Higgins et al.
 * 2017: reconstruction + β·KL) or β-TCVAE (Chen et al. 2018: reconstruction + MI + β·TC + dimension-wise KL, with
 * the minibatch-weighted-sampling estimates of disentangling-vae). Per batch: one VAE step, then (FactorVAE) one
 * TC-discriminator step on the same z and its in-batch, per-dimension permutation. Randomness of iteration i
 * depends on (seed, i) only, so resuming from a checkpoint continues exactly.
 *
 * @example
 * const vae = await trainFactorVae({ dataset: dsprites(), gamma: 10, iterations: 5000, seed: 0 });
 * const gm = vae.asGenerativeModel();   // sampled z as the representation
 */
export async function trainFactorVae(options: TrainFactorVaeOptions): Promise<FactorVae> {
  checkOptions(options, 'trainFactorVae');
  const o = readOptions(options);
  await ensureBackend();
  const sampleReal = realBatchSampler(options.dataset, 'trainFactorVae', options.signal);
  const datasetSize = o.datasetSize ?? options.dataset.factorSizes.reduce((a, b) => a * b, 1);
  const { model, optimizers: opts, owned } = await startTraining(options, {
    modelType: 'factor-vae',
    isModel: (x) => x instanceof FactorVae,
    resolve: resolveFactorVaeConfig,
    build: (config) => new FactorVae(config),
    create: () => buildFactorVae(options.config),
    optimizersFor: (m) => ({
      vae: new Adam(m.vaeVariables(), { learningRate: o.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
      tc: new Adam(m.discriminatorVariables(), { learningRate: o.discriminatorLr, beta1: 0.5, beta2: 0.9, epsilon: 1e-8 }),
    }),
  });
  const c = model.config;
  const shape = [c.imageSize, c.imageSize, c.channels];
  // Time-based, so Ctrl-C, timers and progress bars get a turn at least every ~50 ms whatever the model size.
  const yielder = createYielder(options.signal);
  try {
    for (let it = model.iteration; it < o.iterations; it++) {
      throwIfAborted(options.signal);
      const rng = trainingRng(o.seed, it, 0);
      const x = await sampleReal(o.batchSize, rng, shape);
      const log = (it + 1) % o.logEvery === 0 || it === o.iterations - 1;
      let entry: ReturnType<typeof vaeIteration>;
      try {
        entry = vaeIteration(model, opts, { ...o, datasetSize }, x, rng, log);
      } finally {
        x.dispose();
      }
      model.iteration = it + 1;
      if (entry) model.history.push({ iteration: it, ...entry });
      if (options.checkpointDir && o.checkpointEvery > 0 && (it + 1) % o.checkpointEvery === 0) {
        await writeCheckpoint(`${options.checkpointDir}/iteration-${it}`, model, model.params(), opts, o.seed);
      }
      options.onProgress?.({ stage: `train ${o.objective}`, done: it + 1, total: o.iterations });
      await yielder.maybeYield();
    }
  } catch (e) {
    // A model the caller passed in stays theirs; one this run made is unreachable once we throw.
    if (owned) model.dispose();
    throw e;
  } finally {
    opts.vae.dispose();
    opts.tc.dispose();
  }
  return model;
}

function readOptions(options: TrainFactorVaeOptions) {
  if (!options || typeof options !== 'object') throw new DisentangleError('BAD_OPTION', 'options', 'expected an options object');
  if (!options.dataset) throw new DisentangleError('BAD_INPUT', 'dataset', 'trainFactorVae needs a dataset of images');
  checkTrainingOptions(options);
  const objective = enumOption(options.objective, 'objective', ['factor-vae', 'beta-vae', 'beta-tcvae'] as const, 'factor-vae');
  return {
    objective,
    gamma: numberOption(options.gamma, 'gamma', 10, 0),
    beta: numberOption(options.beta, 'beta', objective === 'beta-tcvae' ? 6 : 4, 0),
    iterations: intOption(options.iterations, 'iterations', 311_040, 0),
    batchSize: intOption(options.batchSize, 'batchSize', 64, 2, MAX_TRAINING_BATCH),
    learningRate: numberOption(options.learningRate, 'learningRate', 1e-4, 0),
    discriminatorLr: numberOption(options.discriminatorLr, 'discriminatorLr', 1e-4, 0),
    datasetSize: options.datasetSize === undefined ? undefined : intOption(options.datasetSize, 'datasetSize', 1),
    checkpointEvery: intOption(options.checkpointEvery, 'checkpointEvery', 0, 0),
    logEvery: intOption(options.logEvery, 'logEvery', 50, 1),
    seed: intOption(options.seed, 'seed', 0, 0, 4294967295),
  };
}

type IterationOptions = { objective: VaeObjective; gamma: number; beta: number; datasetSize: number };

/** One VAE step (and, for FactorVAE, one TC-discriminator step) on the batch `x`. */
export function vaeIteration(
  model: FactorVae,
  opts: { vae: Adam; tc: Adam },
  o: IterationOptions,
  x: tf.Tensor4D,
  rng: Rng,
  log: boolean,
): Omit<import('./factorVae.js').FactorVaeHistoryEntry, 'iteration'> | undefined {
  const n = x.shape[0];
  const D = model.config.latentDims;
  const eps = gaussianNoise(n, D, rng);
  const parts: tf.Tensor[] = [];
  const keep = (t: tf.Tensor) => {
    if (log) parts.push(tf.keep(tf.clone(t)));
  };
  let zKept: tf.Tensor2D | undefined;
  const read = (t: tf.Tensor) => (log ? t.dataSync()[0] : NaN);
  try {
    const loss = step(
      opts.vae,
      model.vaeVariables(),
      () => {
        const { mu, logVar } = model.encode(x);
        const z = reparameterize(mu, logVar, eps);
        const rec = bernoulliReconstructionLoss(model.decodeLogits(z), x);
        const kl = gaussianKl(mu, logVar);
        keep(rec);
        keep(kl);
        if (o.objective === 'beta-vae') {
          keep(tf.scalar(0));
          return tf.add(rec, tf.mul(kl, o.beta)) as tf.Scalar;
        }
        if (o.objective === 'beta-tcvae') {
          const { mi, tc, dimensionWiseKl } = betaTcvaeTerms(z, mu, logVar, o.datasetSize);
          keep(tc);
          return tf.addN([rec, mi, tf.mul(tc, o.beta), dimensionWiseKl]) as tf.Scalar;
        }
        zKept = tf.keep(tf.clone(z));
        const t = model.discriminatorLogits(z);
        const tc = tf.mean(tf.sub(tf.slice(t, [0, 0], [n, 1]), tf.slice(t, [0, 1], [n, 1])));
        keep(tc);
        return tf.addN([rec, kl, tf.mul(tc, o.gamma)]) as tf.Scalar;
      },
      read,
    );
    let discriminatorLoss = NaN;
    if (zKept) {
      const zk = zKept;
      const zPerm = permuteDims(zk, rng);
      const labels0 = tf.zeros([n], 'int32') as tf.Tensor1D;
      const labels1 = tf.ones([n], 'int32') as tf.Tensor1D;
      // −½ mean ln p0(z) − ½ mean ln p1(z̃): two half-weighted cross-entropies.
      discriminatorLoss = step(
        opts.tc,
        model.discriminatorVariables(),
        () =>
          tf.mul(
            tf.add(softmaxCrossEntropy(model.discriminatorLogits(zk), labels0), softmaxCrossEntropy(model.discriminatorLogits(zPerm), labels1)),
            0.5,
          ) as tf.Scalar,
        read,
      );
      tf.dispose([zPerm, labels0, labels1]);
    }
    if (!log) return undefined;
    const [reconstruction, kl, tc] = parts.map((t) => t.dataSync()[0]);
    return { loss, reconstruction, kl, tc, discriminatorLoss };
  } finally {
    tf.dispose([eps, ...parts]);
    if (zKept) zKept.dispose();
  }
}

/** Permutes each latent dimension independently across the batch (FactorVAE's samples of ∏_d q(z_d)). */
export function permuteDims(z: tf.Tensor2D, rng: Rng): tf.Tensor2D {
  const [n, d] = z.shape;
  const src = z.dataSync();
  const out = new Float32Array(n * d);
  for (let j = 0; j < d; j++) {
    const perm = permutation(n, rng);
    for (let i = 0; i < n; i++) out[i * d + j] = src[perm[i] * d + j];
  }
  return tf.tensor2d(out, [n, d]);
}

const LOG_2PI = Math.log(2 * Math.PI);

function logNormal(z: tf.Tensor, mu: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  // square(sub) rather than squaredDifference: the latter has no broadcasting gradient in tfjs-core.
  return tf.mul(tf.add(tf.add(tf.div(tf.square(tf.sub(z, mu)), tf.exp(logVar)), logVar), LOG_2PI), -0.5);
}

/**
 * β-TCVAE's decomposition of the KL term with minibatch weighted sampling (Chen et al. 2018, as in
 * disentangling-vae): with log q(z_i) ≈ logsumexp_j log q(z_i|x_j) − ln(n·N) and the same per dimension,
 * MI = mean[log q(z|x) − log q(z)], TC = mean[log q(z) − Σ_d log q(z_d)], dimension-wise KL = mean[Σ_d log q(z_d) − log p(z)].
 */
export function betaTcvaeTerms(
  z: tf.Tensor2D,
  mu: tf.Tensor2D,
  logVar: tf.Tensor2D,
  datasetSize: number,
): { mi: tf.Scalar; tc: tf.Scalar; dimensionWiseKl: tf.Scalar } {
  const n = z.shape[0];
  const logNm = Math.log(n * datasetSize);
  const logQzCx = tf.sum(logNormal(z, mu, logVar), 1);
  const logPz = tf.sum(logNormal(z, tf.zerosLike(z), tf.zerosLike(z)), 1);
  // mat[i, j, d] = log q(z_i,d | x_j)
  const mat = logNormal(tf.expandDims(z, 1), tf.expandDims(mu, 0), tf.expandDims(logVar, 0));
  const logQz = tf.sub(tf.logSumExp(tf.sum(mat, 2), 1), logNm);
  const logProdQzi = tf.sum(tf.sub(tf.logSumExp(mat, 1), logNm), 1);
  return {
    mi: tf.mean(tf.sub(logQzCx, logQz)) as tf.Scalar,
    tc: tf.mean(tf.sub(logQz, logProdQzi)) as tf.Scalar,
    dimensionWiseKl: tf.mean(tf.sub(logProdQzi, logPz)) as tf.Scalar,
  };
}
