/**
 * `npm run demo`: scores a few reference representations of procedural dSprites with every sampling metric
 * the library exports, with a progress bar per run on stderr and a results table on stdout.
 *
 * Representations (all tfjs, on the wasm backend): an encoder that reads the factors off the image (mass,
 * centroid, second moments), a random rotation of it (entangled), a partly entangled noisy version, and a
 * collapsed one (all codes 0). Sample sizes are reduced from disentanglement_lib's so the whole demo takes
 * about two minutes on two cores; they are printed with the table. Seeded: the same numbers every run.
 * `--quick` divides the sizes by four.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as lib from '../src/index.js';
import { progressBar } from '../src/cli/progress.js';
import { formatTable } from '../src/cli/table.js';
import type { GroundTruthDataset, Progress, TensorLike } from '../src/core/types.js';
import {
  collapsedRepresentation,
  factorVectorDataset,
  identityRepresentation,
  imageMomentEncoder,
  noisyRepresentation,
  rotatedRepresentation,
} from '../test/helpers/representations.js';

type Represent = (x: TensorLike) => TensorLike;
type Metric = (options: Record<string, unknown>) => Promise<Record<string, unknown>>;

const quick = process.argv.includes('--quick');
const scale = (n: number): number => (quick ? Math.max(50, Math.round(n / 4)) : n);

/** Each entry: the exported name, its reduced sample sizes, and the headline number of its result. */
const METRICS: { label: string; name: string; options: Record<string, number>; value: (r: Record<string, unknown>) => unknown }[] = [
  { label: 'FactorVAE', name: 'computeFactorVaeMetric', options: { numVarianceEstimate: 1000, numTrain: 300, numEval: 150 }, value: (r) => r.evalAccuracy },
  { label: 'BetaVAE', name: 'computeBetaVaeMetric', options: { numTrain: 300, numEval: 150, batchSize: 16 }, value: (r) => r.evalAccuracy },
  { label: 'MIG', name: 'computeMig', options: { numTrain: 2000 }, value: (r) => r.score },
  { label: 'SAP', name: 'computeSap', options: { numTrain: 1000, numTest: 500 }, value: (r) => r.score },
  { label: 'DCI-D', name: 'computeDci', options: { numTrain: 600, numTest: 300 }, value: (r) => r.disentanglement },
  { label: 'Modularity', name: 'computeModularity', options: { numTrain: 2000 }, value: (r) => r.score },
  { label: 'Explicit.', name: 'computeExplicitness', options: { numTrain: 1000, numTest: 500 }, value: (r) => r.scoreTest },
  { label: 'IRS', name: 'computeIrs', options: { numTrain: 2000 }, value: (r) => r.score },
  { label: 'GaussTC↓', name: 'computeUnsupervised', options: { numTrain: 2000 }, value: (r) => r.gaussianTotalCorrelation },
  { label: 'AAM', name: 'computeAam', options: { numTrain: 2000 }, value: (r) => r.score },
  { label: 'dHSIC↓', name: 'computeDhsic', options: { numSamples: 500 }, value: (r) => r.score },
];

/** Runs `outer` then `inner` on its codes, releasing the intermediate tensor. */
function compose(outer: () => Represent, inner: () => Represent): () => Represent {
  return () => {
    const [f, g] = [outer(), inner()];
    return (x) => {
      const z = g(x);
      const out = f(z);
      if (z instanceof tf.Tensor && z !== (out as unknown)) z.dispose();
      return out;
    };
  };
}

function setup(): { dataset: GroundTruthDataset<TensorLike>; description: string; representations: [string, () => Represent][] } {
  const exported = lib as unknown as Record<string, unknown>;
  if (typeof exported.dsprites === 'function') {
    const encoder = (): Represent => imageMomentEncoder();
    return {
      dataset: (exported.dsprites as () => GroundTruthDataset<TensorLike>)(),
      description: 'procedural dSprites (64×64×1), codes from a tfjs image-moment encoder',
      representations: [
        ['recovers factors', encoder],
        ['rotated', compose(() => rotatedRepresentation(5), encoder)],
        ['noisy, entangled', compose(() => noisyRepresentation(5, { leak: 0.6, noise: 0.3 }), encoder)],
        ['collapsed', () => collapsedRepresentation(5)],
      ],
    };
  }
  return {
    dataset: factorVectorDataset(),
    description: 'factor vectors of dSprites sizes (dsprites() not available)',
    representations: [
      ['recovers factors', identityRepresentation],
      ['rotated', () => rotatedRepresentation(5)],
      ['noisy, entangled', () => noisyRepresentation(5, { leak: 0.6, noise: 0.3 })],
      ['collapsed', () => collapsedRepresentation(5)],
    ],
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const backend = await lib.setupBackend(['wasm', 'cpu']);
  const { dataset, description, representations } = setup();
  const exported = lib as unknown as Record<string, unknown>;
  const available = METRICS.filter((m) => typeof exported[m.name] === 'function');
  const missing = METRICS.filter((m) => typeof exported[m.name] !== 'function').map((m) => m.name);
  const sizes = (m: (typeof METRICS)[number]): Record<string, number> =>
    Object.fromEntries(Object.entries(m.options).map(([k, v]) => [k, k === 'batchSize' ? v : scale(v)]));

  const rows: (string | number | undefined)[][] = [];
  for (const [repName, makeRepresent] of representations) {
    const row: (string | number | undefined)[] = [repName];
    for (const metric of available) {
      const bar = progressBar(`${metric.label} [${repName}]`);
      try {
        const result = await (exported[metric.name] as Metric)({
          dataset,
          represent: makeRepresent(),
          seed: 0,
          ...sizes(metric),
          onProgress: (p: Progress) => bar.onProgress(p),
        });
        const v = metric.value(result);
        row.push(typeof v === 'number' ? v : undefined);
      } catch (e) {
        process.stderr.write(`\n${metric.name} on '${repName}' failed: ${e instanceof Error ? e.message : String(e)}\n`);
        row.push(undefined);
      } finally {
        bar.stop();
      }
    }
    rows.push(row);
  }

  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage();
  console.log(`\ndisentangle demo: ${description}; tfjs backend ${backend}; seed 0${quick ? '; --quick' : ''}`);
  console.log('Sample sizes (reduced from disentanglement_lib defaults to fit the demo):');
  for (const m of available) console.log(`  ${m.label.padEnd(11)} ${m.name}(${JSON.stringify(sizes(m))})`);
  if (missing.length > 0) console.log(`Not exported yet, skipped: ${missing.join(', ')}`);
  console.log(`\n${formatTable(['representation', ...available.map((m) => m.label)], rows)}`);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(`\n↓ = lower is better. ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU; leaked tensors: ${tf.memory().numTensors}.`);
}

await main();
