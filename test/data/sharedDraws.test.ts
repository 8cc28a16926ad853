import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { SharedDraws } from '../../src/data/sharedDraws.js';

const make = (v: number) => async () => ({
  codes: { data: Float64Array.from([v, v + 1]), rows: 1, cols: 2 },
  factors: { data: Int32Array.from([v]), rows: 1, cols: 1 },
});

describe('SharedDraws', () => {
  it('draws once per key, hands out copies a metric may change, and keys on seed, split, size, batch and rng maker', async () => {
    const shared = new SharedDraws();
    const key = { createRng, seed: 1, split: 'train' as const, numPoints: 1, batchSize: 16 };
    const first = await shared.draw(key, make(1));
    first.codes.data[0] = 99; // a metric standardising in place
    let reused = 0;
    const again = await shared.draw(key, make(7), () => reused++);
    expect(Array.from(again.codes.data)).toEqual([1, 2]);
    expect(Array.from(again.factors.data)).toEqual([1]);
    again.factors.data[0] = 5;
    expect(Array.from((await shared.draw(key, make(7))).factors.data)).toEqual([1]);
    expect(reused).toBe(1);
    expect(shared.sharedImages).toBe(2);
    const otherMaker = (seed: number) => createRng(seed);
    for (const other of [{ seed: 2 }, { split: 'test' as const }, { numPoints: 2 }, { batchSize: 8 }, { createRng: otherMaker }]) {
      expect((await shared.draw({ ...key, ...other }, make(3))).codes.data[0]).toBe(3);
    }
    expect(shared.sharedImages).toBe(2);
  });
});
