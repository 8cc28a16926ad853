/**
 * The "gap" reduction of MIG (Chen et al. 2018) and SAP (Kumar et al. 2018): per factor, how far the best code
 * is ahead of the runner-up in a D×K table of code-factor scores; the same scan over a row serves the per-code
 * gaps of MIG-sup, DCIMIG and JEMMIG.
 */

/** The two largest values of a strided run and where the largest is. */
export interface TopTwo {
  first: number;
  second: number;
  /** Position (0-based, within the run) of `first`: the first of tied maxima, or the last with `ties: 'last'`. */
  index: number;
}

/**
 * The largest and second-largest of `count` values `values[start + t·stride]`: a row of a row-major block
 * (`stride` 1) or a column (`stride` = its width). Tied maxima give `second === first`; which of them is
 * `index` follows `ties` (numpy's `argmax` takes the first).
 *
 * @example
 * topTwo(Float64Array.of(0.1, 0.7, 0.3), 0, 3, 1); // { first: 0.7, second: 0.3, index: 1 }
 */
export function topTwo(values: ArrayLike<number>, start: number, count: number, stride: number, ties: 'first' | 'last' = 'first'): TopTwo {
  let first = -Infinity;
  let second = -Infinity;
  let index = 0;
  for (let t = 0, p = start; t < count; t++, p += stride) {
    const v = values[p];
    if (v > first || (ties === 'last' && v === first)) {
      second = first;
      first = v;
      index = t;
    } else if (v > second) {
      second = v;
    }
  }
  return { first, second, index };
}

/**
 * The largest minus the second-largest entry of column `j` of a rows×cols row-major block. Ties give 0, as
 * disentanglement_lib's `np.sort(…)[-1] − np.sort(…)[-2]` does; a column needs at least 2 rows.
 *
 * @example
 * topTwoGap(Float64Array.of(0.1, 0.7, 0.3), 3, 1, 0); // 0.4
 */
export function topTwoGap(block: ArrayLike<number>, rows: number, cols: number, j: number): number {
  const { first, second } = topTwo(block, j, rows, cols);
  return first - second;
}
