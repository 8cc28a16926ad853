import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import type { Rng } from '../../src/core/rng.js';
import type { GenerativeModel, Progress } from '../../src/core/types.js';
import { modelCentrality } from '../../src/selection/modelCentrality.js';
import { makePopulation } from '../helpers/populations.js';

type Block = { data: Float64Array; shape: [number, number] };

const uniform = (dims: number) => (n: number, rng: Rng): Block => ({ data: Float64Array.from({ length: n * dims }, () => 2 * rng.float() - 1), shape: [n, dims] });
const mapRows = (x: Block, f: (row: Float64Array) => number[]): Block => {
  const [n, d] = x.shape;
  const rows = Array.from({ length: n }, (_, r) => f(x.data.subarray(r * d, (r + 1) * d)));
  return { data: Float64Array.from(rows.flat()), shape: [n, rows[0].length] };
};

/** Generator = identity on a uniform prior; the encoder is given. */
function model(represent: (x: Block) => Block, latentDims = 3): GenerativeModel<Block> {
  return { latentDims, sampleLatents: uniform(latentDims), generate: (z) => z as Block, represent };
}
const identity = model((x) => x);
const permutedFlipped = model((x) => mapRows(x, (r) => [-r[2], r[0], -r[1]]));
const constant = model((x) => mapRows(x, () => [0, 0, 0]));
const small = { groupSize: 20, scaleSetSize: 500, batchSize: 200 };

describe('modelCentrality: hand-computed population', () => {
  it('scores identity-like encoders 1, a constant encoder 1/K (NaN-first votes), and picks the first central model', async () => {
    const r = await modelCentrality({ models: [identity, permutedFlipped, constant], ...small });
    // d[i][j]: encoders 0 and 1 recover every fixed dim; encoder 2's zero-std codes send every vote to dim 0.
    expect(r.pairwise[0]).toEqual([1, 1, 1]);
    expect(r.pairwise[1]).toEqual([1, 1, 1]);
    r.pairwise[2].forEach((v) => expect(v).toBeCloseTo(1 / 3, 15));
    expect(r.symmetric[0][2]).toBeCloseTo(2 / 3, 15);
    expect(r.centrality[0]).toBeCloseTo(5 / 6, 15);
    expect(r.centrality[1]).toBeCloseTo(5 / 6, 15);
    expect(r.centrality[2]).toBeCloseTo(2 / 3, 15);
    expect(r.selected).toBe(0);
    expect(r.ranking).toEqual([0, 1, 2]);
    expect(r.groups).toEqual([300, 300, 300]); // default 100 × codeDims
    expect(r.votes[2][0]).toEqual([[100, 0, 0], [100, 0, 0], [100, 0, 0]]);
    expect(r.votes[1][0]).toEqual([[0, 100, 0], [0, 0, 100], [100, 0, 0]]);
  });

  it('holds only the first codeDims fixed and handles encoders of another width', async () => {
    // Data model: 4 latent dims, the first 2 are codes; encoder of width 2 reads latent dims 1 and 0.
    const coded: GenerativeModel<Block> = { ...model((x) => mapRows(x, (r) => [r[0], r[1], r[2]]), 4), codeDims: 2 };
    const narrow = model((x) => mapRows(x, (r) => [r[1], r[0]]), 4);
    const r = await modelCentrality({ models: [coded, narrow], ...small, groups: 40 });
    expect(r.groups).toEqual([40, 40]);
    expect(r.votes[1][0]).toEqual([[0, 20], [20, 0]]); // 2 codes × 2 encoder dims
    expect(r.votes[0][1]).toHaveLength(4); // narrow model: codeDims defaults to latentDims
    expect(r.votes[0][1][0]).toHaveLength(3);
    expect(r.pairwise[1][0]).toBe(1);
  });

  it('offers the revised variant and a pluggable metric', async () => {
    const models = [identity, constant];
    const revised = await modelCentrality({ models, ...small, metric: 'factorvae-revised' });
    const plain = await modelCentrality({ models, ...small });
    revised.pairwise.flat().forEach((v, i) => expect(v).toBeLessThanOrEqual(plain.pairwise.flat()[i] + 1e-15));
    const seen: number[] = [];
    const custom = await modelCentrality({
      models,
      ...small,
      metric: ({ votes, normalizedVariances, labels }) => {
        seen.push(normalizedVariances.rows, labels.length);
        return votes.data.reduce((s, v) => s + v, 0) / 1000;
      },
    });
    expect(custom.pairwise.flat()).toEqual([0.3, 0.3, 0.3, 0.3]);
    expect(seen.every((v) => v === 300)).toBe(true);
  });

  it('is deterministic for a seed', async () => {
    // Fresh populations: their encoders sample with their own seeded noise, which advances between runs.
    const run = (seed: number) => modelCentrality({ models: makePopulation({ seed: 11, size: 3 }).models.map((m) => m.model), ...small, seed });
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(a.pairwise).toEqual(b.pairwise);
    expect(c.pairwise).not.toEqual(a.pairwise);
  });
});

interface Fixture {
  codeDims: number[];
  widths: number[];
  scaleSetSize: number;
  groups: number;
  groupSize: number;
  codes: number[][][][];
  pairwise: number[][];
  votes: number[][][][];
  centrality: number[];
}

describe('modelCentrality against the InfoGAN-CR computation (scripts/fixtures/model_centrality_reference.py)', () => {
  const fx = JSON.parse(readFileSync(new URL('../fixtures/model_centrality_reference.json', import.meta.url), 'utf8')) as Fixture;
  // Model j's latents carry a row number in their last (non-code) column; its "images" are (j, row) pairs and
  // encoder i looks its codes up in the table, so the library sees exactly the fixture's scale set and groups.
  const fixtureModels = (): GenerativeModel<{ j: number; rows: number[] }>[] =>
    fx.codeDims.map((k, j) => {
      let next = 0;
      return {
        latentDims: k + 1,
        codeDims: k,
        sampleLatents: (n: number) => ({ data: Float64Array.from({ length: n * (k + 1) }, (_, p) => (p % (k + 1) === k ? next + Math.floor(p / (k + 1)) : 0)), shape: [n, k + 1] }),
        generate: (z) => {
          const b = z as Block;
          const rows = Array.from({ length: b.shape[0] }, (_, r) => b.data[r * (k + 1) + k]);
          next += rows.length;
          return { j, rows };
        },
        represent: (obs) => obs.rows.map((r) => fx.codes[j][obs.j][r]), // encoder j, data model obs.j
      };
    });

  it('matches d, the votes and the centralities, NaN-first votes included', async () => {
    // 13 splits the scale set and the groups across uneven batches; 1000 takes each in one call.
    for (const batchSize of [1000, 13]) {
      const r = await modelCentrality({ models: fixtureModels(), groups: fx.groups, groupSize: fx.groupSize, scaleSetSize: fx.scaleSetSize, batchSize });
      expect(r.pairwise).toEqual(fx.pairwise);
      expect(r.votes).toEqual(fx.votes);
      r.centrality.forEach((c, i) => expect(c).toBeCloseTo(fx.centrality[i], 14));
    }
  });
});

describe('modelCentrality: streaming, progress, abort, tensors', () => {
  it('generates each batch once, encodes it with every model, and never asks for more than a batch', async () => {
    const calls = { generate: [0, 0], represent: [0, 0], maxRows: 0 };
    const counted = (j: number, base: GenerativeModel<Block>): GenerativeModel<Block> => ({
      ...base,
      generate: (z) => {
        calls.generate[j]++;
        calls.maxRows = Math.max(calls.maxRows, (z as Block).shape[0]);
        return base.generate(z);
      },
      represent: (x) => {
        calls.represent[j]++;
        return base.represent(x);
      },
    });
    const r = await modelCentrality({ models: [counted(0, identity), counted(1, permutedFlipped)], groupSize: 20, scaleSetSize: 500, batchSize: 200, groups: 60 });
    // Per data model: ceil(500 / 200) = 3 scale batches + 60 groups / (200 / 20) = 6 group batches.
    expect(calls.generate).toEqual([9, 9]);
    expect(calls.represent).toEqual([18, 18]);
    expect(r.encodes).toBe(36);
    expect(calls.maxRows).toBe(200);
  });

  it('reports pairs done and stops when aborted', async () => {
    const seen: Progress[] = [];
    await modelCentrality({ models: [identity, identity, constant], ...small, groups: 30, onProgress: (p) => seen.push(p) });
    const done = seen.map((p) => p.done);
    // 1100 rows per data model (500 scale + 30 × 20): its 3 pairs advance at 400 and 900 rows, then complete.
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen.every((p) => p.total === 9 && p.stage === 'pairs')).toBe(true);
    const ac = new AbortController();
    const run = modelCentrality({ models: [identity, identity, constant], ...small, groups: 30, signal: ac.signal, onProgress: (p) => p.done === 3 && ac.abort() });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
  });

  describe('with tfjs tensors', () => {
    beforeAll(async () => {
      await setupBackend(['cpu']);
    });
    it('reduces tensors on their backend and leaks none', async () => {
      const pop = makePopulation({ seed: 4, size: 3, tensors: true });
      const arrays = makePopulation({ seed: 4, size: 3 });
      const before = tf.memory().numTensors;
      const r = await modelCentrality({ models: pop.models.map((m) => m.model), ...small });
      expect(tf.memory().numTensors).toBe(before);
      // Same structure in float32 on the device: the scores agree up to rare argmin flips.
      const a = await modelCentrality({ models: arrays.models.map((m) => m.model), ...small });
      r.pairwise.flat().forEach((v, i) => expect(Math.abs(v - a.pairwise.flat()[i])).toBeLessThan(0.05));
    });
    it('disposes what it owns when a callback fails', async () => {
      const pop = makePopulation({ seed: 4, size: 2, tensors: true });
      const broken = { ...pop.models[1].model, represent: (x: unknown) => tf.slice(x as tf.Tensor2D, [0, 0], [5, -1]) };
      const before = tf.memory().numTensors;
      await expect(modelCentrality({ models: [pop.models[0].model, broken], ...small })).rejects.toMatchObject({ code: 'CALLBACK_RESULT', argument: 'models[1].represent' });
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

describe('modelCentrality: bad input', () => {
  const fails = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(DisentangleError);
      return `${(e as DisentangleError).code} ${(e as DisentangleError).argument}`;
    }
    return 'no error';
  };
  it('refuses fewer than two models', async () => {
    expect(await fails(modelCentrality({ models: [identity] }))).toMatch(/^EMPTY models/);
    expect(await fails(modelCentrality({ models: undefined as never }))).toMatch(/^BAD_INPUT models/);
  });
  it('refuses a generator that returns the wrong number of observations', async () => {
    const bad: GenerativeModel<Block> = { ...identity, generate: (z) => ({ data: (z as Block).data.subarray(0, 3), shape: [1, 3] }) };
    expect(await fails(modelCentrality({ models: [identity, bad], ...small }))).toBe('CALLBACK_RESULT models[1].generate');
  });
  it('refuses latents of the wrong shape and encoders that change width', async () => {
    const wide: GenerativeModel<Block> = { ...identity, sampleLatents: uniform(4) };
    expect(await fails(modelCentrality({ models: [wide, identity], ...small }))).toBe('CALLBACK_RESULT models[0].sampleLatents');
    let calls = 0;
    const fickle = model((x) => mapRows(x, (r) => (calls === 0 ? [r[0], r[1]] : [r[0]])));
    const first = fickle.represent;
    fickle.represent = (x) => {
      const out = first(x);
      calls++;
      return out;
    };
    expect(await fails(modelCentrality({ models: [identity, fickle], ...small }))).toBe('CALLBACK_RESULT models[1].represent');
  });
  it('refuses a codeDims wider than latentDims and a group of one sample', async () => {
    expect(await fails(modelCentrality({ models: [{ ...identity, codeDims: 4 }, identity] }))).toBe('BAD_OPTION models[0].codeDims');
    expect(await fails(modelCentrality({ models: [identity, identity], groupSize: 1 }))).toBe('BAD_OPTION groupSize');
    expect(await fails(modelCentrality({ models: [identity, identity], metric: 'mig' as never }))).toBe('BAD_OPTION metric');
  });
});

describe('modelCentrality options', () => {
  it('refuses a misspelt option name, naming the closest valid one', async () => {
    const e = await modelCentrality({ models: [], groupsize: 10 } as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DisentangleError);
    expect(e).toMatchObject({ code: 'BAD_OPTION', argument: 'groupsize' });
    expect((e as Error).message).toMatch(/not an option of modelCentrality; did you mean groupSize\?/);
  });
});
