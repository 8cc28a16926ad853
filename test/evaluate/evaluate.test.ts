import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import type { FactorBatch, GroundTruthDataset, TensorLike } from '../../src/core/types.js';
import { dsprites } from '../../src/data/dsprites.js';
import { encodeNpyHeader } from '../../src/data/npz.js';
import { encodeDataset, evaluate, metricIds } from '../../src/metrics/index.js';
import { imageMomentEncoder } from '../../src/models/analyticEncoders.js';

beforeAll(async () => {
  await setupBackend(['cpu']);
});

// Z-max's reference groups are 200 rows, whatever the scale: 16 keeps these identity checks quick.
const SMALL_GROUPS = { 'z-max': { batchSize: 16 } };
const ALL = ['factor-vae', 'beta-vae', 'mig', 'sap', 'dci', 'modularity', 'explicitness', 'irs', 'unsupervised', 'aam', 'dhsic', 'mig-sup', 'dcimig', 'jemmig', 'mcc', 'z-max', 'infomec', 'dci-es', 'flatness'];

/** dSprites on a 3×2×4×8×8 grid (1,536 images): every shape, two scales, four angles, every fourth position. */
function smallSprites(): GroundTruthDataset<tf.Tensor4D> & { rendered: number[] } {
  const full = dsprites();
  const sizes = [3, 2, 4, 8, 8];
  const rendered: number[] = [];
  return {
    factorSizes: sizes,
    deterministicObservations: true,
    rendered,
    observationsFromFactors(f: FactorBatch): tf.Tensor4D {
      const n = f.shape[0];
      const data = new Int32Array(n * 5);
      for (let i = 0; i < n; i++) {
        const r = f.data.subarray(i * 5, i * 5 + 5);
        rendered.push((((r[0] * 2 + r[1]) * 4 + r[2]) * 8 + r[3]) * 8 + r[4]);
        data.set([r[0], 2 + 3 * r[1], 10 * r[2], 4 * r[3] + 2, 4 * r[4] + 1], i * 5);
      }
      return full.observationsFromFactors({ data, shape: [n, 5] });
    },
  };
}

/** The moment encoder, counting the rows it is given. */
function counted(): { represent: (x: TensorLike) => TensorLike; rows: () => number } {
  const encode = imageMomentEncoder();
  let rows = 0;
  return {
    represent: (x) => {
      rows += (x as tf.Tensor).shape[0];
      return encode(x);
    },
    rows: () => rows,
  };
}

describe('evaluate', () => {
  it('lists the registry and returns float32 codes from the moment encoder (what the identity checks rely on)', () => {
    expect(metricIds()).toEqual(ALL);
    const out = tf.tidy(() => (imageMomentEncoder()(tf.zeros([2, 64, 64, 1])) as tf.Tensor).dtype);
    expect(out).toBe('float32');
  });

  it('gives identical results with and without the code cache for every metric, encoding each distinct image once', async () => {
    const before = tf.memory().numTensors;
    const plain = counted();
    const cached = counted();
    const dataA = smallSprites();
    const dataB = smallSprites();
    const a = await evaluate({ represent: plain.represent, dataset: dataA, metrics: 'all', metricOptions: SMALL_GROUPS, sampleScale: 0.004, seed: 2, cache: false });
    const b = await evaluate({ represent: cached.represent, dataset: dataB, metrics: 'all', metricOptions: SMALL_GROUPS, sampleScale: 0.004, seed: 2, encodeBatchSize: 128 });
    expect(Object.keys(b.results)).toEqual(ALL);
    expect(b.results).toEqual(a.results);
    for (const id of ALL) expect(typeof (b.results as Record<string, { score: number }>)[id].score).toBe('number');
    // without the cache every drawn image is encoded; with it each distinct image at most once
    expect(a.encodedImages).toBe(a.drawnImages);
    expect(b.drawnImages).toBe(a.drawnImages);
    expect(b.encodedImages).toBe(cached.rows());
    expect(new Set(dataB.rendered).size).toBe(dataB.rendered.length);
    expect(b.encodedImages).toBe(dataB.rendered.length);
    expect(b.encodedImages).toBeLessThanOrEqual(Math.min(1536, b.drawnImages));
    expect(b.encodedImages * 4).toBeLessThan(b.drawnImages);
    expect(b.seconds.total).toBeGreaterThanOrEqual(b.seconds.encode);
    const per = Object.values(b.perMetric);
    expect(Object.keys(b.perMetric)).toEqual(ALL);
    expect(per.reduce((s, m) => s + (m?.drawnImages ?? 0), 0)).toBe(b.drawnImages);
    expect(per.reduce((s, m) => s + (m?.encodedImages ?? 0), 0)).toBe(b.encodedImages);
    expect(a.perMetric.mig?.encodedImages).toBe(a.perMetric.mig?.drawnImages);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws a split once for the metrics that ask for it, with the numbers each metric gives on its own', async () => {
    const ids = ['mig', 'sap', 'dci', 'modularity', 'explicitness', 'irs', 'unsupervised', 'aam', 'dhsic'] as const;
    const own = counted();
    const one = counted();
    const separate = await evaluate({ represent: own.represent, dataset: smallSprites(), metrics: [...ids], sampleScale: 0.004, seed: 3, cache: false, shareDraws: false });
    const shared = await evaluate({ represent: one.represent, dataset: smallSprites(), metrics: [...ids], sampleScale: 0.004, seed: 3, cache: false });
    expect(shared.results).toEqual(separate.results);
    // train 40 rows (batches of 16) for all but dHSIC (20); test 20 rows for SAP, DCI, explicitness
    expect(separate.sharedImages).toBe(0);
    expect(separate.encodedImages).toBe(8 * 40 + 3 * 20 + 20);
    expect(shared.encodedImages).toBe(40 + 20 + 20);
    expect(shared.sharedImages).toBe(7 * 40 + 2 * 20);
    expect(shared.encodedImages + shared.sharedImages).toBe(separate.encodedImages);
    expect(one.rows()).toBe(shared.encodedImages);
    expect(shared.perMetric.mig).toMatchObject({ drawnImages: 40, sharedImages: 0 });
    expect(shared.perMetric.sap).toMatchObject({ drawnImages: 20, sharedImages: 40 });
    expect(shared.perMetric.dci).toMatchObject({ drawnImages: 0, sharedImages: 60 });
    expect(shared.perMetric.dhsic).toMatchObject({ drawnImages: 20, sharedImages: 0 });
    // another seed or size is another draw
    const mixed = await evaluate({ represent: imageMomentEncoder(), dataset: smallSprites(), metrics: ['mig', 'modularity'], sampleScale: 0.004, metricOptions: { modularity: { sampleScale: 0.005 } } });
    expect(mixed.sharedImages).toBe(0);
    expect(await evaluate({ represent: imageMomentEncoder(), dataset: smallSprites(), metrics: ['mig'], shareDraws: 'yes' as unknown as boolean }).catch((e: unknown) => e)).toMatchObject({ code: 'BAD_OPTION', argument: 'shareDraws' });
  });

  it('gives identical results on procedural dSprites for every metric', async () => {
    const a = await evaluate({ represent: imageMomentEncoder(), dataset: dsprites(), metrics: 'all', metricOptions: SMALL_GROUPS, sampleScale: 0.002, cache: false });
    const b = await evaluate({ represent: imageMomentEncoder(), dataset: dsprites(), metrics: 'all', metricOptions: SMALL_GROUPS, sampleScale: 0.002 });
    expect(b.results).toEqual(a.results);
    expect(b.encodedImages).toBeLessThanOrEqual(b.drawnImages);
  });

  it('scores a code table (in memory or a .npy file) exactly as the model it came from', async () => {
    const data = smallSprites();
    const table = await encodeDataset({ represent: imageMomentEncoder(), dataset: data, batchSize: 100 });
    expect(table.shape).toEqual([1536, 5]);
    // row r is the image of flat index r
    expect(data.rendered).toEqual(Array.from({ length: 1536 }, (_, i) => i));
    const viaModel = await evaluate({ represent: imageMomentEncoder(), dataset: smallSprites(), metrics: 'all', metricOptions: SMALL_GROUPS, sampleScale: 0.004, seed: 5 });
    const viaTable = await evaluate({ codeTable: { data: table.codes, shape: table.shape }, dataset: smallSprites(), metrics: 'all', metricOptions: SMALL_GROUPS, sampleScale: 0.004, seed: 5 });
    expect(viaTable.results).toEqual(viaModel.results);
    expect(viaTable.encodedImages).toBe(0);
    expect(viaTable.drawnImages).toBe(viaModel.drawnImages);

    const dir = mkdtempSync(join(tmpdir(), 'codes-'));
    try {
      const path = join(dir, 'codes.npy');
      const header = encodeNpyHeader('<f4', table.shape);
      writeFileSync(path, Buffer.concat([Buffer.from(header), Buffer.from(table.codes.buffer, table.codes.byteOffset, table.codes.byteLength)]));
      const viaFile = await evaluate({ codeTable: path, dataset: smallSprites(), metrics: ['mig', 'factor-vae'], sampleScale: 0.004, seed: 5 });
      expect(viaFile.results.mig).toEqual(viaModel.results.mig);
      expect(viaFile.results['factor-vae']).toEqual(viaModel.results['factor-vae']);
      await expect(evaluate({ codeTable: join(dir, 'missing.npy'), dataset: smallSprites(), metrics: ['mig'] })).rejects.toMatchObject({ code: 'BAD_FILE' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a model object (its represent called as a method) like a bare represent', async () => {
    class Model {
      private readonly encode = imageMomentEncoder();
      represent(x: TensorLike): TensorLike {
        return this.encode(x);
      }
    }
    const viaModel = await evaluate({ model: new Model(), dataset: smallSprites(), metrics: ['mig', 'sap'], sampleScale: 0.004 });
    const viaFn = await evaluate({ represent: imageMomentEncoder(), dataset: smallSprites(), metrics: ['mig', 'sap'], sampleScale: 0.004 });
    expect(viaModel.results).toEqual(viaFn.results);
  });

  it('refuses ambiguous routes, unknown metrics, a table of the wrong size and bad sizing options', async () => {
    const data = smallSprites();
    const represent = imageMomentEncoder();
    const code = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: unknown) => (e instanceof DisentangleError ? `${e.code} ${e.argument}` : String(e)));
    expect(await code(evaluate({ dataset: data, metrics: 'all' }))).toBe('BAD_OPTION represent');
    expect(await code(evaluate({ represent, codeTable: [[0]], dataset: data, metrics: 'all' }))).toBe('BAD_OPTION represent');
    expect(await code(evaluate({ represent, dataset: data, metrics: ['mig', 'nope' as 'mig'] }))).toBe('BAD_OPTION metrics');
    expect(await code(evaluate({ codeTable: { data: new Float32Array(10), shape: [5, 2] }, dataset: data, metrics: ['mig'] }))).toBe('SHAPE_MISMATCH codeTable');
    expect(await code(evaluate({ represent, dataset: data, metrics: ['mig'], maxCachedRows: -3 }))).toBe('BAD_OPTION maxCachedRows');
    expect(await code(evaluate({ represent, dataset: data, metrics: ['mig'], encodeBatchSize: 0 }))).toBe('BAD_OPTION encodeBatchSize');
    expect(await code(evaluate({ represent, dataset: data, metrics: ['mig'], sampleScal: 0.1 } as never))).toBe('BAD_OPTION sampleScal');
    await expect(evaluate({ represent, dataset: data, metrics: ['mig'], sharedraws: false } as never)).rejects.toThrow(/did you mean shareDraws\?/);
  });

  it('stops on abort with ABORTED, mid-run, leaking no tensors, and reports progress per metric', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const seen: string[] = [];
    const run = evaluate({
      represent: imageMomentEncoder(),
      dataset: dsprites(),
      metrics: ['mig', 'factor-vae'], // run in table order: factor-vae first
      sampleScale: 0.05,
      metricOptions: { 'factor-vae': { sampleScale: 0.002 } },
      signal: controller.signal,
      onProgress: (p) => {
        if (!seen.includes(p.metric)) seen.push(p.metric);
        if (p.metric === 'mig' && p.done > 3) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(seen).toEqual(['factor-vae', 'mig']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('encodeDataset reports progress to the end, stops on abort and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const done: number[] = [];
    await encodeDataset({ represent: imageMomentEncoder(), dataset: smallSprites(), batchSize: 500, onProgress: (p) => done.push(p.done) });
    expect(done).toEqual([0, 500, 1000, 1500, 1536]);
    const controller = new AbortController();
    const run = encodeDataset({
      represent: imageMomentEncoder(),
      dataset: smallSprites(),
      batchSize: 100,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 300) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with a bounded table still gives the same numbers (rows dropped are encoded again)', async () => {
    const a = await evaluate({ represent: imageMomentEncoder(), dataset: smallSprites(), metrics: ['mig', 'factor-vae'], sampleScale: 0.004, cache: false });
    const b = await evaluate({ represent: imageMomentEncoder(), dataset: smallSprites(), metrics: ['mig', 'factor-vae'], sampleScale: 0.004, maxCachedRows: 50, encodeBatchSize: 16 });
    expect(b.results).toEqual(a.results);
    expect(b.encodedImages).toBeLessThanOrEqual(b.drawnImages);
  });
});
