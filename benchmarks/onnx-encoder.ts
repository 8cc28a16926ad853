/**
 * Throughput of the fixture Burgess encoder (test/fixtures/onnx/burgess_encoder.onnx: 4 conv layers 32×4×4 stride
 * 2, fc 128, 128, 2×10) through `onnxModel` in onnxruntime-web (wasm, one thread), on procedural dSprites images.
 * Run: `npx tsx benchmarks/onnx-encoder.ts [--quick]`. Writes benchmarks/results/onnx-encoder.json.
 *
 * Measures images/s of `represent` at batchSize 64 and 256, and of a bare `session.run` on the same
 * pre-built float32 NCHW batches (no reading, casting or copying) to show what the wrapper costs. Each figure is
 * the median of several timed passes after a warm-up pass. The fully connected layers are half the width of
 * Burgess et al.'s 256 (to keep the fixtures small); they hold ~2 % of the multiply-adds, so the figure stands
 * for the full-width encoder too.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as ort from 'onnxruntime-web';
import { writeFileAtomic } from '../src/core/files.js';
import { createRng } from '../src/core/rng.js';
import { DSPRITES_FACTOR_SIZES, renderDspritesBatch } from '../src/data/dspritesRenderer.js';
import { sampleUniformFactors } from '../src/data/sampling.js';
import { onnxModel } from '../src/onnx/index.js';
import { median } from './lib/median.js';

const quick = process.argv.includes('--quick');
const IMAGES = quick ? 512 : 2048;
const PASSES = quick ? 3 : 5;
const ENCODER = 'test/fixtures/onnx/burgess_encoder.onnx';

interface Rate {
  imagesPerSecond: number;
  imagesPerCpuSecond: number;
  allImagesPerSecond: number[];
}

/** Times every variant once per pass, in turn, so that drift in the machine's load hits all of them alike. */
async function rates(variants: Record<string, () => Promise<void>>): Promise<Record<string, Rate>> {
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (const [name, body] of Object.entries(variants)) {
    await body();
    wall[name] = [];
    cpu[name] = [];
  }
  for (let p = 0; p < PASSES; p++) {
    for (const [name, body] of Object.entries(variants)) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await body();
      const c = process.cpuUsage(c0);
      wall[name].push(IMAGES / ((performance.now() - t0) / 1000));
      cpu[name].push(IMAGES / ((c.user + c.system) / 1e6));
    }
  }
  return Object.fromEntries(
    Object.keys(variants).map((k) => [k, { imagesPerSecond: Math.round(median(wall[k])), imagesPerCpuSecond: Math.round(median(cpu[k])), allImagesPerSecond: wall[k].map(Math.round) }]),
  );
}

const factors = sampleUniformFactors(DSPRITES_FACTOR_SIZES, IMAGES, createRng(0));
const pixels = renderDspritesBatch({ data: factors.data, shape: [IMAGES, 5] }, new Float32Array(IMAGES * 4096));
const images = { data: pixels, shape: [IMAGES, 64, 64, 1] };
const load1 = loadavg()[0];

ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(ENCODER);
const m64 = await onnxModel({ encoder: ENCODER, ort, batchSize: 64 });
const m256 = await onnxModel({ encoder: ENCODER, ort, batchSize: 256 });
const results = await rates({
  represent_batch64: async () => void (await m64.represent(images)),
  represent_batch256: async () => void (await m256.represent(images)),
  sessionRun_batch256: async () => {
    for (let s = 0; s < IMAGES; s += 256) {
      const m = Math.min(256, IMAGES - s);
      const out = await session.run({ x: new ort.Tensor('float32', pixels.subarray(s * 4096, (s + m) * 4096), [m, 1, 64, 64]) }, ['mu']);
      void out.mu.data;
    }
  },
});
await Promise.all([m64.dispose(), m256.dispose(), session.release()]);

const out = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadAverage1mBefore: load1, loadAverage1mAfter: loadavg()[0] },
  runtime: `onnxruntime-web ${ort.env.versions?.web ?? '?'} (wasm, numThreads 1)`,
  quick,
  imagesPerPass: IMAGES,
  note: 'represent_batchN: onnxModel(...).represent on n×64×64×1 float32 procedural dSprites images; sessionRun_batch256: bare InferenceSession.run on the same data already in NCHW float32. Wall-clock figures on a shared machine: see loadAverage.',
  wrapperShare: Number((1 - results.represent_batch256.imagesPerCpuSecond / results.sessionRun_batch256.imagesPerCpuSecond).toFixed(3)),
  results,
};
mkdirSync('benchmarks/results', { recursive: true });
await writeFileAtomic('benchmarks/results/onnx-encoder.json', JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify({ load: out.machine, wrapperShare: out.wrapperShare, ...Object.fromEntries(Object.entries(results).map(([k, v]) => [k, [v.imagesPerSecond, v.imagesPerCpuSecond]])) }));
