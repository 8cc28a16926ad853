/** The metrics the CLI and the demo can run, with their headline numbers. One table, used by both. */
import { DisentangleError } from '../core/errors.js';
import type { GroundTruthDataset, Progress, RepresentationFunction, TensorLike } from '../core/types.js';
import {
  computeAam,
  computeBetaVaeMetric,
  computeDci,
  computeDhsic,
  computeExplicitness,
  computeFactorVaeMetric,
  computeIrs,
  computeMig,
  computeModularity,
  computeSap,
  computeUnsupervised,
} from '../metrics/index.js';

/** What every sampling metric receives from the CLI. */
export interface MetricRun {
  dataset: GroundTruthDataset<TensorLike>;
  represent: RepresentationFunction<TensorLike>;
  seed: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Multiplies the reference sample sizes (1 = disentanglement_lib's defaults). */
  sampleScale: number;
  /** Batch size for the sampling (default: each metric's reference batch size). */
  batchSize?: number;
}

export interface MetricEntry {
  id: string;
  label: string;
  /** Headline numbers of the result, in table order. */
  run(args: MetricRun): Promise<Record<string, number>>;
}

const n = (base: number, scale: number): number => Math.max(20, Math.round(base * scale));

export const METRICS: readonly MetricEntry[] = [
  {
    id: 'factor-vae',
    label: 'FactorVAE',
    run: async (a) => {
      const r = await computeFactorVaeMetric({ ...a, numVarianceEstimate: n(10000, a.sampleScale), numTrain: n(10000, a.sampleScale), numEval: n(5000, a.sampleScale) });
      return { evalAccuracy: r.evalAccuracy, trainAccuracy: r.trainAccuracy };
    },
  },
  {
    id: 'beta-vae',
    label: 'BetaVAE',
    run: async (a) => {
      const r = await computeBetaVaeMetric({ ...a, numTrain: n(10000, a.sampleScale), numEval: n(5000, a.sampleScale) });
      return { evalAccuracy: r.evalAccuracy, trainAccuracy: r.trainAccuracy };
    },
  },
  {
    id: 'mig',
    label: 'MIG',
    run: async (a) => ({ score: (await computeMig({ ...a, numTrain: n(10000, a.sampleScale) })).score }),
  },
  {
    id: 'sap',
    label: 'SAP',
    run: async (a) => ({ score: (await computeSap({ ...a, numTrain: n(10000, a.sampleScale), numTest: n(5000, a.sampleScale) })).score }),
  },
  {
    id: 'dci',
    label: 'DCI',
    run: async (a) => {
      const r = await computeDci({ ...a, numTrain: n(10000, a.sampleScale), numTest: n(5000, a.sampleScale) });
      return { disentanglement: r.disentanglement, completeness: r.completeness, informativenessTest: r.informativenessTest };
    },
  },
  {
    id: 'modularity',
    label: 'Modularity',
    run: async (a) => ({ score: (await computeModularity({ ...a, numTrain: n(10000, a.sampleScale) })).score }),
  },
  {
    id: 'explicitness',
    label: 'Explicitness',
    run: async (a) => {
      const r = await computeExplicitness({ ...a, numTrain: n(10000, a.sampleScale), numTest: n(5000, a.sampleScale) });
      return { scoreTest: r.scoreTest, scoreTrain: r.scoreTrain };
    },
  },
  {
    id: 'irs',
    label: 'IRS',
    run: async (a) => ({ score: (await computeIrs({ ...a, numTrain: n(10000, a.sampleScale) })).score }),
  },
  {
    id: 'unsupervised',
    label: 'Unsupervised',
    run: async (a) => {
      const r = await computeUnsupervised({ ...a, numTrain: n(10000, a.sampleScale) });
      return {
        gaussianTotalCorrelation: r.gaussianTotalCorrelation,
        gaussianWassersteinCorrelationNorm: r.gaussianWassersteinCorrelationNorm,
        mutualInfoScore: r.mutualInfoScore,
      };
    },
  },
  {
    id: 'aam',
    label: 'AAM',
    run: async (a) => ({ score: (await computeAam({ ...a, numTrain: n(10000, a.sampleScale) })).score }),
  },
  {
    id: 'dhsic',
    label: 'dHSIC',
    run: async (a) => ({ score: (await computeDhsic({ ...a, numSamples: n(5000, a.sampleScale) })).score }),
  },
];

/** Looks metric ids up, keeping the table order; throws on an unknown id. */
export function selectMetrics(ids: readonly string[] | undefined): MetricEntry[] {
  if (!ids || ids.length === 0 || ids.includes('all')) return [...METRICS];
  const unknown = ids.filter((id) => !METRICS.some((m) => m.id === id));
  if (unknown.length > 0) {
    throw new DisentangleError('BAD_OPTION', 'metrics', `unknown metric${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; choose from ${METRICS.map((m) => m.id).join(', ')}`);
  }
  return METRICS.filter((m) => ids.includes(m.id));
}
