import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { frechetDistance, featureMoments } from '../../src/metrics/frechetDistance.js';
import { MomentAccumulator } from '../../src/metrics/index.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';

const rot = (t: number, d1: number, d2: number) => {
  const c = Math.cos(t);
  const s = Math.sin(t);
  // R diag(d1, d2) Rᵀ
  return [
    [c * c * d1 + s * s * d2, c * s * (d1 - d2)],
    [c * s * (d1 - d2), s * s * d1 + c * c * d2],
  ];
};

describe('frechetDistance closed forms', () => {
  it('diagonal Gaussians: ‖Δμ‖² + Σ (√a − √b)²', () => {
    const a = [1, 4, 9, 0.25];
    const b = [4, 1, 16, 1];
    const diag = (v: number[]) => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));
    const fd = frechetDistance({ mean: [0, 1, 2, 3], covariance: diag(a) }, { mean: [1, 1, 0, 3], covariance: diag(b) });
    const expected = 1 + 4 + a.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(b[i])) ** 2, 0);
    expect(fd).toBeCloseTo(expected, 10);
  });
  it('rotated 2-D Gaussians: tr√M = √(tr AB + 2√(det A det B))', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: Math.PI, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        (t, a1, a2, b1, b2) => {
          const A = [[a1, 0], [0, a2]];
          const B = rot(t, b1, b2);
          const trAB = a1 * B[0][0] + a2 * B[1][1];
          const expected = a1 + a2 + b1 + b2 - 2 * Math.sqrt(trAB + 2 * Math.sqrt(a1 * a2 * b1 * b2)) + 0.5 ** 2;
          const fd = frechetDistance({ mean: [0, 0.5], covariance: A }, { mean: [0, 0], covariance: B });
          expect(fd).toBeCloseTo(expected, 8);
        },
      ),
    );
  });
  it('identical inputs give 0, a rotation of the same covariance about its own axes gives 0', () => {
    expect(frechetDistance({ mean: [1, 2], covariance: rot(0.3, 2, 3) }, { mean: [1, 2], covariance: rot(0.3, 2, 3) })).toBeLessThan(1e-10);
    const rng = createRng(1);
    const x = Array.from({ length: 50 }, () => [rng.normal(), rng.normal() * 2, rng.normal() + 1]);
    expect(frechetDistance(x, x)).toBeLessThan(1e-9);
  });
  it('handles singular (rank-deficient) covariances without NaN', () => {
    const fd = frechetDistance({ mean: [0, 0], covariance: [[1, 1], [1, 1]] }, { mean: [0, 0], covariance: [[0, 0], [0, 0]] });
    expect(fd).toBeCloseTo(2, 10);
  });
  it('raw features equal their moments (covariance with ddof 1)', () => {
    const rng = createRng(2);
    const x = Array.from({ length: 40 }, () => [rng.normal(), rng.normal() * 3]);
    const y = Array.from({ length: 30 }, () => [rng.normal() + 1, rng.normal()]);
    const mx = featureMoments(Float64Array.from(x.flat()), 40, 2);
    const my = featureMoments(Float64Array.from(y.flat()), 30, 2);
    // ddof 1 by hand for entry [0][0]
    const m0 = x.reduce((s, r) => s + r[0], 0) / 40;
    expect(mx.covariance[0]).toBeCloseTo(x.reduce((s, r) => s + (r[0] - m0) ** 2, 0) / 39, 12);
    const asMoments = (m: { mean: Float64Array; covariance: Float64Array }) => ({ mean: m.mean, covariance: { data: m.covariance, shape: [2, 2] } });
    expect(frechetDistance(x, y)).toBeCloseTo(frechetDistance(asMoments(mx), asMoments(my)), 12);
  });
  it('streaming accumulation matches one pass', () => {
    const rng = createRng(4);
    const d = 5;
    const data = Float64Array.from({ length: 103 * d }, () => rng.normal() * 2 + 7);
    const whole = featureMoments(data, 103, d);
    const acc = new MomentAccumulator(d);
    for (const [s, e] of [[0, 10], [10, 11], [11, 64], [64, 103]]) acc.add(data.subarray(s * d, e * d), e - s);
    const streamed = acc.result();
    for (let i = 0; i < d; i++) expect(streamed.mean[i]).toBeCloseTo(whole.mean[i], 12);
    for (let i = 0; i < d * d; i++) expect(streamed.covariance[i]).toBeCloseTo(whole.covariance[i], 11);
  });
});

describe('frechetDistance bad input', () => {
  it('names the argument', () => {
    expect(() => frechetDistance([[1, 2], [3, 4]], [[1], [2]])).toThrow(/featuresB/);
    expect(() => frechetDistance([[1, 2]], [[1, 2], [3, 4]])).toThrow(DisentangleError);
    expect(() => frechetDistance({ mean: [0, 0], covariance: [[1, 0.5], [0, 1]] }, [[1, 2], [3, 4]])).toThrow(/symmetric/);
    expect(() => frechetDistance([[1, NaN], [1, 2]], [[1, 2], [3, 4]])).toThrow(DisentangleError);
  });

  it('refuses finite features whose covariance or distance overflows float64 (found by the property test)', () => {
    const zeros = [[0, 0, 0, 0], [0, 0, 0, 0]];
    expect(() => frechetDistance([[1e200, 0, 0, 1e200], [0, 0, 1e200, 0]], zeros)).toThrow(expect.objectContaining({ code: 'NON_FINITE', argument: 'featuresA (in frechetDistance)' }));
    expect(() => frechetDistance(zeros, [[1e200, 0, 0, 1e200], [0, 0, 1e200, 0]])).toThrow(expect.objectContaining({ code: 'NON_FINITE', argument: 'featuresB (in frechetDistance)' }));
    expect(() => frechetDistance({ mean: [1e200], covariance: [[1]] }, { mean: [-1e200], covariance: [[1]] })).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
  });
});
