/**
 * UDR's comparison step on stored representations: each model's means z-scored (its low-KL dims zeroed), one
 * similarity matrix per ordered pair (Lasso or |Spearman ρ|), its relative strength, and the median per model.
 * `udr.ts` runs it on freshly encoded models; a population merge runs it on the representations its units
 * stored, pair by pair when the comparisons themselves are spread over processes.
 */
import { createYielder, type Yielder } from '../core/batching.js';
import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { column, selectColumns, toRows } from '../core/matrix.js';
import { enumOption, numberOption } from '../core/validate.js';
import { fitLasso } from '../estimators/linear/lasso.js';
import { pearsonCorrelation, rankData } from '../estimators/rankCorrelation.js';
import { relativeStrength } from '../estimators/relativeStrength.js';
import { standardScaler } from '../estimators/linear/standardize.js';
import { argmaxFirst, rankDescending } from './ranking.js';
import type { RunOptions } from '../core/types.js';

/** How UDR compares two models' representations (disentanglement_lib's defaults). */
export interface UdrComparisonOptions {
  correlation: 'lasso' | 'spearman';
  /** Keep only dims with KL > klFilterThreshold in each pairwise matrix (default true). */
  filterLowKl?: boolean;
  /** Default 0.01. Dims with KL ≤ 0.01 are zeroed whatever this is (disentanglement_lib hard-codes it). */
  klFilterThreshold?: number;
  /** Lasso penalty (default 0.1, disentanglement_lib's). */
  alpha?: number;
}

/** Options of `udrFromRepresentations`: the comparison, its progress and its abort signal. */
export type UdrScoreOptions = UdrComparisonOptions & Pick<RunOptions, 'onProgress' | 'signal'>;

/** One model's encoding of UDR's shared sample: what a population run stores per model. */
export interface UdrRepresentation {
  /** numDataPoints × D encoder means, in sample order. */
  mean: Matrix;
  /** Mean KL per dim over the sample's batches (Infinity without `logVar`). */
  kl: number[];
}

/** Result of `udr`. */
export interface UdrResult {
  /** scores[j] = median over i ≠ j of pairwise[i][j]. */
  scores: number[];
  /** pairwise[i][j] = relative strength of R(i → j); the diagonal is 0 as in disentanglement_lib. */
  pairwise: number[][];
  /** Model indices by descending score (ties: lower index first; NaN last). */
  ranking: number[];
  /** argmax of scores, first index on ties; NaN scores never win (−1 if all are NaN). */
  selected: number;
  /** Mean KL per dim of each model (Infinity for a model without logVar). */
  kl: number[][];
  /** Dims with KL > klFilterThreshold, per model. */
  active: boolean[][];
  /** Unfiltered R matrices: correlations[i][j] is d×d, rows = dims of i, columns = dims of j (empty when i = j). */
  correlations: number[][][][];
}


/** Median of the values, NaN if any is NaN (numpy's `median`). */
export function median(values: number[]): number {
  if (values.length === 0 || values.some(Number.isNaN)) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

async function lassoMatrix(xi: Matrix, xj: Matrix, alpha: number, yielder: Yielder): Promise<Matrix> {
  const d = xi.cols;
  const r = new Float64Array(d * xj.cols);
  for (let b = 0; b < xj.cols; b++) {
    const y = column(xj, b);
    // A zeroed (low-KL) target has the all-zero solution; scikit-learn reaches it too, after max_iter sweeps.
    if (y.every((v) => v === 0)) continue;
    const { coef } = fitLasso(xi, y, { alpha });
    for (let a = 0; a < d; a++) r[a * xj.cols + b] = Math.abs(coef[a]);
    await yielder.maybeYield(); // one fit per target dim; many dims or points make a pair long
  }
  return { data: r, rows: d, cols: xj.cols };
}

function spearmanMatrix(ranksI: Float64Array[], ranksJ: Float64Array[]): Matrix {
  const r = new Float64Array(ranksI.length * ranksJ.length);
  for (let a = 0; a < ranksI.length; a++) {
    for (let b = 0; b < ranksJ.length; b++) r[a * ranksJ.length + b] = Math.abs(pearsonCorrelation(ranksI[a], ranksJ[b]));
  }
  return { data: r, rows: ranksI.length, cols: ranksJ.length };
}

/** Indices of the true entries of a mask. */
function kept(mask: readonly boolean[]): number[] {
  return mask.flatMap((k, i) => (k ? [i] : []));
}


/** The comparison settings of {@link UdrScoreOptions}, checked, with their defaults. */
export interface ScoreSettings {
  correlation: 'lasso' | 'spearman';
  filterLowKl: boolean;
  threshold: number;
  alpha: number;
}

export function scoreSettings(options: UdrScoreOptions): ScoreSettings {
  const correlation = enumOption(options.correlation, 'correlation', ['lasso', 'spearman'] as const, 'lasso');
  if (options.correlation === undefined) throw new DisentangleError('BAD_OPTION', 'correlation', "is required: 'lasso' or 'spearman'");
  return {
    correlation,
    filterLowKl: options.filterLowKl ?? true,
    threshold: numberOption(options.klFilterThreshold, 'klFilterThreshold', 0.01),
    alpha: numberOption(options.alpha, 'alpha', 0.1, 0),
  };
}

/** A representation ready to be compared: z-scored with its low-KL dims zeroed, the ranks Spearman needs, the active dims. */
interface Prepared {
  z: Matrix;
  ranks: Float64Array[];
  active: boolean[];
}

function prepare(rep: UdrRepresentation, { correlation, threshold }: ScoreSettings): Prepared {
  const x = rep.mean;
  const z = standardScaler(x).transform(x);
  // disentanglement_lib multiplies by (KL > 0.01) whatever kl_filter_threshold is.
  for (let r = 0; r < z.rows; r++) for (let d = 0; d < z.cols; d++) if (!(rep.kl[d] > 0.01)) z.data[r * z.cols + d] = 0;
  const ranks = correlation === 'spearman' ? Array.from({ length: z.cols }, (_, d) => rankData(column(z, d))) : [];
  return { z, ranks, active: rep.kl.map((v) => v > threshold) };
}

/** R(i → j) (rows = dims of i, columns = dims of j) and its relative strength, UDR_ij. */
async function compare(i: Prepared, j: Prepared, { correlation, filterLowKl, alpha }: ScoreSettings, yielder: Yielder): Promise<{ r: Matrix; strength: number }> {
  const r = correlation === 'lasso' ? await lassoMatrix(i.z, j.z, alpha, yielder) : spearmanMatrix(i.ranks, j.ranks);
  return { r, strength: relativeStrength(filterLowKl ? selectColumns(r, kept(j.active), kept(i.active)) : r) };
}

/** Scores, ranking and selection from UDR's pairwise matrix: model j's score is the median of UDR_ij over i ≠ j. */
export function udrFromPairwise(pairwise: readonly (readonly number[])[]): Pick<UdrResult, 'scores' | 'ranking' | 'selected'> {
  const scores = pairwise.map((_, j) => median(pairwise.flatMap((row, i) => (i === j ? [] : [row[j]]))));
  return { scores, ranking: rankDescending(scores), selected: argmaxFirst(scores) };
}

/**
 * A function giving UDR_ij for ordered pairs of stored representations: what {@link scoreRepresentations}
 * computes for (i, j), bit for bit, so the n(n − 1) comparisons of a large population can be spread over
 * processes. Each representation object is z-scored (and ranked) once, on its first comparison.
 *
 * @example
 * const strength = udrComparer({ correlation: 'lasso' });
 * const r01 = await strength(reps[0], reps[1]);
 */
export function udrComparer(options: UdrComparisonOptions & Pick<RunOptions, 'signal'>): (from: UdrRepresentation, to: UdrRepresentation) => Promise<number> {
  const settings = scoreSettings(options);
  const prepared = new WeakMap<UdrRepresentation, Prepared>();
  const ready = (rep: UdrRepresentation): Prepared => prepared.get(rep) ?? prepared.set(rep, prepare(rep, settings)).get(rep)!;
  const yielder = createYielder(options.signal);
  return async (from, to) => (await compare(ready(from), ready(to), settings, yielder)).strength;
}

/** UDR_ij for one ordered pair of stored representations (see {@link udrComparer} for many pairs). */
export function udrPairStrength(from: UdrRepresentation, to: UdrRepresentation, options: UdrComparisonOptions & Pick<RunOptions, 'signal'>): Promise<number> {
  return udrComparer(options)(from, to);
}

/** The pairwise comparison of `udr`, shared with `udrFromRepresentations`. */
export async function scoreRepresentations(reps: readonly UdrRepresentation[], settings: ScoreSettings, options: UdrScoreOptions): Promise<UdrResult> {
  const n = reps.length;
  const pairsTotal = n * (n - 1);
  const report = options.onProgress;
  const yielder = createYielder(options.signal);
  const prepared = reps.map((rep) => prepare(rep, settings));
  const pairwise = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const correlations: number[][][][] = Array.from({ length: n }, () => Array.from({ length: n }, () => [] as number[][]));
  let done = 0;
  report?.({ stage: 'pairs', done, total: pairsTotal });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      await yielder.maybeYield(); // lets an abort or a progress repaint through between pairs
      const { r, strength } = await compare(prepared[i], prepared[j], settings, yielder);
      correlations[i][j] = toRows(r);
      pairwise[i][j] = strength;
      report?.({ stage: 'pairs', done: ++done, total: pairsTotal });
    }
  }
  const kl = reps.map((r) => [...r.kl]);
  return { ...udrFromPairwise(pairwise), pairwise, kl, active: prepared.map((p) => p.active), correlations };
}
