/**
 * Training speed of the reference models at the paper's sizes (the dSprites architectures of docs/reference-models.md): one InfoGAN-CR
 * iteration (1 H step, 1 D/Q step, 2 G steps, SN updates) and one FactorVAE iteration (VAE step + TC
 * discriminator step) at batch 64 on procedural dSprites, and images per second through each encoder.
 *
 * Run: npx tsx benchmarks/training.ts [--backend wasm|cpu] [--iterations 3] [--out path]
 *   → benchmarks/results/training.json
 *
 * Reports wall and process CPU time: the project machine is shared by several engineers, so the load average at
 * the start is recorded and CPU time per iteration is the fairer number.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../src/core/backend.js';
import { createRng } from '../src/core/rng.js';
import { dsprites } from '../src/data/dsprites.js';
import { sampleUniformFactors, toFactorBatch } from '../src/data/sampling.js';
import { Adam } from '../src/models/adam.js';
import { buildFactorVae } from '../src/models/factorVae.js';
import { buildInfoGanCr } from '../src/models/infoganCr.js';
import { countParams } from '../src/models/layers.js';
import { vaeIteration } from '../src/models/trainFactorVae.js';
import { iterate } from '../src/models/trainInfoganCr.js';
import { writeFileAtomic } from '../src/core/files.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Runs `body` `reps` times after one warm-up; returns mean wall and CPU seconds per run. */
function measure(reps: number, body: (i: number) => void): { wallSeconds: number; cpuSeconds: number } {
  body(-1);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) body(i);
  const cpu = process.cpuUsage(cpu0);
  return { wallSeconds: (performance.now() - t0) / 1000 / reps, cpuSeconds: (cpu.user + cpu.system) / 1e6 / reps };
}

async function main(): Promise<void> {
  const backend = await setupBackend([arg('backend', 'wasm') as 'wasm' | 'cpu']);
  tf.enableProdMode();
  const reps = Number(arg('iterations', '3'));
  const load = loadavg()[0];
  const data = dsprites();
  const n = 64;
  const rng = createRng(0);
  const real = data.observationsFromFactors(toFactorBatch(sampleUniformFactors(data.factorSizes, n, rng)));

  // InfoGAN-CR, full size, λ_CR on (the most expensive iteration) and off without H training.
  const gan = buildInfoGanCr({ seed: 0 });
  const adam = (vars: tf.Variable[], lr: number) => new Adam(vars, { learningRate: lr, beta1: 0.5, epsilon: 1e-8 });
  const gOpts = { g: adam(gan.generatorVariables(), 1e-3), dq: adam(gan.discriminatorVariables(), 2e-3), h: adam(gan.crVariables(), 2e-3) };
  const base = { batchSize: n, lambdaInfo: 0.05, gap: 0, generatorSteps: 2 };
  const ganCr = measure(reps, (i) => iterate(gan, gOpts, { ...base, lambdaCr: 2, trainCrBeforeSwitch: true }, real, createRng(100 + i), false));
  console.error('InfoGAN-CR (CR on)', ganCr);
  const ganPlain = measure(reps, (i) => iterate(gan, gOpts, { ...base, lambdaCr: 0, trainCrBeforeSwitch: false }, real, createRng(200 + i), false));
  console.error('InfoGAN (CR off, H idle)', ganPlain);

  // FactorVAE, full size.
  const vae = buildFactorVae({ seed: 0 });
  const vOpts = {
    vae: new Adam(vae.vaeVariables(), { learningRate: 1e-4, epsilon: 1e-8 }),
    tc: new Adam(vae.discriminatorVariables(), { learningRate: 1e-4, beta1: 0.5, beta2: 0.9, epsilon: 1e-8 }),
  };
  const fvae = measure(reps, (i) => vaeIteration(vae, vOpts, { objective: 'factor-vae', gamma: 10, beta: 1, datasetSize: 737280 }, real, createRng(300 + i), false));
  console.error('FactorVAE', fvae);

  // Encoders: images per second at batch 256 (inference path, fused kernels).
  const big = data.observationsFromFactors(toFactorBatch(sampleUniformFactors(data.factorSizes, 256, rng)));
  const qRep = gan.asGenerativeModel().represent;
  const vRep = vae.asGenerativeModel({ representation: 'mean' }).represent;
  const qEnc = measure(3, () => tf.dispose(tf.tidy(() => (qRep(big) as tf.Tensor).dataSync())));
  const vEnc = measure(3, () => tf.dispose(tf.tidy(() => (vRep(big) as tf.Tensor).dataSync())));
  const leaked = tf.memory().numTensors;

  const paperInfoGanIterations = 322_560;
  const paperCrIterations = 322_560 - 288_000;
  const paperVaeIterations = 311_040;
  const out = {
    benchmark: 'reference-model training at full size (§13), batch 64, procedural dSprites',
    backend,
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    loadAverageAtStart: load,
    repetitions: reps,
    parameters: {
      infoganCr: { generator: countParams(Object.fromEntries(gan.generatorVariables().map((v, i) => [i, v]))), total: countParams(gan.params()) },
      factorVae: { total: countParams(vae.params()) },
    },
    infoganCr: {
      crOn: { ...ganCr, iterationsPerSecond: 1 / ganCr.wallSeconds, iterationsPerCpuSecond: 1 / ganCr.cpuSeconds },
      crOffHIdle: { ...ganPlain, iterationsPerSecond: 1 / ganPlain.wallSeconds, iterationsPerCpuSecond: 1 / ganPlain.cpuSeconds },
      paperScheduleCpuHours:
        ((paperInfoGanIterations - paperCrIterations) * ganPlain.cpuSeconds + paperCrIterations * ganCr.cpuSeconds) / 3600,
      encoderImagesPerSecond: 256 / qEnc.wallSeconds,
      encoderImagesPerCpuSecond: 256 / qEnc.cpuSeconds,
    },
    factorVae: {
      ...fvae,
      iterationsPerSecond: 1 / fvae.wallSeconds,
      iterationsPerCpuSecond: 1 / fvae.cpuSeconds,
      paperScheduleCpuHours: (paperVaeIterations * fvae.cpuSeconds) / 3600,
      encoderImagesPerSecond: 256 / vEnc.wallSeconds,
      encoderImagesPerCpuSecond: 256 / vEnc.cpuSeconds,
    },
    tensorsAliveAtEnd: leaked,
  };
  const path = arg('out', new URL('./results/training.json', import.meta.url).pathname);
  mkdirSync(path.slice(0, path.lastIndexOf('/')), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out, null, 2));
  [gOpts.g, gOpts.dq, gOpts.h, vOpts.vae, vOpts.tc].forEach((o) => o.dispose());
  tf.dispose([real, big]);
  gan.dispose();
  vae.dispose();
}

void main();
