import type { IntMatrix } from '../core/matrix.js';

const EPS = 2.220446049250313e-16; // numpy finfo(float64).eps

/** Relabels arbitrary integer labels to 0..C−1 in increasing order of value (numpy `unique` order). */
export function denseLabels(labels: ArrayLike<number>): { ids: Int32Array; numClasses: number; counts: Float64Array } {
  const n = labels.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (labels[i] < min) min = labels[i];
    if (labels[i] > max) max = labels[i];
  }
  const ids = new Int32Array(n);
  if (n === 0) return { ids, numClasses: 0, counts: new Float64Array(0) };
  const range = max - min + 1;
  let map: Int32Array | Map<number, number>;
  let numClasses = 0;
  if (Number.isInteger(min) && Number.isInteger(max) && range <= 4 * n + 1024) {
    const present = new Int32Array(range).fill(-1);
    for (let i = 0; i < n; i++) present[labels[i] - min] = 0;
    for (let v = 0; v < range; v++) if (present[v] === 0) present[v] = numClasses++;
    for (let i = 0; i < n; i++) ids[i] = present[labels[i] - min];
    map = present;
  } else {
    const sorted = Array.from(new Set(Array.from(labels))).sort((a, b) => a - b);
    map = new Map(sorted.map((v, k) => [v, k]));
    numClasses = sorted.length;
    for (let i = 0; i < n; i++) ids[i] = (map as Map<number, number>).get(labels[i]) as number;
  }
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) counts[ids[i]]++;
  return { ids, numClasses, counts };
}

/**
 * Mutual information (nats) between two discrete label vectors, with scikit-learn's `mutual_info_score`
 * arithmetic: the contingency table over the sorted distinct labels, terms
 * (n_ab/N)(ln n_ab − ln N) + (n_ab/N)(−ln(n_a·n_b) + ln N + ln N), terms below machine epsilon zeroed, and the
 * sum clipped at 0. Returns 0 when either vector has a single distinct value.
 *
 * @example
 * mutualInfoScore([0, 0, 1, 1], [0, 0, 1, 1]) // ln 2
 */
export function mutualInfoScore(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const A = denseLabels(a);
  const B = denseLabels(b);
  return mutualInfoFromDense(A.ids, A.numClasses, A.counts, B.ids, B.numClasses, B.counts);
}

/** {@link mutualInfoScore} on labels already made dense (reused by the matrix routine below). */
export function mutualInfoFromDense(
  aIds: Int32Array,
  aClasses: number,
  aCounts: Float64Array,
  bIds: Int32Array,
  bClasses: number,
  bCounts: Float64Array,
  table: Float64Array = new Float64Array(aClasses * bClasses),
): number {
  if (aClasses <= 1 || bClasses <= 1) return 0;
  const n = aIds.length;
  table.fill(0, 0, aClasses * bClasses);
  for (let i = 0; i < n; i++) table[aIds[i] * bClasses + bIds[i]]++;
  const logN = Math.log(n);
  let sum = 0;
  // Row-major over the table's non-zero cells, the order numpy's nonzero() visits them.
  for (let x = 0; x < aClasses; x++) {
    for (let y = 0; y < bClasses; y++) {
      const c = table[x * bClasses + y];
      if (c === 0) continue;
      const pnm = c / n;
      const logOuter = -Math.log(aCounts[x] * bCounts[y]) + logN + logN;
      let term = pnm * (Math.log(c) - logN) + pnm * logOuter;
      if (Math.abs(term) < EPS) term = 0;
      sum += term;
    }
  }
  return sum > 0 ? sum : 0;
}

/** Entropy (nats) of a discrete label vector, computed as I(y; y) like disentanglement_lib. */
export function discreteEntropy(labels: ArrayLike<number>): number {
  return mutualInfoScore(labels, labels);
}

/**
 * D×K matrix of I(code_i; factor_j) between the columns of discretized codes (n×D) and of factors (n×K), in
 * nats, as disentanglement_lib's `discrete_mutual_info`. Returned row-major (D rows, K columns).
 */
export function discreteMutualInfoMatrix(codes: IntMatrix, factors: IntMatrix): Float64Array {
  const D = codes.cols;
  const K = factors.cols;
  const out = new Float64Array(D * K);
  const fac = Array.from({ length: K }, (_, j) => denseLabels(columnOf(factors, j)));
  const cod = Array.from({ length: D }, (_, i) => denseLabels(columnOf(codes, i)));
  let table = new Float64Array(0);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < K; j++) {
      const need = fac[j].numClasses * cod[i].numClasses;
      if (table.length < need) table = new Float64Array(need);
      // sklearn is called as mutual_info_score(factor, code): factor classes index the table rows.
      out[i * K + j] = mutualInfoFromDense(fac[j].ids, fac[j].numClasses, fac[j].counts, cod[i].ids, cod[i].numClasses, cod[i].counts, table);
    }
  }
  return out;
}

/** Entropy (nats) of each factor column. */
export function discreteEntropies(factors: IntMatrix): Float64Array {
  const out = new Float64Array(factors.cols);
  for (let j = 0; j < factors.cols; j++) out[j] = discreteEntropy(columnOf(factors, j));
  return out;
}

function columnOf(m: IntMatrix, j: number): Int32Array {
  const out = new Int32Array(m.rows);
  for (let i = 0, p = j; i < m.rows; i++, p += m.cols) out[i] = m.data[p];
  return out;
}
