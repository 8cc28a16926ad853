/**
 * Gradient-boosted classification trees, scikit-learn 1.2's `GradientBoostingClassifier` (its `_gb.py`). A fit
 * runs in four steps, each a function here that the worker threads of `gradientBoostingAsync.ts` call as well:
 *
 * - setup ({@link setUpBoosting}): options checked, labels encoded, the prior raw scores and one tie-break seed
 *   per tree fixed, so nothing later depends on which thread grows which tree;
 * - workspace ({@link boostingWorkspace}): a presorted tree builder and, per score column, its 0/1 target and
 *   `friedman_mse` criterion over that column's residuals;
 * - stage: the residuals y − p of every column from the scores at the start of the stage (`stageResiduals`, in
 *   `boostingLoss.ts` with the rest of the log-loss), then one tree per column ({@link boostOneTree}: grow,
 *   Newton leaf values, add learning rate · leaf value to the scores);
 * - model ({@link boostedModelOf}): the trees, the importances averaged over trees that split, and predict /
 *   predictProba / decisionFunction.
 *
 * {@link fitGradientBoosting} runs the stages on the calling thread; the estimator `gradientBoostingClassifier`
 * lives in `gradientBoostingClassifier.ts`.
 */
import { DisentangleError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { createRng, type Rng } from '../../core/rng.js';
import { enumOption, intOption, numberOption, checkOptions } from '../../core/validate.js';
import { applyTree, presort, toFloat32Values, TreeBuilder, treeImportances, type Tree, type TreeGrowth } from './decisionTree.js';
import { FriedmanMse } from './splitCriteria.js';
import { expit, newtonLeafValues, priorScores, residualWork, softmaxRow, stageResiduals, type ResidualWork } from './boostingLoss.js';
import type { FittedClassifier } from '../types.js';
import { argmaxRows, checkClassLabels, encodeLabels } from '../labels.js';

/** Options of {@link fitGradientBoosting}; scikit-learn's names and defaults. */
export interface GradientBoostingOptions {
  /** Boosting stages (`n_estimators`), default 100. */
  numEstimators?: number;
  /** Shrinkage (`learning_rate`), default 0.1. */
  learningRate?: number;
  /** Depth of each regression tree (`max_depth`), default 3. */
  maxDepth?: number;
  /** `min_samples_split`, default 2. */
  minSamplesSplit?: number;
  /** `min_samples_leaf`, default 1. */
  minSamplesLeaf?: number;
  /**
   * Which feature wins when several split a node equally well (in boosting this happens often: two codes that
   * both isolate the same extreme sample). 'random' (default): scikit-learn's rule, the features are visited in
   * a random order drawn from `rng` / `seed`, so a uniformly random one of the tied features wins and importances
   * spread like scikit-learn's across seeds. 'lowest-index': the first feature, fully deterministic.
   */
  tieBreak?: 'random' | 'lowest-index';
  /** Seed of the random tie-break when no `rng` is given, default 0. */
  seed?: number;
  /** Random stream for the tie-break (the estimator interface passes one). */
  rng?: Rng;
}

/** The names of {@link GradientBoostingOptions}, for the misspelt-option check. */
export const BOOSTING_OPTION_NAMES = Object.keys({
  numEstimators: 0,
  learningRate: 0,
  maxDepth: 0,
  minSamplesSplit: 0,
  minSamplesLeaf: 0,
  tieBreak: 0,
  seed: 0,
  rng: 0,
} satisfies Record<keyof GradientBoostingOptions, 0>);

/** A fitted boosting model: the classifier interface plus scikit-learn's `feature_importances_`. */
export interface FittedGradientBoosting extends FittedClassifier {
  readonly featureImportances: Float64Array;
  readonly predictProba: (x: Matrix) => Matrix;
  /** Raw scores (log-odds, or per-class scores for more than two classes), one row per sample. */
  decisionFunction(x: Matrix): Matrix;
  /** Trees per stage: one for two classes, one per class otherwise. */
  readonly stages: readonly (readonly Tree[])[];
}

/** What a boosting run fixes before its first tree; shared by the in-thread fit and the worker threads. */
export interface BoostingSetup {
  readonly classes: Int32Array;
  /** Each training row's position in `classes`. */
  readonly encoded: Int32Array;
  /** Initial raw score of each of the K score columns (the class prior). */
  readonly init: Float64Array;
  /** Trees per stage: one for two classes (binomial), one per class otherwise. */
  readonly K: number;
  readonly numStages: number;
  readonly learningRate: number;
  readonly growth: TreeGrowth;
  /**
   * Seed of the tie-break stream of the tree of stage s and class k, at s·K + k (undefined: lowest index wins).
   * One stream per tree, drawn up front, so that a tree's splits do not depend on which thread grows it.
   */
  readonly treeSeeds?: Uint32Array;
}

/** Checks the options and labels and draws the per-tree seeds (scikit-learn's defaults, see {@link fitGradientBoosting}). */
export function setUpBoosting(x: Matrix, y: Int32Array, options: GradientBoostingOptions): BoostingSetup {
  const numStages = intOption(options.numEstimators, 'numEstimators', 100);
  const learningRate = numberOption(options.learningRate, 'learningRate', 0.1, Number.MIN_VALUE);
  const growth = {
    maxDepth: intOption(options.maxDepth, 'maxDepth', 3),
    minSamplesSplit: intOption(options.minSamplesSplit, 'minSamplesSplit', 2, 2),
    minSamplesLeaf: intOption(options.minSamplesLeaf, 'minSamplesLeaf', 1),
    maxFeatures: x.cols,
  };
  const tieBreak = enumOption(options.tieBreak, 'tieBreak', ['random', 'lowest-index'] as const, 'random');
  checkClassLabels(y, x.rows, 'fitGradientBoosting');
  const { classes, index: encoded, counts } = encodeLabels(y);
  if (classes.length < 2) {
    throw new DisentangleError('BAD_INPUT', 'y', `has a single class (${classes[0]}); a classifier needs at least two`);
  }
  const K = classes.length === 2 ? 1 : classes.length;
  let treeSeeds: Uint32Array | undefined;
  if (tieBreak === 'random') {
    const rng = options.rng ?? createRng(options.seed ?? 0);
    treeSeeds = new Uint32Array(numStages * K);
    for (let t = 0; t < treeSeeds.length; t++) treeSeeds[t] = rng.uint32();
  }
  return { classes, encoded, init: priorScores(counts, x.rows), K, numStages, learningRate, growth, treeSeeds };
}

/** Per score column, the 0/1 target: y == class k (multinomial) or y == the second class (binomial). */
function boostingTargets(setup: BoostingSetup): Float64Array[] {
  const { encoded, K } = setup;
  return Array.from({ length: K }, (_, k) => {
    const t = new Float64Array(encoded.length);
    for (let i = 0; i < encoded.length; i++) t[i] = (K === 1 ? encoded[i] === 1 : encoded[i] === k) ? 1 : 0;
    return t;
  });
}

/** What one thread needs to grow trees: its presorted builder, and per score column a target and a criterion. */
export interface BoostingWorkspace {
  builder: TreeBuilder;
  targets: Float64Array[];
  /** Each criterion reads its column's residuals (`criterion.target`). */
  criteria: FriedmanMse[];
  work: ResidualWork;
}

/** The workspace of a fit whose residual columns are `residuals` (private arrays, or views of shared memory). */
export function boostingWorkspace(x: Matrix, setup: BoostingSetup, residuals: Float64Array[]): BoostingWorkspace {
  return {
    builder: new TreeBuilder(presort(x)),
    targets: boostingTargets(setup),
    criteria: residuals.map((r) => new FriedmanMse(r)),
    work: residualWork(x.rows),
  };
}

/**
 * Grows the tree of stage `stage`, column `k` on its residuals, sets its leaves to one Newton step each, and adds
 * learning rate · leaf value to `scores` (that column's) for every training row.
 */
export function boostOneTree(ws: BoostingWorkspace, setup: BoostingSetup, stage: number, k: number, scores: Float64Array): Tree {
  const rng = setup.treeSeeds ? createRng(setup.treeSeeds[stage * setup.K + k]) : undefined;
  const { builder } = ws;
  const criterion = ws.criteria[k];
  const tree = builder.grow(criterion, setup.growth, rng);
  const leafOf = builder.leafOf;
  newtonLeafValues(tree, leafOf, ws.targets[k], criterion.target, setup.K === 1 ? 1 : (setup.K - 1) / setup.K);
  const lr = setup.learningRate;
  for (let i = 0; i < scores.length; i++) scores[i] += lr * tree.value[leafOf[i]];
  return tree;
}

/**
 * Gradient-boosted classification trees exactly as scikit-learn 1.2's `GradientBoostingClassifier()`:
 * log-loss (binomial deviance, one tree per stage, for two classes; multinomial deviance, one tree per class per
 * stage, otherwise), prior log-odds init, `friedman_mse` regression trees of depth 3 on the negative gradient
 * y − p, leaf values by one Newton step, 100 stages, learning rate 0.1, no subsampling. Features are read in
 * float32 as scikit-learn does; ties between equally good splits go to a random feature as in scikit-learn
 * (seeded, one stream per tree; `tieBreak: 'lowest-index'` for the first). Friedman, "Greedy function
 * approximation", Ann. Statist. 2001. {@link fitGradientBoostingAsync} grows the same trees on several threads.
 *
 * @param x n×D features. @param y n integer labels (at least two distinct values).
 * @example
 * const model = fitGradientBoosting(x, labels);
 * model.predict(x); model.featureImportances; // sums to 1
 */
export function fitGradientBoosting(x: Matrix, y: Int32Array, options: GradientBoostingOptions = {}): FittedGradientBoosting {
  checkOptions(options, 'fitGradientBoosting', BOOSTING_OPTION_NAMES);
  return fitInThread(x, setUpBoosting(x, y, options));
}

/** The whole fit on the calling thread. */
export function fitInThread(x: Matrix, setup: BoostingSetup): FittedGradientBoosting {
  const n = x.rows;
  const { K, init } = setup;
  // Scores class-major (one contiguous array per column): each tree updates its own column in one sweep.
  const scores = Array.from({ length: K }, (_, k) => new Float64Array(n).fill(init[k]));
  const residuals = Array.from({ length: K }, () => new Float64Array(n));
  const ws = boostingWorkspace(x, setup, residuals);
  const stages: Tree[][] = [];
  for (let stage = 0; stage < setup.numStages; stage++) {
    // Every column's gradient comes from the scores at the start of the stage.
    stageResiduals(scores, ws.targets, residuals, ws.work);
    stages.push(Array.from({ length: K }, (_, k) => boostOneTree(ws, setup, stage, k, scores[k])));
  }
  return boostedModelOf(x, setup, stages, scores);
}

/** The fitted model from its trees (in stage, column order) and the final training scores. */
export function boostedModelOf(x: Matrix, setup: BoostingSetup, stages: Tree[][], scores: Float64Array[]): FittedGradientBoosting {
  const { K } = setup;
  const n = x.rows;
  const importanceSum = new Float64Array(x.cols);
  const treeImp = new Float64Array(x.cols);
  let splitTrees = 0;
  for (const trees of stages) {
    for (const tree of trees) {
      if (tree.nodeCount <= 1) continue;
      treeImp.fill(0);
      treeImportances(tree, x.cols, treeImp);
      for (let f = 0; f < x.cols; f++) importanceSum[f] += treeImp[f];
      splitTrees++;
    }
  }
  const raw = new Float64Array(n * K);
  for (let k = 0; k < K; k++) for (let i = 0; i < n; i++) raw[i * K + k] = scores[k][i];
  return boostedModel(setup.classes, setup.init, setup.learningRate, stages, importances(importanceSum, splitTrees), x.cols, { x, raw });
}

/** scikit-learn's `feature_importances_`: mean over trees that split, normalized to sum 1 (zeros if none split). */
function importances(sum: Float64Array, splitTrees: number): Float64Array {
  const out = new Float64Array(sum.length);
  if (splitTrees === 0) return out;
  let total = 0;
  for (let f = 0; f < sum.length; f++) {
    out[f] = sum[f] / splitTrees;
    total += out[f];
  }
  if (total > 0) for (let f = 0; f < sum.length; f++) out[f] /= total;
  return out;
}

function boostedModel(
  classes: Int32Array,
  init: Float64Array,
  learningRate: number,
  stages: Tree[][],
  featureImportances: Float64Array,
  numFeatures: number,
  training: { x: Matrix; raw: Float64Array },
): FittedGradientBoosting {
  const K = init.length;
  const numClasses = classes.length;
  const checkWidth = (x: Matrix): void => {
    if (x.cols !== numFeatures) {
      throw new DisentangleError('SHAPE_MISMATCH', 'x', `has ${x.cols} features, the model was fitted on ${numFeatures}`);
    }
  };
  const decision = (x: Matrix): Matrix => {
    checkWidth(x);
    // The fit already summed init + Σ lr·leaf value for the training rows, in the same order as below.
    if (x === training.x) return { data: training.raw.slice(), rows: x.rows, cols: K };
    const xf = toFloat32Values(x);
    const raw = new Float64Array(x.rows * K);
    for (let i = 0; i < x.rows; i++) raw.set(init, i * K);
    for (const trees of stages) {
      for (let k = 0; k < K; k++) {
        const tree = trees[k];
        for (let i = 0; i < x.rows; i++) raw[i * K + k] += learningRate * tree.value[applyTree(tree, xf, i * numFeatures)];
      }
    }
    return { data: raw, rows: x.rows, cols: K };
  };
  const predictProba = (x: Matrix): Matrix => {
    const raw = decision(x);
    const out = new Float64Array(x.rows * numClasses);
    const row = new Float64Array(K);
    for (let i = 0; i < x.rows; i++) {
      if (K === 1) {
        const p = expit(raw.data[i]);
        out[2 * i] = 1 - p;
        out[2 * i + 1] = p;
      } else {
        softmaxRow(raw.data, i, K, row);
        out.set(row, i * K);
      }
    }
    return { data: out, rows: x.rows, cols: numClasses };
  };
  // Binomial: argmax of (1−p, p); multinomial: argmax of the raw scores. Both keep the first maximum.
  const predict = (x: Matrix): Int32Array => argmaxRows(K === 1 ? predictProba(x) : decision(x), classes);
  return { classes, featureImportances, predict, predictProba, decisionFunction: decision, stages };
}
