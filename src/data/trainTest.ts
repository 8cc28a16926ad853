/**
 * The drawing step of the matrix metrics (MIG, SAP, DCI, modularity, explicitness, IRS, unsupervised, AAM,
 * dHSIC): disentanglement_lib's `generate_batch_factor_code` for a train split and, when the metric has one, a
 * test split, each from its own child of the seed's stream.
 */
import type { IntMatrix, Matrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import type { GroundTruthDataset, Progress, RepresentationFunction, TensorLike } from '../core/types.js';
import { intOption, type CodesAndFactors } from '../core/validate.js';
import { openSamplingContext, sampleCodesAndFactors, type CodeRouteOptions, type SamplingContext } from './sampling.js';
import type { SharedDraws } from './sharedDraws.js';

/** What every sampling entry (`computeX`) takes besides its own options. */
export interface SamplingMetricOptions<Obs = TensorLike> extends CodeRouteOptions {
  dataset: GroundTruthDataset<Obs>;
  /** The model's representation; optional when `codeTable` is given. */
  represent?: RepresentationFunction<Obs>;
  /** Default 0; same seed, same number. */
  seed?: number;
  batchSize?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  numTrain?: number;
  numTest?: number;
  /** @internal The run's kept draws (created by `evaluate()`): metrics asking for the same split share it. */
  sharedDraws?: SharedDraws;
}

/**
 * The option names of {@link SamplingMetricOptions}, for `checkOptions`' list of known names: every sampling entry
 * passes these plus its own, so a misspelt one is a `BAD_OPTION`. The `satisfies` keeps the list and the
 * interface equal: a field added to one and not the other does not compile.
 */
export const SAMPLING_OPTION_NAMES: readonly string[] = Object.keys({
  dataset: 0,
  represent: 0,
  codeTable: 0,
  codeSource: 0,
  sharedDraws: 0,
  seed: 0,
  batchSize: 0,
  onProgress: 0,
  signal: 0,
  numTrain: 0,
  numTest: 0,
} satisfies Record<keyof SamplingMetricOptions, 0>);

/** Codes and factors as a `LabelledCodes` value in the `{data, shape}` TensorLike form. */
export interface SampledCodes {
  codes: { data: Float64Array; shape: [number, number] };
  factors: { data: Int32Array; shape: [number, number] };
}

function asLabelled(s: { codes: Matrix; factors: IntMatrix }): SampledCodes {
  return {
    codes: { data: s.codes.data, shape: [s.codes.rows, s.codes.cols] },
    factors: { data: s.factors.data, shape: [s.factors.rows, s.factors.cols] },
  };
}

/**
 * The drawing step shared by every `computeX`: a train split (and a test split when `defaults.numTest` is set)
 * of codes and factors, with disentanglement_lib's sampling defaults unless the caller overrides them.
 * The train split is drawn from `createRng(seed).fork()`'s first child, the test split from the second, so each
 * split depends only on the seed, its size and the batch size; with `sharedDraws` a split another metric of the
 * run already drew is reused. `createRngFn` (default `createRng`) names the rng maker, which keys shared draws.
 */
export async function sampleTrainTest<Obs>(
  opts: SamplingMetricOptions<Obs>,
  defaults: { numTrain: number; numTest?: number; batchSize: number },
  createRngFn: (seed: number) => Rng = createRng,
): Promise<{ train: SampledCodes; test?: SampledCodes }> {
  const { train, test } = await sampleTrainTestMatrices(opts, defaults, createRngFn);
  return test ? { train: asLabelled(train), test: asLabelled(test) } : { train: asLabelled(train) };
}

/**
 * {@link sampleTrainTest} for entries that go on with the matrices themselves (already checked: finite codes,
 * factors within the dataset's sizes), so they need not re-read them. `rng` is the seed's third child: the
 * stream for the metric's own randomized estimators, apart from both sampler streams.
 */
export async function sampleTrainTestMatrices<Obs>(
  opts: SamplingMetricOptions<Obs>,
  defaults: { numTrain: number; numTest?: number; batchSize: number },
  createRngFn: (seed: number) => Rng = createRng,
): Promise<{ train: CodesAndFactors; test?: CodesAndFactors; rng: Rng }> {
  const ctx = await openSamplingContext(opts);
  const numTrain = intOption(opts.numTrain, 'numTrain', defaults.numTrain);
  const batchSize = intOption(opts.batchSize, 'batchSize', defaults.batchSize);
  const numTest = defaults.numTest === undefined ? 0 : intOption(opts.numTest, 'numTest', defaults.numTest);
  const seed = opts.seed ?? 0;
  const root = createRngFn(seed);
  const [trainRng, testRng, rng] = [root.fork(), root.fork(), root.fork()];
  const total = numTrain + numTest;
  const train = await drawSplit(ctx, opts, { split: 'train', numPoints: numTrain, offset: 0, total, batchSize, seed, rng: trainRng, createRngFn });
  if (numTest === 0) return { train, rng };
  const test = await drawSplit(ctx, opts, { split: 'test', numPoints: numTest, offset: numTrain, total, batchSize, seed, rng: testRng, createRngFn });
  return { train, test, rng };
}

interface SplitPlan {
  split: 'train' | 'test';
  numPoints: number;
  /** Rows of the metric's whole draw before this split, and the whole draw, for progress. */
  offset: number;
  total: number;
  batchSize: number;
  seed: number;
  rng: Rng;
  createRngFn: (seed: number) => Rng;
}

async function drawSplit<Obs>(ctx: SamplingContext<Obs>, opts: SamplingMetricOptions<Obs>, plan: SplitPlan): Promise<{ codes: Matrix; factors: IntMatrix }> {
  const report = opts.onProgress;
  const make = (): Promise<{ codes: Matrix; factors: IntMatrix }> =>
    sampleCodesAndFactors(ctx, {
      numPoints: plan.numPoints,
      batchSize: plan.batchSize,
      rng: plan.rng,
      stage: plan.split,
      signal: opts.signal,
      onProgress: report && ((p) => report({ stage: plan.split, done: plan.offset + p.done, total: plan.total })),
    });
  if (!opts.sharedDraws) return make();
  const key = { createRng: plan.createRngFn, seed: plan.seed, split: plan.split, numPoints: plan.numPoints, batchSize: plan.batchSize };
  return opts.sharedDraws.draw(key, make, () => report?.({ stage: plan.split, done: plan.offset + plan.numPoints, total: plan.total }));
}
