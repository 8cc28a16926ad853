/**
 * DCI's second stage (Eastwood & Williams 2018): disentanglement and completeness from an importance matrix R,
 * as entropies of its rows and columns, in disentanglement_lib's convention or InfoGAN-CR's. The first stage,
 * fitting a model per factor to get R, is in `dci.ts`.
 */
import { DisentangleError } from '../core/errors.js';
import { column, type Matrix } from '../core/matrix.js';
import type { Preset } from '../core/types.js';
import { checkOptions, enumOption } from '../core/validate.js';

/** Options of {@link dciFromImportanceMatrix}. */
export interface DciScoreOptions {
  /**
   * 'importance' (disentanglement_lib): completeness weighted by each factor's share of the total importance;
   * 'mean' (InfoGAN-CR, the paper): the plain mean. Default follows the preset.
   */
  completenessWeighting?: 'importance' | 'mean';
  /**
   * 'disentanglement_lib' (default): entropies of R + 1e-11, normalized; 'infogan-cr': −Σ p·ln(p + 1e-12) / ln(n + 1e-12).
   */
  preset?: Preset;
}

/** The scores of an importance matrix. */
export interface DciScores {
  /** Σ_i ρ_i D_i with ρ_i code i's share of the total importance. In [0, 1] (the infogan-cr preset, without smoothing, can exceed 1 by float rounding). */
  disentanglement: number;
  /** Importance-weighted or plain mean of the per-factor completeness. In [0, 1]. */
  completeness: number;
  /** D_i = 1 − H_K(P_i·) per code. */
  disentanglementPerCode: number[];
  /** C_j = 1 − H_D(P̃_·j) per factor. */
  completenessPerFactor: number[];
}

const SCORE_OPTION_NAMES = Object.keys({ completenessWeighting: 0, preset: 0 } satisfies Record<keyof DciScoreOptions, 0>);

/** @internal What each reference does differently in DCI, in one record per preset. */
export interface DciConventions {
  completenessWeighting: 'importance' | 'mean';
  /** The per-factor model when none is named. */
  estimator: 'gradient-boosting' | 'lasso';
}

/** @internal */
export const DCI_CONVENTIONS: Record<Preset, DciConventions> = {
  disentanglement_lib: { completenessWeighting: 'importance', estimator: 'gradient-boosting' },
  'infogan-cr': { completenessWeighting: 'mean', estimator: 'lasso' },
};

/** @internal The scoring options, read once. */
export interface ScoreSettings {
  preset: Preset;
  weighting: 'importance' | 'mean';
}

/** @internal Reads the scoring options (with the preset's defaults). */
export function scoreSettings(options: DciScoreOptions): ScoreSettings {
  const preset = enumOption(options.preset, 'preset', ['disentanglement_lib', 'infogan-cr'] as const, 'disentanglement_lib');
  const weighting = enumOption(options.completenessWeighting, 'completenessWeighting', ['importance', 'mean'] as const, DCI_CONVENTIONS[preset].completenessWeighting);
  return { preset, weighting };
}

/** 1 − normalized entropy of `weights` (length n ≥ 1), in the preset's convention. */
function oneMinusEntropy(weights: Float64Array, preset: Preset): number {
  const n = weights.length;
  // With one outcome there is nothing to spread over; both references divide by ln 1 = 0 there.
  if (n === 1) return 1;
  if (preset === 'disentanglement_lib') {
    let total = 0;
    for (let k = 0; k < n; k++) total += weights[k] + 1e-11;
    let h = 0;
    for (let k = 0; k < n; k++) {
      const p = (weights[k] + 1e-11) / total;
      if (p > 0) h -= p * Math.log(p);
    }
    return 1 - h / Math.log(n);
  }
  let total = 0;
  for (let k = 0; k < n; k++) total += weights[k];
  // InfoGAN-CR returns NaN for an all-zero vector; a code that explains nothing is not disentangled.
  if (total === 0) return 0;
  const logN = Math.log(n + 1e-12);
  let h = 0;
  for (let k = 0; k < n; k++) {
    const p = weights[k] / total;
    h -= (p * Math.log(p + 1e-12)) / logN;
  }
  return 1 - h;
}

/**
 * D, C and their per-code / per-factor parts from an importance matrix R (D×K, R ≥ 0):
 * D_i = 1 − H_K(R_i· / Σ_j R_ij), weighted by ρ_i = Σ_j R_ij / ΣR; C_j = 1 − H_D(R_·j / Σ_i R_ij), averaged
 * with weights Σ_i R_ij / ΣR ('importance', disentanglement_lib) or plainly ('mean'). With ΣR = 0 the weights
 * are uniform, as in disentanglement_lib.
 *
 * @example
 * dciFromImportanceMatrix({ data: Float64Array.of(5, 0, 0, 5), rows: 2, cols: 2 }) // D ≈ 1, C ≈ 1
 */
export function dciFromImportanceMatrix(importance: Matrix, options: DciScoreOptions = {}): DciScores {
  checkOptions(options, 'dciFromImportanceMatrix', SCORE_OPTION_NAMES);
  return scoreImportances(importance, scoreSettings(options), 'importance');
}

/** @internal The entropies of R's rows and columns, with R checked (finite, ≥ 0, non-empty); `argument` names its source in errors. */
export function scoreImportances(importance: Matrix, settings: ScoreSettings, argument: string): DciScores {
  const { preset, weighting } = settings;
  const { rows: D, cols: K, data } = importance;
  if (D === 0 || K === 0) throw new DisentangleError('EMPTY', argument, `has shape ${D}×${K}`);
  for (let k = 0; k < data.length; k++) {
    if (!(data[k] >= 0) || !Number.isFinite(data[k])) {
      throw new DisentangleError('BAD_INPUT', argument, `entry ${k} is ${data[k]}; importances are finite and ≥ 0`);
    }
  }
  const disentanglementPerCode: number[] = [];
  const rowSums = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    const row = data.subarray(i * K, (i + 1) * K);
    disentanglementPerCode.push(oneMinusEntropy(row, preset));
    for (let j = 0; j < K; j++) rowSums[i] += row[j];
  }
  const completenessPerFactor: number[] = [];
  const colSums = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    const col = column(importance, j);
    completenessPerFactor.push(oneMinusEntropy(col, preset));
    for (let i = 0; i < D; i++) colSums[j] += col[i];
  }
  const total = rowSums.reduce((a, b) => a + b, 0);
  const share = (s: number, count: number): number => (total === 0 ? 1 / count : s / total);
  let disentanglement = 0;
  for (let i = 0; i < D; i++) disentanglement += disentanglementPerCode[i] * share(rowSums[i], D);
  let completeness = 0;
  for (let j = 0; j < K; j++) {
    completeness += completenessPerFactor[j] * (weighting === 'mean' ? 1 / K : share(colSums[j], K));
  }
  return { disentanglement, completeness, disentanglementPerCode, completenessPerFactor };
}
