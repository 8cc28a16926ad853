/**
 * Impurity importances of a forest, as scikit-learn's `feature_importances_`, for the classification and
 * regression forests alike; also of the same forest cut at a depth (DCI-ES reads one forest at every depth).
 */
import type { Tree } from './decisionTree.js';
import { treeImportances } from './decisionTree.js';

/**
 * scikit-learn's forest `feature_importances_`: each tree's impurity decreases normalized to sum 1, averaged over
 * the trees that split, renormalized (all zeros when no tree splits). `maxDepth` counts only splits at depth
 * < maxDepth, which gives the importances of the same forest cut at that depth.
 */
export function forestImportances(trees: readonly Tree[], numFeatures: number, maxDepth = Infinity, depths?: readonly Int32Array[]): Float64Array {
  const sum = new Float64Array(numFeatures);
  const one = new Float64Array(numFeatures);
  let splitTrees = 0;
  trees.forEach((tree, t) => {
    if (tree.nodeCount <= 1) return;
    one.fill(0);
    if (maxDepth === Infinity) treeImportances(tree, numFeatures, one);
    else truncatedImportances(tree, numFeatures, maxDepth, depths?.[t] ?? nodeDepths(tree), one);
    const total = one.reduce((a, b) => a + b, 0);
    if (total > 0) for (let f = 0; f < numFeatures; f++) sum[f] += one[f] / total;
    splitTrees++;
  });
  const out = new Float64Array(numFeatures);
  if (splitTrees === 0) return out;
  let total = 0;
  for (let f = 0; f < numFeatures; f++) total += (out[f] = sum[f] / splitTrees);
  if (total > 0) for (let f = 0; f < numFeatures; f++) out[f] /= total;
  return out;
}

/** Depth of every node (root 0); children always have larger ids than their parent. */
export function nodeDepths(tree: Tree): Int32Array {
  const depth = new Int32Array(tree.nodeCount);
  for (let node = 0; node < tree.nodeCount; node++) {
    if (tree.left[node] < 0) continue;
    depth[tree.left[node]] = depth[node] + 1;
    depth[tree.right[node]] = depth[node] + 1;
  }
  return depth;
}

function truncatedImportances(tree: Tree, numFeatures: number, maxDepth: number, depth: Int32Array, out: Float64Array): void {
  const { left, right, feature, impurity, weightedSamples } = tree;
  for (let node = 0; node < tree.nodeCount; node++) {
    const l = left[node];
    if (l < 0 || depth[node] >= maxDepth) continue;
    const r = right[node];
    out[feature[node]] += weightedSamples[node] * impurity[node] - weightedSamples[l] * impurity[l] - weightedSamples[r] * impurity[r];
  }
  for (let f = 0; f < numFeatures; f++) out[f] /= weightedSamples[0];
}
