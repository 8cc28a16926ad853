import type { IntMatrix } from '../core/matrix.js';

/**
 * The FactorVAE metric's classifier (Kim & Mnih 2018): each code dim predicts the factor that most often
 * made it the lowest-variance dim. `votes` is K×D as in disentanglement_lib (row k = factor held fixed,
 * column d = winning code dim). Ties go to the first factor, as numpy's `argmax` does.
 *
 * @example
 * majorityVoteMapping(intMatrix(2, 2, Int32Array.of(3, 0, 1, 5))); // Int32Array [0, 1]
 */
export function majorityVoteMapping(votes: IntMatrix): Int32Array {
  const { rows: numFactors, cols: numDims, data } = votes;
  const mapping = new Int32Array(numDims);
  for (let d = 0; d < numDims; d++) {
    let best = 0;
    for (let k = 1; k < numFactors; k++) if (data[k * numDims + d] > data[best * numDims + d]) best = k;
    mapping[d] = best;
  }
  return mapping;
}

/**
 * Share of the votes that `mapping` classifies correctly: Σ_d votes[mapping[d]][d] / Σ votes.
 * Returns 0 when there are no votes (disentanglement_lib's "no active dims" result).
 *
 * @example
 * const votes = intMatrix(2, 2, Int32Array.of(3, 0, 1, 5));
 * majorityVoteAccuracy(votes, majorityVoteMapping(votes)); // 8 / 9
 */
export function majorityVoteAccuracy(votes: IntMatrix, mapping: Int32Array): number {
  const { cols: numDims, data } = votes;
  const total = sumOf(data);
  if (total === 0) return 0;
  let correct = 0;
  for (let d = 0; d < numDims; d++) correct += data[mapping[d] * numDims + d];
  return correct / total;
}

/**
 * InfoGAN-CR's `factorVAE_metric_revised`: only the `k` code dims with the largest vote maxima get credit,
 * so extra code dims cannot each claim a factor. Equals the plain majority-vote accuracy when D ≤ k.
 * Returns 0 when there are no votes.
 *
 * @example
 * majorityVoteTopAccuracy(intMatrix(1, 3, Int32Array.of(4, 2, 1)), 2); // (4 + 2) / 7
 */
export function majorityVoteTopAccuracy(votes: IntMatrix, k: number): number {
  const total = sumOf(votes.data);
  if (total === 0) return 0;
  const mapping = majorityVoteMapping(votes);
  const maxima = Array.from(mapping, (f, d) => votes.data[f * votes.cols + d]).sort((a, b) => b - a);
  let credited = 0;
  for (let i = 0; i < Math.min(k, maxima.length); i++) credited += maxima[i];
  return credited / total;
}

/**
 * The dim whose within-group variance is smallest relative to its global scale: argmin_d variance[d] / scale[d]
 * over the dims flagged in `active` (all dims when omitted), first index on ties. −1 when no dim is active.
 *
 * Without `nanFirst`, NaN ratios never win (disentanglement_lib prunes zero-scale dims before this step).
 * With `nanFirst`, the first NaN ratio wins, as numpy's `argmin` does in InfoGAN-CR, where the codes are
 * divided by a zero std: a zero `scale` therefore counts as NaN too.
 *
 * @example
 * lowestNormalizedVarianceDim(Float64Array.of(1, 0.5, 2), Float64Array.of(1, 1, 8)); // 2 (0.25 is lowest)
 */
export function lowestNormalizedVarianceDim(
  variance: Float64Array,
  scale: Float64Array,
  active?: Uint8Array,
  nanFirst = false,
): number {
  let best = -1;
  let bestRatio = Infinity;
  for (let d = 0; d < variance.length; d++) {
    if (active !== undefined && !active[d]) continue;
    const ratio = nanFirst && scale[d] === 0 ? NaN : variance[d] / scale[d];
    if (Number.isNaN(ratio)) {
      if (nanFirst) return d;
      continue;
    }
    if (best === -1 || ratio < bestRatio) {
      best = d;
      bestRatio = ratio;
    }
  }
  return best;
}

/**
 * Casts one FactorVAE vote into `votes` (K×D, row = factor held fixed): the dim whose variance inside the
 * fixed-factor batch is lowest relative to its global scale ({@link lowestNormalizedVarianceDim}, same `active`
 * and `nanFirst` rules) gets the vote of factor `k`. Returns the winning dim; −1 (no dim eligible) casts nothing.
 * The FactorVAE metric and ModelCentrality's pairwise score both vote through here.
 *
 * @example
 * const votes = intMatrix(2, 3);
 * castLowestVarianceVote(votes, 1, Float64Array.of(1, 0.5, 2), Float64Array.of(1, 1, 8)); // 2; votes row 1 = [0, 0, 1]
 */
export function castLowestVarianceVote(
  votes: IntMatrix,
  k: number,
  variance: Float64Array,
  scale: Float64Array,
  active?: Uint8Array,
  nanFirst = false,
): number {
  const d = lowestNormalizedVarianceDim(variance, scale, active, nanFirst);
  if (d >= 0) votes.data[k * votes.cols + d] += 1;
  return d;
}

/** The majority-vote classifier of a K×D vote table and its two accuracies on those votes. */
export interface MajorityVoteScores {
  /** The factor each code dim predicts ({@link majorityVoteMapping}). */
  mapping: Int32Array;
  /** {@link majorityVoteAccuracy} of the votes under their own mapping (Kim & Mnih's score on these votes). */
  accuracy: number;
  /** InfoGAN-CR's revised score: {@link majorityVoteTopAccuracy} with k = K. */
  topAccuracy: number;
}

/**
 * Scores a FactorVAE vote table on itself: the majority-vote mapping, its accuracy, and InfoGAN-CR's revised
 * accuracy where only the K best dims get credit. 0 for both accuracies when there are no votes.
 *
 * @example
 * scoreMajorityVotes(intMatrix(2, 2, Int32Array.of(3, 0, 1, 5))); // { mapping: [0, 1], accuracy: 8 / 9, topAccuracy: 8 / 9 }
 */
export function scoreMajorityVotes(votes: IntMatrix): MajorityVoteScores {
  const mapping = majorityVoteMapping(votes);
  return { mapping, accuracy: majorityVoteAccuracy(votes, mapping), topAccuracy: majorityVoteTopAccuracy(votes, votes.rows) };
}

function sumOf(values: Int32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
