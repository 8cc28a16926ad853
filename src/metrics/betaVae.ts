/**
 * BetaVAE metric (Higgins et al. 2017, "β-VAE: Learning Basic Visual Concepts with a Constrained Variational
 * Framework"), as disentanglement_lib's `beta_vae.py` computes it, plus the InfoGAN-CR repository's variant.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { ProgressCounter } from '../core/batching.js';
import { matrix, type IntMatrix, type Matrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import { isTfTensor, toMatrixAsync, checkTensorDtype } from '../core/tensor.js';
import type { Preset, TensorLike } from '../core/types.js';
import { drawFactors, holdColumnFixed, openSamplingContext, withRawCodes } from '../data/sampling.js';
import { lookahead, prefetchCodes } from '../data/prefetch.js';
import { fitLogisticRegression } from '../estimators/linear/logisticRegression.js';
import { accuracyScore } from '../estimators/scores.js';
import type { ClassifierEstimator, FittedClassifier } from '../estimators/types.js';
import { FIXED_FACTOR_OPTION_NAMES, fixedFactorPlan, type FixedFactorOptions } from './fixedFactor.js';
import { checkOptions } from '../core/validate.js';
import { ensureBackend } from '../core/backend.js';

/**
 * Options of {@link computeBetaVaeMetric}. A point is two batches of `batchSize` rows (DL) or one group of
 * `batchSize` rows split into pairs (InfoGAN-CR).
 */
export interface BetaVaeMetricOptions<Obs = TensorLike> extends FixedFactorOptions<Obs> {
  /** The classifier; default scikit-learn's `LogisticRegression()` (multinomial, L2, C = 1, with intercept). */
  estimator?: ClassifierEstimator;
}

const OPTION_NAMES = [...FIXED_FACTOR_OPTION_NAMES, 'estimator'];
const FN = 'computeBetaVaeMetric';

/**
 * How each reference turns a point's codes into a feature: 'two-batches' (DL) compares two batches that share the
 * fixed factor row by row; 'within-group' (InfoGAN-CR) compares the rows (0,1), (2,3), … of one group.
 */
const PAIRING: Record<Preset, 'two-batches' | 'within-group'> = { disentanglement_lib: 'two-batches', 'infogan-cr': 'within-group' };

/** Result of {@link computeBetaVaeMetric}. */
export interface BetaVaeMetricResult {
  /** The headline number, equal to `evalAccuracy` (every metric result carries one `score`). */
  score: number;
  trainAccuracy: number;
  /** The reported score (equal to `trainAccuracy` when `evalMode` is 'train'). */
  evalAccuracy: number;
  numTrain: number;
  numEval: number;
  preset: Preset;
  evalMode: 'train' | 'heldout';
}

/**
 * BetaVAE metric: a linear classifier predicts which factor two batches share from the mean absolute
 * difference of their codes; its accuracy is the score. Perfect = 1, chance ≈ 1/K.
 *
 * Defaults follow disentanglement_lib: per point a factor k is drawn uniformly, two batches of 64 factor rows
 * share column k row by row, the feature is mean_b |z(F1_b) − z(F2_b)|; a logistic regression with
 * scikit-learn's defaults (`fitLogisticRegression`) is fit on 10,000 points and scored on 5,000 fresh ones.
 * `preset: 'infogan-cr'` uses InfoGAN-CR's data: 500 groups of 100 rows, group m fixing factor m mod K, the
 * feature averaged over the pairs (0,1), (2,3)… inside a group, scored on the training points.
 *
 * When `represent` returns tfjs tensors the differences and means are computed on their backend and only D
 * numbers are read back per point.
 *
 * @example
 * const { evalAccuracy } = await computeBetaVaeMetric({ dataset: dsprites(), represent: encode, seed: 0 });
 */
export async function computeBetaVaeMetric<Obs = TensorLike>(options: BetaVaeMetricOptions<Obs>): Promise<BetaVaeMetricResult> {
  checkOptions(options, FN, OPTION_NAMES);
  await ensureBackend();
  const ctx = await openSamplingContext(options);
  const plan = fixedFactorPlan(options, ctx.factorSizes);
  const withinGroup = PAIRING[plan.preset] === 'within-group';
  const root = createRng(options.seed ?? 0);
  const [fitRng, trainRng, evalRng] = [root.fork(), root.fork(), root.fork()];
  const progress = new ProgressCounter(options.onProgress, plan.numTrain + plan.numEval, options.signal);
  const K = ctx.factorSizes.length;

  // A point is drawn (factors, on the host) then scored (encoded): with a code table a few points are drawn
  // ahead in the same rng order and their missing rows encoded together.
  type Drawn = { label: number; blocks: IntMatrix[] };
  const drawPoint = async (i: number, rng: Rng): Promise<Drawn> => {
    const label = plan.factorOf(i, rng);
    const first = await drawFactors(ctx, plan.batchSize, rng);
    if (withinGroup) return { label, blocks: [holdColumnFixed(first, label)] };
    const second = await drawFactors(ctx, plan.batchSize, rng);
    for (let r = 0, p = label; r < first.rows; r++, p += K) second.data[p] = first.data[p];
    return { label, blocks: [first, second] };
  };
  const feature = ({ blocks }: Drawn, rng: Rng): Promise<Float64Array> =>
    withinGroup
      ? withRawCodes(ctx, blocks[0], rng, (z) => pairedMeanAbsDifference(z, z, true))
      : withRawCodes(ctx, blocks[0], rng, (z1) => withRawCodes(ctx, blocks[1], rng, (z2) => pairedMeanAbsDifference(z1, z2, false)));
  const ahead = lookahead(ctx, withinGroup ? plan.batchSize : 2 * plan.batchSize);
  const collect = async (count: number, rng: Rng): Promise<{ x: Matrix; y: Int32Array }> => {
    const y = new Int32Array(count);
    let x: Matrix | undefined;
    for (let i = 0; i < count; ) {
      const group: Drawn[] = [];
      for (let j = 0; j < ahead && i + j < count; j++) group.push(await drawPoint(i + j, rng));
      if (ahead > 1) await prefetchCodes(ctx, group.flatMap((g) => g.blocks), rng);
      for (const g of group) {
        const f = await feature(g, rng);
        x ??= matrix(count, f.length);
        x.data.set(f, i * x.cols);
        y[i] = g.label;
        i++;
        await progress.step('points');
      }
    }
    return { x: x as Matrix, y };
  };

  const train = await collect(plan.numTrain, trainRng);
  const model = await fitClassifier(options.estimator, train.x, train.y, fitRng);
  const trainAccuracy = accuracyScore(model.predict(train.x), train.y);
  const evalAccuracy = plan.evalMode === 'train' ? trainAccuracy : await collect(plan.numEval, evalRng).then((e) => accuracyScore(model.predict(e.x), e.y));
  return { score: evalAccuracy, trainAccuracy, evalAccuracy, numTrain: plan.numTrain, numEval: plan.numEval, preset: plan.preset, evalMode: plan.evalMode };
}

async function fitClassifier(estimator: ClassifierEstimator | undefined, x: Matrix, y: Int32Array, rng: Rng): Promise<FittedClassifier> {
  if (estimator === undefined) return fitLogisticRegression(x, y);
  if (typeof estimator?.fit !== 'function') throw new DisentangleError('BAD_OPTION', 'estimator', 'expected a ClassifierEstimator with fit(x, y, rng)');
  return estimator.fit(x, y, rng);
}


/**
 * mean_i |a_i − b_i| per column. With `withinBatch`, `a` alone is split into the row pairs (0,1), (2,3), …
 * (an odd last row is left out). Tensors are reduced on their backend; other forms here in float64.
 */
async function pairedMeanAbsDifference(a: TensorLike, b: TensorLike, withinBatch: boolean): Promise<Float64Array> {
  if (isTfTensor(a) && (withinBatch || isTfTensor(b))) {
    checkTensorDtype(a, 'represent', FN);
    if (!withinBatch) checkTensorDtype(b as tf.Tensor, 'represent', FN);
    const reduced = tf.tidy(() => {
      const [left, right] = withinBatch ? rowPairs(tf.cast(a, 'float32') as tf.Tensor2D) : [tf.cast(a, 'float32'), tf.cast(b as tf.Tensor, 'float32')];
      return tf.mean(tf.abs(tf.sub(left, right)), 0);
    });
    try {
      return checkFinite(Float64Array.from(await reduced.data()));
    } finally {
      reduced.dispose();
    }
  }
  const za = await toMatrixAsync(a, 'represent', FN);
  const zb = withinBatch ? za : await toMatrixAsync(b, 'represent', FN);
  const pairs = withinBatch ? Math.floor(za.rows / 2) : za.rows;
  const out = new Float64Array(za.cols);
  for (let i = 0; i < pairs; i++) {
    const [ra, rb] = withinBatch ? [2 * i, 2 * i + 1] : [i, i];
    for (let d = 0; d < za.cols; d++) out[d] += Math.abs(za.data[ra * za.cols + d] - zb.data[rb * za.cols + d]);
  }
  return out.map((v) => v / pairs);
}

function rowPairs(z: tf.Tensor2D): [tf.Tensor, tf.Tensor] {
  const [n, d] = z.shape;
  const pairs = Math.floor(n / 2);
  const grouped = tf.reshape(tf.slice(z, [0, 0], [2 * pairs, d]), [pairs, 2, d]);
  return [tf.slice(grouped, [0, 0, 0], [pairs, 1, d]), tf.slice(grouped, [0, 1, 0], [pairs, 1, d])];
}

function checkFinite(v: Float64Array): Float64Array {
  if (v.some((x) => !Number.isFinite(x))) throw new DisentangleError('CALLBACK_RESULT', 'represent', 'returned a non-finite code (NaN or Infinity)');
  return v;
}
