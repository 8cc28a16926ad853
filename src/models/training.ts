/**
 * The trainer skeleton both reference models share: option checks, where training starts (a checkpoint, the
 * caller's model or a fresh one), the per-iteration random streams, drawing real batches, one optimizer step, and
 * the loop itself (abort, history, checkpoints, progress, yielding to the event loop). `trainInfoGanCr` and
 * `trainFactorVae` supply only what one iteration does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ensureBackend } from '../core/backend.js';
import { createYielder, raceAbort } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import { disposeIfTensor, toTensor } from '../core/tensor.js';
import type { GroundTruthDataset, RunOptions, TensorLike } from '../core/types.js';
import { checkFactorSizes, intOption } from '../core/validate.js';
import { drawFactors, toFactorBatch, type SamplingContext } from '../data/sampling.js';
import type { Adam } from './adam.js';
import { registerGradients } from './gradients.js';
import type { LoadableModel } from './referenceModel.js';
import { resumeTraining, writeCheckpoint, type OptimizerState, type ResumeInfo } from './resume.js';

/** Largest training batch: 4096 images of 64×64 already take gigabytes of activations in the first conv layers. */
const MAX_TRAINING_BATCH = 4096;

/** Options both trainers take. */
export interface TrainingOptions<M> extends RunOptions {
  /** Real images come from here: uniform factors (or the dataset's own sampler), rendered each iteration. */
  dataset: GroundTruthDataset<TensorLike>;
  /** Continue training this model (default: a fresh one built from `config`). */
  model?: M;
  /** Total iterations (each trainer has the paper's default). */
  iterations?: number;
  /** Default 64. */
  batchSize?: number;
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

/** The option names of {@link TrainingOptions}, which every trainer adds its own to for `checkOptions`. */
export const TRAINING_OPTION_NAMES: readonly string[] = Object.keys({
  dataset: 0,
  model: 0,
  iterations: 0,
  batchSize: 0,
  checkpointEvery: 0,
  checkpointDir: 0,
  resumeFrom: 0,
  onResume: 0,
  logEvery: 0,
  seed: 0,
  onProgress: 0,
  signal: 0,
} satisfies Record<keyof TrainingOptions<unknown>, 0>);

/** The loop settings read from {@link TrainingOptions}. */
export interface TrainingSchedule {
  iterations: number;
  batchSize: number;
  checkpointEvery: number;
  logEvery: number;
  seed: number;
}

/** Checks the callbacks, signal and paths both trainers take, so a wrong type is a `BAD_OPTION`, not a TypeError later. */
function checkTrainingOptions(options: {
  onProgress?: unknown;
  onResume?: unknown;
  signal?: unknown;
  checkpointDir?: unknown;
  resumeFrom?: unknown;
}): void {
  for (const name of ['onProgress', 'onResume'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new DisentangleError('BAD_OPTION', name, `expected a function, got ${typeof options[name]}`);
  }
  const signal = options.signal as { aborted?: unknown } | undefined;
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
    throw new DisentangleError('BAD_OPTION', 'signal', 'expected an AbortSignal');
  }
  for (const name of ['checkpointDir', 'resumeFrom'] as const) {
    const v = options[name];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0)) throw new DisentangleError('BAD_OPTION', name, `expected a directory path, got ${JSON.stringify(v) ?? typeof v}`);
  }
}

/** Checks what every trainer needs (an options object with a dataset, the shared option types). */
export function checkTrainingInput(options: (Parameters<typeof checkTrainingOptions>[0] & { dataset?: unknown }) | undefined, fn: string): void {
  if (!options || typeof options !== 'object') throw new DisentangleError('BAD_OPTION', 'options', 'expected an options object');
  if (!options.dataset) throw new DisentangleError('BAD_INPUT', 'dataset', `${fn} needs a dataset of images`);
  checkTrainingOptions(options);
}

/** The loop settings of `options`, with `iterations` defaulting to the trainer's own schedule. */
export function readTrainingSchedule(options: TrainingOptions<unknown>, iterations: number): TrainingSchedule {
  return {
    iterations: intOption(options.iterations, 'iterations', iterations, 0),
    batchSize: intOption(options.batchSize, 'batchSize', 64, 2, MAX_TRAINING_BATCH),
    checkpointEvery: intOption(options.checkpointEvery, 'checkpointEvery', 0, 0),
    logEvery: intOption(options.logEvery, 'logEvery', 50, 1),
    seed: intOption(options.seed, 'seed', 0, 0, 4294967295),
  };
}

/** How a trainer makes, recognizes and restores its model and optimizers. */
export interface ModelSpec<C, M, O> {
  modelType: string;
  isModel: (x: unknown) => boolean;
  resolve: (config: never) => C;
  build: (config: C) => M;
  create: () => M;
  optimizersFor: (model: M) => O;
}

/**
 * The model and optimizers a trainer starts from: restored from `resumeFrom` (then `onResume` hears where from),
 * else `options.model` (the caller's, never disposed here), else a fresh model from `create`. `owned` says whether
 * the trainer must dispose the model when training fails. Nothing leaks when this throws.
 */
async function startTraining<C, M extends LoadableModel, O extends Record<string, OptimizerState>>(
  options: { model?: M; resumeFrom?: string; onResume?: (info: ResumeInfo) => void },
  spec: ModelSpec<C, M, O>,
): Promise<{ model: M; optimizers: O; owned: boolean }> {
  if (options.resumeFrom !== undefined) {
    const r = await resumeTraining(options.resumeFrom, spec.modelType, spec.resolve, (config) => {
      const model = spec.build(config);
      try {
        return { model, optimizers: spec.optimizersFor(model) };
      } catch (e) {
        model.dispose();
        throw e;
      }
    });
    try {
      options.onResume?.(r.info);
    } catch (e) {
      r.model.dispose();
      for (const opt of Object.values(r.optimizers)) opt.dispose();
      throw e;
    }
    return { model: r.model, optimizers: r.optimizers, owned: true };
  }
  if (options.model !== undefined && !spec.isModel(options.model)) {
    throw new DisentangleError('BAD_OPTION', 'model', `expected a ${spec.modelType} model built by this library`);
  }
  const owned = options.model === undefined;
  const model = options.model ?? spec.create();
  try {
    return { model, optimizers: spec.optimizersFor(model), owned };
  } catch (e) {
    if (owned) model.dispose();
    throw e;
  }
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
function realBatchSampler(
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

/** What the loop needs of a model: the loadable parts, a history of logged entries and an image config. */
export interface TrainableModel<E> extends LoadableModel {
  readonly kind: string;
  readonly config: { imageSize: number; channels: number };
  history: E[];
}

/** What one trainer does per iteration; everything around it is {@link train}'s. */
export interface TrainingLoop<E> {
  /** The progress stage name. */
  stage: string;
  /** Runs first in each iteration (InfoGAN-CR's switch of λ_CR). */
  beforeIteration?: (iteration: number) => void;
  /** One iteration on a real batch and that iteration's stream; returns the history entry when `log` is set. */
  iterate: (iteration: number, real: tf.Tensor4D, rng: Rng, log: boolean) => E | undefined;
  /** Extra checkpoints besides every `checkpointEvery` (InfoGAN-CR's baseline before the switch). */
  checkpointAt?: (iteration: number) => boolean;
}

/**
 * Trains from where {@link startTraining} says until `schedule.iterations`: per iteration the stream
 * `trainingRng(seed, i, 0)` draws a real batch and the trainer's step runs on it; losses are logged every
 * `logEvery` iterations and on the last, checkpoints written to `checkpointDir`, progress reported, and the event
 * loop given a turn at least every ~50 ms (so Ctrl-C, timers and progress bars run whatever the model size). On
 * failure a model this run made is disposed; the optimizers are disposed in every case.
 */
export async function train<C, M extends TrainableModel<E>, O extends Record<string, OptimizerState>, E>(
  options: TrainingOptions<M>,
  fn: string,
  schedule: TrainingSchedule,
  spec: ModelSpec<C, M, O>,
  loopFor: (model: M, optimizers: O) => TrainingLoop<E>,
): Promise<M> {
  await ensureBackend();
  const sampleReal = realBatchSampler(options.dataset, fn, options.signal);
  const { model, optimizers, owned } = await startTraining(options, spec);
  const s = schedule;
  try {
    const loop = loopFor(model, optimizers);
    const c = model.config;
    const shape = [c.imageSize, c.imageSize, c.channels];
    const yielder = createYielder(options.signal);
    for (let it = model.iteration; it < s.iterations; it++) {
      throwIfAborted(options.signal);
      loop.beforeIteration?.(it);
      const rng = trainingRng(s.seed, it, 0);
      const real = await sampleReal(s.batchSize, rng, shape);
      const log = (it + 1) % s.logEvery === 0 || it === s.iterations - 1;
      let entry: E | undefined;
      try {
        entry = loop.iterate(it, real, rng, log);
      } finally {
        real.dispose();
      }
      model.iteration = it + 1;
      if (entry) model.history.push(entry);
      if (options.checkpointDir) {
        const every = s.checkpointEvery > 0 && (it + 1) % s.checkpointEvery === 0;
        if (every || loop.checkpointAt?.(it)) await writeCheckpoint(`${options.checkpointDir}/iteration-${it}`, model, model.params(), optimizers, s.seed);
      }
      options.onProgress?.({ stage: loop.stage, done: it + 1, total: s.iterations });
      await yielder.maybeYield();
    }
  } catch (e) {
    // A model the caller passed in stays theirs; one this run made is unreachable once we throw.
    if (owned) model.dispose();
    throw e;
  } finally {
    for (const opt of Object.values(optimizers)) opt.dispose();
  }
  return model;
}
