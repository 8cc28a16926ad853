import { DisentangleError } from './errors.js';
import type { IntMatrix, Matrix } from './matrix.js';
import { checkFactorRange, toMatrix } from './tensor.js';
import type { LabelledCodes, Preset } from './types.js';

/** Codes and factors read, checked and paired. */
export interface CodesAndFactors {
  codes: Matrix;
  factors: IntMatrix;
}

/**
 * How measured (continuous) factor values become the class indices the metrics need: a number B cuts each
 * factor column into B equal-width bins (disentanglement_lib's histogram discretizer, the one the codes go
 * through), a function maps a whole column of values to non-negative integer indices.
 */
export type FactorDiscretizer = number | ((column: Float64Array) => Int32Array);

/** The option every matrix entry over codes and factors takes. */
export interface FactorOptions {
  /**
   * Turns float factor values into indices: a number of equal-width bins per factor column (20 is
   * disentanglement_lib's bin count for codes), or a function `(column) => indices`. Without it factors must be
   * non-negative integer indices, read as they are. Train and test rows are binned together (one set of edges).
   */
  factorDiscretizer?: FactorDiscretizer;
}

/** Codes and factors read, checked and paired. */
export interface CodesAndFactors {
  codes: Matrix;
  factors: IntMatrix;
}

/** Codes and the factors' values (any finite numbers), read and paired, before they become indices. */
export interface CodesAndFactorValues {
  codes: Matrix;
  factors: Matrix;
}

/**
 * Reads `{codes, factors}`: codes n×D finite floats, factors n×K non-negative integers, equal row counts.
 * `argument` names the split ('train', 'test', 'codes') in errors; a factor value that is not a non-negative
 * integer is `BAD_INPUT` that points to the `factorDiscretizer` option.
 */
export function readLabelledCodes(value: LabelledCodes | undefined, argument: string, fn: string): CodesAndFactors {
  const read = readLabelledValues(value, argument, fn);
  return { codes: read.codes, factors: factorsFromValues(read.factors, `${argument}.factors`, fn) };
}

/**
 * Reads `{codes, factors}` with the factors as finite floats (measured values or indices alike): the first half of
 * {@link readLabelledCodes}, for entries that discretize factor values before scoring.
 */
export function readLabelledValues(value: LabelledCodes | undefined, argument: string, fn: string): CodesAndFactorValues {
  if (!value || typeof value !== 'object') {
    throw new DisentangleError('BAD_INPUT', `${argument} (in ${fn})`, 'expected { codes, factors }');
  }
  if (value.codes === undefined) throw new DisentangleError('BAD_INPUT', `${argument}.codes (in ${fn})`, 'is missing');
  if (value.factors === undefined) throw new DisentangleError('BAD_INPUT', `${argument}.factors (in ${fn})`, 'is missing');
  const codes = toMatrix(value.codes, `${argument}.codes`, fn);
  const factors = toMatrix(value.factors, `${argument}.factors`, fn);
  if (codes.rows !== factors.rows) {
    throw new DisentangleError(
      'SHAPE_MISMATCH',
      `${argument}.factors (in ${fn})`,
      `has ${factors.rows} rows but ${argument}.codes has ${codes.rows}; each row of codes needs its factor row`,
    );
  }
  return { codes, factors };
}

/**
 * Factor values that must already be indices: non-negative integers, else `BAD_INPUT` naming the cell and the
 * `factorDiscretizer` option. Columns flagged in `keep` (SAP's continuous factors, scored on their values) are
 * not checked and read as 0 in the result: take them from the values.
 */
export function factorsFromValues(values: Matrix, argument: string, fn: string, keep?: readonly boolean[]): IntMatrix {
  const { rows, cols, data } = values;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    if (keep?.[i % cols]) continue;
    const v = data[i];
    if (!Number.isInteger(v) || v < 0 || v > 2147483647) {
      const hint = Number.isInteger(v) ? '' : '; for measured (continuous) factor values pass factorDiscretizer (a number of equal-width bins such as 20, or a function from a column of values to indices)';
      throw new DisentangleError('BAD_INPUT', `${argument} (in ${fn})`, `row ${Math.floor(i / cols)}, column ${i % cols} is ${v}; factors must be non-negative integer class indices${hint}`);
    }
    out[i] = v;
  }
  return { data: out, rows, cols };
}

/** Validates a `factorDiscretizer` option: undefined, an integer number of bins in [2, {@link MAX_BINS}], or a function. */
export function factorDiscretizerOption(value: unknown, name = 'factorDiscretizer'): FactorDiscretizer | undefined {
  if (value === undefined || typeof value === 'function') return value as FactorDiscretizer | undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 2 && value <= MAX_BINS) return value;
  throw new DisentangleError('BAD_OPTION', name, `expected a number of equal-width bins (an integer in [2, ${MAX_BINS}]) or a function (column: Float64Array) => Int32Array, got ${value === null ? 'null' : typeof value === 'number' ? String(value) : typeof value}`);
}

/**
 * Checks what a user's `factorDiscretizer` function returned for one factor column of `length` values: an array
 * (preferably an Int32Array) of that many non-negative integers, else `CALLBACK_RESULT`.
 */
export function checkDiscretizedColumn(result: unknown, length: number, factor: number, name = 'factorDiscretizer'): Int32Array {
  const what = `for factor ${factor}`;
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new DisentangleError('CALLBACK_RESULT', name, `returned a Promise ${what}; it must return the indices synchronously`);
  }
  if (!(Array.isArray(result) || (ArrayBuffer.isView(result) && !(result instanceof DataView)))) {
    throw new DisentangleError('CALLBACK_RESULT', name, `returned ${result === null ? 'null' : typeof result} ${what}; expected an Int32Array of ${length} indices`);
  }
  const arr = result as ArrayLike<unknown>;
  if (arr.length !== length) {
    throw new DisentangleError('CALLBACK_RESULT', name, `returned ${arr.length} indices ${what}, expected ${length} (one per row)`);
  }
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2147483647) {
      throw new DisentangleError('CALLBACK_RESULT', name, `returned ${String(v)} at row ${i} ${what}; indices must be non-negative integers`);
    }
    out[i] = v;
  }
  return out;
}

/** Anything with codes and factors of known widths (a split read as indices or as values). */
export interface SplitWidths {
  codes: { cols: number };
  factors: { cols: number };
}

/** Checks that a test split has the same code and factor widths as the training split. */
export function checkSameWidths(train: SplitWidths, test: SplitWidths, fn: string): void {
  if (test.codes.cols !== train.codes.cols) {
    throw new DisentangleError('SHAPE_MISMATCH', `test.codes (in ${fn})`, `has ${test.codes.cols} code dims, train has ${train.codes.cols}`);
  }
  if (test.factors.cols !== train.factors.cols) {
    throw new DisentangleError('SHAPE_MISMATCH', `test.factors (in ${fn})`, `has ${test.factors.cols} factors, train has ${train.factors.cols}`);
  }
}

/**
 * Checks the options object of a public entry point before anything reads it: `null`, a number, a string or an
 * array is `BAD_OPTION` naming `options` (instead of a raw TypeError on the first property read), and so are an
 * `onProgress` that is not a function and a `signal` that is not an AbortSignal. `undefined` is refused too:
 * entries whose options are optional default them to `{}` before calling this. With `known`, a name outside
 * it is a `BAD_OPTION` too (see {@link checkKnownOptions}).
 *
 * @example
 * export function migFromCodes(train: LabelledCodes, options: MigOptions = {}): MigResult {
 *   checkOptions(options, 'migFromCodes');
 */
export function checkOptions(options: unknown, fn: string, known?: readonly string[]): asserts options is object {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options;
    throw new DisentangleError('BAD_OPTION', 'options', `${fn} expects an options object, got ${got}`);
  }
  if (known) checkKnownOptions(options, known, fn);
  const o = options as { onProgress?: unknown; signal?: unknown };
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new DisentangleError('BAD_OPTION', 'onProgress', `expected a function (progress) => void, got ${o.onProgress === null ? 'null' : typeof o.onProgress}`);
  }
  if (o.signal !== undefined) {
    const sig = o.signal as { aborted?: unknown; addEventListener?: unknown } | null;
    if (sig === null || typeof sig !== 'object' || typeof sig.aborted !== 'boolean' || typeof sig.addEventListener !== 'function') {
      throw new DisentangleError('BAD_OPTION', 'signal', 'expected an AbortSignal (for instance AbortSignal.timeout(ms) or new AbortController().signal)');
    }
  }
}

/** Largest batch an option may ask for: 65,536 dSprites images are already 1 GiB of float32. */
export const MAX_BATCH_SIZE = 65_536;
/** Largest number of samples an option may ask for (100× disentanglement_lib's usual 10,000). */
export const MAX_SAMPLES = 1_000_000;
/** Largest number of histogram bins (disentanglement_lib uses 20). */
export const MAX_BINS = 65_536;
/** Largest latent or code width a model may declare. */
export const MAX_DIMS = 65_536;

// Options whose size turns straight into memory: a typo like `batchSize: 1e9` must be a BAD_OPTION, not a
// process killed for memory. Matched on the option's own name (after the last '.').
const SIZE_LIMITS: [RegExp, number][] = [
  [/^(batchSize|generateBatchSize)$/, MAX_BATCH_SIZE],
  [/^(numTrain|numTest|numEval|numSamples|numPairs|numDataPoints|scaleSetSize|numVarianceEstimate|numEntropySamples|groupSize)$/, MAX_SAMPLES],
  [/^numBins$/, MAX_BINS],
  [/^(latentDims|codeDims)$/, MAX_DIMS],
];

/**
 * Validates an integer option within bounds; returns the default when absent. Options named like a batch size,
 * a sample count, a bin count or a width (see {@link MAX_BATCH_SIZE}, {@link MAX_SAMPLES}, {@link MAX_BINS},
 * {@link MAX_DIMS}) are also capped at those limits, whatever `max` the caller passes.
 */
export function intOption(value: number | undefined, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const own = name.slice(name.lastIndexOf('.') + 1);
  const limit = SIZE_LIMITS.find(([re]) => re.test(own));
  const hi = limit ? Math.min(max, limit[1]) : max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > hi) {
    const why = limit && typeof value === 'number' && value > limit[1] && value <= max ? ` (sizes above ${limit[1]} would exhaust memory)` : '';
    throw new DisentangleError('BAD_OPTION', name, `expected an integer in [${min}, ${hi}], got ${String(value)}${why}`);
  }
  return value;
}

/** Validates a real option within bounds (inclusive); returns the default when absent. */
export function numberOption(value: number | undefined, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new DisentangleError('BAD_OPTION', name, `expected a finite number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** Validates a string option against its allowed values. */
export function enumOption<T extends string>(value: T | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw new DisentangleError('BAD_OPTION', name, `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${String(value)}'`);
  }
  return value;
}

const PRESETS: readonly Preset[] = ['disentanglement_lib', 'infogan-cr'];

/**
 * Reads a `preset` option: 'disentanglement_lib' (the default) or 'infogan-cr', else `BAD_OPTION`. An entry reads
 * it once and hands the value on, so its sampling and its scoring cannot disagree.
 *
 * @example
 * const preset = presetOption(options.preset); // 'disentanglement_lib' when absent
 */
export function presetOption(value: Preset | undefined, name = 'preset'): Preset {
  return enumOption(value, name, PRESETS, 'disentanglement_lib');
}

/** Validates factor cardinalities: a non-empty list of integers ≥ 1. */
export function checkFactorSizes(sizes: readonly number[] | undefined, argument: string): number[] {
  if (!Array.isArray(sizes) || sizes.length === 0) {
    throw new DisentangleError('EMPTY', argument, 'expected a non-empty list of factor cardinalities');
  }
  sizes.forEach((s, k) => {
    if (!Number.isInteger(s) || s < 1) throw new DisentangleError('BAD_INPUT', argument, `factor ${k} has size ${s}; sizes must be integers ≥ 1`);
  });
  return [...sizes];
}

/** Throws when a factor column exceeds its declared cardinality. */
export function checkFactorsWithinSizes(f: IntMatrix, sizes: readonly number[], argument: string): void {
  checkFactorRange(f, sizes, argument); // one range check, shared with the datasets' factor-batch reader
}

/**
 * The one rule for degenerate factors in every metric over codes and factors: a factor column that takes a single
 * value is `BAD_INPUT` naming the factor. Nothing about the codes can be related to a factor that never changes:
 * a classifier cannot be fitted on it (SAP, DCI, explicitness), its entropy is 0 (MIG divides by it), and where a
 * formula would still give a number (modularity, IRS, AAM) that number only reflects the empty column. Columns
 * flagged in `skip` are not checked.
 */
export function checkFactorsVary(f: IntMatrix | Matrix, argument: string, fn: string, skip?: readonly boolean[]): void {
  for (let j = 0; j < f.cols; j++) {
    if (skip?.[j]) continue;
    const first = f.data[j];
    let varies = false;
    for (let i = 1; i < f.rows && !varies; i++) varies = f.data[i * f.cols + j] !== first;
    if (!varies) {
      throw new DisentangleError('BAD_INPUT', `${argument} (in ${fn})`, `factor ${j} takes a single value (${first}); a factor that never changes cannot be related to the codes (drop it, or sample more points)`);
    }
  }
}

/**
 * Refuses option names outside `known`: a misspelt option would otherwise be ignored and the default used, a
 * wrong number with no error. The message names the closest valid option (edit distance, case-insensitive)
 * when one is near. Keys whose value is `undefined` pass, so callers may spread optional settings through.
 *
 * @example
 * checkKnownOptions({ numTrian: 100 }, ['numTrain', 'seed'], 'computeMig'); // BAD_OPTION: did you mean numTrain?
 */
export function checkKnownOptions(options: object, known: readonly string[], fn: string): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || known.includes(key)) continue;
    const near = closestName(key, known);
    const hint = near ? `; did you mean ${near}?` : `; ${fn} takes ${[...known].sort().join(', ')}`;
    throw new DisentangleError('BAD_OPTION', key, `is not an option of ${fn}${hint}`);
  }
}

/** The candidate nearest to `name` by edit distance, when it is within a third of the name's length (at least 2). */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** Levenshtein distance with adjacent transpositions counted as one edit (a typo like `numTrian`). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Int32Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}

/**
 * Reads the optional tail of a matrix entry `xFromCodes(train, test?, options?)`: the second argument is the
 * test split when it holds `codes` or `factors`, otherwise it is the options (so `sapFromCodes(train, { preset })`
 * needs no `undefined` placeholder). Passing options in both places is a `BAD_OPTION`. Bare codes (an array of
 * row arrays, or anything with a `shape` or `dims`) count as a split too: the entries over codes alone take
 * `(codes, testCodes)`, and the others refuse them as a test split missing its `codes` rather than as options.
 *
 * @example
 * const { test, options } = testAndOptions<SapOptions>(second, third, 'sapFromCodes');
 */
export function testAndOptions<O extends object>(second: unknown, third: O | undefined, fn: string): { test?: LabelledCodes; options: O } {
  const rows = Array.isArray(second) && (second.length === 0 || Array.isArray(second[0]));
  const isSplit = rows || (second !== null && typeof second === 'object' && !Array.isArray(second) && ('codes' in second || 'factors' in second || 'shape' in second || 'dims' in second));
  // `(train, null)` is a null options object (refused by checkOptions); `(train, null, options)` a null test
  if (second === null && third === undefined) return { options: null as unknown as O };
  if (second === undefined || second === null || isSplit) return { test: (second ?? undefined) as LabelledCodes | undefined, options: third === undefined ? ({} as O) : third };
  if (third !== undefined) throw new DisentangleError('BAD_OPTION', 'options', `${fn} got options both as its second and its third argument; pass (train, test, options) or (train, options)`);
  return { options: second as O };
}
