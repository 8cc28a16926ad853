import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitLasso, lasso } from '../../../src/estimators/linear/lasso.js';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/linear.json', import.meta.url), 'utf8'));
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
  it('estimator predicts and reports |coef| as importances', async () => {
    const c = fixtures.lasso.random;
    const fitted = await lasso({ alpha: c.alpha }).fit(mat(c.x), Float64Array.from(c.y), createRng(0));
    expect(Array.from(fitted.featureImportances ?? [])).toEqual(Array.from(fitted.coef ?? []).map(Math.abs));
    expect(fitted.predict(mat([[0, 0, 0, 0, 0]]))[0]).toBeCloseTo(fitted.intercept ?? NaN, 12);
  });
  it('rejects a missing or negative alpha and mismatched y', () => {
    expect(() => fitLasso(mat([[1], [2]]), Float64Array.from([1, 2]), { alpha: -1 })).toThrow(DisentangleError);
    expect(() => fitLasso(mat([[1], [2]]), Float64Array.from([1, 2]), {} as { alpha: number })).toThrow(DisentangleError);
    expect(() => fitLasso(mat([[1], [2]]), Float64Array.from([1]), { alpha: 1 })).toThrow(DisentangleError);
  });
});
