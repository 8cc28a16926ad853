/**
 * disentanglement_lib's unsupervised scores (`unsupervised_metrics.py`): Gaussian total correlation and
 * Gaussian Wasserstein correlation of the code covariance, and the mean pairwise discrete mutual information.
 */
import { createYielder, runSteps, runStepsAsync, type Steps } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { constantColumns, subMatrix, toRows, type Matrix } from '../core/matrix.js';
import { createRng } from '../core/rng.js';
import { codesOf, toMatrix } from '../core/tensor.js';
import type { LabelledCodes, Progress, TensorLike } from '../core/types.js';
import { intOption, checkOptions, testAndOptions } from '../core/validate.js';
import { histogramDiscretizeSteps } from '../estimators/information/discretize.js';
import { covarianceSteps, logDeterminantSymmetricSteps, trace, traceSqrtDiagTimesSteps } from '../estimators/linalg.js';
import { discreteMutualInfoSelfSteps } from '../estimators/information/mutualInformation.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link unsupervisedFromCodes}. */
export interface UnsupervisedOptions {
  /** Equal-width bins per code dim for the mutual information, default 20. */
  numBins?: number;
}

/** Result of {@link unsupervisedFromCodes} / {@link computeUnsupervised}. */
export interface UnsupervisedResult {
  /** The headline number, equal to `gaussianTotalCorrelation` (lower is better: 0 for independent codes). */
  score: number;
  /** ½(Σ_i ln Σ_ii − ln det Σ) over the non-constant dims; +Infinity when their covariance is singular. */
  gaussianTotalCorrelation: number;
  /** 2 tr Σ − 2 tr sqrtm(diag(Σ)·Σ). */
  gaussianWassersteinCorrelation: number;
  /** The Wasserstein correlation divided by tr Σ (0 when every code is constant). */
  gaussianWassersteinCorrelationNorm: number;
  /** Mean off-diagonal discrete mutual information (nats) between pairs of 20-bin-discretized codes. */
  mutualInfoScore: number;
  /** Σ = cov(codes), ddof 1 (numpy `np.cov`). */
  covariance: number[][];
  /** Indices of constant codes (zero variance), left out of the total correlation. */
  constantDims: number[];
}

/** Gaussian total correlation ½(Σ ln Σ_ii − ln det Σ): KL between N(0, Σ) and the product of its marginals. */
export function gaussianTotalCorrelation(sigma: Matrix): number {
  return runSteps(totalCorrelationSteps(sigma));
}

// ½(Σ ln Σ_ii − ln det Σ) equals −½ ln det R for the correlation matrix R = S^-½ Σ S^-½ (S = diag Σ): the
// diagonal's logs cancel exactly. Working on R makes the singularity test relative to a matrix whose entries are
// all in [−1, 1]; on Σ itself one code with a huge variance (2^53 among codes near 1) pushed the others'
// eigenvalues under the tolerance and gave +Infinity for a well-conditioned problem.
function* totalCorrelationSteps(sigma: Matrix): Steps<number> {
  const d = sigma.rows;
  const scale = new Float64Array(d);
  for (let i = 0; i < d; i++) scale[i] = 1 / Math.sqrt(sigma.data[i * sigma.cols + i]);
  const r = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) r[i * d + j] = i === j ? 1 : sigma.data[i * sigma.cols + j] * scale[i] * scale[j];
  const logDet = yield* logDeterminantSymmetricSteps({ data: r, rows: d, cols: d }, 'sigma');
  if (logDet === -Infinity) return Infinity;
  return -0.5 * logDet + 0; // + 0 turns the −0 of an exact identity into 0
}

/** Gaussian Wasserstein correlation 2 tr Σ − 2 tr sqrtm(diag(Σ)·Σ). */
export function gaussianWassersteinCorrelation(sigma: Matrix): number {
  return runSteps(wassersteinSteps(sigma));
}

function* wassersteinSteps(sigma: Matrix): Steps<number> {
  return 2 * trace(sigma) - 2 * (yield* traceSqrtDiagTimesSteps(sigma));
}

/**
 * The unsupervised scores of disentanglement_lib from codes alone (no factors): with Σ the ddof-1 covariance,
 * the Gaussian total correlation, the Gaussian Wasserstein correlation and its normalised form, and the mean
 * discrete mutual information between distinct pairs of codes. Lower = more factorised; all 0 for independent codes
 * with identity covariance.
 *
 * Deviation: a constant (dead) code makes ln det Σ = −∞ and the reference's total correlation NaN; we leave
 * zero-variance dims out of the total correlation (a constant is independent of everything, so this is the
 * value the remaining dims have) and list them in `constantDims`. The Wasserstein terms need no such care.
 * At least 2 code dims and 2 rows are required.
 *
 * The scores describe the codes given first (the training split, as disentanglement_lib): a second split, bare
 * codes or `{ codes, factors }`, is accepted so the entry has every matrix entry's `(train, test?, options?)`
 * form, and ignored. `score` is `gaussianTotalCorrelation`.
 *
 * @param codes n×D codes, or a `{ codes, factors }` pair whose factors are ignored.
 * @param options `numBins` (default 20); an unknown name is `BAD_OPTION`.
 * @example
 * const r = unsupervisedFromCodes([[0, 1], [1, 0], [2, 2], [3, 1]], { numBins: 20 });
 * r.score === r.gaussianTotalCorrelation; // true
 */
export function unsupervisedFromCodes(codes: TensorLike | LabelledCodes, options?: UnsupervisedOptions): UnsupervisedResult;
/** {@link unsupervisedFromCodes} with a held-out split, which it ignores (it scores the first codes). */
export function unsupervisedFromCodes(codes: TensorLike | LabelledCodes, test: TensorLike | LabelledCodes | undefined, options?: UnsupervisedOptions): UnsupervisedResult;
export function unsupervisedFromCodes(codes: TensorLike | LabelledCodes, second?: TensorLike | LabelledCodes | UnsupervisedOptions, third?: UnsupervisedOptions): UnsupervisedResult {
  const fn = 'unsupervisedFromCodes';
  const options = testAndOptions<UnsupervisedOptions>(second, third, fn).options;
  checkOptions(options, fn, OPTION_NAMES);
  return runSteps(unsupervisedSteps(toMatrix(codesOf(codes), 'codes', fn), intOption(options.numBins, 'numBins', 20), fn));
}

/** Options of {@link unsupervisedFromCodesAsync}. */
export interface UnsupervisedAsyncOptions extends UnsupervisedOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

const OPTION_NAMES = Object.keys({ numBins: 0 } satisfies Record<keyof UnsupervisedOptions, 0>);
const ASYNC_OPTION_NAMES = Object.keys({ numBins: 0, signal: 0, onProgress: 0 } satisfies Record<keyof UnsupervisedAsyncOptions, 0>);

/**
 * {@link unsupervisedFromCodes} that hands the event loop a turn at least every ~50 ms (between columns of the
 * covariance, steps of the eigenvalue solver and pairs of codes) and stops with `ABORTED` when `signal` fires.
 * Same numbers as the synchronous entry.
 *
 * @example
 * const r = await unsupervisedFromCodesAsync(codes, { signal: AbortSignal.timeout(10_000) });
 */
export async function unsupervisedFromCodesAsync(codes: TensorLike | LabelledCodes, options?: UnsupervisedAsyncOptions): Promise<UnsupervisedResult>;
/** {@link unsupervisedFromCodesAsync} with a held-out split, which it ignores (it scores the first codes). */
export async function unsupervisedFromCodesAsync(
  codes: TensorLike | LabelledCodes,
  test: TensorLike | LabelledCodes | undefined,
  options?: UnsupervisedAsyncOptions,
): Promise<UnsupervisedResult>;
export async function unsupervisedFromCodesAsync(
  codes: TensorLike | LabelledCodes,
  second?: TensorLike | LabelledCodes | UnsupervisedAsyncOptions,
  third?: UnsupervisedAsyncOptions,
): Promise<UnsupervisedResult> {
  const fn = 'unsupervisedFromCodesAsync';
  const options = testAndOptions<UnsupervisedAsyncOptions>(second, third, fn).options;
  checkOptions(options, fn, ASYNC_OPTION_NAMES);
  throwIfAborted(options.signal);
  const z = toMatrix(codesOf(codes), 'codes', fn);
  const steps = unsupervisedSteps(z, intOption(options.numBins, 'numBins', 20), fn, options.onProgress);
  return runStepsAsync(steps, createYielder(options.signal));
}

/**
 * Codes whose largest magnitude is outside [2⁻⁶⁴, 2⁶⁴] are multiplied by a power of two that brings it near 1
 * before anything is computed: exact, and it keeps the covariance's products from overflowing (codes near 1e200)
 * or underflowing. The total correlation, the normalised Wasserstein correlation and the mutual information do
 * not depend on the scale; Σ and the Wasserstein correlation are scaled back, and refused when they overflow.
 */
function codeScale(z: Matrix): number {
  const max = maxAbs(z);
  const exponent = max === 0 ? 0 : Math.floor(Math.log2(max));
  return Math.abs(exponent) > 64 ? -exponent : 0;
}

function* unsupervisedSteps(z: Matrix, numBins: number, fn: string, onProgress?: (p: Progress) => void): Steps<UnsupervisedResult> {
  const D = z.cols;
  if (D < 2) throw new DisentangleError('SHAPE_MISMATCH', `codes (in ${fn})`, `has ${D} code dim; the pairwise scores need at least 2`);
  if (z.rows < 2) throw new DisentangleError('EMPTY', `codes (in ${fn})`, `has ${z.rows} row; a covariance needs at least 2`);
  // Progress in pause steps, about: the covariance rows, the two eigenvalue problems (D steps each), the
  // discretized columns, their labels and the D(D+1)/2 pairs; capped below total until the end.
  const total = 5 * D + (D * (D + 1)) / 2;
  let done = 0;
  const step = (): void => {
    done = Math.min(done + 1, total - 1);
    if (onProgress && done % 16 === 0) onProgress({ stage: 'unsupervised', done, total });
  };
  const log2 = codeScale(z);
  const scaled = log2 === 0 ? z : { ...z, data: z.data.map((v) => v * 2 ** log2) };
  const sigma = yield* counted(covarianceSteps(scaled, 1), step);
  const constantDims = constantColumns(z);
  const live = Array.from({ length: D }, (_, i) => i).filter((i) => !constantDims.includes(i));
  const tc = live.length === 0 ? 0 : yield* counted(totalCorrelationSteps(subMatrix(sigma, live)), step);
  const wasserstein = yield* counted(wassersteinSteps(sigma), step);
  const tr = trace(sigma);
  const discrete = yield* counted(histogramDiscretizeSteps(scaled, numBins), step);
  const mi = yield* counted(discreteMutualInfoSelfSteps(discrete), step);
  let miSum = 0;
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) if (i !== j) miSum += mi[i * D + j];
  onProgress?.({ stage: 'unsupervised', done: total, total });
  const unscale = 2 ** (-2 * log2);
  const covarianceRows = toRows(log2 === 0 ? sigma : { ...sigma, data: sigma.data.map((v) => v * unscale) });
  const wassersteinOut = wasserstein * unscale;
  if (!Number.isFinite(wassersteinOut) || covarianceRows.some((row) => row.some((v) => !Number.isFinite(v)))) {
    throw new DisentangleError(
      'NON_FINITE',
      `codes (in ${fn})`,
      `values up to ${maxAbs(z).toExponential(2)} make the covariance overflow float64 (beyond 1.8e308); divide the codes by a constant (the total correlation, the normalised Wasserstein correlation and the mutual information do not change)`,
    );
  }
  return {
    score: tc,
    gaussianTotalCorrelation: tc,
    gaussianWassersteinCorrelation: wassersteinOut,
    gaussianWassersteinCorrelationNorm: tr > 0 ? wasserstein / tr : 0,
    mutualInfoScore: miSum / (D * D - D),
    covariance: covarianceRows,
    constantDims,
  };
}

/** Passes `steps` through, calling `tick` at each of its pauses. */
function* counted<T>(steps: Steps<T>, tick: () => void): Steps<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    tick();
    yield;
  }
}

function maxAbs(z: Matrix): number {
  let max = 0;
  for (let i = 0; i < z.data.length; i++) max = Math.max(max, Math.abs(z.data[i]));
  return max;
}

/** Options of {@link computeUnsupervised}. */
export type ComputeUnsupervisedOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & UnsupervisedOptions;

/**
 * The unsupervised scores on `numTrain` sampled points (default 10,000, batch 16, as disentanglement_lib).
 * Factors are drawn to render observations but not used.
 *
 * @example
 * const { gaussianTotalCorrelation } = await computeUnsupervised({ dataset: dsprites(), represent: encoder });
 */
export async function computeUnsupervised<Obs = TensorLike>(options: ComputeUnsupervisedOptions<Obs>): Promise<UnsupervisedResult> {
  checkOptions(options, 'computeUnsupervised', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES]);
  await ensureBackend();
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  return unsupervisedFromCodesAsync(train.codes, { numBins: options.numBins, signal: options.signal });
}
