import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { dciFromCodes, dciFromCodesAsync, dciFromImportanceMatrix, computeDci } from '../../src/metrics/dci.js';
import { DisentangleError } from '../../src/core/errors.js';
import { createRng, permutation } from '../../src/core/rng.js';
import type { Matrix } from '../../src/core/matrix.js';
import type { ClassifierEstimator, RegressorEstimator } from '../../src/estimators/types.js';
import { lasso } from '../../src/estimators/linear/lasso.js';
import { gradientBoostingClassifier } from '../../src/estimators/trees/gradientBoostingClassifier.js';
import type { GroundTruthDataset, TensorLike } from '../../src/core/types.js';

interface VectorCase {
  name: string;
  importance: number[][];
  disentanglement: number;
  completeness: number;
  disentanglementPerCode: number[];
  completenessPerFactor: number[];
}
interface EndToEndCase {
  name: string;
  train: { codes: number[][]; factors: number[][] };
  test: { codes: number[][]; factors: number[][] };
  importanceMatrix: number[][];
  disentanglement: number;
  completeness: number;
  informativenessTrain: number;
  informativenessTest: number;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/dci_cases.json', import.meta.url), 'utf8')) as {
  importanceVectors: VectorCase[];
  endToEnd: EndToEndCase[];
};
const mat = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });

/** n samples of K factors with `sizes` values each, drawn from the rng. */
function factorRows(n: number, sizes: number[], seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => sizes.map((s) => rng.int(s)));
}

describe('dciFromImportanceMatrix: disentanglement_lib unit vectors', () => {
  for (const c of fixture.importanceVectors) {
    it(c.name, () => {
      const r = dciFromImportanceMatrix(mat(c.importance));
      expect(r.disentanglement).toBeCloseTo(c.disentanglement, 12);
      expect(r.completeness).toBeCloseTo(c.completeness, 12);
      r.disentanglementPerCode.forEach((v, i) => expect(v).toBeCloseTo(c.disentanglementPerCode[i], 12));
      r.completenessPerFactor.forEach((v, j) => expect(v).toBeCloseTo(c.completenessPerFactor[j], 12));
    });
  }
  it('gives the closed forms of reference-algorithms §5', () => {
    const stacked = dciFromImportanceMatrix(mat([...Array.from({ length: 5 }, (_, i) => [0, 1, 2, 3, 4].map((j) => +(i === j))), ...Array.from({ length: 5 }, (_, i) => [0, 1, 2, 3, 4].map((j) => +(i === j)))]));
    expect(stacked.completeness).toBeCloseTo(1 - Math.LN2 / Math.LN10, 8);
    expect(stacked.disentanglement).toBeCloseTo(1, 8);
  });
  it('switches to the plain-mean completeness and InfoGAN-CR entropy with the preset', () => {
    // Factor 0 is spread over two codes (C = 0), factor 1 sits on one code (C = 1); plain mean = 1/2.
    const r = dciFromImportanceMatrix(mat([[1, 0], [1, 0], [0, 2]]), { preset: 'infogan-cr' });
    expect(r.completenessPerFactor[0]).toBeCloseTo(1 - Math.log(2) / Math.log(3), 10);
    expect(r.completenessPerFactor[1]).toBeCloseTo(1, 10);
    expect(r.completeness).toBeCloseTo((r.completenessPerFactor[0] + 1) / 2, 12);
    const weighted = dciFromImportanceMatrix(mat([[1, 0], [1, 0], [0, 2]]), { completenessWeighting: 'importance', preset: 'infogan-cr' });
    expect(weighted.completeness).toBeCloseTo(0.5 * r.completenessPerFactor[0] + 0.5, 12);
  });
  it('scores a code with all-zero importances 0 instead of InfoGAN-CR\'s NaN', () => {
    const r = dciFromImportanceMatrix(mat([[1, 0], [0, 0]]), { preset: 'infogan-cr' });
    expect(r.disentanglementPerCode[1]).toBe(0);
    expect(r.disentanglement).toBeCloseTo(1, 10);
  });
  it('rejects negative, non-finite and empty importance matrices', () => {
    expect(() => dciFromImportanceMatrix(mat([[1, -1]]))).toThrow(DisentangleError);
    expect(() => dciFromImportanceMatrix(mat([[1, NaN]]))).toThrow(DisentangleError);
    expect(() => dciFromImportanceMatrix({ data: new Float64Array(0), rows: 0, cols: 2 })).toThrow(DisentangleError);
    expect(() => dciFromImportanceMatrix(mat([[1]]), { preset: 'x' as never })).toThrow(DisentangleError);
  });
  it('keeps D and C in [0, 1] and invariant to permuting code dims (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 0, max: 1000 }),
        (D, K, values, seed) => {
          const rows = Array.from({ length: D }, (_, i) => Array.from({ length: K }, (_, j) => values[i * K + j]));
          const a = dciFromImportanceMatrix(mat(rows));
          const perm = Array.from(permutation(D, createRng(seed)));
          const b = dciFromImportanceMatrix(mat(perm.map((p) => rows[p])));
          for (const v of [a.disentanglement, a.completeness]) {
            expect(v).toBeGreaterThanOrEqual(-1e-9);
            expect(v).toBeLessThanOrEqual(1 + 1e-9);
          }
          expect(b.disentanglement).toBeCloseTo(a.disentanglement, 10);
          expect(b.completeness).toBeCloseTo(a.completeness, 10);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('dciFromCodes', () => {
  for (const c of fixture.endToEnd) {
    it(`matches disentanglement_lib's _compute_dci (ties to the lowest index): ${c.name}`, async () => {
      const r = await dciFromCodes(c.train, c.test, { estimator: gradientBoostingClassifier({ tieBreak: 'lowest-index' }) });
      r.importanceMatrix.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(c.importanceMatrix[i][j], 10)));
      expect(r.disentanglement).toBeCloseTo(c.disentanglement, 9);
      expect(r.completeness).toBeCloseTo(c.completeness, 9);
      expect(r.informativenessTrain).toBe(c.informativenessTrain);
      expect(r.informativenessTest).toBe(c.informativenessTest);
    });
  }

  it('permuting the code dims permutes the importance rows and leaves D and C unchanged (fast-check)', async () => {
    // An estimator whose importances are a per-code statistic (|covariance with the label|) is exactly
    // permutation-equivariant, so the property checks DCI's own bookkeeping of rows and columns.
    const covariance: ClassifierEstimator = {
      name: 'abs-covariance',
      fit: (x, y) => {
        const imp = new Float64Array(x.cols);
        const my = y.reduce((a, b) => a + b, 0) / y.length;
        for (let d = 0; d < x.cols; d++) {
          let mx = 0;
          for (let i = 0; i < x.rows; i++) mx += x.data[i * x.cols + d] / x.rows;
          for (let i = 0; i < x.rows; i++) imp[d] += ((x.data[i * x.cols + d] - mx) * (y[i] - my)) / x.rows;
          imp[d] = Math.abs(imp[d]);
        }
        return { classes: Int32Array.of(0), predict: (z) => new Int32Array(z.rows), featureImportances: imp };
      },
    };
    const c = fixture.endToEnd[0];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10000 }), async (seed) => {
        const perm = Array.from(permutation(4, createRng(seed)));
        const permute = (rows: number[][]) => rows.map((r) => perm.map((p) => r[p]));
        const a = await dciFromCodes(c.train, c.test, { estimator: covariance });
        const b = await dciFromCodes({ codes: permute(c.train.codes), factors: c.train.factors }, { codes: permute(c.test.codes), factors: c.test.factors }, { estimator: covariance });
        perm.forEach((p, i) => b.importanceMatrix[i].forEach((v, j) => expect(v).toBeCloseTo(a.importanceMatrix[p][j], 12)));
        expect(b.disentanglement).toBeCloseTo(a.disentanglement, 12);
        expect(b.completeness).toBeCloseTo(a.completeness, 12);
        expect(a.disentanglement).toBeGreaterThanOrEqual(0);
        expect(a.completeness).toBeLessThanOrEqual(1);
      }),
      { numRuns: 20 },
    );
  });

  it('with gradient boosting, permuting code dims moves only tied splits (same informativeness, D and C within 0.02)', async () => {
    // Splits that two codes make identically go to the lower code index, so a permutation can move such a
    // split's importance to the other code; scikit-learn moves them at random between runs in the same way.
    const c = fixture.endToEnd[1];
    const perm = [2, 0, 1];
    const permute = (rows: number[][]) => rows.map((r) => perm.map((p) => r[p]));
    const a = await dciFromCodes(c.train, c.test);
    const b = await dciFromCodes({ codes: permute(c.train.codes), factors: c.train.factors }, { codes: permute(c.test.codes), factors: c.test.factors });
    expect(b.informativenessTrain).toBe(a.informativenessTrain);
    perm.forEach((p, i) => b.importanceMatrix[i].forEach((v, j) => expect(Math.abs(v - a.importanceMatrix[p][j])).toBeLessThan(0.02)));
    expect(Math.abs(b.disentanglement - a.disentanglement)).toBeLessThan(0.02);
    expect(Math.abs(b.completeness - a.completeness)).toBeLessThan(0.02);
  });

  it('scores a factor-identity code D, C ≥ 0.9 and a per-sample permuted code ≤ 0.2', async () => {
    const sizes = [4, 5, 3];
    const ftr = factorRows(300, sizes, 1);
    const fte = factorRows(100, sizes, 2);
    const identity = await dciFromCodes({ codes: ftr, factors: ftr }, { codes: fte, factors: fte });
    expect(identity.disentanglement).toBeGreaterThanOrEqual(0.9);
    expect(identity.completeness).toBeGreaterThanOrEqual(0.9);
    const rng = createRng(3);
    const shuffle = (rows: number[][]) => rows.map((r) => Array.from(permutation(r.length, rng), (p) => r[p]));
    const mixed = await dciFromCodes({ codes: shuffle(ftr), factors: ftr }, { codes: shuffle(fte), factors: fte });
    expect(mixed.disentanglement).toBeLessThanOrEqual(0.2);
    expect(mixed.completeness).toBeLessThanOrEqual(0.2);
  });

  it('runs the InfoGAN-CR preset with Lasso on z-scored codes and reports R² informativeness', async () => {
    const ftr = factorRows(200, [5, 6], 4);
    const fte = factorRows(50, [5, 6], 5);
    const codes = (f: number[][]) => f.map(([a, b]) => [2 * a + 1, -b, 0.5 * a]);
    const r = await dciFromCodes({ codes: codes(ftr), factors: ftr }, { codes: codes(fte), factors: fte }, { preset: 'infogan-cr' });
    // Code 1 is exactly factor 1; codes 0 and 2 both carry factor 0.
    expect(r.importanceMatrix[1][0]).toBe(0);
    expect(r.importanceMatrix[0][1]).toBe(0);
    expect(r.completenessPerFactor[1]).toBeCloseTo(1, 6);
    expect(r.informativenessTrain).toBeGreaterThan(0.99);
    expect(r.informativenessTest).toBeGreaterThan(0.99);
  });

  it('accepts a custom ClassifierEstimator and passes each factor its own random stream', async () => {
    const seen: number[] = [];
    const est: ClassifierEstimator = {
      name: 'first-code',
      fit: (x, y, rng) => {
        seen.push(rng.uint32());
        return { classes: Int32Array.of(0, 1), predict: (z) => new Int32Array(z.rows), featureImportances: Float64Array.from({ length: x.cols }, (_, i) => +(i === 0)) };
      },
    };
    const f = factorRows(20, [2, 3], 6);
    const r = await dciFromCodes({ codes: f, factors: f }, { codes: f, factors: f }, { estimator: est });
    expect(new Set(seen).size).toBe(2);
    expect(r.importanceMatrix).toEqual([[1, 1], [0, 0]]);
    const bad: ClassifierEstimator = { name: 'no-importances', fit: () => ({ classes: Int32Array.of(0), predict: (z) => new Int32Array(z.rows) }) };
    await expect(run(() => dciFromCodes({ codes: f, factors: f }, { codes: f, factors: f }, { estimator: bad }))).rejects.toThrow(DisentangleError);
  });

  it('reports progress per factor and stops on abort', async () => {
    const f = factorRows(40, [2, 3, 2], 7);
    const progress: number[] = [];
    await dciFromCodes({ codes: f, factors: f }, { codes: f, factors: f }, { onProgress: (p) => progress.push(p.done) });
    expect(progress).toEqual([1, 2, 3]);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = dciFromCodesAsync({ codes: f, factors: f }, { codes: f, factors: f }, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.done);
        controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(seen).toEqual([1]);
  });

  it('rejects shape mismatches, NaN, non-integer factors, a missing test split and a one-valued factor', async () => {
    const f = factorRows(30, [3, 2], 8);
    const codes = f.map((r) => [r[0] + 0.1, r[1]]);
    const ok = { codes, factors: f };
    const expectError = async (p: Promise<unknown>, code: string) => {
      await expect(p).rejects.toBeInstanceOf(DisentangleError);
      await expect(p).rejects.toMatchObject({ code });
    };
    await expectError(run(() => dciFromCodes({ codes: codes.slice(1), factors: f }, ok)), 'SHAPE_MISMATCH');
    await expectError(run(() => dciFromCodes(ok, { codes: codes.map((r) => [r[0]]), factors: f })), 'SHAPE_MISMATCH');
    await expectError(run(() => dciFromCodes({ codes: codes.map((r, i) => (i === 3 ? [NaN, r[1]] : r)), factors: f }, ok)), 'NON_FINITE');
    await expect(run(() => dciFromCodes({ codes, factors: f.map((r) => [r[0] + 0.5, r[1]]) }, ok))).rejects.toBeInstanceOf(DisentangleError);
    await expectError(run(() => dciFromCodes(ok, undefined as never)), 'BAD_INPUT');
    await expectError(run(() => dciFromCodes({ codes, factors: f.map((r) => [r[0], 1]) }, ok)), 'BAD_INPUT');
    await expectError(run(() => dciFromCodes(ok, ok, { estimator: 'svm' as never })), 'BAD_OPTION');
  });
});

describe('dciFromCodes: estimators and options', () => {
  const ftr = factorRows(200, [5, 6], 4);
  const fte = factorRows(50, [5, 6], 5);
  const codes = (f: number[][]) => f.map(([a, b], i) => [2 * a + 1 + 0.3 * Math.sin(i), -b + 0.2 * Math.cos(i), 0.5 * a - 0.1 * b]);
  const train = { codes: codes(ftr), factors: ftr };
  const test = { codes: codes(fte), factors: fte };

  it('takes lasso({ alpha }) as its estimator and gives the numbers of the Lasso variant with that alpha', async () => {
    const viaFactory = dciFromCodes(train, test, { estimator: lasso({ alpha: 0.01 }) });
    const named = dciFromCodes(train, test, { estimator: 'lasso', lassoAlpha: 0.01 });
    expect(viaFactory).toEqual(named);
    // a real fit, not the informativeness 0 of a regressor scored as a classifier
    expect(viaFactory.informativenessTrain).toBeGreaterThan(0.95);
    expect(viaFactory.informativenessTest).toBeGreaterThan(0.95);
    // another alpha gives other importances: the option reaches the fit
    const stronger = dciFromCodes(train, test, { estimator: lasso({ alpha: 0.3 }) });
    expect(stronger.importanceMatrix).not.toEqual(viaFactory.importanceMatrix);
    expect(await dciFromCodesAsync(train, test, { estimator: lasso({ alpha: 0.01 }) })).toEqual(viaFactory);
  });

  it('fits a custom RegressorEstimator on z-scored codes and factor and scores it by R²', () => {
    const seen: { mean: number; variance: number }[] = [];
    const meanVar = (y: Float64Array) => {
      const mean = y.reduce((a, b) => a + b, 0) / y.length;
      return { mean, variance: y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length };
    };
    // predicts the target from code 1 alone by least squares on the z-scored data
    const oneCode: RegressorEstimator = {
      name: 'one-code',
      kind: 'regressor',
      fit: (x, y) => {
        seen.push(meanVar(y));
        let sxy = 0;
        let sxx = 0;
        for (let i = 0; i < x.rows; i++) {
          sxy += x.data[i * x.cols + 1] * y[i];
          sxx += x.data[i * x.cols + 1] ** 2;
        }
        const w = sxy / sxx;
        return { predict: (m) => Float64Array.from({ length: m.rows }, (_, i) => w * m.data[i * m.cols + 1]), featureImportances: Float64Array.of(0, Math.abs(w), 0) };
      },
    };
    const r = dciFromCodes(train, test, { estimator: oneCode });
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect(s.mean).toBeCloseTo(0, 12);
      expect(s.variance).toBeCloseTo(1, 12);
    }
    expect(r.importanceMatrix.map((row) => row.map((v) => v > 0))).toEqual([[false, false], [true, true], [false, false]]);
    // code 1 is −factor 1 plus a little noise: R² near 1 for factor 1, near 0 for factor 0 (independent draws)
    expect(r.informativenessPerFactorTrain[1]).toBeGreaterThan(0.99);
    expect(Math.abs(r.informativenessPerFactorTrain[0])).toBeLessThan(0.1);
  });

  it('refuses a misspelt option naming the closest valid one, and a missing test split', () => {
    expect(() => dciFromCodes(train, test, { lassoAlfa: 0.1 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'lassoAlfa', message: expect.stringContaining('lassoAlpha') }));
    expect(() => dciFromImportanceMatrix(mat([[1, 0]]), { weighting: 'mean' } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'weighting' }));
    // (train, options) is read as options, and DCI needs its test split
    expect(() => dciFromCodes(train, { preset: 'infogan-cr' } as never)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', argument: 'test (in dciFromCodes)' }));
  });
});

/** Turns a synchronous throw into a rejected promise, so the error checks read alike. */
function run(f: () => unknown): Promise<unknown> {
  return Promise.resolve().then(f);
}

describe('computeDci', () => {
  it('samples train and test splits through the dataset and scores an identity representation', async () => {
    const dataset: GroundTruthDataset = {
      factorSizes: [3, 4],
      observationsFromFactors: (f) => ({ data: Float64Array.from(f.data), shape: [f.shape[0], f.shape[1]] }),
    };
    const stages = new Set<string>();
    const r = await computeDci({
      dataset,
      represent: (x) => x,
      numTrain: 200,
      numTest: 50,
      onProgress: (p) => stages.add(p.stage),
    });
    expect(r.disentanglement).toBeGreaterThan(0.9);
    expect(r.informativenessTest).toBeGreaterThan(0.95);
    expect([...stages]).toEqual(['train', 'test', 'dci']);
  });

  const identityData: GroundTruthDataset = {
    factorSizes: [3, 4],
    observationsFromFactors: (f) => ({ data: Float64Array.from(f.data), shape: [f.shape[0], f.shape[1]] }),
  };

  it("gives the estimators the seed's third stream, apart from the train and test samplers' streams", async () => {
    const seen: number[] = [];
    const recorder: ClassifierEstimator = {
      name: 'recorder',
      fit: (x, _y, rng) => {
        seen.push(rng.uint32());
        return { classes: Int32Array.of(0), predict: (z) => new Int32Array(z.rows), featureImportances: new Float64Array(x.cols).fill(1) };
      },
    };
    await computeDci({ dataset: identityData, represent: (x) => x, numTrain: 30, numTest: 10, seed: 7, estimator: recorder });
    const root = createRng(7);
    const samplers = [root.fork(), root.fork()];
    const estimators = root.fork();
    expect(seen).toEqual([estimators.fork().uint32(), estimators.fork().uint32()]);
    // before, factor j's stream was the j-th sampler's stream: the same numbers came out of both
    expect(seen).not.toContain(samplers[0].uint32());
    expect(seen).not.toContain(samplers[1].uint32());
  });

  it('refuses a misspelt option naming the closest valid one', async () => {
    await expect(computeDci({ dataset: identityData, represent: (x: TensorLike) => x, numTrian: 30 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'numTrian', message: expect.stringContaining('numTrain') });
  });
});
