/**
 * The vote of the Z-max metric (Kim, Wang, Sahu & Pavlovic 2019, Relevance Factor VAE) on a fixed table of codes
 * and factor indices, as ubisoft-laforge-disentanglement-metrics' `z_max_var.py` draws it: rows grouped by the
 * values of every factor but one, batches read from a cycling stream of a group's rows, and the vote for the code
 * of largest normalised variance. The metric (`metrics/zMax.ts`) adds the variances, the classifier and scoring.
 */
import type { IntMatrix, Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';

/** A split's codes and, per factor k, the groups of rows sharing one combination of the factors other than k. */
export interface VoteTable {
  codes: Matrix;
  groups: Int32Array[][];
}

/**
 * Rows grouped by their values on every factor but `k` (groups of at least two rows only): a lexicographic
 * sort of the row indices on the other columns, then one scan. Order of the groups: by combination.
 *
 * @example
 * combinationGroups({ data: Int32Array.of(0, 1, 1, 1, 0, 2), rows: 3, cols: 2 }, 0); // [Int32Array [0, 1]]
 */
export function combinationGroups(factors: IntMatrix, k: number): Int32Array[] {
  const { rows, cols, data } = factors;
  const differ = (a: number, b: number): number => {
    for (let j = 0; j < cols; j++) {
      if (j === k) continue;
      const d = data[a * cols + j] - data[b * cols + j];
      if (d !== 0) return d;
    }
    return 0;
  };
  const order = Int32Array.from({ length: rows }, (_, i) => i).sort((a, b) => differ(a, b) || a - b);
  const groups: Int32Array[] = [];
  for (let start = 0; start < rows; ) {
    let end = start + 1;
    while (end < rows && differ(order[start], order[end]) === 0) end++;
    if (end - start > 1) groups.push(order.slice(start, end));
    start = end;
  }
  return groups;
}

/** How many of `count` votes go to each of K factors, each drawn uniformly. */
export function factorCounts(count: number, K: number, rng: Rng): Int32Array {
  const counts = new Int32Array(K);
  for (let i = 0; i < count; i++) counts[rng.int(K)] += 1;
  return counts;
}

/**
 * The reference's `_prepare_datasets` on one table: per factor, its training then evaluation votes each draw a
 * combination uniformly among the groups; the votes sharing a combination read consecutive batches of one stream
 * of its rows (the rows freshly shuffled on every pass), training votes first. Votes are tallied K×D by the true
 * code index into `votes.train` and `votes.eval`.
 *
 * @example
 * castTableVotes(table, trainCounts, evalCounts, { train: intMatrix(K, D), eval: intMatrix(K, D) }, variance, active, 200, rng);
 */
export function castTableVotes(
  table: VoteTable,
  trainCounts: Int32Array,
  evalCounts: Int32Array,
  votes: { train: IntMatrix; eval: IntMatrix },
  scale: Float64Array,
  active: Uint8Array,
  batchSize: number,
  rng: Rng,
): void {
  const batch = new Int32Array(batchSize);
  trainCounts.forEach((numTrain, k) => {
    const groups = table.groups[k];
    const perGroup = new Map<number, { train: number; eval: number }>();
    for (let v = 0; v < numTrain + evalCounts[k]; v++) {
      const g = rng.int(groups.length);
      const entry = perGroup.get(g) ?? { train: 0, eval: 0 };
      entry[v < numTrain ? 'train' : 'eval'] += 1;
      perGroup.set(g, entry);
    }
    for (const [g, { train, eval: evalVotes }] of perGroup) {
      const stream = cyclingRows(groups[g], rng);
      for (let v = 0; v < train + evalVotes; v++) {
        for (let i = 0; i < batchSize; i++) batch[i] = stream();
        const d = zMaxVote(table.codes, batch, scale, active);
        const target = v < train ? votes.train : votes.eval;
        if (d >= 0) target.data[k * target.cols + d] += 1;
      }
    }
  });
}

/** Endless stream of `rows`, each pass over them in a fresh random order. */
function cyclingRows(rows: Int32Array, rng: Rng): () => number {
  const order = rows.slice(); // shuffled in place on every pass, as the reference's np.random.shuffle
  const m = order.length;
  let pos = m;
  return () => {
    if (pos === m) {
      for (let i = m - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      pos = 0;
    }
    return order[pos++];
  };
}

/**
 * One Z-max vote on a fixed table: {@link highestNormalizedVarianceDim} of the variance (ddof 1, two-pass) of
 * each code over the given rows of `codes` (repeats allowed), as the reference's `_generate_sample`.
 *
 * @example
 * const codes = { data: Float64Array.of(0, 0, 1, 0, 2, 1), rows: 3, cols: 2 };
 * zMaxVote(codes, [0, 1, 2], Float64Array.of(1, 1), Uint8Array.of(1, 1)); // 0
 */
export function zMaxVote(codes: Matrix, rows: ArrayLike<number>, scale: Float64Array, active: Uint8Array): number {
  const { cols, data } = codes;
  const n = rows.length;
  const mean = new Float64Array(cols);
  const variance = new Float64Array(cols);
  // row by row (the rows are scattered through the table), each code's mean, then its squared deviations
  for (let i = 0; i < n; i++) for (let d = 0, p = rows[i] * cols; d < cols; d++, p++) mean[d] += data[p];
  for (let d = 0; d < cols; d++) mean[d] /= n;
  for (let i = 0; i < n; i++) {
    for (let d = 0, p = rows[i] * cols; d < cols; d++, p++) {
      const x = data[p] - mean[d];
      variance[d] += x * x;
    }
  }
  for (let d = 0; d < cols; d++) variance[d] /= n - 1;
  return highestNormalizedVarianceDim(variance, scale, active);
}

/**
 * The active code whose in-batch variance is largest relative to its global variance `scale`: numpy's argmax
 * (first on ties) over the active codes, −1 when none is active. A code of zero global variance never wins
 * (its ratio would be NaN, which numpy's argmax would pick).
 *
 * @example
 * highestNormalizedVarianceDim(Float64Array.of(1, 0.5, 2), Float64Array.of(1, 1, 8), Uint8Array.of(1, 1, 1)); // 0
 */
export function highestNormalizedVarianceDim(variance: Float64Array, scale: Float64Array, active: Uint8Array): number {
  let best = -1;
  let bestRatio = -Infinity;
  for (let d = 0; d < variance.length; d++) {
    if (!active[d] || !(scale[d] > 0)) continue;
    const ratio = variance[d] / scale[d];
    if (ratio > bestRatio) [best, bestRatio] = [d, ratio];
  }
  return best;
}
