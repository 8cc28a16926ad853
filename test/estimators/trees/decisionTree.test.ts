import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyTree, presort, toFloat32Values, TreeBuilder, treeImportances } from '../../../src/estimators/trees/decisionTree.js';
import { FriedmanMse, Gini } from '../../../src/estimators/trees/splitCriteria.js';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';

const mat = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });
const growth = (maxDepth: number, maxFeatures = 100) => ({ maxDepth, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures });

/** Brute force: the best (feature, first position) split of all rows by scikit-learn's friedman proxy. */
function bruteForceRootSplit(x: number[][], y: number[]): { feature: number; threshold: number } {
  let best = { proxy: -Infinity, feature: -1, threshold: 0 };
  for (let f = 0; f < x[0].length; f++) {
    const vals = [...new Set(x.map((r) => Math.fround(r[f])))].sort((a, b) => a - b);
    for (let k = 0; k + 1 < vals.length; k++) {
      const t = vals[k] / 2 + vals[k + 1] / 2;
      const l = y.filter((_, i) => Math.fround(x[i][f]) <= vals[k]);
      const r = y.filter((_, i) => Math.fround(x[i][f]) > vals[k]);
      const sl = l.reduce((a, b) => a + b, 0);
      const sr = r.reduce((a, b) => a + b, 0);
      const diff = r.length * sl - l.length * sr;
      const proxy = (diff * diff) / (l.length * r.length);
      if (proxy > best.proxy * (1 + 1e-9) + 1e-12) best = { proxy, feature: f, threshold: t };
    }
  }
  return best;
}

describe('presort', () => {
  it('rounds to float32 and sorts each column with ties by row index', () => {
    const p = presort(mat([[0.1, 3], [0.05, 1], [0.1, 2]]));
    expect(Array.from(p.order)).toEqual([1, 0, 2, 1, 2, 0]);
    expect(p.sortedValues[0]).toBe(Math.fround(0.05));
    expect(p.columns[0]).toBe(Math.fround(0.1));
  });
});

describe('TreeBuilder with friedman_mse', () => {
  it('finds the brute-force best root split on random data (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 5, max: 40 }), fc.integer({ min: 1, max: 4 }), (seed, n, d) => {
        const rng = createRng(seed);
        const x = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
        const y = Array.from({ length: n }, () => rng.normal());
        const builder = new TreeBuilder(presort(mat(x)));
        const tree = builder.grow(new FriedmanMse(Float64Array.from(y)), growth(1));
        const expected = bruteForceRootSplit(x, y);
        expect(tree.feature[0]).toBe(expected.feature);
        expect(tree.threshold[0]).toBe(expected.threshold);
      }),
      { numRuns: 60 },
    );
  });

  it('grows depth-first with left subtrees numbered first and routes every row to the leaf apply() finds', () => {
    const rng = createRng(5);
    const x = Array.from({ length: 50 }, () => [rng.normal(), rng.normal()]);
    const y = Float64Array.from(x, (r) => (r[0] > 0 ? 1 : 0) + 0.5 * (r[1] > 0.3 ? 1 : 0) + 0.01 * rng.normal());
    const builder = new TreeBuilder(presort(mat(x)));
    const tree = builder.grow(new FriedmanMse(y), growth(3));
    expect(tree.left[0]).toBe(1);
    for (let node = 0; node < tree.nodeCount; node++) if (tree.left[node] >= 0) expect(tree.left[node]).toBe(node + 1);
    const xf = toFloat32Values(mat(x));
    for (let i = 0; i < x.length; i++) expect(builder.leafOf[i]).toBe(applyTree(tree, xf, 2 * i));
    // Leaf means are the node values; the root holds all rows.
    expect(tree.weightedSamples[0]).toBe(50);
  });

  it('computes importances as weighted impurity decrease over the root weight', () => {
    // One split on feature 1 of y = [0, 0, 1, 1]: root variance 1/4, children 0 → importance 1/4 on feature 1.
    const builder = new TreeBuilder(presort(mat([[5, 0], [1, 1], [4, 2], [2, 3]])));
    const tree = builder.grow(new FriedmanMse(Float64Array.of(0, 0, 1, 1)), growth(3));
    expect(tree.nodeCount).toBe(3);
    expect(tree.feature[0]).toBe(1);
    expect(tree.threshold[0]).toBe(1.5);
    expect(Array.from(treeImportances(tree, 2))).toEqual([0, 0.25]);
  });

  it('keeps a node of equal targets as a leaf and skips constant features', () => {
    const builder = new TreeBuilder(presort(mat([[1, 1], [1, 2], [1, 3]])));
    expect(builder.grow(new FriedmanMse(Float64Array.of(2, 2, 2)), growth(3)).nodeCount).toBe(1);
    const tree = builder.grow(new FriedmanMse(Float64Array.of(0, 1, 1)), growth(3));
    expect(tree.feature[0]).toBe(1);
  });
});

describe('TreeBuilder with gini', () => {
  it('separates three classes exactly and leaves only pure leaves without a depth limit', () => {
    const x = mat([[0], [1], [2], [3], [4], [5]]);
    const labels = Int32Array.of(0, 0, 1, 1, 2, 2);
    const builder = new TreeBuilder(presort(x));
    const tree = builder.grow(new Gini(labels, new Float64Array(6).fill(1), 3), growth(Infinity));
    expect(tree.nodeCount).toBe(5);
    for (let node = 0; node < tree.nodeCount; node++) {
      if (tree.left[node] >= 0) continue;
      const counts = Array.from(tree.value.subarray(3 * node, 3 * node + 3));
      expect(counts.filter((c) => c > 0).length).toBe(1);
    }
    expect(tree.impurity[0]).toBeCloseTo(2 / 3, 15);
  });

  it('leaves out rows with zero weight (bootstrap) and counts repeated rows by weight', () => {
    const x = mat([[0], [1], [2], [3]]);
    const builder = new TreeBuilder(presort(x));
    const weights = Float64Array.of(2, 0, 1, 0);
    const tree = builder.grow(new Gini(Int32Array.of(0, 1, 1, 0), weights, 2), growth(Infinity), createRng(0), weights);
    expect(tree.weightedSamples[0]).toBe(3);
    expect(tree.threshold[0]).toBe(1);
  });
});

