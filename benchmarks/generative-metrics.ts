/**
 * Generative-metric benchmark (issue 6). Run: `npx tsx benchmarks/generative-metrics.ts [--full]`.
 * Writes benchmarks/results/generative-metrics.json.
 *
 * (a) images/s through the shipped dSprites shape classifier on tfjs wasm (probabilities + features);
 * (b) the sample-quality metric: by default measured on 5,000 samples (+ 5,000 real) and extrapolated
 *     linearly to the reference's 50,000 (the cost is per image); `--full` runs the 50,000 for real;
 * (c) variation predictability with the reference sizes (10,000 pairs, 10% train, 200 epochs, batch 32,
 *     channels 64/64/128/256) on 64×64 procedural dSprites: pair building measured in full, training and
 *     evaluation timed on a few batches and extrapolated to 200 epochs (a real run takes hours on CPU).
 * Every extrapolation is marked as such in the JSON. CPU time is reported next to wall time because the
 * project machine is shared (its load average is recorded).
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../src/core/backend.js';
import { createRng } from '../src/core/rng.js';
import { dsprites } from '../src/data/dsprites.js';
import { sampleUniformFactors } from '../src/data/sampling.js';
import { computeDspritesSampleQuality, proceduralDspritesGenerator } from '../src/metrics/dspritesSampleQuality.js';
import { computeVariationPredictability } from '../src/metrics/variationPredictability.js';
import { classifyShapesWithFeatures, disposeShapeClassifier, loadShapeClassifier } from '../src/models/shapeClassifier.js';
import { writeFileAtomic } from '../src/core/files.js';

const full = process.argv.includes('--full');

async function measure<T>(f: () => Promise<T>): Promise<{ value: T; wallSeconds: number; cpuSeconds: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
}

async function classifierThroughput(): Promise<Record<string, unknown>> {
  const net = loadShapeClassifier();
  const data = dsprites();
  const batch = 500;
  const batches = 4;
  const images = Array.from({ length: batches }, (_, k) => {
    const f = sampleUniformFactors(data.factorSizes, batch, createRng(k));
    return tf.tensor4d(data.renderInto(f, new Float32Array(batch * 4096)), [batch, 64, 64, 1]);
  });
  // warm-up (kernel compilation, weight upload)
  const w = classifyShapesWithFeatures(net, images[0]);
  await w.probs.data();
  tf.dispose([w.probs, w.features]);
  const m = await measure(async () => {
    for (const x of images) {
      const o = classifyShapesWithFeatures(net, x);
      await Promise.all([o.probs.data(), o.features.data()]);
      tf.dispose([o.probs, o.features]);
    }
  });
  tf.dispose(images);
  disposeShapeClassifier(net);
  const n = batch * batches;
  return { images: n, batchSize: batch, wallSeconds: m.wallSeconds, cpuSeconds: m.cpuSeconds, imagesPerSecondWall: n / m.wallSeconds, imagesPerSecondCpu: n / m.cpuSeconds };
}

async function sampleQuality(): Promise<Record<string, unknown>> {
  const numSamples = full ? 50000 : 5000;
  const m = await measure(() => computeDspritesSampleQuality({ model: proceduralDspritesGenerator(), numSamples, seed: 0, realReference: true }));
  const scale = 50000 / numSamples;
  return {
    numSamplesMeasured: numSamples,
    wallSeconds: m.wallSeconds,
    cpuSeconds: m.cpuSeconds,
    extrapolatedTo50000: !full,
    wallSeconds50000: m.wallSeconds * scale,
    cpuSeconds50000: m.cpuSeconds * scale,
    result: m.value,
  };
}

async function variationPredictability(): Promise<Record<string, unknown>> {
  const model = proceduralDspritesGenerator();
  // Pair building at the reference size, then training timed on a shrunken run with identical per-batch work.
  const pairs = await measure(() => computeVariationPredictability({ model, numPairs: 10000, epochs: 1, testRatio: 0.9, channels: [1, 1, 1, 1] }));
  const probePairs = 320; // 32 train pairs (1 batch of 32) + 288 test pairs per epoch at testRatio 0.9
  const probe = await measure(() => computeVariationPredictability({ model, numPairs: probePairs, epochs: 2, testRatio: 0.9 }));
  const probeGen = await measure(() => computeVariationPredictability({ model, numPairs: probePairs, epochs: 1, testRatio: 0.9, channels: [1, 1, 1, 1] }));
  // Per epoch of the probe: 1 training batch of 32 + evaluation of 288 pairs (≈ 1/31 of the reference's 9,000).
  const probeEpochWall = Math.max(probe.wallSeconds - probeGen.wallSeconds, 0) / 2;
  const probeEpochCpu = Math.max(probe.cpuSeconds - probeGen.cpuSeconds, 0) / 2;
  // Reference epoch: 1,000 train pairs = 32 batches, 9,000 test pairs = 31.25× the probe's evaluation.
  const epochScale = 1000 / 32;
  return {
    settings: 'reference sizes: 10,000 pairs of 64×64 procedural dSprites (5 latent dims), testRatio 0.9, 200 epochs, batch 32, Adam 0.01, VarPred 64/64/128/256',
    pairBuildingWallSeconds: pairs.wallSeconds, // includes one epoch with 1-channel convolutions
    pairBuildingCpuSeconds: pairs.cpuSeconds,
    probeEpochWallSeconds: probeEpochWall,
    extrapolated: true,
    epochWallSeconds: probeEpochWall * epochScale,
    epochCpuSeconds: probeEpochCpu * epochScale,
    totalWallHours200Epochs: (pairs.wallSeconds + 200 * probeEpochWall * epochScale) / 3600,
    totalCpuHours200Epochs: (pairs.cpuSeconds + 200 * probeEpochCpu * epochScale) / 3600,
  };
}

async function main(): Promise<void> {
  const backend = await setupBackend(['wasm']);
  tf.enableProdMode();
  const load0 = loadavg()[0];
  const out: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, backend, loadAverage1mBefore: load0 },
    full,
  };
  out.classifier = await classifierThroughput();
  console.log('classifier', out.classifier);
  out.sampleQuality = await sampleQuality();
  console.log('sample quality', out.sampleQuality);
  out.variationPredictability = await variationPredictability();
  console.log('variation predictability', out.variationPredictability);
  (out.machine as Record<string, unknown>).loadAverage1mAfter = loadavg()[0];
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  await writeFileAtomic(new URL('./results/generative-metrics.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
