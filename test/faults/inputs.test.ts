/**
 * Input faults at every public entry: null or non-object options, a non-function onProgress, a non-signal
 * signal, sizes that would exhaust memory, and the one rule for degenerate (constant) factors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import type { LabelledCodes } from '../../src/core/types.js';
import * as lib from '../../src/index.js';
// building blocks live on their subpaths (disentangle/estimators, disentangle/data), not at the root
import * as est from '../../src/estimators/index.js';
import * as data from '../../src/data/index.js';

beforeAll(async () => {
  await setupBackend(['cpu']);
});

async function errorOf(fn: () => unknown): Promise<DisentangleError> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof DisentangleError)) throw new Error(`expected a DisentangleError, got ${String(e)}`);
    return e;
  }
  throw new Error('expected an error');
}

const codes: LabelledCodes = {
  codes: Array.from({ length: 40 }, (_, i) => [Math.sin(i), (i % 5) / 5 + 0.01 * i, Math.cos(3 * i)]),
  factors: Array.from({ length: 40 }, (_, i) => [i % 4, Math.floor(i / 10)]),
};
const constantFactor: LabelledCodes = { codes: codes.codes, factors: Array.from({ length: 40 }, (_, i) => [i % 4, 7]) };
const sampling = (): { dataset: lib.DspritesDataset; represent: (x: lib.TensorLike) => lib.TensorLike } => ({ dataset: lib.dsprites(), represent: lib.imageMomentEncoder() });
const x = { data: Float64Array.from({ length: 40 }, (_, i) => Math.sin(i * 1.3)), rows: 20, cols: 2 };
const y = Int32Array.from({ length: 20 }, (_, i) => i % 2);

/** Every public entry that takes an options object, called with the given options in place of it. */
const entries: [string, (o: unknown) => unknown][] = [
  ['migFromCodes', (o) => lib.migFromCodes(codes, o as never)],
  ['sapFromCodes', (o) => lib.sapFromCodes(codes, codes, o as never)],
  ['dciFromCodes', (o) => lib.dciFromCodes(codes, codes, o as never)],
  ['dciFromCodesAsync', (o) => lib.dciFromCodesAsync(codes, codes, o as never)],
  ['dciFromImportanceMatrix', (o) => lib.dciFromImportanceMatrix({ data: Float64Array.of(1, 0, 0, 1), rows: 2, cols: 2 }, o as never)],
  ['modularityFromCodes', (o) => lib.modularityFromCodes(codes, o as never)],
  ['explicitnessFromCodes', (o) => lib.explicitnessFromCodes(codes, codes, o as never)],
  ['irsFromCodes', (o) => lib.irsFromCodes(codes, o as never)],
  ['unsupervisedFromCodes', (o) => lib.unsupervisedFromCodes(codes, o as never)],
  ['unsupervisedFromCodesAsync', (o) => lib.unsupervisedFromCodesAsync(codes, o as never)],
  ['aamFromCodes', (o) => lib.aamFromCodes(codes, o as never)],
  ['dhsicFromCodes', (o) => lib.dhsicFromCodes(codes, o as never)],
  ['computeMig', (o) => lib.computeMig(o as never)],
  ['computeSap', (o) => lib.computeSap(o as never)],
  ['computeDci', (o) => lib.computeDci(o as never)],
  ['computeModularity', (o) => lib.computeModularity(o as never)],
  ['computeExplicitness', (o) => lib.computeExplicitness(o as never)],
  ['computeIrs', (o) => lib.computeIrs(o as never)],
  ['computeUnsupervised', (o) => lib.computeUnsupervised(o as never)],
  ['computeAam', (o) => lib.computeAam(o as never)],
  ['computeDhsic', (o) => lib.computeDhsic(o as never)],
  ['computeFactorVaeMetric', (o) => lib.computeFactorVaeMetric(o as never)],
  ['computeBetaVaeMetric', (o) => lib.computeBetaVaeMetric(o as never)],
  ['computeVariationPredictability', (o) => lib.computeVariationPredictability(o as never)],
  ['computeDspritesSampleQuality', (o) => lib.computeDspritesSampleQuality(o as never)],
  ['proceduralDspritesGenerator', (o) => lib.proceduralDspritesGenerator(o as never)],
  ['modelCentrality', (o) => lib.modelCentrality(o as never)],
  ['udr', (o) => lib.udr(o as never)],
  ['trainFactorVae', (o) => lib.trainFactorVae(o as never)],
  ['trainInfoGanCr', (o) => lib.trainInfoGanCr(o as never)],
  ['latentTraversal', (o) => lib.latentTraversal(lib.proceduralDspritesGenerator(), o as never)],
  ['latentTraversalGif', (o) => lib.latentTraversalGif(lib.proceduralDspritesGenerator(), o as never)],
  ['dsprites', (o) => lib.dsprites(o as never)],
  ['arrayDataset', (o) => lib.arrayDataset(o as never)],
  ['loadDsprites', (o) => lib.loadDsprites(new Uint8Array(4), o as never)],
  ['readNpzStream', (o) => data.readNpzStream([], () => undefined, o as never)],
  ['fitRandomForest', (o) => est.fitRandomForest(x, y, o as never)],
  ['randomForestClassifier', (o) => est.randomForestClassifier(o as never)],
  ['fitLasso', (o) => est.fitLasso(x, Float64Array.from(y), o as never)],
  ['lasso', (o) => est.lasso(o as never)],
  ['fitLogisticRegression', (o) => est.fitLogisticRegression(x, y, o as never)],
  ['logisticRegression', (o) => est.logisticRegression(o as never)],
  ['fitLinearSvc', (o) => est.fitLinearSvc(x, y, o as never)],
  ['linearSvc', (o) => est.linearSvc(o as never)],
  ['fitGradientBoosting', (o) => est.fitGradientBoosting(x, y, o as never)],
  ['fitGradientBoostingAsync', (o) => est.fitGradientBoostingAsync(x, y, o as never)],
  ['gradientBoostingClassifier', (o) => est.gradientBoostingClassifier(o as never)],
  ['dhsicVStatistic', (o) => est.dhsicVStatistic(x, Float64Array.of(1, 1), o as never)],
];

describe('options objects at every public entry', () => {
  it('null, numbers, strings and arrays as options are BAD_OPTION naming options, and leak nothing', async () => {
    const before = tf.memory().numTensors;
    for (const [name, call] of entries) {
      for (const bad of [null, 5, 'fast', [1]]) {
        const e = await errorOf(() => call(bad)).catch((err: unknown) => {
          throw new Error(`${name} ${JSON.stringify(bad)}: ${String(err)}`);
        });
        expect(`${name} ${JSON.stringify(bad)}: ${e.code} ${e.argument}`).toBe(`${name} ${JSON.stringify(bad)}: BAD_OPTION options`);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a non-function onProgress and a signal that is not an AbortSignal are BAD_OPTION naming them', async () => {
    const withProgress = ['unsupervisedFromCodesAsync', 'computeMig', 'computeDci', 'computeFactorVaeMetric', 'computeDspritesSampleQuality', 'modelCentrality', 'udr', 'trainFactorVae', 'loadDsprites', 'latentTraversal'];
    for (const [name, call] of entries.filter(([n]) => withProgress.includes(n))) {
      const base = name === 'computeDspritesSampleQuality' ? { model: lib.proceduralDspritesGenerator() } : name.startsWith('compute') ? sampling() : {};
      expect((await errorOf(() => call({ ...base, onProgress: 5 }))).argument, name).toBe('onProgress');
      expect((await errorOf(() => call({ ...base, signal: { aborted: false } }))).argument, name).toBe('signal');
    }
  });

  it('sizes that would exhaust memory are BAD_OPTION before any work', async () => {
    const cases: [string, () => unknown, string][] = [
      ['computeMig batchSize', () => lib.computeMig({ ...sampling(), batchSize: 1e9 }), 'batchSize'],
      ['computeMig numTrain', () => lib.computeMig({ ...sampling(), numTrain: 1e9 }), 'numTrain'],
      ['computeDci numTest', () => lib.computeDci({ ...sampling(), numTest: 2e6 }), 'numTest'],
      ['computeFactorVaeMetric batchSize', () => lib.computeFactorVaeMetric({ ...sampling(), batchSize: 1e9 }), 'batchSize'],
      ['computeDspritesSampleQuality batchSize', () => lib.computeDspritesSampleQuality({ model: lib.proceduralDspritesGenerator(), batchSize: 1e9 }), 'batchSize'],
      ['migFromCodes numBins', () => lib.migFromCodes(codes, { numBins: 1e9 }), 'numBins'],
    ];
    for (const [what, call, option] of cases) {
      const t0 = performance.now();
      const e = await errorOf(call);
      expect([e.code, e.argument], what).toEqual(['BAD_OPTION', option]);
      expect(performance.now() - t0, what).toBeLessThan(2000);
    }
  });
});

describe('one rule for degenerate factors', () => {
  it('every matrix entry over codes and factors refuses a factor that takes a single value, naming train.factors', async () => {
    const calls: [string, () => unknown][] = [
      ['migFromCodes', () => lib.migFromCodes(constantFactor)],
      ['sapFromCodes', () => lib.sapFromCodes(constantFactor, codes)],
      ['dciFromCodes', () => lib.dciFromCodes(constantFactor, codes)],
      ['modularityFromCodes', () => lib.modularityFromCodes(constantFactor)],
      ['explicitnessFromCodes', () => lib.explicitnessFromCodes(constantFactor, codes)],
      ['irsFromCodes', () => lib.irsFromCodes(constantFactor)],
      ['aamFromCodes', () => lib.aamFromCodes(constantFactor)],
    ];
    for (const [name, call] of calls) {
      const e = await errorOf(call);
      expect([e.code, e.argument.startsWith('train.factors'), e.message.includes('factor 1')], name).toEqual(['BAD_INPUT', true, true]);
    }
    // The same codes with a varying second factor are scored by all of them.
    expect(Number.isFinite(lib.modularityFromCodes(codes).score)).toBe(true);
    expect(Number.isFinite(lib.irsFromCodes(codes).score)).toBe(true);
    expect(Number.isFinite(lib.aamFromCodes(codes).score)).toBe(true);
  });

  it('entries without factors ignore them, and AAM over a factor grid refuses a factor of size 1', async () => {
    expect(Number.isFinite(lib.unsupervisedFromCodes(constantFactor).gaussianTotalCorrelation)).toBe(true);
    expect(Number.isFinite(lib.dhsicFromCodes(constantFactor).score)).toBe(true);
    const dataset = lib.arrayDataset({ factors: [[0, 0], [1, 0]], observations: [[0.1], [0.9]], factorSizes: [2, 1] });
    const e = await errorOf(() => lib.computeAam({ dataset, represent: (o) => o, posterior: (o) => ({ mean: o as lib.TensorLike, logVar: o as lib.TensorLike }) }));
    expect([e.code, e.argument]).toEqual(['BAD_INPUT', 'dataset.factorSizes']);
  });
});
