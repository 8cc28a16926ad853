/**
 * Property: any malformed input to a public matrix entry — wrong shapes, NaN/Infinity/1e200, null/undefined,
 * strings, nested garbage, complex/string/disposed tensors, BigInt arrays, null or garbage options — either gives
 * a result or throws a DisentangleError (never another error type), and leaks no tfjs tensor either way.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { disposeIfTensor } from '../../src/core/tensor.js';
import * as lib from '../../src/index.js';
import { gradientBoostingClassifier } from '../../src/estimators/trees/gradientBoostingClassifier.js';

beforeAll(async () => {
  await setupBackend(['cpu']);
});

/** A recipe for an input; tensors are made only when a property runs, so that each run can count its tensors. */
type Recipe =
  | { kind: 'value'; value: unknown }
  | { kind: 'tensor'; dtype: 'float32' | 'int32' | 'bool' | 'complex64' | 'string'; shape: number[]; values: number[]; disposed: boolean }
  | { kind: 'block'; data: unknown; shape?: unknown; dims?: unknown }
  | { kind: 'labelled'; codes: Recipe; factors: Recipe }
  | { kind: 'duck'; shape: unknown; values: number[]; throws: boolean; dtype: unknown };

const special = fc.constantFrom(NaN, Infinity, -Infinity, 1e200, -1e200, 1e-300, -0, 2 ** 31, -1, 0.5);
const cell = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 3, arbitrary: fc.double({ min: -5, max: 5, noNaN: true }) }, { weight: 1, arbitrary: special });
const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, true, 'codes', '', 0, 3, NaN, Symbol('x'), () => 1, {}, [], [[]], [[[1]]], new BigInt64Array(4), new DataView(new ArrayBuffer(8))),
  fc.array(fc.oneof(fc.string(), fc.constant(null), fc.object(), cell), { maxLength: 4 }),
  fc.array(fc.array(fc.oneof(cell, fc.string(), fc.constant(undefined), fc.array(cell, { maxLength: 2 })), { maxLength: 4 }), { maxLength: 5 }),
  fc.object({ maxDepth: 2 }),
);
const shape = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 4 })).map(([a, b]) => [a, b]),
  fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
);
const values = fc.array(cell, { maxLength: 30 });

const tensorLike: fc.Arbitrary<Recipe> = fc.oneof(
  { weight: 2, arbitrary: garbage.map((value) => ({ kind: 'value' as const, value })) },
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 4 }), values, fc.boolean()).map(([r, c, v, ragged]) => ({
    kind: 'value' as const,
    value: Array.from({ length: r }, (_, i) => Array.from({ length: ragged && i === r - 1 ? c + 1 : c }, (_, j) => v[(i * c + j) % Math.max(v.length, 1)] ?? 0)),
  })) },
  { weight: 2, arbitrary: fc.record({ dtype: fc.constantFrom('float32', 'int32', 'bool', 'complex64', 'string'), shape, values, disposed: fc.boolean() }).map((t) => ({ kind: 'tensor' as const, ...t })) },
  { weight: 2, arbitrary: fc.record({ data: fc.oneof(values.map((v) => Float64Array.from(v)), values, garbage), shape: fc.oneof(shape, garbage), dims: fc.option(shape, { nil: undefined }) }).map((b) => ({ kind: 'block' as const, ...b })) },
  { weight: 1, arbitrary: fc.record({ shape: fc.oneof(shape, garbage), values, throws: fc.boolean(), dtype: fc.constantFrom('float32', 'complex64', undefined, 5) }).map((d) => ({ kind: 'duck' as const, ...d })) },
);
/** One well-formed n×w block in one of the forms, to which `mutate` may do one wrong thing. */
function block(n: number, w: number, v: number[], form: number, mutate: number): Recipe {
  const at = (i: number, j: number): number => v[(i * w + j) % v.length];
  let rows = Array.from({ length: n }, (_, i) => Array.from({ length: w }, (_, j) => at(i, j)));
  if (mutate === 1) rows = rows.slice(1); // one row short
  if (mutate === 2 && n > 0) rows[0] = [...rows[0], 1]; // ragged
  if (mutate === 3) rows = rows.map((r) => r.map((x, j) => (j === 0 ? NaN : x)));
  const flat = rows.flat();
  const shape = [rows.length, rows[0]?.length ?? 0];
  switch (form) {
    case 0:
      return { kind: 'value', value: rows };
    case 1:
      return { kind: 'block', data: Float64Array.from(flat), shape: mutate === 4 ? [shape[0], shape[1] + 1] : shape };
    case 2:
      return { kind: 'block', data: Float32Array.from(flat), dims: shape };
    case 3:
      return mutate === 2 ? { kind: 'value', value: rows } : { kind: 'tensor', dtype: 'float32', shape, values: flat, disposed: mutate === 5 };
    case 4:
      return mutate === 2 ? { kind: 'value', value: rows } : { kind: 'tensor', dtype: mutate === 6 ? 'complex64' : 'int32', shape, values: flat, disposed: false };
    default:
      return { kind: 'value', value: rows.map((r) => r[0]) }; // a vector
  }
}
const nearlyValid: fc.Arbitrary<Recipe> = fc
  .record({
    n: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 3 }),
    k: fc.integer({ min: 1, max: 2 }),
    codes: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 36 }),
    factors: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 24 }),
    pokeCodes: fc.option(fc.tuple(fc.nat(), special), { freq: 4, nil: undefined }),
    pokeFactors: fc.option(fc.tuple(fc.nat(), special), { freq: 4, nil: undefined }),
    codeForm: fc.integer({ min: 0, max: 5 }),
    factorForm: fc.integer({ min: 0, max: 5 }),
    mutateCodes: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) }),
    mutateFactors: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) }),
  })
  .map((r) => {
    // At most one extreme value per block (NaN, ±Infinity, 1e200, a fraction or a negative for factors).
    const poke = (v: number[], p: [number, number] | undefined): number[] => (p ? v.map((x, i) => (i === p[0] % v.length ? p[1] : x)) : v);
    return {
      kind: 'labelled' as const,
      codes: block(r.n, r.d, poke(r.codes, r.pokeCodes), r.codeForm, r.mutateCodes),
      factors: block(r.n, r.k, poke(r.factors, r.pokeFactors), r.factorForm, r.mutateFactors),
    };
  });
const labelled: fc.Arbitrary<Recipe> = fc.oneof(
  { weight: 5, arbitrary: nearlyValid },
  { weight: 2, arbitrary: fc.record({ codes: tensorLike, factors: tensorLike }).map((l) => ({ kind: 'labelled' as const, ...l })) },
  { weight: 1, arbitrary: tensorLike },
);
const options: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  fc.constantFrom(undefined, {}, null, 7, 'opts', [], { numBins: 0 }, { numBins: 1e9 }, { numBins: 2.5 }, { onProgress: 5 }, { signal: {} }, { seed: NaN }),
  fc.record({ numBins: fc.option(fc.oneof(fc.integer({ min: -2, max: 40 }), garbage), { nil: undefined }), diffQuantile: fc.option(fc.oneof(fc.double(), garbage), { nil: undefined }) }),
);

/** Makes the input a recipe describes; tensors it creates are pushed to `made` so the caller disposes them. */
function make(r: Recipe, made: tf.Tensor[]): unknown {
  switch (r.kind) {
    case 'value':
      return r.value;
    case 'labelled':
      return { codes: make(r.codes, made), factors: make(r.factors, made) };
    case 'block':
      return r.dims === undefined ? { data: r.data, shape: r.shape } : { data: r.data, dims: r.dims };
    case 'duck':
      return { dtype: r.dtype, shape: r.shape, dataSync: () => { if (r.throws) throw new TypeError('read failed'); return Float32Array.from(r.values); } };
    case 'tensor': {
      const size = r.shape.reduce((a, b) => a * b, 1);
      const vals = Array.from({ length: size }, (_, i) => r.values[i % Math.max(r.values.length, 1)] ?? 0);
      let t: tf.Tensor;
      if (r.dtype === 'complex64') t = tf.tidy(() => tf.complex(tf.tensor(vals, r.shape, 'float32'), tf.zeros(r.shape)));
      else if (r.dtype === 'string') t = tf.tensor(vals.map(String), r.shape, 'string');
      else t = tf.tensor(vals, r.shape, r.dtype);
      made.push(t);
      if (r.disposed) t.dispose();
      return t;
    }
  }
}

/** Runs `call` on freshly made inputs: it must return or throw a DisentangleError, and leave no tensor behind. */
async function holds(recipes: Recipe[], extra: unknown[], call: (...args: unknown[]) => unknown, ownError?: (e: unknown) => boolean): Promise<void> {
  const before = tf.memory().numTensors;
  const made: tf.Tensor[] = [];
  const args = recipes.map((r) => make(r, made));
  const inputs = tf.memory().numTensors;
  let failure: unknown;
  try {
    const out = await call(...args, ...extra);
    disposeIfTensor(out);
  } catch (e) {
    failure = e;
  }
  const after = tf.memory().numTensors;
  made.forEach((t) => disposeIfTensor(t));
  if (failure !== undefined && !(failure instanceof DisentangleError) && !ownError?.(failure)) {
    throw new Error(`not a DisentangleError: ${String(failure)}\n${(failure as Error)?.stack ?? ''}`);
  }
  expect(after, 'tensors left behind by the call').toBe(inputs);
  expect(tf.memory().numTensors).toBe(before);
}

/** Runs per entry; raise it (PROP_RUNS=3000) to hunt. */
const RUNS = Number(process.env.PROP_RUNS ?? 250);
const matrixEntries: [string, number, (...a: unknown[]) => unknown][] = [
  ['migFromCodes', 1, (a, o) => lib.migFromCodes(a as never, o as never)],
  ['sapFromCodes', 2, (a, b, o) => lib.sapFromCodes(a as never, b as never, o as never)],
  ['dciFromCodes', 2, (a, b, o) => lib.dciFromCodes(a as never, b as never, { ...(typeof o === 'object' && o ? o : {}), estimator: gradientBoostingClassifier({ numEstimators: 3 }) } as never)],
  ['modularityFromCodes', 1, (a, o) => lib.modularityFromCodes(a as never, o as never)],
  ['explicitnessFromCodes', 2, (a, b, o) => lib.explicitnessFromCodes(a as never, b as never, o as never)],
  ['irsFromCodes', 1, (a, o) => lib.irsFromCodes(a as never, o as never)],
  ['unsupervisedFromCodes', 1, (a, o) => lib.unsupervisedFromCodes(a as never, o as never)],
  ['aamFromCodes', 1, (a, o) => lib.aamFromCodes(a as never, o as never)],
  ['dhsicFromCodes', 1, (a, o) => lib.dhsicFromCodes(a as never, o as never)],
];

describe('malformed inputs to every public matrix entry', () => {
  for (const [name, arity, call] of matrixEntries) {
    it(`${name}: a DisentangleError or a result, and no leaked tensor`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(labelled, { minLength: arity, maxLength: arity }), options, async (recipes, o) => holds(recipes, [o], call)),
        { numRuns: RUNS },
      );
    });
  }

  it('clustering, Fréchet distance and the Inception Score', async () => {
    const pairs: [string, (a: unknown, b: unknown) => unknown][] = [
      ['clusteringAccuracy', (a, b) => lib.clusteringAccuracy(a as never, b as never)],
      ['normalizedMutualInfo', (a, b) => lib.normalizedMutualInfo(a as never, b as never)],
      ['adjustedRandIndex', (a, b) => lib.adjustedRandIndex(a as never, b as never)],
      ['frechetDistance', (a, b) => lib.frechetDistance(a as never, b as never)],
    ];
    const momentsLike = fc.record({ mean: fc.oneof(values, garbage), covariance: tensorLike }).map((m) => ({ kind: 'value' as const, value: m }));
    for (const [, call] of pairs) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(tensorLike, momentsLike), fc.oneof(tensorLike, momentsLike), async (a, b) => {
          // Moments recipes hold a covariance recipe: make it into a value first.
          const unwrap = (r: Recipe, made: tf.Tensor[]): Recipe => {
            const v = r.kind === 'value' ? (r.value as { covariance?: Recipe }) : undefined;
            return v && typeof v === 'object' && v.covariance && typeof v.covariance === 'object' && 'kind' in v.covariance
              ? { kind: 'value', value: { ...v, covariance: make(v.covariance, made) } }
              : r;
          };
          const made: tf.Tensor[] = [];
          try {
            await holds([unwrap(a, made), unwrap(b, made)], [], call);
          } finally {
            made.forEach((t) => disposeIfTensor(t));
          }
        }),
        { numRuns: RUNS },
      );
    }
    await fc.assert(fc.asyncProperty(tensorLike, async (p) => holds([p], [], (x) => lib.inceptionScoreFromProbabilities(x as never))), { numRuns: RUNS });
  });

  it('arrayDataset and its observationsFromFactors', async () => {
    const datasetOptions = fc.oneof(
      fc.record({ factors: tensorLike, observations: tensorLike }).map((o) => ({ kind: 'labelled' as const, codes: o.observations, factors: o.factors })),
      tensorLike,
    );
    await fc.assert(
      fc.asyncProperty(datasetOptions, tensorLike, fc.oneof(fc.constant(undefined), garbage), async (spec, batch, sizes) =>
        holds([spec, batch], [], (s, b) => {
          const o = s && typeof s === 'object' && 'codes' in (s as object) ? { factors: (s as { factors: unknown }).factors, observations: (s as { codes: unknown }).codes, factorSizes: sizes } : s;
          const data = lib.arrayDataset(o as never);
          return data.observationsFromFactors(b as never, lib.createRng(0));
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('gives a result or a DisentangleError for well-formed splits holding huge, tiny or extreme finite codes', async () => {
    const finiteExtreme = fc.constantFrom(1e200, -1e200, 1e300, -1e308, 1.7e308, 1e-300, 5e-324, 2 ** 53, 1e154, -1e154);
    const extreme = (d: number) => fc
      .record({
        n: fc.integer({ min: 4, max: 12 }),
        v: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 36, maxLength: 36 }),
        pokes: fc.array(fc.tuple(fc.nat(), finiteExtreme), { minLength: 1, maxLength: 3 }),
        scale: fc.constantFrom(1, 1e150, 1e-150, 1e300),
      })
      .map(({ n, v, pokes, scale }) => {
        const w = v.map((x) => x * scale);
        for (const [i, x] of pokes) w[i % (n * d)] = x;
        return {
          codes: Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => w[i * d + j])),
          factors: Array.from({ length: n }, (_, i) => [i % 2, (i >> 1) % 3]),
        };
      });
    for (const [, arity, call] of matrixEntries) {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 3 }).chain((d) => fc.array(extreme(d), { minLength: arity, maxLength: arity })), async (splits) => holds(splits.map((value) => ({ kind: 'value' as const, value })), [undefined], call)),
        { numRuns: 40 },
      );
    }
  });
});

describe('malformed datasets and represent replies to the sampling entries (every combination)', () => {
  /** What a `represent` callback hands back: the library owns (and must dispose) any tensor it returns. */
  const REPLIES = ['valid', 'throws', 'rejects', 'disposed', 'complex', 'wrongRows', 'nan', 'garbage', 'string'];
  const DATASETS = ['array', 'dsprites', 'garbage', 'noSizes', 'badObservations'];
  const small = { numTrain: 8, numTest: 8, batchSize: 4, numBins: 3 };

  function dataset(kind: string): unknown {
    const factors = Array.from({ length: 12 }, (_, i) => [i % 2, (i >> 1) % 3]);
    const observations = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(i), i / 12]);
    switch (kind) {
      case 'array':
        return lib.arrayDataset({ factors, observations });
      case 'dsprites':
        return lib.dsprites();
      case 'noSizes':
        return { observationsFromFactors: () => observations };
      case 'badObservations':
        return { factorSizes: [2, 3], observationsFromFactors: () => 'not observations' };
      default:
        return { factorSizes: 'two' };
    }
  }

  function represent(kind: string): (x: lib.TensorLike) => unknown {
    return (x) => {
      const n = Array.isArray(x) ? x.length : ((x as { shape?: number[] }).shape?.[0] ?? 0);
      switch (kind) {
        case 'throws':
          throw new TypeError('encoder failed');
        case 'rejects':
          return Promise.reject(new Error('encoder failed'));
        case 'disposed': {
          const t = tf.ones([n, 2]);
          t.dispose();
          return t;
        }
        case 'complex':
          return tf.tidy(() => tf.complex(tf.ones([n, 2]), tf.zeros([n, 2])));
        case 'wrongRows':
          return tf.ones([n + 1, 2]);
        case 'nan':
          return tf.fill([n, 2], NaN);
        case 'garbage':
          return { data: 'x', shape: [n, 2] };
        case 'string':
          return tf.fill([n, 2], 'a', 'string');
        default:
          return tf.randomNormal([n, 2], 0, 1, 'float32', 3);
      }
    };
  }

  const sampled: [string, (o: Record<string, unknown>) => Promise<unknown>][] = [
    ['computeMig', (o) => lib.computeMig(o as never)],
    ['computeSap', (o) => lib.computeSap(o as never)],
    ['computeDci', (o) => lib.computeDci({ ...o, estimator: gradientBoostingClassifier({ numEstimators: 3 }) } as never)],
    ['computeModularity', (o) => lib.computeModularity(o as never)],
    ['computeExplicitness', (o) => lib.computeExplicitness(o as never)],
    ['computeIrs', (o) => lib.computeIrs(o as never)],
    ['computeUnsupervised', (o) => lib.computeUnsupervised(o as never)],
    ['computeAam', (o) => lib.computeAam(o as never)],
    ['computeDhsic', (o) => lib.computeDhsic({ ...o, numSamples: 8 } as never)],
    ['computeFactorVaeMetric', (o) => lib.computeFactorVaeMetric({ ...o, numTrain: 6, numEval: 4, numVarianceEstimate: 8 } as never)],
    ['computeBetaVaeMetric', (o) => lib.computeBetaVaeMetric({ ...o, numTrain: 6, numEval: 4 } as never)],
  ];

  for (const [name, call] of sampled) {
    it(`${name}: a DisentangleError or a result, and no leaked tensor`, async () => {
      // The domain is small: every dataset with every reply.
      for (const d of DATASETS) {
        for (const r of REPLIES) {
          // An error the callback throws itself is the caller's own and comes back unchanged.
          const own = (e: unknown): boolean => (r === 'throws' || r === 'rejects') && (e as Error).message === 'encoder failed';
          try {
            await holds([], [], () => call({ ...small, dataset: dataset(d), represent: represent(r) }), own);
          } catch (e) {
            throw new Error(`${name} with dataset '${d}' and represent '${r}': ${(e as Error).message}`);
          }
        }
      }
    });
  }
});
