/**
 * The one sampler every sampling metric uses: factor batches → observations → representation → codes, in batches,
 * with progress, abort, and checks on what each callback returns. Mirrors disentanglement_lib's
 * `utils.generate_batch_factor_code` and the fixed-factor batches of the FactorVAE / BetaVAE metrics.
 */
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { forEachBatch, checkCallbackRows, createYielder, raceAbort } from '../core/batching.js';
import type { IntMatrix, Matrix } from '../core/matrix.js';
import { concatRows } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { disposeIfTensor, isTfTensor, shapeOf, toFactorsAsync, toMatrixAsync } from '../core/tensor.js';
import type { FactorBatch, GroundTruthDataset, Progress, RepresentationFunction, TensorLike } from '../core/types.js';
import { checkFactorSizes, checkFactorsWithinSizes } from '../core/validate.js';
import type { CodeSource } from './codeCache.js';
import { loadCodeTable } from './codeTable.js';

/** Each factor independent and uniform over its values (the default `sampleFactors`). */
export function sampleUniformFactors(factorSizes: readonly number[], n: number, rng: Rng): IntMatrix {
  const K = factorSizes.length;
  const data = new Int32Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) data[i * K + k] = rng.int(factorSizes[k]);
  return { data, rows: n, cols: K };
}

/** Copies row 0's value of column `k` into every row: "hold factor k fixed across the batch". Works on factor
 * indices and on continuous latents alike. Mutates and returns `block`. */
export function holdColumnFixed<M extends IntMatrix | Matrix>(block: M, k: number): M {
  const v = block.data[k];
  for (let i = 1, p = block.cols + k; i < block.rows; i++, p += block.cols) block.data[p] = v;
  return block;
}

/** Hands a factor block to a dataset in the public `FactorBatch` form. */
export function toFactorBatch(f: IntMatrix): FactorBatch {
  return { data: f.data, shape: [f.rows, f.cols] };
}

/** A dataset and a representation, checked once and ready to be sampled from. */
export interface SamplingContext<Obs = TensorLike> {
  dataset: GroundTruthDataset<Obs>;
  represent: RepresentationFunction<Obs>;
  factorSizes: number[];
  /** Width of the codes, learnt from the first batch and enforced afterwards. */
  codeDims?: number;
  /** Every callback await races it: a callback that never settles cannot hold a run past an abort. */
  signal?: AbortSignal;
  /** When set, codes are looked up by flat factor index and only missing rows are encoded (see `codeCache.ts`). */
  source?: CodeSource;
}

/** Validates `dataset` and `represent` and returns a context for the functions below. */
export function samplingContext<Obs>(
  dataset: GroundTruthDataset<Obs> | undefined,
  represent: RepresentationFunction<Obs> | undefined,
  signal?: AbortSignal,
  source?: CodeSource,
): SamplingContext<Obs> {
  if (!dataset || typeof dataset !== 'object') throw new DisentangleError('BAD_INPUT', 'dataset', 'expected a GroundTruthDataset');
  if (typeof dataset.observationsFromFactors !== 'function') {
    throw new DisentangleError('BAD_INPUT', 'dataset.observationsFromFactors', 'must be a function (factors, rng) => observations');
  }
  const factorSizes = checkFactorSizes(dataset.factorSizes, 'dataset.factorSizes');
  if (source) {
    if (source.factorSizes.length !== factorSizes.length || source.factorSizes.some((s, k) => s !== factorSizes[k])) {
      throw new DisentangleError('BAD_INPUT', 'codeTable', `was built for factorSizes [${source.factorSizes}], the dataset has [${factorSizes}]`);
    }
    // A complete table needs no model at all.
    if (represent === undefined && source.rowsHeld === source.size) return { dataset, represent: missingRepresent as RepresentationFunction<Obs>, factorSizes, signal, source };
  }
  if (typeof represent !== 'function') throw new DisentangleError('BAD_INPUT', 'represent', 'must be a function (observations) => codes');
  return { dataset, represent, factorSizes, signal, source };
}

function missingRepresent(): never {
  throw new DisentangleError('BAD_INPUT', 'represent', 'is missing and the code table lacks a row the sampler asked for');
}

/** How a sampling entry gets its codes besides `represent`: a complete table, or a run's shared cache. */
export interface CodeRouteOptions {
  /**
   * N×D codes of every factor combination in canonical order (flat index over `factorSizes`, C-order, as
   * `numpy.ravel_multi_index`), as a TensorLike or a `.npy` path (Node). Replaces `represent`: codes are looked
   * up, nothing is rendered or encoded. Make one with `encodeDataset`, or save it from PyTorch / JAX.
   */
  codeTable?: TensorLike | string;
  /** @internal A run's shared code cache (created by `evaluate()`); only for datasets with `deterministicObservations`. */
  codeSource?: CodeSource;
}

/** {@link samplingContext} for an entry's options, with the code-table route and a shared cache resolved. */
export async function openSamplingContext<Obs>(
  opts: { dataset?: GroundTruthDataset<Obs>; represent?: RepresentationFunction<Obs>; signal?: AbortSignal } & CodeRouteOptions,
): Promise<SamplingContext<Obs>> {
  if (opts.codeTable !== undefined && opts.represent !== undefined) {
    throw new DisentangleError('BAD_OPTION', 'codeTable', 'pass either represent or codeTable, not both');
  }
  if (opts.codeTable !== undefined) {
    const dataset = opts.dataset;
    if (!dataset || typeof dataset !== 'object') throw new DisentangleError('BAD_INPUT', 'dataset', 'expected a GroundTruthDataset');
    const source = await loadCodeTable(opts.codeTable, checkFactorSizes(dataset.factorSizes, 'dataset.factorSizes'), opts.signal);
    return samplingContext(dataset, undefined, opts.signal, source);
  }
  return samplingContext(opts.dataset, opts.represent, opts.signal, opts.codeSource);
}

/** Draws `n` factor rows from the dataset's own sampler or uniformly, and checks them against its sizes. */
export async function drawFactors<Obs>(ctx: SamplingContext<Obs>, n: number, rng: Rng): Promise<IntMatrix> {
  if (!ctx.dataset.sampleFactors) return sampleUniformFactors(ctx.factorSizes, n, rng);
  const raw = await raceAbort(ctx.dataset.sampleFactors(n, rng), ctx.signal, 'dataset.sampleFactors');
  let f: IntMatrix;
  const fb = raw as Partial<FactorBatch>;
  if (fb && fb.data instanceof Int32Array && Array.isArray(fb.shape)) {
    if (fb.shape.length !== 2 || fb.shape[0] * fb.shape[1] !== fb.data.length) {
      throw new DisentangleError('CALLBACK_RESULT', 'dataset.sampleFactors', `returned shape [${fb.shape}] with ${fb.data.length} values; expected [n, K] holding n·K values`);
    }
    f = { data: fb.data, rows: fb.shape[0], cols: fb.shape[1] };
  } else {
    try {
      f = await toFactorsAsync(raw as TensorLike, 'dataset.sampleFactors', '');
    } finally {
      disposeIfTensor(raw); // a tensor a callback returns is the library's to dispose
    }
  }
  checkCallbackRows(f.rows, n, 'dataset.sampleFactors');
  checkFactorsWithinSizes(f, ctx.factorSizes, 'dataset.sampleFactors');
  return f;
}

/** Raw codes of one batch, still in whatever form `represent` returned; call `release()` once reduced. */
export interface RawCodes {
  codes: TensorLike;
  rows: number;
  cols: number;
  release(): void;
}

/**
 * Renders `factors` and runs the representation, checking the count and width of the result. The codes stay
 * on their device (a tfjs tensor is not read), so callers can reduce them there.
 */
export async function representFactorsRaw<Obs>(ctx: SamplingContext<Obs>, factors: IntMatrix, rng: Rng): Promise<RawCodes> {
  throwIfAborted(ctx.signal); // a synchronous callback cannot be interrupted: do not start one after an abort
  const source = ctx.source;
  if (source) {
    const direct = { ...ctx, source: undefined, codeDims: source.codeDims || undefined };
    const got = await source.codes(factors, rng, (f, r) => representFactorsRaw(direct, f, r), ctx.signal);
    ctx.codeDims = source.codeDims;
    return { codes: got.codes, rows: factors.rows, cols: source.codeDims, release: got.release };
  }
  const obs = await raceAbort(ctx.dataset.observationsFromFactors(toFactorBatch(factors), rng), ctx.signal, 'dataset.observationsFromFactors');
  let codes: TensorLike;
  try {
    rejectDisposed(obs, 'dataset.observationsFromFactors');
    // On an abort the observations are disposed at once, even if `represent` still holds them: it is abandoned.
    codes = await raceAbort(ctx.represent(obs), ctx.signal, 'represent');
  } catch (e) {
    disposeIfTensor(obs);
    throw e;
  }
  const release = (): void => {
    disposeIfTensor(codes);
    if (obs !== (codes as unknown)) disposeIfTensor(obs);
  };
  try {
    if (codes == null) throw new DisentangleError('CALLBACK_RESULT', 'represent', `returned ${String(codes)}; it must return an n×D block of codes`);
    rejectDisposed(codes, 'represent');
    const shape = shapeOf(codes, 'represent', '');
    if (shape.length !== 2) throw new DisentangleError('CALLBACK_RESULT', 'represent', `returned shape [${shape}]; expected [${factors.rows}, D]`);
    checkCallbackRows(shape[0], factors.rows, 'represent');
    if (ctx.codeDims === undefined) {
      if (shape[1] < 1) throw new DisentangleError('CALLBACK_RESULT', 'represent', 'returned codes with 0 columns');
      ctx.codeDims = shape[1];
    } else if (shape[1] !== ctx.codeDims) {
      throw new DisentangleError('CALLBACK_RESULT', 'represent', `returned ${shape[1]} code dims, earlier batches had ${ctx.codeDims}`);
    }
    return { codes, rows: shape[0], cols: shape[1], release };
  } catch (e) {
    release();
    throw e;
  }
}

/**
 * Throws `CALLBACK_RESULT` naming `callback` when it returned a tfjs tensor that is already disposed (tfjs would
 * fail later with a bare TypeError, e.g. in an on-device reduction).
 */
export function rejectDisposed(value: unknown, callback: string): void {
  if (isTfTensor(value) && value.isDisposed) {
    throw new DisentangleError('CALLBACK_RESULT', callback, 'returned a tensor that has already been disposed; return a live tensor (the library disposes it)');
  }
}

/**
 * Renders and encodes `factors` and hands the codes, still in the form `represent` returned them (a tfjs tensor
 * stays on its device), to `use`, which reduces them; they are released afterwards whatever happens. A
 * non-finite code met while reducing is the representation's fault: `CALLBACK_RESULT` naming `represent`, not the
 * `NON_FINITE` of a bad argument. The fixed-factor metrics and `representFactors` read codes through here.
 *
 * @example
 * const variance = await withRawCodes(ctx, factors, rng, async (codes) => (await columnMoments(codes, 'represent', fn, 0)).variance);
 */
export async function withRawCodes<Obs, R>(ctx: SamplingContext<Obs>, factors: IntMatrix, rng: Rng, use: (codes: TensorLike, raw: RawCodes) => R | Promise<R>): Promise<R> {
  const raw = await representFactorsRaw(ctx, factors, rng);
  try {
    return await use(raw.codes, raw);
  } catch (e) {
    if (e instanceof DisentangleError && e.code === 'NON_FINITE') {
      throw new DisentangleError('CALLBACK_RESULT', 'represent', `returned a non-finite code (${e.message})`);
    }
    throw e;
  } finally {
    raw.release();
  }
}

/** Renders `factors`, runs the representation and reads the codes as float64 (n×D), checking finiteness. */
export function representFactors<Obs>(ctx: SamplingContext<Obs>, factors: IntMatrix, rng: Rng): Promise<Matrix> {
  return withRawCodes(ctx, factors, rng, (codes) => toMatrixAsync(codes, 'represent', '', { rows: factors.rows }));
}

/** Options of {@link sampleCodesAndFactors}. */
export interface SampleCodesOptions {
  numPoints: number;
  batchSize: number;
  rng: Rng;
  stage?: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * Draws `numPoints` factor rows in batches, renders them and encodes them: disentanglement_lib's
 * `generate_batch_factor_code`. Only one batch of observations is alive at a time; the result holds the
 * n×D codes and n×K factors.
 */
export async function sampleCodesAndFactors<Obs>(
  ctx: SamplingContext<Obs>,
  opts: SampleCodesOptions,
): Promise<{ codes: Matrix; factors: IntMatrix }> {
  ctx.signal ??= opts.signal; // the callbacks race the signal this loop stops on
  const codeParts: Matrix[] = [];
  const factorParts: IntMatrix[] = [];
  if (ctx.source) {
    await sampleThroughSource(ctx, ctx.source.encodeBatchSize, opts, codeParts, factorParts);
    return { codes: concatRows(codeParts), factors: concatRows(factorParts) };
  }
  await forEachBatch(
    { total: opts.numPoints, batchSize: opts.batchSize, stage: opts.stage ?? 'sampling', onProgress: opts.onProgress, signal: opts.signal },
    async (_start, size) => {
      const f = await drawFactors(ctx, size, opts.rng);
      throwIfAborted(opts.signal);
      codeParts.push(await representFactors(ctx, f, opts.rng));
      factorParts.push(f);
    },
  );
  return { codes: concatRows(codeParts), factors: concatRows(factorParts) };
}

/**
 * With a code table: the factor batches are drawn exactly as without one (same sizes, same rng order; a
 * deterministic dataset's rendering draws nothing), but looked up a group at a time, so the rows the table lacks
 * reach `represent` up to `encodeBatchSize` at a time whatever the statistical batch.
 */
async function sampleThroughSource<Obs>(
  ctx: SamplingContext<Obs>,
  groupRows: number,
  opts: SampleCodesOptions,
  codeParts: Matrix[],
  factorParts: IntMatrix[],
): Promise<void> {
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new DisentangleError('BAD_OPTION', 'batchSize', `expected a positive integer, got ${opts.batchSize}`);
  const stage = opts.stage ?? 'sampling';
  const total = opts.numPoints;
  throwIfAborted(opts.signal);
  opts.onProgress?.({ stage, done: 0, total });
  const yielder = createYielder(opts.signal);
  for (let start = 0; start < total; ) {
    const group: IntMatrix[] = [];
    let rows = 0;
    while (start + rows < total && (rows === 0 || rows + opts.batchSize <= Math.max(groupRows, opts.batchSize))) {
      const f = await drawFactors(ctx, Math.min(opts.batchSize, total - start - rows), opts.rng);
      group.push(f);
      rows += f.rows;
      await yielder.maybeYield();
    }
    const factors = group.length === 1 ? group[0] : concatRows(group);
    codeParts.push(await representFactors(ctx, factors, opts.rng));
    factorParts.push(factors);
    start += rows;
    throwIfAborted(opts.signal);
    opts.onProgress?.({ stage, done: start, total });
    await yielder.maybeYield();
  }
}
