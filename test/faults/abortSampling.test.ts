/**
 * Fault injection on every sampling entry (issue 15, "work that cannot be stopped"): a dataset or model callback
 * that never settles, with `AbortSignal.timeout`, must give `ABORTED` within 1 s of the signal and leave no
 * tensor behind; a callback that resolves after the abort has its tensors disposed when they arrive; a disposed
 * tensor handed back by `represent` is the callback's fault (`CALLBACK_RESULT`), not a raw TypeError.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import type { Rng } from '../../src/core/rng.js';
import type { FactorBatch, GenerativeModel, GroundTruthDataset, TensorLike } from '../../src/core/types.js';
import { computeAam } from '../../src/metrics/aam.js';
import { computeBetaVaeMetric } from '../../src/metrics/betaVae.js';
import { computeDci } from '../../src/metrics/dci.js';
import { computeDhsic } from '../../src/metrics/dhsic.js';
import { computeDspritesSampleQuality } from '../../src/metrics/dspritesSampleQuality.js';
import { computeExplicitness } from '../../src/metrics/explicitness.js';
import { computeFactorVaeMetric } from '../../src/metrics/factorVaeMetric.js';
import { computeIrs } from '../../src/metrics/irs.js';
import { computeMig } from '../../src/metrics/mig.js';
import { computeModularity } from '../../src/metrics/modularity.js';
import { computeSap } from '../../src/metrics/sap.js';
import { computeUnsupervised } from '../../src/metrics/unsupervised.js';
import { computeVariationPredictability } from '../../src/metrics/variationPredictability.js';
import { disposeShapeClassifier, loadShapeClassifier, type ShapeClassifier } from '../../src/models/shapeClassifier.js';

const SIZES = [3, 4, 5, 6];
/** Set by {@link abortLatency}: told when a callback starts hanging, so the abort lands while it is awaited. */
let onHang: (() => void) | undefined;
const never = <T>(): Promise<T> => {
  onHang?.();
  return new Promise<T>(() => undefined);
};

/** Where a callback hangs: on its `at`-th call (1-based), so some batches succeed first. */
interface Hang {
  callback: 'sampleFactors' | 'observationsFromFactors' | 'represent' | 'posterior';
  at: number;
  /** Resolve after this many ms instead of never (the late-result case). */
  lateMs?: number;
}

/** The late results handed back after an abort, to check that they were disposed. */
const lateResults: tf.Tensor[] = [];

function hanging<T>(hang: Hang | undefined, name: Hang['callback'], calls: { n: number }, value: () => T): T | Promise<T> {
  calls.n++;
  if (!hang || hang.callback !== name || calls.n !== hang.at) return value();
  if (hang.lateMs === undefined) return never<T>();
  // Like an encoder on an asynchronous backend: the result is computed now and handed back later.
  onHang?.();
  const v = value();
  if (v instanceof tf.Tensor) lateResults.push(v);
  else if (v && typeof v === 'object') for (const t of Object.values(v)) if (t instanceof tf.Tensor) lateResults.push(t);
  return new Promise<T>((resolve) => setTimeout(() => resolve(v), hang.lateMs));
}

/** Observations = scaled factors as a tfjs tensor; codes = a fresh tensor (x·2). */
function setup(hang?: Hang): { dataset: GroundTruthDataset; represent: (x: TensorLike) => TensorLike | Promise<TensorLike>; posterior: (x: TensorLike) => unknown } {
  const calls = { sampleFactors: { n: 0 }, observationsFromFactors: { n: 0 }, represent: { n: 0 }, posterior: { n: 0 } };
  const dataset: GroundTruthDataset = {
    factorSizes: SIZES,
    sampleFactors: (n: number, rng: Rng) =>
      hanging(hang, 'sampleFactors', calls.sampleFactors, () => {
        const data = new Int32Array(n * SIZES.length);
        for (let i = 0; i < data.length; i++) data[i] = rng.int(SIZES[i % SIZES.length]);
        return { data, shape: [n, SIZES.length] as [number, number] };
      }),
    observationsFromFactors: (f: FactorBatch) =>
      hanging(hang, 'observationsFromFactors', calls.observationsFromFactors, () => tf.tensor2d(Float32Array.from(f.data, (v, i) => v / SIZES[i % SIZES.length] + 0.01 * (i % 7)), [f.shape[0], f.shape[1]])),
  };
  const represent = (x: TensorLike) => hanging(hang, 'represent', calls.represent, () => tf.mul(x as tf.Tensor, 2) as tf.Tensor);
  const posterior = (x: TensorLike) => hanging(hang, 'posterior', calls.posterior, () => ({ mean: tf.mul(x as tf.Tensor, 2), logVar: tf.zerosLike(x as tf.Tensor) }));
  return { dataset, represent, posterior };
}

type Run = (o: ReturnType<typeof setup> & { signal: AbortSignal }) => Promise<unknown>;
const common = { batchSize: 8 };
const plain = ({ dataset, represent, signal }: Parameters<Run>[0]) => ({ dataset, represent, signal });
const entries: Record<string, Run> = {
  computeFactorVaeMetric: (o) => computeFactorVaeMetric({ ...plain(o), ...common, numTrain: 40, numEval: 20, numVarianceEstimate: 64 }),
  computeBetaVaeMetric: (o) => computeBetaVaeMetric({ ...plain(o), ...common, numTrain: 40, numEval: 20 }),
  computeMig: (o) => computeMig({ ...plain(o), ...common, numTrain: 64 }),
  computeSap: (o) => computeSap({ ...plain(o), ...common, numTrain: 64, numTest: 32 }),
  computeDci: (o) => computeDci({ ...plain(o), ...common, numTrain: 64, numTest: 32 }),
  computeModularity: (o) => computeModularity({ ...plain(o), ...common, numTrain: 64 }),
  computeExplicitness: (o) => computeExplicitness({ ...plain(o), ...common, numTrain: 64, numTest: 32 }),
  computeIrs: (o) => computeIrs({ ...plain(o), ...common, numTrain: 64 }),
  computeUnsupervised: (o) => computeUnsupervised({ ...plain(o), ...common, numTrain: 64 }),
  computeAam: (o) => computeAam({ ...plain(o), ...common, numTrain: 64 }),
  'computeAam (posterior)': (o) => computeAam({ ...plain(o), ...common, posterior: o.posterior as never, numEntropySamples: 50 }),
  computeDhsic: (o) => computeDhsic({ ...plain(o), ...common, numSamples: 64 }),
};

/**
 * Runs `run`, fires the signal 20 ms after a callback starts hanging, and returns how long after the abort the
 * run settled. (A timer started with the run raced its first calls on a loaded machine: the abort could land
 * before the hanging callback was awaited, and the error then named no callback.)
 */
async function abortLatency(run: (signal: AbortSignal) => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const controller = new AbortController();
  onHang = () => setTimeout(() => controller.abort(), 20);
  const fallback = setTimeout(() => controller.abort(), 10_000); // a run that never reaches its hang still ends
  let firedAt = 0;
  controller.signal.addEventListener('abort', () => (firedAt = performance.now()));
  try {
    const error = await run(controller.signal).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    return { error, ms: performance.now() - (firedAt || performance.now()) };
  } finally {
    onHang = undefined;
    clearTimeout(fallback);
  }
}

beforeAll(async () => {
  await setupBackend(['cpu']);
});

describe('never-settling callbacks + AbortSignal.timeout → ABORTED within 1 s, nothing leaked', () => {
  for (const [name, run] of Object.entries(entries)) {
    const hangs: Hang['callback'][] = name.includes('posterior') ? ['observationsFromFactors', 'posterior'] : ['sampleFactors', 'observationsFromFactors', 'represent'];
    for (const callback of hangs) {
      it(`${name}: ${callback} never settles`, async () => {
        const before = tf.memory().numTensors;
        const { error, ms } = await abortLatency((signal) => run({ ...setup({ callback, at: 3 }), signal }));
        expect(error).toMatchObject({ name: 'DisentangleError', code: 'ABORTED' });
        expect((error as Error).message).toContain(callback);
        expect(ms).toBeLessThan(1000);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }
});

describe('a callback that resolves after the abort has its tensors disposed when they arrive', () => {
  for (const [name, callback] of [
    ['computeMig', 'represent'],
    ['computeFactorVaeMetric', 'represent'],
    ['computeDci', 'observationsFromFactors'],
    ['computeAam (posterior)', 'posterior'],
  ] as const) {
    it(`${name}: a late ${callback}`, async () => {
      lateResults.length = 0;
      const before = tf.memory().numTensors;
      const { error, ms } = await abortLatency((signal) => entries[name]({ ...setup({ callback, at: 2, lateMs: 250 }), signal }));
      expect(error).toMatchObject({ code: 'ABORTED' });
      expect(ms).toBeLessThan(150); // the run did not wait for the late result
      expect(lateResults.some((t) => t.isDisposed)).toBe(false); // still the callback's, until it hands it back
      await new Promise((r) => setTimeout(r, 350));
      expect(lateResults.length).toBeGreaterThan(0);
      expect(lateResults.every((t) => t.isDisposed)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('generative entries: a never-settling sampleLatents or generate', () => {
  /** Latents [n, 5] from the prior; images [n, 64, 64, 1] (blank squares whose size follows latent 0). */
  function generator(hang: { callback: 'sampleLatents' | 'generate'; at: number }): GenerativeModel {
    const calls = { sampleLatents: 0, generate: 0 };
    return {
      latentDims: 5,
      codeDims: 2,
      sampleLatents: (n: number, rng: Rng) => {
        if (++calls.sampleLatents === hang.at && hang.callback === 'sampleLatents') return never();
        return tf.tensor2d(Float32Array.from({ length: n * 5 }, () => rng.float()), [n, 5]);
      },
      generate: (z: TensorLike) => {
        if (++calls.generate === hang.at && hang.callback === 'generate') return never();
        return tf.tidy(() => {
          const size = tf.reshape(tf.slice(z as tf.Tensor2D, [0, 0], [-1, 1]), [-1, 1, 1, 1]);
          return tf.mul(tf.ones([(z as tf.Tensor2D).shape[0], 64, 64, 1]), size);
        });
      },
      represent: () => {
        throw new Error('not used');
      },
    };
  }
  // Loaded once outside the timed runs: loading it is a few hundred ms of synchronous work.
  let classifier: ShapeClassifier;
  beforeAll(() => {
    classifier = loadShapeClassifier();
  });
  afterAll(() => disposeShapeClassifier(classifier));
  // `at`: the call that hangs; sample quality classifies each batch (slow on the cpu backend), so its first call.
  const generative: Record<string, { at: number; run: (model: GenerativeModel, signal: AbortSignal) => Promise<unknown> }> = {
    computeVariationPredictability: {
      at: 3,
      run: (model, signal) => computeVariationPredictability({ model, dims: [0, 1], numPairs: 80, generateBatchSize: 8, epochs: 1, channels: [2, 2, 2, 2], signal }),
    },
    computeDspritesSampleQuality: { at: 1, run: (model, signal) => computeDspritesSampleQuality({ model, numSamples: 40, batchSize: 8, signal, classifier }) },
  };
  for (const [name, { at, run }] of Object.entries(generative)) {
    for (const callback of ['sampleLatents', 'generate'] as const) {
      it(`${name}: ${callback} never settles`, async () => {
        const before = tf.memory().numTensors;
        const { error, ms } = await abortLatency((signal) => run(generator({ callback, at }), signal));
        expect(error).toMatchObject({ name: 'DisentangleError', code: 'ABORTED' });
        expect((error as Error).message).toContain(callback);
        expect(ms).toBeLessThan(1000);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }
});

describe('a disposed tensor from represent is CALLBACK_RESULT in every metric', () => {
  const disposedCodes = (x: TensorLike): TensorLike => {
    const t = tf.mul(x as tf.Tensor, 2);
    t.dispose();
    return t;
  };
  for (const name of ['computeFactorVaeMetric', 'computeBetaVaeMetric', 'computeMig', 'computeDci', 'computeUnsupervised']) {
    it(name, async () => {
      const before = tf.memory().numTensors;
      const { dataset } = setup();
      const error = await entries[name]({ dataset, represent: disposedCodes, posterior: () => undefined, signal: new AbortController().signal }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'DisentangleError', code: 'CALLBACK_RESULT', argument: 'represent' });
      expect((error as Error).message).toMatch(/disposed/);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
