/**
 * dSprites variants throughput: images per second when drawn in batches of 64 (a sampling metric's batch), per
 * variant, backend-free (`renderObservations` into a reused Float32Array) and as tfjs tensors on the cpu backend
 * (`observationsFromFactors`, what the sampler calls). Also the one-off cost of preparing a scream picture from
 * a synthetic 1,000×1,234 (width×height) portrait, decoding aside: shrinking it to fit 350×274 with Pillow's
 * bicubic. Single-threaded; each rate is the median of several passes after a warm-up.
 *
 * `run(quick)` returns the numbers; benchmarks/datasets.ts calls it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../../src/core/backend.js';
import { createRng } from '../../../src/core/rng.js';
import { dsprites } from '../../../src/data/dsprites.js';
import { DSPRITES_FACTOR_SIZES } from '../../../src/data/dspritesRenderer.js';
import { sampleUniformFactors } from '../../../src/data/sampling.js';
import { prepareScreamImage } from '../../../src/data/screamImage.js';
import { median } from '../median.js';

const BATCH = 64;

/** Wall-clock images per second, and per second of this process's CPU time (steady under a loaded machine). */
interface Rate {
  imagesPerSecond: number;
  imagesPerCpuSecond: number;
}

async function rate(batches: number, passes: number, body: (b: number) => void | Promise<void>): Promise<Rate> {
  for (let b = 0; b < 4; b++) await body(b);
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let b = 0; b < batches; b++) await body(b);
    const c = process.cpuUsage(c0);
    rates.push((batches * BATCH) / ((performance.now() - t0) / 1000));
    cpuRates.push((batches * BATCH) / ((c.user + c.system) / 1e6));
  }
  return { imagesPerSecond: Math.round(median(rates)), imagesPerCpuSecond: Math.round(median(cpuRates)) };
}

/** A smooth synthetic picture with edges, h×w×3 bytes. */
function picture(h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w * 3);
  for (let i = 0; i < out.length; i++) {
    const p = Math.floor(i / 3);
    const y = Math.floor(p / w);
    const x = p % w;
    out[i] = (x + 2 * y + 85 * (i % 3) + ((x >> 4) + (y >> 4)) * 37) & 255;
  }
  return out;
}

export async function run(quick: boolean): Promise<Record<string, unknown>> {
  await setupBackend(['cpu']);
  const batches = quick ? 16 : 64;
  const passes = quick ? 3 : 5;
  const rng = createRng(0);
  const factorBatches = Array.from({ length: batches }, () => {
    const f = sampleUniformFactors(DSPRITES_FACTOR_SIZES, BATCH, rng);
    return { data: f.data, shape: [BATCH, 5] as [number, number] };
  });

  const screamPixels = { data: picture(1234, 1000), shape: [1234, 1000, 3] };
  const t0 = performance.now();
  const bg = prepareScreamImage(screamPixels);
  const screamPrepareMs = performance.now() - t0;

  const perVariant: Record<string, { renderer: Rate; tensor: Rate }> = {};
  for (const variant of ['binary', 'color', 'noisy', 'scream'] as const) {
    const d = dsprites({ variant, screamImage: variant === 'scream' ? screamPixels : undefined });
    const out = new Float32Array(BATCH * 4096 * (variant === 'binary' ? 1 : 3));
    const draw = createRng(1);
    const renderer = await rate(batches, passes, (b) => {
      d.renderObservations(factorBatches[b], draw, out);
    });
    const tensor = await rate(batches, passes, (b) => {
      d.observationsFromFactors(factorBatches[b], draw).dispose();
    });
    perVariant[variant] = { renderer, tensor };
  }
  return {
    batchSize: BATCH,
    imagesPerPass: batches * BATCH,
    passes,
    backend: tf.getBackend(),
    screamPicture: { input: [1234, 1000], fitted: [bg.height, bg.width], prepareMs: Math.round(screamPrepareMs) },
    perVariant,
    node: process.version,
  };
}

if (process.argv[1]?.endsWith('dspritesVariants.ts')) {
  run(process.argv.includes('--quick')).then((r) => console.log(JSON.stringify(r, null, 2)));
}
