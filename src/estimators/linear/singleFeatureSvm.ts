/**
 * `LinearSVC` on a single feature, solved exactly: the case SAP fits once per code and discrete factor. The
 * objective is liblinear's (see `linearSvm.ts`), piecewise quadratic in (w, b); the margin violators of each class
 * are a prefix or suffix of the sorted values, so Newton steps over prefix sums reach the exact minimizer in a few
 * O(log n) steps, where dual coordinate descent stops within its tolerance.
 */
import { DisentangleError } from '../../core/errors.js';
import { checkOptions } from '../../core/validate.js';
import { oneVsRestSvc, svcLabels, svcPenalty, type FittedLinearSvc } from './linearSvm.js';

/** One feature column sorted once, so that every SVM fitted on it (one per factor in SAP) reuses the sort. */
export interface SortedFeature {
  /** Values in ascending order. */
  readonly sorted: Float64Array;
  /** sorted[k] = x[order[k]]. */
  readonly order: Int32Array;
  /** Prefix sums of 1, x, x² over the sorted values (length n + 1). */
  readonly prefix: PrefixSums;
}

/** Sorted feature values with running class sums, reused across the Newton steps of one fit. */
export interface PrefixSums {
  s1: Float64Array;
  s2: Float64Array;
}

function prefixSums(sorted: Float64Array): PrefixSums {
  const n = sorted.length;
  const s1 = new Float64Array(n + 1);
  const s2 = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) {
    s1[k + 1] = s1[k] + sorted[k];
    s2[k + 1] = s2[k] + sorted[k] * sorted[k];
  }
  return { s1, s2 };
}

/** Sorts one feature column for {@link fitSingleFeatureSvc}. */
export function sortFeature(x: ArrayLike<number>): SortedFeature {
  const order = Int32Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const sorted = Float64Array.from(order, (i) => x[i]);
  return { sorted, order, prefix: prefixSums(sorted) };
}

// First index with v[k] ≥ t (count of values < t).
function lowerBound(v: Float64Array, t: number): number {
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// First index with v[k] > t (count of values ≤ t).
function upperBound(v: Float64Array, t: number): number {
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Count, Σx and Σx² of a sorted set over the index range [a, b). */
function rangeSums(v: Float64Array, p: PrefixSums, a: number, b: number): [number, number, number] {
  return [b - a, p.s1[b] - p.s1[a], p.s2[b] - p.s2[a]];
}

/**
 * Which points of a sorted set violate the margin, y·(w·x + b) < 1, as an index range: for a fixed sign of w
 * they form a prefix or a suffix of the sorted values.
 */
function activeRange(v: Float64Array, w: number, b: number, y: 1 | -1): [number, number] {
  const n = v.length;
  // y(wx + b) < 1  ⇔  y·w·x < 1 − y·b
  const yw = y * w;
  const rhs = 1 - y * b;
  if (yw === 0) return rhs > 0 ? [0, n] : [0, 0];
  const t = rhs / yw;
  return yw > 0 ? [0, lowerBound(v, t)] : [upperBound(v, t), n];
}

/**
 * The exact optimum of liblinear's L2-regularized squared-hinge problem on a single feature (plus the
 * regularized bias feature): ½(w² + b²) + Σᵢ Cᵢ max(0, 1 − yᵢ(w·xᵢ + b))², with Cᵢ = cPos for the positives and
 * cNeg for the negatives. The objective is piecewise quadratic and the margin violators are a prefix/suffix of
 * the sorted values, so each Newton step costs O(log n) from prefix sums; it stops when a full step keeps the
 * active set, i.e. at the exact minimizer.
 */
function solveSingleFeature(
  all: Float64Array,
  allP: PrefixSums,
  pos: Float64Array,
  posP: PrefixSums,
  cPos: number,
  cNeg: number,
): { w: number; b: number; iter: number } {
  // Negatives = all − positives, range by range.
  const sums = (w: number, b: number) => {
    const [pa, pb] = activeRange(pos, w, b, 1);
    const P = rangeSums(pos, posP, pa, pb);
    const [na, nb] = activeRange(all, w, b, -1);
    const [qa, qb] = activeRange(pos, w, b, -1);
    const A = rangeSums(all, allP, na, nb);
    const Q = rangeSums(pos, posP, qa, qb);
    const N: [number, number, number] = [A[0] - Q[0], A[1] - Q[1], A[2] - Q[2]];
    return { P, N, key: `${pa},${pb},${na},${nb},${qa},${qb}` };
  };
  const objective = (w: number, b: number): number => {
    const { P, N } = sums(w, b);
    const u = 1 - b;
    const v = 1 + b;
    const fp = u * u * P[0] - 2 * u * w * P[1] + w * w * P[2];
    const fn = v * v * N[0] + 2 * v * w * N[1] + w * w * N[2];
    return 0.5 * (w * w + b * b) + cPos * Math.max(fp, 0) + cNeg * Math.max(fn, 0);
  };
  let w = 0;
  let b = 0;
  let f = objective(w, b);
  let iter = 0;
  for (; iter < 100; iter++) {
    const { P, N, key } = sums(w, b);
    const u = 1 - b;
    const v = 1 + b;
    const gw = w + cPos * (-2 * u * P[1] + 2 * w * P[2]) + cNeg * (2 * v * N[1] + 2 * w * N[2]);
    const gb = b + cPos * (-2 * u * P[0] + 2 * w * P[1]) + cNeg * (2 * v * N[0] + 2 * w * N[1]);
    const hww = 1 + 2 * cPos * P[2] + 2 * cNeg * N[2];
    const hwb = 2 * cPos * P[1] + 2 * cNeg * N[1];
    const hbb = 1 + 2 * cPos * P[0] + 2 * cNeg * N[0];
    const det = hww * hbb - hwb * hwb;
    const dw = -(hbb * gw - hwb * gb) / det;
    const db = -(-hwb * gw + hww * gb) / det;
    const slope = gw * dw + gb * db;
    if (!(slope < 0)) break; // zero gradient: at the minimizer
    let step = 1;
    let fNew = objective(w + dw, b + db);
    while (fNew > f + 1e-4 * step * slope && step > 1e-12) {
      step *= 0.5;
      fNew = objective(w + step * dw, b + step * db);
    }
    if (!(fNew <= f)) break;
    w += step * dw;
    b += step * db;
    f = fNew;
    if (step === 1 && sums(w, b).key === key) {
      iter++;
      break; // the quadratic piece we solved exactly is still the active one
    }
  }
  return { w, b, iter };
}

/**
 * `LinearSVC` on a single feature (SAP's discrete case), solved exactly instead of by dual coordinate descent.
 * Same objective, classes, one-vs-rest and class-weight rules as {@link fitLinearSvc}; liblinear stops its dual
 * solver at tol = 1e-4, so its weights sit within that tolerance of the optimum returned here and predictions
 * differ only for points practically on a decision boundary. Pass a {@link SortedFeature} to reuse one sort for
 * several label vectors.
 *
 * @example
 * const svm = fitSingleFeatureSvc(sortFeature(codeColumn), factorColumn, { C: 0.01, classWeight: 'balanced' });
 */
export function fitSingleFeatureSvc(
  feature: SortedFeature,
  y: Int32Array,
  options: { C?: number; classWeight?: 'balanced' | null } = {},
): FittedLinearSvc {
  const fn = 'fitSingleFeatureSvc';
  checkOptions(options, fn, ['C', 'classWeight']);
  const n = feature.sorted.length;
  if (n === 0) throw new DisentangleError('EMPTY', `x (in ${fn})`, 'needs at least one sample');
  if (y.length !== n) throw new DisentangleError('SHAPE_MISMATCH', `y (in ${fn})`, `has ${y.length} labels, x has ${n} values`);
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(feature.sorted[k])) throw new DisentangleError('NON_FINITE', `x (in ${fn})`, `contains ${feature.sorted[k]}`);
  }
  const { C, weighted } = svcPenalty(options);
  const labels = svcLabels(y, fn);
  const { index, counts } = labels;
  // Each class's values in ascending order (a subsequence of the global sort) with their prefix sums.
  const members = Array.from(counts, (c) => new Float64Array(c));
  const fill = new Int32Array(counts.length);
  for (let q = 0; q < n; q++) {
    const c = index[feature.order[q]];
    members[c][fill[c]++] = feature.sorted[q];
  }
  return oneVsRestSvc(labels, 1, C, weighted, (positive, cPos, cNeg) => {
    const sol = solveSingleFeature(feature.sorted, feature.prefix, members[positive], prefixSums(members[positive]), cPos, cNeg);
    return { w: [sol.w], b: sol.b, iter: sol.iter };
  });
}
