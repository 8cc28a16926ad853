import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkCallbackRows, forEachBatch, ProgressCounter, yieldToEventLoop } from '../../src/core/batching.js';
import { DisentangleError } from '../../src/core/errors.js';
import type { Progress } from '../../src/core/types.js';

describe('forEachBatch', () => {
  it('covers 0..total once in order, in batches of at most batchSize, reporting progress after each (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(200), fc.integer({ min: 1, max: 64 }), async (total, batchSize) => {
        const seen: [number, number, number][] = [];
        const progress: Progress[] = [];
        await forEachBatch({ total, batchSize, stage: 's', onProgress: (p) => progress.push(p) }, (start, size, index) => {
          seen.push([start, size, index]);
        });
        expect(seen.length).toBe(Math.ceil(total / batchSize));
        let next = 0;
        seen.forEach(([start, size, index], i) => {
          expect([start, index]).toEqual([next, i]);
          expect(size).toBeGreaterThan(0);
          expect(size).toBeLessThanOrEqual(batchSize);
          next += size;
        });
        expect(next).toBe(total);
        expect(progress[0]).toEqual({ stage: 's', done: 0, total });
        expect(progress[progress.length - 1]).toEqual({ stage: 's', done: total, total });
        for (let i = 1; i < progress.length; i++) expect(progress[i].done).toBeGreaterThan(progress[i - 1].done);
      }),
      { numRuns: 60 },
    );
  });

  it('awaits each batch before starting the next', async () => {
    let alive = 0;
    let maxAlive = 0;
    await forEachBatch({ total: 10, batchSize: 3, stage: 's' }, async () => {
      alive++;
      maxAlive = Math.max(maxAlive, alive);
      await yieldToEventLoop();
      alive--;
    });
    expect(maxAlive).toBe(1);
  });

  it('stops with ABORTED between batches and before starting', async () => {
    const ctl = new AbortController();
    const done: number[] = [];
    await expect(
      forEachBatch({ total: 100, batchSize: 10, stage: 's', signal: ctl.signal }, (start) => {
        done.push(start);
        if (start === 20) ctl.abort();
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(done).toEqual([0, 10, 20]);
    await expect(forEachBatch({ total: 5, batchSize: 1, stage: 's', signal: ctl.signal }, () => undefined)).rejects.toBeInstanceOf(DisentangleError);
  });

  it('refuses a bad batch size, naming batchSize', async () => {
    for (const b of [0, -1, 1.5, NaN]) {
      await expect(forEachBatch({ total: 5, batchSize: b, stage: 's' }, () => undefined)).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'batchSize' });
    }
  });

  it('propagates an error thrown by the body', async () => {
    await expect(forEachBatch({ total: 5, batchSize: 2, stage: 's' }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});

describe('ProgressCounter and checkCallbackRows', () => {
  it('reports start, one step per call with its stage, and finish at the total', async () => {
    const got: Progress[] = [];
    const counter = new ProgressCounter((p) => got.push(p), 5, undefined);
    await counter.step('variance');
    await counter.step('votes');
    counter.finish('votes');
    expect(got).toEqual([
      { stage: 'start', done: 0, total: 5 },
      { stage: 'variance', done: 1, total: 5 },
      { stage: 'votes', done: 2, total: 5 },
      { stage: 'votes', done: 5, total: 5 },
    ]);
  });

  it('refuses an aborted signal at construction and stops a step after an abort', async () => {
    const controller = new AbortController();
    const counter = new ProgressCounter(undefined, 3, controller.signal);
    await counter.step('s');
    controller.abort();
    await expect(counter.step('s')).rejects.toMatchObject({ code: 'ABORTED' });
    expect(() => new ProgressCounter(undefined, 3, controller.signal)).toThrow(DisentangleError);
  });

  it('throws CALLBACK_RESULT naming the callback when the row count is wrong', () => {
    expect(() => checkCallbackRows(4, 4, 'represent')).not.toThrow();
    try {
      checkCallbackRows(3, 4, 'represent');
      throw new Error('no throw');
    } catch (e) {
      expect((e as DisentangleError).code).toBe('CALLBACK_RESULT');
      expect((e as DisentangleError).argument).toBe('represent');
    }
  });
});
