import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRng } from '../../src/core/rng.js';
import { countParams } from '../../src/models/layers.js';
import { buildFactorVae, reparameterize } from '../../src/models/factorVae.js';
import { bernoulliReconstructionLoss, gaussianKl } from '../../src/models/losses.js';
import { betaTcvaeTerms, permuteDims } from '../../src/models/trainFactorVae.js';
import { TINY_VAE as TINY } from '../helpers/tinyModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


function sum(xs: tf.Variable[]): number {
  return countParams(Object.fromEntries(xs.map((v, i) => [String(i), v])));
}

describe('FactorVAE architecture', () => {
  it('encoder, decoder and TC discriminator shapes on a small config', () => {
    const m = buildFactorVae(TINY);
    tf.tidy(() => {
      const x = tf.randomUniform([3, 16, 16, 1]) as tf.Tensor4D;
      const { mu, logVar } = m.encode(x);
      expect(mu.shape).toEqual([3, 4]);
      expect(logVar.shape).toEqual([3, 4]);
      expect(m.decodeLogits(mu).shape).toEqual([3, 16, 16, 1]);
      expect(m.discriminatorLogits(mu).shape).toEqual([3, 2]);
    });
    m.dispose();
  });

  it('parameter counts of the full-size networks follow from the paper layer list', () => {
    const m = buildFactorVae();
    const conv = (k: number, i: number, o: number) => k * k * i * o + o;
    const fc = (i: number, o: number) => i * o + o;
    // encoder conv 1→32→32→64→64, FC 4·4·64→128, μ and logvar 128→10; decoder FC 10→128→1024, deconvs 64→64→32→32→1
    const encoder = conv(4, 1, 32) + conv(4, 32, 32) + conv(4, 32, 64) + conv(4, 64, 64) + fc(1024, 128) + 2 * fc(128, 10);
    const decoder = fc(10, 128) + fc(128, 1024) + conv(4, 64, 64) + conv(4, 64, 32) + conv(4, 32, 32) + conv(4, 32, 1);
    expect(sum(m.vaeVariables())).toBe(encoder + decoder);
    // T: 10→1000, four 1000→1000, 1000→2
    expect(sum(m.discriminatorVariables())).toBe(fc(10, 1000) + 4 * fc(1000, 1000) + fc(1000, 2));
    expect(countParams(m.params())).toBe(encoder + decoder + fc(10, 1000) + 4 * fc(1000, 1000) + fc(1000, 2));
    m.dispose();
  });
});

describe('VAE losses', () => {
  it('BCE-with-logits at logit 0 is ln 2 per pixel, summed over pixels; matches the naive formula elsewhere', () => {
    tf.tidy(() => {
      const x = tf.tensor4d([1, 0, 1, 1, 0, 0, 1, 0], [2, 2, 2, 1]);
      expect(bernoulliReconstructionLoss(tf.zerosLike(x) as tf.Tensor4D, x).dataSync()[0]).toBeCloseTo(4 * Math.log(2), 5);
      const l = [0.3, -2, 5, -0.1, 1, 2, -3, 0.5];
      const xs = [1, 0, 1, 1, 0, 0, 1, 0];
      const sig = (v: number) => 1 / (1 + Math.exp(-v));
      const naive = l.reduce((a, v, i) => a - (xs[i] * Math.log(sig(v)) + (1 - xs[i]) * Math.log(1 - sig(v))), 0) / 2;
      expect(bernoulliReconstructionLoss(tf.tensor4d(l, [2, 2, 2, 1]), x).dataSync()[0]).toBeCloseTo(naive, 4);
    });
  });

  it('KL is 0 at the prior and ½μ² per unit-variance dim', () => {
    tf.tidy(() => {
      const zero = tf.zeros([2, 3]) as tf.Tensor2D;
      expect(gaussianKl(zero, zero).dataSync()[0]).toBeCloseTo(0, 6);
      expect(gaussianKl(tf.fill([2, 3], 2) as tf.Tensor2D, zero).dataSync()[0]).toBeCloseTo(3 * 2, 5);
      // logvar = ln 4: ½(−1 − ln4 + 4) per dim
      expect(gaussianKl(zero, tf.fill([1, 3], Math.log(4)) as tf.Tensor2D).dataSync()[0]).toBeCloseTo(1.5 * (3 - Math.log(4)), 5);
    });
  });

  it('β-TCVAE terms add up to mean[log q(z|x) − log p(z)] (MI + TC + dim-wise KL telescopes)', () => {
    tf.tidy(() => {
      const rng = createRng(3);
      const mu = tf.tensor2d(Array.from({ length: 24 }, () => rng.normal()), [6, 4]);
      const logVar = tf.tensor2d(Array.from({ length: 24 }, () => 0.3 * rng.normal()), [6, 4]);
      const eps = tf.tensor2d(Array.from({ length: 24 }, () => rng.normal()), [6, 4]);
      const z = reparameterize(mu, logVar, eps);
      const { mi, tc, dimensionWiseKl } = betaTcvaeTerms(z, mu, logVar, 1000);
      const total = mi.dataSync()[0] + tc.dataSync()[0] + dimensionWiseKl.dataSync()[0];
      const ln = (v: number, m: number, lv: number) => -0.5 * (Math.log(2 * Math.PI) + lv + ((v - m) ** 2) / Math.exp(lv));
      const zs = z.dataSync();
      const ms = mu.dataSync();
      const ls = logVar.dataSync();
      let ref = 0;
      for (let i = 0; i < 24; i++) ref += ln(zs[i], ms[i], ls[i]) - ln(zs[i], 0, 0);
      expect(total).toBeCloseTo(ref / 6, 4);
      // Identical posteriors N(0, I) and z = 0: log q(z) = Σ_d c − ln N, Σ_d log q(z_d) = Σ_d c − D ln N,
      // so the MWS estimate of TC is (D − 1) ln N.
      const zero = tf.zeros([5, 3]) as tf.Tensor2D;
      expect(betaTcvaeTerms(zero, zero, zero, 100).tc.dataSync()[0]).toBeCloseTo(2 * Math.log(100), 4);
    });
  });

  it('permuteDims permutes each column within the batch', () => {
    tf.tidy(() => {
      const z = tf.tensor2d(Array.from({ length: 40 }, (_, i) => i), [20, 2]);
      const p = permuteDims(z, createRng(1)).arraySync() as number[][];
      for (const j of [0, 1]) {
        const col = p.map((r) => r[j]).sort((a, b) => a - b);
        expect(col).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + j));
      }
      expect(p.map((r) => r[0])).not.toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
    });
  });
});
