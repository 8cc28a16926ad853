import { DisentangleError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { createRng, type Rng } from '../../core/rng.js';
import { intOption, checkOptions } from '../../core/validate.js';
import { applyTree, presort, toFloat32Values, TreeBuilder, type Tree } from './decisionTree.js';
import { forestImportances } from './forestImportances.js';
import { Gini } from './splitCriteria.js';
import type { ClassifierEstimator, FittedClassifier } from '../types.js';
import { argmaxRows, checkClassLabels, encodeLabels } from '../labels.js';

/** Options of {@link fitRandomForest}; scikit-learn `RandomForestClassifier`'s names and defaults. */
/** What every forest takes, under scikit-learn's names: its size, the growth limits of a tree and its randomness. */
export interface ForestOptions {
  /** Trees (`n_estimators`), default 100. */
  numEstimators?: number;
  /** Maximum depth, default unlimited. */
  maxDepth?: number;
  /** `min_samples_split`, default 2. */
  minSamplesSplit?: number;
  /** `min_samples_leaf`, default 1. */
  minSamplesLeaf?: number;
  /** Seed of the forest's draws (bootstrap samples, features, ties) when no `rng` is given (default 0). */
  seed?: number;
  /** Random stream to draw from (the estimator interface passes one). */
  rng?: Rng;
}

/** The option names of {@link ForestOptions}, which each forest extends with its own. */
export const FOREST_OPTION_NAMES: readonly string[] = Object.keys({
  numEstimators: 0,
  maxDepth: 0,
  minSamplesSplit: 0,
  minSamplesLeaf: 0,
  seed: 0,
  rng: 0,
} satisfies Record<keyof ForestOptions, 0>);

/** The tree count and growth limits of {@link ForestOptions}, checked, with `maxFeatures` already resolved. */
export function forestGrowth(options: ForestOptions, maxFeatures: number): { numTrees: number; growth: { maxDepth: number; minSamplesSplit: number; minSamplesLeaf: number; maxFeatures: number } } {
  return {
    numTrees: intOption(options.numEstimators, 'numEstimators', 100),
    growth: {
      maxDepth: options.maxDepth === undefined ? Infinity : intOption(options.maxDepth, 'maxDepth', 1),
      minSamplesSplit: intOption(options.minSamplesSplit, 'minSamplesSplit', 2, 2),
      minSamplesLeaf: intOption(options.minSamplesLeaf, 'minSamplesLeaf', 1),
      maxFeatures,
    },
  };
}

/** Options of {@link fitRandomForest}. */
export interface RandomForestOptions extends ForestOptions {
  /** Features drawn per split (`max_features`): 'sqrt' (default), 'log2', 'all', or a count. */
  maxFeatures?: 'sqrt' | 'log2' | 'all' | number;
  /** Fit each tree on a bootstrap sample (default true). */
  bootstrap?: boolean;
}

const OPTION_NAMES = [...FOREST_OPTION_NAMES, ...Object.keys({ maxFeatures: 0, bootstrap: 0 } satisfies Record<Exclude<keyof RandomForestOptions, keyof ForestOptions>, 0>)];

/** A fitted forest: the classifier interface plus mean impurity importances. */
export interface FittedRandomForest extends FittedClassifier {
  readonly featureImportances: Float64Array;
  readonly predictProba: (x: Matrix) => Matrix;
  readonly trees: readonly Tree[];
}

function featuresPerSplit(option: RandomForestOptions['maxFeatures'], d: number): number {
  if (option === undefined || option === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(d)));
  if (option === 'log2') return Math.max(1, Math.floor(Math.log2(d)));
  if (option === 'all') return d;
  return intOption(option, 'maxFeatures', d, 1, d);
}

/**
 * Random forest of gini CART trees with scikit-learn 1.2 `RandomForestClassifier()` semantics (Breiman 2001):
 * 100 trees, each on a bootstrap sample (n draws with replacement, used as integer sample weights), `sqrt(D)`
 * features drawn per split (drawing on past constant features as scikit-learn does), unlimited depth, leaves of
 * one sample; probabilities are the mean of the trees' leaf class frequencies, importances the mean of each
 * tree's normalized impurity importances, renormalized. The random draws come from our `Rng`, so individual
 * trees differ from scikit-learn's; the estimator is the same.
 *
 * @example
 * const forest = fitRandomForest(x, labels, { seed: 1 });
 * forest.predict(x); forest.featureImportances;
 */
export function fitRandomForest(x: Matrix, y: Int32Array, options: RandomForestOptions = {}): FittedRandomForest {
  checkOptions(options, 'fitRandomForest', OPTION_NAMES);
  const { numTrees, growth } = forestGrowth(options, featuresPerSplit(options.maxFeatures, x.cols));
  checkClassLabels(y, x.rows, 'fitRandomForest');
  const { classes, index: encoded } = encodeLabels(y);
  const rng = options.rng ?? createRng(options.seed ?? 0);
  const n = x.rows;
  const builder = new TreeBuilder(presort(x));
  const weights = new Float64Array(n);
  const crit = new Gini(encoded, weights, classes.length);
  const trees: Tree[] = [];
  for (let t = 0; t < numTrees; t++) {
    const treeRng = rng.fork();
    if (options.bootstrap === false) weights.fill(1);
    else {
      weights.fill(0);
      for (let i = 0; i < n; i++) weights[treeRng.int(n)]++;
    }
    trees.push(builder.grow(crit, growth, treeRng, options.bootstrap === false ? undefined : weights));
  }
  return forestModel(classes, trees, forestImportances(trees, x.cols), x.cols);
}

function forestModel(classes: Int32Array, trees: Tree[], featureImportances: Float64Array, numFeatures: number): FittedRandomForest {
  const C = classes.length;
  const predictProba = (x: Matrix): Matrix => {
    if (x.cols !== numFeatures) {
      throw new DisentangleError('SHAPE_MISMATCH', 'x', `has ${x.cols} features, the forest was fitted on ${numFeatures}`);
    }
    const xf = toFloat32Values(x);
    const out = new Float64Array(x.rows * C);
    for (const tree of trees) {
      for (let i = 0; i < x.rows; i++) {
        const leaf = applyTree(tree, xf, i * numFeatures);
        let total = 0;
        for (let c = 0; c < C; c++) total += tree.value[leaf * C + c];
        const norm = total === 0 ? 1 : total;
        for (let c = 0; c < C; c++) out[i * C + c] += tree.value[leaf * C + c] / norm;
      }
    }
    for (let k = 0; k < out.length; k++) out[k] /= trees.length;
    return { data: out, rows: x.rows, cols: C };
  };
  const predict = (x: Matrix): Int32Array => argmaxRows(predictProba(x), classes);
  return { classes, featureImportances, predict, predictProba, trees };
}

/**
 * {@link fitRandomForest} behind the {@link ClassifierEstimator} interface; each fit draws from the `rng` the
 * caller passes (DCI forks one per factor).
 *
 * @example
 * dciFromCodes(train, test, { estimator: randomForestClassifier({ numEstimators: 50 }) });
 */
export function randomForestClassifier(options: Omit<RandomForestOptions, 'rng' | 'seed'> = {}): ClassifierEstimator {
  checkOptions(options, 'randomForestClassifier', OPTION_NAMES.filter((name) => name !== 'rng' && name !== 'seed'));
  return { name: 'random-forest', fit: (x, y, rng) => fitRandomForest(x, y, { ...options, rng }) };
}
