/**
 * The binned estimator of ubisoft-laforge-disentanglement-metrics (Carbonneau et al. 2020): each code column is
 * min-max scaled to [0, 1] (scikit-learn `minmax_scale`) and cut into B equal-width bins of [0, 1]; the
 * mutual-information metrics MIG-sup, DCIMIG and JEMMIG read their tables from it.
 */
import { DisentangleError } from '../../core/errors.js';
import type { IntMatrix, Matrix } from '../../core/matrix.js';
import type { LabelledCodes } from '../../core/types.js';
import { intOption, MAX_BINS, type FactorOptions } from '../../core/validate.js';
import { requireVaryingFactors } from './codeFactorInformation.js';
import { readFactorSplits } from './discretize.js';
import { discreteEntropies, discreteMutualInfoMatrix } from './mutualInformation.js';

/** scikit-learn's threshold under which a range counts as zero (`10 · eps`): the column is then left unscaled. */
const ZERO_RANGE = 10 * Number.EPSILON;

/**
 * Bin ids 1..B of every column, exactly as the reference's `get_bin_index(minmax_scale(codes), B)`:
 * v = x·s + m with s = 1 / (max − min) and m = −min·s (scikit-learn's order of operations; a range under
 * 10·eps gives s = 1, so a constant column becomes 0 and lands in bin 1), then numpy `digitize` against
 * `linspace(0, 1, B + 1)[:-1]` (edges k/B computed as k·(1/B)); the maximum lands in bin B.
 *
 * @param codes n×D values.
 * @param numBins B ≥ 1 (the reference's default is 10).
 * @example
 * minMaxBins({ data: Float64Array.of(0, 0.5, 1), rows: 3, cols: 1 }, 10).data // Int32Array [1, 6, 10]
 */
export function minMaxBins(codes: Matrix, numBins: number): IntMatrix {
  if (!Number.isInteger(numBins) || numBins < 1) {
    throw new DisentangleError('BAD_OPTION', 'numBins', `expected a positive integer, got ${String(numBins)}`);
  }
  const { rows, cols, data } = codes;
  const step = 1 / numBins;
  const edges = Float64Array.from({ length: numBins }, (_, k) => k * step);
  const out = new Int32Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = j; p < data.length; p += cols) {
      const v = data[p];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const range = hi - lo;
    const scale = 1 / (range < ZERO_RANGE ? 1 : range);
    const shift = 0 - lo * scale;
    for (let p = j; p < data.length; p += cols) {
      const v = data[p] * scale + shift;
      let a = 0;
      let b = numBins;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (edges[mid] <= v) a = mid + 1;
        else b = mid;
      }
      out[p] = a;
    }
  }
  return { data: out, rows, cols };
}

/** The tables the ubisoft MI metrics share (nats). */
export interface BinnedInformation {
  /** I(bin(code_i); factor_j), D×K row-major. */
  mutualInformation: Float64Array;
  /** H(bin(code_i)), length D. */
  codeEntropy: Float64Array;
  /** H(factor_j), length K. */
  factorEntropy: Float64Array;
  numCodes: number;
  numFactors: number;
}

/**
 * The D×K mutual information between {@link minMaxBins}-binned codes and integer factors, with both entropies.
 * Natural logarithms (the reference uses pyitlib's base 2; every score is a ratio and does not change).
 *
 * @example
 * const info = binnedInformation(codes, factors, 10);
 */
export function binnedInformation(codes: Matrix, factors: IntMatrix, numBins: number): BinnedInformation {
  const binned = minMaxBins(codes, numBins);
  return {
    mutualInformation: discreteMutualInfoMatrix(binned, factors),
    codeEntropy: discreteEntropies(binned),
    factorEntropy: discreteEntropies(factors),
    numCodes: codes.cols,
    numFactors: factors.cols,
  };
}

/**
 * The first step the binned MI metrics (MIG-sup, DCIMIG, JEMMIG) share: read `train` (factor values through
 * `factorDiscretizer`), check there are two of what the metric takes a gap over (`gapOver`: the factors a code
 * informs about, or the codes informative about a factor), bin the codes into `numBins` (default 10) and
 * tabulate the information; a constant factor is `BAD_INPUT` (the library's one rule for degenerate factors).
 *
 * @example
 * const info = readBinnedInformation(train, options, 'migSupFromCodes', 'factors');
 */
export function readBinnedInformation(
  train: LabelledCodes,
  options: { numBins?: number } & FactorOptions,
  fn: string,
  gapOver: 'factors' | 'codes',
): BinnedInformation & { numBins: number } {
  const { codes, factors } = readFactorSplits([[train, 'train']], fn, options.factorDiscretizer)[0]!;
  const numBins = intOption(options.numBins, 'numBins', 10, 1, MAX_BINS);
  if (gapOver === 'factors' && factors.cols < 2) {
    throw new DisentangleError('SHAPE_MISMATCH', `train.factors (in ${fn})`, `has ${factors.cols} factor; the gap between the two factors a code informs about most needs at least 2`);
  }
  if (gapOver === 'codes' && codes.cols < 2) {
    throw new DisentangleError('SHAPE_MISMATCH', `train.codes (in ${fn})`, `has ${codes.cols} code dim; the gap between the two codes most informative about a factor needs at least 2`);
  }
  const info = binnedInformation(codes, factors, numBins);
  requireVaryingFactors(info.factorEntropy, `train.factors (in ${fn})`);
  return { ...info, numBins };
}
