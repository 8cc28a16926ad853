import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import type { TensorLike } from '../../src/core/types.js';
import { arrayDataset } from '../../src/data/arrayDataset.js';
import { encodeDataset } from '../../src/data/encodeDataset.js';

beforeAll(async () => {
  await setupBackend(['cpu']);
});

/** Every tuple of factor sizes [2, 3, 4], in a shuffled row order, observed as the tuple itself. */
function shuffledGrid(): number[][] {
  const rows: number[][] = [];
  for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 4; c++) rows.push([a, b, c]);
  return rows.map((r, i) => [r, (i * 7) % rows.length] as const).sort((x, y) => x[1] - y[1]).map(([r]) => r);
}

describe('encodeDataset', () => {
  it('encodes row r of the table from the factors at C-order flat index r (numpy ravel_multi_index)', async () => {
    const grid = shuffledGrid();
    const dataset = arrayDataset({ factors: grid, observations: grid, factorSizes: [2, 3, 4] });
    const represent = (x: TensorLike) => x; // codes = observations = factors
    const { codes, shape } = await encodeDataset({ represent, dataset, batchSize: 5 });
    expect(shape).toEqual([24, 3]);
    for (let r = 0; r < 24; r++) expect(Array.from(codes.subarray(r * 3, r * 3 + 3))).toEqual([Math.floor(r / 12), Math.floor(r / 4) % 3, r % 4]);
  });

  it('refuses a misspelt option name, naming the closest valid one', async () => {
    const grid = shuffledGrid();
    const dataset = arrayDataset({ factors: grid, observations: grid });
    const e = await encodeDataset({ represent: (x: TensorLike) => x, dataset, batchsize: 5 } as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DisentangleError);
    expect(e).toMatchObject({ code: 'BAD_OPTION', argument: 'batchsize' });
    expect((e as Error).message).toMatch(/did you mean batchSize\?/);
  });
});
