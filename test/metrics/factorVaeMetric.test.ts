import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TensorLike } from '../../src/core/types.js';
import { computeFactorVaeMetric } from '../../src/metrics/factorVaeMetric.js';
import {
  collapsedRepresentation,
  factorVectorDataset,
  identityRepresentation,
  linearRepresentation,
  noisyRepresentation,
  rotatedRepresentation,
} from '../helpers/representations.js';

const small = { numTrain: 300, numEval: 200, numVarianceEstimate: 1000 };
const dataset = factorVectorDataset();
const K = 5;

function rowSums(m: number[][]): number[] {
  return m.map((r) => r.reduce((a, b) => a + b, 0));
}

describe('computeFactorVaeMetric (disentanglement_lib protocol)', () => {
  it('scores the identity representation 1 and maps each dim to its factor', async () => {
    const r = await computeFactorVaeMetric({ dataset, represent: identityRepresentation(), seed: 0, ...small });
    expect(r.evalAccuracy).toBe(1);
    expect(r.trainAccuracy).toBe(1);
    expect(r.mapping).toEqual([0, 1, 2, 3, 4]);
    expect(r.numActiveDims).toBe(5);
    expect(r.votes).toHaveLength(K);
    expect(rowSums(r.votes).reduce((a, b) => a + b)).toBe(300);
    expect(rowSums(r.evalVotes).reduce((a, b) => a + b)).toBe(200);
    // the scale is the variance of a uniform index / (size − 1): ((s² − 1) / 12) / (s − 1)²
    const expected = [3, 6, 40, 32, 32].map((s) => (s * s - 1) / 12 / ((s - 1) * (s - 1)));
    r.globalVariance.forEach((v, k) => expect(Math.abs(v - expected[k]) / expected[k]).toBeLessThan(0.1));
  });

  it('scores the collapsed (zero) representation 0 with no active dims', async () => {
    const seen: { done: number; total: number }[] = [];
    const r = await computeFactorVaeMetric({ dataset, represent: collapsedRepresentation(5), ...small, onProgress: (p) => seen.push(p) });
    expect(r).toMatchObject({ trainAccuracy: 0, evalAccuracy: 0, numActiveDims: 0, numCodeDims: 5 });
    expect(seen[seen.length - 1].done).toBe(seen[0].total); // the bar completes even though no vote was cast
    // every dim is pruned (global std 0 < 0.05): no vote is cast, and every score is DL's 0
    expect(r.globalVariance).toEqual([0, 0, 0, 0, 0]);
    expect(r.votes).toEqual(Array.from({ length: K }, () => [0, 0, 0, 0, 0]));
    expect(r.evalVotes).toEqual(r.votes);
    expect(r.mapping).toEqual([0, 0, 0, 0, 0]);
    expect(r).toMatchObject({ score: 0, revisedAccuracy: 0 });
  });

  it('prunes a constant dim and keeps votes under the true dim index', async () => {
    // codes [x0, 0, x1, x2, x3, x4]: dim 1 is pruned, dims 2..5 carry factors 1..4
    const represent = (x: TensorLike): TensorLike => {
      const o = x as { data: Float64Array; shape: [number, number] };
      const n = o.shape[0];
      const data = new Float64Array(n * 6);
      for (let i = 0; i < n; i++) {
        data[i * 6] = o.data[i * 5];
        for (let k = 1; k < 5; k++) data[i * 6 + k + 1] = o.data[i * 5 + k];
      }
      return { data, shape: [n, 6] };
    };
    const r = await computeFactorVaeMetric({ dataset, represent, ...small });
    expect(r.numActiveDims).toBe(5);
    expect(r.numCodeDims).toBe(6);
    expect(r.votes.every((row) => row[1] === 0)).toBe(true);
    expect([r.mapping[0], ...r.mapping.slice(2)]).toEqual([0, 1, 2, 3, 4]);
    expect(r.evalAccuracy).toBe(1);
  });

  it('ranks identity > noisy-entangled > rotated, all within [0, 1]', async () => {
    const opts = { dataset, seed: 3, ...small };
    const id = await computeFactorVaeMetric({ ...opts, represent: identityRepresentation() });
    const noisy = await computeFactorVaeMetric({ ...opts, represent: noisyRepresentation(5, { leak: 0.3, noise: 0.05 }) });
    const rot = await computeFactorVaeMetric({ ...opts, represent: rotatedRepresentation(5) });
    for (const r of [id, noisy, rot]) {
      expect(r.evalAccuracy).toBeGreaterThanOrEqual(0);
      expect(r.evalAccuracy).toBeLessThanOrEqual(1);
    }
    expect(id.evalAccuracy).toBeGreaterThan(noisy.evalAccuracy - 1e-12);
    expect(noisy.evalAccuracy).toBeGreaterThan(rot.evalAccuracy);
  });

  it('repeats with the same seed and changes with another', async () => {
    const run = (seed: number) =>
      computeFactorVaeMetric({ dataset, represent: noisyRepresentation(5, { noise: 0.2 }), seed, ...small });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(b).toEqual(a);
    expect(c.votes).not.toEqual(a.votes);
  });

  it('allows more code dims than factors (DL issue #12)', async () => {
    const mix = rotatedRepresentation(5);
    const represent = (x: TensorLike): TensorLike => {
      const o = x as { data: Float64Array; shape: [number, number] };
      const rot = mix(x) as { data: Float64Array; shape: [number, number] };
      const n = o.shape[0];
      const data = new Float64Array(n * 10);
      for (let i = 0; i < n; i++) {
        data.set(o.data.subarray(i * 5, i * 5 + 5), i * 10);
        data.set(rot.data.subarray(i * 5, i * 5 + 5), i * 10 + 5);
      }
      return { data, shape: [n, 10] };
    };
    const r = await computeFactorVaeMetric({ dataset, represent, ...small });
    expect(r.votes[0]).toHaveLength(10);
    expect(r.evalAccuracy).toBe(1);
  });

  it('keeps the training accuracy in [1/K, 1] and counts every vote for any linear code (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 35, maxLength: 35 }),
        fc.nat(1000),
        async (D, weights, seed) => {
          const represent = linearRepresentation(Float64Array.from(weights.slice(0, 5 * D)), D);
          const r = await computeFactorVaeMetric({ dataset, represent, seed, numTrain: 60, numEval: 30, numVarianceEstimate: 256 });
          if (r.numActiveDims === 0) return r.trainAccuracy === 0 && r.evalAccuracy === 0;
          const votes = r.votes.flat().reduce((a, b) => a + b, 0);
          return r.trainAccuracy >= 1 / K - 1e-12 && r.trainAccuracy <= 1 && r.evalAccuracy >= 0 && r.evalAccuracy <= 1 && votes === 60;
        },
      ),
      { numRuns: 15 },
    );
  });

  it('rejects bad options naming them', async () => {
    const represent = identityRepresentation();
    await expect(computeFactorVaeMetric({ dataset, represent, preset: 'x' as 'infogan-cr' })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'preset' });
    await expect(computeFactorVaeMetric({ dataset, represent, numTrain: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'numTrain' });
    await expect(computeFactorVaeMetric({ dataset, represent, pruneThreshold: -1 })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'pruneThreshold' });
    // a misspelt name is refused, naming the option it resembles, instead of running with the default
    await expect(computeFactorVaeMetric({ dataset, represent, numVarianceEstimates: 10 } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      argument: 'numVarianceEstimates',
      message: expect.stringContaining('numVarianceEstimate?'),
    });
    await expect(computeFactorVaeMetric({ dataset, represent, estimator: 'x' } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'estimator' });
  });
});

describe('computeFactorVaeMetric (InfoGAN-CR preset)', () => {
  const icr = { preset: 'infogan-cr' as const, numTrain: 100, batchSize: 40, numVarianceEstimate: 2000 };

  it('casts one vote per group, cycling through the factors, and scores the training votes', async () => {
    const r = await computeFactorVaeMetric({ dataset, represent: identityRepresentation(), ...icr });
    expect(rowSums(r.votes)).toEqual([20, 20, 20, 20, 20]);
    expect(r).toMatchObject({ trainAccuracy: 1, evalAccuracy: 1, revisedAccuracy: 1, evalMode: 'train' });
    expect(r.evalVotes).toEqual(r.votes);
  });

  it('gives a collapsed representation 1/K: NaN ratios vote for dim 0 as numpy argmin does', async () => {
    const r = await computeFactorVaeMetric({ dataset, represent: collapsedRepresentation(5), ...icr });
    expect(r.numActiveDims).toBe(5); // no pruning
    expect(r.votes.map((row) => row[0])).toEqual([20, 20, 20, 20, 20]);
    expect(r.trainAccuracy).toBeCloseTo(1 / K, 12);
  });

  it('credits at most K dims in revisedAccuracy', async () => {
    // each code dim duplicated with noise: both copies win votes, the revised score counts only K of them
    const noisy = noisyRepresentation(10, { leak: 0, noise: 0.02, seed: 5 });
    const represent = (x: TensorLike): TensorLike => {
      const o = x as { data: Float64Array; shape: [number, number] };
      const n = o.shape[0];
      const data = new Float64Array(n * 10);
      for (let i = 0; i < n; i++) for (let j = 0; j < 10; j++) data[i * 10 + j] = o.data[i * 5 + (j % 5)];
      return noisy({ data, shape: [n, 10] });
    };
    const r = await computeFactorVaeMetric({ dataset, represent, ...icr });
    expect(r.revisedAccuracy).toBeLessThan(r.trainAccuracy);
    expect(r.trainAccuracy).toBeGreaterThan(0.9);
  });

  it('offers a held-out evaluation on fresh groups', async () => {
    const r = await computeFactorVaeMetric({ dataset, represent: identityRepresentation(), ...icr, evalMode: 'heldout', numEval: 50 });
    expect(rowSums(r.evalVotes)).toEqual([10, 10, 10, 10, 10]);
    expect(r.evalAccuracy).toBe(1);
  });
});

describe('computeFactorVaeMetric against numpy (test/fixtures/factor-vae-votes.json)', () => {
  interface Case {
    batchSize: number;
    numVarianceEstimate: number;
    numTrain: number;
    numEval?: number;
    scaleBlocks: number[][][];
    voteBlocks: number[][][];
    winners: number[];
  }
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/factor-vae-votes.json', import.meta.url), 'utf8')) as {
    K: number;
    D: number;
    icr: Case & { votesKxD: number[][]; score: number; revised: number };
    icrZeroScale: Case & { votesKxD: number[][]; score: number; revised: number };
    dl: Case & { globalVariance: number[]; active: number[] };
  };
  const fixtureData = factorVectorDataset([50, 50, 50]);
  const sizes = ({ batchSize, numVarianceEstimate, numTrain, numEval }: Case) => ({ batchSize, numVarianceEstimate, numTrain, numEval });

  /** Hands out the fixture's code blocks in call order and records which factor each batch held fixed. */
  function replay(c: Case): { represent: (x: TensorLike) => TensorLike; heldFactors: number[] } {
    const blocks = [...c.scaleBlocks, ...c.voteBlocks];
    const heldFactors: number[] = [];
    let call = 0;
    const represent = (x: TensorLike): TensorLike => {
      const obs = x as { data: Float64Array; shape: [number, number] };
      if (call >= c.scaleBlocks.length) {
        const [n, k] = obs.shape;
        const constant = Array.from({ length: k }, (_, j) => j).filter((j) => Array.from({ length: n }, (_, i) => obs.data[i * k + j]).every((v) => v === obs.data[j]));
        expect(constant).toHaveLength(1);
        heldFactors.push(constant[0]);
      }
      return blocks[call++];
    };
    return { represent, heldFactors };
  }

  it.each(['icr', 'icrZeroScale'] as const)('InfoGAN-CR votes and scores (%s)', async (name) => {
    const c = fixture[name];
    const { represent } = replay(c);
    const r = await computeFactorVaeMetric({ dataset: fixtureData, represent, preset: 'infogan-cr', ...sizes(c) });
    expect(r.votes).toEqual(c.votesKxD);
    expect(r.trainAccuracy).toBeCloseTo(c.score, 12);
    expect(r.revisedAccuracy).toBeCloseTo(c.revised, 12);
  });

  it('disentanglement_lib scale, pruning, votes and accuracies', async () => {
    const c = fixture.dl;
    const { represent, heldFactors } = replay(c);
    const r = await computeFactorVaeMetric({ dataset: fixtureData, represent, ...sizes(c) });
    r.globalVariance.forEach((v, d) => expect(v).toBeCloseTo(c.globalVariance[d], 12));
    expect(r.numActiveDims).toBe(c.active.reduce((a, b) => a + b, 0));
    const tally = (from: number, to: number): number[][] => {
      const v = Array.from({ length: fixture.K }, () => new Array<number>(fixture.D).fill(0));
      for (let i = from; i < to; i++) v[heldFactors[i]][c.winners[i]] += 1;
      return v;
    };
    const train = tally(0, c.numTrain);
    const evalVotes = tally(c.numTrain, c.numTrain + (c.numEval ?? 0));
    expect(r.votes).toEqual(train);
    expect(r.evalVotes).toEqual(evalVotes);
    // DL: classifier = argmax over factors per dim (first on ties), accuracy = Σ_d votes[f(d)][d] / Σ votes
    const f = Array.from({ length: fixture.D }, (_, d) => train.reduce((best, row, k) => (row[d] > train[best][d] ? k : best), 0));
    const acc = (v: number[][]): number => f.reduce((s, k, d) => s + v[k][d], 0) / v.flat().reduce((a, b) => a + b, 0);
    expect(r.trainAccuracy).toBeCloseTo(acc(train), 12);
    expect(r.evalAccuracy).toBeCloseTo(acc(evalVotes), 12);
  });
});
