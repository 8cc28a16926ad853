/**
 * The "gap" reduction of MIG (Chen et al. 2018) and SAP (Kumar et al. 2018): per factor, how far the best code
 * is ahead of the runner-up in a D×K table of code-factor scores.
 */

/**
 * The largest minus the second-largest entry of column `j` of a rows×cols row-major block. Ties give 0, as
 * disentanglement_lib's `np.sort(…)[-1] − np.sort(…)[-2]` does; a column needs at least 2 rows.
 *
 * @example
 * topTwoGap(Float64Array.of(0.1, 0.7, 0.3), 3, 1, 0); // 0.4
 */
export function topTwoGap(block: ArrayLike<number>, rows: number, cols: number, j: number): number {
  let first = -Infinity;
  let second = -Infinity;
  for (let i = 0; i < rows; i++) {
    const v = block[i * cols + j];
    if (v > first) {
      second = first;
      first = v;
    } else if (v > second) {
      second = v;
    }
  }
  return first - second;
}
