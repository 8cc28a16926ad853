/**
 * The table of dataset-based metrics that `evaluate()`, the CLI, the demo and the benchmarks share: each entry
 * runs one sampling entry at a fraction of disentanglement_lib's sample sizes and names its headline numbers.
 */
import { DisentangleError } from '../core/errors.js';
import type { GroundTruthDataset, Progress, RepresentationFunction, TensorLike } from '../core/types.js';
import type { CodeSource } from '../data/codeCache.js';
import type { SharedDraws } from '../data/sharedDraws.js';
import { computeAam } from './aam.js';
import { computeBetaVaeMetric } from './betaVae.js';
import { computeDci } from './dci.js';
import { computeDhsic } from './dhsic.js';
import { computeExplicitness } from './explicitness.js';
import { computeFactorVaeMetric } from './factorVaeMetric.js';
import { computeIrs } from './irs.js';
import { computeMig } from './mig.js';
import { computeModularity } from './modularity.js';
import { computeSap } from './sap.js';
import { computeUnsupervised } from './unsupervised.js';
import { computeMigSup } from './migSup.js';
import { computeDcimig } from './dcimig.js';
import { computeJemmig } from './jemmig.js';
import { computeMcc } from './mcc.js';
import { computeZMax } from './zMax.js';
import { computeInfomec } from './infomec.js';
import { computeDciEs } from './dciEs.js';
import { computeFlatness } from './flatness.js';

/** Ids of the metrics in the registry, in table order. */
export type MetricId =
  | 'factor-vae'
  | 'beta-vae'
  | 'mig'
  | 'sap'
  | 'dci'
  | 'modularity'
  | 'explicitness'
  | 'irs'
  | 'unsupervised'
  | 'aam'
  | 'dhsic'
  | 'mig-sup'
  | 'dcimig'
  | 'jemmig'
  | 'mcc'
  | 'z-max'
  | 'infomec'
  | 'dci-es'
  | 'flatness';

/** What a registry entry receives. */
export interface MetricRun {
  dataset: GroundTruthDataset<TensorLike>;
  /** The model's representation; optional with `codeTable` or a complete `codeSource`. */
  represent?: RepresentationFunction<TensorLike>;
  /** N×D codes in canonical order, or a `.npy` path (Node), instead of `represent`. */
  codeTable?: TensorLike | string;
  /** @internal The run's shared code cache. */
  codeSource?: CodeSource;
  /** @internal The run's kept train/test draws: metrics asking for the same split share one draw. */
  sharedDraws?: SharedDraws;
  seed: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Multiplies the reference sample sizes (1 = disentanglement_lib's defaults). */
  sampleScale: number;
  /** Batch size for the sampling (default: each metric's reference batch size). */
  batchSize?: number;
}

/** Any metric's result: its headline `score` beside the metric's own fields. */
export type MetricResult = { score: number } & object;

/** One metric of the registry. */
export interface MetricDefinition {
  id: MetricId;
  label: string;
  /** The headline field and its column label in summary tables; `lowerIsBetter` for dependence measures. */
  headline: { field: string; column: string; lowerIsBetter?: boolean };
  /** Fields the CLI prints, in table order. */
  fields: readonly string[];
  /** Fraction of disentanglement_lib's sample sizes the demo uses (a few minutes for every metric on 2 cores). */
  demoScale: number;
  /** Batch size the demo uses, where it differs from the metric's reference batch size. */
  demoBatchSize?: number;
  run(args: MetricRun): Promise<MetricResult>;
}

const n = (base: number, scale: number): number => Math.max(20, Math.round(base * scale));

/**
 * The registry, in table order. Each entry hands the sampling entry everything of the run but `sampleScale`, which
 * it turns into sample sizes: the entries refuse option names they do not know.
 */
export const METRICS: readonly MetricDefinition[] = [
  {
    id: 'factor-vae',
    label: 'FactorVAE',
    headline: { field: 'evalAccuracy', column: 'FactorVAE' },
    fields: ['evalAccuracy', 'trainAccuracy'],
    demoScale: 0.03,
    run: ({ sampleScale, ...a }) => computeFactorVaeMetric({ ...a, numVarianceEstimate: n(10000, sampleScale), numTrain: n(10000, sampleScale), numEval: n(5000, sampleScale) }),
  },
  {
    id: 'beta-vae',
    label: 'BetaVAE',
    headline: { field: 'evalAccuracy', column: 'BetaVAE' },
    fields: ['evalAccuracy', 'trainAccuracy'],
    demoScale: 0.03,
    // The reference batch of 64 pairs per point dominates the demo's encoder time; 16 keeps the signal.
    demoBatchSize: 16,
    run: ({ sampleScale, ...a }) => computeBetaVaeMetric({ ...a, numTrain: n(10000, sampleScale), numEval: n(5000, sampleScale) }),
  },
  {
    id: 'mig',
    label: 'MIG',
    headline: { field: 'score', column: 'MIG' },
    fields: ['score'],
    demoScale: 0.2,
    run: ({ sampleScale, ...a }) => computeMig({ ...a, numTrain: n(10000, sampleScale) }),
  },
  {
    id: 'sap',
    label: 'SAP',
    headline: { field: 'score', column: 'SAP' },
    fields: ['score'],
    demoScale: 0.1,
    run: ({ sampleScale, ...a }) => computeSap({ ...a, numTrain: n(10000, sampleScale), numTest: n(5000, sampleScale) }),
  },
  {
    id: 'dci',
    label: 'DCI',
    headline: { field: 'disentanglement', column: 'DCI-D' },
    fields: ['disentanglement', 'completeness', 'informativenessTest'],
    demoScale: 0.06,
    run: ({ sampleScale, ...a }) => computeDci({ ...a, numTrain: n(10000, sampleScale), numTest: n(5000, sampleScale) }),
  },
  {
    id: 'modularity',
    label: 'Modularity',
    headline: { field: 'score', column: 'Modularity' },
    fields: ['score'],
    demoScale: 0.2,
    run: ({ sampleScale, ...a }) => computeModularity({ ...a, numTrain: n(10000, sampleScale) }),
  },
  {
    id: 'explicitness',
    label: 'Explicitness',
    headline: { field: 'scoreTest', column: 'Explicit.' },
    fields: ['scoreTest', 'scoreTrain'],
    demoScale: 0.1,
    run: ({ sampleScale, ...a }) => computeExplicitness({ ...a, numTrain: n(10000, sampleScale), numTest: n(5000, sampleScale) }),
  },
  {
    id: 'irs',
    label: 'IRS',
    headline: { field: 'score', column: 'IRS' },
    fields: ['score'],
    demoScale: 0.2,
    run: ({ sampleScale, ...a }) => computeIrs({ ...a, numTrain: n(10000, sampleScale) }),
  },
  {
    id: 'unsupervised',
    label: 'Unsupervised',
    headline: { field: 'gaussianTotalCorrelation', column: 'GaussTC↓', lowerIsBetter: true },
    fields: ['gaussianTotalCorrelation', 'gaussianWassersteinCorrelationNorm', 'mutualInfoScore'],
    demoScale: 0.2,
    run: ({ sampleScale, ...a }) => computeUnsupervised({ ...a, numTrain: n(10000, sampleScale) }),
  },
  {
    id: 'aam',
    label: 'AAM',
    headline: { field: 'score', column: 'AAM' },
    fields: ['score'],
    demoScale: 0.2,
    run: ({ sampleScale, ...a }) => computeAam({ ...a, numTrain: n(10000, sampleScale) }),
  },
  {
    id: 'dhsic',
    label: 'dHSIC',
    headline: { field: 'score', column: 'dHSIC↓', lowerIsBetter: true },
    fields: ['score'],
    demoScale: 0.1,
    run: ({ sampleScale, ...a }) => computeDhsic({ ...a, numSamples: n(5000, sampleScale) }),
  },
  // The newer MI metrics and MCC score the same 10,000-row training split as MIG (one shared draw).
  {
    id: 'mig-sup',
    label: 'MIG-sup',
    headline: { field: 'score', column: 'MIG-sup' },
    fields: ['score'],
    demoScale: 0.2,
    run: ({ sampleScale, ...a }) => computeMigSup({ ...a, numTrain: n(10000, sampleScale) }),
  },
  {
    id: 'dcimig',
    label: 'DCIMIG',
    headline: { field: 'score', column: 'DCIMIG' },
    fields: ['score'],
    demoScale: 0.2,
    run: ({ sampleScale, ...a }) => computeDcimig({ ...a, numTrain: n(10000, sampleScale) }),
  },
  {
    id: 'jemmig',
    label: 'JEMMIG',
    headline: { field: 'score', column: 'JEMMIG' },
    fields: ['score'],
    demoScale: 0.2,
    run: ({ sampleScale, ...a }) => computeJemmig({ ...a, numTrain: n(10000, sampleScale) }),
  },
  {
    id: 'mcc',
    label: 'MCC',
    headline: { field: 'score', column: 'MCC' },
    fields: ['score', 'pearson', 'spearman'],
    demoScale: 0.2,
    run: ({ sampleScale, ...a }) => computeMcc({ ...a, numTrain: n(10000, sampleScale) }),
  },
  {
    id: 'z-max',
    label: 'Z-max',
    headline: { field: 'evalAccuracy', column: 'Z-max' },
    fields: ['evalAccuracy', 'trainAccuracy'],
    demoScale: 0.1,
    // 200-row groups of the reference: 64 keeps the demo's encoder time near FactorVAE's.
    demoBatchSize: 64,
    run: ({ sampleScale, ...a }) => computeZMax({ ...a, numVarianceEstimate: n(10000, sampleScale), numTrain: n(800, sampleScale), numEval: n(800, sampleScale) }),
  },
  // InfoMEC scores MIG's training split; DCI-ES DCI's train/test split (shared draws).
  {
    id: 'infomec',
    label: 'InfoMEC',
    headline: { field: 'infoM', column: 'InfoM' },
    fields: ['infoM', 'infoC', 'infoE'],
    demoScale: 0.2,
    run: ({ sampleScale, ...a }) => computeInfomec({ ...a, numTrain: n(10000, sampleScale) }),
  },
  {
    id: 'dci-es',
    label: 'DCI-ES',
    headline: { field: 'explicitness', column: 'DCI-E' },
    fields: ['explicitness', 'size'],
    demoScale: 0.06,
    run: ({ sampleScale, ...a }) => computeDciEs({ ...a, numTrain: n(10000, sampleScale), numTest: n(5000, sampleScale) }),
  },
  {
    id: 'flatness',
    label: 'Flatness',
    headline: { field: 'aveFlatness', column: 'Flatness' },
    fields: ['aveFlatness', 'aveFlatnessL1', 'aveFlatnessL2'],
    // 1024 × 0.125 = 128 traversals per factor, disent's fast setting.
    demoScale: 0.125,
    run: ({ sampleScale, ...a }) => computeFlatness({ ...a, repeats: n(1024, sampleScale) }),
  },
];

/**
 * The ids of every metric `evaluate()` can run, in table order.
 *
 * @example
 * metricIds(); // ['factor-vae', 'beta-vae', 'mig', …, 'mcc', 'z-max', 'infomec', 'dci-es', 'flatness']
 */
export function metricIds(): MetricId[] {
  return METRICS.map((m) => m.id);
}

/** Looks metric ids up, keeping the table order; `'all'`, an empty list or undefined select every metric. Throws `BAD_OPTION` on an unknown id. */
export function selectMetrics(ids: readonly string[] | 'all' | undefined): MetricDefinition[] {
  if (ids === 'all' || !ids || ids.length === 0 || ids.includes('all')) return [...METRICS];
  if (!Array.isArray(ids)) throw new DisentangleError('BAD_OPTION', 'metrics', `expected 'all' or an array of metric ids (${metricIds().join(', ')})`);
  const unknown = ids.filter((id) => !METRICS.some((m) => m.id === id));
  if (unknown.length > 0) {
    throw new DisentangleError('BAD_OPTION', 'metrics', `unknown metric${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; choose from ${metricIds().join(', ')}`);
  }
  return METRICS.filter((m) => ids.includes(m.id));
}

/** The numeric fields an entry lists (`fields`) picked from its result, for tables. */
export function headlineNumbers(entry: MetricDefinition, result: MetricResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of entry.fields) out[f] = (result as Record<string, unknown>)[f] as number;
  return out;
}
