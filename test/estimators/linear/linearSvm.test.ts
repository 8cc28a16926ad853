import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitLinearSvc, fitSingleFeatureSvc, linearSvc, sortFeature } from '../../../src/estimators/linear/linearSvm.js';
import fc from 'fast-check';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/linear.json', import.meta.url), 'utf8'));
const mat = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

describe('fitLinearSvc against scikit-learn LinearSVC (liblinear, converged to tol 1e-10)', () => {
  for (const name of ['binaryBalanced', 'multiBalanced', 'multiPlain', 'oneFeatureBalanced']) {
    it(`matches coefficients, intercepts and decisions: ${name}`, () => {
      const c = fixtures.svc[name];
      const m = fitLinearSvc(mat(c.x), Int32Array.from(c.y), { C: c.C, classWeight: c.balanced ? 'balanced' : null, tol: 1e-10, maxIter: 100000 });
      const coef = c.coef.flat() as number[];
      coef.forEach((v, i) => expect(m.coef.data[i]).toBeCloseTo(v, 6));
      (c.intercept as number[]).forEach((v, i) => expect(m.intercept[i]).toBeCloseTo(v, 6));
      const dec = m.decisionFunction(mat(c.xTest));
      (c.decision.flat() as number[]).forEach((v, i) => expect(dec.data[i]).toBeCloseTo(v, 5));
    });
  }
  it('with the default tolerance still predicts what scikit-learn predicts', () => {
    const c = fixtures.svc.multiBalanced;
    const m = fitLinearSvc(mat(c.x), Int32Array.from(c.y), { C: c.C, classWeight: 'balanced' });
    const expected = (c.decision as number[][]).map((row) => row.indexOf(Math.max(...row)));
    const agree = Array.from(m.predict(mat(c.xTest))).filter((p, i) => p === expected[i]).length;
    expect(agree).toBeGreaterThanOrEqual(expected.length - 1);
  });
});

describe('fitLinearSvc behaviour', () => {
  it('separates a separable 1-D problem and is invariant to the shuffling stream at convergence', () => {
    const x = mat([[-3], [-2], [-1], [1], [2], [3]]);
    const y = Int32Array.from([0, 0, 0, 1, 1, 1]);
    const a = fitLinearSvc(x, y, { rng: createRng(1), tol: 1e-12, maxIter: 100000 });
    const b = fitLinearSvc(x, y, { rng: createRng(2), tol: 1e-12, maxIter: 100000 });
    expect(Array.from(a.predict(x))).toEqual(Array.from(y));
    expect(a.coef.data[0]).toBeCloseTo(b.coef.data[0], 8);
    expect(a.coef.data[0]).toBeGreaterThan(0);
  });
  it('balanced weights move the boundary toward the majority class', () => {
    const rows = [[-2], [-1.5], [-1], [-0.5], [0], [0.5], [1], [3]];
    const y = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 1]);
    const plain = fitLinearSvc(mat(rows), y, { C: 0.5, tol: 1e-10, maxIter: 100000 });
    const bal = fitLinearSvc(mat(rows), y, { C: 0.5, classWeight: 'balanced', tol: 1e-10, maxIter: 100000 });
    const boundary = (m: typeof plain) => -m.intercept[0] / m.coef.data[0];
    expect(boundary(bal)).toBeLessThan(boundary(plain));
  });
  it('works through the estimator interface and rejects bad input', async () => {
    const fitted = await linearSvc({ C: 0.01 }).fit(mat([[0], [1]]), Int32Array.from([0, 1]), createRng(0));
    expect(Array.from(fitted.classes)).toEqual([0, 1]);
    expect(() => fitLinearSvc(mat([[0], [1]]), Int32Array.from([1, 1]))).toThrow(DisentangleError);
    expect(() => fitLinearSvc(mat([[0], [1]]), Int32Array.from([0, 1]), { classWeight: 'weird' as 'balanced' })).toThrow(DisentangleError);
  });
});

describe('fitSingleFeatureSvc (exact solver for one feature)', () => {
  it('matches scikit-learn LinearSVC on one feature, balanced, 5 classes', () => {
    const c = fixtures.svc.oneFeatureBalanced;
    const m = fitSingleFeatureSvc(sortFeature((c.x as number[][]).map((r) => r[0])), Int32Array.from(c.y), { C: c.C, classWeight: 'balanced' });
    (c.coef.flat() as number[]).forEach((v, i) => expect(m.coef.data[i]).toBeCloseTo(v, 7));
    (c.intercept as number[]).forEach((v, i) => expect(m.intercept[i]).toBeCloseTo(v, 7));
  });
  it('agrees with the dual coordinate-descent solver run to a tight tolerance', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 10000 }), fc.boolean(), (k, seed, balanced) => {
        const rng = createRng(seed);
        const n = 60;
        const y = Int32Array.from({ length: n }, () => rng.int(k));
        y[0] = 0;
        y[1] = 1;
        const x = Float64Array.from(y, (v) => v * 0.7 + rng.normal());
        const opts = { C: 0.3, classWeight: balanced ? ('balanced' as const) : null };
        const exact = fitSingleFeatureSvc(sortFeature(x), y, opts);
        const dual = fitLinearSvc({ data: x, rows: n, cols: 1 }, y, { ...opts, tol: 1e-9, maxIter: 20000 });
        for (let p = 0; p < exact.coef.rows; p++) {
          expect(exact.coef.data[p]).toBeCloseTo(dual.coef.data[p], 5);
          expect(exact.intercept[p]).toBeCloseTo(dual.intercept[p], 5);
        }
      }),
      { numRuns: 25 },
    );
  });
  it('handles a constant feature and rejects one class', () => {
    const m = fitSingleFeatureSvc(sortFeature([2, 2, 2, 2]), Int32Array.from([0, 1, 1, 1]), { C: 1 });
    expect(Array.from(m.predict({ data: Float64Array.from([2]), rows: 1, cols: 1 }))).toEqual([1]);
    expect(() => fitSingleFeatureSvc(sortFeature([1, 2]), Int32Array.from([3, 3]))).toThrow(DisentangleError);
  });
});
