import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitLinearSvc } from '../../../src/estimators/linear/linearSvm.js';
import { fitSingleFeatureSvc, sortFeature } from '../../../src/estimators/linear/singleFeatureSvm.js';
import fc from 'fast-check';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/linear.json', import.meta.url), 'utf8'));
const mat = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

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
