import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import { intOption, numberOption, checkOptions } from '../core/validate.js';
import { Adam } from './adam.js';
import { buildInfoGanCr, InfoGanCr } from './infoganCr.js';
import { resolveInfoGanCrConfig, type InfoGanCrConfig } from './infoganCrConfig.js';
import { sampleContrastivePairs, sampleUniformLatents } from './infoganCrLatents.js';
import { discriminatorLoss, generatorAdversarialLoss, infoLoss, softmaxCrossEntropy } from './losses.js';
import { checkTrainingInput, readTrainingSchedule, step, train, trainingRng, TRAINING_OPTION_NAMES, type TrainingOptions } from './training.js';

/** Options of {@link trainInfoGanCr}; the defaults are the paper's dSprites schedule. */
export interface TrainInfoGanCrOptions extends TrainingOptions<InfoGanCr> {
  config?: InfoGanCrConfig;
  /** Total iterations. Default 322,560 (28 epochs × 11,520). */
  iterations?: number;
  /** λ_CR is 0 before this iteration and `lambdaCr` from it on; H and its Adam state are re-initialized there. Default 288,000. */
  crStartIteration?: number;
  /** Default 2 (config.py; the `__main__` 1.0 is not what the paper ran). */
  lambdaCr?: number;
  /** Weight of L_Q in both the G and the D/Q losses. Default 0.05. */
  lambdaInfo?: number;
  /** CR gap α (0 on dSprites). */
  gap?: number;
  /** Adam learning rates: G 1e-3, D/Q 2e-3, H 2e-3; β1 0.5, β2 0.999, ε 1e-8 for all three. */
  generatorLr?: number;
  discriminatorLr?: number;
  crLr?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** G updates per iteration. Default 2 (the reference runs its G op twice). */
  generatorSteps?: number;
  /**
   * Train H (and update its SN vectors) before λ_CR switches on, as the reference does. Its weights are reset at
   * the switch, so turning this off only changes where H's SN vectors u start; it saves about a fifth of the time.
   * Default true.
   */
  trainCrBeforeSwitch?: boolean;
}

/**
 * Trains InfoGAN-CR (Lin et al., ICML 2020) as the reference `INFOGAN_CR.train` does: per iteration, with one
 * shared draw of z, contrastive pairs and a real batch: 1 H step, 1 D/Q step, `generatorSteps` G steps, then
 * the spectral-norm u updates. λ_CR switches on at `crStartIteration` with H and its Adam state re-initialized;
 * the iteration before the switch is the "InfoGAN (modified)" baseline (saved as a checkpoint when
 * `checkpointDir` is set). Adam is TF1's (ε 1e-8). Randomness for iteration i comes from (seed, i) alone, so a
 * resumed run continues exactly as an uninterrupted one would on the same backend.
 *
 * Observations must be images [n, side, side, channels] in [0, 1] matching the config.
 *
 * @example
 * const model = await trainInfoGanCr({
 *   dataset: dsprites(), iterations: 2000, crStartIteration: 1500, seed: 0,
 *   config: { imageSize: 64 }, onProgress: (p) => console.log(p.done, p.total),
 * });
 * const gm = model.asGenerativeModel();
 */
export async function trainInfoGanCr(options: TrainInfoGanCrOptions): Promise<InfoGanCr> {
  checkOptions(options, 'trainInfoGanCr', OPTION_NAMES);
  const o = readOptions(options);
  const adam = (lr: number, vars: tf.Variable[]) => new Adam(vars, { learningRate: lr, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon });
  const spec = {
    modelType: 'infogan-cr',
    isModel: (x: unknown) => x instanceof InfoGanCr,
    resolve: resolveInfoGanCrConfig,
    build: (config: ReturnType<typeof resolveInfoGanCrConfig>) => new InfoGanCr(config),
    create: () => buildInfoGanCr(options.config),
    optimizersFor: (m: InfoGanCr) => ({ g: adam(o.generatorLr, m.generatorVariables()), dq: adam(o.discriminatorLr, m.discriminatorVariables()), h: adam(o.crLr, m.crVariables()) }),
  };
  return train(options, 'trainInfoGanCr', o, spec, (model, opts) => ({
    stage: 'train InfoGAN-CR',
    beforeIteration: (it) => {
      if (it === o.crStartIteration && it > 0) {
        model.resetCrDiscriminator(trainingRng(o.seed, it, 1));
        opts.h.reset();
      }
    },
    iterate: (it, real, rng, log) => {
      const lambdaCr = it >= o.crStartIteration ? o.lambdaCr : 0;
      const entry = iterate(model, opts, { ...o, lambdaCr }, real, rng, log);
      return entry && { iteration: it, ...entry, lambdaCr };
    },
    // The iteration before the switch is the "InfoGAN (modified)" baseline.
    checkpointAt: (it) => it === o.crStartIteration - 1,
  }));
}

/** The option names of {@link TrainInfoGanCrOptions}: the shared training ones and InfoGAN-CR's schedule. */
const OPTION_NAMES = [
  ...TRAINING_OPTION_NAMES,
  ...Object.keys({
    config: 0,
    crStartIteration: 0,
    lambdaCr: 0,
    lambdaInfo: 0,
    gap: 0,
    generatorLr: 0,
    discriminatorLr: 0,
    crLr: 0,
    beta1: 0,
    beta2: 0,
    epsilon: 0,
    generatorSteps: 0,
    trainCrBeforeSwitch: 0,
  } satisfies Record<Exclude<keyof TrainInfoGanCrOptions, keyof TrainingOptions<InfoGanCr>>, 0>),
];

type Resolved = ReturnType<typeof readOptions>;

function readOptions(options: TrainInfoGanCrOptions) {
  checkTrainingInput(options, 'trainInfoGanCr');
  return {
    ...readTrainingSchedule(options, 322_560),
    crStartIteration: intOption(options.crStartIteration, 'crStartIteration', 288_000, 0),
    lambdaCr: numberOption(options.lambdaCr, 'lambdaCr', 2, 0),
    lambdaInfo: numberOption(options.lambdaInfo, 'lambdaInfo', 0.05, 0),
    gap: numberOption(options.gap, 'gap', 0, 0, 2),
    generatorLr: numberOption(options.generatorLr, 'generatorLr', 1e-3, 0),
    discriminatorLr: numberOption(options.discriminatorLr, 'discriminatorLr', 2e-3, 0),
    crLr: numberOption(options.crLr, 'crLr', 2e-3, 0),
    beta1: numberOption(options.beta1, 'beta1', 0.5, 0, 1),
    beta2: numberOption(options.beta2, 'beta2', 0.999, 0, 1),
    epsilon: numberOption(options.epsilon, 'epsilon', 1e-8, 0),
    generatorSteps: intOption(options.generatorSteps, 'generatorSteps', 2, 1),
    trainCrBeforeSwitch: options.trainCrBeforeSwitch ?? true,
  };
}

/** One reference iteration on one draw of z, pairs and real images. Returns losses when `log` is set. */
export function iterate(
  model: InfoGanCr,
  opts: { g: Adam; dq: Adam; h: Adam },
  o: Pick<Resolved, 'batchSize' | 'lambdaInfo' | 'gap' | 'generatorSteps' | 'trainCrBeforeSwitch'> & { lambdaCr: number },
  real: tf.Tensor4D,
  rng: Rng,
  log: boolean,
): { lossD: number; lossQ: number; lossG: number; lossH: number } | undefined {
  const c = model.config;
  const n = o.batchSize;
  const L = model.latentDims;
  const crOn = o.lambdaCr > 1e-8;
  const pairs = sampleContrastivePairs(n, c.codeDims, c.noiseDims, rng, o.gap);
  const zData = sampleUniformLatents(n, L, rng);
  const z = tf.tensor2d(zData, [n, L]);
  const codes = tf.slice(z, [0, 0], [n, c.codeDims]) as tf.Tensor2D;
  const z1 = tf.tensor2d(pairs.z1, [n, L]);
  const z2 = tf.tensor2d(pairs.z2, [n, L]);
  const labels = tf.tensor1d(pairs.labels, 'int32');
  const crLoss = () => {
    const pair = tf.concat([model.generate(z1, crOn), model.generate(z2, crOn)], 3) as tf.Tensor4D;
    return softmaxCrossEntropy(model.crLogits(pair), labels);
  };
  const losses = { lossD: NaN, lossQ: NaN, lossG: NaN, lossH: NaN };
  const read = (t: tf.Tensor) => (log ? t.dataSync()[0] : NaN);
  try {
    if (crOn || o.trainCrBeforeSwitch) {
      losses.lossH = step(opts.h, model.crVariables(), crLoss, read);
    }
    let lq: tf.Tensor | undefined;
    losses.lossD = step(
      opts.dq,
      model.discriminatorVariables(),
      () => {
        const fake = model.discriminate(model.generate(z, true));
        const ld = discriminatorLoss(model.discriminate(real).d, fake.d);
        const q = infoLoss(fake.q, codes);
        if (log) lq = tf.keep(tf.clone(q));
        return tf.add(ld, tf.mul(q, o.lambdaInfo)) as tf.Scalar;
      },
      read,
    );
    if (lq) {
      losses.lossQ = lq.dataSync()[0];
      losses.lossD -= o.lambdaInfo * losses.lossQ;
      lq.dispose();
    }
    for (let s = 0; s < o.generatorSteps; s++) {
      losses.lossG = step(
        opts.g,
        model.generatorVariables(),
        () => {
          const fake = model.discriminate(model.generate(z, true));
          let loss = tf.add(generatorAdversarialLoss(fake.d), tf.mul(infoLoss(fake.q, codes), o.lambdaInfo));
          if (crOn) loss = tf.add(loss, tf.mul(crLoss(), o.lambdaCr));
          return loss as tf.Scalar;
        },
        read,
      );
    }
    model.updateSpectralNorms(crOn || o.trainCrBeforeSwitch);
  } finally {
    tf.dispose([z, codes, z1, z2, labels]);
  }
  return log ? losses : undefined;
}
