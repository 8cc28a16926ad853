/**
 * Both selectors under faults (issue 15): a callback that never settles, `AbortSignal.timeout` → `ABORTED` within
 * 1 s and nothing leaked; a result that arrives after the abort is disposed; failing callbacks leak nothing
 * (ModelCentrality's latents included); a slow but finite population keeps timers and progress moving and
 * stops promptly when aborted (ModelCentrality never yielded before: a 9-minute `select` ignored Ctrl-C).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import type { Rng } from '../../src/core/rng.js';
import type { FactorBatch, GenerativeModel, GroundTruthDataset, Progress, TensorLike } from '../../src/core/types.js';
import { modelCentrality } from '../../src/selection/modelCentrality.js';
import { udr, type UdrModel } from '../../src/selection/udr.js';
import { makePopulation } from '../helpers/populations.js';

/** Set by {@link underTimeout}: told when a callback starts hanging, so the abort lands while it is awaited. */
let onHang: (() => void) | undefined;
const never = <T>(): Promise<T> => {
  onHang?.();
  return new Promise<T>(() => undefined);
};
const small = { groupSize: 20, scaleSetSize: 400, batchSize: 100, groups: 40 };

beforeAll(async () => {
  await setupBackend(['cpu']);
});

/**
 * Runs `run` and aborts it `ms` after a callback starts hanging (or `ms` after the start when `hangs` is false): what it settled
 * with, and how long after the abort. A timer started with the run raced its first calls on a loaded machine, so
 * the abort could land before the hanging callback was awaited.
 */
async function underTimeout(ms: number, run: (signal: AbortSignal) => Promise<unknown>, hangs = true): Promise<{ error: unknown; latency: number }> {
  const controller = new AbortController();
  // With a hang to come, this timer is only a backstop for a run that never reaches it.
  let timer = setTimeout(() => controller.abort(), hangs ? 10 * ms + 5000 : ms);
  onHang = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), ms);
  };
  let firedAt = 0;
  controller.signal.addEventListener('abort', () => (firedAt = performance.now()));
  try {
    const error = await run(controller.signal).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    return { error, latency: firedAt ? performance.now() - firedAt : NaN };
  } finally {
    onHang = undefined;
    clearTimeout(timer);
  }
}

/** Wraps a population model so that its `at`-th call of `callback` never settles (or settles after `lateMs`). */
function hangingModel(base: GenerativeModel, callback: 'sampleLatents' | 'generate' | 'represent', at: number, late?: { ms: number; results: tf.Tensor[] }): GenerativeModel {
  let calls = 0;
  const wrap =
    <A extends unknown[]>(f: (...a: A) => TensorLike | Promise<TensorLike>) =>
    (...a: A): TensorLike | Promise<TensorLike> => {
      if (++calls !== at) return f(...a);
      if (!late) return never();
      onHang?.();
      const v = f(...a) as tf.Tensor; // computed now, handed back later (an asynchronous backend)
      late.results.push(v);
      return new Promise((r) => setTimeout(() => r(v), late.ms));
    };
  return { ...base, [callback]: wrap(base[callback] as (...a: unknown[]) => TensorLike) };
}

describe('modelCentrality', () => {
  for (const callback of ['sampleLatents', 'generate', 'represent'] as const) {
    it(`a never-settling ${callback} → ABORTED within 1 s, no tensor leaked`, async () => {
      const pop = makePopulation({ seed: 2, size: 3, tensors: true });
      const models = pop.models.map((m) => m.model);
      models[0] = hangingModel(models[0], callback, 3); // model 0's data come first
      const before = tf.memory().numTensors;
      const { error, latency } = await underTimeout(80, (signal) => modelCentrality({ models, ...small, signal }));
      expect(error).toMatchObject({ name: 'DisentangleError', code: 'ABORTED' });
      expect((error as Error).message).toContain(`models[0].${callback}`);
      expect(latency).toBeLessThan(1000);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('a represent that resolves after the abort has its codes disposed when they arrive', async () => {
    const pop = makePopulation({ seed: 2, size: 2, tensors: true });
    const late = { ms: 200, results: [] as tf.Tensor[] };
    const models = [pop.models[0].model, hangingModel(pop.models[1].model, 'represent', 2, late)];
    const before = tf.memory().numTensors;
    const { error, latency } = await underTimeout(50, (signal) => modelCentrality({ models, ...small, signal }));
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(latency).toBeLessThan(150);
    await new Promise((r) => setTimeout(r, 300));
    expect(late.results).toHaveLength(1);
    expect(late.results[0].isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a failing generate (thrown or rejected, in the scale set or in the groups) leaks neither its latents nor anything else', async () => {
    const pop = makePopulation({ seed: 5, size: 2, tensors: true });
    for (const [at, how] of [[1, 'throw'], [2, 'reject'], [5, 'throw'], [6, 'reject']] as const) {
      let calls = 0;
      const base = pop.models[1].model;
      const failing: GenerativeModel = {
        ...base,
        generate: (z) => {
          if (++calls !== at) return base.generate(z);
          if (how === 'throw') throw new Error('generator broke');
          return Promise.reject(new Error('generator broke'));
        },
      };
      const before = tf.memory().numTensors;
      // models[1] generates second: its data model j = 1 starts after model 0's 4 scale + 2 group batches
      await expect(modelCentrality({ models: [failing, pop.models[0].model], ...small, scaleSetSize: 300 })).rejects.toThrow('generator broke');
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('disposed tensors from sampleLatents, generate or represent are CALLBACK_RESULT, with nothing leaked', async () => {
    const pop = makePopulation({ seed: 6, size: 2, tensors: true });
    for (const callback of ['sampleLatents', 'generate', 'represent'] as const) {
      const base = pop.models[0].model;
      const f = base[callback] as (...a: unknown[]) => tf.Tensor;
      const broken = { ...base, [callback]: (...a: unknown[]) => {
        const t = f(...a);
        t.dispose();
        return t;
      } };
      const before = tf.memory().numTensors;
      await expect(modelCentrality({ models: [broken, pop.models[1].model], ...small })).rejects.toMatchObject({ code: 'CALLBACK_RESULT', argument: `models[0].${callback}` });
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('non-finite codes are CALLBACK_RESULT in the scale set and in the groups alike', async () => {
    const pop = makePopulation({ seed: 6, size: 2 });
    for (const at of [1, 5]) { // model 0's data: 4 scale-set batches, then 2 group batches
      let calls = 0;
      const base = pop.models[1].model;
      const nan: GenerativeModel = {
        ...base,
        represent: (x) => {
          const c = base.represent(x) as { data: Float64Array; shape: [number, number] };
          return ++calls === at ? { data: c.data.map(() => NaN), shape: c.shape } : c;
        },
      };
      await expect(modelCentrality({ models: [pop.models[0].model, nan], ...small })).rejects.toMatchObject({ code: 'CALLBACK_RESULT', argument: 'models[1].represent' });
    }
  });

  it('a slow but finite population: timers run, progress is reported, and an abort is honoured within 300 ms', async () => {
    // every call is 4 ms of synchronous work (a small network on the cpu backend): 16 ms a batch, ~5 s a run;
    // the first pair is done after a third of model 0's 11,000 rows (~0.6 s)
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const slow = (m: GenerativeModel): GenerativeModel => ({
      ...m,
      generate: (z) => (busy(4), m.generate(z)),
      represent: (x) => (busy(4), m.represent(x)),
    });
    const models = makePopulation({ seed: 3, size: 3 }).models.map((m) => slow(m.model));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const progress: Progress[] = [];
    const { error, latency } = await underTimeout(1500, (signal) =>
      modelCentrality({ models, groupSize: 20, scaleSetSize: 3000, batchSize: 100, signal, onProgress: (p) => progress.push(p) }),
      false,
    );
    clearInterval(timer);
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(latency).toBeLessThan(300);
    expect(ticks).toBeGreaterThan(10); // ~1.5 s of 20 ms ticks got through (at most one turn per 50 ms yield)
    expect(progress.some((p) => p.done > 0)).toBe(true);
  });
});

describe('udr', () => {
  let pop: ReturnType<typeof makePopulation>;
  let base: UdrModel[];
  beforeAll(() => {
    pop = makePopulation({ seed: 7, size: 3, tensors: true }); // after the backend is set up
    base = pop.models.map((m) => m.udr);
  });

  for (const where of ['model', 'observationsFromFactors', 'sampleFactors'] as const) {
    it(`a never-settling ${where} → ABORTED within 1 s, no tensor leaked`, async () => {
      let calls = 0;
      const hangOn3 = <T>(f: () => T): T | Promise<Awaited<T>> => (++calls === 3 ? never<Awaited<T>>() : f());
      const models: UdrModel[] = [...base];
      let dataset: GroundTruthDataset = pop.dataset;
      if (where === 'model') models[2] = (x) => hangOn3(() => base[2](x));
      if (where === 'observationsFromFactors') dataset = { ...pop.dataset, observationsFromFactors: (f: FactorBatch, r: Rng) => hangOn3(() => pop.dataset.observationsFromFactors(f, r)) };
      if (where === 'sampleFactors') {
        dataset = {
          ...pop.dataset,
          sampleFactors: (n: number, r: Rng) =>
            hangOn3(() => ({ data: Int32Array.from({ length: n * pop.codeDims }, (_, i) => r.int(pop.dataset.factorSizes[i % pop.codeDims])), shape: [n, pop.codeDims] as [number, number] })),
        };
      }
      const before = tf.memory().numTensors;
      const { error, latency } = await underTimeout(80, (signal) => udr({ models, dataset, correlation: 'lasso', numDataPoints: 200, signal }));
      expect(error).toMatchObject({ name: 'DisentangleError', code: 'ABORTED' });
      expect(latency).toBeLessThan(1000);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('a model that resolves after the abort has its { mean, logVar } disposed when it arrives', async () => {
    const results: tf.Tensor[] = [];
    let calls = 0;
    const late: UdrModel = (x) => {
      const out = base[1](x) as { mean: tf.Tensor; logVar: tf.Tensor };
      if (++calls !== 2) return out;
      results.push(out.mean, out.logVar);
      onHang?.();
      return new Promise((r) => setTimeout(() => r(out), 200));
    };
    const before = tf.memory().numTensors;
    const { error } = await underTimeout(50, (signal) => udr({ models: [base[0], late], dataset: pop.dataset, correlation: 'spearman', numDataPoints: 200, signal }));
    expect(error).toMatchObject({ code: 'ABORTED' });
    await new Promise((r) => setTimeout(r, 300));
    expect(results).toHaveLength(2);
    expect(results.every((t) => t.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a disposed mean is CALLBACK_RESULT naming the model, with nothing leaked', async () => {
    const broken: UdrModel = (x) => {
      const out = base[1](x) as { mean: tf.Tensor; logVar: tf.Tensor };
      out.mean.dispose();
      return out;
    };
    const before = tf.memory().numTensors;
    await expect(udr({ models: [base[0], broken], dataset: pop.dataset, correlation: 'lasso', numDataPoints: 100 })).rejects.toMatchObject({ code: 'CALLBACK_RESULT', argument: 'models[1].mean' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('yields during the pairwise Lasso fits: an abort from a timer lands there', async () => {
    const arrays = makePopulation({ seed: 8, size: 6, codeDims: 10 });
    const progress: Progress[] = [];
    const ac = new AbortController();
    let abortedAt = 0;
    const onProgress = (p: Progress): void => {
      progress.push(p);
      if (p.stage === 'pairs' && p.done === 0) setTimeout(() => ((abortedAt = performance.now()), ac.abort()), 30);
    };
    const error = await udr({ models: arrays.models.map((m) => m.udr), dataset: arrays.dataset, correlation: 'lasso', numDataPoints: 4000, batchSize: 100, signal: ac.signal, onProgress }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(abortedAt).toBeGreaterThan(0);
    expect(performance.now() - abortedAt).toBeLessThan(300);
    expect(progress.filter((p) => p.stage === 'pairs').at(-1)!.done).toBeLessThan(30); // 6 × 5 pairs: it stopped early
  });
});
