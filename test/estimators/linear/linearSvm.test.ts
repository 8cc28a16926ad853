import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitLinearSvc, linearSvc } from '../../../src/estimators/linear/linearSvm.js';
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
  it('works through the estimator interface: fitLinearSvc with the same options and the rng it is handed', async () => {
    const c = fixtures.svc.multiBalanced;
    const x = mat(c.x);
    const y = Int32Array.from(c.y);
    type Fitted = ReturnType<typeof fitLinearSvc>;
    // A loose tolerance stops the dual solver early, so the result depends on C, on the class weights and on the
    // shuffling stream: each must reach the solver.
    const options = { C: 0.05, classWeight: 'balanced' as const, tol: 0.5, maxIter: 7 };
    const fitted = (await linearSvc(options).fit(x, y, createRng(5))) as Fitted;
    const direct = fitLinearSvc(x, y, { ...options, rng: createRng(5) });
    expect(Array.from(fitted.coef.data)).toEqual(Array.from(direct.coef.data));
    expect(Array.from(fitted.intercept)).toEqual(Array.from(direct.intercept));
    expect(Array.from(fitted.nIter)).toEqual(Array.from(direct.nIter));
    const differs = (other: Fitted): boolean => other.coef.data.some((v, i) => v !== direct.coef.data[i]);
    expect(differs(fitLinearSvc(x, y, { ...options, rng: createRng(6) }))).toBe(true);
    expect(differs(fitLinearSvc(x, y, { ...options, C: 1, rng: createRng(5) }))).toBe(true);
    expect(differs(fitLinearSvc(x, y, { ...options, classWeight: null, rng: createRng(5) }))).toBe(true);
    expect(differs(fitLinearSvc(x, y, { ...options, tol: 1e-4, maxIter: 1000, rng: createRng(5) }))).toBe(true);
    expect(() => linearSvc({ c: 1 } as never)).toThrow(/C/);
    expect(() => fitLinearSvc(mat([[0], [1]]), Int32Array.from([1, 1]))).toThrow(DisentangleError);
    expect(() => fitLinearSvc(mat([[0], [1]]), Int32Array.from([0, 1]), { classWeight: 'weird' as 'balanced' })).toThrow(DisentangleError);
  });
});
