/**
 * The measures of a factor traversal in code space behind disent's flatness metric (Michlo et al.,
 * nmichlo/disent `disent/metrics/_flatness.py`): how wide the encoded traversal is (the largest distance between
 * any two of its codes) and how long the path through it is (the cyclic steps between neighbours, the largest
 * step left out), each under the L1 and the L2 norm. Pure numbers: no sampling, no model.
 */

/** One traversal's measures under the two p-norms disent uses. */
export interface TraversalMeasures {
  /** Largest L1 distance between two codes of the traversal. */
  widthL1: number;
  /** Largest L2 distance between two codes of the traversal. */
  widthL2: number;
  /** Sum of the L1 steps z[i] → z[i+1] around the cycle (z[S−1] → z[0] included), the largest step left out. */
  lengthL1: number;
  /** The same path length under L2. */
  lengthL2: number;
}

/**
 * Measures one encoded traversal: `size` codes of width `dims`, row-major in `codes` from `offset`. The width is
 * the largest pairwise distance (disent's `knn(…, largest=True).values.max()`, every pair, not just the
 * endpoints). The length walks the cycle z[0] → z[1] → … → z[S−1] → z[0] and drops the single largest of the S
 * steps (disent keeps the S − 1 smallest with `topk`), which is the wrap-around step when the codes move
 * monotonically; for S = 2 both steps are equal and one is kept. A constant traversal measures 0 and 0.
 *
 * @example
 * // three codes on a line: width 2, path 1 + 1 (the wrap-around step of 2 is dropped)
 * measureTraversal(Float64Array.of(0, 0, 1, 0, 2, 0), 0, 3, 2); // { widthL1: 2, widthL2: 2, lengthL1: 2, lengthL2: 2 }
 */
export function measureTraversal(codes: ArrayLike<number>, offset: number, size: number, dims: number): TraversalMeasures {
  let widthL1 = 0;
  let widthL2sq = 0;
  for (let i = 0; i < size; i++) {
    const a = offset + i * dims;
    for (let j = i + 1; j < size; j++) {
      const b = offset + j * dims;
      let l1 = 0;
      let l2 = 0;
      for (let d = 0; d < dims; d++) {
        const diff = codes[a + d] - codes[b + d];
        l1 += Math.abs(diff);
        l2 += diff * diff;
      }
      if (l1 > widthL1) widthL1 = l1;
      if (l2 > widthL2sq) widthL2sq = l2;
    }
  }
  const steps1 = new Float64Array(size);
  const steps2 = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const a = offset + i * dims;
    const b = offset + ((i + 1) % size) * dims;
    let l1 = 0;
    let l2 = 0;
    for (let d = 0; d < dims; d++) {
      const diff = codes[b + d] - codes[a + d];
      l1 += Math.abs(diff);
      l2 += diff * diff;
    }
    steps1[i] = l1;
    steps2[i] = Math.sqrt(l2);
  }
  // sqrt is monotonic: the largest squared distance is the square of the largest distance
  return { widthL1, widthL2: Math.sqrt(widthL2sq), lengthL1: sumWithoutLargest(steps1), lengthL2: sumWithoutLargest(steps2) };
}

/** Sum of all values but one largest: the S − 1 smallest, summed directly (no cancellation from sum − max). */
function sumWithoutLargest(values: Float64Array): number {
  if (values.length < 2) return 0;
  let largest = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[largest]) largest = i;
  let sum = 0;
  for (let i = 0; i < values.length; i++) if (i !== largest) sum += values[i];
  return sum;
}

/**
 * Running means of the measures of one factor's traversals (disent's `aggregate_measure_distances_along_factor`
 * plus the length step of `aggregate_measure_distances_along_all_factors`): the width is the mean over repeats;
 * the length is (S − 1) × the mean kept step, which equals the mean path length.
 */
export class TraversalMeansAccumulator {
  private count = 0;
  private readonly sums = { widthL1: 0, widthL2: 0, lengthL1: 0, lengthL2: 0 };

  constructor(readonly size: number) {}

  /** Adds one traversal's measures. */
  add(m: TraversalMeasures): void {
    this.count += 1;
    this.sums.widthL1 += m.widthL1;
    this.sums.widthL2 += m.widthL2;
    this.sums.lengthL1 += m.lengthL1;
    this.sums.lengthL2 += m.lengthL2;
  }

  /** The means over the traversals added so far (all 0 before any, as disent's size-1 factors). */
  means(): TraversalMeasures {
    if (this.count === 0) return { widthL1: 0, widthL2: 0, lengthL1: 0, lengthL2: 0 };
    const n = this.count;
    const steps = this.size - 1;
    // disent averages the kept steps over repeats × (S − 1) and multiplies back by S − 1
    const length = (sum: number): number => steps * (sum / (n * steps));
    return { widthL1: this.sums.widthL1 / n, widthL2: this.sums.widthL2 / n, lengthL1: length(this.sums.lengthL1), lengthL2: length(this.sums.lengthL2) };
  }
}

/** The averages disent's `metric_flatness` reports, over the factors of size ≥ 2. */
export interface FlatnessAverages {
  /** disent's main number `flatness.ave_flatness`: mean of width (L2) / length (L1). */
  aveFlatness: number;
  /** `flatness.ave_flatness_l1`: mean of width (L1) / length (L1). */
  aveFlatnessL1: number;
  /** `flatness.ave_flatness_l2`: mean of width (L2) / length (L2). */
  aveFlatnessL2: number;
  aveWidthL1: number;
  aveWidthL2: number;
  aveLengthL1: number;
  aveLengthL2: number;
}

/** Per-factor ratio width / length as disent's `compute_flatness` takes it: a zero length (constant codes) gives 0. */
export function flatnessRatio(width: number, length: number): number {
  return length === 0 ? 0 : width / length;
}

/**
 * disent's `compute_flatness` and the means of `metric_flatness`, from each factor's mean measures: factors of
 * size 1 are left out (disent's `filter_inactive_factors`), a factor whose codes never moved (length 0) scores 0.
 * Needs at least one factor of size ≥ 2 (disent's mean over none is NaN; the caller refuses that input).
 *
 * @example
 * flatnessAverages([3, 1], [{ widthL1: 2, widthL2: 2, lengthL1: 2, lengthL2: 2 }, { widthL1: 0, widthL2: 0, lengthL1: 0, lengthL2: 0 }]).aveFlatness; // 1
 */
export function flatnessAverages(factorSizes: readonly number[], means: readonly TraversalMeasures[]): FlatnessAverages {
  const active = means.filter((_, k) => factorSizes[k] > 1);
  const mean = (f: (m: TraversalMeasures) => number): number => active.reduce((s, m) => s + f(m), 0) / active.length;
  return {
    aveFlatness: mean((m) => flatnessRatio(m.widthL2, m.lengthL1)),
    aveFlatnessL1: mean((m) => flatnessRatio(m.widthL1, m.lengthL1)),
    aveFlatnessL2: mean((m) => flatnessRatio(m.widthL2, m.lengthL2)),
    aveWidthL1: mean((m) => m.widthL1),
    aveWidthL2: mean((m) => m.widthL2),
    aveLengthL1: mean((m) => m.lengthL1),
    aveLengthL2: mean((m) => m.lengthL2),
  };
}
