import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { inceptionScoreFromProbabilities } from '../../src/metrics/inceptionScore.js';
import { DisentangleError } from '../../src/core/errors.js';

const oneHot = (c: number, C: number) => Array.from({ length: C }, (_, k) => (k === c ? 1 : 0));

describe('inceptionScoreFromProbabilities', () => {
  it('one-hot balanced rows: IS = C, mode-KL = 0, confidence 1, log-std 0', () => {
    for (const C of [2, 3, 5]) {
      const rows = Array.from({ length: 4 * C }, (_, i) => oneHot(i % C, C));
      const r = inceptionScoreFromProbabilities(rows);
      expect(r.inceptionScore).toBeCloseTo(C, 12);
      expect(r.modeKl).toBe(0);
      expect(r.confidence).toBe(1);
      expect(r.inceptionScoreLogStd).toBeCloseTo(0, 12);
      expect(r.modeCounts).toEqual(new Array(C).fill(4));
    }
  });
  it('uniform rows: IS = 1, confidence 1/C', () => {
    const r = inceptionScoreFromProbabilities(Array.from({ length: 7 }, () => [1 / 3, 1 / 3, 1 / 3]));
    expect(r.inceptionScore).toBeCloseTo(1, 12);
    expect(r.confidence).toBeCloseTo(1 / 3, 12);
  });
  it('one class only: IS = 1 and mode-KL = ln C', () => {
    const r = inceptionScoreFromProbabilities(Array.from({ length: 10 }, () => [0, 1, 0]));
    expect(r.inceptionScore).toBeCloseTo(1, 12);
    expect(r.modeKl).toBeCloseTo(Math.log(3), 12);
  });
  it('matches a hand computation with unequal KLs', () => {
    // rows p1 = [1, 0], p2 = [0.5, 0.5]; p̄ = [0.75, 0.25]
    const kl1 = Math.log(1 / 0.75);
    const kl2 = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
    const r = inceptionScoreFromProbabilities([[1, 0], [0.5, 0.5]]);
    expect(r.inceptionScore).toBeCloseTo(Math.exp((kl1 + kl2) / 2), 14);
    expect(r.inceptionScoreLogStd).toBeCloseTo(Math.abs(kl1 - kl2) / 2, 14);
    expect(r.confidence).toBeCloseTo(0.75, 14);
    // both argmax = class 0 (tie → first index): mode-KL = ln 2
    expect(r.modeKl).toBeCloseTo(Math.log(2), 14);
  });
  it('stays within the documented ranges on random probability rows', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 40 }), (raw) => {
        const rows = raw.map((r) => {
          const s = r.reduce((a, b) => a + b, 0);
          return r.map((v) => v / s);
        });
        const r = inceptionScoreFromProbabilities(rows);
        expect(r.inceptionScore).toBeGreaterThanOrEqual(1 - 1e-12);
        expect(r.inceptionScore).toBeLessThanOrEqual(3 + 1e-12);
        expect(r.confidence).toBeGreaterThanOrEqual(1 / 3 - 1e-12);
        expect(r.confidence).toBeLessThanOrEqual(1);
        expect(r.modeKl).toBeGreaterThanOrEqual(0);
        expect(r.modeKl).toBeLessThanOrEqual(Math.log(3) + 1e-12);
      }),
    );
  });
  it('accepts a tfjs tensor and does not leak', () => {
    const before = tf.memory().numTensors;
    const t = tf.tensor2d([[0.9, 0.1], [0.2, 0.8]]);
    const r = inceptionScoreFromProbabilities(t);
    t.dispose();
    expect(r.confidence).toBeCloseTo(0.85, 6);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('refuses rows that are not probability vectors', () => {
    expect(() => inceptionScoreFromProbabilities([[0.5, 0.6]])).toThrow(DisentangleError);
    expect(() => inceptionScoreFromProbabilities([[1.5, -0.5]])).toThrow(/non-negative/);
    expect(() => inceptionScoreFromProbabilities([[2, 3]])).toThrow(/softmax/);
    expect(() => inceptionScoreFromProbabilities([1, 1] as unknown as number[][])).toThrow(DisentangleError);
    expect(() => inceptionScoreFromProbabilities([])).toThrow(DisentangleError);
    expect(() => inceptionScoreFromProbabilities([[NaN, 1]])).toThrow(DisentangleError);
  });
});

describe('inceptionScoreFromProbabilities headline', () => {
  it('carries score = inceptionScore', () => {
    const r = inceptionScoreFromProbabilities([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]);
    expect(r.score).toBe(r.inceptionScore);
    expect(r.score).toBeGreaterThan(1);
  });
});
