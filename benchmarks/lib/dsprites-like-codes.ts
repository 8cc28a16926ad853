/**
 * The codes-and-factors split that benchmarks/dci.ts and benchmarks/sap-explicitness.ts time: factor sizes
 * [3, 6, 40, 32, 32] (dSprites) and 10 codes like a decent encoder's, 5 noisy, slightly mixed factor codes and
 * 5 near-dead ones. Seeded, so every run times the same matrix.
 */
import { createRng } from '../../src/core/rng.js';

export const FACTOR_SIZES = [3, 6, 40, 32, 32];
export const NUM_CODES = 10;

export function dspritesLikeSplit(n: number, seed: number): { codes: { data: Float64Array; shape: [number, number] }; factors: { data: Int32Array; shape: [number, number] } } {
  const sizes = FACTOR_SIZES;
  const rng = createRng(seed);
  const factors = new Int32Array(n * sizes.length);
  const codes = new Float64Array(n * NUM_CODES);
  for (let i = 0; i < n; i++) {
    const scaled = sizes.map((s, k) => {
      const v = rng.int(s);
      factors[i * sizes.length + k] = v;
      return v / (s - 1);
    });
    for (let d = 0; d < NUM_CODES; d++) {
      const main = d < sizes.length ? scaled[d] : 0;
      const leak = d < sizes.length ? 0.1 * scaled[(d + 1) % sizes.length] : 0;
      codes[i * NUM_CODES + d] = main + leak + (d < sizes.length ? 0.05 : 0.5) * rng.normal();
    }
  }
  return { codes: { data: codes, shape: [n, NUM_CODES] }, factors: { data: factors, shape: [n, sizes.length] } };
}
