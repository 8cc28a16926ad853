/**
 * Procedural dSprites throughput (issue 3: target ≥ 20,000 images/s on one core).
 * Run: `npx tsx benchmarks/dsprites-render.ts [--quick]`. Writes benchmarks/results/dsprites-render.json.
 *
 * Measures, single-threaded, for batches of uniformly drawn factors: the backend-free renderer into a reused
 * Uint8Array and Float32Array, and `dsprites().observationsFromFactors` (render + upload into a tfjs tensor) on the
 * cpu and wasm backends. Each figure is the median of several timed passes after a warm-up pass.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../src/core/backend.js';
import { createRng } from '../src/core/rng.js';
import { dsprites } from '../src/data/dsprites.js';
import { DSPRITES_FACTOR_SIZES, renderDspritesBatch } from '../src/data/dspritesRenderer.js';
import { sampleUniformFactors } from '../src/data/sampling.js';
import { writeFileAtomic } from '../src/core/files.js';
import { median } from './lib/median.js';

const quick = process.argv.includes('--quick');
const BATCH = 1024;
const PASSES = quick ? 3 : 7;
const BATCHES_PER_PASS = quick ? 8 : 32;

/** Images per second of `body(batchIndex)` over BATCHES_PER_PASS batches, median over passes. */
interface Rate {
  /** Wall clock: what a user sees on this (shared) machine. */
  imagesPerSecond: number;
  /** Per second of this process's CPU time (user + system): the one-core figure, independent of other load. */
  imagesPerCpuSecond: number;
  allImagesPerSecond: number[];
}

async function rate(body: (b: number) => void | Promise<void>): Promise<Rate> {
  for (let b = 0; b < 2; b++) await body(b);
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let p = 0; p < PASSES; p++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let b = 0; b < BATCHES_PER_PASS; b++) await body(b);
    const c = process.cpuUsage(c0);
    rates.push((BATCHES_PER_PASS * BATCH) / ((performance.now() - t0) / 1000));
    cpuRates.push((BATCHES_PER_PASS * BATCH) / ((c.user + c.system) / 1e6));
  }
  return { imagesPerSecond: Math.round(median(rates)), imagesPerCpuSecond: Math.round(median(cpuRates)), allImagesPerSecond: rates.map(Math.round) };
}

const rng = createRng(0);
const batches = Array.from({ length: BATCHES_PER_PASS }, () => {
  const f = sampleUniformFactors(DSPRITES_FACTOR_SIZES, BATCH, rng);
  return { data: f.data, shape: [BATCH, 5] as [number, number] };
});
const load1 = loadavg()[0];
const results: Record<string, Rate> = {};
const u8 = new Uint8Array(BATCH * 4096);
const f32 = new Float32Array(BATCH * 4096);
results.rendererUint8 = await rate((b) => void renderDspritesBatch(batches[b % batches.length], u8));
results.rendererFloat32 = await rate((b) => void renderDspritesBatch(batches[b % batches.length], f32));
const data = dsprites();
for (const backend of ['cpu', 'wasm'] as const) {
  await setupBackend([backend]);
  results[`tensor_${backend}`] = await rate(async (b) => {
    const t = data.observationsFromFactors(batches[b % batches.length], rng);
    await t.data(); // make sure the upload happened
    t.dispose();
  });
}
const out = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadAverage1mBefore: load1, loadAverage1mAfter: loadavg()[0] },
  quick,
  batchSize: BATCH,
  imagesPerPass: BATCH * BATCHES_PER_PASS,
  target: { imagesPerSecondOneCore: 20000, met: results.rendererFloat32.imagesPerCpuSecond >= 20000 },
  note: 'single-threaded; rendererX = renderDspritesBatch into a reused typed array; tensor_X = dsprites().observationsFromFactors + data() + dispose on backend X. The machine is shared: see loadAverage.',
  results,
};
mkdirSync('benchmarks/results', { recursive: true });
await writeFileAtomic('benchmarks/results/dsprites-render.json', JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify({ load: out.machine, ...Object.fromEntries(Object.entries(results).map(([k, v]) => [k, [v.imagesPerSecond, v.imagesPerCpuSecond]])) }));
void tf;
