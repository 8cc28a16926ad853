import * as tf from '@tensorflow/tfjs-core';
import { createYielder, raceAbort } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import { disposeIfTensor, toTensor } from '../core/tensor.js';
import type { GroundTruthDataset, RunOptions, TensorLike } from '../core/types.js';
import { checkFactorSizes, intOption, numberOption, checkOptions } from '../core/validate.js';
import { drawFactors, toFactorBatch, type SamplingContext } from '../data/sampling.js';
import { Adam } from './adam.js';
import { registerGradients } from './gradients.js';
import { checkTrainingOptions, MAX_TRAINING_BATCH, startTraining, writeCheckpoint, type ResumeInfo } from './resume.js';
import {
  buildInfoGanCr,
  discriminatorLoss,
  generatorAdversarialLoss,
  infoLoss,
  InfoGanCr,
  sampleContrastivePairs,
  sampleUniformLatents,
  softmaxCrossEntropy,
  resolveInfoGanCrConfig,
  type InfoGanCrConfig,
} from './infoganCr.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link trainInfoGanCr}; the defaults are the paper's dSprites schedule (§13). */
export interface TrainInfoGanCrOptions extends RunOptions {
  /** Real images come from here: uniform factors (or the dataset's own sampler), rendered each iteration. */
  dataset: GroundTruthDataset<TensorLike>;
  /** Continue training this model (default: a fresh `buildInfoGanCr(config)`). */
  model?: InfoGanCr;
  config?: InfoGanCrConfig;
  /** Total iterations. Default 322,560 (28 epochs × 11,520). */
  iterations?: number;
  /** Default 64. */
  batchSize?: number;
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
  /** Write a checkpoint every N iterations into `checkpointDir/iteration-<i>` (Node). */
  checkpointEvery?: number;
  checkpointDir?: string;
  /**
   * Resume from a checkpoint written by this trainer (weights, Adam moments and iteration), or from a run
   * directory (`checkpointDir`, or the folder holding it as `checkpoints/`): then from its newest checkpoint that
   * loads, skipping torn or damaged newer ones. Resuming at or past `iterations` returns the checkpoint's model.
   */
  resumeFrom?: string;
  /** Told which checkpoint a resume started from and which newer ones it skipped, and why. */
  onResume?: (info: ResumeInfo) => void;
  /** Record losses every N iterations in `model.history` (reading them back costs a sync). Default 50. */
  logEvery?: number;
}

/**
 * Trains InfoGAN-CR (Lin et al., ICML 2020) as the reference `INFOGAN_CR.train` does (§13): per iteration, with one
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
  checkOptions(options, 'trainInfoGanCr');
  const o = readOptions(options);
  await ensureBackend();
  const sampleReal = realBatchSampler(options.dataset, 'trainInfoGanCr', options.signal);
  const adam = (lr: number, vars: tf.Variable[]) => new Adam(vars, { learningRate: lr, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon });
  const { model, optimizers: opts, owned } = await startTraining(options, {
    modelType: 'infogan-cr',
    isModel: (x) => x instanceof InfoGanCr,
    resolve: resolveInfoGanCrConfig,
    build: (config) => new InfoGanCr(config),
    create: () => buildInfoGanCr(options.config),
    optimizersFor: (m) => ({ g: adam(o.generatorLr, m.generatorVariables()), dq: adam(o.discriminatorLr, m.discriminatorVariables()), h: adam(o.crLr, m.crVariables()) }),
  });
  const c = model.config;
  const shape = [c.imageSize, c.imageSize, c.channels];
  const stage = 'train InfoGAN-CR';
  // Time-based, so Ctrl-C, timers and progress bars get a turn at least every ~50 ms whatever the model size.
  const yielder = createYielder(options.signal);
  try {
    for (let it = model.iteration; it < o.iterations; it++) {
      throwIfAborted(options.signal);
      if (it === o.crStartIteration && it > 0) {
        model.resetCrDiscriminator(trainingRng(o.seed, it, 1));
        opts.h.reset();
      }
      const lambdaCr = it >= o.crStartIteration ? o.lambdaCr : 0;
      const rng = trainingRng(o.seed, it, 0);
      const real = await sampleReal(o.batchSize, rng, shape);
      const log = (it + 1) % o.logEvery === 0 || it === o.iterations - 1;
      let entry: ReturnType<typeof iterate>;
      try {
        entry = iterate(model, opts, { ...o, lambdaCr }, real, rng, log);
      } finally {
        real.dispose();
      }
      model.iteration = it + 1;
      if (entry) model.history.push({ iteration: it, ...entry, lambdaCr });
      if (options.checkpointDir) {
        const every = o.checkpointEvery > 0 && (it + 1) % o.checkpointEvery === 0;
        const baseline = it === o.crStartIteration - 1;
        if (every || baseline) await writeCheckpoint(`${options.checkpointDir}/iteration-${it}`, model, model.params(), opts, o.seed);
      }
      options.onProgress?.({ stage, done: it + 1, total: o.iterations });
      await yielder.maybeYield();
    }
  } catch (e) {
    // A model the caller passed in stays theirs; one this run made is unreachable once we throw.
    if (owned) model.dispose();
    throw e;
  } finally {
    for (const opt of Object.values(opts)) opt.dispose();
  }
  return model;
}

type Resolved = ReturnType<typeof readOptions>;

function readOptions(options: TrainInfoGanCrOptions) {
  if (!options || typeof options !== 'object') throw new DisentangleError('BAD_OPTION', 'options', 'expected an options object');
  if (!options.dataset) throw new DisentangleError('BAD_INPUT', 'dataset', 'trainInfoGanCr needs a dataset of images');
  checkTrainingOptions(options);
  const iterations = intOption(options.iterations, 'iterations', 322_560, 0);
  return {
    iterations,
    batchSize: intOption(options.batchSize, 'batchSize', 64, 2, MAX_TRAINING_BATCH),
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
    checkpointEvery: intOption(options.checkpointEvery, 'checkpointEvery', 0, 0),
    logEvery: intOption(options.logEvery, 'logEvery', 50, 1),
    seed: intOption(options.seed, 'seed', 0, 0, 4294967295),
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

/** One optimizer step on `vars` for the loss `f`; returns the loss through `read` before disposing it. */
export function step(opt: Adam, vars: tf.Variable[], f: () => tf.Scalar, read: (t: tf.Tensor) => number): number {
  registerGradients();
  const { value, grads } = tf.variableGrads(f, vars);
  opt.apply(grads);
  const v = read(value);
  tf.dispose(value);
  tf.dispose(Object.values(grads));
  return v;
}

/**
 * The random stream of training iteration `iteration` (`stream` separates independent uses): a function of the
 * seed and the iteration only, so a run resumed from a checkpoint draws exactly what the uninterrupted run drew.
 */
export function trainingRng(seed: number, iteration: number, stream: number): Rng {
  return createRng(seed * 1048576 * 4 + iteration * 4 + stream);
}

/**
 * Draws a batch of real observations: factors from the dataset's sampler (uniform by default) through the one
 * sampler of `data/sampling`, rendered by the dataset, uploaded as float32 [n, ...shape]. The caller disposes.
 * Every await of the dataset races `signal`.
 */
export function realBatchSampler(
  dataset: GroundTruthDataset<TensorLike>,
  fn: string,
  signal?: AbortSignal,
): (n: number, rng: Rng, shape: readonly number[]) => Promise<tf.Tensor4D> {
  if (!dataset || typeof dataset.observationsFromFactors !== 'function') {
    throw new DisentangleError('BAD_INPUT', 'dataset', `${fn} needs a GroundTruthDataset with observationsFromFactors`);
  }
  const ctx: SamplingContext<TensorLike> = {
    dataset,
    represent: () => {
      throw new DisentangleError('UNSUPPORTED', 'represent', 'training draws observations only');
    },
    factorSizes: checkFactorSizes(dataset.factorSizes, 'dataset.factorSizes'),
    signal,
  };
  return async (n, rng, shape) => {
    const factors = await drawFactors(ctx, n, rng);
    const obs = await raceAbort(dataset.observationsFromFactors(toFactorBatch(factors), rng), signal, 'dataset.observationsFromFactors');
    let tensor: tf.Tensor;
    let owned: boolean;
    try {
      ({ tensor, owned } = toTensor(obs, shape, 'dataset.observationsFromFactors', fn));
    } catch (e) {
      disposeIfTensor(obs);
      throw e;
    }
    if (tensor.shape[0] !== n) {
      tensor.dispose();
      if (owned) disposeIfTensor(obs);
      throw new DisentangleError('CALLBACK_RESULT', 'dataset.observationsFromFactors', `${fn}: returned ${tensor.shape[0]} images for ${n} factor rows`);
    }
    // The dataset gives its output away: a tensor it returned is ours to dispose, and so is our converted copy.
    if (owned) disposeIfTensor(obs);
    return tensor as tf.Tensor4D;
  };
}
