import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fitGradientBoosting } from '../../../src/estimators/trees/gradientBoosting.js';
import { gradientBoostingClassifier } from '../../../src/estimators/trees/gradientBoostingClassifier.js';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';

interface GbtCase {
  name: string;
  xTrain: number[][];
  yTrain: number[];
  xTest: number[][];
  yTest: number[];
  classes: number[];
  trainAccuracy: number;
  tiedSplitsMoved: number;
  raw: SklearnOutputs;
  lowestIndexTies: SklearnOutputs;
}

interface SklearnOutputs {
  featureImportances: number[];
  probaTrain: number[][];
  probaTest: number[][];
  predictTrain: number[];
  predictTest: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/gbt_cases.json', import.meta.url), 'utf8')) as { cases: GbtCase[] };
const mat = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

/** x with a copy of its first feature in front: every split on that feature ties with the same split on its copy. */
function withTwinFeature(x: Matrix): Matrix {
  const d = x.cols + 1;
  const data = new Float64Array(x.rows * d);
  for (let i = 0; i < x.rows; i++) {
    data[i * d] = x.data[i * x.cols];
    data.set(x.data.subarray(i * x.cols, (i + 1) * x.cols), i * d + 1);
  }
  return { data, rows: x.rows, cols: d };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = abs + rel * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`entry ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}

describe('fitGradientBoosting reproduces scikit-learn GradientBoostingClassifier()', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: training outputs (independent of split ties), random tie-break`, () => {
      const model = fitGradientBoosting(mat(c.xTrain), Int32Array.from(c.yTrain), { seed: 3 });
      expect(Array.from(model.classes)).toEqual(c.classes);
      expectClose(model.predictProba(mat(c.xTrain)).data, c.raw.probaTrain.flat(), 1e-9, 1e-12);
      expect(Array.from(model.predict(mat(c.xTrain)))).toEqual(c.raw.predictTrain);
    });
    it(`${c.name}: importances and test outputs with ties sent to the lowest feature index`, () => {
      const model = fitGradientBoosting(mat(c.xTrain), Int32Array.from(c.yTrain), { tieBreak: 'lowest-index' });
      const ref = c.lowestIndexTies;
      expectClose(model.featureImportances, ref.featureImportances, 1e-9, 1e-12);
      expectClose(model.predictProba(mat(c.xTest)).data, ref.probaTest.flat(), 1e-9, 1e-12);
      expect(Array.from(model.predict(mat(c.xTest)))).toEqual(ref.predictTest);
    });
  }
});

describe('fitGradientBoosting on hand-checkable cases', () => {
  it('puts one perfect split at the midpoint and gives it all the importance', () => {
    // Feature 0 separates the classes between 2 and 4; feature 1 is noise that does not.
    const x = mat([[0, 5], [1, 1], [2, 3], [4, 2], [5, 4], [6, 0]]);
    const y = Int32Array.from([0, 0, 0, 1, 1, 1]);
    const model = fitGradientBoosting(x, y);
    const first = model.stages[0][0];
    expect(first.feature[0]).toBe(0);
    expect(first.threshold[0]).toBe(3);
    expect(Array.from(model.featureImportances)).toEqual([1, 0]);
    expect(Array.from(model.predict(x))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(model.predict(mat([[2.9, 0], [3.1, 0]])))).toEqual([0, 1]);
  });

  it('starts from the prior log-odds and takes the Newton step in the first tree', () => {
    // 1 of 4 positive: prior p = 1/4, raw = ln(1/3); a leaf holding only the positive gets Σr/Σp(1−p) = (3/4)/(3/16) = 4.
    const x = mat([[0], [1], [2], [3]]);
    const y = Int32Array.from([0, 0, 0, 1]);
    const model = fitGradientBoosting(x, y, { numEstimators: 1 });
    const raw = model.decisionFunction(mat([[3], [0]])).data;
    expect(raw[0]).toBeCloseTo(Math.log(1 / 3) + 0.1 * 4, 14);
    expect(raw[1]).toBeCloseTo(Math.log(1 / 3) + 0.1 * (-1 / 4 / (3 / 16)), 14);
  });

  it('leaves every tree a single node when all features are constant: importances zero, probabilities the prior', () => {
    const x = mat([[1, 2], [1, 2], [1, 2], [1, 2], [1, 2]]);
    const y = Int32Array.from([4, 4, 9, 9, 9]);
    const model = fitGradientBoosting(x, y, { numEstimators: 5 });
    expect(model.stages.every((s) => s.every((t) => t.nodeCount === 1))).toBe(true);
    expect(Array.from(model.featureImportances)).toEqual([0, 0]);
    const p = model.predictProba(mat([[1, 2]])).data;
    expect(p[1]).toBeCloseTo(0.6, 14);
    expect(Array.from(model.predict(x))).toEqual([9, 9, 9, 9, 9]);
  });

  it('treats neighbouring values closer than 1e-7 as one value (never splits between them)', () => {
    const x = mat([[1], [1 + 5e-8], [2], [2 + 5e-8]]);
    const model = fitGradientBoosting(x, Int32Array.from([0, 1, 0, 1]), { numEstimators: 1 });
    expect(Math.fround(model.stages[0][0].threshold[0])).toBeCloseTo(1.5, 6);
    expect(model.stages[0][0].nodeCount).toBe(3);
  });

  it('fits one tree per class per stage with more than two classes and returns probabilities that sum to 1', () => {
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 30; i++) {
      rows.push([i % 3 + 0.01 * i, (i * 7) % 5]);
      labels.push(i % 3);
    }
    const model = fitGradientBoosting(mat(rows), Int32Array.from(labels), { numEstimators: 10 });
    expect(model.stages.every((s) => s.length === 3)).toBe(true);
    const p = model.predictProba(mat(rows));
    for (let i = 0; i < p.rows; i++) expect(p.data[3 * i] + p.data[3 * i + 1] + p.data[3 * i + 2]).toBeCloseTo(1, 14);
    expect(Array.from(model.predict(mat(rows)))).toEqual(labels);
    expect(model.featureImportances[0]).toBeGreaterThan(0.99);
  });

  it('rejects a single class, mismatched labels, bad options and a wrong width at predict time', () => {
    const x = mat([[0], [1], [2]]);
    expect(() => fitGradientBoosting(x, Int32Array.from([2, 2, 2]))).toThrow(DisentangleError);
    expect(() => fitGradientBoosting(x, Int32Array.from([0, 1]))).toThrow(DisentangleError);
    expect(() => fitGradientBoosting(x, Int32Array.from([0, 1, 1]), { learningRate: -1 })).toThrow(DisentangleError);
    expect(() => fitGradientBoosting(x, Int32Array.from([0, 1, 1]), { maxDepth: 0 })).toThrow(DisentangleError);
    const model = fitGradientBoosting(x, Int32Array.from([0, 1, 1]), { numEstimators: 2 });
    expect(() => model.predict(mat([[0, 1]]))).toThrow(DisentangleError);
  });

  it('is offered as a ClassifierEstimator', async () => {
    const est = gradientBoostingClassifier({ numEstimators: 3 });
    expect(est.name).toBe('gradient-boosting');
    const fitted = await est.fit(mat([[0], [1], [2], [3]]), Int32Array.from([0, 0, 1, 1]), createRng(0));
    expect(Array.from(fitted.predict(mat([[0.2], [2.8]])))).toEqual([0, 1]);
  });
  it('hands every option and the caller’s stream to fitGradientBoosting (an explicit seed wins)', async () => {
    const c = fixture.cases[1];
    const x = mat(c.xTrain);
    const y = Int32Array.from(c.yTrain);
    type Fitted = ReturnType<typeof fitGradientBoosting>;
    const options = { numEstimators: 4, learningRate: 0.3, maxDepth: 2, minSamplesLeaf: 2, minSamplesSplit: 5 };
    const same = (a: Fitted, b: Fitted): boolean =>
      a.stages.length === b.stages.length &&
      Array.from(a.featureImportances).every((v, i) => v === b.featureImportances[i]) &&
      Array.from(a.decisionFunction(x).data).every((v, i) => v === b.decisionFunction(x).data[i]);
    const est = gradientBoostingClassifier({ ...options, workers: 1 });
    const fitted = (await est.fit(x, y, createRng(2))) as Fitted;
    const direct = fitGradientBoosting(x, y, { ...options, rng: createRng(2) });
    expect(fitted.stages.length).toBe(4);
    expect(same(fitted, direct)).toBe(true);
    expect(same((await est.fitAsync!(x, y, createRng(2))) as Fitted, direct)).toBe(true);
    // each option changes the model, so dropping one would fail the comparison above
    for (const changed of [{ learningRate: 0.1 }, { maxDepth: 3 }, { minSamplesLeaf: 1, minSamplesSplit: 2 }]) {
      expect(same(fitGradientBoosting(x, y, { ...options, ...changed, rng: createRng(2) }), direct)).toBe(false);
    }
    // The caller's stream breaks the ties (here between two copies of a feature); an explicit seed replaces it.
    const twin = withTwinFeature(x);
    const importances = async (rng: number, extra = {}): Promise<number[]> =>
      Array.from(((await gradientBoostingClassifier({ ...options, ...extra }).fit(twin, y, createRng(rng))) as Fitted).featureImportances);
    expect(await importances(2)).toEqual(Array.from(fitGradientBoosting(twin, y, { ...options, rng: createRng(2) }).featureImportances));
    expect(await importances(3)).not.toEqual(await importances(2));
    expect(await importances(3, { seed: 7 })).toEqual(await importances(2, { seed: 7 }));
    expect(await importances(2, { seed: 7 })).toEqual(Array.from(fitGradientBoosting(twin, y, { ...options, seed: 7 }).featureImportances));
    expect(() => gradientBoostingClassifier({ nEstimators: 3 } as never)).toThrow(/numEstimators/);
  });
});

describe('fitGradientBoosting tie-breaking', () => {
  it('draws ties at random from the seed: reproducible per seed, same training fit, importances near the lowest-index ones', () => {
    const c = fixture.cases[1];
    const x = mat(c.xTrain);
    const y = Int32Array.from(c.yTrain);
    const a = fitGradientBoosting(x, y, { seed: 1 });
    const b = fitGradientBoosting(x, y, { seed: 1 });
    const other = fitGradientBoosting(x, y, { seed: 2 });
    expect(Array.from(a.featureImportances)).toEqual(Array.from(b.featureImportances));
    expect(Array.from(a.featureImportances)).not.toEqual(Array.from(other.featureImportances));
    expect(Array.from(a.predict(x))).toEqual(c.raw.predictTrain);
    a.featureImportances.forEach((v, f) => expect(Math.abs(v - c.lowestIndexTies.featureImportances[f])).toBeLessThan(0.02));
    expect(() => fitGradientBoosting(x, y, { tieBreak: 'first' as never })).toThrow(DisentangleError);
  });
});

describe('fitGradientBoosting training scores', () => {
  it('reuses the scores summed during the fit for the training matrix, identical to scoring a copy', () => {
    const c = fixture.cases[2];
    const x = mat(c.xTrain);
    const model = fitGradientBoosting(x, Int32Array.from(c.yTrain), { numEstimators: 20 });
    const copy = { data: x.data.slice(), rows: x.rows, cols: x.cols };
    expect(Array.from(model.decisionFunction(x).data)).toEqual(Array.from(model.decisionFunction(copy).data));
  });
});
