/**
 * Adapters that put ml.js tree models (`ml-cart`, `ml-random-forest`) behind our {@link ClassifierEstimator}
 * interface. The caller passes the class, so this package does not depend on either library. They are not our
 * defaults: they are slower by orders of magnitude and do not reproduce scikit-learn (see docs/estimators.md).
 */
import { DisentangleError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { toRows } from '../../core/matrix.js';
import { checkClassLabels, encodeLabels } from '../labels.js';
import type { ClassifierEstimator, FittedClassifier } from '../types.js';

/** The fields of an `ml-cart` tree node that importances need. */
export interface MlCartNode {
  splitColumn?: number;
  gain?: number;
  numberSamples?: number;
  left?: MlCartNode;
  right?: MlCartNode;
}

/** What we use of an `ml-cart` `DecisionTreeClassifier` instance. */
export interface MlCartClassifierLike {
  train(trainingSet: number[][], labels: number[]): void;
  predict(toPredict: number[][]): number[];
  root?: MlCartNode;
}

/** What we use of an `ml-random-forest` `RandomForestClassifier` instance. */
export interface MlRandomForestLike {
  train(trainingSet: number[][], labels: number[]): void;
  predict(toPredict: number[][]): number[];
  estimators?: { root?: MlCartNode }[];
  /** Per tree, the original feature index of each of its columns. */
  indexes?: number[][];
}

/**
 * Impurity importances of one ml-cart tree: Σ gain·samples of the node's splits per feature (ml-cart's `gain` is
 * the node's gini decrease), written into `out` through `columns` (the tree's feature subset), normalized.
 */
function cartImportances(root: MlCartNode | undefined, columns: ArrayLike<number> | undefined, out: Float64Array): Float64Array {
  const local = new Float64Array(out.length);
  const stack = root ? [root] : [];
  while (stack.length > 0) {
    const node = stack.pop() as MlCartNode;
    if (node.left && node.right && node.splitColumn !== undefined) {
      const f = columns ? columns[node.splitColumn] : node.splitColumn;
      local[f] += Math.max(0, (node.gain ?? 0) * (node.numberSamples ?? 0));
      stack.push(node.left, node.right);
    }
  }
  const total = local.reduce((a, b) => a + b, 0);
  if (total > 0) for (let f = 0; f < out.length; f++) out[f] += local[f] / total;
  return out;
}

function normalized(v: Float64Array): Float64Array {
  const total = v.reduce((a, b) => a + b, 0);
  return total > 0 ? v.map((x) => x / total) : v;
}

/** ml.js models want labels 0..C−1 as plain numbers; we map back to the caller's labels. */
function labelled(y: Int32Array, rows: number, fn: string): { classes: Int32Array; dense: number[] } {
  checkClassLabels(y, rows, fn);
  const { classes, index } = encodeLabels(y);
  return { classes, dense: Array.from(index) };
}

function predictor(classes: Int32Array, numFeatures: number, predictDense: (rows: number[][]) => number[]): (x: Matrix) => Int32Array {
  return (x) => {
    if (x.cols !== numFeatures) throw new DisentangleError('SHAPE_MISMATCH', 'x', `has ${x.cols} features, the model was fitted on ${numFeatures}`);
    return Int32Array.from(predictDense(toRows(x)), (k) => classes[k]);
  };
}

/**
 * An `ml-cart` `DecisionTreeClassifier` as a {@link ClassifierEstimator}; importances are each feature's share of
 * the tree's weighted gini decrease.
 *
 * @param DecisionTreeClassifier the class exported by `ml-cart`.
 * @param options its constructor options (`gainFunction`, `minNumSamples`, `maxDepth`, …).
 * @example
 * import { DecisionTreeClassifier } from 'ml-cart';
 * dciFromCodes(train, test, { estimator: mlCartClassifier(DecisionTreeClassifier, { maxDepth: 5 }) });
 */
export function mlCartClassifier<O>(DecisionTreeClassifier: new (options: O) => MlCartClassifierLike, options?: O): ClassifierEstimator {
  if (typeof DecisionTreeClassifier !== 'function') {
    throw new DisentangleError('BAD_OPTION', 'DecisionTreeClassifier', "pass the class exported by 'ml-cart'");
  }
  return {
    name: 'ml-cart',
    fit(x: Matrix, y: Int32Array): FittedClassifier {
      const { classes, dense } = labelled(y, x.rows, 'mlCartClassifier');
      const tree = new DecisionTreeClassifier((options ?? {}) as O);
      tree.train(toRows(x), dense);
      const featureImportances = cartImportances(tree.root, undefined, new Float64Array(x.cols));
      return { classes, featureImportances, predict: predictor(classes, x.cols, (rows) => tree.predict(rows)) };
    },
  };
}

/**
 * An `ml-random-forest` `RandomForestClassifier` as a {@link ClassifierEstimator}. The forest's seed is drawn
 * from our `Rng`; importances are computed by us from its trees (mean of per-tree normalized gini decrease, as
 * scikit-learn), because the library's own `featureImportance()` can return negative values.
 *
 * @param RandomForestClassifier the class exported by `ml-random-forest`.
 * @param options its constructor options (`nEstimators`, `maxFeatures`, `treeOptions`, …); `noOOB` defaults to true.
 * @example
 * import { RandomForestClassifier } from 'ml-random-forest';
 * dciFromCodes(train, test, { estimator: mlRandomForestClassifier(RandomForestClassifier, { nEstimators: 20 }) });
 */
export function mlRandomForestClassifier<O extends object>(
  RandomForestClassifier: new (options: O) => MlRandomForestLike,
  options?: O,
): ClassifierEstimator {
  if (typeof RandomForestClassifier !== 'function') {
    throw new DisentangleError('BAD_OPTION', 'RandomForestClassifier', "pass the class exported by 'ml-random-forest'");
  }
  return {
    name: 'ml-random-forest',
    fit(x, y, rng): FittedClassifier {
      const { classes, dense } = labelled(y, x.rows, 'mlRandomForestClassifier');
      const forest = new RandomForestClassifier({ noOOB: true, seed: rng.uint32() >>> 1, ...options } as O);
      forest.train(toRows(x), dense);
      const sum = new Float64Array(x.cols);
      const trees = forest.estimators ?? [];
      trees.forEach((t, i) => cartImportances(t.root, forest.indexes?.[i], sum));
      return { classes, featureImportances: normalized(sum), predict: predictor(classes, x.cols, (rows) => forest.predict(rows)) };
    },
  };
}
