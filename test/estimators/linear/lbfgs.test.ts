import { describe, expect, it } from 'vitest';
import { minimizeLbfgs, type InversePreconditioner } from '../../../src/estimators/linear/lbfgs.js';

// f(x) = ½ Σ aᵢ (xᵢ − cᵢ)², condition number 1e4: plain L-BFGS needs many iterations, M = diag(a) solves it at once.
const n = 40;
const a = Float64Array.from({ length: n }, (_, i) => Math.pow(10, (4 * i) / (n - 1)));
const c = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
const quadratic = (x: Float64Array, g: Float64Array): number => {
  let f = 0;
  for (let i = 0; i < n; i++) {
    g[i] = a[i] * (x[i] - c[i]);
    f += 0.5 * a[i] * (x[i] - c[i]) ** 2;
  }
  return f;
};
const exactInverse: InversePreconditioner = (g, out) => {
  for (let i = 0; i < n; i++) out[i] = g[i] / a[i];
};

describe('minimizeLbfgs', () => {
  it('reaches the minimizer with and without a preconditioner; an exact M⁻¹ finishes right after it is built', () => {
    const plain = minimizeLbfgs(quadratic, new Float64Array(n), { maxIter: 1000, tol: 1e-10 });
    const pre = minimizeLbfgs(quadratic, new Float64Array(n), {
      maxIter: 1000,
      tol: 1e-10,
      precondition: { afterIterations: 2, build: () => exactInverse },
    });
    for (const r of [plain, pre]) {
      expect(r.converged).toBe(true);
      r.x.forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThan(1e-7));
    }
    pre.x.forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThan(1e-12));
    expect(pre.nIter).toBeLessThanOrEqual(4);
    expect(plain.nIter).toBeGreaterThan(pre.nIter);
    expect(pre.nEval).toBeGreaterThanOrEqual(pre.nIter + 1);
  });
  it('goes on unpreconditioned when the preconditioner cannot be built', () => {
    let built = 0;
    const r = minimizeLbfgs(quadratic, new Float64Array(n), {
      maxIter: 1000,
      tol: 1e-10,
      precondition: { afterIterations: 1, build: () => (built++, undefined) },
    });
    expect(built).toBe(1);
    expect(r.converged).toBe(true);
    r.x.forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThan(1e-7));
  });
  it('returns at once when the start point already meets the tolerance', () => {
    const r = minimizeLbfgs(quadratic, Float64Array.from(c), { maxIter: 10, tol: 1e-12 });
    expect(r).toMatchObject({ nIter: 0, nEval: 1, converged: true });
  });
});
