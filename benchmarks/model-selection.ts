/**
 * Model-selection benchmark (issue 7). Run: `npx tsx benchmarks/model-selection.ts [--quick]`.
 * Writes benchmarks/results/model-selection.json.
 *
 * (a) Speed: ModelCentrality over populations of 5, 10 and 20 small tfjs MLP models on the wasm backend
 *     (generator 8 → 64 ReLU → 64 sigmoid, encoder 64 → 64 ReLU → 4), reduced data sizes (printed). Wall and
 *     CPU time, encodes (represent calls and rows) per second, and the library's own share of the time: the
 *     wall time minus the time spent inside the models' callbacks (target ≤ 10%). The cost must grow with the
 *     number of pairs n², no faster. UDR (lasso, spearman) on the same models' encoders.
 * (b) Table 3 analogue: on synthetic populations (test/helpers/populations.ts, 8 models each, ICR-sized
 *     ModelCentrality runs), the supervised FactorVAE score (InfoGAN-CR variant against the true factors) of the
 *     model each selector picks, next to the supervised best and the population median.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../src/core/backend.js';
import type { Rng } from '../src/core/rng.js';
import { createRng } from '../src/core/rng.js';
import type { GenerativeModel, GroundTruthDataset, TensorLike } from '../src/core/types.js';
import { spearmanCorrelation } from '../src/estimators/rankCorrelation.js';
import { modelCentrality } from '../src/selection/modelCentrality.js';
import { udr, type UdrModel } from '../src/selection/udr.js';
import { makePopulation, supervisedScores } from '../test/helpers/populations.js';
import { writeFileAtomic } from '../src/core/files.js';

const quick = process.argv.includes('--quick');
const K = 4;
const LATENT = 8;

/** MLP widths: `small` is cheap enough for 20 models; `dsprites` has a 64×64-image output and input. */
interface Widths {
  name: string;
  hidden: number;
  pixels: number;
}
const SMALL: Widths = { name: 'small (8→64→64, 64→64→4)', hidden: 64, pixels: 64 };
const DSPRITES: Widths = { name: 'dSprites-sized (8→256→4096, 4096→256→4)', hidden: 256, pixels: 4096 };

let modelMs = 0;
/** Runs a model callback and charges its time to the models. */
function charged<A extends unknown[], R>(f: (...a: A) => R): (...a: A) => R {
  return (...a) => {
    const t = performance.now();
    try {
      return f(...a);
    } finally {
      modelMs += performance.now() - t;
    }
  };
}

function weights(rows: number, cols: number, rng: Rng): tf.Tensor2D {
  const scale = Math.sqrt(2 / rows);
  return tf.tensor2d(Float32Array.from({ length: rows * cols }, () => rng.normal() * scale), [rows, cols]);
}

/** A small tfjs MLP "GAN": uniform prior, MLP generator, MLP encoder (its Q head). */
function mlpModel(seed: number, w: Widths): { model: GenerativeModel; udr: UdrModel; dispose: () => void } {
  const rng = createRng(seed);
  const [g1, g2, e1, e2] = [weights(LATENT, w.hidden, rng), weights(w.hidden, w.pixels, rng), weights(w.pixels, w.hidden, rng), weights(w.hidden, K, rng)];
  const represent = charged((x: TensorLike) => tf.tidy(() => tf.matMul(tf.relu(tf.matMul(x as tf.Tensor2D, e1)), e2)));
  return {
    model: {
      latentDims: LATENT,
      codeDims: K,
      sampleLatents: charged((n: number, r: Rng) => tf.tensor2d(Float32Array.from({ length: n * LATENT }, () => 2 * r.float() - 1), [n, LATENT])),
      generate: charged((z: TensorLike) => tf.tidy(() => tf.sigmoid(tf.matMul(tf.relu(tf.matMul(z as tf.Tensor2D, g1)), g2)))),
      represent,
    },
    udr: (x) => ({ mean: represent(x) }),
    dispose: () => [g1, g2, e1, e2].forEach((w) => w.dispose()),
  };
}

type Sizes = { groups: number; groupSize: number; scaleSetSize: number; batchSize: number };

async function speed(widths: Widths, counts: number[], sizes: Sizes, withUdr: boolean): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const n of counts) {
    const pop = Array.from({ length: n }, (_, i) => mlpModel(100 + i, widths));
    const before = tf.memory().numTensors;
    modelMs = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await modelCentrality({ models: pop.map((p) => p.model), ...sizes });
    const c = process.cpuUsage(c0);
    const wall = performance.now() - t0;
    const rowsPerDataModel = sizes.scaleSetSize + sizes.groups * sizes.groupSize;
    const entry: Record<string, unknown> = {
      selector: 'modelCentrality',
      modelWidths: widths.name,
      models: n,
      pairs: n * n,
      sizes,
      wallSeconds: wall / 1000,
      cpuSeconds: (c.user + c.system) / 1e6,
      secondsPerPair: wall / 1000 / (n * n),
      representCalls: r.encodes,
      encodesPerSecond: r.encodes / (wall / 1000),
      rowsEncodedPerSecond: (n * n * rowsPerDataModel) / (wall / 1000),
      modelSeconds: modelMs / 1000,
      librarySharePercent: (100 * (wall - modelMs)) / wall,
      leakedTensors: tf.memory().numTensors - before,
    };
    console.log(JSON.stringify(entry));
    out.push(entry);
    const dataset: GroundTruthDataset = {
      factorSizes: [LATENT],
      observationsFromFactors: (f, rng) => pop[0].model.generate(pop[0].model.sampleLatents(f.shape[0], rng) as TensorLike) as TensorLike,
    };
    for (const correlation of withUdr ? (['lasso', 'spearman'] as const) : []) {
      modelMs = 0;
      const u0 = performance.now();
      await udr({ models: pop.map((p) => p.udr), dataset, correlation });
      const uw = performance.now() - u0;
      const e = { selector: `udr-${correlation}`, models: n, pairs: n * (n - 1), wallSeconds: uw / 1000, secondsPerPair: uw / 1000 / (n * (n - 1)), modelSeconds: modelMs / 1000, librarySharePercent: (100 * (uw - modelMs)) / uw };
      console.log(JSON.stringify(e));
      out.push(e);
    }
    pop.forEach((p) => p.dispose());
  }
  return out;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const meanSd = (v: number[]): { mean: number; sd: number } => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean: m, sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) };
};

async function table3(): Promise<Record<string, unknown>> {
  const seeds = quick ? [1, 2] : Array.from({ length: 10 }, (_, i) => i + 1);
  const sizes = quick ? { groups: 200, groupSize: 50, scaleSetSize: 5000 } : {}; // {} = InfoGAN-CR's sizes
  const rows: Record<string, number[]> = { modelCentrality: [], udrLasso: [], udrSpearman: [], supervisedBest: [], populationMedian: [], random: [] };
  const correlations: Record<string, number[]> = { modelCentrality: [], udrLasso: [], udrSpearman: [] };
  const picksAtOrAboveMedian: Record<string, number> = { modelCentrality: 0, udrLasso: 0, udrSpearman: 0 };
  const perSeed: Record<string, unknown>[] = [];
  for (const seed of seeds) {
    const pop = makePopulation({ seed, size: 8 });
    const sup = await supervisedScores(pop, sizes);
    const mc = await modelCentrality({ models: pop.models.map((m) => m.model), ...sizes, seed });
    const lasso = await udr({ models: pop.models.map((m) => m.udr), dataset: pop.dataset, correlation: 'lasso', seed });
    const spear = await udr({ models: pop.models.map((m) => m.udr), dataset: pop.dataset, correlation: 'spearman', seed });
    const med = median(sup);
    const picks = { modelCentrality: mc.selected, udrLasso: lasso.selected, udrSpearman: spear.selected };
    const scores = { modelCentrality: mc.centrality, udrLasso: lasso.scores, udrSpearman: spear.scores };
    for (const [k, p] of Object.entries(picks)) {
      rows[k].push(sup[p]);
      if (sup[p] >= med) picksAtOrAboveMedian[k]++;
      correlations[k].push(new Set(sup).size > 1 ? spearmanCorrelation(scores[k as keyof typeof scores], sup) : NaN);
    }
    rows.supervisedBest.push(Math.max(...sup));
    rows.populationMedian.push(med);
    rows.random.push(sup.reduce((a, b) => a + b, 0) / sup.length);
    const entry = { seed, supervised: sup, angles: pop.models.map((m) => m.angle), collapsed: pop.models.map((m) => m.collapsed.length), picks };
    console.log(JSON.stringify(entry));
    perSeed.push(entry);
  }
  return {
    populations: seeds.length,
    modelsPerPopulation: 8,
    sizes: Object.keys(sizes).length ? sizes : 'InfoGAN-CR defaults (100 × codeDims groups of 100, scale set 73,728)',
    supervisedScoreOfPick: Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, meanSd(v)])),
    picksAtOrAboveMedian,
    rankCorrelationWithSupervised: Object.fromEntries(Object.entries(correlations).map(([k, v]) => [k, meanSd(v.filter((x) => !Number.isNaN(x)))])),
    perSeed,
  };
}

const backend = await setupBackend(['wasm', 'cpu']);
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, loadavg: loadavg(), node: process.version, backend },
  // a first short run warms the wasm kernels up so that it does not count against the 5-model row
  warmUp: await speed(SMALL, [2], { groups: 20, groupSize: 50, scaleSetSize: 1000, batchSize: 1000 }, false),
  speed: [
    ...(await speed(SMALL, quick ? [5, 10] : [5, 10, 20], quick ? { groups: 40, groupSize: 50, scaleSetSize: 2000, batchSize: 1000 } : { groups: 200, groupSize: 50, scaleSetSize: 5000, batchSize: 1000 }, true)),
    ...(await speed(DSPRITES, quick ? [3] : [5], { groups: 20, groupSize: 50, scaleSetSize: 1000, batchSize: 1000 }, false)),
  ],
  table3: await table3(),
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
await writeFileAtomic(new URL('./results/model-selection.json', import.meta.url), JSON.stringify(result, null, 2));
console.log('wrote benchmarks/results/model-selection.json');
