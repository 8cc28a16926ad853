import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import type { IntMatrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import type { FactorBatch, ImageDataset } from '../core/types.js';
import { enumOption, checkOptions } from '../core/validate.js';
import { DSPRITES_FACTOR_NAMES, DSPRITES_FACTOR_SIZES, DSPRITES_FACTOR_VALUES, DSPRITES_IMAGE_SIZE, readDspritesFactors, renderDspritesBatch } from './dspritesRenderer.js';
import { requireBackend } from '../core/backend.js';
import { composeVariant, DSPRITES_VARIANTS, type DspritesVariant } from './dspritesVariants.js';
import { prepareScreamImage, type ScreamBackground, type ScreamImage } from './screamImage.js';

/** Options of {@link dsprites}. */
export interface DspritesOptions {
  /** Only `'procedural'` (default): images are drawn on demand, nothing is downloaded. */
  renderer?: 'procedural';
  /**
   * Accepted for symmetry with datasets that draw randomness; the procedural renderer is deterministic, so the
   * same factors always give the same image whatever the seed. (The variants draw their colours, noise and
   * patches from the `rng` handed to `observationsFromFactors`, not from this seed.)
   */
  seed?: number;
  /**
   * `'binary'` (default): the plain 64×64×1 images of 0/1. disentanglement_lib's variants, 64×64×3 with random
   * draws per image: `'color'` (the sprite in a random colour, each channel uniform on [0.5, 1)), `'noisy'`
   * (background uniform noise per pixel and channel, sprite white), `'scream'` (a random 64×64 patch of
   * `screamImage` averaged with a random colour, the sprite's pixels inverted). Their observations are not a
   * function of the factors, so they declare `deterministicObservations: false` (`evaluate()` keeps no code table).
   */
  variant?: DspritesVariant;
  /** The background picture of `variant: 'scream'` (required there, refused elsewhere): see {@link ScreamImage}. */
  screamImage?: ScreamImage;
}

/** A dSprites dataset: an `ImageDataset` plus a backend-free renderer. */
export interface DspritesDataset extends ImageDataset {
  /** Which images: `'binary'`, `'color'`, `'noisy'` or `'scream'`. */
  readonly variant: DspritesVariant;
  /** True for `'binary'` only: the variants draw random colours / noise / patches for every image. */
  readonly deterministicObservations: boolean;
  /** `factorValues[k][i]`: the real value of class i of factor k (shape 1..3, scale, orientation in radians, position). */
  readonly factorValues: readonly (readonly number[])[];
  /**
   * Images of the given factor indices: a float32 tensor [n, 64, 64, c] on the current backend (caller
   * disposes): 0/1 with c = 1 for `'binary'`, values in [0, 1] with c = 3 for the variants, which need `rng`.
   */
  observationsFromFactors(factors: FactorBatch, rng?: Rng): tf.Tensor4D;
  /** Renders the binary sprite masks of factor indices into a caller-owned buffer (n·64·64 values of 0/1) without touching tfjs. */
  renderInto<T extends Uint8Array | Float32Array>(factors: FactorBatch | IntMatrix, out?: T): T;
  /**
   * What `observationsFromFactors` returns, without tfjs: n·64·64·c float32 values (channels last), drawing
   * from `rng` for the variants. `out`, when given, must hold exactly n·64·64·c values.
   */
  renderObservations(factors: FactorBatch | IntMatrix, rng?: Rng, out?: Float32Array): Float32Array;
}

/**
 * Procedural dSprites (Matthey et al. 2017, "dSprites: Disentanglement testing Sprites dataset"): 64×64×1 binary
 * images of a square, an ellipse or a heart, with the real set's factor layout — shape 3, scale 6 values in
 * [0.5, 1], orientation 40 values in [0, 2π], posX / posY 32 values in [0, 1] — and its measured geometry
 * (sprite size and the pixel range the positions span). Images are rendered on demand (70,000–90,000 images per
 * CPU-second, see benchmarks/dsprites-render.ts), so no download is needed; `loadDsprites` gives the same dataset over the real file.
 *
 * `observationsFromFactors` returns a float32 tensor [n, 64, 64, 1] of 0/1 on the current tfjs backend; the
 * caller (or the library's sampler) disposes it.
 *
 * `variant: 'color' | 'noisy' | 'scream'` gives disentanglement_lib's colour, noisy and scream dSprites
 * (Locatello et al. 2019), [n, 64, 64, 3], drawing each image's colour, noise or background patch from the `rng`
 * passed to `observationsFromFactors` (same seed, same images); `'scream'` needs `screamImage`.
 *
 * @example
 * const data = dsprites();
 * const images = data.observationsFromFactors({ data: Int32Array.of(0, 5, 0, 16, 16), shape: [1, 5] }, createRng(0));
 * images.shape; // [1, 64, 64, 1]
 * images.dispose();
 * const colour = dsprites({ variant: 'color' }); // colour.observationShape: [64, 64, 3]
 */
export function dsprites(options: DspritesOptions = {}): DspritesDataset {
  checkOptions(options, 'dsprites', Object.keys({ renderer: 0, seed: 0, variant: 0, screamImage: 0 } satisfies Record<keyof DspritesOptions, 0>));
  enumOption(options.renderer, 'renderer', ['procedural'] as const, 'procedural');
  if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isFinite(options.seed))) {
    throw new DisentangleError('BAD_OPTION', 'seed', `expected a finite number, got ${String(options.seed)}`);
  }
  const variant = enumOption(options.variant, 'variant', DSPRITES_VARIANTS, 'binary');
  let background: ScreamBackground | undefined;
  if (variant === 'scream') {
    if (options.screamImage === undefined) {
      throw new DisentangleError('BAD_OPTION', 'screamImage', "variant 'scream' needs the background picture (PNG bytes or pixels { data, shape: [h, w, 3] }); nothing is downloaded");
    }
    background = prepareScreamImage(options.screamImage);
  } else if (options.screamImage !== undefined) {
    throw new DisentangleError('BAD_OPTION', 'screamImage', `only variant 'scream' takes a background picture (variant is '${variant}')`);
  }
  const S = DSPRITES_IMAGE_SIZE;
  const channels = variant === 'binary' ? 1 : 3;
  const renderObservations = (factors: FactorBatch | IntMatrix, rng?: Rng, out?: Float32Array): Float32Array => {
    const f = readDspritesFactors(factors);
    if (variant === 'binary') return renderDspritesBatch(f, out ?? new Float32Array(f.rows * S * S));
    if (!rng || typeof rng.float !== 'function') {
      throw new DisentangleError('BAD_INPUT', 'rng', `variant '${variant}' draws random numbers for every image: pass an Rng (createRng(seed))`);
    }
    return composeVariant(variant, renderDspritesBatch(f), f.rows, rng, background, out);
  };
  return {
    factorSizes: DSPRITES_FACTOR_SIZES,
    factorNames: DSPRITES_FACTOR_NAMES,
    observationShape: Object.freeze([S, S, channels]),
    factorValues: DSPRITES_FACTOR_VALUES,
    variant,
    deterministicObservations: variant === 'binary',
    observationsFromFactors(factors: FactorBatch, rng?: Rng): tf.Tensor4D {
      const f = readDspritesFactors(factors);
      requireBackend('observationsFromFactors');
      const pixels = renderObservations(f, rng);
      return tf.tensor4d(pixels, [f.rows, S, S, channels], 'float32');
    },
    renderInto<T extends Uint8Array | Float32Array>(factors: FactorBatch | IntMatrix, out?: T): T {
      return renderDspritesBatch(factors, out);
    },
    renderObservations,
  };
}
