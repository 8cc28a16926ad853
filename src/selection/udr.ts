/**
 * UDR, Unsupervised Disentanglement Ranking (Duan et al. 2020, "Unsupervised Model Selection for Variational
 * Disentangled Representation Learning", ICLR), as disentanglement_lib's `evaluation/udr/metrics/udr.py`.
 */
import { createYielder, forEachBatch, raceAbort } from '../core/batching.js';
import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { concatRows } from '../core/matrix.js';
import { createRng } from '../core/rng.js';
import { disposeIfTensor, toMatrixAsync } from '../core/tensor.js';
import type { GroundTruthDataset, Posterior, PosteriorFunction, RunOptions, TensorLike } from '../core/types.js';
import { intOption, checkOptions } from '../core/validate.js';
import { drawFactors, rejectDisposed, samplingContext, toFactorBatch } from '../data/sampling.js';
import { checkPopulation } from './ranking.js';
import { ensureBackend } from '../core/backend.js';
import { scoreRepresentations, scoreSettings, type UdrComparisonOptions, type UdrRepresentation, type UdrResult, type UdrScoreOptions } from './udrComparison.js';

export type { UdrComparisonOptions, UdrRepresentation, UdrResult, UdrScoreOptions } from './udrComparison.js';

const FN = 'udr';

/** What a UDR model returns for a batch: the core {@link Posterior} (encoder means and, for a VAE, log-variances). */
export type UdrOutput = Posterior;

/**
 * A model as UDR sees it: the core {@link PosteriorFunction}, observations → encoder means (and log-variances).
 * No `logVar`: every dim counts as active.
 */
export type UdrModel<Obs = TensorLike> = PosteriorFunction<Obs>;

/** Options of {@link udr}. */
export interface UdrOptions<Obs = TensorLike> extends RunOptions, UdrComparisonOptions {
  models: readonly UdrModel<Obs>[];
  dataset: GroundTruthDataset<Obs>;
  /** Observations every model encodes (default 1000; a multiple of batchSize, default 10). */
  numDataPoints?: number;
}

interface Collected {
  codes: Matrix[][];
  klSums: Float64Array[];
}

// ½(μ² + e^{logvar} − logvar − 1), averaged over the batch: the KL of N(μ, σ²) from N(0, 1) per dim.
function batchKl(mean: Matrix, logVar: Matrix | undefined): Float64Array {
  const kl = new Float64Array(mean.cols);
  if (!logVar) return kl.fill(Infinity);
  for (let r = 0; r < mean.rows; r++) {
    for (let d = 0; d < mean.cols; d++) {
      const mu = mean.data[r * mean.cols + d];
      const lv = logVar.data[r * mean.cols + d];
      kl[d] += 0.5 * (mu * mu + Math.exp(lv) - lv - 1);
    }
  }
  for (let d = 0; d < mean.cols; d++) kl[d] /= mean.rows;
  return kl;
}

async function readOutput(out: UdrOutput, arg: string, rows: number, dims: number | undefined): Promise<{ mean: Matrix; logVar?: Matrix }> {
  if (!out || typeof out !== 'object' || out.mean === undefined) {
    throw new DisentangleError('CALLBACK_RESULT', arg, 'must return { mean, logVar? } with an n×d block of encoder means');
  }
  rejectDisposed(out.mean, `${arg}.mean`);
  rejectDisposed(out.logVar, `${arg}.logVar`);
  const mean = await toMatrixAsync(out.mean, `${arg}.mean`, FN, { rows });
  if (dims !== undefined && mean.cols !== dims) {
    throw new DisentangleError('SHAPE_MISMATCH', `${arg}.mean`, `has ${mean.cols} dims, models[0] has ${dims}; UDR compares models of equal code width`);
  }
  if (out.logVar === undefined) return { mean };
  const logVar = await toMatrixAsync(out.logVar, `${arg}.logVar`, FN, { rows, cols: mean.cols });
  return { mean, logVar };
}

const SAMPLE_OPTION_NAMES = ['dataset', 'numDataPoints', 'seed', 'batchSize', 'onProgress', 'signal'];
const UDR_OPTION_NAMES = Object.keys({
  models: 0,
  dataset: 0,
  correlation: 0,
  numDataPoints: 0,
  filterLowKl: 0,
  klFilterThreshold: 0,
  alpha: 0,
  seed: 0,
  batchSize: 0,
  onProgress: 0,
  signal: 0,
} satisfies Record<keyof UdrOptions, 0>);

/**
 * UDR (Duan et al. 2020) as disentanglement_lib computes it. Every model encodes the same `numDataPoints`
 * observations; each model's means are z-scored (population std, a constant dim left unscaled) and dims with
 * KL ≤ 0.01 are zeroed. For every ordered pair i ≠ j a similarity matrix R (rows = dims of i, columns = dims of j)
 * is built, by Lasso (each dim of j regressed on all dims of i, α = 0.1, R = |coef|ᵀ) or by |Spearman ρ|; with
 * `filterLowKl`, only dims with KL > klFilterThreshold are kept. UDR_ij is the relative strength of R and model
 * j's score is the median of UDR_ij over i ≠ j. Higher is better.
 *
 * A model without `logVar` (a GAN's encoder) has every dim counted as active: its KL is taken as +∞.
 * Defaults: numDataPoints 1000, batchSize 10, filterLowKl true, klFilterThreshold 0.01, alpha 0.1, seed 0.
 *
 * @example
 * const { scores, selected } = await udr({ models, dataset, correlation: 'lasso' });
 */
export async function udr<Obs = TensorLike>(options: UdrOptions<Obs>): Promise<UdrResult> {
  checkOptions(options, 'udr', UDR_OPTION_NAMES);
  await ensureBackend();
  checkPopulation(options?.models, FN);
  // Settings are checked before any model runs, so a typo costs no encoding.
  const settings = scoreSettings(options);
  const reps = await collectRepresentations(options.models, options.models.map((_, i) => i), options);
  return scoreRepresentations(reps, settings, options);
}

/** Options of {@link udrRepresentation}: UDR's sampling options and one model. */
export type UdrRepresentationOptions<Obs = TensorLike> = Omit<UdrOptions<Obs>, 'models' | 'correlation' | 'filterLowKl' | 'klFilterThreshold' | 'alpha'> & {
  model: UdrModel<Obs>;
  /** The model's index in its population, for messages (default 0). */
  modelIndex?: number;
};

/**
 * One model's part of UDR: its means and per-dim KL on the `numDataPoints` observations every model of the
 * population encodes (the same draw for the same seed, whichever models a process encodes). With
 * {@link udrFromRepresentations} the numbers equal {@link udr}'s bit for bit, so the models of a population can be
 * encoded in separate processes.
 *
 * @example
 * const reps = [await udrRepresentation({ model: a, dataset }), await udrRepresentation({ model: b, dataset })];
 * const { selected } = udrFromRepresentations(reps, { correlation: 'spearman' });
 */
export async function udrRepresentation<Obs = TensorLike>(options: UdrRepresentationOptions<Obs>): Promise<UdrRepresentation> {
  checkOptions(options, 'udrRepresentation', [...SAMPLE_OPTION_NAMES, 'model', 'modelIndex']);
  await ensureBackend();
  const index = intOption(options.modelIndex, 'modelIndex', 0, 0);
  const [rep] = await collectRepresentations([options.model], [index], options);
  return rep;
}

/**
 * UDR's comparison step (Lasso or Spearman similarity for every ordered pair, relative strength, median) on
 * representations computed by {@link udrRepresentation}, possibly in other processes.
 *
 * @example
 * const { scores, ranking } = await udrFromRepresentations(reps, { correlation: 'lasso' });
 */
export async function udrFromRepresentations(reps: readonly UdrRepresentation[], options: UdrScoreOptions): Promise<UdrResult> {
  checkOptions(options, 'udrFromRepresentations', ['correlation', 'filterLowKl', 'klFilterThreshold', 'alpha', 'onProgress', 'signal']);
  checkPopulation(reps, 'udrFromRepresentations');
  reps.forEach((r, m) => {
    if (!r || typeof r !== 'object' || !r.mean || !Array.isArray(r.kl) || r.kl.length !== r.mean.cols) {
      throw new DisentangleError('BAD_INPUT', `reps[${m}]`, 'expected { mean: n×D matrix, kl: D numbers } from udrRepresentation');
    }
    if (r.mean.rows !== reps[0].mean.rows || r.mean.cols !== reps[0].mean.cols) {
      throw new DisentangleError('SHAPE_MISMATCH', `reps[${m}]`, `is ${r.mean.rows}×${r.mean.cols}, reps[0] is ${reps[0].mean.rows}×${reps[0].mean.cols}; UDR compares models of equal code width on one sample`);
    }
  });
  return scoreRepresentations(reps, scoreSettings(options), options);
}

/** UDR's sample: the shared observations, encoded by each of `models` (population indices `indices`). */
async function collectRepresentations<Obs>(
  models: readonly UdrModel<Obs>[],
  indices: readonly number[],
  options: Omit<UdrOptions<Obs>, 'models' | 'correlation'>,
): Promise<UdrRepresentation[]> {
  models.forEach((m, k) => {
    if (typeof m !== 'function') throw new DisentangleError('BAD_INPUT', `models[${indices[k]}]`, 'must be a function (observations) => { mean, logVar? }');
  });
  const ctx = samplingContext(options.dataset, (x: Obs) => x as unknown as TensorLike, options.signal);
  const batchSize = intOption(options.batchSize, 'batchSize', 10);
  const numDataPoints = intOption(options.numDataPoints, 'numDataPoints', 1000);
  if (numDataPoints % batchSize !== 0) {
    throw new DisentangleError('BAD_OPTION', 'numDataPoints', `${numDataPoints} is not a multiple of batchSize ${batchSize} (disentanglement_lib requires it)`);
  }
  const rng = createRng(options.seed ?? 0);
  const got: Collected = { codes: models.map(() => []), klSums: [] };
  let dims: number | undefined;
  const numBatches = numDataPoints / batchSize;
  const report = options.onProgress;
  const yielder = createYielder(options.signal);
  await forEachBatch(
    { total: numDataPoints, batchSize, stage: 'sampling', signal: options.signal, onProgress: report && ((p) => report({ ...p, total: numDataPoints })) },
    async (_start, size) => {
      const factors = await drawFactors(ctx, size, rng);
      const obs = await raceAbort(ctx.dataset.observationsFromFactors(toFactorBatch(factors), rng), options.signal, 'dataset.observationsFromFactors');
      const owned = new Set<unknown>([obs]);
      try {
        for (let m = 0; m < models.length; m++) {
          const arg = `models[${indices[m]}]`;
          const out = await raceAbort(models[m](obs), options.signal, arg);
          if (out && typeof out === 'object') {
            owned.add(out.mean);
            if (out.logVar !== undefined) owned.add(out.logVar);
          }
          const { mean, logVar } = await readOutput(out, arg, size, dims);
          dims ??= mean.cols;
          const kl = batchKl(mean, logVar);
          if (!got.klSums[m]) got.klSums[m] = new Float64Array(dims);
          for (let d = 0; d < dims; d++) got.klSums[m][d] += kl[d];
          got.codes[m].push(mean);
          await yielder.maybeYield();
        }
      } finally {
        for (const t of owned) disposeIfTensor(t);
      }
    },
  );
  return got.codes.map((parts, m) => ({ mean: concatRows(parts), kl: Array.from(got.klSums[m], (v) => v / numBatches) }));
}

