/**
 * InfoGAN-CR's latent draws: the uniform prior and the contrastive pairs for the CR discriminator. The losses
 * the trainer combines are in losses.ts.
 */
import type { Rng } from '../core/rng.js';

/** n rows of U(−1, 1) latents, row-major (InfoGAN-CR's prior for codes and noise alike). */
export function sampleUniformLatents(n: number, dims: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * dims);
  for (let i = 0; i < out.length; i++) out[i] = 2 * rng.float() - 1;
  return out;
}

/**
 * Contrastive pairs for the CR discriminator: per row a code ι ~ U{0..codeDims−1}; c_ι is identical in both
 * latents; every other code is drawn independently for each (with gap α > 0 they are drawn in [−1+α/2, 1−α/2]
 * and pushed apart by α/2 each, so |c′ − c″| ≥ α); the noise dims are shared.
 */
export function sampleContrastivePairs(
  n: number,
  codeDims: number,
  noiseDims: number,
  rng: Rng,
  gap = 0,
): { z1: Float32Array; z2: Float32Array; labels: Int32Array } {
  const L = codeDims + noiseDims;
  const z1 = new Float32Array(n * L);
  const z2 = new Float32Array(n * L);
  const labels = new Int32Array(n);
  const half = gap / 2;
  for (let i = 0; i < n; i++) {
    const iota = rng.int(codeDims);
    labels[i] = iota;
    for (let k = 0; k < codeDims; k++) {
      const p = i * L + k;
      if (k === iota) {
        z1[p] = z2[p] = 2 * rng.float() - 1;
      } else if (gap > 0) {
        let a = -1 + half + (2 - gap) * rng.float();
        let b = -1 + half + (2 - gap) * rng.float();
        if (a < b) [a, b] = [a - half, b + half];
        else [a, b] = [a + half, b - half];
        z1[p] = a;
        z2[p] = b;
      } else {
        z1[p] = 2 * rng.float() - 1;
        z2[p] = 2 * rng.float() - 1;
      }
    }
    for (let k = codeDims; k < L; k++) z1[i * L + k] = z2[i * L + k] = 2 * rng.float() - 1;
  }
  return { z1, z2, labels };
}
