/**
 * How well a fitted model predicts: the plain scores the metrics report as informativeness (scikit-learn's
 * `accuracy_score` and the R² of `LinearModel.score`), written once for DCI, SAP and the β-VAE metric.
 */
import { DisentangleError } from '../core/errors.js';

function checkPaired(predicted: ArrayLike<number>, truth: ArrayLike<number>, fn: string): void {
  if (predicted.length !== truth.length) {
    throw new DisentangleError('SHAPE_MISMATCH', `predicted (in ${fn})`, `has ${predicted.length} values, truth has ${truth.length}`);
  }
  if (truth.length === 0) throw new DisentangleError('EMPTY', `truth (in ${fn})`, 'has no samples; the score is undefined');
}

/**
 * Fraction of samples whose predicted label equals the true one (scikit-learn `accuracy_score`).
 *
 * @example
 * accuracyScore(Int32Array.of(0, 1, 1, 2), Int32Array.of(0, 1, 2, 2)) // 0.75
 */
export function accuracyScore(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  checkPaired(predicted, truth, 'accuracyScore');
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) hits++;
  return hits / truth.length;
}

/**
 * Coefficient of determination R² = 1 − SSE/SST, SST taken about the truth's own mean (scikit-learn `r2_score`),
 * except that a constant truth (SST = 0) scores 0 rather than scikit-learn's 1-or-0: nothing was explained.
 *
 * @example
 * r2Score(Float64Array.of(1, 2, 4), Float64Array.of(1, 2, 3)) // 1 − 1/2 = 0.5
 */
export function r2Score(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  checkPaired(predicted, truth, 'r2Score');
  const n = truth.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i];
  mean /= n;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    sse += (truth[i] - predicted[i]) ** 2;
    sst += (truth[i] - mean) ** 2;
  }
  return sst === 0 ? 0 : 1 - sse / sst;
}
