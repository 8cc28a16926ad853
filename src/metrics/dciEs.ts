/**
 * DCI-ES (Eastwood, Nicolicioiu, von Kügelgen, Kekić, Träuble, Dittadi & Schölkopf 2023, "DCI-ES: An Extended
 * Disentanglement Framework with Connections to Identifiability", ICLR): explicitness E from loss–capacity curves
 * of probes of growing capacity, size S, and D / C / I from the most informative probe, following
 * andreinicolicioiu/DCI-ES (`metrics/explitcitness.py`, `src/simple_gather.py`,
 * `src/loss_capacity/train_model_random_forest.py`, `configs/random_forest/`).
 */
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { column, toRows, type Matrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import type { LabelledCodes, Progress, TensorLike } from '../core/types.js';
import { checkFactorsVary, checkOptions, checkSameWidths, enumOption, intOption, numberOption, readLabelledValues, testAndOptions, type CodesAndFactorValues } from '../core/validate.js';
import { yieldToEventLoop } from '../core/batching.js';
import { ensureBackend } from '../core/backend.js';
import { explicitnessOfCurves } from '../estimators/lossCapacity.js';
import { fitRandomForest } from '../estimators/trees/randomForest.js';
import { fitRandomForestRegressor } from '../estimators/trees/randomForestRegressor.js';
import { forestImportances, nodeDepths } from '../estimators/trees/forestImportances.js';
import { forestOutputsByDepth } from '../estimators/trees/forestDepths.js';
import { fitGradientBoosting } from '../estimators/trees/gradientBoosting.js';
import { applyTree, toFloat32Values, treeImportances } from '../estimators/trees/decisionTree.js';
import { argmaxRows, encodeLabels } from '../estimators/labels.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { scoreImportances } from './dciScores.js';

/** The reference's random-forest depths (`configs/random_forest/config.yaml`). */
export const DCI_ES_FOREST_DEPTHS: readonly number[] = [1, 2, 3, 4, 8, 10, 12, 14, 16, 18, 20, 32];
/** Our boosting stage counts (the reference has no boosting probe). */
export const DCI_ES_BOOSTING_STAGES: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 100];

/** Options of {@link dciEsFromCodes}. */
export interface DciEsOptions {
  /** Probe family: 'random-forest' (default; capacity = max depth) or 'gradient-boosting' (capacity = stages). */
  probe?: 'random-forest' | 'gradient-boosting';
  /** Capacities, increasing: depths (default the reference's 12) or stage counts (default 1 … 100). */
  capacities?: readonly number[];
  /** Trees per random forest, default 20 (the reference fits 100; see the docs for why fewer). */
  numTrees?: number;
  /**
   * How each factor is probed: 'continuous' (regression, loss 1 − R², baseline 1) or 'categorical'
   * (classification, loss 1 − accuracy, baseline 1 − 1/#classes); one value for all or one per factor. Default
   * 'continuous' for the forest, 'categorical' for boosting (our boosting probe classifies only).
   */
  factorKinds?: 'continuous' | 'categorical' | ReadonlyArray<'continuous' | 'categorical'>;
  /** Capacity axis of the curve: 'linear' (default for forests, as the reference) or 'log' (default for boosting). */
  capacityScale?: 'linear' | 'log';
  /** Seed of the probes' draws, default 0. */
  seed?: number;
  /** Called after every probe fit (one per factor): `{ stage: 'dci-es', done, total }`. */
  onProgress?: (p: Progress) => void;
}

/** One factor's loss–capacity curve. */
export interface DciEsCurve {
  /** Capacities as given (depths or stage counts). */
  capacity: number[];
  /** Held-out loss at each capacity (before the running minimum). */
  loss: number[];
  baselineLoss: number;
}

/** Result of {@link dciEsFromCodes} / {@link computeDciEs}. */
export interface DciEsResult {
  /** The explicitness E (headline). */
  score: number;
  /** Mean over factors of the per-factor explicitness, in [−1, 1]. */
  explicitness: number;
  perFactorExplicitness: number[];
  /** Size S = K / D: factor count over code dimensions (1 = as many codes as factors, smaller = larger code). */
  size: number;
  curves: DciEsCurve[];
  /** Best mean held-out score (R² or accuracy) over capacities: the I of the most informative probe. */
  informativeness: number;
  /** The capacity whose probes gave `informativeness`; D, C and the importance matrix are theirs. */
  bestCapacity: number;
  disentanglement: number;
  completeness: number;
  /** D×K importances of the `bestCapacity` probes. */
  importanceMatrix: number[][];
  probe: 'random-forest' | 'gradient-boosting';
}

const OPTION_NAMES = Object.keys({
  probe: 0, capacities: 0, numTrees: 0, factorKinds: 0, capacityScale: 0, seed: 0, onProgress: 0,
} satisfies Record<keyof DciEsOptions, 0>);

type Kind = 'continuous' | 'categorical';

interface Plan {
  train: CodesAndFactorValues;
  test: CodesAndFactorValues;
  probe: 'random-forest' | 'gradient-boosting';
  capacities: number[];
  numTrees: number;
  kinds: Kind[];
  logScale: boolean;
  rng: Rng;
  K: number;
}

interface FactorFit {
  loss: number[];
  /** Held-out score (R² or accuracy) per capacity. */
  score: number[];
  baselineLoss: number;
  /** D importances per capacity. */
  importance: Float64Array[];
}

function readPlan(train: LabelledCodes, test: LabelledCodes | undefined, options: DciEsOptions, fn: string, rng: Rng): Plan {
  const tr = readSplit(train, 'train', fn);
  const te = test === undefined ? tr : readSplit(test, 'test', fn);
  if (te !== tr) checkSameWidths(tr, te, fn);
  const probe = enumOption(options.probe, 'probe', ['random-forest', 'gradient-boosting'] as const, 'random-forest');
  const forest = probe === 'random-forest';
  const capacities = [...(options.capacities ?? (forest ? DCI_ES_FOREST_DEPTHS : DCI_ES_BOOSTING_STAGES))];
  if (capacities.length === 0) throw new DisentangleError('BAD_OPTION', 'capacities', 'is empty');
  capacities.forEach((c, i) => {
    intOption(c, `capacities[${i}]`, 1);
    if (i > 0 && !(c > capacities[i - 1])) throw new DisentangleError('BAD_OPTION', 'capacities', `must increase (${c} after ${capacities[i - 1]})`);
  });
  const K = tr.factors.cols;
  const kindOption = options.factorKinds ?? (forest ? 'continuous' : 'categorical');
  const kinds: Kind[] = typeof kindOption === 'string' ? Array<Kind>(K).fill(kindOption) : [...kindOption];
  if (kinds.length !== K) throw new DisentangleError('BAD_OPTION', 'factorKinds', `has ${kinds.length} entries for ${K} factors`);
  kinds.forEach((k, j) => enumOption(k, `factorKinds[${j}]`, ['continuous', 'categorical'] as const, 'continuous'));
  if (!forest && kinds.includes('continuous')) {
    throw new DisentangleError('BAD_OPTION', 'factorKinds', "the 'gradient-boosting' probe classifies; every factor must be 'categorical'");
  }
  for (const [split, name] of [[tr, 'train'], [te, 'test']] as const) {
    kinds.forEach((k, j) => {
      if (k !== 'categorical') return;
      for (let i = 0; i < split.factors.rows; i++) {
        const v = split.factors.data[i * K + j];
        if (!Number.isInteger(v)) throw new DisentangleError('BAD_INPUT', `${name}.factors (in ${fn})`, `categorical factor ${j} has the non-integer value ${v}`);
      }
    });
  }
  const scale = enumOption(options.capacityScale, 'capacityScale', ['linear', 'log'] as const, forest ? 'linear' : 'log');
  const numTrees = intOption(options.numTrees, 'numTrees', 20);
  return { train: tr, test: te, probe, capacities, numTrees, kinds, logScale: scale === 'log', rng, K };
}

function readSplit(value: LabelledCodes, argument: string, fn: string): CodesAndFactorValues {
  const split = readLabelledValues(value, argument, fn);
  if (split.codes.rows < 2) throw new DisentangleError('EMPTY', `${argument} (in ${fn})`, `has ${split.codes.rows} rows; at least 2 are needed`);
  checkFactorsVary(split.factors, `${argument}.factors`, fn);
  return split;
}

/** scikit-learn's `r2_score` (`RandomForestRegressor.score`): 1 − SS_res / SS_tot around the test mean. */
function rSquared(truth: Float64Array, predicted: Float64Array): number {
  let mean = 0;
  for (const v of truth) mean += v / truth.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < truth.length; i++) {
    res += (truth[i] - predicted[i]) ** 2;
    tot += (truth[i] - mean) ** 2;
  }
  return tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
}

function accuracy(truth: Float64Array, predicted: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) hits++;
  return hits / truth.length;
}

/** Fits factor j's probe once at the largest capacity and reads it at every capacity. */
function fitFactor(plan: Plan, j: number): FactorFit {
  const { train, test, capacities } = plan;
  const rng = plan.rng.fork();
  const yTrain = column(train.factors, j);
  const yTest = column(test.factors, j);
  const maxCapacity = capacities[capacities.length - 1];
  const D = train.codes.cols;
  if (plan.kinds[j] === 'continuous') {
    const forest = fitRandomForestRegressor(train.codes, yTrain, { numEstimators: plan.numTrees, maxDepth: maxCapacity, rng });
    const outs = forestOutputsByDepth(forest.trees, test.codes, capacities, false);
    const score = outs.map((pred) => rSquared(yTest, pred));
    const depths = forest.trees.map(nodeDepths);
    const importance = capacities.map((d) => forestImportances(forest.trees, D, d, depths));
    return { score, loss: score.map((s) => 1 - s), baselineLoss: 1, importance };
  }
  const labels = Int32Array.from(yTrain);
  const { classes } = encodeLabels(labels);
  const baselineLoss = 1 - 1 / classes.length;
  let score: number[];
  let importance: Float64Array[];
  if (plan.probe === 'random-forest') {
    const forest = fitRandomForest(train.codes, labels, { numEstimators: plan.numTrees, maxDepth: maxCapacity, rng });
    const outs = forestOutputsByDepth(forest.trees, test.codes, capacities, true);
    score = outs.map((proba) => accuracy(yTest, argmaxRows({ data: proba, rows: test.codes.rows, cols: classes.length }, classes)));
    const depths = forest.trees.map(nodeDepths);
    importance = capacities.map((d) => forestImportances(forest.trees, D, d, depths));
  } else {
    ({ score, importance } = boostingByStages(plan, labels, classes, yTest, rng));
  }
  return { score, loss: score.map((s) => 1 - s), baselineLoss, importance };
}

/** One boosting fit with the largest stage count, read after each requested number of stages. */
function boostingByStages(plan: Plan, labels: Int32Array, classes: Int32Array, yTest: Float64Array, rng: Rng): { score: number[]; importance: Float64Array[] } {
  const { train, test, capacities } = plan;
  const learningRate = 0.1;
  const model = fitGradientBoosting(train.codes, labels, { numEstimators: capacities[capacities.length - 1], learningRate, rng });
  const n = test.codes.rows;
  const D = train.codes.cols;
  const Kc = model.stages[0].length;
  const full = model.decisionFunction(test.codes).data;
  const xf = toFloat32Values(test.codes);
  const contrib = model.stages.map((trees) => {
    const c = new Float64Array(n * Kc);
    trees.forEach((tree, k) => {
      for (let i = 0; i < n; i++) c[i * Kc + k] = learningRate * tree.value[applyTree(tree, xf, i * D)];
    });
    return c;
  });
  // The prior scores: the full decision minus every stage's contribution.
  const raw = Float64Array.from(full);
  for (const c of contrib) for (let t = 0; t < raw.length; t++) raw[t] -= c[t];
  const score: number[] = [];
  const importance: Float64Array[] = [];
  const impSum = new Float64Array(D);
  const one = new Float64Array(D);
  let splitTrees = 0;
  let next = 0;
  for (let s = 0; s < model.stages.length && next < capacities.length; s++) {
    const c = contrib[s];
    for (let t = 0; t < raw.length; t++) raw[t] += c[t];
    for (const tree of model.stages[s]) {
      if (tree.nodeCount <= 1) continue;
      one.fill(0);
      treeImportances(tree, D, one);
      for (let f = 0; f < D; f++) impSum[f] += one[f];
      splitTrees++;
    }
    if (s + 1 !== capacities[next]) continue;
    next++;
    const predicted = Kc === 1 ? Int32Array.from(raw, (v) => classes[v > 0 ? 1 : 0]) : argmaxRows({ data: raw, rows: n, cols: Kc }, classes);
    score.push(accuracy(yTest, predicted));
    const imp = new Float64Array(D);
    let total = 0;
    for (let f = 0; f < D; f++) total += (imp[f] = splitTrees > 0 ? impSum[f] / splitTrees : 0);
    if (total > 0) for (let f = 0; f < D; f++) imp[f] /= total;
    importance.push(imp);
  }
  return { score, importance };
}

function finish(plan: Plan, fits: FactorFit[]): DciEsResult {
  const { capacities, K } = plan;
  const D = plan.train.codes.cols;
  const axis = capacities.map((c) => (plan.logScale ? Math.log(c) : c));
  const perFactorExplicitness = fits.map((f) => explicitnessOfCurves([{ capacity: axis, loss: f.loss, baselineLoss: f.baselineLoss }])[0]);
  let best = 0;
  const meanScore = capacities.map((_, c) => fits.reduce((a, f) => a + f.score[c], 0) / K);
  for (let c = 1; c < capacities.length; c++) if (meanScore[c] > meanScore[best]) best = c;
  const R: Matrix = { data: new Float64Array(D * K), rows: D, cols: K };
  fits.forEach((f, j) => {
    for (let i = 0; i < D; i++) R.data[i * K + j] = f.importance[best][i];
  });
  const dc = scoreImportances(R, { preset: 'disentanglement_lib', weighting: 'importance' }, 'importance');
  const explicitness = perFactorExplicitness.reduce((a, b) => a + b, 0) / K;
  return {
    score: explicitness,
    explicitness,
    perFactorExplicitness,
    size: K / D,
    curves: fits.map((f) => ({ capacity: [...capacities], loss: f.loss, baselineLoss: f.baselineLoss })),
    informativeness: meanScore[best],
    bestCapacity: capacities[best],
    disentanglement: dc.disentanglement,
    completeness: dc.completeness,
    importanceMatrix: toRows(R),
    probe: plan.probe,
  };
}

/**
 * DCI-ES from precomputed codes and factors. Per factor, a probe family of growing capacity predicts the factor
 * from all codes — by default random forests of max depth 1, 2, 3, 4, 8, 10, 12, 14, 16, 18, 20, 32 (the
 * reference's list) — and its held-out loss at each capacity forms a loss–capacity curve: 1 − R² for a
 * continuous factor (baseline 1, the loss of predicting the mean), 1 − accuracy for a categorical one (baseline
 * 1 − 1/#classes). Explicitness E_j = 1 − 2·(area between the running-minimum curve and its lowest loss) /
 * ((κ_max − κ_min)·baseline), E the mean over factors (range [−1, 1]; 1 = the smallest probe already does as well
 * as any). Size S = K / D. D, C and I come from the probes of the capacity with the best mean score.
 *
 * Losses are measured on `test`; without one, on `train` (in-sample: deep forests then look better than they
 * are). Degenerate inputs: a constant factor is `BAD_INPUT` naming `train.factors` / `test.factors`; a constant
 * code is never split on (importance 0); fewer than 2 rows is `EMPTY`.
 *
 * @param train `{ codes: n×D, factors: n×K }` the probes are fitted on.
 * @param test optional held-out split the losses are measured on; options may come second instead.
 * @example
 * const { explicitness, size, perFactorExplicitness } = dciEsFromCodes(train, test, { numTrees: 10 });
 */
export function dciEsFromCodes(train: LabelledCodes, test?: LabelledCodes, options?: DciEsOptions): DciEsResult;
/** {@link dciEsFromCodes} without a test split (losses in-sample). */
export function dciEsFromCodes(train: LabelledCodes, options?: DciEsOptions): DciEsResult;
export function dciEsFromCodes(train: LabelledCodes, second?: LabelledCodes | DciEsOptions, third?: DciEsOptions): DciEsResult {
  const fn = 'dciEsFromCodes';
  const { test, options } = testAndOptions<DciEsOptions>(second, third, fn);
  checkOptions(options, fn, OPTION_NAMES);
  const plan = readPlan(train, test, options, fn, createRng(numberOption(options.seed, 'seed', 0)));
  const fits: FactorFit[] = [];
  for (let j = 0; j < plan.K; j++) {
    fits.push(fitFactor(plan, j));
    options.onProgress?.({ stage: 'dci-es', done: j + 1, total: plan.K });
  }
  return finish(plan, fits);
}

/** Options of {@link computeDciEs}: the sampling options plus {@link DciEsOptions} (the seed is the sampling seed). */
export type ComputeDciEsOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<DciEsOptions, 'onProgress' | 'seed'>;

/**
 * DCI-ES on sampled data: 10,000 train and 5,000 test points in batches of 16 (DCI's split, so `evaluate()` can
 * share it), then {@link dciEsFromCodes}'s probes. Reports the sampling stages, then `dci-es` per factor; checks
 * `signal` and yields to the event loop between probe fits.
 *
 * @example
 * const { explicitness, size } = await computeDciEs({ dataset: dsprites(), represent: encoder, seed: 1 });
 */
export async function computeDciEs<Obs = TensorLike>(options: ComputeDciEsOptions<Obs>): Promise<DciEsResult> {
  const fn = 'computeDciEs';
  checkOptions(options, fn, [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES.filter((n) => n !== 'seed' && n !== 'onProgress')]);
  await ensureBackend();
  const { train, test } = await sampleTrainTest(options, { numTrain: 10000, numTest: 5000, batchSize: 16 });
  // The probes draw from the seed's own stream, apart from the samplers' (as computeDci's estimators do).
  const probeRng = createRng(options.seed ?? 0);
  probeRng.fork();
  probeRng.fork();
  const plan = readPlan(train, test, options, 'dciEsFromCodes', probeRng.fork());
  const fits: FactorFit[] = [];
  for (let j = 0; j < plan.K; j++) {
    throwIfAborted(options.signal);
    fits.push(fitFactor(plan, j));
    options.onProgress?.({ stage: 'dci-es', done: j + 1, total: plan.K });
    await yieldToEventLoop();
  }
  throwIfAborted(options.signal);
  return finish(plan, fits);
}
