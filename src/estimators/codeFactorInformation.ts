/**
 * The D×K mutual-information matrix between histogram-discretized codes and integer factors: the one
 * quantity MIG, modularity and AAM share, computed in one place so the three agree value for value.
 */
import { DisentangleError } from '../core/errors.js';
import type { IntMatrix, Matrix } from '../core/matrix.js';
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

/** Row-major D×K block as plain rows for results. */
export function matrixRows(data: Float64Array, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) out.push(Array.from(data.subarray(i * cols, (i + 1) * cols)));
  return out;
}
