import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';

describe('setupBackend', () => {
  it('starts wasm by default in Node and computes on it', async () => {
    expect(await setupBackend()).toBe('wasm');
    const y = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
    expect(await y.data()).toEqual(new Float32Array([12]));
    y.dispose();
  });

  it('switches to cpu when asked, and back', async () => {
    expect(await setupBackend(['cpu'])).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await setupBackend(['wasm', 'cpu'])).toBe('wasm');
    await setupBackend(['cpu']);
  });

  it('falls through to the next backend when one cannot start', async () => {
    // webgpu cannot start in Node: the cpu backend is used instead
    expect(await setupBackend(['webgpu', 'cpu'])).toBe('cpu');
  });

  it('throws UNSUPPORTED naming preferred when none can start', async () => {
    try {
      await setupBackend(['webgpu']);
      throw new Error('no throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DisentangleError);
      expect((e as DisentangleError).code).toBe('UNSUPPORTED');
      expect((e as DisentangleError).argument).toBe('preferred');
    }
  });
});

describe('hasBackend / ensureBackend / requireBackend with a backend in use', () => {
  it('keep the backend in use', async () => {
    const { ensureBackend, hasBackend, requireBackend } = await import('../../src/core/backend.js');
    await setupBackend(['cpu']);
    expect(hasBackend()).toBe(true);
    expect(await ensureBackend()).toBe('cpu');
    expect(() => requireBackend('fn')).not.toThrow();
    expect(tf.getBackend()).toBe('cpu');
  });
});
