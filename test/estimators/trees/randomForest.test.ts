import { describe, expect, it } from 'vitest';
import { fitRandomForest, randomForestClassifier } from '../../../src/estimators/trees/randomForest.js';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';

function blobs(n: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    data[i * 4] = 3 * y[i] + 0.3 * rng.normal(); // informative
    for (let d = 1; d < 4; d++) data[i * 4 + d] = rng.normal(); // noise
  }
  return { x: { data, rows: n, cols: 4 }, y };
}

describe('fitRandomForest', () => {
  it('classifies separable blobs, gives probabilities that sum to 1 and importances that favour the informative feature', () => {
    const { x, y } = blobs(150, 1);
    const forest = fitRandomForest(x, y, { numEstimators: 30, seed: 2 });
    const test = blobs(60, 3);
    const predicted = forest.predict(test.x);
    const accuracy = predicted.reduce((a, p, i) => a + +(p === test.y[i]), 0) / test.y.length;
    expect(accuracy).toBeGreaterThan(0.95);
    const p = forest.predictProba(test.x);
    for (let i = 0; i < p.rows; i++) expect(p.data[3 * i] + p.data[3 * i + 1] + p.data[3 * i + 2]).toBeCloseTo(1, 12);
    const imp = Array.from(forest.featureImportances);
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(imp[0]).toBeGreaterThan(Math.max(imp[1], imp[2], imp[3]));
  });

  it('is reproducible from the seed and differs between seeds', () => {
    const { x, y } = blobs(80, 4);
    const a = fitRandomForest(x, y, { numEstimators: 5, seed: 9 });
    const b = fitRandomForest(x, y, { numEstimators: 5, seed: 9 });
    const c = fitRandomForest(x, y, { numEstimators: 5, seed: 10 });
    expect(Array.from(a.featureImportances)).toEqual(Array.from(b.featureImportances));
    expect(Array.from(a.featureImportances)).not.toEqual(Array.from(c.featureImportances));
  });

  it('with all features, no bootstrap and one tree fits the training set exactly (pure leaves)', () => {
    const { x, y } = blobs(60, 5);
    const forest = fitRandomForest(x, y, { numEstimators: 1, bootstrap: false, maxFeatures: 'all' });
    expect(Array.from(forest.predict(x))).toEqual(Array.from(y));
  });

  it('gives zero importances when no tree can split (constant features)', () => {
    const x = { data: new Float64Array(20).fill(1), rows: 10, cols: 2 };
    const forest = fitRandomForest(x, Int32Array.from({ length: 10 }, (_, i) => i % 2), { numEstimators: 3 });
    expect(Array.from(forest.featureImportances)).toEqual([0, 0]);
  });

  it('rejects bad options and labels', async () => {
    const { x, y } = blobs(30, 6);
    expect(() => fitRandomForest(x, y, { maxFeatures: 9 })).toThrow(DisentangleError);
    expect(() => fitRandomForest(x, y.subarray(1))).toThrow(DisentangleError);
    expect(() => fitRandomForest(x, y, { numEstimators: 0 })).toThrow(DisentangleError);
    const options = { numEstimators: 3, maxDepth: 1, maxFeatures: 'all' as const, minSamplesLeaf: 3, bootstrap: false };
    const est = randomForestClassifier(options);
    expect(est.name).toBe('random-forest');
    const fitted = (await est.fit(x, y, createRng(1))) as ReturnType<typeof fitRandomForest>;
    expect(fitted.featureImportances?.length).toBe(4);
    // every option and the stream the caller passes reach fitRandomForest
    const direct = fitRandomForest(x, y, { ...options, rng: createRng(1) });
    expect(fitted.trees.length).toBe(3);
    expect(fitted.trees).toEqual(direct.trees);
    expect(Array.from(fitted.predictProba(x).data)).toEqual(Array.from(direct.predictProba(x).data));
    const depth = (t: (typeof direct.trees)[number], node = 0): number => (t.left[node] === -1 ? 0 : 1 + Math.max(depth(t, t.left[node]), depth(t, t.right[node])));
    for (const t of fitted.trees) expect(depth(t)).toBe(1);
    const unlimited = fitRandomForest(x, y, { ...options, maxDepth: undefined, minSamplesLeaf: undefined, rng: createRng(1) });
    expect(Math.max(...unlimited.trees.map((t) => depth(t)))).toBeGreaterThan(1);
    // bootstrap draws come from the stream: another stream, another forest
    const boot = { numEstimators: 3 };
    const a = (await randomForestClassifier(boot).fit(x, y, createRng(1))) as ReturnType<typeof fitRandomForest>;
    const b = (await randomForestClassifier(boot).fit(x, y, createRng(2))) as ReturnType<typeof fitRandomForest>;
    expect(a.trees).toEqual(fitRandomForest(x, y, { ...boot, rng: createRng(1) }).trees);
    expect(Array.from(a.featureImportances)).not.toEqual(Array.from(b.featureImportances));
    expect(() => randomForestClassifier({ numTrees: 3 } as never)).toThrow(/numEstimators/);
  });
});
