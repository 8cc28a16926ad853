import { describe, expect, it } from 'vitest';
import { fitGradientBoosting, type FittedGradientBoosting } from '../../../src/estimators/trees/gradientBoosting.js';
import { fitGradientBoostingAsync } from '../../../src/estimators/trees/gradientBoostingAsync.js';
import { gradientBoostingClassifier } from '../../../src/estimators/trees/gradientBoostingClassifier.js';
import { dciFromCodes, dciFromCodesAsync } from '../../../src/metrics/dci.js';
import { DisentangleError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { Matrix } from '../../../src/core/matrix.js';

// Noisy codes of a 6-class factor (plus an 8-valued one for DCI): enough structure for deep trees, ties included
// (column 2 is rounded to a coarse grid, so equally good splits on it and on column 0 occur).
function dataset(n: number, seed: number): { x: Matrix; y: Int32Array; factors: Int32Array } {
  const rng = createRng(seed);
  const d = 4;
  const x = new Float64Array(n * d);
  const y = new Int32Array(n);
  const factors = new Int32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const a = rng.int(6);
    const b = rng.int(8);
    y[i] = a;
    factors[2 * i] = a;
    factors[2 * i + 1] = b;
    x[i * d] = a + 0.6 * rng.normal();
    x[i * d + 1] = b + 0.3 * rng.normal();
    x[i * d + 2] = Math.round(a / 2);
    x[i * d + 3] = rng.normal();
  }
  return { x: { data: x, rows: n, cols: d }, y, factors };
}

function expectSameModel(a: FittedGradientBoosting, b: FittedGradientBoosting, x: Matrix): void {
  expect(Array.from(b.featureImportances)).toEqual(Array.from(a.featureImportances));
  expect(Array.from(b.decisionFunction(x).data)).toEqual(Array.from(a.decisionFunction(x).data));
  expect(b.stages.length).toBe(a.stages.length);
  a.stages.forEach((trees, s) =>
    trees.forEach((tree, k) => {
      const other = b.stages[s][k];
      expect(Array.from(other.feature)).toEqual(Array.from(tree.feature));
      expect(Array.from(other.threshold)).toEqual(Array.from(tree.threshold));
      expect(Array.from(other.value)).toEqual(Array.from(tree.value));
    }),
  );
}

describe('fitGradientBoostingAsync (worker threads)', () => {
  const { x, y, factors } = dataset(400, 1);

  it('grows every tree on two threads exactly as on one (random tie-break included)', async () => {
    const seq = fitGradientBoosting(x, y, { numEstimators: 15, seed: 4 });
    const par = await fitGradientBoostingAsync(x, y, { numEstimators: 15, seed: 4, workers: 2 });
    expect(par.threads).toBe(2);
    expectSameModel(seq, par, x);
    // The training-row shortcut and a fresh matrix agree, so the shared-memory scores were the final ones.
    const copy = { ...x, data: x.data.slice() };
    expect(Array.from(par.decisionFunction(copy).data)).toEqual(Array.from(seq.decisionFunction(copy).data));
    // Threads are reused: a second fit on the same pool is again identical.
    const again = await fitGradientBoostingAsync(x, y, { numEstimators: 15, seed: 4, workers: 2 });
    expectSameModel(seq, again, x);
  }, 60_000);

  it('stays on the calling thread for binomial and small fits, with the same model', async () => {
    const binary = Int32Array.from(y, (v) => (v < 3 ? 0 : 1));
    const b = await fitGradientBoostingAsync(x, binary, { numEstimators: 10, workers: 2 });
    expect(b.threads).toBe(1);
    expectSameModel(fitGradientBoosting(x, binary, { numEstimators: 10 }), b, x);
    const small = await fitGradientBoostingAsync(x, y, { numEstimators: 5 });
    expect(small.threads).toBe(1);
    expectSameModel(fitGradientBoosting(x, y, { numEstimators: 5 }), small, x);
  });

  it('honours an AbortSignal, before and during the fit, and the pool recovers', async () => {
    const before = new AbortController();
    before.abort();
    await expect(fitGradientBoostingAsync(x, y, { workers: 2, signal: before.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    const during = new AbortController();
    const big = dataset(3000, 2);
    const pending = fitGradientBoostingAsync(big.x, big.y, { numEstimators: 5000, workers: 2, signal: during.signal });
    setTimeout(() => during.abort(), 300);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    const after = await fitGradientBoostingAsync(x, y, { numEstimators: 5, seed: 1, workers: 2 });
    expect(after.threads).toBe(2);
    expectSameModel(fitGradientBoosting(x, y, { numEstimators: 5, seed: 1 }), after, x);
  }, 60_000);

  it('rejects a bad thread count', async () => {
    await expect(fitGradientBoostingAsync(x, y, { workers: 0 })).rejects.toThrow(DisentangleError);
    await expect(fitGradientBoostingAsync(x, y, { workers: 1.5 })).rejects.toThrow(/workers/);
  });

  it('gives DCI the same scores on threads (dciFromCodesAsync) as on one (dciFromCodes)', async () => {
    const codes = { data: x.data, shape: [x.rows, x.cols] as [number, number] };
    const split = { codes, factors: { data: factors, shape: [x.rows, 2] as [number, number] } };
    const estimator = gradientBoostingClassifier({ numEstimators: 10, workers: 2 });
    const seq = dciFromCodes(split, split, { estimator, seed: 3 });
    const par = await dciFromCodesAsync(split, split, { estimator, seed: 3 });
    expect(par).toEqual(seq);
  }, 60_000);
});
