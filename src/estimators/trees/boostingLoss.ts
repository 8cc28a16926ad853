/**
 * The log-loss of gradient-boosted classification, as scikit-learn 1.2's `_gb_losses.py` (`BinomialDeviance`,
 * `MultinomialDeviance`): the prior that starts the raw scores, the negative gradient y − p that each stage's trees
 * fit, and the one Newton step that sets their leaf values.
 */
import type { Tree } from './decisionTree.js';

// `np.finfo(np.float32).eps`: scikit-learn clips the prior away from 0 and 1 by this much.
const FLOAT32_EPS = 1.1920928955078125e-7;

export const expit = (v: number): number => 1 / (1 + Math.exp(-v));

/** Softmax of row `i` of an n×K score block into `out` (scipy's logsumexp order of operations). */
export function softmaxRow(raw: Float64Array, i: number, k: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (raw[i * k + c] > max) max = raw[i * k + c];
  let s = 0;
  for (let c = 0; c < k; c++) s += Math.exp(raw[i * k + c] - max);
  const lse = Math.log(s) + max;
  for (let c = 0; c < k; c++) out[c] = Math.exp(raw[i * k + c] - lse);
}

/**
 * residual_k = y_k − softmax_k(scores) for every row, sweeping class by class (each pass streams contiguous
 * arrays instead of gathering K scattered scores per row). scikit-learn writes the softmax as e^(s − logsumexp);
 * e^(s − max) / Σ is the same number up to an ulp and needs each exponential once.
 */
function multinomialResiduals(
  scores: Float64Array[],
  targets: Float64Array[],
  residuals: Float64Array[],
  work: { max: Float64Array; sum: Float64Array },
  from: number,
  to: number,
): void {
  const { max, sum } = work;
  max.fill(-Infinity, from, to);
  sum.fill(0, from, to);
  for (const s of scores) for (let i = from; i < to; i++) if (s[i] > max[i]) max[i] = s[i];
  // Each exponential is computed once: residuals first hold e^(s − max), then become y − e^(s − max) / Σ.
  scores.forEach((s, k) => {
    const r = residuals[k];
    for (let i = from; i < to; i++) {
      const e = Math.exp(s[i] - max[i]);
      r[i] = e;
      sum[i] += e;
    }
  });
  scores.forEach((_, k) => {
    const t = targets[k];
    const r = residuals[k];
    for (let i = from; i < to; i++) r[i] = t[i] - r[i] / sum[i];
  });
}

/** Initial raw scores from the class prior (`init='zero'` is not offered; DCI uses the default prior). */
export function priorScores(counts: Float64Array, n: number): Float64Array {
  const clip = (p: number): number => Math.min(Math.max(p, FLOAT32_EPS), 1 - FLOAT32_EPS);
  if (counts.length === 2) {
    const p = clip(counts[1] / n);
    return Float64Array.of(Math.log(p / (1 - p)));
  }
  return counts.map((c) => Math.log(clip(c / n)));
}

/**
 * Replaces each leaf's value by one Newton step of the log-loss (scikit-learn `_update_terminal_region`):
 * Σr / Σ(y−r)(1−y+r), scaled by (K−1)/K for the multinomial loss; 0 when the denominator vanishes.
 */
export function newtonLeafValues(tree: Tree, leafOf: Int32Array, y: Float64Array, residual: Float64Array, scale: number): void {
  const num = new Float64Array(tree.nodeCount);
  const den = new Float64Array(tree.nodeCount);
  for (let i = 0; i < residual.length; i++) {
    const leaf = leafOf[i];
    const r = residual[i];
    const t = y[i] - r;
    num[leaf] += r;
    den[leaf] += t * (1 - t);
  }
  const value = tree.value as Float64Array;
  for (let node = 0; node < tree.nodeCount; node++) {
    if (tree.left[node] !== -1) continue;
    value[node] = Math.abs(den[node]) < 1e-150 ? 0 : (scale * num[node]) / den[node];
  }
}

/** Scratch space of {@link stageResiduals}. */
export interface ResidualWork {
  max: Float64Array;
  sum: Float64Array;
}

export function residualWork(n: number): ResidualWork {
  return { max: new Float64Array(n), sum: new Float64Array(n) };
}

/**
 * The negative gradient y − p of every score column, from the scores at the start of a stage, for rows
 * [from, to) (each row's residuals depend on that row's scores only, so threads can share the rows).
 */
export function stageResiduals(
  scores: Float64Array[],
  targets: Float64Array[],
  residuals: Float64Array[],
  work: ResidualWork,
  from = 0,
  to = scores[0].length,
): void {
  if (scores.length === 1) {
    const [s, t, r] = [scores[0], targets[0], residuals[0]];
    for (let i = from; i < to; i++) r[i] = t[i] - expit(s[i]);
  } else multinomialResiduals(scores, targets, residuals, work, from, to);
}
