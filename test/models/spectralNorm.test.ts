import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { createRng } from '../../src/core/rng.js';
import { spectralNormalize, spectralNormSigma, spectralNormState, updateSpectralNorm } from '../../src/models/spectralNorm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function largestSingularValue(w: tf.Tensor): number {
  const out = w.shape[w.shape.length - 1];
  const data = Array.from(w.dataSync());
  const rows: number[][] = [];
  for (let i = 0; i < data.length / out; i++) rows.push(data.slice(i * out, (i + 1) * out));
  return new SingularValueDecomposition(new Matrix(rows)).diagonal[0];
}

describe('spectral norm', () => {
  it('σ converges to the largest singular value of W viewed as [−1, out] (conv kernel)', () => {
    const rng = createRng(5);
    const w = tf.randomNormal([4, 4, 3, 6], 0, 0.1, 'float32', 1);
    const sn = spectralNormState(rng, 6, 'sn');
    for (let i = 0; i < 60; i++) updateSpectralNorm(w, sn);
    expect(spectralNormSigma(w, sn)).toBeCloseTo(largestSingularValue(w), 4);
    const normalized = spectralNormalize(w, sn);
    expect(largestSingularValue(normalized)).toBeCloseTo(1, 3);
    tf.dispose([w, normalized, sn.u]);
  });

  it('σ never exceeds the largest singular value (Rayleigh-quotient bound) and u stays unit length', () => {
    const w = tf.randomNormal([20, 8], 0, 1, 'float32', 2);
    const sn = spectralNormState(createRng(1), 8, 'sn');
    const top = largestSingularValue(w);
    for (let i = 0; i < 5; i++) {
      expect(spectralNormSigma(w, sn)).toBeLessThanOrEqual(top + 1e-4);
      updateSpectralNorm(w, sn);
      const norm = Math.hypot(...Array.from(sn.u.dataSync()));
      expect(norm).toBeCloseTo(1, 5);
    }
    tf.dispose([w, sn.u]);
  });

  it('spectralNormalize leaves u alone and leaks nothing', () => {
    const w = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
    const sn = spectralNormState(createRng(2), 3, 'sn');
    const u0 = Array.from(sn.u.dataSync());
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      spectralNormalize(w, sn);
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(sn.u.dataSync())).toEqual(u0);
    tf.dispose([w, sn.u]);
  });
});
