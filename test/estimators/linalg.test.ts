import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { covariance, logDeterminantSymmetric, symmetricEigen, symmetricEigenvalues, trace, traceSqrtDiagTimes, traceSqrtProduct } from '../../src/estimators/linalg.js';
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

describe('eigenvalues without eigenvectors (issue 15: 30 s for a 1,000-dim covariance through ml-matrix)', () => {
  it('are bit for bit the eigenvalues ml-matrix computes, whatever the matrix (property)', async () => {
    const { EigenvalueDecomposition, Matrix: MlMatrix } = await import('ml-matrix');
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 30 }), fc.constantFrom('normal', 'sparse', 'integer'), (seed, d, kind) => {
      const rng = createRng(seed);
      const rows = Array.from({ length: d }, () => new Array<number>(d).fill(0));
      for (let i = 0; i < d; i++) {
        for (let j = 0; j <= i; j++) {
          const v = kind === 'sparse' && rng.float() < 0.6 ? 0 : kind === 'integer' ? Math.round(2 * rng.normal()) : rng.normal();
          rows[i][j] = rows[j][i] = v;
        }
      }
      const reference = Float64Array.from(new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true }).realEigenvalues).sort();
      const ours = symmetricEigenvalues(mat(rows));
      return ours.every((v, i) => Object.is(v, reference[i]));
    }), { numRuns: 80 });
  });

  it('handle huge and tiny finite entries (scaled by a power of two) and refuse non-finite ones', () => {
    const base = [[2, 1, 0.5], [1, 3, 0.25], [0.5, 0.25, 1]];
    const expected = symmetricEigenvalues(mat(base));
    for (const s of [1e300, 1e-300, 2 ** 600]) {
      const got = symmetricEigenvalues(mat(base.map((r) => r.map((v) => v * s))));
      got.forEach((v, i) => expect(v / s).toBeCloseTo(expected[i], 12));
    }
    const huge = mat(base.map((r) => r.map((v) => v * 1e300)));
    expect(logDeterminantSymmetric(huge)).toBeCloseTo(logDeterminantSymmetric(mat(base)) + 3 * Math.log(1e300), 9);
    expect(traceSqrtDiagTimes(huge) / 1e300).toBeCloseTo(traceSqrtDiagTimes(mat(base)), 12);
    for (const bad of [Infinity, NaN]) {
      expect(() => symmetricEigenvalues(mat([[1, bad], [bad, 1]]))).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
    }
  });

  it('the covariance is unchanged by the column-wise rewrite: same sums in the same order as row by row', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 2, max: 40 }), (seed, d, n) => {
      const rng = createRng(seed);
      const data = Float64Array.from({ length: n * d }, () => (rng.float() < 0.2 ? 0 : rng.normal()));
      const x = { data, rows: n, cols: d };
      // the straightforward accumulation over samples, one row at a time
      const mean = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
      for (let j = 0; j < d; j++) mean[j] /= n;
      const ref = new Float64Array(d * d);
      for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = a; b < d; b++) ref[a * d + b] += (data[i * d + a] - mean[a]) * (data[i * d + b] - mean[b]);
      const c = covariance(x);
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) if (!Object.is(c.data[a * d + b], ref[a * d + b] / (n - 1)) || c.data[b * d + a] !== c.data[a * d + b]) return false;
      return true;
    }), { numRuns: 60 });
  });
});

/** A random symmetric PSD d×d matrix G·Gᵀ/d (rank r ≤ d) from `seed`. */
function randomPsd(d: number, r: number, seed: number) {
  const rng = createRng(seed);
  const g = Array.from({ length: d * r }, () => rng.normal());
  const data = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < r; k++) data[i * d + j] += (g[i * r + k] * g[j * r + k]) / d;
  return { data, rows: d, cols: d };
}

describe('symmetricEigen', () => {
  it('returns orthonormal eigenvectors that rebuild the matrix, and the eigenvalues symmetricEigenvalues gives', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1e6 }), (d, seed) => {
        const m = randomPsd(d, d, seed);
        const { values, vectors: v } = symmetricEigen(m);
        const only = symmetricEigenvalues(m);
        values.forEach((lambda, k) => expect(lambda).toBeCloseTo(only[k], 10));
        for (let k = 1; k < d; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            let rebuilt = 0;
            let gram = 0;
            for (let k = 0; k < d; k++) {
              rebuilt += v.data[i * d + k] * values[k] * v.data[j * d + k];
              gram += v.data[k * d + i] * v.data[k * d + j];
            }
            expect(rebuilt).toBeCloseTo(m.data[i * d + j], 10);
            expect(gram).toBeCloseTo(i === j ? 1 : 0, 10);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
  it('refuses a non-square matrix', () => {
    expect(() => symmetricEigen(mat([[1, 2]]))).toThrow(DisentangleError);
  });
});

describe('traceSqrtProduct', () => {
  it('is Σ √(a_i b_i) for diagonal matrices', () => {
    const a = mat([[4, 0, 0], [0, 1, 0], [0, 0, 0]]);
    const b = mat([[1, 0, 0], [0, 9, 0], [0, 0, 5]]);
    expect(traceSqrtProduct(a, b)).toBeCloseTo(2 + 3 + 0, 12);
  });
  it('is symmetric in A and B, gives tr A for B = A, and scales with √c (property; PSD, also rank-deficient)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.1, max: 10, noNaN: true }), (d, seed, c) => {
        const a = randomPsd(d, Math.max(1, d - 1), seed);
        const b = randomPsd(d, d, seed + 1);
        const ab = traceSqrtProduct(a, b);
        expect(ab).toBeCloseTo(traceSqrtProduct(b, a), 7);
        expect(traceSqrtProduct(a, a)).toBeCloseTo(trace(a), 7);
        const scaled = { ...a, data: a.data.map((x) => c * x) };
        expect(traceSqrtProduct(scaled, b)).toBeCloseTo(Math.sqrt(c) * ab, 7);
      }),
      { numRuns: 40 },
    );
  });
  it('refuses matrices of different sizes', () => {
    expect(() => traceSqrtProduct(mat([[1]]), mat([[1, 0], [0, 1]]))).toThrow(DisentangleError);
  });
});
