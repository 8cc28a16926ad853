/**
 * Encodes a whole dataset once, in canonical order (flat index over `factorSizes`, C-order, as
 * `numpy.ravel_multi_index`): the table a PyTorch or JAX user would save as `codes.npy`.
 */
import { createYielder, raceAbort } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { unflatIndex } from '../core/matrix.js';
import { createRng } from '../core/rng.js';
import { readBlock } from '../core/tensor.js';
import type { GroundTruthDataset, Progress, RepresentationFunction, TensorLike } from '../core/types.js';
import { checkOptions, intOption } from '../core/validate.js';
import { datasetSize } from './codeCache.js';
import { representFactorsRaw, samplingContext } from './sampling.js';

/** Options of {@link encodeDataset}. */
export interface EncodeDatasetOptions<Obs = TensorLike> {
  represent: RepresentationFunction<Obs>;
  dataset: GroundTruthDataset<Obs>;
  /** Rows per `represent` call (default 256). */
  batchSize?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** Largest table `encodeDataset` builds: 2^28 float32 values are 1 GiB. */
const MAX_TABLE_VALUES = 2 ** 28;

/**
 * Encodes every factor combination of `dataset` once, in canonical order (row r = the combination whose
 * C-order flat index over `factorSizes` is r), and returns the N×D float32 table. Pass it (or a `.npy` of it)
 * as `codeTable` to any dataset-based metric or to `evaluate`.
 *
 * @example
 * const { codes, shape } = await encodeDataset({ represent: encoder, dataset: dsprites() });
 * const mig = await computeMig({ dataset: dsprites(), codeTable: { data: codes, shape } });
 */
export async function encodeDataset<Obs = TensorLike>(options: EncodeDatasetOptions<Obs>): Promise<{ codes: Float32Array; shape: [number, number] }> {
  checkOptions(options, 'encodeDataset', Object.keys({ represent: 0, dataset: 0, batchSize: 0, onProgress: 0, signal: 0 } satisfies Record<keyof EncodeDatasetOptions, 0>));
  const ctx = samplingContext(options.dataset, options.represent, options.signal);
  const N = datasetSize(ctx.factorSizes);
  if (N === undefined) throw new DisentangleError('UNSUPPORTED', 'dataset.factorSizes', 'has more combinations than a table can hold');
  const batchSize = intOption(options.batchSize, 'batchSize', 256);
  const K = ctx.factorSizes.length;
  const rng = createRng(0); // handed to observationsFromFactors; a deterministic dataset draws nothing from it
  const yielder = createYielder(options.signal);
  throwIfAborted(options.signal);
  options.onProgress?.({ stage: 'encode', done: 0, total: N });
  let codes: Float32Array | undefined;
  let D = 0;
  for (let start = 0; start < N; start += batchSize) {
    const n = Math.min(batchSize, N - start);
    const data = new Int32Array(n * K);
    for (let i = 0; i < n; i++) unflatIndex(ctx.factorSizes, start + i, data, i * K);
    const raw = await representFactorsRaw(ctx, { data, rows: n, cols: K }, rng);
    try {
      if (!codes) {
        D = raw.cols;
        if (N * D > MAX_TABLE_VALUES) throw new DisentangleError('UNSUPPORTED', 'dataset', `a table of ${N}×${D} codes exceeds ${MAX_TABLE_VALUES} values`);
        codes = new Float32Array(N * D);
      }
      const block = await raceAbort(readBlock(raw.codes, 'represent'), options.signal, 'represent');
      for (let j = 0; j < block.data.length; j++) {
        const v = block.data[j];
        if (!Number.isFinite(v)) throw new DisentangleError('CALLBACK_RESULT', 'represent', `returned a non-finite code (row ${start + Math.floor(j / D)}, column ${j % D} is ${v})`);
        codes[start * D + j] = v;
      }
    } finally {
      raw.release();
    }
    options.onProgress?.({ stage: 'encode', done: start + n, total: N });
    await yielder.maybeYield();
  }
  return { codes: codes as Float32Array, shape: [N, D] };
}
