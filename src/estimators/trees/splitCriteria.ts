/**
 * The impurity criteria of our CART builder (`decisionTree.ts`), as scikit-learn 1.2 defines them, and the rule
 * that decides between candidate splits: `friedman_mse` for gradient boosting, `gini` for the random forest.
 * A criterion keeps a node's totals between `reset` and its scans of each feature's sorted segment.
 */
/** scikit-learn keeps features in float32 and treats values closer than this (in float32) as equal. */
export const FEATURE_THRESHOLD = Math.fround(1e-7);

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
