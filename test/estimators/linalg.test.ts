import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { covariance, logDeterminantSymmetric, symmetricEigenvalues, trace, traceSqrtDiagTimes } from '../../src/estimators/linalg.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';

const mat = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

describe('covariance', () => {
  it('matches np.cov by hand (ddof 1 and 0)', () => {
    const x = mat([[1, 2], [3, 6], [5, 7]]);
    // means 3, 5; deviations (−2,−3), (0,1), (2,2): Σxx = 8, Σxy = 10, Σyy = 14
    expect(Array.from(covariance(x).data)).toEqual([4, 5, 5, 7]);
    expect(Array.from(covariance(x, 0).data)).toEqual([8 / 3, 10 / 3, 10 / 3, 14 / 3]);
  });
  it('is symmetric positive semi-definite', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 6 }), (seed, d) => {
      const rng = createRng(seed);
      const x = { data: Float64Array.from({ length: 20 * d }, () => rng.normal()), rows: 20, cols: d };
      const c = covariance(x);
      const sym = Array.from({ length: d * d }, (_, k) => c.data[k] === c.data[(k % d) * d + Math.floor(k / d)]).every(Boolean);
      return sym && symmetricEigenvalues(c).every((l) => l > -1e-12);
    }), { numRuns: 40 });
  });
  it('needs more rows than ddof', () => expect(() => covariance(mat([[1, 2]]))).toThrow(DisentangleError));
});

describe('symmetric spectra', () => {
  it('eigenvalues by hand', () => {
    const e = symmetricEigenvalues(mat([[2, 1], [1, 2]]));
    expect(e[0]).toBeCloseTo(1, 14);
    expect(e[1]).toBeCloseTo(3, 14);
  });
  it('log det of a diagonal and of a singular matrix', () => {
    expect(logDeterminantSymmetric(mat([[2, 0], [0, 3]]))).toBeCloseTo(Math.log(6), 14);
    expect(logDeterminantSymmetric(mat([[1, 1], [1, 1]]))).toBe(-Infinity);
  });
  it('eigenvalues sum to the trace and multiply to the determinant', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
      const rng = createRng(seed);
      const a = Array.from({ length: 3 }, () => [rng.normal(), rng.normal(), rng.normal()]);
      const s = a.map((r, i) => a.map((q, j) => r.reduce((t, v, k) => t + v * q[k], 0) + (i === j ? 0.5 : 0)));
      const e = symmetricEigenvalues(mat(s));
      const det =
        s[0][0] * (s[1][1] * s[2][2] - s[1][2] * s[2][1]) - s[0][1] * (s[1][0] * s[2][2] - s[1][2] * s[2][0]) + s[0][2] * (s[1][0] * s[2][1] - s[1][1] * s[2][0]);
      return Math.abs(e.reduce((x, y) => x + y, 0) - trace(mat(s))) < 1e-10 && Math.abs(logDeterminantSymmetric(mat(s)) - Math.log(det)) < 1e-9;
    }), { numRuns: 40 });
  });
  it('tr sqrtm(diag(Σ)Σ): diagonal Σ gives Σ_ii, and it matches the 2×2 closed form', () => {
    expect(traceSqrtDiagTimes(mat([[4, 0], [0, 9]]))).toBeCloseTo(13, 13);
    // M = diag(Σ)Σ with Σ = [[a, b], [b, c]]: tr √M = √(tr M + 2√det M)
    const [a, b, c] = [2, 0.7, 1.5];
    const trM = a * a + c * c;
    const detM = a * c * (a * c - b * b);
    expect(traceSqrtDiagTimes(mat([[a, b], [b, c]]))).toBeCloseTo(Math.sqrt(trM + 2 * Math.sqrt(detM)), 13);
  });
  it('rejects non-square input', () => expect(() => symmetricEigenvalues(mat([[1, 2]]))).toThrow(DisentangleError));
});
