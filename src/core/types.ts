import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import type { Rng } from './rng.js';

/**
 * Anything that holds an n×d (or n×h×w×c) block of numbers. The adapter in `core/tensor.ts` is the only code
 * that looks at which form it is.
 */
export type TensorLike =
  | Tensor
  | number[][]
  | { data: ArrayLike<number>; shape: readonly number[] }
  | { data: ArrayLike<number>; dims: readonly number[] }
  | { shape: readonly number[]; data(): Promise<ArrayLike<number>> };

/** A batch of factor value indices as the library hands it to a dataset: n rows of K integers, row-major. */
export interface FactorBatch {
  data: Int32Array;
  shape: readonly [number, number];
}

/** A dataset with known, discrete generative factors (dSprites, or your own). */
export interface GroundTruthDataset<Obs = TensorLike> {
  /** K discrete cardinalities. */
  factorSizes: readonly number[];
  factorNames?: readonly string[];
  observationShape?: readonly number[];
  /**
   * True when an observation is a function of its factor row alone (procedural and real dSprites, an
   * `arrayDataset` with one observation per factor row): `observationsFromFactors` draws nothing from its rng,
   * so codes can be kept by flat factor index and each distinct observation encoded once (`evaluate`'s cache).
   */
  deterministicObservations?: boolean;
  /** Optional: default is each factor independent and uniform, drawn from `rng`. */
  sampleFactors?(n: number, rng: Rng): FactorBatch | TensorLike | Promise<FactorBatch | TensorLike>;
  observationsFromFactors(factors: FactorBatch, rng: Rng): Obs | Promise<Obs>;
}

/**
 * An image dataset the library renders or loads (dSprites and its variants, Shapes3D, MPI3D, SmallNORB, Cars3D):
 * a {@link GroundTruthDataset} of n×64×64×c float32 tensors whose factor names and observation shape are always given.
 */
export interface ImageDataset extends GroundTruthDataset<Tensor4D> {
  readonly factorSizes: readonly number[];
  readonly factorNames: readonly string[];
  readonly observationShape: readonly number[];
}

/** Maps a batch of observations to an n×D block of codes. */
export type RepresentationFunction<Obs = TensorLike> = (observations: Obs) => TensorLike | Promise<TensorLike>;

/** A generative model seen from outside: a prior, a generator, and its own inference network. */
export interface GenerativeModel<Obs = TensorLike> {
  /** Width of z passed to `generate`. */
  latentDims: number;
  /** The first `codeDims` of z are the codes (default `latentDims`). */
  codeDims?: number;
  sampleLatents(n: number, rng: Rng): TensorLike | Promise<TensorLike>;
  generate(latents: TensorLike): Obs | Promise<Obs>;
  /** InfoGAN's Q head, a VAE's encoder. */
  represent: RepresentationFunction<Obs>;
}

/**
 * The generating half of a {@link GenerativeModel}: a prior and a generator, no encoder. What the metrics that
 * only look at generated images take (sample quality, variation predictability), so any `GenerativeModel` —
 * whatever its observation type — can be passed as it is.
 */
export type Generator<Obs = TensorLike> = Pick<GenerativeModel<Obs>, 'latentDims' | 'codeDims' | 'sampleLatents' | 'generate'>;

/** Precomputed codes and factors (rows are samples). */
export interface LabelledCodes {
  codes: TensorLike;
  factors: TensorLike;
}

/** Progress report of a long computation. */
export interface Progress {
  stage: string;
  done: number;
  total: number;
}

/** Options every long computation takes. */
export interface RunOptions {
  /** Default 0; same seed, same number. */
  seed?: number;
  batchSize?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** Which reference a metric follows where the two differ: disentanglement_lib (default) or the InfoGAN-CR repository. */
export type Preset = 'disentanglement_lib' | 'infogan-cr';

/** An encoder's Gaussian posterior q(z | x) for a batch: n×D means and, when the model has them, n×D log-variances. */
export interface Posterior {
  mean: TensorLike;
  logVar?: TensorLike;
}

/**
 * A model's posterior as a callback, the one shape for "encoder with a variance": UDR's models, AAM's
 * sampled-entropy mode (which needs `logVar`) and `onnxModel(…).posterior` all use it.
 */
export type PosteriorFunction<Obs = TensorLike> = (observations: Obs) => Posterior | Promise<Posterior>;
