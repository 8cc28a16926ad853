/**
 * Trains a small population of reference models on procedural dSprites for the demo and model-selection examples:
 * InfoGAN-CR runs (λ_CR switched on for the last quarter, H reset there) and FactorVAE runs with several γ, with
 * narrow networks so the whole population trains in minutes on a 2-core machine. Each model is saved under
 * models/population/<name>/ (model.json + weights.bin) with its latent traversal (traversal.png);
 * models/population/index.json lists them with their settings and training times.
 *
 * Run: npx tsx scripts/train-population.ts [--gans 2] [--vaes 2] [--iterations 300] [--gan-iterations N] [--batch 32]
 *      [--out models/population]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setupBackend } from '../src/core/backend.js';
import { dsprites } from '../src/data/dsprites.js';
import { trainFactorVae } from '../src/models/trainFactorVae.js';
import { trainInfoGanCr } from '../src/models/trainInfoganCr.js';
import { latentTraversal } from '../src/viz/traversal.js';

function arg(name: string, fallback: number | string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : String(fallback);
}

/** Narrow versions of the §13 networks: same layer structure, fewer channels. */
export const SMALL_INFOGAN = { trunkConv: [16, 16, 32, 32], generatorDeconv: [32, 16, 16], generatorReshapeChannels: 32, generatorHidden: 64, trunkHidden: 64, qHidden: 64 };
export const SMALL_FACTOR_VAE = { encoderConv: [16, 16, 32, 32], encoderHidden: 64, decoderHidden: 64, decoderReshapeChannels: 32, decoderDeconv: [32, 16, 16], discriminatorHidden: 200, discriminatorLayers: 3 };

async function main(): Promise<void> {
  const backend = await setupBackend();
  const gans = Number(arg('gans', 2));
  const vaes = Number(arg('vaes', 2));
  const iterations = Number(arg('iterations', 300));
  const ganIterations = Number(arg('gan-iterations', iterations));
  const batchSize = Number(arg('batch', 32));
  const out = arg('out', 'models/population');
  mkdirSync(out, { recursive: true });
  const dataset = dsprites();
  const entries: Array<Record<string, unknown>> = [];
  const t0 = performance.now();
  const report = (name: string) => (p: { done: number; total: number }) => {
    if (p.done % 50 === 0) console.error(`${name}: ${p.done}/${p.total}`);
  };
  for (let i = 0; i < gans; i++) {
    const name = `infogan-cr-${i}`;
    const start = performance.now();
    const model = await trainInfoGanCr({
      dataset,
      config: { ...SMALL_INFOGAN, seed: i },
      iterations: ganIterations,
      batchSize,
      crStartIteration: Math.floor(0.75 * ganIterations),
      seed: i,
      onProgress: report(name),
    });
    const seconds = (performance.now() - start) / 1000;
    await model.save(`${out}/${name}`);
    writeFileSync(`${out}/${name}/traversal.png`, await latentTraversal(model.asGenerativeModel(), { steps: 8, seed: 0 }));
    entries.push({ name, family: 'infogan-cr', iterations: ganIterations, batchSize, lambdaCr: 2, crStartIteration: Math.floor(0.75 * ganIterations), seed: i, trainSeconds: seconds, lastLosses: model.history.at(-1) });
    model.dispose();
  }
  const gammas = [1, 10, 20, 40];
  for (let i = 0; i < vaes; i++) {
    const gamma = gammas[i % gammas.length];
    const name = `factor-vae-${i}`;
    const start = performance.now();
    const model = await trainFactorVae({
      dataset,
      config: { ...SMALL_FACTOR_VAE, seed: 100 + i },
      gamma,
      iterations,
      batchSize,
      learningRate: 1e-3,
      seed: 100 + i,
      onProgress: report(name),
    });
    const seconds = (performance.now() - start) / 1000;
    await model.save(`${out}/${name}`);
    writeFileSync(`${out}/${name}/traversal.png`, await latentTraversal(model.asGenerativeModel(), { steps: 8, seed: 0 }));
    entries.push({ name, family: 'factor-vae', gamma, learningRate: 1e-3, iterations, batchSize, seed: 100 + i, trainSeconds: seconds, lastLosses: model.history.at(-1) });
    model.dispose();
  }
  const index = { backend, dataset: 'procedural dSprites', totalSeconds: (performance.now() - t0) / 1000, models: entries };
  writeFileSync(`${out}/index.json`, JSON.stringify(index, null, 2) + '\n');
  console.log(JSON.stringify(index, null, 2));
}

void main();
