/**
 * The D×K mutual-information matrix between histogram-discretized codes and integer factors: the one
 * quantity MIG, modularity and AAM share, computed in one place so the three agree value for value.
 */
import { DisentangleError } from '../../core/errors.js';
import type { IntMatrix, Matrix } from '../../core/matrix.js';
import { permutation, type Rng } from '../../core/rng.js';
import { histogramDiscretize } from './discretize.js';
import { discreteEntropies, discreteMutualInfoMatrix } from './mutualInformation.js';

/** I(disc(code_i); factor_j) in nats, D×K row-major, and the entropy of each factor. */
export interface CodeFactorInformation {
  /** D×K row-major: row i = code dim i, column j = factor j. */
  mutualInformation: Float64Array;
  /** H(factor_j) in nats, length K. */
  factorEntropy: Float64Array;
  numCodes: number;
  numFactors: number;
}

/**
 * disentanglement_lib's `discrete_mutual_info(make_discretizer(codes), factors)` and
 * `discrete_entropy(factors)`: each code column is cut into `numBins` equal-width bins over its own range,
 * then scikit-learn's `mutual_info_score` is taken against every factor column.
 *
 * @param codes n×D codes.
 * @param factors n×K integer factor indices.
 * @param numBins default 20 (the reference default).
 * @example
 * const { mutualInformation } = discretizedMutualInformation(codes, factors, 20); // D×K nats
 */
export function discretizedMutualInformation(codes: Matrix, factors: IntMatrix, numBins = 20): CodeFactorInformation {
  if (!Number.isInteger(numBins) || numBins < 1) {
    throw new DisentangleError('BAD_OPTION', 'numBins', `expected a positive integer, got ${String(numBins)}`);
  }
  const discrete = histogramDiscretize(codes, numBins);
  return {
    mutualInformation: discreteMutualInfoMatrix(discrete, factors),
    factorEntropy: discreteEntropies(factors),
    numCodes: codes.cols,
    numFactors: factors.cols,
  };
}

/** Throws when a factor takes a single value: its entropy is 0 and every normalised score divides by it. */
export function requireVaryingFactors(factorEntropy: Float64Array, argument: string): void {
  factorEntropy.forEach((h, j) => {
    if (!(h > 0)) {
      throw new DisentangleError(
        'BAD_INPUT',
        argument,
        `factor ${j} takes a single value in these samples (entropy 0), so nothing can be informative about it; drop that column or sample more points`,
      );
    }
  });
}

/** A factorised Gaussian posterior q(z|x) = N(mean, exp(logVar)) for every point of a dataset, N×D each. */
export interface GaussianPosteriorBlock {
  mean: Matrix;
  logVar: Matrix;
}

/** Result of {@link sampledMutualInformation}. */
export interface SampledInformation {
  /** D×K row-major: I(z_i; v_j) = H(z_i) − H(z_i | v_j), nats, clamped at 0. */
  mutualInformation: Float64Array;
  /** H(z_i), length D. */
  marginalEntropy: Float64Array;
  /** H(z_i | v_j), D×K row-major. */
  conditionalEntropy: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The sampled-entropy estimate of I(z_i; v_j) used by YannDubs/disentangling-vae (`_estimate_latent_entropies`,
 * `_estimate_H_zCv`), from the posterior of every point of the full factor grid (row-major, last factor
 * fastest). One z is drawn per point; H(z_i) = E[−log q(z_i)] with q(z_i) the mixture of the N posteriors,
 * averaged over up to `numSamples` drawn points; H(z_i | v_j) averages the same estimate over the sub-grids
 * {v_j = value}. Costs O(numSamples·N·D·(1 + K)).
 *
 * Deviation: disentangling-vae reshapes its (samples × D) block with `view(D, samples)`, which mixes dims
 * instead of transposing; here each dim's entropy uses that dim's own samples.
 */
export function sampledMutualInformation(
  posterior: GaussianPosteriorBlock,
  factorSizes: readonly number[],
  rng: Rng,
  numSamples = 10000,
): SampledInformation {
  const { mean, logVar } = posterior;
  const N = mean.rows;
  const D = mean.cols;
  const K = factorSizes.length;
  if (factorSizes.reduce((a, b) => a * b, 1) !== N) {
    throw new DisentangleError('SHAPE_MISMATCH', 'posterior', `has ${N} rows; the factor grid has ${factorSizes.reduce((a, b) => a * b, 1)} points`);
  }
  const z = new Float64Array(N * D);
  for (let p = 0; p < N * D; p++) z[p] = mean.data[p] + Math.exp(logVar.data[p] / 2) * rng.normal();
  const all = Int32Array.from({ length: N }, (_, i) => i);
  const marginalEntropy = mixtureEntropies(z, mean, logVar, all, rng, numSamples);
  const conditionalEntropy = new Float64Array(D * K);
  const strides = factorSizes.map((_, j) => factorSizes.slice(j + 1).reduce((a, b) => a * b, 1));
  for (let j = 0; j < K; j++) {
    for (let v = 0; v < factorSizes[j]; v++) {
      const rows = Int32Array.from({ length: N / factorSizes[j] }, () => 0);
      let t = 0;
      for (let i = 0; i < N; i++) if (Math.floor(i / strides[j]) % factorSizes[j] === v) rows[t++] = i;
      const h = mixtureEntropies(z, mean, logVar, rows, rng, numSamples);
      for (let d = 0; d < D; d++) conditionalEntropy[d * K + j] += h[d] / factorSizes[j];
    }
  }
  const mutualInformation = new Float64Array(D * K);
  for (let d = 0; d < D; d++) for (let j = 0; j < K; j++) mutualInformation[d * K + j] = Math.max(0, marginalEntropy[d] - conditionalEntropy[d * K + j]);
  return { mutualInformation, marginalEntropy, conditionalEntropy };
}

/** E_s[−log (1/M Σ_{n∈rows} N(z_sd; μ_nd, σ²_nd))] per dim d, over up to numSamples points s drawn from rows. */
function mixtureEntropies(z: Float64Array, mean: Matrix, logVar: Matrix, rows: Int32Array, rng: Rng, numSamples: number): Float64Array {
  const D = mean.cols;
  const M = rows.length;
  const perm = permutation(M, rng);
  const S = Math.min(numSamples, M);
  const out = new Float64Array(D);
  const logM = Math.log(M);
  const terms = new Float64Array(M);
  for (let d = 0; d < D; d++) {
    let total = 0;
    for (let s = 0; s < S; s++) {
      const x = z[rows[perm[s]] * D + d];
      let max = -Infinity;
      for (let t = 0; t < M; t++) {
        const p = rows[t] * D + d;
        const lv = logVar.data[p];
        const diff = x - mean.data[p];
        const v = -0.5 * (LOG_2PI + lv) - (diff * diff) / (2 * Math.exp(lv));
        terms[t] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let t = 0; t < M; t++) sum += Math.exp(terms[t] - max);
      total += -(max + Math.log(sum) - logM);
    }
    out[d] = total / S;
  }
  return out;
}
