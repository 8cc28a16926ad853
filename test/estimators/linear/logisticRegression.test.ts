import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitLogisticRegression, logisticRegression } from '../../../src/estimators/linear/logisticRegression.js';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/linear.json', import.meta.url), 'utf8'));
const mat = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

function expectClose(actual: ArrayLike<number>, expected: number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tol);
}

describe('fitLogisticRegression against scikit-learn LogisticRegression()', () => {
  for (const name of ['binary', 'multinomial', 'separable']) {
    it(`reaches the optimum of scikit-learn's objective: ${name}`, () => {
      const c = fixtures.logistic[name];
      const m = fitLogisticRegression(mat(c.x), Int32Array.from(c.y), { tol: 1e-10 });
      expect(m.converged).toBe(true);
      expectClose(m.coef.data, c.coef.flat(), 1e-6);
      expectClose(m.intercept, c.intercept, 1e-6);
      expectClose(m.predictProba(mat(c.x)).data, c.proba.flat(), 1e-7);
      expect(Array.from(m.predict(mat(c.x)))).toEqual(c.predict);
    });
    it(`agrees with scikit-learn's own (ftol-stopped) probabilities to 1e-4: ${name}`, () => {
      const c = fixtures.logistic[name];
      const m = fitLogisticRegression(mat(c.x), Int32Array.from(c.y));
      expectClose(m.predictProba(mat(c.x)).data, c.sklearn.proba.flat(), 1e-4);
    });
  }
  it('binary problems get one coefficient row (class 1 positive), like scikit-learn', () => {
    const c = fixtures.logistic.binary;
    const m = fitLogisticRegression(mat(c.x), Int32Array.from(c.y));
    expect(m.coef.rows).toBe(1);
    expect(m.predictProba(mat(c.x)).cols).toBe(2);
  });
});

// A saturating code of a 12-valued factor plus a nuisance code: the kind of fit (many classes, ends of the code
// hard to tell apart) where the solver runs past the iteration at which it builds its preconditioner.
function saturatedCodes(n: number, k: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const y = Int32Array.from({ length: n }, (_, i) => (i < k ? i : rng.int(k)));
  const data = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    data[2 * i] = 3 + Math.tanh(2.5 * (y[i] / (k - 1) - 0.5)) + 0.08 * rng.normal();
    data[2 * i + 1] = rng.normal();
  }
  return { x: { data, rows: n, cols: 2 }, y };
}

// Largest entry of the gradient of (1/n)·Σ −log p(yᵢ) + ½λ‖W‖², λ = 1/(C·n), at the fitted model.
function kktResidual(m: ReturnType<typeof fitLogisticRegression>, x: Matrix, y: Int32Array, fitIntercept: boolean): number {
  const p = m.predictProba(x);
  const k = m.coef.rows;
  let worst = 0;
  for (let c = 0; c < k; c++) {
    const g = new Float64Array(x.cols + 1);
    for (let i = 0; i < x.rows; i++) {
      const r = p.data[i * k + c] - (y[i] === m.classes[c] ? 1 : 0);
      for (let j = 0; j < x.cols; j++) g[j] += r * x.data[i * x.cols + j];
      g[x.cols] += r;
    }
    for (let j = 0; j < x.cols; j++) worst = Math.max(worst, Math.abs(g[j] / x.rows + m.coef.data[c * x.cols + j] / x.rows));
    if (fitIntercept) worst = Math.max(worst, Math.abs(g[x.cols] / x.rows));
  }
  return worst;
}

describe('fitLogisticRegression on many classes (preconditioned solver)', () => {
  const { x, y } = saturatedCodes(600, 12, 3);
  it('reaches the optimum, with the intercepts summing to 0 as from scikit-learn\'s zero start', () => {
    const m = fitLogisticRegression(x, y, { tol: 1e-10 });
    expect(m.converged).toBe(true);
    expect(m.nIter).toBeGreaterThan(8);
    expect(kktResidual(m, x, y, true)).toBeLessThan(1e-9);
    // The sum is taken in the centered parametrization the solver works in: b' = b + W·μ.
    const mu = [0, 1].map((j) => Array.from({ length: x.rows }, (_, i) => x.data[2 * i + j]).reduce((s, v) => s + v, 0) / x.rows);
    const sum = Array.from(m.intercept).reduce((s, b, c) => s + b + m.coef.data[2 * c] * mu[0] + m.coef.data[2 * c + 1] * mu[1], 0);
    expect(Math.abs(sum)).toBeLessThan(1e-9);
  });
  it('with more than 512 parameters (per-class blocks) or more than 63 features (no preconditioner) too', () => {
    const rng = createRng(5);
    for (const [k, d] of [[50, 10], [8, 70]]) {
      const n = 400;
      const yy = Int32Array.from({ length: n }, (_, i) => (i < k ? i : rng.int(k)));
      const data = Float64Array.from({ length: n * d }, (_, q) => (q % d === 0 ? Math.tanh(2.5 * (yy[Math.floor(q / d)] / (k - 1) - 0.5)) : 0) + 0.3 * rng.normal());
      const xx = { data, rows: n, cols: d };
      const m = fitLogisticRegression(xx, yy, { tol: 1e-9 });
      expect(m.converged).toBe(true);
      expect(kktResidual(m, xx, yy, true)).toBeLessThan(1e-8);
    }
  });
  it('without an intercept keeps it at exactly 0', () => {
    const m = fitLogisticRegression(x, y, { tol: 1e-10, fitIntercept: false });
    expect(m.converged).toBe(true);
    expect(m.nIter).toBeGreaterThan(8);
    expect(Array.from(m.intercept)).toEqual(new Array(12).fill(0));
    expect(kktResidual(m, x, y, false)).toBeLessThan(1e-9);
  });
});

describe('fitLogisticRegression properties', () => {
  it('probabilities are a distribution and predict is their argmax', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 1000 }), (k, seed) => {
        const rng = createRng(seed);
        const n = 40;
        const x = new Float64Array(n * 2).map(() => rng.normal());
        const y = Int32Array.from({ length: n }, (_, i) => i % k);
        const m = fitLogisticRegression({ data: x, rows: n, cols: 2 }, y);
        const p = m.predictProba({ data: x, rows: n, cols: 2 });
        const yHat = m.predict({ data: x, rows: n, cols: 2 });
        for (let i = 0; i < n; i++) {
          let s = 0;
          let best = 0;
          for (let c = 0; c < k; c++) {
            s += p.data[i * k + c];
            if (p.data[i * k + c] > p.data[i * k + best]) best = c;
          }
          expect(s).toBeCloseTo(1, 12);
          expect(yHat[i]).toBe(m.classes[best]);
        }
      }),
      { numRuns: 15 },
    );
  });
  it('uninformative features give zero weights and the class frequencies', () => {
    const x = mat([[1], [1], [1], [1], [1], [1]]);
    const m = fitLogisticRegression(x, Int32Array.from([0, 0, 0, 1, 2, 2]));
    expectClose(m.coef.data, [0, 0, 0], 1e-9);
    expectClose(m.predictProba(mat([[1]])).data, [0.5, 1 / 6, 1 / 3], 1e-7);
  });
  it('keeps the labels it was given (classes sorted, non-contiguous)', () => {
    const m = fitLogisticRegression(mat([[0], [1], [2], [3]]), Int32Array.from([7, 7, 3, 3]));
    expect(Array.from(m.classes)).toEqual([3, 7]);
    expect(Array.from(m.predict(mat([[-5], [9]])))).toEqual([7, 3]);
  });
  it('works through the estimator interface: the fit fitLogisticRegression gives with the same options', async () => {
    const c = fixtures.logistic.multinomial;
    const x = mat(c.x);
    const y = Int32Array.from(c.y);
    type Fitted = Awaited<ReturnType<typeof fitLogisticRegression>>;
    for (const options of [{ C: 0.05, tol: 1e-10 }, { C: 3, maxIter: 4 }, { C: 0.5, fitIntercept: false }]) {
      const direct = fitLogisticRegression(x, y, options);
      const fitted = (await logisticRegression(options).fit(x, y, createRng(0))) as Fitted;
      expect(Array.from(fitted.coef.data)).toEqual(Array.from(direct.coef.data));
      expect(Array.from(fitted.intercept)).toEqual(Array.from(direct.intercept));
      expect(fitted.nIter).toBe(direct.nIter);
      expect(fitted.converged).toBe(direct.converged);
      expect(Array.from(fitted.predictProba(x).data)).toEqual(Array.from(direct.predictProba(x).data));
    }
    // The options matter: another C, the default iteration cap or an intercept give another model, so a factory
    // that dropped any of them would fail above.
    const plain = fitLogisticRegression(x, y);
    expect(plain.converged).toBe(true);
    expect(plain.nIter).toBeGreaterThan(4);
    expect(Math.abs(fitLogisticRegression(x, y, { C: 0.05, tol: 1e-10 }).coef.data[0] - plain.coef.data[0])).toBeGreaterThan(1e-3);
    const capped = fitLogisticRegression(x, y, { C: 3, maxIter: 4 });
    expect(capped.nIter).toBe(4);
    expect(capped.converged).toBe(false);
    expect(fitLogisticRegression(x, y, { C: 0.5, fitIntercept: false }).intercept.every((b) => b === 0)).toBe(true);
    expect(plain.intercept.every((b) => b === 0)).toBe(false);
    expect(() => logisticRegression({ c: 1 } as never)).toThrow(/C/);
  });
});

describe('fitLogisticRegression input checks', () => {
  it('rejects a single class, NaN, mismatched lengths and bad options', () => {
    expect(() => fitLogisticRegression(mat([[1], [2]]), Int32Array.from([0, 0]))).toThrow(DisentangleError);
    expect(() => fitLogisticRegression(mat([[NaN], [2]]), Int32Array.from([0, 1]))).toThrow(DisentangleError);
    expect(() => fitLogisticRegression(mat([[1], [2]]), Int32Array.from([0]))).toThrow(DisentangleError);
    expect(() => fitLogisticRegression(mat([[1], [2]]), Int32Array.from([0, 1]), { C: -1 })).toThrow(DisentangleError);
  });
});
