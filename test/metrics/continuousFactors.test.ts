import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fixture from '../fixtures/factor-discretize.json' with { type: 'json' };
import { migFromCodes, computeMig } from '../../src/metrics/mig.js';
import { sapFromCodes, computeSap } from '../../src/metrics/sap.js';
import { dciFromCodes, dciFromCodesAsync, computeDci } from '../../src/metrics/dci.js';
import { modularityFromCodes, computeModularity } from '../../src/metrics/modularity.js';
import { explicitnessFromCodes, computeExplicitness } from '../../src/metrics/explicitness.js';
import { irsFromCodes, computeIrs } from '../../src/metrics/irs.js';
import { aamFromCodes, computeAam } from '../../src/metrics/aam.js';
import { factorIndices } from '../../src/estimators/information/discretize.js';
import type { LabelledCodes } from '../../src/core/types.js';
import { expectError } from '../helpers/errors.js';

// Float factor values and their indices in equal-width bins, from scripts/fixtures/factor_discretize.py (numpy
// histogram edges + digitize, computed apart from the library).
type Rows = number[][];
const F = fixture as {
  trainFactors: Rows;
  testFactors: Rows;
  trainCodes: Rows;
  testCodes: Rows;
  bins: Record<'5' | '20', { jointTrain: Rows; jointTest: Rows; trainOnly: Rows }>;
};
const trainF: LabelledCodes = { codes: F.trainCodes, factors: F.trainFactors };
const testF: LabelledCodes = { codes: F.testCodes, factors: F.testFactors };
const idx = (b: '5' | '20') => ({
  train: { codes: F.trainCodes, factors: F.bins[b].jointTrain },
  test: { codes: F.testCodes, factors: F.bins[b].jointTest },
  trainOnly: { codes: F.trainCodes, factors: F.bins[b].trainOnly },
});
const toMatrix = (rows: Rows) => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length });
const toRows = (m: { data: Int32Array; cols: number }): Rows =>
  Array.from({ length: m.data.length / m.cols }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));

describe('factorIndices: equal-width bins of numpy histogram + digitize', () => {
  for (const b of ['5', '20'] as const) {
    it(`bins train and test together (B = ${b}) as the Python reference does`, () => {
      const [tr, te] = factorIndices([{ factors: toMatrix(F.trainFactors) }, { factors: toMatrix(F.testFactors) }], ['train', 'test'], 'fn', Number(b));
      expect(toRows(tr)).toEqual(F.bins[b].jointTrain);
      expect(toRows(te)).toEqual(F.bins[b].jointTest);
    });
    it(`bins a split alone (B = ${b})`, () => {
      const [tr] = factorIndices([{ factors: toMatrix(F.trainFactors) }], ['train'], 'fn', Number(b));
      expect(toRows(tr)).toEqual(F.bins[b].trainOnly);
    });
  }

  it('puts the minimum in bin 0, the maximum in bin B − 1, and keeps the order of the values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 60 }), fc.integer({ min: 2, max: 40 }), (values, bins) => {
        fc.pre(Math.min(...values) < Math.max(...values));
        const [m] = factorIndices([{ factors: { data: Float64Array.from(values), rows: values.length, cols: 1 } }], ['train'], 'fn', bins);
        const lo = values.indexOf(Math.min(...values));
        const hi = values.indexOf(Math.max(...values));
        expect(m.data[lo]).toBe(0);
        expect(m.data[hi]).toBe(bins - 1);
        for (let i = 0; i < values.length; i++) {
          for (let j = 0; j < values.length; j++) if (values[i] < values[j]) expect(m.data[i]).toBeLessThanOrEqual(m.data[j]);
        }
      }),
      { numRuns: 150, seed: 17 },
    );
  });
});

describe('every matrix entry on float factors with factorDiscretizer equals the entry on the indices', () => {
  // The entries that score the training split alone bin it alone (a test split, if given, is ignored).
  for (const b of ['5', '20'] as const) {
    const B = Number(b);
    it(`MIG (B = ${b})`, () => {
      const want = migFromCodes(idx(b).trainOnly);
      expect(migFromCodes(trainF, { factorDiscretizer: B })).toEqual(want);
      expect(migFromCodes(trainF, testF, { factorDiscretizer: B })).toEqual(want);
    });
    it(`modularity (B = ${b})`, () => {
      expect(modularityFromCodes(trainF, { factorDiscretizer: B })).toEqual(modularityFromCodes(idx(b).trainOnly));
    });
    it(`IRS (B = ${b})`, () => {
      expect(irsFromCodes(trainF, testF, { factorDiscretizer: B })).toEqual(irsFromCodes(idx(b).trainOnly));
    });
    it(`AAM (B = ${b})`, () => {
      expect(aamFromCodes(trainF, { factorDiscretizer: B })).toEqual(aamFromCodes(idx(b).trainOnly));
    });
    it(`explicitness (B = ${b}), both presets`, () => {
      const { train, test, trainOnly } = idx(b);
      expect(explicitnessFromCodes(trainF, testF, { factorDiscretizer: B })).toEqual(explicitnessFromCodes(train, test));
      expect(explicitnessFromCodes(trainF, { factorDiscretizer: B, preset: 'infogan-cr' })).toEqual(explicitnessFromCodes(trainOnly, { preset: 'infogan-cr' }));
    });
    it(`SAP (B = ${b}), discrete factors`, () => {
      const { train, test } = idx(b);
      expect(sapFromCodes(trainF, testF, { factorDiscretizer: B })).toEqual(sapFromCodes(train, test));
    });
  }

  it('DCI (B = 5), sync and async', async () => {
    const { train, test } = idx('5');
    const opts = { estimator: 'random-forest' as const, seed: 3 };
    const want = dciFromCodes(train, test, opts);
    expect(dciFromCodes(trainF, testF, { ...opts, factorDiscretizer: 5 })).toEqual(want);
    expect(await dciFromCodesAsync(trainF, testF, { ...opts, factorDiscretizer: 5, workers: 1 })).toEqual(want);
  });

  it('DCI with its default gradient boosting (B = 5)', () => {
    const { train, test } = idx('5');
    expect(dciFromCodes(trainF, testF, { factorDiscretizer: 5 })).toEqual(dciFromCodes(train, test));
  }, 60_000);

  it("SAP's continuous factors keep their values; the discretizer bins only the discrete ones", () => {
    const flags = [false, true, false];
    const { train, test } = idx('5');
    const mix = (ids: Rows, values: Rows): Rows => ids.map((r, i) => [r[0], values[i][1], r[2]]);
    const want = sapFromCodes({ codes: F.trainCodes, factors: mix(train.factors, F.trainFactors) }, { codes: F.testCodes, factors: mix(test.factors, F.testFactors) }, { continuousFactors: flags });
    const got = sapFromCodes(trainF, testF, { factorDiscretizer: 5, continuousFactors: flags });
    expect(got).toEqual(want);
    // column 1 of the score matrix is the squared correlation with the raw values
    const z = F.trainCodes.map((r) => r[1]);
    const y = F.trainFactors.map((r) => r[1]);
    const mean = (v: number[]) => v.reduce((a, c) => a + c, 0) / v.length;
    const [mz, my] = [mean(z), mean(y)];
    const cov = mean(z.map((v, i) => (v - mz) * (y[i] - my)));
    const r2 = cov ** 2 / (mean(z.map((v) => (v - mz) ** 2)) * mean(y.map((v) => (v - my) ** 2)));
    expect(got.scoreMatrix[1][1]).toBeCloseTo(r2, 12);
  });

  it('SAP with only continuous factors takes float values without a discretizer (and without a test split)', () => {
    const r = sapFromCodes(trainF, { continuousFactors: true });
    expect(r.score).toBeGreaterThan(0.3);
    expect(r.scoreMatrix.every((row) => row.every((v) => v >= 0 && v <= 1))).toBe(true);
  });
});

describe('a function as factorDiscretizer', () => {
  // terciles of the stacked column: any rule the user likes, applied to train rows then test rows
  const terciles = (column: Float64Array): Int32Array => {
    const sorted = Float64Array.from(column).sort();
    const cut1 = sorted[Math.floor(sorted.length / 3)];
    const cut2 = sorted[Math.floor((2 * sorted.length) / 3)];
    return Int32Array.from(column, (v) => (v < cut1 ? 0 : v < cut2 ? 1 : 2));
  };
  const apply = (rows: Rows, n: number): { train: Rows; test: Rows } => {
    const cols = rows[0].length;
    const out = rows.map(() => new Array<number>(cols).fill(0));
    for (let j = 0; j < cols; j++) {
      const ids = terciles(Float64Array.from(rows, (r) => r[j]));
      rows.forEach((_, i) => (out[i][j] = ids[i]));
    }
    return { train: out.slice(0, n), test: out.slice(n) };
  };

  it('sees each factor column, train rows then test rows, and its indices are used as given', () => {
    const seen: Float64Array[] = [];
    const spy = (c: Float64Array): Int32Array => {
      seen.push(Float64Array.from(c));
      return terciles(c);
    };
    const { train, test } = apply([...F.trainFactors, ...F.testFactors], F.trainFactors.length);
    const got = explicitnessFromCodes(trainF, testF, { factorDiscretizer: spy });
    expect(seen).toHaveLength(3);
    expect(Array.from(seen[2])).toEqual([...F.trainFactors, ...F.testFactors].map((r) => r[2]));
    expect(got).toEqual(explicitnessFromCodes({ codes: F.trainCodes, factors: train }, { codes: F.testCodes, factors: test }));
    const single = apply(F.trainFactors, F.trainFactors.length).train;
    expect(migFromCodes(trainF, { factorDiscretizer: terciles })).toEqual(migFromCodes({ codes: F.trainCodes, factors: single }));
  });

  it('is not called for SAP continuous factors', () => {
    const seen: number[] = [];
    sapFromCodes(trainF, testF, { continuousFactors: [true, false, true], factorDiscretizer: (c) => (seen.push(c.length), terciles(c)) });
    expect(seen).toEqual([F.trainFactors.length + F.testFactors.length]);
  });

  it('a bad result is CALLBACK_RESULT naming factorDiscretizer', () => {
    const n = F.trainFactors.length;
    const bad: [string, (c: Float64Array) => unknown][] = [
      ['too short', (c) => new Int32Array(c.length - 1)],
      ['negative', (c) => Int32Array.from(c, (_, i) => (i === 3 ? -1 : 0))],
      ['not an integer', (c) => Array.from(c, () => 0.5)],
      ['NaN', (c) => Array.from(c, () => NaN)],
      ['a Promise', async (c) => new Int32Array(c.length)],
      ['a number', () => 3],
      ['null', () => null],
    ];
    for (const [why, f] of bad) {
      expectError(() => migFromCodes(trainF, { factorDiscretizer: f as (c: Float64Array) => Int32Array }), 'CALLBACK_RESULT', /^factorDiscretizer$/);
      expectError(() => dciFromCodes(trainF, testF, { factorDiscretizer: f as (c: Float64Array) => Int32Array }), 'CALLBACK_RESULT', /^factorDiscretizer$/);
      void why;
    }
    expect(n).toBeGreaterThan(0);
  });

  it('a column it maps to one class is BAD_INPUT (a factor that never changes), as for integer factors', () => {
    const constant = (c: Float64Array) => new Int32Array(c.length);
    expectError(() => modularityFromCodes(trainF, { factorDiscretizer: constant }), 'BAD_INPUT', /train\.factors/, /single value/);
    expectError(() => sapFromCodes(trainF, testF, { factorDiscretizer: constant }), 'BAD_INPUT', /train\.factors/, /single value/);
  });
});

describe('refusals', () => {
  const entries: [string, (o?: object) => unknown][] = [
    ['migFromCodes', (o) => migFromCodes(trainF, testF, o)],
    ['sapFromCodes', (o) => sapFromCodes(trainF, testF, o)],
    ['dciFromCodes', (o) => dciFromCodes(trainF, testF, o)],
    ['modularityFromCodes', (o) => modularityFromCodes(trainF, testF, o)],
    ['explicitnessFromCodes', (o) => explicitnessFromCodes(trainF, testF, o)],
    ['irsFromCodes', (o) => irsFromCodes(trainF, testF, o)],
    ['aamFromCodes', (o) => aamFromCodes(trainF, testF, o)],
  ];

  for (const [fn, run] of entries) {
    it(`${fn}: float factors without factorDiscretizer are BAD_INPUT naming train.factors and the option`, () => {
      expectError(() => run(), 'BAD_INPUT', new RegExp(`^train\\.factors \\(in ${fn}\\)$`), /factorDiscretizer/);
    });
    it(`${fn}: a factorDiscretizer that is neither a bin count ≥ 2 nor a function is BAD_OPTION`, () => {
      for (const v of [1, 0, 2.5, -3, '20', null, true, 1e9]) expectError(() => run({ factorDiscretizer: v }), 'BAD_OPTION', /^factorDiscretizer$/);
    });
  }

  it('float factors in the test split alone are BAD_INPUT naming test.factors', () => {
    const { train } = idx('5');
    expectError(() => dciFromCodes(train, testF), 'BAD_INPUT', /^test\.factors \(in dciFromCodes\)$/, /factorDiscretizer/);
    expectError(() => sapFromCodes(train, testF), 'BAD_INPUT', /^test\.factors \(in sapFromCodes\)$/, /factorDiscretizer/);
    expectError(() => explicitnessFromCodes(train, testF), 'BAD_INPUT', /^test\.factors/, /factorDiscretizer/);
  });

  it('negative integers without the option stay BAD_INPUT, and the message keeps its old wording', () => {
    expectError(() => migFromCodes({ codes: [[0, 1], [1, 0]], factors: [[0], [-1]] }), 'BAD_INPUT', /train\.factors/, /non-negative integer class indices$/);
  });

  it('the sampling entries draw factor indices and refuse factorDiscretizer', async () => {
    for (const compute of [computeMig, computeSap, computeDci, computeModularity, computeExplicitness, computeIrs, computeAam] as ((o: object) => Promise<unknown>)[]) {
      await expect(compute({ factorDiscretizer: 5 })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'factorDiscretizer' });
    }
  });
});

describe('positive rescaling by a power of two leaves the bins, and so the scores, unchanged', () => {
  it('MIG and modularity', () => {
    fc.assert(
      fc.property(fc.integer({ min: -30, max: 30 }), fc.integer({ min: 2, max: 25 }), fc.integer({ min: 0, max: 2 }), (k, bins, j) => {
        const scale = 2 ** k; // exact in binary floating point: every edge and comparison scales with it
        const scaled = F.trainFactors.map((r) => r.map((v, c) => (c === j ? v * scale : v)));
        const opts = { factorDiscretizer: bins };
        const base = migFromCodes(trainF, opts);
        const s = { codes: F.trainCodes, factors: scaled };
        expect(migFromCodes(s, opts)).toEqual(base);
        expect(modularityFromCodes(s, opts)).toEqual(modularityFromCodes(trainF, opts));
      }),
      { numRuns: 40, seed: 5 },
    );
  });
});
