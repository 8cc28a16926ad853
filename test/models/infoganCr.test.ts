import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRng } from '../../src/core/rng.js';
import { countParams } from '../../src/models/layers.js';
import { buildInfoGanCr } from '../../src/models/infoganCr.js';
import { sampleContrastivePairs } from '../../src/models/infoganCrLatents.js';
import { discriminatorLoss, generatorAdversarialLoss, infoLoss, softmaxCrossEntropy } from '../../src/models/losses.js';
import { TINY_GAN as TINY } from '../helpers/tinyModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


function sum(xs: tf.Variable[]): number {
  return countParams(Object.fromEntries(xs.map((v, i) => [String(i), v])));
}

describe('InfoGAN-CR architecture', () => {
  it('every network gives the expected shapes on a small config', () => {
    const m = buildInfoGanCr(TINY);
    tf.tidy(() => {
      const z = tf.randomUniform([3, 10], -1, 1) as tf.Tensor2D;
      const x = m.generate(z, true);
      expect(x.shape).toEqual([3, 16, 16, 1]);
      const xs = x.dataSync();
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThanOrEqual(1);
      const { d, q } = m.discriminate(x);
      expect(d.shape).toEqual([3, 1]);
      expect(q.shape).toEqual([3, 5]);
      expect(m.crLogits(tf.concat([x, x], 3) as tf.Tensor4D).shape).toEqual([3, 5]);
      expect(m.generate(z, false).shape).toEqual([3, 16, 16, 1]);
    });
    m.dispose();
  });

  it('parameter counts of the full-size networks follow from the paper layer list', () => {
    const m = buildInfoGanCr();
    const conv = (k: number, i: number, o: number) => k * k * i * o + o;
    const fc = (i: number, o: number) => i * o + o;
    // G: FC 10→128, BN(128), FC 128→1024, BN(1024), deconv 64→64, BN, 64→32, BN, 32→32, BN, 32→1 (γ, β trainable)
    const g = fc(10, 128) + 2 * 128 + fc(128, 1024) + 2 * 1024 + conv(4, 64, 64) + 2 * 64 + conv(4, 64, 32) + 2 * 32 + conv(4, 32, 32) + 2 * 32 + conv(4, 32, 1);
    expect(sum(m.generatorVariables())).toBe(g);
    expect(g).toBe(251393);
    // D/Q trunk: conv 1→32, 32→32, 32→64, 64→64, FC 4·4·64→128; D: FC 128→1; Q: FC 128→128, FC 128→5
    const trunk = (inCh: number) => conv(4, inCh, 32) + conv(4, 32, 32) + conv(4, 32, 64) + conv(4, 64, 64) + fc(1024, 128);
    expect(sum(m.discriminatorVariables())).toBe(trunk(1) + fc(128, 1) + fc(128, 128) + fc(128, 5));
    // H: the same trunk on 2 channels, FC 128→5
    expect(sum(m.crVariables())).toBe(trunk(2) + fc(128, 5));
    // Non-trainable state: BN moving mean/var (2 per BN channel) and one SN vector u per SN layer (its output width)
    const all = countParams(m.params());
    const trainable = sum([...m.generatorVariables(), ...m.discriminatorVariables(), ...m.crVariables()]);
    const bnMoving = 2 * (128 + 1024 + 64 + 32 + 32);
    const snU = 32 + 32 + 64 + 64 + 128 + 1 + 128 + 5 + (32 + 32 + 64 + 64 + 128);
    expect(all - trainable).toBe(bnMoving + snU);
    m.dispose();
  });

  it('same seed → same weights; different seed → different weights', () => {
    const a = buildInfoGanCr({ ...TINY, seed: 3 });
    const b = buildInfoGanCr({ ...TINY, seed: 3 });
    const c = buildInfoGanCr({ ...TINY, seed: 4 });
    const pa = a.params();
    const pb = b.params();
    const pc = c.params();
    for (const k of Object.keys(pa)) expect(Array.from(pa[k].dataSync())).toEqual(Array.from(pb[k].dataSync()));
    expect(Array.from(pa['dq/conv0/kernel'].dataSync())).not.toEqual(Array.from(pc['dq/conv0/kernel'].dataSync()));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('rejects sizes the stride-2 layers cannot halve', () => {
    expect(() => buildInfoGanCr({ imageSize: 20 })).toThrow(/divisible/);
  });
});

describe('InfoGAN-CR losses', () => {
  it('L_Q at Q = c is k·½ln2π; L_D at D = ½ is 2 ln 2; CE of equal logits is ln K', () => {
    tf.tidy(() => {
      const c = tf.tensor2d([[0.1, -0.5, 0.3], [0.9, 0, -1]]);
      expect(infoLoss(c, c).dataSync()[0]).toBeCloseTo(1.5 * Math.log(2 * Math.PI), 5);
      // one unit error in one code of one of two rows adds ½·1/2
      const q = tf.tensor2d([[1.1, -0.5, 0.3], [0.9, 0, -1]]);
      expect(infoLoss(q, c).dataSync()[0]).toBeCloseTo(1.5 * Math.log(2 * Math.PI) + 0.25, 5);
      const half = tf.fill([4, 1], 0.5);
      expect(discriminatorLoss(half, half).dataSync()[0]).toBeCloseTo(2 * Math.log(2), 5);
      expect(generatorAdversarialLoss(half).dataSync()[0]).toBeCloseTo(Math.log(2), 5);
      expect(softmaxCrossEntropy(tf.zeros([3, 5]) as tf.Tensor2D, tf.tensor1d([0, 4, 2], 'int32')).dataSync()[0]).toBeCloseTo(Math.log(5), 5);
    });
  });

  it('contrastive pairs share code ι and the noise; the other codes are independent', () => {
    const { z1, z2, labels } = sampleContrastivePairs(200, 5, 5, createRng(1));
    let differing = 0;
    for (let i = 0; i < 200; i++) {
      expect(labels[i]).toBeGreaterThanOrEqual(0);
      expect(labels[i]).toBeLessThan(5);
      for (let k = 0; k < 10; k++) {
        const same = z1[i * 10 + k] === z2[i * 10 + k];
        if (k === labels[i] || k >= 5) expect(same).toBe(true);
        else if (!same) differing++;
        expect(Math.abs(z1[i * 10 + k])).toBeLessThanOrEqual(1);
      }
    }
    expect(differing).toBe(200 * 4);
    const counts = [0, 0, 0, 0, 0];
    labels.forEach((l) => counts[l]++);
    expect(Math.min(...counts)).toBeGreaterThan(20);
  });

  it('with a gap α the non-selected codes differ by at least α and stay in [−1, 1]', () => {
    const alpha = 1.9;
    const { z1, z2, labels } = sampleContrastivePairs(100, 3, 2, createRng(2), alpha);
    for (let i = 0; i < 100; i++) {
      for (let k = 0; k < 3; k++) {
        if (k === labels[i]) continue;
        const a = z1[i * 5 + k];
        const b = z2[i * 5 + k];
        expect(Math.abs(a - b)).toBeGreaterThanOrEqual(alpha - 1e-6);
        expect(Math.max(Math.abs(a), Math.abs(b))).toBeLessThanOrEqual(1 + 1e-6);
      }
    }
  });
});
