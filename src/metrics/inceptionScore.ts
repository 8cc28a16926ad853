/**
 * Inception Score, confidence and mode-KL from class probabilities, as the InfoGAN-CR repository's
 * `DSpritesInceptionScore._evaluate` computes them.
 */
import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { toMatrix } from '../core/tensor.js';
import type { TensorLike } from '../core/types.js';

/** Sample-quality scores of a generator seen through a classifier. */
export interface InceptionScoreResult {
  /** The headline, equal to `inceptionScore` (higher is better). */
  score: number;
  /** exp(mean_i KL(p_i ‖ p̄)): 1 (every sample gets the same prediction) … C (confident and balanced). */
  inceptionScore: number;
  /** Population std (ddof 0) of the per-sample KL(p_i ‖ p̄), the reference's `IS_log_std` (not a std of IS). */
  inceptionScoreLogStd: number;
  /** mean_i max_c p_ic, in [1/C, 1]. */
  confidence: number;
  /** KL(q̂ ‖ uniform) of the argmax class frequencies q̂, in [0, ln C]; 0 = every class equally often. */
  modeKl: number;
  /** How many samples have each class as their argmax (first index on ties), the reference's `mode_detail`. */
  modeCounts: number[];
}

/** Tolerance on each row's sum: float32 softmax outputs sum to 1 within a few ulps. */
const SUM_TOLERANCE = 1e-3;

/**
 * KL(p ‖ q) with scipy.stats.entropy's conventions: both vectors are first normalized to sum 1, terms with
 * p = 0 contribute 0.
 */
function klNormalized(p: ArrayLike<number>, pOff: number, q: ArrayLike<number>, qOff: number, C: number): number {
  let sp = 0;
  let sq = 0;
  for (let c = 0; c < C; c++) {
    sp += p[pOff + c];
    sq += q[qOff + c];
  }
  let kl = 0;
  for (let c = 0; c < C; c++) {
    const pc = p[pOff + c] / sp;
    if (pc > 0) kl += pc * Math.log(pc / (q[qOff + c] / sq));
  }
  return kl;
}

function checkProbabilities(m: Matrix, argument: string): void {
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let c = 0; c < m.cols; c++) {
      const v = m.data[i * m.cols + c];
      if (v < 0) throw new DisentangleError('BAD_INPUT', argument, `row ${i}, class ${c} is ${v}; probabilities must be non-negative`);
      s += v;
    }
    if (Math.abs(s - 1) > SUM_TOLERANCE) {
      throw new DisentangleError('BAD_INPUT', argument, `row ${i} sums to ${s}; each row must be a probability vector (apply softmax to logits first)`);
    }
  }
}

function inceptionScoreFromMatrix(m: Matrix, argument: string): InceptionScoreResult {
  if (m.cols < 2) throw new DisentangleError('SHAPE_MISMATCH', argument, `has ${m.cols} class column(s); at least 2 classes are needed`);
  checkProbabilities(m, argument);
  const { rows: n, cols: C, data } = m;
  const mean = new Float64Array(C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) mean[c] += data[i * C + c];
  for (let c = 0; c < C; c++) mean[c] /= n;
  const kl = new Float64Array(n);
  let klSum = 0;
  let confSum = 0;
  const modeCounts = new Array<number>(C).fill(0);
  for (let i = 0; i < n; i++) {
    kl[i] = klNormalized(data, i * C, mean, 0, C);
    klSum += kl[i];
    let best = 0;
    for (let c = 1; c < C; c++) if (data[i * C + c] > data[i * C + best]) best = c;
    confSum += data[i * C + best];
    modeCounts[best]++;
  }
  const klMean = klSum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (kl[i] - klMean) ** 2;
  const uniform = new Float64Array(C).fill(1 / C);
  const inceptionScore = Math.exp(klMean);
  return {
    score: inceptionScore,
    inceptionScore,
    inceptionScoreLogStd: Math.sqrt(sq / n),
    confidence: confSum / n,
    modeKl: klNormalized(modeCounts, 0, uniform, 0, C),
    modeCounts,
  };
}

/**
 * Inception Score (Salimans et al. 2016) and the mode statistics InfoGAN-CR (Lin et al., ICML 2020) reports on
 * dSprites, from an n×C matrix of class probabilities p(y|x_i) of generated samples:
 * IS = exp(mean_i KL(p_i ‖ p̄)) with p̄ = mean_i p_i; `inceptionScoreLogStd` = std (ddof 0) of KL_i;
 * confidence = mean_i max_c p_ic; mode-KL = KL(argmax frequencies ‖ uniform over C), with 0·ln 0 = 0.
 * KLs follow scipy.stats.entropy (inputs normalized to sum 1). Rows must be probability vectors
 * (non-negative, summing to 1 within 1e-3). `score` repeats `inceptionScore`, the headline.
 *
 * @param probs n×C probabilities (softmax outputs), any TensorLike with synchronous data.
 * @example
 * inceptionScoreFromProbabilities([[1, 0, 0], [0, 1, 0], [0, 0, 1]]).inceptionScore // 3
 */
export function inceptionScoreFromProbabilities(probs: TensorLike): InceptionScoreResult {
  const m = toMatrix(probs, 'probs', 'inceptionScoreFromProbabilities');
  return inceptionScoreFromMatrix(m, 'probs (in inceptionScoreFromProbabilities)');
}
