/**
 * The demo behind `npm run demo` and `disentangle demo`: scores reference representations of procedural dSprites
 * (and the shipped trained population, when present) with every metric, a progress bar per run on stderr and a
 * results table on stdout; then ranks the population with ModelCentrality and UDR and draws traversals.
 * Sample sizes are reduced from disentanglement_lib's so the whole run fits in a few minutes on 2 cores.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '../core/files.js';
import type { GroundTruthDataset, RepresentationFunction, TensorLike } from '../core/types.js';
import { dsprites } from '../data/index.js';
import { collapsedRepresentation, imageMomentEncoder, noisyRepresentation, rotatedRepresentation } from '../models/index.js';
import { modelCentrality, udr } from '../selection/index.js';
import { argmaxFirst } from '../selection/ranking.js';
import { latentTraversal } from '../viz/index.js';
import type { CliModel } from './models.js';
import { loadModelSpec } from '../models/modelSpec.js';
import { shippedPopulationDir } from './packageRoot.js';
import { progressBar } from './progress.js';
import { evaluate, METRICS, headlineNumbers, type MetricResult } from '../metrics/index.js';
import { formatTable } from './table.js';

/** Trained conv encoders cost ~1 ms per image on one wasm thread: score them on a third of the demo sizes. */
const TRAINED_FACTOR = 0.3;

type Represent = RepresentationFunction<TensorLike>;

/** A population model's name without its folder (`factor-vae-g10-s0`), as tables and file names show it. */
function shortName(m: CliModel): string {
  return basename(m.name);
}

/** The results-table row of a population model. */
function trainedRow(m: CliModel): string {
  return `trained: ${shortName(m)}`;
}

/** Chains two representations, disposing the intermediate tensor. */
function compose(outer: (x: TensorLike) => TensorLike, inner: (x: TensorLike) => TensorLike): Represent {
  return (x) => {
    const z = inner(x);
    const out = outer(z);
    if (z instanceof tf.Tensor && (out as unknown) !== z) z.dispose();
    return out;
  };
}

/** The analytic reference representations (name, factory, stochastic); each call makes fresh ones so seeded noise restarts per metric. */
function referenceRepresentations(): [string, () => Represent, boolean][] {
  return [
    ['moment encoder (recovers factors)', () => imageMomentEncoder(), false],
    ['rotated (entangled)', () => compose(rotatedRepresentation(5), imageMomentEncoder()), false],
    ['noisy, partly entangled', () => compose(noisyRepresentation(5, { leak: 0.6, noise: 0.3 }), imageMomentEncoder()), true],
    ['collapsed', () => collapsedRepresentation(5), false],
  ];
}

export interface DemoOptions {
  quick: boolean;
  outDir: string;
  quiet: boolean;
  /** Print nothing on stdout (the caller uses the returned results). */
  silent?: boolean;
  signal?: AbortSignal;
}

/** Everything the demo computed, for JSON output and the documentation figures. */
export interface DemoResults {
  representations: string[];
  metrics: { id: string; column: string; field: string }[];
  /** values[representation][metric id] = the metric's headline numbers. */
  values: Record<string, Record<string, Record<string, number>>>;
  selection?: SelectionResults;
}

/** Selection within one family of the shipped population (models of one code width). */
export interface FamilySelection {
  /** Indices into `SelectionResults.models`. */
  members: number[];
  /** ModelCentrality's symmetrized cross-evaluation matrix over the members. */
  symmetric: number[][];
  /** Index (into `models`) of each selector's pick. */
  picks: { modelCentrality: number; udrLasso: number; udrSpearman: number; supervised: number };
}

export interface SelectionResults {
  models: string[];
  /** Code width of each model (5: InfoGAN and InfoGAN-CR codes, 10: FactorVAE latents). */
  codeDims: number[];
  /** Within-family scores; undefined for a model alone in its family. */
  centrality: (number | undefined)[];
  udrLasso: (number | undefined)[];
  udrSpearman: (number | undefined)[];
  /** The supervised FactorVAE metric from the table above (what the unsupervised selectors try to predict). */
  supervised: number[];
  families: FamilySelection[];
}

export async function runDemo(options: DemoOptions): Promise<DemoResults> {
  const started = performance.now();
  const tensorsBefore = tf.memory().numTensors;
  const quiet = options.quiet;
  const dataset = dsprites() as unknown as GroundTruthDataset<TensorLike>;
  const factor = options.quick ? 0.25 : 1;

  const results: DemoResults = {
    representations: [],
    metrics: METRICS.map((m) => ({ id: m.id, column: m.headline.column, field: m.headline.field })),
    values: {},
  };
  const populationDir = shippedPopulationDir();
  const population: CliModel[] = [];
  if (populationDir) {
    for (const name of readdirSync(populationDir).sort()) {
      if (existsSync(join(populationDir, name, 'model.json'))) population.push(await loadModelSpec(join(populationDir, name), 'mean'));
    }
  }
  try {
    const reps: [string, () => Represent, boolean][] = [
      ...referenceRepresentations(),
      ...population.map((m): [string, () => Represent, boolean] => [trainedRow(m), () => m.represent, !!m.stochastic]),
    ];
    const trained = new Set(population.map(trainedRow));
    const header = ['representation', ...METRICS.map((m) => m.headline.column)];
    const rows: (string | number | undefined)[][] = [];
    const all: Record<string, Record<string, Record<string, number>>> = {};
    for (const [name, make, stochastic] of reps) {
      const row: (string | number | undefined)[] = [name];
      all[name] = {};
      const scale = factor * (trained.has(name) ? TRAINED_FACTOR : 1);
      const metricOptions = Object.fromEntries(METRICS.map((m) => [m.id, { sampleScale: m.demoScale * scale, batchSize: m.demoBatchSize }]));
      // A deterministic representation is scored in one evaluate() run, so the metrics share a code table and
      // each image is encoded once; seeded noise restarts per metric, as it always did, with one run per metric.
      const groups = stochastic ? METRICS.map((m) => [m]) : [METRICS];
      for (const group of groups) {
        let bar: ReturnType<typeof progressBar> | undefined;
        let current: string | undefined;
        try {
          const run = await evaluate({
            dataset,
            represent: make(),
            metrics: group.map((m) => m.id),
            seed: 0,
            cache: !stochastic,
            metricOptions,
            signal: options.signal,
            onProgress: (p) => {
              if (p.metric !== current) {
                bar?.stop();
                current = p.metric;
                bar = progressBar(`${group[p.metricIndex].label} · ${name.slice(0, 18)}`, { quiet });
              }
              bar?.onProgress(p);
            },
          });
          for (const m of group) all[name][m.id] = headlineNumbers(m, run.results[m.id] as MetricResult);
        } finally {
          bar?.stop();
        }
      }
      for (const m of METRICS) row.push(all[name][m.id][m.headline.field]);
      rows.push(row);
    }
    const out: string[] = [];
    out.push(`\ndisentangle demo — procedural dSprites (64×64×1, factors shape, scale, orientation, posX, posY), seed 0, backend ${tf.getBackend()}`);
    out.push(`Sample sizes: ${options.quick ? 'a quarter of ' : ''}these fractions of disentanglement_lib's defaults: ${METRICS.map((m) => `${m.id} ${m.demoScale}`).join(', ')}${population.length ? `; trained models ×${TRAINED_FACTOR}` : ''}${METRICS.filter((m) => m.demoBatchSize).map((m) => `; ${m.label} batches of ${m.demoBatchSize}`).join('')}.`);
    out.push('');
    out.push(formatTable(header, rows));
    results.representations = reps.map(([name]) => name);
    results.values = all;
    const lower = METRICS.filter((m) => m.headline.lowerIsBetter).map((m) => m.headline.column.replace(/↓$/, ''));
    if (lower.length) out.push(`↓ = lower is better (${lower.join(', ')}: dependence between code dims).`);
    if (population.length) {
      out.push('The "trained" rows are the shipped population: narrow InfoGAN, InfoGAN-CR and FactorVAE models trained for 600 to 5,000');
      out.push('iterations by scripts/reproduce-infogan-cr.ts (settings in models/population/index.json, results in docs/reproduction.md),');
      out.push("early in the paper's training curves; train longer ones with `disentangle train` and score them with `disentangle evaluate`.");
    }

    if (population.length >= 2) {
      out.push('');
      const fvae = METRICS.find((m) => m.id === 'factor-vae');
      const supervised = population.map((m) => (fvae ? all[trainedRow(m)]?.[fvae.id]?.[fvae.headline.field] : undefined) ?? Number.NaN);
      const selection = await selectionSummary(population, dataset, quiet, options.signal, factor, supervised);
      results.selection = selection.results;
      out.push(selection.text);
      for (const m of population) {
        if (!m.generative) continue;
        const file = resolve(options.outDir, `traversal-${shortName(m)}.png`);
        await writeFileAtomic(file, await latentTraversal(m.generative, { steps: 8, seed: 0, scale: 1 }), 'outDir');
      }
      out.push(`\nTraversals written to ${options.outDir}/.`);
    }
    if (!options.silent) process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    for (const m of population) m.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  if (!options.silent) process.stdout.write(`\n${seconds.toFixed(1)} s; tensors leaked: ${tf.memory().numTensors - tensorsBefore}.\n`);
  return results;
}

/**
 * ModelCentrality, UDR (Lasso and Spearman) and the supervised FactorVAE metric within each family of the population.
 * A family is the models of one code width: the paper selects within one model family, and UDR regresses one
 * model's dims on another's, which needs equal widths.
 */
async function selectionSummary(
  population: CliModel[],
  dataset: GroundTruthDataset<TensorLike>,
  quiet: boolean,
  signal: AbortSignal | undefined,
  factor: number,
  supervised: number[],
): Promise<{ text: string; results: SelectionResults }> {
  const names = population.map(shortName);
  const codeDims = population.map((m) => m.generative?.codeDims ?? m.generative?.latentDims ?? 0);
  const results: SelectionResults = { models: names, codeDims, centrality: [], udrLasso: [], udrSpearman: [], supervised, families: [] };
  const widths = new Map<number, number[]>();
  codeDims.forEach((w, i) => widths.set(w, [...(widths.get(w) ?? []), i]));
  for (const [width, members] of widths) {
    if (members.length < 2 || members.some((i) => !population[i].generative)) continue;
    const bar = progressBar(`ModelCentrality ${width}-d`, { quiet });
    let mc;
    try {
      mc = await modelCentrality({
        models: members.map((i) => population[i].generative!),
        groups: Math.max(10, Math.round(50 * factor)),
        groupSize: 64,
        scaleSetSize: Math.max(500, Math.round(2000 * factor)),
        seed: 0,
        onProgress: bar.onProgress,
        signal,
      });
    } finally {
      bar.stop();
    }
    members.forEach((i, k) => (results.centrality[i] = mc.centrality[k]));
    const udrPicks: Record<'lasso' | 'spearman', number> = { lasso: -1, spearman: -1 };
    for (const correlation of ['lasso', 'spearman'] as const) {
      const b = progressBar(`UDR ${correlation} ${width}-d`, { quiet });
      try {
        const r = await udr({ models: members.map((i) => population[i].udr!), dataset, correlation, seed: 0, onProgress: b.onProgress, signal });
        members.forEach((i, k) => ((correlation === 'lasso' ? results.udrLasso : results.udrSpearman)[i] = r.scores[k]));
        udrPicks[correlation] = r.selected >= 0 ? members[r.selected] : -1;
      } finally {
        b.stop();
      }
    }
    results.families.push({
      members,
      symmetric: mc.symmetric,
      picks: {
        modelCentrality: members[mc.selected],
        udrLasso: udrPicks.lasso,
        udrSpearman: udrPicks.spearman,
        supervised: members[argmaxFirst(members.map((i) => supervised[i]))],
      },
    });
  }
  const marks = (i: number): string => {
    const f = results.families.find((fam) => fam.members.includes(i));
    if (!f) return '';
    const m = [f.picks.modelCentrality === i ? 'MC' : '', f.picks.udrLasso === i ? 'UDR-L' : '', f.picks.udrSpearman === i ? 'UDR-S' : '', f.picks.supervised === i ? 'supervised' : ''];
    const picked = m.filter((x) => x);
    return picked.length ? `◀ ${picked.join(', ')}` : '';
  };
  const rows = population.map((_, i) => [names[i], String(codeDims[i]), supervised[i], results.centrality[i], results.udrLasso[i], results.udrSpearman[i], marks(i)] as const);
  return {
    text:
      'Model selection within each family of the shipped population (models of one code width). ModelCentrality and UDR use no labels;\n' +
      'the FactorVAE column is the supervised score from the table above, the ranking they try to recover:\n' +
      formatTable(['model', 'codes', 'FactorVAE', 'centrality', 'UDR lasso', 'UDR spearman', 'picked by'], rows),
    results,
  };
}
