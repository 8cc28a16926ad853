import { runSteps, type Steps } from '../../core/batching.js';
import { column, type IntMatrix } from '../../core/matrix.js';
import { encodeLabels, type EncodedLabels } from '../labels.js';

const EPS = 2.220446049250313e-16; // numpy finfo(float64).eps

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
  const A = encodeLabels(a);
  const B = encodeLabels(b);
  return mutualInfoFromDense(A.index, A.classes.length, A.counts, B.index, B.classes.length, B.counts);
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
  const fac = Array.from({ length: K }, (_, j) => encodeLabels(column(factors, j)));
  const cod = Array.from({ length: D }, (_, i) => encodeLabels(column(codes, i)));
  let table = new Float64Array(0);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < K; j++) {
      const need = fac[j].classes.length * cod[i].classes.length;
      if (table.length < need) table = new Float64Array(need);
      // sklearn is called as mutual_info_score(factor, code): factor classes index the table rows.
      out[i * K + j] = mutualInfoFromDense(fac[j].index, fac[j].classes.length, fac[j].counts, cod[i].index, cod[i].classes.length, cod[i].counts, table);
    }
  }
  return out;
}

/**
 * D×D matrix of I(code_i; code_j) between the columns of one discretized matrix: the same numbers as
 * `discreteMutualInfoMatrix(codes, codes)` (bit for bit), in half the time. Each unordered pair's contingency
 * table is counted once (the O(n) part) and summed in both orientations, each in the order its own call
 * would use.
 */
export function discreteMutualInfoSelf(codes: IntMatrix): Float64Array {
  return runSteps(discreteMutualInfoSelfSteps(codes));
}

/** {@link discreteMutualInfoSelf} as steps, pausing after each pair of columns. */
export function* discreteMutualInfoSelfSteps(codes: IntMatrix): Steps<Float64Array> {
  const D = codes.cols;
  const n = codes.rows;
  const out = new Float64Array(D * D);
  const cols: EncodedLabels[] = [];
  for (let i = 0; i < D; i++) {
    cols.push(encodeLabels(column(codes, i)));
    yield;
  }
  const work: PairWork = { counts: new Int32Array(0), terms: new Float64Array(0), logCount: logTable(n), n, logN: Math.log(n) };
  for (let p = 0; p < D; p++) {
    for (let q = p; q < D; q++) {
      pairMutualInfo(cols[p], cols[q], p, q, D, out, work);
      yield;
    }
  }
  return out;
}

/**
 * counts[a·bClasses + b] = co-occurrences of (a, b). Consecutive rows often fall in the same cell, and each
 * increment then waits for the previous one; four interleaved tables, summed at the end, keep four in flight.
 */
function countPairs(a: Int32Array, b: Int32Array, bClasses: number, size: number, counts: Int32Array): void {
  counts.fill(0, 0, 4 * size);
  const n = a.length;
  const m = n & ~3;
  const s2 = 2 * size;
  const s3 = 3 * size;
  for (let i = 0; i < m; i += 4) {
    counts[a[i] * bClasses + b[i]]++;
    counts[size + a[i + 1] * bClasses + b[i + 1]]++;
    counts[s2 + a[i + 2] * bClasses + b[i + 2]]++;
    counts[s3 + a[i + 3] * bClasses + b[i + 3]]++;
  }
  for (let i = m; i < n; i++) counts[a[i] * bClasses + b[i]]++;
  for (let k = 0; k < size; k++) counts[k] += counts[size + k] + counts[s2 + k] + counts[s3 + k];
}

interface PairWork {
  /** Four count tables of the current pair, back to back; the first ends up holding the sum. */
  counts: Int32Array;
  terms: Float64Array;
  /** logCount[c] = Math.log(c): the same double as calling it, looked up. */
  logCount: Float64Array;
  n: number;
  logN: number;
}

function logTable(n: number): Float64Array {
  const t = new Float64Array(n + 1);
  for (let c = 1; c <= n; c++) t[c] = Math.log(c);
  return t;
}

/** Both I(p; q) and I(q; p) from one contingency table (a plain function: V8 optimises it better than a generator). */
function pairMutualInfo(A: EncodedLabels, B: EncodedLabels, p: number, q: number, D: number, out: Float64Array, w: PairWork): void {
  // mutual_info_score is 0 with a single class (out is already 0)
  const aClasses = A.classes.length;
  const bClasses = B.classes.length;
  if (aClasses <= 1 || bClasses <= 1) return;
  const size = aClasses * bClasses;
  if (w.counts.length < 4 * size) w.counts = new Int32Array(4 * size);
  const counts = w.counts;
  countPairs(A.index, B.index, bClasses, size, counts);
  // A cell's term is the same whichever column's classes index the rows (the product of the two class counts
  // commutes exactly), so it is computed once; each orientation then sums the terms in its own order.
  if (w.terms.length < size) w.terms = new Float64Array(size);
  cellTerms(counts, aClasses, bClasses, A.counts, B.counts, w);
  // out[i·D + j] = I(a = column j; b = column i) with a's classes as table rows, as in discreteMutualInfoMatrix.
  out[q * D + p] = sumTerms(counts, w.terms, aClasses, bClasses, false);
  out[p * D + q] = p === q ? out[q * D + p] : sumTerms(counts, w.terms, aClasses, bClasses, true);
}

/** mutualInfoFromDense's term of every non-empty cell of a rows × cols table. */
function cellTerms(counts: Int32Array, rows: number, cols: number, rowCounts: Float64Array, colCounts: Float64Array, w: PairWork): void {
  const { n, logN, logCount, terms } = w;
  for (let x = 0; x < rows; x++) {
    for (let y = 0; y < cols; y++) {
      const c = counts[x * cols + y];
      if (c === 0) continue;
      const pnm = c / n;
      const logOuter = -Math.log(rowCounts[x] * colCounts[y]) + logN + logN;
      const term = pnm * (logCount[c] - logN) + pnm * logOuter;
      terms[x * cols + y] = Math.abs(term) < EPS ? 0 : term;
    }
  }
}

/**
 * The sum over non-empty cells in mutualInfoFromDense's order: row-major, or, with `transposed`, row-major over
 * the transposed table (the pair's other orientation); clipped at 0.
 */
function sumTerms(counts: Int32Array, terms: Float64Array, rows: number, cols: number, transposed: boolean): number {
  let sum = 0;
  if (!transposed) {
    for (let k = 0; k < rows * cols; k++) if (counts[k] !== 0) sum += terms[k];
  } else {
    for (let y = 0; y < cols; y++) {
      for (let x = 0; x < rows; x++) {
        const k = x * cols + y;
        if (counts[k] !== 0) sum += terms[k];
      }
    }
  }
  return sum > 0 ? sum : 0;
}

/** Entropy (nats) of each factor column. */
export function discreteEntropies(factors: IntMatrix): Float64Array {
  const out = new Float64Array(factors.cols);
  for (let j = 0; j < factors.cols; j++) out[j] = discreteEntropy(column(factors, j));
  return out;
}
