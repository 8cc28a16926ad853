import { describe, expect, it } from 'vitest';
// @ts-expect-error ml-cart ships no type declarations
import { DecisionTreeClassifier } from 'ml-cart';
import { RandomForestClassifier } from 'ml-random-forest';
import { mlCartClassifier, mlRandomForestClassifier } from '../../../src/estimators/trees/mlTreeAdapters.js';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';

/** 60 rows: feature 0 separates labels 5 / 9 at 0.5 with a wide gap, feature 1 is noise. */
function separable(): { x: Matrix; y: Int32Array } {
  const rng = createRng(11);
  const rows: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 60; i++) {
    const positive = i % 2 === 1;
    rows.push(positive ? 0.8 + 0.2 * rng.float() : 0.2 * rng.float(), rng.float());
    labels.push(positive ? 9 : 5);
  }
  return { x: { data: Float64Array.from(rows), rows: 60, cols: 2 }, y: Int32Array.from(labels) };
}

describe('mlCartClassifier', () => {
  it('fits a separable case, maps labels back and puts the importance on the separating feature', async () => {
    const { x, y } = separable();
    const fitted = await mlCartClassifier(DecisionTreeClassifier, { maxDepth: 3 }).fit(x, y, createRng(0));
    expect(Array.from(fitted.classes)).toEqual([5, 9]);
    expect(Array.from(fitted.predict(x))).toEqual(Array.from(y));
    expect(fitted.featureImportances?.[0]).toBe(1);
    expect(fitted.featureImportances?.[1]).toBe(0);
    expect(() => fitted.predict({ data: new Float64Array(3), rows: 1, cols: 3 })).toThrow(DisentangleError);
  });
  it('rejects something that is not a class', () => {
    expect(() => mlCartClassifier(undefined as never)).toThrow(DisentangleError);
  });
});

describe('mlRandomForestClassifier', () => {
  it('fits a separable case with a seed from our Rng and gives non-negative importances summing to 1', async () => {
    const { x, y } = separable();
    const est = mlRandomForestClassifier(RandomForestClassifier, { nEstimators: 10, maxFeatures: 1.0 });
    const fitted = await est.fit(x, y, createRng(1));
    expect(Array.from(fitted.predict(x))).toEqual(Array.from(y));
    const imp = Array.from(fitted.featureImportances ?? []);
    expect(imp.every((v) => v >= 0)).toBe(true);
    expect(imp[0] + imp[1]).toBeCloseTo(1, 12);
    // Its feature bagging draws with replacement, so some trees never see feature 0 and split on noise.
    expect(imp[0]).toBeGreaterThan(imp[1]);
    const again = await est.fit(x, y, createRng(1));
    expect(Array.from(again.featureImportances ?? [])).toEqual(imp);
  });
});
