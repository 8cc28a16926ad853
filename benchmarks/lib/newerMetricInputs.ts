/**
 * Inputs of the benchmark rows that are not a codes/factors split: the KSG estimator's feature and labels, and
 * the flatness traversals of a fixed nonlinear encoder over dSprites' factor grid (the observation is the factor
 * row itself, so the time is the metric's, not an image encoder's).
 */
import { createRng } from '../../src/core/rng.js';
import type { FactorBatch, GroundTruthDataset, TensorLike } from '../../src/core/types.js';
import { computeFlatness } from '../../src/metrics/flatness.js';
import { FACTOR_SIZES, NUM_CODES } from './dsprites-like-codes.js';

/** n values x = y + N(0, 1) with y uniform over 10 classes. */
export function ksgInput(n: number, seed: number): { x: Float64Array; y: Int32Array } {
  const rng = createRng(seed);
  const y = Int32Array.from({ length: n }, () => rng.int(10));
  const x = Float64Array.from(y, (v) => v + rng.normal());
  return { x, y };
}

const K = FACTOR_SIZES.length;

const factorRows: GroundTruthDataset<TensorLike> = {
  factorSizes: FACTOR_SIZES,
  observationsFromFactors: (f: FactorBatch) => ({ data: Float64Array.from(f.data), shape: [f.shape[0], K] }),
};

/** Codes of factor rows: a saturating map of each factor, a 5% leak of the next, and curved nuisance dims. */
function encode(obs: TensorLike): TensorLike {
  const { data, shape } = obs as { data: Float64Array; shape: number[] };
  const n = shape[0];
  const out = new Float64Array(n * NUM_CODES);
  for (let i = 0; i < n; i++) {
    const u = Array.from({ length: K }, (_, k) => data[i * K + k] / (FACTOR_SIZES[k] - 1));
    for (let d = 0; d < NUM_CODES; d++) {
      out[i * NUM_CODES + d] = d < K ? Math.tanh(2.5 * (u[d] - 0.5)) + 0.05 * u[(d + 1) % K] : 0.3 * Math.sin(3 * u[d - K]) + 0.1 * u[(d - K + 1) % K];
    }
  }
  return { data: out, shape: [n, NUM_CODES] };
}

/** computeFlatness at disent's fast setting (128 traversals per factor) on the fixed encoder. */
export function flatnessInput(): { run: () => Promise<unknown> } {
  return { run: () => computeFlatness({ dataset: factorRows, represent: encode, repeats: 128, seed: 0 }) };
}

/** The traversals {@link flatnessInput} encodes, in order, with their factor rows: the reference's input. */
export async function flatnessTraversals(): Promise<{ codes: Float64Array; factors: Int32Array; rows: number; dims: number; factorCount: number }> {
  const codes: number[] = [];
  const factors: number[] = [];
  await computeFlatness({
    dataset: factorRows,
    represent: (obs) => {
      factors.push(...(obs as unknown as { data: Float64Array }).data);
      const c = encode(obs);
      codes.push(...(c as unknown as { data: Float64Array }).data);
      return c;
    },
    repeats: 128,
    seed: 0,
  });
  return { codes: Float64Array.from(codes), factors: Int32Array.from(factors), rows: factors.length / K, dims: NUM_CODES, factorCount: K };
}
