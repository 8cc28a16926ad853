/**
 * The two cancellation helpers every long computation uses: `raceAbort` (a callback's promise against the
 * AbortSignal, with the abandoned result disposed when it arrives) and `createYielder` (time-based turns of the
 * event loop, so timers and Ctrl-C get through synchronous work).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createYielder, disposeCallbackResult, forEachBatch, raceAbort } from '../../src/core/batching.js';
import { setupBackend } from '../../src/core/backend.js';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const later = <T>(ms: number, value: () => T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value()), ms));

beforeAll(async () => {
  await setupBackend(['cpu']);
});

describe('raceAbort', () => {
  it('passes values and rejections through when the signal never fires', async () => {
    const ac = new AbortController();
    await expect(raceAbort(5, ac.signal, 'cb')).resolves.toBe(5);
    await expect(raceAbort(Promise.resolve('x'), ac.signal, 'cb')).resolves.toBe('x');
    await expect(raceAbort(Promise.reject(new Error('boom')), ac.signal, 'cb')).rejects.toThrow('boom');
    await expect(raceAbort(Promise.resolve(7), undefined, 'cb')).resolves.toBe(7);
  });

  it('rejects a never-settling callback with ABORTED as soon as the signal fires, naming the callback', async () => {
    const t0 = Date.now();
    const err = await raceAbort(never(), AbortSignal.timeout(50), 'represent').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DisentangleError', code: 'ABORTED', argument: 'signal' });
    expect((err as Error).message).toContain('represent');
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('rejects at once on a signal that has already fired, and disposes a result that is already there', async () => {
    const ac = new AbortController();
    ac.abort();
    const before = tf.memory().numTensors;
    const t = tf.ones([2, 2]);
    await expect(raceAbort(t, ac.signal, 'cb')).rejects.toMatchObject({ code: 'ABORTED' });
    expect(t.isDisposed).toBe(true);
    await expect(raceAbort(never(), ac.signal, 'cb')).rejects.toMatchObject({ code: 'ABORTED' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes what an abandoned callback resolves to later: a tensor, an array or a { mean, logVar } object', async () => {
    const before = tf.memory().numTensors;
    const made: tf.Tensor[] = [];
    const make = (): tf.Tensor => {
      const t = tf.zeros([3, 2]);
      made.push(t);
      return t;
    };
    const ac = new AbortController();
    const runs = [
      raceAbort(later(40, make), ac.signal, 'a'),
      raceAbort(later(40, () => [make(), make()]), ac.signal, 'b'),
      raceAbort(later(40, () => ({ mean: make(), logVar: make(), note: 'kept' })), ac.signal, 'c'),
    ];
    setTimeout(() => ac.abort(), 5);
    for (const r of runs) await expect(r).rejects.toMatchObject({ code: 'ABORTED' });
    expect(made).toHaveLength(0); // nothing has arrived yet
    await new Promise((r) => setTimeout(r, 80));
    expect(made).toHaveLength(5);
    expect(made.every((t) => t.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('swallows a late rejection of an abandoned callback (no unhandled rejection)', async () => {
    const ac = new AbortController();
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 20));
    const run = raceAbort(late, ac.signal, 'cb');
    ac.abort();
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    await new Promise((r) => setTimeout(r, 40)); // vitest fails the file on an unhandled rejection
  });

  it('does not hold the signal: its abort listener is removed once the callback settles', async () => {
    const ac = new AbortController();
    let added = 0;
    let removed = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...a: Parameters<AbortSignal['addEventListener']>) => (added++, add(...a))) as AbortSignal['addEventListener'];
    ac.signal.removeEventListener = ((...a: Parameters<AbortSignal['removeEventListener']>) => (removed++, remove(...a))) as AbortSignal['removeEventListener'];
    for (let i = 0; i < 20; i++) await raceAbort(Promise.resolve(i), ac.signal, 'cb');
    expect(added).toBe(20);
    expect(removed).toBe(20);
  });
});

describe('disposeCallbackResult', () => {
  it('disposes tensors at the top level or one level inside, and leaves everything else alone', () => {
    const a = tf.ones([1]);
    const b = tf.ones([1]);
    const deep = tf.ones([1]);
    disposeCallbackResult({ mean: a, nested: { deep }, n: 3 });
    disposeCallbackResult([b, 'x', null]);
    disposeCallbackResult(null);
    disposeCallbackResult(4);
    expect([a.isDisposed, b.isDisposed, deep.isDisposed]).toEqual([true, true, false]);
    deep.dispose();
  });
});

describe('createYielder', () => {
  it('lets a timer fire during synchronous-looking work and stops with ABORTED soon after', async () => {
    const signal = AbortSignal.timeout(60);
    const y = createYielder(signal);
    const t0 = Date.now();
    let steps = 0;
    const spin = async (): Promise<void> => {
      for (;;) {
        const until = Date.now() + 2;
        while (Date.now() < until); // 2 ms of "synchronous" work per step
        steps++;
        await y.maybeYield();
      }
    };
    await expect(spin()).rejects.toMatchObject({ code: 'ABORTED' });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(55);
    expect(elapsed).toBeLessThan(400); // one yield interval (50 ms) after the timer at most, plus slack
    expect(steps).toBeGreaterThan(5);
  });

  it('yields to a macrotask only when due, so cheap steps stay cheap', async () => {
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    const y = createYielder(undefined, 10_000);
    for (let i = 0; i < 1000; i++) await y.maybeYield();
    expect(timerRan).toBe(false); // 1000 steps, no macrotask turn: the interval has not passed
    expect(y.due()).toBe(false);
    const eager = createYielder(undefined, 0);
    await eager.maybeYield();
    expect(timerRan).toBe(true);
  });

  it('gives forEachBatch turns of the event loop with synchronous bodies, so AbortSignal.timeout is seen', async () => {
    const t0 = Date.now();
    let batches = 0;
    const run = forEachBatch({ total: 1e9, batchSize: 1, stage: 's', signal: AbortSignal.timeout(50) }, () => {
      batches++;
      const until = Date.now() + 1;
      while (Date.now() < until);
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(batches).toBeGreaterThan(10);
  });
});
