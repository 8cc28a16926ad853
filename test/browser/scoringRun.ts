/**
 * The run the browser test repeats in Node: procedural dSprites through a small tfjs encoder (the image-moment
 * encoder, all tfjs ops, so it runs on whatever backend is active), scored with computeFactorVaeMetric and
 * migFromCodes. Imports only the library's public entry points.
 */
import * as tf from '@tensorflow/tfjs-core';
import { computeFactorVaeMetric, createRng, dsprites, imageMomentEncoder, migFromCodes } from '../../src/index.js';
import { sampleUniformFactors } from '../../src/data/index.js';

export interface ScoringRunResult {
  backend: string;
  factorVae: { trainAccuracy: number; evalAccuracy: number; votes: number[][] };
  mig: { score: number; perFactor: number[] };
  tensorsLeaked: number;
}

export async function scoringRun(): Promise<ScoringRunResult> {
  const before = tf.memory().numTensors;
  const dataset = dsprites();
  const encoder = imageMomentEncoder();
  const represent = (x: tf.Tensor): tf.Tensor => encoder(x) as tf.Tensor;
  const fv = await computeFactorVaeMetric({ dataset, represent, seed: 3, numVarianceEstimate: 640, numTrain: 120, numEval: 60 });

  // MIG from codes the page computes itself: 1,000 seeded factor rows → images → codes read back once.
  const rng = createRng(5);
  const factors = sampleUniformFactors(dataset.factorSizes, 1000, rng);
  const images = dataset.observationsFromFactors({ data: factors.data, shape: [factors.rows, factors.cols] }, rng);
  const codesTensor = represent(images);
  const codes = { data: Float64Array.from(await codesTensor.data()), shape: codesTensor.shape as [number, number] };
  images.dispose();
  codesTensor.dispose();
  const mig = migFromCodes({ codes, factors: { data: factors.data, shape: [factors.rows, factors.cols] } });
  return {
    backend: tf.getBackend(),
    factorVae: { trainAccuracy: fv.trainAccuracy, evalAccuracy: fv.evalAccuracy, votes: fv.votes },
    mig: { score: mig.score, perFactor: mig.perFactor },
    tensorsLeaked: tf.memory().numTensors - before,
  };
}
