import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { registerGradients } from '../../src/models/gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import { createRng } from '../../src/core/rng.js';
import {
  batchNorm,
  batchNormState,
  conv2d,
  conv2dParams,
  countParams,
  deconv2d,
  deconv2dParams,
  dense,
  denseParams,
  disposeParams,
  flatten,
  leakyRelu,
} from '../../src/models/layers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  registerGradients();
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('layer shapes', () => {
  it('dense, conv2d, deconv2d, flatten give the shapes of the reference architectures', () => {
    const rng = createRng(1);
    const d = denseParams(rng, 12, 5, 't/fc');
    const c = conv2dParams(rng, 1, 8, 't/conv');
    const u = deconv2dParams(rng, 8, 3, 't/deconv');
    tf.tidy(() => {
      expect(dense(tf.ones([4, 12]) as tf.Tensor2D, d).shape).toEqual([4, 5]);
      const h = conv2d(tf.ones([2, 16, 16, 1]) as tf.Tensor4D, c);
      expect(h.shape).toEqual([2, 8, 8, 8]);
      expect(deconv2d(h, u, [2, 16, 16, 3]).shape).toEqual([2, 16, 16, 3]);
      expect(flatten(h).shape).toEqual([2, 512]);
    });
    expect(d.kernel.shape).toEqual([12, 5]);
    expect(c.kernel.shape).toEqual([4, 4, 1, 8]);
    expect(u.kernel.shape).toEqual([4, 4, 3, 8]); // [kh, kw, out, in]
    // 12·5 + 5, 4·4·1·8 + 8, 4·4·8·3 + 3
    expect(countParams({ ...prefixed('d', d), ...prefixed('c', c), ...prefixed('u', u) })).toBe(65 + 136 + 387);
    for (const p of [d, c, u]) disposeParams(p);
  });

  it('flatten keeps NHWC order (channel fastest)', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    expect(Array.from(flatten(x).dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    x.dispose();
  });

  it('initializers are seeded: same seed → same weights, truncated within 2σ', () => {
    const a = conv2dParams(createRng(7), 2, 4, 'a');
    const b = conv2dParams(createRng(7), 2, 4, 'b');
    expect(maxAbsDiff(a.kernel, b.kernel)).toBe(0);
    const w = a.kernel.dataSync();
    expect(Math.max(...Array.from(w, Math.abs))).toBeLessThanOrEqual(0.04 + 1e-7);
    disposeParams(a);
    disposeParams(b);
  });

  it('leakyRelu uses slope 0.2', () => {
    const y = leakyRelu(tf.tensor1d([-1, 2]));
    expect(Array.from(y.dataSync())).toEqual([expect.closeTo(-0.2, 6), 2]);
    y.dispose();
  });
});

function prefixed(prefix: string, p: Record<string, tf.Variable>): Record<string, tf.Variable> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [`${prefix}/${k}`, v]));
}

describe('custom convolution gradients match tfjs-core native ones', () => {
  for (const size of [8, 7]) {
    it(`conv2d and deconv2d filter and input gradients (input ${size}×${size})`, () => {
      const rng = createRng(3);
      const c = conv2dParams(rng, 3, 5, 'g/conv', 4, 0.3);
      const x = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
      const ours = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
        tf.sum(tf.square(conv2d(xi as tf.Tensor4D, { kernel: wi, bias: c.bias }))),
      )([x, c.kernel]);
      const ref = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
        tf.sum(tf.square(tf.add(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 2, 'same'), c.bias))),
      )([x, c.kernel]);
      expect(maxAbsDiff(ours[0], ref[0])).toBeLessThan(1e-4);
      expect(maxAbsDiff(ours[1], ref[1])).toBeLessThan(1e-4);

      const u = deconv2dParams(rng, 3, 2, 'g/deconv', 4, 0.3);
      const out: [number, number, number, number] = [2, size * 2, size * 2, 2];
      const ours2 = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
        tf.sum(tf.square(deconv2d(xi as tf.Tensor4D, { kernel: wi, bias: u.bias }, out))),
      )([x, u.kernel]);
      const ref2 = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
        tf.sum(tf.square(tf.add(tf.conv2dTranspose(xi as tf.Tensor4D, wi as tf.Tensor4D, out, 2, 'same'), u.bias))),
      )([x, u.kernel]);
      expect(maxAbsDiff(ours2[0], ref2[0])).toBeLessThan(1e-4);
      expect(maxAbsDiff(ours2[1], ref2[1])).toBeLessThan(1e-4);
      tf.dispose([x, ...ours, ...ref, ...ours2, ...ref2]);
      disposeParams(c);
      disposeParams(u);
    });
  }

  it('fused inference path equals the taped path', () => {
    const c = conv2dParams(createRng(4), 2, 3, 'f', 4, 0.5);
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
    const fused = conv2d(x, c, 2, 'leakyrelu');
    const [taped] = tf.tidy(() => {
      let y: tf.Tensor | undefined;
      tf.grads((xi: tf.Tensor) => {
        y = tf.keep(conv2d(xi as tf.Tensor4D, c, 2, 'leakyrelu'));
        return tf.sum(y);
      })([x]);
      return [y as tf.Tensor];
    });
    expect(maxAbsDiff(fused, taped)).toBeLessThan(1e-5);
    tf.dispose([x, fused, taped]);
    disposeParams(c);
  });
});

describe('batchNorm', () => {
  it('normalizes with batch statistics in training and moves the averages by decay 0.9', () => {
    const bn = batchNormState('bn', 2);
    const x = tf.tensor2d([1, 10, 3, 20], [2, 2]);
    const y = batchNorm(x, bn, true);
    // column 0: mean 2, var 1 → ±1/sqrt(1+1e-5); column 1: mean 15, var 25
    const v = y.dataSync();
    expect(v[0]).toBeCloseTo(-1 / Math.sqrt(1 + 1e-5), 5);
    expect(v[3]).toBeCloseTo(5 / Math.sqrt(25 + 1e-5), 5);
    expect(Array.from(bn.movingMean.dataSync())).toEqual([expect.closeTo(0.2, 5), expect.closeTo(1.5, 5)]);
    expect(Array.from(bn.movingVar.dataSync())).toEqual([expect.closeTo(1, 5), expect.closeTo(0.9 + 2.5, 5)]);
    const e = batchNorm(x, bn, false);
    expect(e.dataSync()[0]).toBeCloseTo((1 - 0.2) / Math.sqrt(1 + 1e-5), 5);
    tf.dispose([x, y, e]);
    disposeParams(bn);
  });

  it('leaks no tensors', () => {
    const bn = batchNormState('bn', 3);
    const x = tf.randomNormal([4, 2, 2, 3]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      batchNorm(x, bn, true);
    });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeParams(bn);
  });
});

describe('batchNorm gradient', () => {
  it('matches central finite differences in training mode', () => {
    const bn = batchNormState('g', 2);
    bn.gamma.assign(tf.tensor1d([1.5, 0.7]));
    const x = tf.tensor2d([0.3, -1, 2, 0.5, -0.7, 1.1, 0.9, 0.2], [4, 2]);
    const w = tf.tensor2d([1, -2, 0.5, 3, -1, 1, 2, 0.1], [4, 2]);
    const f = (xi: tf.Tensor) => tf.sum(tf.mul(batchNorm(xi, bn, true), w));
    const g = tf.grad(f)(x).dataSync();
    const base = x.dataSync();
    const h = 1e-2;
    for (let i = 0; i < base.length; i++) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[i] += h;
      minus[i] -= h;
      const num = tf.tidy(() => (f(tf.tensor2d(plus, [4, 2])).dataSync()[0] - f(tf.tensor2d(minus, [4, 2])).dataSync()[0]) / (2 * h));
      expect(g[i]).toBeCloseTo(num, 2);
    }
    tf.dispose([x, w]);
    disposeParams(bn);
  });
});
