import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import type { IntMatrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import type { FactorBatch, GroundTruthDataset } from '../core/types.js';
import { enumOption, checkOptions } from '../core/validate.js';
import { DSPRITES_FACTOR_NAMES, DSPRITES_FACTOR_SIZES, DSPRITES_FACTOR_VALUES, DSPRITES_IMAGE_SIZE, readDspritesFactors, renderDspritesBatch } from './dspritesRenderer.js';
import { requireBackend } from '../core/backend.js';

/** Options of {@link dsprites}. */
export interface DspritesOptions {
  /** Only `'procedural'` (default): images are drawn on demand, nothing is downloaded. */
  renderer?: 'procedural';
  /**
   * Accepted for symmetry with datasets that draw randomness; the procedural renderer is deterministic, so the
   * same factors always give the same image whatever the seed.
   */
  seed?: number;
}

/** A dSprites dataset: a `GroundTruthDataset` plus a backend-free renderer. */
export interface DspritesDataset extends GroundTruthDataset<tf.Tensor4D> {
  readonly factorSizes: readonly number[];
  readonly factorNames: readonly string[];
  readonly observationShape: readonly number[];
  /** `factorValues[k][i]`: the real value of class i of factor k (shape 1..3, scale, orientation in radians, position). */
  readonly factorValues: readonly (readonly number[])[];
  /** Images of the given factor indices: a float32 tensor [n, h, w, 1] of 0/1 on the current backend (caller disposes). */
  observationsFromFactors(factors: FactorBatch, rng?: Rng): tf.Tensor4D;
  /** Renders factor indices into a caller-owned buffer (n·64·64 values of 0/1) without touching tfjs. */
  renderInto<T extends Uint8Array | Float32Array>(factors: FactorBatch | IntMatrix, out?: T): T;
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
 * @example
 * const data = dsprites();
 * const images = data.observationsFromFactors({ data: Int32Array.of(0, 5, 0, 16, 16), shape: [1, 5] }, createRng(0));
 * images.shape; // [1, 64, 64, 1]
 * images.dispose();
 */
export function dsprites(options: DspritesOptions = {}): DspritesDataset {
  checkOptions(options, 'dsprites', Object.keys({ renderer: 0, seed: 0 } satisfies Record<keyof DspritesOptions, 0>));
  enumOption(options.renderer, 'renderer', ['procedural'] as const, 'procedural');
  if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isFinite(options.seed))) {
    throw new DisentangleError('BAD_OPTION', 'seed', `expected a finite number, got ${String(options.seed)}`);
  }
  const S = DSPRITES_IMAGE_SIZE;
  return {
    factorSizes: DSPRITES_FACTOR_SIZES,
    factorNames: DSPRITES_FACTOR_NAMES,
    observationShape: Object.freeze([S, S, 1]),
    factorValues: DSPRITES_FACTOR_VALUES,
    deterministicObservations: true,
    observationsFromFactors(factors: FactorBatch): tf.Tensor4D {
      const f = readDspritesFactors(factors);
      requireBackend('observationsFromFactors');
      const pixels = renderDspritesBatch(f, new Float32Array(f.rows * S * S));
      return tf.tensor4d(pixels, [f.rows, S, S, 1], 'float32');
    },
    renderInto<T extends Uint8Array | Float32Array>(factors: FactorBatch | IntMatrix, out?: T): T {
      return renderDspritesBatch(factors, out);
    },
  };
}
