import { describe, expect, it } from 'vitest';
import { abortBarrier, availableThreads, BARRIER_SLOTS, runOnWorkers } from '../../src/core/threads.js';

const here = import.meta.url;

describe('worker threads (core/threads)', () => {
  it('runs one task per worker and reuses the workers', async () => {
    expect(await availableThreads()).toBeGreaterThanOrEqual(1);
    const replies = await runOnWorkers<{ n: number; doubled: number }>(here, 'workers/echoWorker', [{ n: 1 }, { n: 2 }]);
    expect(replies).toBeDefined();
    expect(await Promise.all(replies!)).toEqual([
      { n: 1, doubled: 2 },
      { n: 2, doubled: 4 },
    ]);
    const again = await runOnWorkers<{ doubled: number }>(here, 'workers/echoWorker', [{ n: 5 }]);
    expect((await again![0]).doubled).toBe(10);
  }, 60_000);

  it('rejects the reply of a worker that throws, and keeps the others usable', async () => {
    const replies = await runOnWorkers<unknown>(here, 'workers/echoWorker', [{ fail: true }, { n: 3 }]);
    await expect(replies![0]).rejects.toThrow(/asked to fail/);
    expect(await replies![1]).toEqual({ n: 3, doubled: 6 });
  }, 60_000);

  it('rejects (does not hang) when the worker module cannot be loaded', async () => {
    const replies = await runOnWorkers<unknown>(here, 'workers/noSuchWorker', [{ n: 1 }]);
    await expect(replies![0]).rejects.toThrow();
  }, 60_000);

  it('lets every party through the barrier, and abortBarrier releases waiting ones', async () => {
    const passing = new SharedArrayBuffer(BARRIER_SLOTS * 4);
    const both = await runOnWorkers<string>(here, 'workers/echoWorker', [
      { barrier: passing, parties: 2 },
      { barrier: passing, parties: 2 },
    ]);
    expect(await Promise.all(both!)).toEqual(['passed', 'passed']);
    // Three parties expected, only one arrives: it waits until the barrier is aborted.
    const stuck = new SharedArrayBuffer(BARRIER_SLOTS * 4);
    const lone = await runOnWorkers<string>(here, 'workers/echoWorker', [{ barrier: stuck, parties: 3 }]);
    setTimeout(() => abortBarrier(new Int32Array(stuck)), 200);
    expect(await lone![0]).toBe('aborted');
  }, 60_000);
});
