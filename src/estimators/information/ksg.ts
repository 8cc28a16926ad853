/**
 * The k-nearest-neighbour estimator of the mutual information between one continuous variable and discrete labels:
 * Kraskov, Stögbauer & Grassberger 2004 ("Estimating mutual information"), in the continuous–discrete form of
 * Ross 2014 ("Mutual information between discrete and continuous data sets"), with the arithmetic of
 * scikit-learn 1.2's `mutual_info_classif(x, y, discrete_features=False)` (its private `_compute_mi_cd`).
 */
import { DisentangleError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { intOption } from '../../core/validate.js';
import { encodeLabels } from '../labels.js';

/** Options of {@link mutualInfoKsg}. */
export interface KsgOptions {
  /** Neighbours k (default 3, scikit-learn's `n_neighbors`); a class of c samples uses min(k, c − 1). */
  k?: number;
  /**
   * Adds 1e-10 · max(1, mean|x|) · N(0, 1) to the scaled values from this stream, as scikit-learn does from an
   * unseeded one to break ties. Default: no noise, and ties follow the exact rule described on {@link mutualInfoKsg}.
   */
  noise?: Rng;
  /** Skip the division by the standard deviation (the values are already scaled as wanted). Default false. */
  unscaled?: boolean;
}

/**
 * I(x; y) in nats between a continuous feature `x` and discrete labels `y` by the KSG/Ross estimator:
 * `ψ(N) + ⟨ψ(k_i)⟩ − ⟨ψ(N_{y_i})⟩ − ⟨ψ(m_i)⟩`, clipped at 0. For every sample, r_i is the distance to its k-th
 * nearest neighbour among the samples of its class (k_i = min(k, N_{y_i} − 1)); m_i counts the samples of any class
 * closer than r_i, itself included. Samples whose class has a single member are dropped (N counts the rest).
 *
 * As scikit-learn's `mutual_info_classif(x[:, None], y, discrete_features=False, n_neighbors=k)`: `x` is first
 * divided by its standard deviation (ddof 0, not centred; a constant feature is left as is), and "closer than r_i"
 * is its test `(x_j − x_i)² ≤ nextafter(r_i, 0)²`. scikit-learn then adds unseeded noise of relative size 1e-10,
 * which makes its value vary from call to call where distances tie (its issue #30772); without `noise` we add none,
 * so the value is deterministic and equals scikit-learn's noise-free `_compute_mi_cd` on the scaled feature,
 * ties included: when the k-th neighbour is a duplicate (r_i = 0), m_i counts the samples equal to x_i.
 *
 * One sort per class and one of all samples, O(k) per sample for r_i and two binary searches for m_i:
 * O(n log n + n·k) in all (scikit-learn builds KD-trees).
 *
 * @example
 * const x = [0.1, 0.3, 0.2, 2.1, 2.4, 2.2, 0.25, 2.3];
 * const y = [0, 0, 0, 1, 1, 1, 0, 1];
 * mutualInfoKsg(x, y, { k: 2 }); // ≈ ln 2 minus the estimator's bias
 */
export function mutualInfoKsg(x: ArrayLike<number>, y: ArrayLike<number>, options: KsgOptions = {}): number {
  const fn = 'mutualInfoKsg';
  if (x.length !== y.length) throw new DisentangleError('SHAPE_MISMATCH', `y (in ${fn})`, `has ${y.length} labels for ${x.length} values`);
  const k = intOption(options.k, 'k', 3, 1);
  const values = Float64Array.from(x);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new DisentangleError('BAD_INPUT', `x (in ${fn})`, `value ${i} is ${values[i]}; expected finite numbers`);
  }
  if (!options.unscaled) scaleByStd(values);
  if (options.noise) addTieNoise(values, options.noise);
  const { index, classes } = encodeLabels(y);
  return ksgFromDense(values, index, classes.length, k);
}

/**
 * The estimate on values already scaled (and noised, if wanted) with labels already dense (0…C−1): what
 * {@link mutualInfoKsg} returns after its preprocessing, for callers that prepare a column once for many labels.
 */
export function ksgFromDense(values: Float64Array, labels: Int32Array, numClasses: number, k: number): number {
  const n = values.length;
  const counts = new Int32Array(numClasses);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  // Bucket the values by class (counting sort), then sort each bucket and the kept samples as a whole.
  const starts = new Int32Array(numClasses + 1);
  for (let c = 0; c < numClasses; c++) starts[c + 1] = starts[c] + counts[c];
  const byClass = new Float64Array(n);
  const fill = starts.slice(0, numClasses);
  for (let i = 0; i < n; i++) byClass[fill[labels[i]]++] = values[i];
  let kept = 0;
  for (let c = 0; c < numClasses; c++) if (counts[c] > 1) kept += counts[c];
  if (kept === 0) return 0;
  const all = new Float64Array(kept);
  let w = 0;
  for (let c = 0; c < numClasses; c++) {
    if (counts[c] < 2) continue;
    const bucket = byClass.subarray(starts[c], starts[c + 1]);
    bucket.sort();
    all.set(bucket, w);
    w += bucket.length;
  }
  all.sort();
  let sumK = 0;
  let sumCount = 0;
  let sumM = 0;
  for (let c = 0; c < numClasses; c++) {
    const count = counts[c];
    if (count < 2) continue;
    const kc = Math.min(k, count - 1);
    const bucket = byClass.subarray(starts[c], starts[c + 1]);
    for (let p = 0; p < count; p++) {
      const radius = nextDown(kthNeighbourDistance(bucket, p, kc));
      sumM += digamma(countWithin(all, bucket[p], radius * radius));
    }
    sumK += count * digamma(kc);
    sumCount += count * digamma(count);
  }
  const mi = digamma(kept) + sumK / kept - sumCount / kept - sumM / kept;
  return mi > 0 ? mi : 0;
}

/** Divides by the standard deviation (ddof 0) in place, as scikit-learn's `scale(with_mean=False)`; σ = 0 keeps x. */
export function scaleByStd(values: Float64Array): void {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) * (values[i] - mean);
  const std = Math.sqrt(ss / n);
  if (!(std > 0)) return;
  for (let i = 0; i < n; i++) values[i] /= std;
}

/** scikit-learn's tie-breaking jitter, 1e-10 · max(1, mean|x|) · N(0, 1) per value, from a seeded stream. */
export function addTieNoise(values: Float64Array, rng: Rng): void {
  let meanAbs = 0;
  for (let i = 0; i < values.length; i++) meanAbs += Math.abs(values[i]);
  const scale = 1e-10 * Math.max(1, meanAbs / values.length);
  for (let i = 0; i < values.length; i++) values[i] += scale * rng.normal();
}

// The k-th smallest |a[q] − a[p]| over q ≠ p in the sorted array a: the k nearest neighbours of a[p] form a
// contiguous run around p, grown one step at a time towards the nearer side. Ties between the sides pick either:
// the k-th distance is the same.
function kthNeighbourDistance(a: Float64Array, p: number, k: number): number {
  let lo = p - 1;
  let hi = p + 1;
  const x = a[p];
  let d = 0;
  for (let step = 0; step < k; step++) {
    const left = lo >= 0 ? x - a[lo] : Infinity;
    const right = hi < a.length ? a[hi] - x : Infinity;
    if (left <= right) {
      d = left;
      lo--;
    } else {
      d = right;
      hi++;
    }
  }
  return d;
}

// Samples j of the sorted array with (a[j] − x)² ≤ r2 (scikit-learn's KD-tree compares squared distances). The
// rounded difference is monotone in a[j], so the set is one run around x, found by two binary searches.
function countWithin(a: Float64Array, x: number, r2: number): number {
  // First index whose value is ≥ x (x is in a).
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  const at = lo;
  // Leftmost j ≤ at with (x − a[j])² ≤ r2.
  lo = 0;
  hi = at;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const d = x - a[mid];
    if (d * d <= r2) hi = mid;
    else lo = mid + 1;
  }
  const left = lo;
  // First j ≥ at with (a[j] − x)² > r2.
  lo = at;
  hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const d = a[mid] - x;
    if (d * d <= r2) lo = mid + 1;
    else hi = mid;
  }
  return lo - left;
}

const SCRATCH = new DataView(new ArrayBuffer(8));

/** The largest double below a non-negative finite `r` (numpy's `nextafter(r, 0)`); 0 stays 0. */
export function nextDown(r: number): number {
  if (r === 0) return 0;
  SCRATCH.setFloat64(0, r);
  SCRATCH.setBigUint64(0, SCRATCH.getBigUint64(0) - 1n);
  return SCRATCH.getFloat64(0);
}

const digammaCache: number[] = [];

/**
 * ψ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic series (error < 1e-16
 * relative). Integer arguments (all the estimator needs) are cached.
 */
export function digamma(x: number): number {
  const cacheable = Number.isInteger(x) && x < 1 << 20;
  if (cacheable && digammaCache[x] !== undefined) return digammaCache[x];
  let v = x;
  let shift = 0;
  while (v < 10) {
    shift += 1 / v;
    v += 1;
  }
  const inv2 = 1 / (v * v);
  // ln v − 1/(2v) − Σ B₂ₖ/(2k v²ᵏ), Bernoulli numbers B₂…B₁₄.
  const series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))));
  const result = Math.log(v) - 0.5 / v - series - shift;
  if (cacheable) digammaCache[x] = result;
  return result;
}
