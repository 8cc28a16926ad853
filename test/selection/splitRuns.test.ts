import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { centralityFromPairwise, modelCentrality, modelCentralityColumn } from '../../src/selection/modelCentrality.js';
import { udr, udrFromRepresentations, udrRepresentation } from '../../src/selection/udr.js';
import type { GenerativeModel, Posterior } from '../../src/core/types.js';
import { makePopulation } from '../helpers/populations.js';

// A population run computes ModelCentrality one pair (or one column) at a time and UDR one model at a time,
// possibly in other processes: the pieces must reassemble into the single-call numbers exactly.
const sizes = { groups: 40, groupSize: 20, scaleSetSize: 600, batchSize: 200 };

/**
 * The helper's encoders sample z = μ + σ·ε from a stream that runs on across calls, so a split run hands
 * them their noise in another order: bit-identity is a property of deterministic encoders (μ), which these are.
 */
function deterministic(seed: number, size: number, tensors = false): GenerativeModel[] {
  return makePopulation({ seed, size, tensors }).models.map((m) => ({
    ...m.model,
    represent: (x) => {
      const { mean, logVar } = m.udr(x) as Posterior;
      if (logVar instanceof tf.Tensor) logVar.dispose();
      return mean;
    },
  }));
}

describe('ModelCentrality in pieces', () => {
  it('pairs computed one at a time, in any order, give the single run bit for bit', async () => {
    const models = deterministic(3, 4);
    const whole = await modelCentrality({ models, seed: 7, ...sizes });
    const n = models.length;
    const d = Array.from({ length: n }, () => new Array<number>(n).fill(NaN));
    // Reverse order: a column's numbers must not depend on which columns a process computed before.
    for (let j = n - 1; j >= 0; j--) {
      for (let i = n - 1; i >= 0; i--) {
        const col = await modelCentralityColumn({ generator: models[j], generatorIndex: j, encoders: [models[i]], encoderIndices: [i], seed: 7, ...sizes });
        d[i][j] = col.scores[0];
        expect(col.votes[0]).toEqual(whole.votes[i][j]);
        expect(col.groups).toBe(whole.groups[j]);
      }
    }
    expect(d).toEqual(whole.pairwise);
    const merged = centralityFromPairwise(d);
    expect(merged.centrality).toEqual(whole.centrality);
    expect(merged.ranking).toEqual(whole.ranking);
    expect(merged.selected).toBe(whole.selected);
  });

  it('a column over several encoders equals the single-encoder pairs, and another seed changes it', async () => {
    const models = deterministic(4, 3);
    const col = await modelCentralityColumn({ generator: models[1], generatorIndex: 1, encoders: [models[2], models[0]], encoderIndices: [2, 0], seed: 1, ...sizes });
    const alone = await modelCentralityColumn({ generator: models[1], generatorIndex: 1, encoders: [models[0]], encoderIndices: [0], seed: 1, ...sizes });
    expect(col.scores[1]).toBe(alone.scores[0]);
    const other = await modelCentralityColumn({ generator: models[1], generatorIndex: 1, encoders: [models[0]], encoderIndices: [0], seed: 2, ...sizes });
    expect(other.votes[0]).not.toEqual(alone.votes[0]);
  });

  it('checks its arguments and leaks no tensors', async () => {
    const [a, b] = deterministic(5, 2, true);
    const before = tf.memory().numTensors;
    await modelCentralityColumn({ generator: a, generatorIndex: 0, encoders: [a, b], encoderIndices: [0, 1], ...sizes });
    expect(tf.memory().numTensors).toBe(before);
    await expect(modelCentralityColumn({ generator: a, generatorIndex: 0, encoders: [], encoderIndices: [], ...sizes })).rejects.toMatchObject({ code: 'EMPTY', argument: 'encoders' });
    await expect(modelCentralityColumn({ generator: a, generatorIndex: 0, encoders: [b], encoderIndices: [], ...sizes })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'encoderIndices' });
    await expect(modelCentralityColumn({ generator: a, generatorIndex: -1, encoders: [b], encoderIndices: [1], ...sizes })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'generatorIndex' });
  });
});

describe('UDR in pieces', () => {
  for (const correlation of ['lasso', 'spearman'] as const) {
    it(`${correlation}: per-model representations reassemble into the single run bit for bit`, async () => {
      const pop = makePopulation({ seed: 6, size: 4 });
      const udrModels = pop.models.map((m) => m.udr);
      const whole = await udr({ models: udrModels, dataset: pop.dataset, correlation, numDataPoints: 200, seed: 3 });
      const reps = [];
      for (let m = udrModels.length - 1; m >= 0; m--) reps[m] = await udrRepresentation({ model: udrModels[m], modelIndex: m, dataset: pop.dataset, numDataPoints: 200, seed: 3 });
      const merged = await udrFromRepresentations(reps, { correlation });
      expect(merged.pairwise).toEqual(whole.pairwise);
      expect(merged.scores).toEqual(whole.scores);
      expect(merged.kl).toEqual(whole.kl);
      expect(merged.ranking).toEqual(whole.ranking);
      expect(merged.selected).toBe(whole.selected);
    });
  }

  it('refuses representations of different shapes or forms', async () => {
    const mean = { data: new Float64Array(20), rows: 10, cols: 2 };
    const narrow = { data: new Float64Array(10), rows: 10, cols: 1 };
    await expect(udrFromRepresentations([{ mean, kl: [1, 1] }, { mean: narrow, kl: [1] }], { correlation: 'lasso' })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH', argument: 'reps[1]' });
    await expect(udrFromRepresentations([{ mean, kl: [1, 1] }, { mean, kl: [1] }], { correlation: 'lasso' })).rejects.toMatchObject({ code: 'BAD_INPUT', argument: 'reps[1]' });
    await expect(udrFromRepresentations([{ mean, kl: [1, 1] }], { correlation: 'lasso' })).rejects.toMatchObject({ code: 'EMPTY' });
  });
});
