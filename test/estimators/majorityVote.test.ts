import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { intMatrix } from '../../src/core/matrix.js';
import {
  lowestNormalizedVarianceDim,
  majorityVoteAccuracy,
  majorityVoteMapping,
  majorityVoteTopAccuracy,
} from '../../src/estimators/majorityVote.js';

// votes[k][d]: K = 3 factors × D = 4 dims
const votes = intMatrix(3, 4, Int32Array.of(5, 0, 2, 0, 1, 7, 2, 0, 0, 1, 1, 0));

describe('majorityVoteMapping', () => {
  it('takes the per-dim argmax with the first factor on ties', () => {
    // dim 2 ties factors 0 and 1 → 0; dim 3 has no votes → 0
    expect(Array.from(majorityVoteMapping(votes))).toEqual([0, 1, 0, 0]);
  });
});

describe('majorityVoteAccuracy', () => {
  it('counts the votes the mapping gets right', () => {
    // correct = 5 + 7 + 2 + 0 = 14 of 19
    expect(majorityVoteAccuracy(votes, majorityVoteMapping(votes))).toBeCloseTo(14 / 19, 15);
  });
  it('scores a fixed mapping on other votes', () => {
    const evalVotes = intMatrix(3, 4, Int32Array.of(0, 3, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1));
    // mapping [0,1,0,0]: 0 + 0 + 0 + 0 = 0 correct of 6
    expect(majorityVoteAccuracy(evalVotes, Int32Array.of(0, 1, 0, 0))).toBe(0);
    expect(majorityVoteAccuracy(evalVotes, Int32Array.of(1, 0, 0, 2))).toBe(1);
  });
  it('is 0 without votes', () => {
    const none = intMatrix(2, 3);
    expect(majorityVoteAccuracy(none, majorityVoteMapping(none))).toBe(0);
  });
  it('lies in [1/K, 1] for the majority mapping (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.nat(20), { minLength: 30, maxLength: 30 }), (k, d, raw) => {
        const v = intMatrix(k, d, Int32Array.from(raw.slice(0, k * d)));
        const total = raw.slice(0, k * d).reduce((a, b) => a + b, 0);
        const acc = majorityVoteAccuracy(v, majorityVoteMapping(v));
        if (total === 0) return acc === 0;
        return acc >= 1 / k - 1e-12 && acc <= 1;
      }),
    );
  });
});

describe('majorityVoteTopAccuracy', () => {
  it('credits only the k largest per-dim maxima', () => {
    // maxima per dim: 5, 7, 2, 0 → top 2 = 12, top 3 = 14
    expect(majorityVoteTopAccuracy(votes, 2)).toBeCloseTo(12 / 19, 15);
    expect(majorityVoteTopAccuracy(votes, 3)).toBeCloseTo(14 / 19, 15);
    expect(majorityVoteTopAccuracy(votes, 10)).toBeCloseTo(majorityVoteAccuracy(votes, majorityVoteMapping(votes)), 15);
    expect(majorityVoteTopAccuracy(intMatrix(2, 2), 2)).toBe(0);
  });
});

describe('lowestNormalizedVarianceDim', () => {
  it('takes the argmin of variance / scale, first index on ties', () => {
    expect(lowestNormalizedVarianceDim(Float64Array.of(1, 0.5, 2), Float64Array.of(1, 1, 8))).toBe(2);
    expect(lowestNormalizedVarianceDim(Float64Array.of(2, 1, 3), Float64Array.of(4, 2, 6))).toBe(0);
  });
  it('looks only at active dims', () => {
    const v = Float64Array.of(0, 1, 2);
    const s = Float64Array.of(1, 1, 1);
    expect(lowestNormalizedVarianceDim(v, s, Uint8Array.of(0, 1, 1))).toBe(1);
    expect(lowestNormalizedVarianceDim(v, s, Uint8Array.of(0, 0, 0))).toBe(-1);
  });
  it('skips NaN ratios by default and takes the first NaN with nanFirst', () => {
    const v = Float64Array.of(1, 0, 0.1, 0);
    const s = Float64Array.of(1, 0, 1, 0);
    expect(lowestNormalizedVarianceDim(v, s)).toBe(2);
    expect(lowestNormalizedVarianceDim(v, s, undefined, true)).toBe(1);
    // a zero scale with non-zero variance is NaN in ICR too (codes / 0 → ±inf, std → NaN)
    expect(lowestNormalizedVarianceDim(Float64Array.of(1, 3), Float64Array.of(1, 0), undefined, true)).toBe(1);
    expect(lowestNormalizedVarianceDim(Float64Array.of(NaN), Float64Array.of(1))).toBe(-1);
  });
});

describe('majority-vote properties', () => {
  const votesArb = fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }))
    .chain(([k, d]) => fc.array(fc.nat(30), { minLength: k * d, maxLength: k * d }).map((raw) => intMatrix(k, d, Int32Array.from(raw))));

  it('the revised accuracy grows with k and reaches the plain accuracy at k = D', () => {
    fc.assert(
      fc.property(votesArb, (v) => {
        const plain = majorityVoteAccuracy(v, majorityVoteMapping(v));
        let previous = 0;
        for (let k = 1; k <= v.cols; k++) {
          const top = majorityVoteTopAccuracy(v, k);
          if (top < previous - 1e-12 || top > plain + 1e-12) return false;
          previous = top;
        }
        return Math.abs(previous - plain) < 1e-12;
      }),
    );
  });

  it('the majority mapping is the best mapping: no other per-dim choice scores higher', () => {
    fc.assert(
      fc.property(votesArb, fc.array(fc.nat(4), { minLength: 7, maxLength: 7 }), (v, choice) => {
        const other = Int32Array.from({ length: v.cols }, (_, d) => choice[d] % v.rows);
        return majorityVoteAccuracy(v, other) <= majorityVoteAccuracy(v, majorityVoteMapping(v)) + 1e-12;
      }),
    );
  });

  it('lowestNormalizedVarianceDim returns an active dim with the smallest ratio', () => {
    const finite = fc.double({ min: 0, max: 10, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(finite, fc.double({ min: 0.01, max: 10, noNaN: true }), fc.boolean()), { minLength: 1, maxLength: 8 }),
        (dims) => {
          const v = Float64Array.from(dims, (x) => x[0]);
          const s = Float64Array.from(dims, (x) => x[1]);
          const active = Uint8Array.from(dims, (x) => (x[2] ? 1 : 0));
          const d = lowestNormalizedVarianceDim(v, s, active);
          if (!active.some((a) => a === 1)) return d === -1;
          if (!active[d]) return false;
          return dims.every((x, j) => !x[2] || v[d] / s[d] < x[0] / x[1] || (v[d] / s[d] === x[0] / x[1] && d <= j));
        },
      ),
    );
  });
});
