import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';
import { fitRandomForestRegressor, randomForestRegressor } from '../../../src/estimators/trees/randomForestRegressor.js';
import { forestImportances, nodeDepths } from '../../../src/estimators/trees/forestImportances.js';
import { forestOutputsByDepth } from '../../../src/estimators/trees/forestDepths.js';
import { fitRandomForest } from '../../../src/estimators/trees/randomForest.js';
import { expectError } from '../../helpers/errors.js';

function data(n: number, seed: number): { x: Matrix; y: Float64Array; labels: Int32Array } {
  const rng = createRng(seed);
  const x = new Float64Array(n * 3);
  const y = new Float64Array(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < 3; f++) x[i * 3 + f] = rng.normal();
    y[i] = 2 * x[i * 3] + Math.sin(3 * x[i * 3 + 1]) + 0.1 * rng.normal();
    labels[i] = x[i * 3] > 0.3 ? 2 : x[i * 3 + 1] > 0 ? 1 : 0;
  }
  return { x: { data: x, rows: n, cols: 3 }, y, labels };
}

describe('fitRandomForestRegressor', () => {
  const { x, y } = data(400, 1);
  it('fits a smooth target, ranks the informative features first and ignores the noise feature', () => {
    const forest = fitRandomForestRegressor(x, y, { numEstimators: 20, seed: 2 });
    const test = data(200, 3);
    const pred = forest.predict(test.x);
    const mean = test.y.reduce((a, b) => a + b, 0) / test.y.length;
    let res = 0;
    let tot = 0;
    test.y.forEach((v, i) => ((res += (v - pred[i]) ** 2), (tot += (v - mean) ** 2)));
    expect(1 - res / tot).toBeGreaterThan(0.85);
    const imp = forest.featureImportances;
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(imp[0]).toBeGreaterThan(imp[1]);
    expect(imp[1]).toBeGreaterThan(imp[2]);
  });
  it('a forest read at depth d equals the forest grown with maxDepth d (same seed) where no split ties', () => {
    // Deep nodes of a few rows are often cut identically by several features; which one wins is a random draw
    // (scikit-learn's rule), and the draws of the two fits part ways there. Large nodes never tie.
    const deep = fitRandomForestRegressor(x, y, { numEstimators: 8, maxDepth: 12, seed: 4 });
    const test = data(100, 5).x;
    const byDepth = forestOutputsByDepth(deep.trees, test, [1, 2, 3], false);
    const depths = deep.trees.map(nodeDepths);
    [1, 2, 3].forEach((d, k) => {
      const shallow = fitRandomForestRegressor(x, y, { numEstimators: 8, maxDepth: d, seed: 4 });
      const direct = shallow.predict(test);
      direct.forEach((v, i) => expect(byDepth[k][i]).toBeCloseTo(v, 12));
      const imp = forestImportances(deep.trees, 3, d, depths);
      shallow.featureImportances.forEach((v, f) => expect(imp[f]).toBeCloseTo(v, 12));
    });
  });
  it('the classification forest read by depth gives class frequencies summing to 1', () => {
    const { labels } = data(400, 1);
    const forest = fitRandomForest(x, labels, { numEstimators: 5, maxDepth: 6, seed: 1 });
    const [p2] = forestOutputsByDepth(forest.trees, x, [2], true);
    for (let i = 0; i < 400; i++) expect(p2[3 * i] + p2[3 * i + 1] + p2[3 * i + 2]).toBeCloseTo(1, 12);
  });
  it('checks its inputs and options; the estimator form is a regressor', () => {
    expectError(() => fitRandomForestRegressor(x, y.subarray(1)), 'SHAPE_MISMATCH', /^y/);
    expectError(() => fitRandomForestRegressor(x, y, { numTrees: 3 } as never), 'BAD_OPTION', /numTrees/);
    const est = randomForestRegressor({ numEstimators: 2 });
    expect(est.kind).toBe('regressor');
    expect(est.fit(x, y, createRng(0))).toHaveProperty('featureImportances');
  });
});
