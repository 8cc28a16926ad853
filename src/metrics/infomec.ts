/**
 * InfoMEC (Hsu, Dorrell, Whittington, Wu & Finn 2023, "Disentanglement via Latent Quantization", NeurIPS): the
 * modularity (InfoM), compactness (InfoC) and explicitness (InfoE) of a representation, as
 * kylehkhsu/latent_quantization's `disentangle/metrics/infomec.py` computes them for continuous codes.
 */
import { DisentangleError } from '../core/errors.js';
import { column, type IntMatrix, type Matrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import type { LabelledCodes, TensorLike } from '../core/types.js';
import { checkFactorsVary, checkOptions, intOption, testAndOptions, type FactorOptions } from '../core/validate.js';
import { readFactorSplits } from '../estimators/information/discretize.js';
import { addTieNoise, ksgFromDense, scaleByStd } from '../estimators/information/ksg.js';
import { discreteEntropy } from '../estimators/information/mutualInformation.js';
import { encodeLabels } from '../estimators/labels.js';
import { fitLogisticRegression } from '../estimators/linear/logisticRegression.js';
import { SAMPLING_OPTION_NAMES, sampleTrainTest, type SamplingMetricOptions } from '../data/trainTest.js';
import { ensureBackend } from '../core/backend.js';

/** Options of {@link infomecFromCodes}. */
export interface InfomecOptions extends FactorOptions {
  /** Neighbours of the KSG estimator (default 10, the reference's `n_neighbors`). */
  numNeighbors?: number;
  /**
   * Add scikit-learn's tie-breaking jitter (1e-10 · max(1, mean|z|) · N(0, 1) per standardised code value) from a
   * stream seeded by `seed` (default true). false: no jitter, tied distances follow the estimator's exact rule.
   */
  tieNoise?: boolean;
  /** Seed of the jitter (default 0). */
  seed?: number;
  /** L-BFGS iteration cap of InfoE's logistic regressions (default 100, the reference's `max_iter`). */
  maxIter?: number;
}

/** Result of {@link infomecFromCodes} / {@link computeInfomec}. */
export interface InfomecResult {
  /** The headline: InfoM (modularity, the disentanglement part of the triple). */
  score: number;
  /** Modularity in [0, 1]: 1 = every active code informs about one factor only. */
  infoM: number;
  /** Compactness in [0, 1]: 1 = every factor is captured by one active code only. */
  infoC: number;
  /** Explicitness in [0, 1] (can dip below 0): how well a linear softmax classifier reads the factors from all codes. */
  infoE: number;
  /** K×D normalised mutual information I(factor_j; code_i) / H(factor_j), rows factors as in the reference. */
  nmi: number[][];
  /** Per code: whether its range exceeds 1/20 of the largest code range (only active codes enter InfoM and InfoC). */
  activeCodes: boolean[];
  /** Per factor: (ln C_j − cross-entropy) / ln C_j, whose mean is InfoE. */
  infoEPerFactor: number[];
  /** Per factor: H(factor_j) in nats, the normaliser of its NMI row. */
  factorEntropy: number[];
}

const OPTION_NAMES = Object.keys({ numNeighbors: 0, tieNoise: 0, seed: 0, maxIter: 0 } satisfies Record<Exclude<keyof InfomecOptions, keyof FactorOptions>, 0>);
const ENTRY_OPTION_NAMES = [...OPTION_NAMES, 'factorDiscretizer'];
// Relative stopping tolerance of InfoE's fits: the reference's lbfgs stops at a gradient of 1e-4 (same objective
// scale); a tighter one returns the optimum it approximates, and at most `maxIter` iterations are run either way.
const LOGISTIC_TOL = 1e-7;
// numpy's float64 eps, scikit-learn's `log_loss` clipping of the probabilities.
const EPS = 2.220446049250313e-16;

/**
 * InfoMEC from precomputed codes and factors (continuous codes). NMI_ji = I(factor_j; code_i) / H(factor_j), with
 * I by the KSG estimator (k = 10, {@link mutualInfoKsg}) on each standardised code and H the factor's plug-in
 * entropy. Codes whose range exceeds 1/20 of the largest range are active; on the active columns,
 * `InfoM = (mean_i max_j NMI_ji / Σ_j NMI_ji − 1/K) / (1 − 1/K)` and
 * `InfoC = (mean_j max_i NMI_ji / Σ_i NMI_ji − 1/D_active) / (1 − 1/D_active)`. InfoE fits, for every factor, an
 * unpenalised multinomial logistic regression with balanced class weights on all standardised codes (in-sample,
 * L-BFGS capped at 100 iterations) and averages `(ln C_j − logloss_j) / ln C_j`; ln C_j is the reference's baseline
 * (the same fit on an all-zero input predicts 1/C_j for every class under balanced weights).
 *
 * Computed on `train` alone, as the reference (a `test` split is accepted for the common form and ignored).
 * Degenerate inputs: a constant factor is `BAD_INPUT` naming `train.factors`; a constant code is inactive (it never
 * enters InfoM or InfoC, and adds nothing to InfoE); where the reference divides 0 by 0 (an active code, or a factor,
 * whose NMI entries are all 0) that code's modularity, or factor's compactness, is 0, and with one factor (or one
 * active code) InfoM (InfoC) is 1; no active code at all gives InfoM = InfoC = 0. At least 2 rows are needed.
 *
 * @param train `{ codes: n×D, factors: n×K integer indices, or values with factorDiscretizer }`.
 * @param options `numNeighbors` (10), `tieNoise` (true), `seed` (0), `maxIter` (100), `factorDiscretizer`.
 * @example
 * const { infoM, infoC, infoE, nmi } = infomecFromCodes({ codes, factors }); // codes n×D, factors n×K
 */
export function infomecFromCodes(train: LabelledCodes, options?: InfomecOptions): InfomecResult;
/** {@link infomecFromCodes} with a held-out split, which InfoMEC ignores (it scores `train`, in-sample). */
export function infomecFromCodes(train: LabelledCodes, test: LabelledCodes | undefined, options?: InfomecOptions): InfomecResult;
export function infomecFromCodes(train: LabelledCodes, second?: LabelledCodes | InfomecOptions, third?: InfomecOptions): InfomecResult {
  const fn = 'infomecFromCodes';
  const { options } = testAndOptions<InfomecOptions>(second, third, fn);
  checkOptions(options, fn, ENTRY_OPTION_NAMES);
  const { codes, factors } = readFactorSplits([[train, 'train']], fn, options.factorDiscretizer)[0]!;
  return infomec(codes, factors, options, fn);
}

function infomec(codes: Matrix, factors: IntMatrix, options: InfomecOptions, fn: string): InfomecResult {
  const k = intOption(options.numNeighbors, 'numNeighbors', 10, 1);
  const maxIter = intOption(options.maxIter, 'maxIter', 100, 1);
  const seed = intOption(options.seed, 'seed', 0, 0);
  if (options.tieNoise !== undefined && typeof options.tieNoise !== 'boolean') {
    throw new DisentangleError('BAD_OPTION', 'tieNoise', `expected true or false, got ${String(options.tieNoise)}`);
  }
  const tieNoise = options.tieNoise ?? true;
  if (codes.rows < 2) throw new DisentangleError('EMPTY', `train (in ${fn})`, `has ${codes.rows} rows; InfoMEC needs at least 2`);
  if (codes.cols < 1 || factors.cols < 1) throw new DisentangleError('EMPTY', `train (in ${fn})`, 'needs at least one code and one factor column');
  checkFactorsVary(factors, 'train.factors', fn);
  const D = codes.cols;
  const K = factors.cols;
  const labels = Array.from({ length: K }, (_, j) => encodeLabels(column(factors, j)));
  const factorEntropy = labels.map((l) => discreteEntropy(l.index));
  const standardised = standardiseColumns(codes);
  const nmi = Array.from({ length: K }, () => new Array<number>(D).fill(0));
  const { activeCodes, constant } = activeByRange(codes);
  const rng = createRng(seed);
  for (let i = 0; i < D; i++) {
    const stream: Rng = rng.fork(); // one stream per code, drawn whether used or not, so codes do not shift each other
    // A constant code informs about nothing: NMI 0 (the reference estimates MI on its jitter alone).
    if (constant[i]) continue;
    const values = column(standardised, i);
    scaleByStd(values); // mutual_info_classif's own scaling, on top of the standardisation
    if (tieNoise) addTieNoise(values, stream);
    for (let j = 0; j < K; j++) nmi[j][i] = ksgFromDense(values, labels[j].index, labels[j].classes.length, k) / factorEntropy[j];
  }
  const active = activeCodes.flatMap((a, i) => (a ? [i] : []));
  const infoM = normalisedConcentration(active.map((i) => nmi.map((row) => row[i])), K);
  const infoC = active.length === 0 ? 0 : normalisedConcentration(nmi.map((row) => active.map((i) => row[i])), active.length);
  const infoEPerFactor = labels.map((l) => explicitness(standardised, l.index, l.classes.length, maxIter));
  const infoE = infoEPerFactor.reduce((a, b) => a + b, 0) / K;
  return { score: infoM, infoM, infoC, infoE, nmi, activeCodes, infoEPerFactor, factorEntropy };
}

// StandardScaler: (x − mean) / std per column (ddof 0); a constant column becomes 0 (its std is taken as 1).
function standardiseColumns(m: Matrix): Matrix {
  const { rows, cols, data } = m;
  const out = new Float64Array(data.length);
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += data[r * cols + j];
    mean /= rows;
    let ss = 0;
    for (let r = 0; r < rows; r++) ss += (data[r * cols + j] - mean) ** 2;
    const std = Math.sqrt(ss / rows);
    const scale = std > 0 ? std : 1;
    for (let r = 0; r < rows; r++) out[r * cols + j] = (data[r * cols + j] - mean) / scale;
  }
  return { data: out, rows, cols };
}

// The reference's pruning: range > (largest range) / 20, on the raw codes. All-constant codes leave none active.
function activeByRange(codes: Matrix): { activeCodes: boolean[]; constant: boolean[] } {
  const ranges = Array.from({ length: codes.cols }, (_, i) => {
    const c = column(codes, i);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of c) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return hi - lo;
  });
  const largest = Math.max(...ranges);
  return { activeCodes: ranges.map((r) => r > largest / 20), constant: ranges.map((r) => r === 0) };
}

// mean over groups of (max/sum − 1/size) / (1 − 1/size), each group holding `size` NMI entries. A group of zeros
// (0/0 in the reference) scores 0; with size 1 every group is concentrated by definition (score 1); no group, 0.
function normalisedConcentration(groups: number[][], size: number): number {
  if (groups.length === 0) return 0;
  if (size === 1) return 1;
  let sum = 0;
  for (const g of groups) {
    let total = 0;
    let max = 0;
    for (const v of g) {
      total += v;
      if (v > max) max = v;
    }
    if (total > 0) sum += (max / total - 1 / size) / (1 - 1 / size);
  }
  return sum / groups.length;
}

// (ln C − in-sample cross-entropy) / ln C of an unpenalised, class-balanced softmax regression (the reference's
// `logistic_regression`, scored by scikit-learn's unweighted `log_loss` with its eps clipping).
function explicitness(x: Matrix, y: Int32Array, numClasses: number, maxIter: number): number {
  const fit = fitLogisticRegression(x, y, { penalty: 'none', classWeight: 'balanced', multiClass: 'multinomial', maxIter, tol: LOGISTIC_TOL });
  const p = fit.predictProba(x);
  const C = p.cols;
  let loss = 0;
  for (let r = 0; r < p.rows; r++) {
    let norm = 0;
    for (let c = 0; c < C; c++) norm += Math.min(1 - EPS, Math.max(EPS, p.data[r * C + c]));
    const py = Math.min(1 - EPS, Math.max(EPS, p.data[r * C + y[r]]));
    loss -= Math.log(py / norm);
  }
  loss /= p.rows;
  const baseline = Math.log(numClasses);
  return (baseline - loss) / baseline;
}

/** Options of {@link computeInfomec}: the sampling options (`numTest` is not used) plus {@link InfomecOptions}. */
export type ComputeInfomecOptions<Obs = TensorLike> = SamplingMetricOptions<Obs> & Omit<InfomecOptions, keyof FactorOptions | 'seed'>;

/**
 * InfoMEC on `numTrain` points (default 10,000, batch 16) drawn from `dataset` and encoded by `represent`; the
 * jitter of the KSG estimator is seeded from `seed` too.
 *
 * @example
 * const { infoM, infoC, infoE } = await computeInfomec({ dataset: dsprites(), represent: encoder, seed: 0 });
 */
export async function computeInfomec<Obs = TensorLike>(options: ComputeInfomecOptions<Obs>): Promise<InfomecResult> {
  checkOptions(options, 'computeInfomec', [...SAMPLING_OPTION_NAMES, ...OPTION_NAMES.filter((n) => n !== 'seed')]);
  await ensureBackend();
  const { train } = await sampleTrainTest(options, { numTrain: 10000, batchSize: 16 }, createRng);
  const { codes, factors } = readFactorSplits([[train, 'train']], 'infomecFromCodes', undefined)[0]!;
  return infomec(codes, factors, { ...options, seed: options.seed ?? 0 }, 'infomecFromCodes');
}
