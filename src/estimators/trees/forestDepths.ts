/**
 * A forest read at several depths at once. A tree grown with `max_depth = d` makes the same splits above depth d
 * as the same tree grown deeper (the greedy split of a node does not depend on the depth limit; given the same
 * bootstrap and feature draws the trees agree node for node), and its leaves at depth d hold the same samples,
 * hence the same values. So one forest grown to the largest depth answers for every smaller one: a row's
 * prediction at depth d is the value of the node where its path stops at depth d (or its leaf, if shallower).
 */
import type { Matrix } from '../../core/matrix.js';
import { toFloat32Values, type Tree } from './decisionTree.js';

/**
 * Per requested depth, the forest's output for every row of `x`: the mean over trees of the node values where
 * each row's path is cut (regression: `valueWidth` 1, the leaf mean; classification: class frequencies, each
 * node's counts normalized to sum 1 as scikit-learn's `predict_proba` does). Returns one rows×valueWidth block per
 * depth, in the order of `depths`.
 *
 * @example
 * const [atDepth1, atDepth4] = forestOutputsByDepth(forest.trees, x, [1, 4], false);
 */
export function forestOutputsByDepth(trees: readonly Tree[], x: Matrix, depths: readonly number[], normalize: boolean): Float64Array[] {
  const width = trees.length > 0 ? trees[0].valueWidth : 1;
  const outs = depths.map(() => new Float64Array(x.rows * width));
  const xf = toFloat32Values(x);
  const sortedDepths = depths.map((d, k) => ({ d, k })).sort((a, b) => a.d - b.d);
  const { cols } = x;
  for (const tree of trees) {
    const { left, right, feature, threshold, value } = tree;
    for (let i = 0; i < x.rows; i++) {
      let node = 0;
      let depth = 0;
      const off = i * cols;
      for (const { d, k } of sortedDepths) {
        while (depth < d && left[node] >= 0) {
          node = xf[off + feature[node]] <= threshold[node] ? left[node] : right[node];
          depth++;
        }
        const out = outs[k];
        const base = node * width;
        if (normalize) {
          let total = 0;
          for (let c = 0; c < width; c++) total += value[base + c];
          const norm = total === 0 ? 1 : total;
          for (let c = 0; c < width; c++) out[i * width + c] += value[base + c] / norm;
        } else {
          for (let c = 0; c < width; c++) out[i * width + c] += value[base + c];
        }
      }
    }
  }
  for (const out of outs) for (let k = 0; k < out.length; k++) out[k] /= Math.max(1, trees.length);
  return outs;
}
