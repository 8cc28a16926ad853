/**
 * Variation predictability (VP) metric of Zhu, Xu & Tao, "Learning Disentangled Representations with Latent
 * Variation Predictability", ECCV 2020, following its reference metric code (VP-metric-pytorch): a small
 * ConvNet learns, from the difference of two generated images, which latent dimension was changed between them;
 * the better it does on held-out pairs, the more each dimension's variation is recognisable on its own.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createYielder, forEachBatch, raceAbort, type Yielder } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { createRng, permutation } from '../core/rng.js';
import type { Rng } from '../core/rng.js';
import { disposeIfTensor, readBlock, toMatrixAsync } from '../core/tensor.js';
import { rejectDisposed } from '../data/sampling.js';
import type { Generator, Progress, TensorLike } from '../core/types.js';
import { enumOption, intOption, numberOption, checkOptions } from '../core/validate.js';
import {
  buildVariationPredictor,
  disposeVariationPredictor,
  variationPredictorLogits,
  variationPredictorVariables,
  type VariationPredictor,
} from '../models/variationPredictor.js';
import { ensureBackend } from '../core/backend.js';

const FN = 'computeVariationPredictability';

/** Options of {@link computeVariationPredictability}; defaults are the reference's. */
export interface VariationPredictabilityOptions {
  /** A generator (any `GenerativeModel` will do: only `latentDims`, `codeDims`, `sampleLatents` and `generate` are used). */
  model: Generator;
  /** Latent dims whose variation is predicted (default: the first `model.codeDims ?? model.latentDims`). */
  dims?: readonly number[];
  /** Image pairs, one per (group, dim); rounded down to a multiple of `dims.length` (default 10,000). */
  numPairs?: number;
  /** Fraction of pairs held out for testing (default 0.9: the classifier trains on 10%, as the reference). */
  testRatio?: number;
  /** Training epochs over the training pairs (default 200, the reference README). */
  epochs?: number;
  /** Minibatch size (default 32). */
  batchSize?: number;
  /** Adam learning rate (default 0.01). */
  learningRate?: number;
  /** 'diff' feeds x1 − x2 (default, the reference README); 'concat' stacks both images on the channel axis. */
  inputMode?: 'diff' | 'concat';
  /** Independent train/test splits and initializations averaged into the score (default 1, as the reference). */
  repeats?: number;
  /**
   * 'best' (default): the best held-out accuracy over epochs, as the reference's `get_best_score.py` reports;
   * 'last': the accuracy after the final epoch.
   */
  selection?: 'best' | 'last';
  /** Channels of the four convolutions (default [64, 64, 128, 256], the reference's `VarPred`). */
  channels?: readonly [number, number, number, number];
  /** Evaluate on the held-out pairs every this many epochs (default 1) and after the last one. */
  evalEvery?: number;
  seed?: number;
  /** Pairs generated per call to `model.generate` (default 256). */
  generateBatchSize?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

const OPTION_NAMES = Object.keys({
  model: 0,
  dims: 0,
  numPairs: 0,
  testRatio: 0,
  epochs: 0,
  batchSize: 0,
  learningRate: 0,
  inputMode: 0,
  repeats: 0,
  selection: 0,
  channels: 0,
  evalEvery: 0,
  seed: 0,
  generateBatchSize: 0,
  onProgress: 0,
  signal: 0,
} satisfies Record<keyof VariationPredictabilityOptions, 0>);

/** Result of {@link computeVariationPredictability}. */
export interface VariationPredictabilityResult {
  /** Held-out accuracy of predicting the varied dimension, averaged over repeats. Chance is 1 / dims.length. */
  score: number;
  /** Held-out accuracy on the pairs that varied each dim (same epoch as `score`), averaged over repeats. */
  perDim: number[];
  /** The latent dims, in the order of `perDim`. */
  dims: number[];
  /** The score of each repeat. */
  repeatScores: number[];
  /** Epoch (1-based) whose accuracy each repeat reports. */
  selectedEpochs: number[];
  numPairs: number;
  numTrain: number;
  numTest: number;
  chance: number;
}

/** Image-pair inputs and labels held on the CPU: [n, H, W, C] float32. */
interface PairSet {
  inputs: Float32Array;
  labels: Int32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
}

async function readImages(images: TensorLike, expected: number): Promise<{ data: ArrayLike<number>; shape: [number, number, number] }> {
  const b = await readBlock(images, 'model.generate', FN);
  if (b.shape[0] !== expected) throw new DisentangleError('CALLBACK_RESULT', 'model.generate', `returned ${b.shape[0]} images for ${expected} latents`);
  if (b.shape.length !== 3 && b.shape.length !== 4) {
    throw new DisentangleError('CALLBACK_RESULT', 'model.generate', `returned shape [${b.shape}]; expected images [n, H, W] or [n, H, W, C]`);
  }
  return { data: b.data, shape: [b.shape[1], b.shape[2], b.shape[3] ?? 1] };
}

async function generate(model: Generator, latents: Float64Array, rows: number, cols: number, signal?: AbortSignal): Promise<{ data: ArrayLike<number>; shape: [number, number, number] }> {
  const z = tf.tensor2d(Float32Array.from(latents), [rows, cols]);
  let images: TensorLike | undefined;
  try {
    images = await raceAbort(model.generate(z), signal, 'model.generate');
    if (images == null) throw new DisentangleError('CALLBACK_RESULT', 'model.generate', `returned ${String(images)}`);
    rejectDisposed(images, 'model.generate');
    return await readImages(images, rows);
  } finally {
    if (images !== (z as unknown)) disposeIfTensor(images);
    z.dispose();
  }
}

/** `n` latents from the model's prior as float64; a tensor it returns is read and disposed. */
async function drawLatents(model: Generator, n: number, L: number, rng: Rng, signal?: AbortSignal): Promise<{ data: Float64Array }> {
  const raw = await raceAbort(model.sampleLatents(n, rng), signal, 'model.sampleLatents');
  try {
    rejectDisposed(raw, 'model.sampleLatents');
    return await toMatrixAsync(raw, 'model.sampleLatents', FN, { rows: n, cols: L });
  } finally {
    disposeIfTensor(raw);
  }
}

/**
 * Builds the pairs as the reference generator does: per group one latent z from the prior; for each varied dim
 * d, z′ = z with dim d replaced by a fresh prior draw; the input is x(z) − x(z′) (or both, stacked), scaled as
 * the reference's Normalize(0.5, 0.5) scales images to [−1, 1]; the label is d's position in `dims`.
 */
async function buildPairs(model: Generator, dims: number[], groups: number, groupBatch: number, rng: Rng, mode: 'diff' | 'concat', onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<PairSet> {
  const L = model.latentDims;
  const m = dims.length;
  const n = groups * m;
  const labels = new Int32Array(n);
  let inputs: Float32Array | undefined;
  let geom: [number, number, number] = [0, 0, 0];
  await forEachBatch({ total: groups, batchSize: groupBatch, stage: 'pairs', onProgress, signal }, async (start, g) => {
    const rows = g * m;
    const base = await drawLatents(model, g, L, rng, signal);
    const fresh = await drawLatents(model, rows, L, rng, signal);
    const z1 = new Float64Array(rows * L);
    const z2 = new Float64Array(rows * L);
    for (let a = 0; a < g; a++) {
      for (let k = 0; k < m; k++) {
        const r = a * m + k;
        z1.set(base.data.subarray(a * L, (a + 1) * L), r * L);
        z2.set(base.data.subarray(a * L, (a + 1) * L), r * L);
        z2[r * L + dims[k]] = fresh.data[r * L + dims[k]];
        labels[start * m + r] = k;
      }
    }
    const x1 = await generate(model, z1, rows, L, signal);
    const x2 = await generate(model, z2, rows, L, signal);
    if (!inputs) {
      geom = x1.shape;
      inputs = new Float32Array(n * geom[0] * geom[1] * geom[2] * (mode === 'concat' ? 2 : 1));
    }
    if (x2.shape.join() !== geom.join() || x1.shape.join() !== geom.join()) {
      throw new DisentangleError('CALLBACK_RESULT', 'model.generate', `returned images of shape [${x1.shape}] / [${x2.shape}], earlier batches had [${geom}]`);
    }
    const px = geom[0] * geom[1];
    const c = geom[2];
    for (let r = 0; r < rows; r++) {
      const dst = (start * m + r) * px * c * (mode === 'concat' ? 2 : 1);
      for (let p = 0; p < px; p++) {
        for (let ch = 0; ch < c; ch++) {
          const a = x1.data[(r * px + p) * c + ch];
          const b = x2.data[(r * px + p) * c + ch];
          if (!Number.isFinite(a) || !Number.isFinite(b)) throw new DisentangleError('CALLBACK_RESULT', 'model.generate', 'returned a non-finite pixel');
          if (mode === 'diff') inputs[dst + p * c + ch] = 2 * (a - b);
          else {
            inputs[dst + p * 2 * c + ch] = 2 * a - 1;
            inputs[dst + p * 2 * c + c + ch] = 2 * b - 1;
          }
        }
      }
    }
  });
  return { inputs: inputs as Float32Array, labels, n, height: geom[0], width: geom[1], channels: geom[2] * (mode === 'concat' ? 2 : 1) };
}

function batchTensor(set: PairSet, idx: ArrayLike<number>, from: number, to: number): tf.Tensor4D {
  const size = set.height * set.width * set.channels;
  const out = new Float32Array((to - from) * size);
  for (let i = from; i < to; i++) out.set(set.inputs.subarray(idx[i] * size, (idx[i] + 1) * size), (i - from) * size);
  return tf.tensor4d(out, [to - from, set.height, set.width, set.channels]);
}

/** Held-out accuracy overall and per label. */
async function evaluate(net: VariationPredictor, set: PairSet, idx: Int32Array, batch: number, m: number, yielder: Yielder): Promise<{ accuracy: number; perDim: number[] }> {
  const right = new Float64Array(m);
  const seen = new Float64Array(m);
  for (let s = 0; s < idx.length; s += batch) {
    const e = Math.min(s + batch, idx.length);
    const x = batchTensor(set, idx, s, e);
    const pred = tf.tidy(() => tf.argMax(variationPredictorLogits(net, x, false), 1));
    const p = await pred.data();
    tf.dispose([x, pred]);
    for (let i = s; i < e; i++) {
      const y = set.labels[idx[i]];
      seen[y]++;
      if (p[i - s] === y) right[y]++;
    }
    await yielder.maybeYield();
  }
  const total = right.reduce((a, b) => a + b, 0);
  return { accuracy: total / idx.length, perDim: Array.from(right, (r, k) => (seen[k] > 0 ? r / seen[k] : NaN)) };
}

/**
 * Variation predictability (Zhu, Xu & Tao, ECCV 2020), as the reference VP-metric-pytorch code computes it:
 * pairs of generated images whose latents differ in exactly one dimension (a fresh prior draw for that dim, all
 * others shared), a ConvNet (`VarPred`: conv 7×7/2, three conv 3×3 with BatchNorm and ReLU, a max-pool, global
 * average pooling, a linear layer) trained with Adam and cross-entropy to tell which dimension varied from the
 * image difference, and the score = its held-out accuracy (best epoch, as the reference reports), averaged over
 * repeats. Chance level is 1 / number of dims; a disentangled generator scores high.
 *
 * Defaults (the reference README): 10,000 pairs, 90% held out, 200 epochs, batch 32, Adam lr 0.01, input
 * 'diff'. That is hours of CPU for 64×64 images; shrink `numPairs`, `epochs` and `channels` for quick checks.
 *
 * @example
 * const vp = await computeVariationPredictability({ model: gan.asGenerativeModel(), numPairs: 2000, epochs: 20 });
 * vp.score; vp.perDim;
 */
export async function computeVariationPredictability(options: VariationPredictabilityOptions): Promise<VariationPredictabilityResult> {
  checkOptions(options, FN, OPTION_NAMES);
  await ensureBackend();
  const model = options.model;
  if (!model || typeof model.sampleLatents !== 'function' || typeof model.generate !== 'function') {
    throw new DisentangleError('BAD_INPUT', `model (in ${FN})`, 'expected a GenerativeModel with sampleLatents and generate');
  }
  const L = intOption(model.latentDims, 'model.latentDims', 1, 1);
  const dims = [...(options.dims ?? Array.from({ length: model.codeDims ?? L }, (_, i) => i))];
  if (dims.length < 2 || dims.some((d) => !Number.isInteger(d) || d < 0 || d >= L) || new Set(dims).size !== dims.length) {
    throw new DisentangleError('BAD_OPTION', 'dims', `expected at least 2 distinct latent dims in 0..${L - 1}, got [${dims}]`);
  }
  const m = dims.length;
  const numPairs = intOption(options.numPairs, 'numPairs', 10000, 2 * m);
  const testRatio = numberOption(options.testRatio, 'testRatio', 0.9, 0, 1);
  const epochs = intOption(options.epochs, 'epochs', 200, 1);
  const batchSize = intOption(options.batchSize, 'batchSize', 32, 1);
  const lr = numberOption(options.learningRate, 'learningRate', 0.01, 0);
  const mode = enumOption(options.inputMode, 'inputMode', ['diff', 'concat'] as const, 'diff');
  const repeats = intOption(options.repeats, 'repeats', 1, 1);
  const selection = enumOption(options.selection, 'selection', ['best', 'last'] as const, 'best');
  const evalEvery = intOption(options.evalEvery, 'evalEvery', 1, 1);
  const channels = options.channels ?? [64, 64, 128, 256];
  if (channels.length !== 4 || channels.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new DisentangleError('BAD_OPTION', 'channels', 'expected four positive integers');
  }
  const groupBatch = Math.max(1, Math.floor(intOption(options.generateBatchSize, 'generateBatchSize', 256, 1) / m));
  const rng = createRng(options.seed ?? 0);
  const groups = Math.floor(numPairs / m);
  const report = options.onProgress;
  const pairs = await buildPairs(model, dims, groups, groupBatch, rng.fork(), mode, report, options.signal);
  const numTest = Math.floor(pairs.n * testRatio);
  const numTrain = pairs.n - numTest;
  if (numTrain < 1 || numTest < 1) throw new DisentangleError('BAD_OPTION', 'testRatio', `leaves ${numTrain} training and ${numTest} test pairs out of ${pairs.n}`);

  const repeatScores: number[] = [];
  const selectedEpochs: number[] = [];
  const perDimSum = new Float64Array(m);
  const yielder = createYielder(options.signal);
  for (let r = 0; r < repeats; r++) {
    const rr = rng.fork();
    // The reference's split: a shuffle, the first testRatio·n to test, the rest to train.
    const order = permutation(pairs.n, rr);
    const testIdx = order.slice(0, numTest);
    const trainIdx = order.slice(numTest);
    const net = buildVariationPredictor(rr, pairs.channels, channels, m);
    const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
    const trainable = variationPredictorVariables(net).filter((v) => v.trainable);
    let chosen = { accuracy: -1, perDim: [] as number[], epoch: 0 };
    try {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        throwIfAborted(options.signal);
        const perm = permutation(numTrain, rr);
        const idx = Int32Array.from(perm, (p) => trainIdx[p]);
        for (let s = 0; s < numTrain; s += batchSize) {
          const e = Math.min(s + batchSize, numTrain);
          // BatchNorm needs at least 2 samples in training mode; a lone trailing sample is skipped.
          if (e - s < 2) continue;
          const x = batchTensor(pairs, idx, s, e);
          const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(idx.subarray(s, e), (i) => pairs.labels[i]), 'int32'), m));
          const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, variationPredictorLogits(net, x, true)) as tf.Scalar, false, trainable);
          tf.dispose([x, y, loss as tf.Tensor]);
          await yielder.maybeYield(); // a minibatch of a conv net is the finest step there is
        }
        if (epoch % evalEvery === 0 || epoch === epochs) {
          const ev = await evaluate(net, pairs, testIdx, Math.max(batchSize, 128), m, yielder);
          if (selection === 'last' || ev.accuracy > chosen.accuracy) chosen = { ...ev, epoch };
        }
        report?.({ stage: 'training', done: r * epochs + epoch, total: repeats * epochs });
        await yielder.maybeYield();
      }
    } finally {
      optimizer.dispose();
      disposeVariationPredictor(net);
    }
    repeatScores.push(chosen.accuracy);
    selectedEpochs.push(chosen.epoch);
    chosen.perDim.forEach((a, k) => (perDimSum[k] += a));
  }
  return {
    score: repeatScores.reduce((a, b) => a + b, 0) / repeats,
    perDim: Array.from(perDimSum, (s) => s / repeats),
    dims,
    repeatScores,
    selectedEpochs,
    numPairs: pairs.n,
    numTrain,
    numTest,
    chance: 1 / m,
  };
}
