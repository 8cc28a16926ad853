/**
 * A short check for a machine with a GPU (about a minute; runs on a CPU-only machine too, and says so):
 * - which tfjs backends start (tensorflow from @tensorflow/tfjs-node-gpu or -node, webgpu, webgl, wasm, cpu),
 * - which ONNX runtimes load (onnxruntime-node, onnxruntime-web) and which execution providers open the fixture
 *   encoder (test/fixtures/onnx/burgess_encoder.onnx),
 * - the fixture encoder's throughput through `onnxModel` with the given execution providers,
 * - a tfjs matMul on the backend `setupBackend()` chooses.
 * Writes benchmarks/results/gpu-check.json (atomically).
 *
 * Run: `npx tsx benchmarks/gpu-check.ts [--providers cuda,cpu] [--runtime onnxruntime-node] [--quick]`.
 * Default providers: `cuda, cpu` with onnxruntime-node, `wasm` with onnxruntime-web (in Node it has no GPU provider;
 * in a browser it has `webgpu`). For the tfjs side install @tensorflow/tfjs-node-gpu (same tfjs-core version);
 * for the ONNX side onnxruntime-node (on Linux x64 npm fetches its CUDA 12 provider at install; cuDNN 9 must be
 * on the library path).
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_PACKAGES, DEFAULT_BACKENDS, setupBackend } from '../src/core/backend.js';
import { writeFileAtomic } from '../src/core/files.js';
import { createRng } from '../src/core/rng.js';
import { DSPRITES_FACTOR_SIZES, renderDspritesBatch } from '../src/data/dspritesRenderer.js';
import { sampleUniformFactors } from '../src/data/sampling.js';
import { onnxModel } from '../src/onnx/index.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const ENCODER = 'test/fixtures/onnx/burgess_encoder.onnx';
const IMAGES = quick ? 1024 : 8192;
const PASSES = quick ? 2 : 3;
const MATMUL_N = quick ? 512 : 2048;

const message = (e: unknown): string => ((e as Error)?.message ?? String(e)).split('\n')[0].slice(0, 300);
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const importModule = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier);

// 1. Which packages import, and which tfjs backends start.
const packages: Record<string, string> = {};
for (const pkg of [...new Set([...BACKEND_PACKAGES.tensorflow, ...BACKEND_PACKAGES.webgpu, ...BACKEND_PACKAGES.webgl, 'onnxruntime-node', 'onnxruntime-web'])]) {
  try {
    await importModule(pkg);
    packages[pkg] = 'loads';
  } catch (e) {
    packages[pkg] = `does not load: ${message(e)}`;
  }
}
const tfjsBackends: Record<string, string> = {};
for (const name of DEFAULT_BACKENDS) {
  try {
    tfjsBackends[name] = `starts (${await setupBackend([name])})`;
  } catch (e) {
    tfjsBackends[name] = `does not start: ${message(e)}`;
  }
}
const chosen = await setupBackend();

// 2. A tfjs matMul on the chosen backend: median of a few timed runs after a warm-up, GFLOP/s.
const matMul = tf.tidy(() => {
  const a = tf.randomUniform([MATMUL_N, MATMUL_N], -1, 1, 'float32', 1);
  const b = tf.randomUniform([MATMUL_N, MATMUL_N], -1, 1, 'float32', 2);
  return { a: tf.keep(a), b: tf.keep(b) };
});
const matMulSeconds: number[] = [];
for (let p = 0; p <= PASSES; p++) {
  const t0 = performance.now();
  const c = tf.matMul(matMul.a, matMul.b);
  await c.data(); // waits for the GPU and reads back, so the time is real
  c.dispose();
  if (p > 0) matMulSeconds.push((performance.now() - t0) / 1000);
}
tf.dispose([matMul.a, matMul.b]);
const matMulResult = { backend: chosen, n: MATMUL_N, seconds: matMulSeconds.map((s) => Number(s.toFixed(4))), gflops: Number(((2 * MATMUL_N ** 3) / median(matMulSeconds) / 1e9).toFixed(1)) };
console.log(`tfjs: ${JSON.stringify(tfjsBackends)} → ${chosen}; matMul ${MATMUL_N}²: ${matMulResult.gflops} GFLOP/s`);

// 3. The ONNX runtime: which execution providers open the encoder, and the encoder's throughput with the given ones.
const runtimeName = opt('--runtime') ?? (packages['onnxruntime-node'] === 'loads' ? 'onnxruntime-node' : 'onnxruntime-web');
const ortModule = (await importModule(runtimeName)) as { default?: unknown; env?: { wasm?: { numThreads?: number } }; listSupportedBackends?: () => unknown };
const ort = ((ortModule as { InferenceSession?: unknown }).InferenceSession ? ortModule : ortModule.default) as typeof ortModule & {
  InferenceSession: { create(m: string, o?: unknown): Promise<{ release(): Promise<void> }> };
};
if (runtimeName === 'onnxruntime-web' && ort.env?.wasm) ort.env.wasm.numThreads = 1;
const isNodeRuntime = runtimeName === 'onnxruntime-node';
const providers = (opt('--providers') ?? (isNodeRuntime ? 'cuda,cpu' : 'wasm')).split(',').filter(Boolean);
const candidates = isNodeRuntime ? ['cuda', 'tensorrt', 'dml', 'coreml', 'cpu'] : ['webgpu', 'webnn', 'webgl', 'wasm'];
const executionProviders: Record<string, string> = {};
for (const ep of [...new Set([...candidates, ...providers])]) {
  try {
    const s = await ort.InferenceSession.create(ENCODER, { executionProviders: [ep] });
    await s.release();
    executionProviders[ep] = 'opens the encoder';
  } catch (e) {
    executionProviders[ep] = `fails: ${message(e)}`;
  }
}
let supportedBackends: unknown;
try {
  supportedBackends = ort.listSupportedBackends?.();
} catch {
  // older onnxruntime-node
}
console.log(`${runtimeName}: ${JSON.stringify(executionProviders)}`);

const factors = sampleUniformFactors(DSPRITES_FACTOR_SIZES, IMAGES, createRng(0));
const pixels = renderDspritesBatch({ data: factors.data, shape: [IMAGES, 5] }, new Float32Array(IMAGES * 4096));
const images = { data: pixels, shape: [IMAGES, 64, 64, 1] };
const encoderResult: Record<string, unknown> = { runtime: runtimeName, executionProviders: providers, images: IMAGES };
try {
  const model = await onnxModel({ encoder: ENCODER, ort, executionProviders: providers, batchSize: 256 });
  try {
    const rates: number[] = [];
    for (let p = 0; p <= PASSES; p++) {
      const t0 = performance.now();
      await model.represent(images);
      if (p > 0) rates.push(IMAGES / ((performance.now() - t0) / 1000));
    }
    encoderResult.imagesPerSecond = Math.round(median(rates));
    encoderResult.allImagesPerSecond = rates.map(Math.round);
    encoderResult.dspritesSeconds = Number((737_280 / median(rates)).toFixed(1));
  } finally {
    await model.dispose();
  }
} catch (e) {
  encoderResult.error = message(e);
}
console.log(`encoder through onnxModel: ${JSON.stringify(encoderResult)}`);

const out = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: `${process.platform}-${process.arch}`, loadAverage1m: Number(loadavg()[0].toFixed(2)) },
  quick,
  packages,
  tfjs: { backends: tfjsBackends, chosen: chosen, matMul: matMulResult },
  onnx: { runtime: runtimeName, supportedBackends, executionProviders, encoder: encoderResult },
};
mkdirSync('benchmarks/results', { recursive: true });
await writeFileAtomic('benchmarks/results/gpu-check.json', `${JSON.stringify(out, null, 2)}\n`);
console.log('wrote benchmarks/results/gpu-check.json');
