import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { denseLabels } from './mutualInformation.js';

/**
 * Presorted CART builder shared by our gradient boosting and random forest. It reproduces scikit-learn 1.2's
 * `BestSplitter` + `DepthFirstTreeBuilder` on float32 features: thresholds at float32 midpoints, neighbouring
 * values closer than 1e-7 (in float32 arithmetic) never separated, strict `>` on the proxy improvement so the
 * first best split wins, a node with impurity ≤ machine epsilon kept as a leaf, nodes numbered in the builder's
 * depth-first (left first) order.
 *
 * Speed comes from sorting each feature once per fit: every node owns the same [start, end) segment of each
 * feature's sorted index list, and a split partitions those segments stably, so children stay sorted.
 */

/** scikit-learn keeps features in float32 and treats values closer than this (in float32) as equal. */
export const FEATURE_THRESHOLD = Math.fround(1e-7);
/** `np.finfo(float64).eps`: a node this pure is a leaf. */
export const EPSILON = 2.220446049250313e-16;
export const LEAF = -1;

/** A fitted tree in flat arrays; node 0 is the root, `left[i] === -1` marks a leaf. */
export interface Tree {
  readonly nodeCount: number;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly impurity: Float64Array;
  readonly weightedSamples: Float64Array;
  /** `valueWidth` numbers per node: the mean target (regression) or weighted class counts (classification). */
  readonly value: Float64Array;
  readonly valueWidth: number;
}

/** Features converted to float32 (as scikit-learn does) and sorted once per fit. */
export interface Presorted {
  readonly rows: number;
  readonly features: number;
  /** Column-major float32-rounded values: `columns[f * rows + i]`. */
  readonly columns: Float64Array;
  /** Per feature, the row indices in ascending value order (ties by row index). */
  readonly order: Int32Array;
  /** `columns` values in `order`. */
  readonly sortedValues: Float32Array;
  /** Per feature, its column as float32 (exact: the values are float32-rounded), small enough to stay in cache. */
  readonly columnValues: readonly Float32Array[];
}

/** Rounds every feature to float32 and sorts each column once. */
export function presort(x: Matrix): Presorted {
  const { rows, cols } = x;
  const columns = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let f = 0; f < cols; f++) columns[f * rows + i] = Math.fround(x.data[i * cols + f]);
  const order = new Int32Array(rows * cols);
  const sortedValues = new Float32Array(rows * cols);
  const idx = new Int32Array(rows);
  for (let f = 0; f < cols; f++) {
    const base = f * rows;
    for (let i = 0; i < rows; i++) idx[i] = i;
    idx.sort((a, b) => columns[base + a] - columns[base + b] || a - b);
    for (let i = 0; i < rows; i++) {
      order[base + i] = idx[i];
      sortedValues[base + i] = columns[base + idx[i]];
    }
  }
  const columnValues = Array.from({ length: cols }, (_, f) => Float32Array.from(columns.subarray(f * rows, (f + 1) * rows)));
  return { rows, features: cols, columns, order, sortedValues, columnValues };
}

/** The best split found so far in a node. */
export interface SplitRecord {
  feature: number;
  /** First position (in the node's sorted segment) that goes right; `end` means no split. */
  pos: number;
  threshold: number;
  proxy: number;
  /** Set by the criterion's `reset`: scale of the proxy's rounding noise (see `offer`). */
  noiseScale: number;
}

/**
 * The impurity criterion, working on sample lists. `target` indices are original row indices.
 * Implementations keep node totals between `reset` and the split search.
 */
export interface SplitCriterion {
  readonly valueWidth: number;
  /** Totals of the node whose samples are `idx[start..end)`; returns the weighted sample count. */
  reset(idx: Int32Array, start: number, end: number): number;
  /** Scale of the proxy's rounding noise in the node of the last `reset` (0 when sums are exact). */
  noiseScale(): number;
  nodeImpurity(): number;
  /**
   * Scans one feature's sorted segment `idx[base+start..base+end)` (row i's value is `col[i]`), updating `best`
   * (positions relative to `base`) when a split beats it strictly.
   */
  scan(idx: Int32Array, col: Float32Array, base: number, start: number, end: number, feature: number, minLeaf: number, best: SplitRecord): void;
  /** Impurity of `idx[base+start..base+pos)` and `idx[base+pos..base+end)` after the node's `reset`. */
  childrenImpurity(idx: Int32Array, base: number, start: number, pos: number, end: number, out: Float64Array): void;
  /** Writes the node value (from the last `reset`) at `out[offset..offset+valueWidth)`. */
  nodeValue(out: Float64Array, offset: number): void;
}

/** Threshold between two neighbouring distinct float32 values, computed as scikit-learn does. */
function midpoint(lo: number, hi: number): number {
  const t = lo / 2 + hi / 2;
  return t === hi || !Number.isFinite(t) ? lo : t;
}

/**
 * Two features that cut a node into the same two sets give the same improvement up to summation order, and with
 * a small improvement the difference of sums cancels most digits. A candidate must therefore beat the best by a
 * rounding margin: relative, plus `noiseScale`·√best (the criterion's estimate of how its proxy's rounding grows).
 * Such ties then stay with the lowest feature index instead of letting rounding pick one.
 */
const TIE_RELATIVE = 1e-12;
const TIE_NOISE = 1e-13;

/** Writes a candidate split into `best` when its proxy improvement is larger beyond rounding. */
export function offer(best: SplitRecord, proxy: number, feature: number, pos: number, lo: number, hi: number): void {
  const b = best.proxy;
  if (b === -Infinity || proxy > b + TIE_RELATIVE * Math.abs(b) + TIE_NOISE * best.noiseScale * Math.sqrt(Math.max(b, 0))) {
    best.proxy = proxy;
    best.feature = feature;
    best.pos = pos;
    best.threshold = midpoint(lo, hi);
  }
}

/**
 * Variance of `y` over `idx[lo..hi)` in two passes. scikit-learn computes Σy²/n − mean², whose rounding decides
 * whether a node of equal residuals is "pure" (≤ machine epsilon); two passes give ~0 there, so such nodes are
 * always leaves. Splitting one would change neither the predictions nor (beyond rounding) the importances.
 */
function variance(y: Float64Array, idx: Int32Array, lo: number, hi: number, sum: number): number {
  const mean = sum / (hi - lo);
  let ss = 0;
  for (let p = lo; p < hi; p++) {
    const d = y[idx[p]] - mean;
    ss += d * d;
  }
  return ss / (hi - lo);
}

/**
 * scikit-learn's `friedman_mse` on unit sample weights: proxy n_l·n_r·(mean_l − mean_r)² written as
 * (n_r·s_l − n_l·s_r)² / (n_l·n_r); node impurity is the variance of the target.
 */
export class FriedmanMse implements SplitCriterion {
  readonly valueWidth = 1;
  target: Float64Array;
  private sum = 0;
  private maxAbs = 0;
  private n = 0;
  private idx: Int32Array = new Int32Array(0);
  private start = 0;

  constructor(target: Float64Array) {
    this.target = target;
  }

  reset(idx: Int32Array, start: number, end: number): number {
    const y = this.target;
    let s = 0;
    let maxAbs = 0;
    for (let p = start; p < end; p++) {
      const v = y[idx[p]];
      s += v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    this.sum = s;
    this.maxAbs = maxAbs;
    this.n = end - start;
    this.idx = idx;
    this.start = start;
    return this.n;
  }

  /** (meanL − meanR) carries rounding of about ε·max|y| per term summed, so the proxy's noise grows as n·max|y|·√proxy. */
  noiseScale(): number {
    return this.n * this.maxAbs;
  }

  nodeImpurity(): number {
    return variance(this.target, this.idx, this.start, this.start + this.n, this.sum);
  }

  scan(idx: Int32Array, col: Float32Array, base: number, start: number, end: number, feature: number, minLeaf: number, best: SplitRecord): void {
    const y = this.target;
    const lo = base + start;
    const hi = base + end;
    const n = end - start;
    // n_r·s_l − n_l·s_r = n·Σ_left (y − mean): with centred targets the running sum alone gives the proxy,
    // n²·c² / (n_l·n_r), and the hot loop compares c² against the best proxy scaled by 1/n².
    const mean = this.sum / n;
    const scale = n * n;
    // Only positions leaving ≥ minLeaf rows on each side are candidates; the running sum still starts at `lo`.
    const first = lo + minLeaf - 1;
    const last = hi - minLeaf - 1;
    let centred = 0;
    for (let p = lo; p < first; p++) centred += y[idx[p]] - mean;
    // `best.proxy` changes only inside `offer`, so a local copy keeps the hot loop free of property loads.
    let bestRatio = best.proxy / scale;
    let next = idx[first];
    let x1 = col[next];
    for (let p = first; p <= last; p++) {
      centred += y[next] - mean;
      next = idx[p + 1];
      const x0 = x1;
      x1 = col[next];
      // Values more than 2e-7 apart are never merged (fround(x0 + 1e-7) < x0 + 2e-7), so the float32 rounding
      // that decides near-ties only runs for close neighbours.
      if (x1 - x0 <= 2e-7 && x1 <= Math.fround(x0 + FEATURE_THRESHOLD)) continue;
      const nLeft = p + 1 - lo;
      const w = nLeft * (n - nLeft);
      // Division-free prefilter; `offer` decides with the exact proxy and the rounding margin.
      if (centred * centred > bestRatio * w) {
        offer(best, (scale * (centred * centred)) / w, feature, p + 1 - base, x0, x1);
        bestRatio = best.proxy / scale;
      }
    }
  }

  childrenImpurity(idx: Int32Array, base: number, start: number, pos: number, end: number, out: Float64Array): void {
    const y = this.target;
    let sumLeft = 0;
    let sumRight = 0;
    for (let p = base + start; p < base + pos; p++) sumLeft += y[idx[p]];
    for (let p = base + pos; p < base + end; p++) sumRight += y[idx[p]];
    out[0] = variance(y, idx, base + start, base + pos, sumLeft);
    out[1] = variance(y, idx, base + pos, base + end, sumRight);
  }

  nodeValue(out: Float64Array, offset: number): void {
    out[offset] = this.sum / this.n;
  }
}

/**
 * Gini impurity on weighted samples (bootstrap counts), as scikit-learn's `gini`: 1 − Σ_c (w_c / w)².
 * The proxy n_l·(1 − gini_l) + n_r·(1 − gini_r) = Σ w_lc² / w_l + Σ w_rc² / w_r is kept incrementally.
 */
export class Gini implements SplitCriterion {
  readonly valueWidth: number;
  private readonly labels: Int32Array;
  private readonly weights: Float64Array;
  private readonly total: Float64Array;
  private readonly left: Float64Array;
  private w = 0;

  constructor(labels: Int32Array, weights: Float64Array, numClasses: number) {
    this.labels = labels;
    this.weights = weights;
    this.valueWidth = numClasses;
    this.total = new Float64Array(numClasses);
    this.left = new Float64Array(numClasses);
  }

  reset(idx: Int32Array, start: number, end: number): number {
    const t = this.total;
    t.fill(0);
    let w = 0;
    for (let p = start; p < end; p++) {
      const i = idx[p];
      t[this.labels[i]] += this.weights[i];
      w += this.weights[i];
    }
    this.w = w;
    return w;
  }

  /** Bootstrap weights are integers, so class sums are exact. */
  noiseScale(): number {
    return 0;
  }

  nodeImpurity(): number {
    let sq = 0;
    for (let c = 0; c < this.valueWidth; c++) sq += this.total[c] * this.total[c];
    return 1 - sq / (this.w * this.w);
  }

  scan(idx: Int32Array, col: Float32Array, base: number, start: number, end: number, feature: number, minLeaf: number, best: SplitRecord): void {
    const { labels, weights, total, left } = this;
    const lo = base + start;
    const hi = base + end;
    left.fill(0);
    let sqRight = 0;
    for (let c = 0; c < total.length; c++) sqRight += total[c] * total[c];
    let sqLeft = 0;
    let wLeft = 0;
    for (let p = lo; p < hi - 1; p++) {
      const i = idx[p];
      const c = labels[i];
      const wi = weights[i];
      const cl = left[c];
      const cr = total[c] - cl;
      sqLeft += wi * (2 * cl + wi);
      sqRight += wi * (wi - 2 * cr);
      left[c] = cl + wi;
      wLeft += wi;
      const x0 = col[i];
      const x1 = col[idx[p + 1]];
      // As in FriedmanMse.scan: only neighbours closer than 2e-7 can be merged, so only they pay for the rounding.
      if (x1 - x0 <= 2e-7 && x1 <= Math.fround(x0 + FEATURE_THRESHOLD)) continue;
      if (p + 1 - lo < minLeaf || hi - p - 1 < minLeaf) continue;
      const proxy = sqLeft / wLeft + sqRight / (this.w - wLeft);
      if (proxy > best.proxy) offer(best, proxy, feature, p + 1 - base, x0, x1);
    }
  }

  childrenImpurity(idx: Int32Array, base: number, start: number, pos: number, end: number, out: Float64Array): void {
    const left = this.left;
    left.fill(0);
    let wLeft = 0;
    for (let p = base + start; p < base + pos; p++) {
      const i = idx[p];
      left[this.labels[i]] += this.weights[i];
      wLeft += this.weights[i];
    }
    const wRight = this.w - wLeft;
    let sqLeft = 0;
    let sqRight = 0;
    for (let c = 0; c < this.valueWidth; c++) {
      sqLeft += left[c] * left[c];
      const r = this.total[c] - left[c];
      sqRight += r * r;
    }
    out[0] = 1 - sqLeft / (wLeft * wLeft);
    out[1] = 1 - sqRight / (wRight * wRight);
  }

  nodeValue(out: Float64Array, offset: number): void {
    out.set(this.total, offset);
  }
}

/** Growth limits; scikit-learn's names. */
export interface TreeGrowth {
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features examined per split; all of them when ≥ the feature count (scikit-learn `max_features`). */
  maxFeatures: number;
}

/**
 * Reusable buffers for growing many trees on one presorted matrix (one per boosting fit or forest).
 * A node owns the same [start, end) segment of every feature's sorted row list. Splitting a node copies each of
 * its segments, stably partitioned (left rows, then right rows, each still sorted), into the buffer of the next
 * depth; depths alternate between two buffers, which is safe in depth-first order because a segment's previous
 * contents there belonged to an ancestor that has already been split. The root reads the presorted lists
 * themselves, and a split whose children are certain leaves (maximum depth) is not copied at all.
 * Only row indices are copied: scans read a row's value from its feature's float32 column (`columnValues`),
 * a cache-resident gather that costs less than moving every value along with its index.
 */
export class TreeBuilder {
  private readonly pre: Presorted;
  private readonly idxA: Int32Array;
  private readonly idxB: Int32Array;
  // Root lists of a bootstrap sample; allocated on first use so boosting keeps its working set small.
  private idxRoot: Int32Array | undefined;
  private readonly goesLeft: Uint8Array;
  private readonly featureOrder: Int32Array;
  private m = 0;
  private rootIdx: Int32Array;
  /** Leaf id of every participating row after the last `grow` (scikit-learn's `apply` on the training rows). */
  readonly leafOf: Int32Array;

  constructor(pre: Presorted) {
    this.pre = pre;
    const size = pre.rows * pre.features;
    this.idxA = new Int32Array(size);
    this.idxB = new Int32Array(size);
    this.rootIdx = pre.order;
    this.goesLeft = new Uint8Array(pre.rows);
    this.featureOrder = new Int32Array(pre.features);
    this.leafOf = new Int32Array(pre.rows).fill(-1);
  }

  /** Restricts the presorted lists to rows with `include[i] !== 0` (or takes all rows), keeping the order. */
  private loadRoot(include?: Float64Array): void {
    const { rows, features, order } = this.pre;
    if (!include) {
      this.rootIdx = order;
      this.m = rows;
      return;
    }
    let m = 0;
    for (let i = 0; i < rows; i++) if (include[i] !== 0) m++;
    const idxRoot = (this.idxRoot ??= new Int32Array(rows * features));
    for (let f = 0; f < features; f++) {
      const src = f * rows;
      let dst = f * m;
      for (let p = 0; p < rows; p++) {
        const i = order[src + p];
        if (include[i] !== 0) {
          idxRoot[dst++] = i;
        }
      }
    }
    this.rootIdx = idxRoot;
    this.m = m;
  }

  private idxAt(depth: number): Int32Array {
    return depth === 0 ? this.rootIdx : depth % 2 === 1 ? this.idxA : this.idxB;
  }

  /**
   * Copies every feature's segment [start, end) from depth `d`'s buffer into depth d+1's, left rows first.
   * The split feature's own segment is already in that order (its first `mid − start` rows go left): a plain copy.
   */
  private partition(depth: number, start: number, mid: number, end: number, splitFeature: number): void {
    const srcIdx = this.idxAt(depth);
    const dstIdx = this.idxAt(depth + 1);
    const goesLeft = this.goesLeft;
    for (let f = 0; f < this.pre.features; f++) {
      const base = f * this.m;
      if (f === splitFeature) {
        dstIdx.set(srcIdx.subarray(base + start, base + end), base + start);
        continue;
      }
      let l = base + start;
      let r = base + mid;
      for (let p = base + start; p < base + end; p++) {
        const i = srcIdx[p];
        // A plain branch, although the side is data-dependent: V8 compiled the branch-free select
        // (r ^ ((l ^ r) & -side)) to code twice as slow, mispredictions included (7.6 vs 3.6–4 ns per row alone,
        // 6.9 vs 6.3 within a 40-class fit).
        if (goesLeft[i]) dstIdx[l++] = i;
        else dstIdx[r++] = i;
      }
    }
  }

  /**
   * Visits the features in a random order drawn from `rng` (scikit-learn's, so that among equally good splits a
   * uniformly random feature wins), or in index order without `rng`. With `maxFeatures` < features it stops as
   * scikit-learn does: once that many were drawn and at least one of them was not constant in the node.
   */
  private findSplit(crit: SplitCriterion, depth: number, start: number, end: number, g: TreeGrowth, rng: Rng | undefined, best: SplitRecord): void {
    const F = this.pre.features;
    const m = this.m;
    const idx = this.idxAt(depth);
    const all = g.maxFeatures >= F || !rng;
    const order = this.featureOrder;
    for (let f = 0; f < F; f++) order[f] = f;
    let visited = 0;
    let constants = 0;
    for (let k = 0; k < F; k++) {
      if (!all && visited >= g.maxFeatures && visited > constants) break;
      let f = k;
      if (rng) {
        const j = k + rng.int(F - k);
        f = order[j];
        order[j] = order[k];
        order[k] = f;
      }
      visited++;
      const base = f * m;
      const col = this.pre.columnValues[f];
      if (col[idx[base + end - 1]] <= Math.fround(col[idx[base + start]] + FEATURE_THRESHOLD)) {
        constants++;
        continue;
      }
      crit.scan(idx, col, base, start, end, f, g.minSamplesLeaf, best);
    }
  }

  /**
   * Grows one tree depth-first (scikit-learn's stack order: a node's left subtree gets the next ids).
   * `include` holds per-row weights for the criterion's benefit: rows with 0 are left out (bootstrap).
   */
  grow(crit: SplitCriterion, g: TreeGrowth, rng?: Rng, include?: Float64Array): Tree {
    this.loadRoot(include);
    const m = this.m;
    const cap = Math.max(1, Math.min(2 * m - 1, 2 ** Math.min(g.maxDepth + 1, 30) - 1));
    const left = new Int32Array(cap);
    const right = new Int32Array(cap);
    const feature = new Int32Array(cap);
    const threshold = new Float64Array(cap);
    const impurity = new Float64Array(cap);
    const weightedSamples = new Float64Array(cap);
    const value = new Float64Array(cap * crit.valueWidth);
    const childImp = new Float64Array(2);
    const best: SplitRecord = { feature: 0, pos: 0, threshold: 0, proxy: -Infinity, noiseScale: 0 };
    // Stack entries: start, end, depth, parent, isLeft, impurity (NaN = compute), source depth, source feature.
    // A child that must be a leaf reads its rows from its parent's buffer, in the split feature's segment.
    const stack: number[] = [0, m, 0, -1, 0, NaN, 0, 0];
    let count = 0;
    while (stack.length > 0) {
      const srcFeature = stack.pop() as number;
      const srcDepth = stack.pop() as number;
      const imp0 = stack.pop() as number;
      const isLeft = stack.pop() as number;
      const parent = stack.pop() as number;
      const depth = stack.pop() as number;
      const end = stack.pop() as number;
      const start = stack.pop() as number;
      const node = count++;
      if (parent >= 0) (isLeft ? left : right)[parent] = node;
      const nNode = end - start;
      const idx = this.idxAt(srcDepth);
      const base = srcFeature * m;
      const wNode = crit.reset(idx, base + start, base + end);
      const imp = Number.isNaN(imp0) ? crit.nodeImpurity() : imp0;
      let leaf = depth >= g.maxDepth || nNode < g.minSamplesSplit || nNode < 2 * g.minSamplesLeaf || imp <= EPSILON;
      if (!leaf) {
        best.pos = end;
        best.proxy = -Infinity;
        best.noiseScale = crit.noiseScale();
        this.findSplit(crit, depth, start, end, g, rng, best);
        leaf = best.pos >= end;
      }
      impurity[node] = imp;
      weightedSamples[node] = wNode;
      crit.nodeValue(value, node * crit.valueWidth);
      if (leaf) {
        left[node] = LEAF;
        right[node] = LEAF;
        feature[node] = -2;
        threshold[node] = -2;
        for (let p = base + start; p < base + end; p++) this.leafOf[idx[p]] = node;
        continue;
      }
      feature[node] = best.feature;
      threshold[node] = best.threshold;
      const bestBase = best.feature * m;
      crit.childrenImpurity(idx, bestBase, start, best.pos, end, childImp);
      if (depth + 1 >= g.maxDepth) {
        stack.push(best.pos, end, depth + 1, node, 0, childImp[1], depth, best.feature);
        stack.push(start, best.pos, depth + 1, node, 1, childImp[0], depth, best.feature);
        continue;
      }
      for (let p = start; p < best.pos; p++) this.goesLeft[idx[bestBase + p]] = 1;
      for (let p = best.pos; p < end; p++) this.goesLeft[idx[bestBase + p]] = 0;
      this.partition(depth, start, best.pos, end, best.feature);
      stack.push(best.pos, end, depth + 1, node, 0, childImp[1], depth + 1, 0);
      stack.push(start, best.pos, depth + 1, node, 1, childImp[0], depth + 1, 0);
    }
    return {
      nodeCount: count,
      left: left.slice(0, count),
      right: right.slice(0, count),
      feature: feature.slice(0, count),
      threshold: threshold.slice(0, count),
      impurity: impurity.slice(0, count),
      weightedSamples: weightedSamples.slice(0, count),
      value: value.slice(0, count * crit.valueWidth),
      valueWidth: crit.valueWidth,
    };
  }
}

/** Leaf reached by row `i` of a float32-rounded row-major block. */
export function applyTree(tree: Tree, x: Float64Array, rowOffset: number): number {
  const { left, right, feature, threshold } = tree;
  let node = 0;
  while (left[node] !== LEAF) node = x[rowOffset + feature[node]] <= threshold[node] ? left[node] : right[node];
  return node;
}

/** Copies a matrix with every entry rounded to float32, as scikit-learn's trees read their input. */
export function toFloat32Values(x: Matrix): Float64Array {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(x.data[i]);
  return out;
}

/**
 * Unnormalized impurity importances of one tree (scikit-learn `compute_feature_importances(normalize=False)`):
 * per feature, Σ over its splits of w·imp − w_l·imp_l − w_r·imp_r, divided by the root's weight.
 */
export function treeImportances(tree: Tree, numFeatures: number, out = new Float64Array(numFeatures)): Float64Array {
  const { left, right, feature, impurity, weightedSamples } = tree;
  for (let node = 0; node < tree.nodeCount; node++) {
    const l = left[node];
    if (l === LEAF) continue;
    const r = right[node];
    out[feature[node]] +=
      weightedSamples[node] * impurity[node] - weightedSamples[l] * impurity[l] - weightedSamples[r] * impurity[r];
  }
  for (let f = 0; f < numFeatures; f++) out[f] /= weightedSamples[0];
  return out;
}

/**
 * scikit-learn's label encoding for classifiers: `classes` = sorted distinct labels, `encoded[i]` = position of
 * `y[i]` in `classes`, `counts` per class. Checks the label count against the rows of `x`.
 */
export function encodeLabels(y: Int32Array, rows: number, fn: string): { classes: Int32Array; encoded: Int32Array; counts: Float64Array } {
  if (!(y instanceof Int32Array)) throw new DisentangleError('BAD_INPUT', `y (in ${fn})`, 'expected an Int32Array of class labels');
  if (y.length !== rows) throw new DisentangleError('SHAPE_MISMATCH', `y (in ${fn})`, `has ${y.length} labels for ${rows} rows of x`);
  if (rows === 0) throw new DisentangleError('EMPTY', `x (in ${fn})`, 'has no rows');
  const { ids, numClasses, counts } = denseLabels(y);
  const classes = new Int32Array(numClasses);
  for (let i = 0; i < y.length; i++) classes[ids[i]] = y[i];
  return { classes, encoded: ids, counts };
}
