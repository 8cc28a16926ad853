import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitLasso, lasso } from '../../../src/estimators/linear/lasso.js';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';
import { standardScaler } from '../../../src/estimators/linear/standardize.js';
import { r2Score } from '../../../src/estimators/scores.js';
import type { FittedRegressor } from '../../../src/estimators/types.js';

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/linear.json', import.meta.url), 'utf8'));
// scripts/fixtures/lasso_fixture.py (scikit-learn 1.2.1 Lasso)
const lassoFixture = JSON.parse(readFileSync(new URL('../../fixtures/lasso.json', import.meta.url), 'utf8'));
interface LassoCase {
  alpha: number;
  maxIter: number | null;
  tol: number | null;
  coef: number[];
  intercept: number;
  nIter: number;
}
const close = (actual: ArrayLike<number>, expected: number[], digits: number): void => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
};
const mat = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

describe('fitLasso against scikit-learn Lasso', () => {
  for (const name of ['random', 'strong', 'noIntercept']) {
    it(`same coefficients, intercept and n_iter: ${name}`, () => {
      const c = fixtures.lasso[name];
      const m = fitLasso(mat(c.x), Float64Array.from(c.y), { alpha: c.alpha, fitIntercept: c.fitIntercept });
      (c.coef as number[]).forEach((v, i) => expect(m.coef[i]).toBeCloseTo(v, 10));
      expect(m.intercept).toBeCloseTo(c.intercept, 10);
      expect(m.nIter).toBe(c.nIter);
    });
  }
  it('is a soft threshold of the least-squares weights on an orthonormal design', () => {
    const c = fixtures.lasso.orthonormal;
    const m = fitLasso(mat(c.x), Float64Array.from(c.y), { alpha: c.alpha, tol: 1e-12, maxIter: 100000 });
    (c.softThreshold as number[]).forEach((v, i) => expect(m.coef[i]).toBeCloseTo(v, 9));
    expect(Math.abs(m.coef[1])).toBe(0);
  });
});

describe('fitLasso properties', () => {
  it('α above max|Xᵀy|/n gives all-zero weights and the mean as intercept', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10000 }), (seed) => {
        const rng = createRng(seed);
        const n = 20;
        const x = new Float64Array(n * 3).map(() => rng.normal());
        const y = new Float64Array(n).map(() => rng.normal() + 2);
        const m = fitLasso({ data: x, rows: n, cols: 3 }, y, { alpha: 100 });
        expect(Array.from(m.coef).every((v) => v === 0)).toBe(true);
        expect(m.intercept).toBeCloseTo(y.reduce((a, b) => a + b) / n, 12);
      }),
      { numRuns: 20 },
    );
  });
  it('rejects a missing or negative alpha and mismatched y', () => {
    expect(() => fitLasso(mat([[1], [2]]), Float64Array.from([1, 2]), { alpha: -1 })).toThrow(DisentangleError);
    expect(() => fitLasso(mat([[1], [2]]), Float64Array.from([1, 2]), {} as { alpha: number })).toThrow(DisentangleError);
    expect(() => fitLasso(mat([[1], [2]]), Float64Array.from([1]), { alpha: 1 })).toThrow(DisentangleError);
  });
});

describe('fitLasso and lasso() against scikit-learn Lasso (lasso.json)', () => {
  const raw = lassoFixture.raw;
  it('fitLasso: coefficients, intercept and n_iter for several alphas', () => {
    for (const c of raw.fits as LassoCase[]) {
      const m = fitLasso(mat(raw.x), Float64Array.from(raw.y), { alpha: c.alpha });
      close(m.coef, c.coef, 9);
      expect(m.intercept).toBeCloseTo(c.intercept, 9);
      expect(m.nIter).toBe(c.nIter);
    }
  });
  it('lasso(): the alpha it is given (each alpha gives its own scikit-learn coefficients)', async () => {
    for (const c of raw.fits as LassoCase[]) {
      const fitted = await lasso({ alpha: c.alpha }).fit(mat(raw.x), Float64Array.from(raw.y), createRng(0));
      close(fitted.coef ?? [], c.coef, 9);
      expect(fitted.intercept).toBeCloseTo(c.intercept, 9);
    }
    // the fixture's alphas give different weights, so a factory that dropped alpha could not pass the loop above
    expect(Math.abs(raw.fits[0].coef[3] - raw.fits[2].coef[3])).toBeGreaterThan(1e-3);
  });
  it('maxIter and tol reach the solver, through fitLasso and through lasso()', async () => {
    const lim = lassoFixture.limits;
    const cases = lim.fits as LassoCase[];
    // defaults, max_iter = 5 and tol = 0.05 stop at different sweeps with different weights
    expect(new Set(cases.map((c) => c.nIter)).size).toBe(3);
    for (const c of cases) {
      const options = { alpha: c.alpha, maxIter: c.maxIter ?? undefined, tol: c.tol ?? undefined };
      const direct = fitLasso(mat(lim.x), Float64Array.from(lim.y), options);
      expect(direct.nIter).toBe(c.nIter);
      close(direct.coef, c.coef, 9);
      const viaEstimator = (await lasso(options).fit(mat(lim.x), Float64Array.from(lim.y), createRng(0))) as FittedRegressor & { nIter: number };
      expect(viaEstimator.nIter).toBe(c.nIter);
      expect(Array.from(viaEstimator.coef ?? [])).toEqual(Array.from(direct.coef));
    }
  });
  it("DCI's Lasso variant: z-scored codes and factors, one fit per factor, predictions and R² on both splits", async () => {
    const d = lassoFixture.dci;
    const scaler = standardScaler(mat(d.codesTrain));
    close(scaler.transform(mat(d.codesTrain)).data, (d.xTrain as number[][]).flat(), 12);
    close(scaler.transform(mat(d.codesTest)).data, (d.xTest as number[][]).flat(), 12);
    const xTrain = mat(d.xTrain);
    const xTest = mat(d.xTest);
    for (const c of d.fits as { alpha: number; coef: number[][]; intercept: number[]; nIter: number[]; predictTest: number[][]; r2Train: number[]; r2Test: number[] }[]) {
      const est = lasso({ alpha: c.alpha });
      for (let j = 0; j < c.coef.length; j++) {
        const yTrain = Float64Array.from(d.yTrain[j]);
        const fitted = await est.fit(xTrain, yTrain, createRng(j));
        close(fitted.coef ?? [], c.coef[j], 9);
        expect(fitted.intercept).toBeCloseTo(c.intercept[j], 9);
        expect((fitted as FittedRegressor & { nIter: number }).nIter).toBe(c.nIter[j]);
        expect(Array.from(fitted.featureImportances ?? [])).toEqual(c.coef[j].map((_, i) => Math.abs(fitted.coef![i])));
        const predicted = fitted.predict(xTest);
        close(predicted, c.predictTest[j], 9);
        expect(r2Score(fitted.predict(xTrain), yTrain)).toBeCloseTo(c.r2Train[j], 9);
        expect(r2Score(predicted, Float64Array.from(d.yTest[j]))).toBeCloseTo(c.r2Test[j], 9);
      }
    }
  });
  it('is a RegressorEstimator (kind) that refuses a misspelt or missing option', () => {
    const est = lasso({ alpha: 0.1 });
    expect(est.kind).toBe('regressor');
    expect(est.name).toBe('lasso');
    expect(() => lasso({ alpha: 0.1, maxiter: 5 } as never)).toThrow(/maxIter/);
    expect(() => lasso({} as never)).toThrow(DisentangleError);
    expect(() => lasso({ alpha: -1 })).toThrow(DisentangleError);
  });
});
