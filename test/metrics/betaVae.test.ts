import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../src/core/matrix.js';
import type { TensorLike } from '../../src/core/types.js';
import { computeBetaVaeMetric } from '../../src/metrics/betaVae.js';
import type { ClassifierEstimator } from '../../src/estimators/types.js';
import {
  collapsedRepresentation,
  factorVectorDataset,
  identityRepresentation,
  noisyRepresentation,
  rotatedRepresentation,
} from '../helpers/representations.js';

const dataset = factorVectorDataset();
const small = { numTrain: 300, numEval: 200, batchSize: 32 };

/** A classifier that looks for the feature closest to 0: what the identity representation makes trivially right. */
const argminFeature: ClassifierEstimator = {
  name: 'argmin',
  fit: () => ({
    classes: Int32Array.of(0, 1, 2, 3, 4),
    predict: (x: Matrix) =>
      Int32Array.from({ length: x.rows }, (_, i) => {
        const row = x.data.subarray(i * x.cols, (i + 1) * x.cols);
        return row.indexOf(Math.min(...row));
      }),
  }),
};

describe('computeBetaVaeMetric (disentanglement_lib protocol)', () => {
  it('scores the identity representation ≥ 0.9', async () => {
    const r = await computeBetaVaeMetric({ dataset, represent: identityRepresentation(), seed: 0, ...small });
    expect(r.trainAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.evalAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(r).toMatchObject({ numTrain: 300, numEval: 200, preset: 'disentanglement_lib', evalMode: 'heldout' });
  });

  it('makes the shared factor the zero feature for the identity representation', async () => {
    // with the identity code, |z1 − z2| is exactly 0 in the shared column, so argmin classifies every point
    const r = await computeBetaVaeMetric({ dataset, represent: identityRepresentation(), estimator: argminFeature, ...small });
    expect(r.trainAccuracy).toBe(1);
    expect(r.evalAccuracy).toBe(1);
  });

  it('scores the collapsed representation near chance and the rotated one below identity', async () => {
    const collapsed = await computeBetaVaeMetric({ dataset, represent: collapsedRepresentation(5), ...small });
    expect(collapsed.evalAccuracy).toBeLessThanOrEqual(0.35);
    const rotated = await computeBetaVaeMetric({ dataset, represent: rotatedRepresentation(5), ...small });
    expect(rotated.evalAccuracy).toBeLessThan(0.9);
    expect(rotated.evalAccuracy).toBeGreaterThan(collapsed.evalAccuracy);
  });

  it('repeats with the same seed', async () => {
    const run = () => computeBetaVaeMetric({ dataset, represent: noisyRepresentation(5, { noise: 0.1 }), seed: 4, ...small });
    expect(await run()).toEqual(await run());
  });

  it('validates the estimator option', async () => {
    await expect(
      computeBetaVaeMetric({ dataset, represent: identityRepresentation(), estimator: {} as ClassifierEstimator, ...small }),
    ).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'estimator' });
  });

  it('refuses a misspelt option naming the closest valid one, and FactorVAE-only options', async () => {
    const represent = identityRepresentation();
    await expect(computeBetaVaeMetric({ dataset, represent, numEvel: 10 } as never)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      argument: 'numEvel',
      message: expect.stringContaining('numEval?'),
    });
    await expect(computeBetaVaeMetric({ dataset, represent, pruneThreshold: 0 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'pruneThreshold' });
  });
});

describe('computeBetaVaeMetric (InfoGAN-CR preset)', () => {
  it('fits and scores on the same balanced groups', async () => {
    const seen: number[] = [];
    const counting: ClassifierEstimator = {
      name: 'counting',
      fit: (x, y, rng) => {
        seen.push(...y);
        return argminFeature.fit(x, y, rng);
      },
    };
    const r = await computeBetaVaeMetric({
      dataset,
      represent: identityRepresentation(),
      preset: 'infogan-cr',
      numTrain: 50,
      batchSize: 20,
      estimator: counting,
    });
    expect(r).toMatchObject({ trainAccuracy: 1, evalAccuracy: 1, evalMode: 'train', numEval: 0 });
    expect([0, 1, 2, 3, 4].map((k) => seen.filter((v) => v === k).length)).toEqual([10, 10, 10, 10, 10]);
  });

  it('scores identity ≥ 0.9 with the default logistic regression', async () => {
    const r = await computeBetaVaeMetric({ dataset, represent: identityRepresentation(), preset: 'infogan-cr', numTrain: 100, batchSize: 40 });
    expect(r.trainAccuracy).toBeGreaterThanOrEqual(0.9);
  });
});

describe('computeBetaVaeMetric against numpy / scikit-learn (test/fixtures/beta-vae-features.json)', () => {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/beta-vae-features.json', import.meta.url), 'utf8')) as {
    K: number;
    D: number;
    batchSize: number;
    icr: { blocks: number[][][]; features: number[][]; trainAccuracy: number };
    dl: { blocks: number[][][]; features: number[][] };
  };
  const replay = (blocks: number[][][]) => {
    let call = 0;
    return (_x: TensorLike): TensorLike => blocks[call++];
  };
  const capture = (into: Matrix[]): ClassifierEstimator => ({
    name: 'capture',
    fit: (x, y, rng) => {
      into.push(x);
      return argminFeature.fit(x, y, rng);
    },
  });
  const expectRowsClose = (x: Matrix, rows: number[][]) => {
    expect([x.rows, x.cols]).toEqual([rows.length, rows[0].length]);
    rows.forEach((row, i) => row.forEach((v, d) => expect(x.data[i * x.cols + d]).toBeCloseTo(v, 12)));
  };
  const dataset3 = factorVectorDataset([50, 50, 50]);

  it('DL features: mean |z1 − z2| of the two batches', async () => {
    const seen: Matrix[] = [];
    await computeBetaVaeMetric({
      dataset: dataset3,
      represent: replay(fixture.dl.blocks),
      batchSize: fixture.batchSize,
      numTrain: fixture.dl.features.length,
      evalMode: 'train',
      estimator: capture(seen),
    });
    expectRowsClose(seen[0], fixture.dl.features);
  });

  it('InfoGAN-CR features over in-group pairs, and the training accuracy of LogisticRegression()', async () => {
    const seen: Matrix[] = [];
    const opts = { dataset: dataset3, batchSize: fixture.batchSize, numTrain: fixture.icr.features.length, preset: 'infogan-cr' as const };
    await computeBetaVaeMetric({ ...opts, represent: replay(fixture.icr.blocks), estimator: capture(seen) });
    expectRowsClose(seen[0], fixture.icr.features);
    const r = await computeBetaVaeMetric({ ...opts, represent: replay(fixture.icr.blocks) });
    expect(r.trainAccuracy).toBeCloseTo(fixture.icr.trainAccuracy, 12);
  });
});
