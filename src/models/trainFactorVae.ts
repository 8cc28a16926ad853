import * as tf from '@tensorflow/tfjs-core';
import { permutation, type Rng } from '../core/rng.js';
import { enumOption, numberOption, intOption, checkOptions } from '../core/validate.js';
import { Adam } from './adam.js';
import { buildFactorVae, FactorVae, gaussianNoise, reparameterize, resolveFactorVaeConfig, type FactorVaeConfig, type FactorVaeHistoryEntry } from './factorVae.js';
import { bernoulliReconstructionLoss, gaussianKl, softmaxCrossEntropy } from './losses.js';
import { checkTrainingInput, readTrainingSchedule, step, train, TRAINING_OPTION_NAMES, type TrainingOptions } from './training.js';

/** The VAE objectives {@link trainFactorVae} offers. */
export type VaeObjective = 'factor-vae' | 'beta-vae' | 'beta-tcvae';

/** Options of {@link trainFactorVae}; defaults follow the ICR FactorVAE dSprites runs. */
export interface TrainFactorVaeOptions extends TrainingOptions<FactorVae> {
  config?: FactorVaeConfig;
  /** Default 'factor-vae'; 'beta-vae' and 'beta-tcvae' train the same networks with those objectives. */
  objective?: VaeObjective;
  /** FactorVAE's TC weight γ (tc_coe ∈ {1, 10, 20, 40} in the paper's runs). Default 10. */
  gamma?: number;
  /** β of β-VAE (default 4, Higgins et al. on dSprites) or of β-TCVAE's TC term (default 6, disentangling-vae). */
  beta?: number;
  /** Default 311,040 (27 epochs of 737,280 images at batch 64). */
  iterations?: number;
  /** VAE Adam: lr 1e-4, β (0.9, 0.999). TC discriminator Adam: lr 1e-4, β (0.5, 0.9). ε 1e-8. */
  learningRate?: number;
  discriminatorLr?: number;
  /** β-TCVAE's minibatch weighted sampling needs the dataset size N. Default: the product of the factor sizes. */
  datasetSize?: number;
}

/**
 * Trains one of three VAEs on the same networks (the {@link FactorVae} model): FactorVAE (Kim & Mnih 2018, the
 * default, as the InfoGAN-CR repository's FactorVAE runs), β-VAE (`objective: 'beta-vae'`, Higgins et al. 2017:
 * reconstruction + β·KL) or β-TCVAE (`objective: 'beta-tcvae'`, Chen et al. 2018: reconstruction + MI + β·TC +
 * dimension-wise KL, with the minibatch-weighted-sampling estimates of disentangling-vae). The name says FactorVAE
 * because that is the default and the model class; {@link trainVae} is the same function. Per batch: one VAE step, then (FactorVAE) one
 * TC-discriminator step on the same z and its in-batch, per-dimension permutation. Randomness of iteration i
 * depends on (seed, i) only, so resuming from a checkpoint continues exactly.
 *
 * @example
 * const vae = await trainFactorVae({ dataset: dsprites(), gamma: 10, iterations: 5000, seed: 0 });
 * const gm = vae.asGenerativeModel();   // sampled z as the representation
 */
export async function trainFactorVae(options: TrainFactorVaeOptions): Promise<FactorVae> {
  checkOptions(options, 'trainFactorVae', OPTION_NAMES);
  const o = readOptions(options);
  const spec = {
    modelType: 'factor-vae',
    isModel: (x: unknown) => x instanceof FactorVae,
    resolve: resolveFactorVaeConfig,
    build: (config: ReturnType<typeof resolveFactorVaeConfig>) => new FactorVae(config),
    create: () => buildFactorVae(options.config),
    optimizersFor: (m: FactorVae) => ({
      vae: new Adam(m.vaeVariables(), { learningRate: o.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
      tc: new Adam(m.discriminatorVariables(), { learningRate: o.discriminatorLr, beta1: 0.5, beta2: 0.9, epsilon: 1e-8 }),
    }),
  };
  return train(options, 'trainFactorVae', o, spec, (model, opts) => {
    // Read once the dataset has been checked (by the real-batch sampler).
    const datasetSize = o.datasetSize ?? options.dataset.factorSizes.reduce((a, b) => a * b, 1);
    return {
      stage: `train ${o.objective}`,
      iterate: (it, x, rng, log) => {
        const entry = vaeIteration(model, opts, { ...o, datasetSize }, x, rng, log);
        return entry && { iteration: it, ...entry };
      },
    };
  });
}

/**
 * {@link trainFactorVae} under the name of what it trains whatever the `objective`: a VAE (FactorVAE, β-VAE or
 * β-TCVAE). The same function.
 */
export const trainVae = trainFactorVae;

/** The option names of {@link TrainFactorVaeOptions}: the shared training ones and the VAE objectives'. */
const OPTION_NAMES = [
  ...TRAINING_OPTION_NAMES,
  ...Object.keys({
    config: 0,
    objective: 0,
    gamma: 0,
    beta: 0,
    learningRate: 0,
    discriminatorLr: 0,
    datasetSize: 0,
  } satisfies Record<Exclude<keyof TrainFactorVaeOptions, keyof TrainingOptions<FactorVae>>, 0>),
];

function readOptions(options: TrainFactorVaeOptions) {
  checkTrainingInput(options, 'trainFactorVae');
  const objective = enumOption(options.objective, 'objective', ['factor-vae', 'beta-vae', 'beta-tcvae'] as const, 'factor-vae');
  return {
    objective,
    gamma: numberOption(options.gamma, 'gamma', 10, 0),
    beta: numberOption(options.beta, 'beta', objective === 'beta-tcvae' ? 6 : 4, 0),
    ...readTrainingSchedule(options, 311_040),
    learningRate: numberOption(options.learningRate, 'learningRate', 1e-4, 0),
    discriminatorLr: numberOption(options.discriminatorLr, 'discriminatorLr', 1e-4, 0),
    datasetSize: options.datasetSize === undefined ? undefined : intOption(options.datasetSize, 'datasetSize', 1),
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
): Omit<FactorVaeHistoryEntry, 'iteration'> | undefined {
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
