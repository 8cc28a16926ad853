/**
 * Random forest of regression trees with scikit-learn 1.2 `RandomForestRegressor()` semantics (Breiman 2001):
 * `squared_error` trees on bootstrap samples (counts used as integer sample weights), all features examined at
 * every split (`max_features=1.0`, the regressor's default), unlimited depth, leaves of one sample; the prediction
 * is the mean of the trees' leaf means, importances the mean of each tree's normalized impurity decreases,
 * renormalized. The builder is the presorted CART of `decisionTree.ts`; the draws come from our `Rng`.
 */
import { DisentangleError } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { createRng } from '../../core/rng.js';
import { checkOptions, intOption } from '../../core/validate.js';
import { applyTree, presort, toFloat32Values, TreeBuilder, type Tree } from './decisionTree.js';
import { forestImportances } from './forestImportances.js';
import { FEATURE_THRESHOLD, offer, type SplitCriterion, type SplitRecord } from './splitCriteria.js';
import type { FittedRegressor, RegressorEstimator } from '../types.js';
import { FOREST_OPTION_NAMES, forestGrowth, type ForestOptions } from './randomForest.js';

/**
 * scikit-learn's `squared_error` on weighted samples: impurity Σw(y − ȳ)²/Σw, value the weighted mean. The proxy
 * Σ_l²/w_l + Σ_r²/w_r equals a node constant plus W·c²/(w_l·w_r) with c = Σ_left w·(y − ȳ), which is what the
 * scan compares (centred sums lose fewer digits).
 */
export class WeightedMse implements SplitCriterion {
  readonly valueWidth = 1;
  private readonly target: Float64Array;
  private readonly weights: Float64Array;
  private w = 0;
  private sum = 0;
  private maxAbs = 0;
  private idx: Int32Array = new Int32Array(0);
  private start = 0;
  private end = 0;

  constructor(target: Float64Array, weights: Float64Array) {
    this.target = target;
    this.weights = weights;
  }

  reset(idx: Int32Array, start: number, end: number): number {
    let w = 0;
    let s = 0;
    let maxAbs = 0;
    for (let p = start; p < end; p++) {
      const i = idx[p];
      const wi = this.weights[i];
      w += wi;
      s += wi * this.target[i];
      maxAbs = Math.max(maxAbs, Math.abs(this.target[i]));
    }
    this.w = w;
    this.sum = s;
    this.maxAbs = maxAbs;
    this.idx = idx;
    this.start = start;
    this.end = end;
    return w;
  }

  noiseScale(): number {
    return this.w * this.maxAbs;
  }

  private variance(idx: Int32Array, lo: number, hi: number): number {
    let w = 0;
    let s = 0;
    for (let p = lo; p < hi; p++) {
      w += this.weights[idx[p]];
      s += this.weights[idx[p]] * this.target[idx[p]];
    }
    const mean = s / w;
    let ss = 0;
    for (let p = lo; p < hi; p++) {
      const d = this.target[idx[p]] - mean;
      ss += this.weights[idx[p]] * d * d;
    }
    return ss / w;
  }

  nodeImpurity(): number {
    return this.variance(this.idx, this.start, this.end);
  }

  scan(idx: Int32Array, col: Float32Array, base: number, start: number, end: number, feature: number, minLeaf: number, best: SplitRecord): void {
    const y = this.target;
    const wt = this.weights;
    const lo = base + start;
    const hi = base + end;
    const W = this.w;
    const mean = this.sum / W;
    let centred = 0;
    let wLeft = 0;
    for (let p = lo; p < hi - 1; p++) {
      const i = idx[p];
      const wi = wt[i];
      centred += wi * (y[i] - mean);
      wLeft += wi;
      const x0 = col[i];
      const x1 = col[idx[p + 1]];
      if (x1 - x0 <= 2e-7 && x1 <= Math.fround(x0 + FEATURE_THRESHOLD)) continue;
      if (p + 1 - lo < minLeaf || hi - p - 1 < minLeaf) continue;
      const proxy = (W * centred * centred) / (wLeft * (W - wLeft));
      if (proxy > best.proxy) offer(best, proxy, feature, p + 1 - base, x0, x1);
    }
  }

  childrenImpurity(idx: Int32Array, base: number, start: number, pos: number, end: number, out: Float64Array): void {
    out[0] = this.variance(idx, base + start, base + pos);
    out[1] = this.variance(idx, base + pos, base + end);
  }

  nodeValue(out: Float64Array, offset: number): void {
    out[offset] = this.sum / this.w;
  }
}

/** Options of {@link fitRandomForestRegressor}; scikit-learn `RandomForestRegressor`'s names and defaults. */
export interface RandomForestRegressorOptions extends ForestOptions {
  /** Features examined per split (`max_features`), default all of them. */
  maxFeatures?: number;
}

const OPTION_NAMES = [...FOREST_OPTION_NAMES, ...Object.keys({ maxFeatures: 0 } satisfies Record<Exclude<keyof RandomForestRegressorOptions, keyof ForestOptions>, 0>)];

/** A fitted regression forest. */
export interface FittedRandomForestRegressor extends FittedRegressor {
  readonly featureImportances: Float64Array;
  readonly trees: readonly Tree[];
}

/**
 * Fits a regression forest (see the module comment for the semantics).
 *
 * @example
 * const forest = fitRandomForestRegressor(x, y, { numEstimators: 50, maxDepth: 8, seed: 1 });
 * forest.predict(x); forest.featureImportances;
 */
export function fitRandomForestRegressor(x: Matrix, y: Float64Array, options: RandomForestRegressorOptions = {}): FittedRandomForestRegressor {
  checkOptions(options, 'fitRandomForestRegressor', OPTION_NAMES);
  const { numTrees, growth } = forestGrowth(options, options.maxFeatures === undefined ? x.cols : intOption(options.maxFeatures, 'maxFeatures', x.cols, 1, x.cols));
  if (y.length !== x.rows) throw new DisentangleError('SHAPE_MISMATCH', 'y', `has ${y.length} values for ${x.rows} rows`);
  if (x.rows < 1) throw new DisentangleError('EMPTY', 'x', 'has no rows');
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i])) throw new DisentangleError('NON_FINITE', 'y', `value ${i} is ${y[i]}`);
  const rng = options.rng ?? createRng(options.seed ?? 0);
  const n = x.rows;
  const builder = new TreeBuilder(presort(x));
  const weights = new Float64Array(n);
  const crit = new WeightedMse(y, weights);
  const trees: Tree[] = [];
  for (let t = 0; t < numTrees; t++) {
    const treeRng = rng.fork();
    weights.fill(0);
    for (let i = 0; i < n; i++) weights[treeRng.int(n)]++;
    trees.push(builder.grow(crit, growth, treeRng, weights));
  }
  const featureImportances = forestImportances(trees, x.cols);
  const predict = (q: Matrix): Float64Array => {
    if (q.cols !== x.cols) throw new DisentangleError('SHAPE_MISMATCH', 'x', `has ${q.cols} features, the forest was fitted on ${x.cols}`);
    const xf = toFloat32Values(q);
    const out = new Float64Array(q.rows);
    for (const tree of trees) for (let i = 0; i < q.rows; i++) out[i] += tree.value[applyTree(tree, xf, i * q.cols)];
    for (let i = 0; i < q.rows; i++) out[i] /= trees.length;
    return out;
  };
  return { featureImportances, predict, trees };
}

/**
 * {@link fitRandomForestRegressor} behind the {@link RegressorEstimator} interface (real targets, scored by R²
 * where a metric takes a regressor).
 *
 * @example
 * const estimator = randomForestRegressor({ numEstimators: 50 });
 */
export function randomForestRegressor(options: Omit<RandomForestRegressorOptions, 'rng' | 'seed'> = {}): RegressorEstimator {
  checkOptions(options, 'randomForestRegressor', OPTION_NAMES.filter((name) => name !== 'rng' && name !== 'seed'));
  return { name: 'random-forest-regressor', kind: 'regressor', fit: (x, y, rng) => fitRandomForestRegressor(x, y, { ...options, rng }) };
}
