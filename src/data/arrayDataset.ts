import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { flatIndex, type IntMatrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { isTfTensor, readBlockSync, readFactorBatch, toFactors } from '../core/tensor.js';
import type { FactorBatch, GroundTruthDataset, TensorLike } from '../core/types.js';
import { checkFactorSizes, checkFactorsWithinSizes, enumOption, checkOptions } from '../core/validate.js';

const FN = 'arrayDataset';

/** Arguments of {@link arrayDataset}. */
export interface ArrayDatasetOptions {
  /** n×K integer factor indices, one row per observation. */
  factors: TensorLike;
  /** n×… observations (images, vectors); row i goes with factor row i. A tfjs tensor stays on its backend. */
  observations: TensorLike;
  /** K cardinalities; default max + 1 of each factor column. */
  factorSizes?: readonly number[];
  factorNames?: readonly string[];
  /**
   * How `sampleFactors` draws: `'uniform'` (default, as disentanglement_lib: each factor independent and uniform,
   * which needs every combination to be present) or `'rows'` (factor rows of random observations, for data that
   * holds only some combinations).
   */
  sampling?: 'uniform' | 'rows';
}

/** A dataset over arrays you already hold; observations come back in the form they were given. */
export interface ArrayDataset extends GroundTruthDataset<TensorLike> {
  readonly factorSizes: readonly number[];
  readonly factorNames?: readonly string[];
  readonly observationShape: readonly number[];
  /** Number of observations held. */
  readonly numObservations: number;
  /** Number of distinct factor combinations present. */
  readonly numCombinations: number;
  /** True when no two rows share a factor tuple (then `observationsFromFactors` draws nothing from its rng). */
  readonly deterministicObservations: boolean;
  /** Observations of the given factor tuples, synchronously, in the form the data was given. */
  observationsFromFactors(factors: FactorBatch, rng: Rng): TensorLike;
  /** The row (0-based) of an observation with each factor tuple; random among rows that share a tuple. */
  rowsFromFactors(factors: FactorBatch | IntMatrix, rng: Rng): Int32Array;
}

type Key = number | string;

/** Groups rows by factor tuple: a mixed-radix number when it fits a double exactly, else the joined tuple. */
function tupleKeyFn(sizes: readonly number[]): (d: Int32Array, p: number) => Key {
  const K = sizes.length;
  const combos = sizes.reduce((a, b) => a * b, 1);
  if (combos <= Number.MAX_SAFE_INTEGER) {
    return (d, p) => flatIndex(sizes, d, p);
  }
  return (d, p) => Array.from(d.subarray(p, p + K)).join(',');
}

/**
 * A `GroundTruthDataset` over arrays you already hold (for instance a labelled dataset exported from Python):
 * `observationsFromFactors` finds, for each requested factor tuple, a row with exactly those factors (one drawn
 * with the rng when several rows share it) and returns those observations — a tfjs tensor in gives a tensor out
 * (`tf.gather` on its backend; the dataset never disposes your tensor), anything else gives `{ data, shape }`.
 * A tuple that is absent throws `BAD_INPUT` naming `factors`.
 *
 * The arrays are read once, synchronously: a tensor that only offers an async `data()` (some ONNX Runtime
 * backends) must be read first (`await readBlock(x)`) and passed as `{ data, shape }`.
 *
 * @example
 * const data = arrayDataset({ factors: labels, observations: images });   // labels n×K, images n×64×64×1
 * const result = await computeMig({ dataset: data, represent: encoder });
 */
export function arrayDataset(options: ArrayDatasetOptions): ArrayDataset {
  checkOptions(
    options,
    `${FN} ({ factors, observations })`,
    Object.keys({ factors: 0, observations: 0, factorSizes: 0, factorNames: 0, sampling: 0 } satisfies Record<keyof ArrayDatasetOptions, 0>),
  );
  if (options.factors === undefined) throw new DisentangleError('BAD_INPUT', 'factors', 'is missing');
  if (options.observations === undefined) throw new DisentangleError('BAD_INPUT', 'observations', 'is missing');
  const sampling = enumOption(options.sampling, 'sampling', ['uniform', 'rows'] as const, 'uniform');
  const factors = toFactors(options.factors, 'factors', FN);
  const obsTensor = isTfTensor(options.observations) ? options.observations : undefined;
  const obsBlock = obsTensor ? undefined : readBlockSync(options.observations, 'observations', FN);
  const obsShape = obsTensor ? [...obsTensor.shape] : (obsBlock as { shape: number[] }).shape;
  if (obsShape.length < 1 || obsShape[0] !== factors.rows) {
    throw new DisentangleError('SHAPE_MISMATCH', `observations (in ${FN})`, `has ${obsShape[0]} rows, factors has ${factors.rows}; each observation needs its factor row`);
  }
  const K = factors.cols;
  let sizes: number[];
  if (options.factorSizes === undefined) {
    sizes = new Array<number>(K).fill(0);
    for (let i = 0; i < factors.data.length; i++) sizes[i % K] = Math.max(sizes[i % K], factors.data[i] + 1);
  } else {
    sizes = checkFactorSizes(options.factorSizes, 'factorSizes');
    checkFactorsWithinSizes(factors, sizes, 'factors');
  }
  if (options.factorNames !== undefined && (!Array.isArray(options.factorNames) || options.factorNames.length !== K)) {
    throw new DisentangleError('BAD_OPTION', 'factorNames', `expected ${K} names, one per factor column`);
  }
  const keyOf = tupleKeyFn(sizes);
  const rowsByKey = new Map<Key, number[]>();
  for (let i = 0; i < factors.rows; i++) {
    const key = keyOf(factors.data, i * K);
    const list = rowsByKey.get(key);
    if (list) list.push(i);
    else rowsByKey.set(key, [i]);
  }
  const combos = sizes.reduce((a, b) => a * b, 1);

  const rowsFromFactors = (batch: FactorBatch | IntMatrix, rng: Rng): Int32Array => {
    const f = readFactorBatch(batch, sizes, 'factors', options.factorNames);
    const rows = new Int32Array(f.rows);
    for (let i = 0; i < f.rows; i++) {
      const list = rowsByKey.get(keyOf(f.data, i * K));
      if (!list) {
        const tuple = Array.from(f.data.subarray(i * K, (i + 1) * K));
        throw new DisentangleError(
          'BAD_INPUT',
          'factors',
          `no observation has the factors [${tuple}] (row ${i}); the data holds ${rowsByKey.size} of the ${combos} combinations. ` +
            "Supply data covering every combination, or create the dataset with sampling: 'rows' so that only present combinations are drawn",
        );
      }
      rows[i] = list.length === 1 ? list[0] : list[rng.int(list.length)];
    }
    return rows;
  };

  const rowSize = obsShape.slice(1).reduce((a, b) => a * b, 1);
  const dataset: ArrayDataset = {
    factorSizes: Object.freeze(sizes),
    factorNames: options.factorNames ? Object.freeze([...options.factorNames]) : undefined,
    observationShape: Object.freeze(obsShape.slice(1)),
    numObservations: factors.rows,
    numCombinations: rowsByKey.size,
    // One observation per factor row: the rng is never drawn from, and a row's observation never changes.
    deterministicObservations: rowsByKey.size === factors.rows,
    rowsFromFactors,
    observationsFromFactors(batch: FactorBatch, rng: Rng): TensorLike {
      const rows = rowsFromFactors(batch, rng);
      if (obsTensor) {
        if (obsTensor.isDisposed) throw new DisentangleError('BAD_INPUT', 'observations', 'the tensor given to arrayDataset has been disposed');
        return tf.tidy(() => tf.gather(obsTensor, tf.tensor1d(rows, 'int32')));
      }
      const src = (obsBlock as { data: ArrayLike<number> }).data;
      const Ctor = src instanceof Float32Array || src instanceof Int32Array || src instanceof Uint8Array ? src.constructor : Float64Array;
      const out = new (Ctor as Float64ArrayConstructor)(rows.length * rowSize);
      for (let i = 0; i < rows.length; i++) {
        const start = rows[i] * rowSize;
        if (ArrayBuffer.isView(src)) out.set((src as Float64Array).subarray(start, start + rowSize), i * rowSize);
        else for (let j = 0; j < rowSize; j++) out[i * rowSize + j] = src[start + j];
      }
      return { data: out, shape: [rows.length, ...obsShape.slice(1)] };
    },
  };
  if (sampling === 'rows') {
    dataset.sampleFactors = (n: number, rng: Rng): FactorBatch => {
      const data = new Int32Array(n * K);
      for (let i = 0; i < n; i++) {
        const r = rng.int(factors.rows);
        data.set(factors.data.subarray(r * K, (r + 1) * K), i * K);
      }
      return { data, shape: [n, K] };
    };
  }
  return dataset;
}
