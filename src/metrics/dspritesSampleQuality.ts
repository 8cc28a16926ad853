/**
 * Sample quality of a dSprites generator through the shipped shape classifier: Inception Score, confidence,
 * mode-KL (the InfoGAN-CR repository's `DSpritesInceptionScore`) and the Fréchet distance between the
 * classifier's penultimate features of generated and of real (procedural) images. The scores themselves are the
 * public {@link inceptionScoreFromProbabilities} and {@link frechetDistance}; this file draws, renders and
 * classifies the images and streams the features into moments.
 */
import * as tf from '@tensorflow/tfjs-core';
import { forEachBatch, raceAbort } from '../core/batching.js';
import { DisentangleError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import type { Rng } from '../core/rng.js';
import { RunningCovariance } from '../core/stats.js';
import { disposeIfTensor, toMatrixAsync } from '../core/tensor.js';
import type { GenerativeModel, Generator, Progress, TensorLike } from '../core/types.js';
import { intOption, checkOptions } from '../core/validate.js';
import { dsprites } from '../data/dsprites.js';
import { rejectDisposed, sampleUniformFactors } from '../data/sampling.js';
import {
  SHAPE_FEATURE_DIMS,
  classifyShapesWithFeatures,
  disposeShapeClassifier,
  loadShapeClassifier,
  toImageTensor,
  type ShapeClassifier,
} from '../models/shapeClassifier.js';
import { frechetDistance } from './frechetDistance.js';
import { inceptionScoreFromProbabilities, type InceptionScoreResult } from './inceptionScore.js';
import { ensureBackend } from '../core/backend.js';

const FN = 'computeDspritesSampleQuality';

/** Options of {@link computeDspritesSampleQuality}. */
export interface DspritesSampleQualityOptions {
  /** The generator: its prior and `generate` (images [n, 64, 64, 1] in [0, 1]); `represent` is not used. */
  /** A generator (any `GenerativeModel` will do: only `latentDims`, `codeDims`, `sampleLatents` and `generate` are used). */
  model: Generator;
  /** Generated samples, and as many real ones for the Fréchet distance (default 50,000, as the reference). */
  numSamples?: number;
  /** Images per batch (default 500). Memory grows with this, not with `numSamples`. */
  batchSize?: number;
  seed?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Also score the real procedural images (the reference's `evaluate_groudtruth`) and return them as `real`. */
  realReference?: boolean;
  /** A classifier to use instead of the shipped one (it is not disposed). */
  classifier?: ShapeClassifier;
}

const OPTION_NAMES = Object.keys({
  model: 0,
  numSamples: 0,
  batchSize: 0,
  seed: 0,
  onProgress: 0,
  signal: 0,
  realReference: 0,
  classifier: 0,
} satisfies Record<keyof DspritesSampleQualityOptions, 0>);

/** Result of {@link computeDspritesSampleQuality}; `score` is the generated samples' Inception Score. */
export interface DspritesSampleQualityResult extends InceptionScoreResult {
  /** Fréchet distance between Gaussians fitted to the 128-d penultimate features of generated and real images. */
  frechetDistance: number;
  numSamples: number;
  /** The same scores on real procedural dSprites, when `realReference` was set. */
  real?: InceptionScoreResult;
}

/** Probabilities (kept, n×3) and features (streamed into moments) of one image source. */
interface Collected {
  probs: Float64Array;
  features: RunningCovariance;
}

async function classifyBatch(net: ShapeClassifier, images: tf.Tensor4D, into: Collected, offset: number, source: string): Promise<void> {
  const { probs, features } = classifyShapesWithFeatures(net, images);
  try {
    const [p, f] = await Promise.all([probs.data(), features.data()]);
    for (let i = 0; i < p.length; i++) {
      if (!Number.isFinite(p[i])) throw new DisentangleError('CALLBACK_RESULT', source, 'produced images on which the classifier returns NaN; images must be finite');
      into.probs[offset * 3 + i] = p[i];
    }
    into.features.add(f, images.shape[0]);
  } finally {
    probs.dispose();
    features.dispose();
  }
}

async function generateBatch(model: Generator, n: number, rng: Rng, signal: AbortSignal | undefined): Promise<tf.Tensor4D> {
  const z = await raceAbort(model.sampleLatents(n, rng), signal, 'model.sampleLatents');
  let images: TensorLike | undefined;
  try {
    images = await raceAbort(model.generate(z), signal, 'model.generate');
  } finally {
    // The generator may hand back its input (an identity model); dispose it only once, below.
    if ((images as unknown) !== z) disposeIfTensor(z);
  }
  if (images == null) throw new DisentangleError('CALLBACK_RESULT', 'model.generate', `returned ${String(images)}; expected images [n, 64, 64, 1]`);
  try {
    rejectDisposed(images, 'model.generate');
    const t = await toImageTensor(images, 'model.generate', FN);
    if (t.shape[0] !== n) {
      t.dispose();
      throw new DisentangleError('CALLBACK_RESULT', 'model.generate', `returned ${t.shape[0]} images for ${n} latents`);
    }
    return t;
  } finally {
    disposeIfTensor(images);
  }
}

function checkModel(model: Generator | undefined): Generator {
  if (!model || typeof model !== 'object') throw new DisentangleError('BAD_INPUT', `model (in ${FN})`, 'expected a GenerativeModel');
  if (typeof model.sampleLatents !== 'function') throw new DisentangleError('BAD_INPUT', `model.sampleLatents (in ${FN})`, 'must be a function (n, rng) => latents');
  if (typeof model.generate !== 'function') throw new DisentangleError('BAD_INPUT', `model.generate (in ${FN})`, 'must be a function (latents) => images');
  return model;
}

/**
 * dSprites sample quality of a generator (InfoGAN-CR, Lin et al. ICML 2020):
 * draws `numSamples` latents from the model's prior, generates images in batches, classifies their shape with
 * the shipped classifier (`loadShapeClassifier`) and returns the Inception Score, the std of the per-sample KL,
 * confidence and mode-KL, plus the Fréchet distance between the classifier's 128-d penultimate features
 * (after BatchNorm) of the generated images and of as many real procedural dSprites drawn with uniform
 * factors. Features are streamed into running means and covariances, so memory does not grow with
 * `numSamples`; only the n×3 probabilities are kept (the IS needs their overall mean first).
 *
 * Defaults: 50,000 samples (the reference), batches of 500, seed 0. `score` is the Inception Score (the
 * headline InfoGAN-CR reports); an unknown option name is `BAD_OPTION`.
 *
 * @example
 * const q = await computeDspritesSampleQuality({ model: gan.asGenerativeModel(), numSamples: 10000 });
 * q.inceptionScore; q.modeKl; q.frechetDistance;
 */
export async function computeDspritesSampleQuality(options: DspritesSampleQualityOptions): Promise<DspritesSampleQualityResult> {
  checkOptions(options, FN, OPTION_NAMES);
  await ensureBackend();
  const model = checkModel(options.model);
  const numSamples = intOption(options.numSamples, 'numSamples', 50000, 2);
  const batchSize = intOption(options.batchSize, 'batchSize', 500, 1);
  const seed = options.seed ?? 0;
  const rng = createRng(seed);
  const latentRng = rng.fork();
  const realRng = rng.fork();
  const net = options.classifier ?? loadShapeClassifier();
  const total = 2 * numSamples;
  const report = options.onProgress;
  try {
    const generated: Collected = { probs: new Float64Array(numSamples * 3), features: new RunningCovariance(SHAPE_FEATURE_DIMS) };
    await forEachBatch(
      { total: numSamples, batchSize, stage: 'generated', signal: options.signal, onProgress: report && ((p) => report({ ...p, total })) },
      async (start, size) => {
        const images = await generateBatch(model, size, latentRng, options.signal);
        try {
          await classifyBatch(net, images, generated, start, 'model.generate');
        } finally {
          images.dispose();
        }
      },
    );
    const data = dsprites();
    const real: Collected = { probs: new Float64Array(numSamples * 3), features: new RunningCovariance(SHAPE_FEATURE_DIMS) };
    await forEachBatch(
      { total: numSamples, batchSize, stage: 'real', signal: options.signal, onProgress: report && ((p) => report({ ...p, done: numSamples + p.done, total })) },
      async (start, size) => {
        const f = sampleUniformFactors(data.factorSizes, size, realRng);
        const images = tf.tensor4d(data.renderInto(f, new Float32Array(size * 64 * 64)), [size, 64, 64, 1]);
        try {
          await classifyBatch(net, images, real, start, 'dsprites');
        } finally {
          images.dispose();
        }
      },
    );
    const scores = inceptionScoreFromProbabilities({ data: generated.probs, shape: [numSamples, 3] });
    const result: DspritesSampleQualityResult = {
      ...scores,
      frechetDistance: frechetDistance(asMoments(generated.features), asMoments(real.features)),
      numSamples,
    };
    if (options.realReference) result.real = inceptionScoreFromProbabilities({ data: real.probs, shape: [numSamples, 3] });
    return result;
  } finally {
    if (!options.classifier) disposeShapeClassifier(net);
  }
}

/** Streamed features as the `{ mean, covariance }` form {@link frechetDistance} takes. */
function asMoments(features: RunningCovariance): { mean: Float64Array; covariance: { data: Float64Array; shape: [number, number] } } {
  const { mean, covariance } = features.result();
  return { mean, covariance: { data: covariance, shape: [features.dims, features.dims] } };
}

/** Options of {@link proceduralDspritesGenerator}. */
export interface ProceduralDspritesGeneratorOptions {
  /** Shapes the generator may draw (0 square, 1 ellipse, 2 heart); default all three. */
  shapes?: readonly number[];
}

/**
 * Procedural dSprites seen as a generative model: latents are the 5 factor indices (shape, scale, orientation,
 * posX, posY) drawn uniformly, `generate` renders them, it has no `represent`. It is the "real
 * data" baseline of the sample-quality metrics, and, restricted to some shapes, a mode-dropping generator.
 *
 * @example
 * const ref = await computeDspritesSampleQuality({ model: proceduralDspritesGenerator(), numSamples: 10000 });
 */
export function proceduralDspritesGenerator(options: ProceduralDspritesGeneratorOptions = {}): GenerativeModel {
  checkOptions(options, 'proceduralDspritesGenerator', Object.keys({ shapes: 0 } satisfies Record<keyof ProceduralDspritesGeneratorOptions, 0>));
  const shapes = options.shapes ?? [0, 1, 2];
  if (!Array.isArray(shapes) || shapes.length === 0 || shapes.some((s) => !Number.isInteger(s) || s < 0 || s > 2)) {
    throw new DisentangleError('BAD_OPTION', 'shapes', 'expected a non-empty list of shape indices in 0..2');
  }
  const data = dsprites();
  const sizes = data.factorSizes;
  return {
    latentDims: sizes.length,
    sampleLatents(n: number, rng: Rng): TensorLike {
      const f = sampleUniformFactors(sizes, n, rng);
      for (let i = 0; i < n; i++) f.data[i * sizes.length] = shapes[rng.int(shapes.length)];
      return { data: Float64Array.from(f.data), shape: [n, sizes.length] };
    },
    async generate(latents: TensorLike): Promise<tf.Tensor4D> {
      await ensureBackend();
      const m = await toMatrixAsync(latents, 'latents', 'proceduralDspritesGenerator');
      const f = { data: Int32Array.from(m.data), shape: [m.rows, m.cols] as [number, number] };
      return data.observationsFromFactors(f, createRng(0));
    },
    represent(): never {
      throw new DisentangleError('UNSUPPORTED', 'represent', 'the procedural dSprites generator has no inference network');
    },
  };
}
