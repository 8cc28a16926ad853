/**
 * Mean Correlation Coefficient (MCC), the identifiability literature's score (Hyvärinen & Morioka 2016,
 * "Unsupervised Feature Extraction by Time-Contrastive Learning and Nonlinear ICA"; Khemakhem et al. 2020,
 * "ICE-BeeM: Identifiable Conditional Energy-Based Deep Models Based on Nonlinear ICA"), as ilkhem/icebeem's
 * `metrics/mcc.py` computes it (`mean_corr_coef_np`, and `mean_corr_coef_out_of_sample` with a test split).
 */
import { DisentangleError } from '../core/errors.js';
import { column, toRows, type Matrix } from '../core/matrix.js';
import { createRng } from '../core/rng.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { checkFactorsVary, checkOptions, checkSameWidths, readLabelledValues, testAndOptions, type CodesAndFactorValues } from '../core/validate.js';
import { linearSumAssignment } from '../estimators/hungarian.js';
import { rankData } from '../estimators/rankCorrelation.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link mccFromCodes}: none yet (the object is accepted so every matrix entry has one form). */
export type MccOptions = Record<string, never>;

/** Result of {@link mccFromCodes} / {@link computeMcc}. */
export interface MccResult {
  /** The Pearson MCC (the same number as `pearson`), in [0, 1]; 1 = each factor is a code up to sign and scale. */
  score: number;
  /** Mean of the |Pearson r| entries matched by the optimal assignment on the |Pearson| matrix. */
  pearson: number;
  /** Mean of the |Spearman ρ| entries matched by the optimal assignment on the |Spearman| matrix. */
  spearman: number;
  /** The min(D, K) matched `[code, factor]` pairs of the Pearson MCC, codes in increasing order. */
  assignment: Array<[number, number]>;
  /** The matched `[code, factor]` pairs of the Spearman MCC. */
  spearmanAssignment: Array<[number, number]>;
  /** D×K |Pearson r| between codes and factors on `train` (the matrix the matching is made on). */
  correlation: number[][];
  /** D×K |Spearman ρ| on `train`. */
  rankCorrelation: number[][];
}

const OPTION_NAMES: readonly string[] = [];

/**
 * MCC from precomputed codes and factors. The D×K matrix of absolute correlations between each code and each
 * factor's values is matched by the Hungarian method (`linearSumAssignment`, maximizing), which picks
 * min(D, K) pairs, one per code and per factor; MCC is the mean of the matched entries. D ≠ K is fine: the
 * surplus codes (or factors) are left unmatched and the mean runs over the min(D, K) pairs, as icebeem's
 * `linear_sum_assignment` on the rectangular matrix does. `pearson` uses Pearson's r, `spearman` Spearman's ρ
 * (Pearson's r of average ranks), each with its own matching; `score` is the Pearson MCC.
 *
 * With a `test` split the matching is made on `train` and the matched entries are read from the test split's
 * correlations (icebeem's `mean_corr_coef_out_of_sample`); without one both come from `train`.
 *
 * Factors are correlated through their values: integer indices by default, measured floats as they are (no
 * discretizer is needed or taken). Degenerate input follows the library's rule: a factor taking a single value
 * is `BAD_INPUT` naming it; a constant code, whose correlation is undefined (icebeem's NaN makes scipy raise),
 * correlates 0 with every factor. At least 2 rows are needed.
 *
 * @param train `{ codes: n×D, factors: n×K }` (indices or float values).
 * @param test optional held-out split with the same widths; options may come second instead.
 * @param options none; an unknown name is `BAD_OPTION`.
 * @example
 * // codes are the factors permuted, one sign flipped: MCC = 1
 * const factors = [[0, 1], [1, 0], [2, 2], [3, 1]];
 * const codes = factors.map(([a, b]) => [-b, 2 * a]);
 * const { score, assignment } = mccFromCodes({ codes, factors }); // 1, [[0, 1], [1, 0]]
 */
export function mccFromCodes(train: LabelledCodes, test?: LabelledCodes, options?: MccOptions): MccResult;
/** {@link mccFromCodes} without a test split. */
export function mccFromCodes(train: LabelledCodes, options?: MccOptions): MccResult;
export function mccFromCodes(train: LabelledCodes, second?: LabelledCodes | MccOptions, third?: MccOptions): MccResult {
  const fn = 'mccFromCodes';
  const { test, options } = testAndOptions<MccOptions>(second, third, fn);
  checkOptions(options, fn, OPTION_NAMES);
  return mcc(train, test, fn);
}

function mcc(train: LabelledCodes, test: LabelledCodes | undefined, fn: string): MccResult {
  const tr = readSplit(train, 'train', fn);
  let te = tr;
  if (test !== undefined) {
    te = readSplit(test, 'test', fn);
    checkSameWidths(tr, te, fn);
  }
  const trainMatrices = correlationMatrices(tr);
  const testMatrices = te === tr ? trainMatrices : correlationMatrices(te);
  const pearson = matchedMean(trainMatrices.pearson, testMatrices.pearson);
  const spearman = matchedMean(trainMatrices.spearman, testMatrices.spearman);
  return {
    score: pearson.mean,
    pearson: pearson.mean,
    spearman: spearman.mean,
    assignment: pearson.pairs,
    spearmanAssignment: spearman.pairs,
    correlation: toRows(trainMatrices.pearson),
    rankCorrelation: toRows(trainMatrices.spearman),
  };
}

function readSplit(value: LabelledCodes, argument: string, fn: string): CodesAndFactorValues {
  const split = readLabelledValues(value, argument, fn);
  if (split.codes.rows < 2) throw new DisentangleError('EMPTY', `${argument} (in ${fn})`, `has ${split.codes.rows} rows; a correlation needs at least 2`);
  if (split.codes.cols < 1 || split.factors.cols < 1) throw new DisentangleError('EMPTY', `${argument} (in ${fn})`, 'needs at least one code and one factor column');
  checkFactorsVary(split.factors, `${argument}.factors`, fn);
  return split;
}

/** D×K |Pearson| and |Spearman| matrices; a constant code's entries are 0 (its r is undefined). */
function correlationMatrices(split: CodesAndFactorValues): { pearson: Matrix; spearman: Matrix } {
  const D = split.codes.cols;
  const K = split.factors.cols;
  // Each column centred and scaled to unit norm once: every r is then one dot product (D·K of them, twice).
  const factors = Array.from({ length: K }, (_, j) => column(split.factors, j));
  const factorUnits = factors.map(unitCentred);
  const factorRankUnits = factors.map((f) => unitCentred(rankData(f)));
  const codes = Array.from({ length: D }, (_, i) => column(split.codes, i));
  const codeUnits = codes.map(unitCentred);
  const codeRankUnits = codes.map((c) => unitCentred(rankData(c)));
  return { pearson: absDots(codeUnits, factorUnits), spearman: absDots(codeRankUnits, factorRankUnits) };
}

/** (v − v̄) / ‖v − v̄‖, or undefined for a constant column. */
function unitCentred(v: Float64Array): Float64Array | undefined {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  const out = new Float64Array(v.length);
  let ss = 0;
  for (let i = 0; i < v.length; i++) {
    out[i] = v[i] - mean;
    ss += out[i] * out[i];
  }
  if (!(ss > 0)) return undefined;
  const inv = 1 / Math.sqrt(ss);
  for (let i = 0; i < v.length; i++) out[i] *= inv;
  return out;
}

/** |⟨a_i, b_j⟩| clipped to 1 (rounding), 0 where either column is constant. */
function absDots(a: readonly (Float64Array | undefined)[], b: readonly (Float64Array | undefined)[]): Matrix {
  const out: Matrix = { data: new Float64Array(a.length * b.length), rows: a.length, cols: b.length };
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (!x) continue;
    for (let j = 0; j < b.length; j++) {
      const y = b[j];
      if (!y) continue;
      let dot = 0;
      for (let t = 0; t < x.length; t++) dot += x[t] * y[t];
      out.data[i * b.length + j] = Math.min(1, Math.abs(dot));
    }
  }
  return out;
}

/** Matches on `matching` (maximizing) and averages the matched entries of `scored` (icebeem's `cc[lsa(-cc)].mean()`). */
function matchedMean(matching: Matrix, scored: Matrix): { mean: number; pairs: Array<[number, number]> } {
  const { rowIndices, colIndices } = linearSumAssignment(matching, true);
  let sum = 0;
  const pairs: Array<[number, number]> = [];
  for (let t = 0; t < rowIndices.length; t++) {
    sum += scored.data[rowIndices[t] * scored.cols + colIndices[t]];
    pairs.push([rowIndices[t], colIndices[t]]);
  }
  return { mean: sum / rowIndices.length, pairs };
}

/** Options of {@link computeMcc}: the sampling options (`numTest` is not used: MCC scores one split). */
export type ComputeMccOptions<Obs = TensorLike> = SamplingMetricOptions<Obs>;

/**
 * MCC on `numTrain` points (default 10,000, batch 16, the library's sampling defaults) drawn from `dataset` and
 * encoded by `represent`, correlating the codes with the factor indices.
 *
 * @example
 * const { score, assignment } = await computeMcc({ dataset: dsprites(), represent: encoder, seed: 0 });
 */
export async function computeMcc<Obs = TensorLike>(options: ComputeMccOptions<Obs>): Promise<MccResult> {
  checkOptions(options, 'computeMcc', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES]);
  await ensureBackend();
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  return mcc(train, undefined, 'mccFromCodes');
}
