import { describe, expect, it } from 'vitest';
// @ts-expect-error ml-logistic-regression ships no type declarations; the adapter types what it uses.
import LogisticRegression from 'ml-logistic-regression';
import { mlLogisticRegressionClassifier, type MlLogisticRegressionConstructor } from '../../../src/estimators/linear/mlLogisticAdapter.js';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';

const Ctor = LogisticRegression as unknown as MlLogisticRegressionConstructor;

describe('mlLogisticRegressionClassifier', () => {
  it('fits a separable 3-class problem with arbitrary labels and returns normalized probabilities', async () => {
    const rng = createRng(3);
    const centers = [[-3, 0], [3, 0], [0, 4]];
    const labels = [5, 9, 11];
    const n = 90;
    const x = new Float64Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      y[i] = labels[c];
      x[2 * i] = centers[c][0] + 0.5 * rng.normal();
      x[2 * i + 1] = centers[c][1] + 0.5 * rng.normal();
    }
    const m = { data: x, rows: n, cols: 2 };
    const clf = await mlLogisticRegressionClassifier(Ctor, { numSteps: 500, learningRate: 5e-3 }).fit(m, y, createRng(0));
    expect(Array.from(clf.classes)).toEqual(labels);
    const pred = clf.predict(m);
    const acc = pred.filter((p, i) => p === y[i]).length / n;
    expect(acc).toBeGreaterThan(0.95);
    const p = clf.predictProba!(m);
    for (let i = 0; i < n; i++) expect(p.data[3 * i] + p.data[3 * i + 1] + p.data[3 * i + 2]).toBeCloseTo(1, 12);
  });
  it('rejects a missing constructor and a single class', () => {
    expect(() => mlLogisticRegressionClassifier(undefined as unknown as MlLogisticRegressionConstructor)).toThrow(DisentangleError);
    const est = mlLogisticRegressionClassifier(Ctor, { numSteps: 5 });
    expect(() => est.fit({ data: Float64Array.from([1, 2]), rows: 2, cols: 1 }, Int32Array.from([4, 4]), createRng(0))).toThrow(DisentangleError);
  });
});
