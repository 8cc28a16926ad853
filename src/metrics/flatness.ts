/**
 * Flatness (Michlo et al.), as nmichlo/disent's `disent/metrics/_flatness.py` (`metric_flatness`) computes it:
 * traverse each factor through all its values with the other factors fixed at random, encode, and compare how
 * wide the encoded traversal is with how long the path through its codes is.
 */
import { ProgressCounter } from '../core/batching.js';
import { DisentangleError } from '../core/errors.js';
import type { IntMatrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import type { GroundTruthDataset, Progress, RepresentationFunction, TensorLike } from '../core/types.js';
import { checkOptions, intOption } from '../core/validate.js';
import { drawFactors, openSamplingContext, representFactors, type CodeRouteOptions, type SamplingContext } from '../data/sampling.js';
import { ensureBackend } from '../core/backend.js';
import {
  flatnessAverages,
  flatnessRatio,
  measureTraversal,
  TraversalMeansAccumulator,
  type FlatnessAverages,
  type TraversalMeasures,
} from '../estimators/traversalFlatness.js';

/** Options of {@link computeFlatness}. */
export interface FlatnessOptions<Obs = TensorLike> extends CodeRouteOptions {
  dataset: GroundTruthDataset<Obs>;
  /** The model's representation (the posterior mean for a VAE); optional when `codeTable` is given. */
  represent?: RepresentationFunction<Obs>;
  /** Default 0; same seed, same number. */
  seed?: number;
  /** Traversals per factor, averaged. disent: 1024 (its recommended setting), 128 in its fast setting. */
  repeats?: number;
  /** Rows per `represent` call (default 64, disent's); does not change the result. */
  batchSize?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** The option names `computeFlatness` accepts; `sharedDraws` is what `evaluate()` hands every entry (unused: no split). */
const OPTION_NAMES: readonly string[] = [
  ...Object.keys({
    dataset: 0,
    represent: 0,
    codeTable: 0,
    codeSource: 0,
    seed: 0,
    repeats: 0,
    batchSize: 0,
    onProgress: 0,
    signal: 0,
  } satisfies Record<keyof FlatnessOptions, 0>),
  'sharedDraws',
];

/** One factor's traversal measures, means over the repeats. */
export interface FlatnessFactor extends TraversalMeasures {
  /** The factor's number of values (the traversal's length S). */
  size: number;
  /** False for a factor of size 1: not traversed, its measures are 0 and it is left out of every average. */
  active: boolean;
  /** widthL2 / lengthL1 (the factor's share of `aveFlatness`); 0 when the codes never moved; null when inactive. */
  flatness: number | null;
  /** widthL1 / lengthL1; null when inactive. */
  flatnessL1: number | null;
  /** widthL2 / lengthL2; null when inactive. */
  flatnessL2: number | null;
}

/** Result of {@link computeFlatness}: disent's seven numbers, the headline, and the per-factor measures. */
export interface FlatnessResult extends FlatnessAverages {
  /** The headline number, equal to `aveFlatness` (disent's main `flatness.ave_flatness`). */
  score: number;
  /** Per factor, in dataset order. */
  perFactor: FlatnessFactor[];
  repeats: number;
}

const FN = 'computeFlatness';

/**
 * Flatness of a representation (Michlo et al.; nmichlo/disent `metric_flatness`). For every factor of size S ≥ 2
 * and each of `repeats` times: draw one random factor row, set the factor to 0, 1, …, S − 1 (the other factors
 * fixed), render and encode the S rows. Per traversal, under the L1 and the L2 norm, the width is the largest
 * distance between two of its codes and the length is the sum of the steps between neighbouring codes around the
 * cycle (last back to first) with the single largest step left out. Widths and lengths are averaged over the
 * repeats; per factor, flatness = width / length, 1 when the codes move along a straight line in one direction
 * and lower the more the path bends or turns back. `aveFlatness` (the `score`) divides the L2 width by the L1
 * length, so it also rewards axis alignment (a straight line along a diagonal of d code dims scores 1/√d);
 * `aveFlatnessL1` and `aveFlatnessL2` use one norm for both. Averages are over the factors of size ≥ 2.
 *
 * Defaults are disent's recommended ones: `repeats` 1024 and 64 rows per encoding call; disent's fast setting is
 * `repeats: 128` (about ±0.003 by disent's estimate). A traversal whose codes never move scores 0 (disent's rule);
 * a dataset whose factors all have size 1 is `BAD_INPUT` naming `dataset.factorSizes` (disent's mean over no
 * factor is NaN). Codes are read as float64.
 *
 * @example
 * const { score, aveWidthL2, perFactor } = await computeFlatness({ dataset: dsprites(), represent: encoder, repeats: 128 });
 */
export async function computeFlatness<Obs = TensorLike>(options: FlatnessOptions<Obs>): Promise<FlatnessResult> {
  checkOptions(options, FN, OPTION_NAMES);
  await ensureBackend();
  const repeats = intOption(options.repeats, 'repeats', 1024);
  const batchSize = intOption(options.batchSize, 'batchSize', 64);
  const ctx = await openSamplingContext(options);
  const sizes = ctx.factorSizes;
  if (!sizes.some((s) => s > 1)) {
    throw new DisentangleError('BAD_INPUT', 'dataset.factorSizes', `every factor has size 1 ([${sizes}]); flatness traverses factors with at least 2 values`);
  }
  // With a code table, ask for more rows per lookup: its missing rows are encoded encodeBatchSize at a time anyway.
  const chunkRows = ctx.source ? Math.max(batchSize, ctx.source.encodeBatchSize) : batchSize;
  const total = sizes.reduce((t, s) => t + (s > 1 ? Math.ceil((repeats * s) / chunkRows) : 0), 0);
  const progress = new ProgressCounter(options.onProgress, total, options.signal);
  const root = createRng(options.seed ?? 0);
  const means: TraversalMeasures[] = [];
  for (let k = 0; k < sizes.length; k++) {
    const rng = root.fork(); // one stream per factor, forked for size-1 factors too so the others' do not shift
    means.push(sizes[k] > 1 ? await traverseFactor(ctx, k, repeats, chunkRows, rng, progress) : new TraversalMeansAccumulator(1).means());
  }
  const averages = flatnessAverages(sizes, means);
  const perFactor = means.map((m, k): FlatnessFactor => {
    const active = sizes[k] > 1;
    return {
      size: sizes[k],
      active,
      ...m,
      flatness: active ? flatnessRatio(m.widthL2, m.lengthL1) : null,
      flatnessL1: active ? flatnessRatio(m.widthL1, m.lengthL1) : null,
      flatnessL2: active ? flatnessRatio(m.widthL2, m.lengthL2) : null,
    };
  });
  return { score: averages.aveFlatness, ...averages, perFactor, repeats };
}

/**
 * The `repeats` traversals of factor `k`: their base rows are drawn first (one call to the dataset's sampler),
 * then the repeats × S rows are rendered and encoded `chunkRows` at a time, a chunk spanning traversals. Each
 * traversal is measured as soon as its S codes are in, so memory is one chunk and one traversal.
 */
async function traverseFactor<Obs>(
  ctx: SamplingContext<Obs>,
  k: number,
  repeats: number,
  chunkRows: number,
  rng: Rng,
  progress: ProgressCounter,
): Promise<TraversalMeasures> {
  const S = ctx.factorSizes[k];
  const K = ctx.factorSizes.length;
  const bases = await drawFactors(ctx, repeats, rng);
  const acc = new TraversalMeansAccumulator(S);
  let pending: Float64Array | undefined; // the current traversal's codes, S × D
  let filled = 0;
  const totalRows = repeats * S;
  for (let start = 0; start < totalRows; start += chunkRows) {
    const rows = Math.min(chunkRows, totalRows - start);
    const factors: IntMatrix = { data: new Int32Array(rows * K), rows, cols: K };
    for (let i = 0; i < rows; i++) {
      const t = start + i;
      const base = Math.floor(t / S) * K;
      factors.data.set(bases.data.subarray(base, base + K), i * K);
      factors.data[i * K + k] = t % S; // disent's 'interval' traversal with S frames: 0, 1, …, S − 1
    }
    const codes = await representFactors(ctx, factors, rng);
    const D = codes.cols;
    pending ??= new Float64Array(S * D);
    for (let i = 0; i < rows; i++) {
      pending.set(codes.data.subarray(i * D, (i + 1) * D), filled * D);
      if (++filled === S) {
        acc.add(measureTraversal(pending, 0, S, D));
        filled = 0;
      }
    }
    await progress.step('traversals');
  }
  return acc.means();
}
