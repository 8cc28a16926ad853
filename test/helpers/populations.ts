/**
 * Synthetic populations of generative models with known structure, built to resemble the InfoGAN-CR paper's
 * model-selection setting: every model generates the same kind of observations (x = W·f + noise, W fixed per
 * population, f the K true factors), but each model's code reaches the factors through its own permutation,
 * sign flips and a rotation by an angle θ (the amount of entanglement) in random planes; some code dims are
 * collapsed (the generator ignores them, the factor is driven by nuisance noise instead). Each encoder inverts
 * its own generator imperfectly (it undoes θ + δ) and, like a VAE, has a posterior N(μ, σ²): σ = 0.1 on
 * informative dims and ≈ 1 on collapsed ones; `represent` returns a sample, the UDR view returns μ and log σ². Everything is linear, so a generator is one matrix product
 * and an encoder another; `tensors: true` runs them as tfjs tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '../../src/core/rng.js';
import type { GenerativeModel, GroundTruthDataset, TensorLike } from '../../src/core/types.js';
import type { UdrModel } from '../../src/selection/udr.js';

export interface PopulationSpec {
  seed: number;
  size: number;
  /** K: true factors = code dims (default 4). */
  codeDims?: number;
  /** P: observation width (default 10). */
  observationDims?: number;
  /** θ ~ U[0, maxAngle] per model (default π/4). */
  maxAngle?: number;
  /** Chance that each code dim collapses (default 0.25; at most K − 1 per model). */
  collapseProb?: number;
  /** Std of the observation noise (default 0.05). */
  observationNoise?: number;
  /** The encoder undoes θ + δ with δ ~ U[−inverseError, inverseError] (default 0.1). */
  inverseError?: number;
  /** Run generators and encoders as tfjs tensors (default false: {data, shape} arrays). */
  tensors?: boolean;
  /** Values per factor in the discrete ground-truth dataset (default 16). */
  factorValues?: number;
}

/** A model of the population with the structure that made it. */
export interface SyntheticModel {
  model: GenerativeModel;
  udr: UdrModel;
  angle: number;
  collapsed: number[];
}

export interface Population {
  models: SyntheticModel[];
  /** A "model" whose codes are the true factors: generate(f) = W f + noise, represent(x) = Wᵀ x. */
  truth: GenerativeModel;
  /** The true factors on a grid, for UDR: observations = W f + noise. */
  dataset: GroundTruthDataset;
  codeDims: number;
  observationDims: number;
}

type Mat = { data: Float64Array; rows: number; cols: number };

/** P×K with orthonormal columns (Gram–Schmidt of a Gaussian matrix). */
function orthonormalColumns(p: number, k: number, rng: Rng): Mat {
  const w = { data: new Float64Array(p * k), rows: p, cols: k };
  for (let c = 0; c < k; c++) {
    const v = Array.from({ length: p }, () => rng.normal());
    for (let b = 0; b < c; b++) {
      let dot = 0;
      for (let r = 0; r < p; r++) dot += v[r] * w.data[r * k + b];
      for (let r = 0; r < p; r++) v[r] -= dot * w.data[r * k + b];
    }
    const norm = Math.hypot(...v);
    for (let r = 0; r < p; r++) w.data[r * k + c] = v[r] / norm;
  }
  return w;
}

function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Rotates pairs (planes[0], planes[1]), (planes[2], planes[3]) … of v by `angle`, in place. */
function rotatePlanes(v: number[], planes: number[], angle: number): void {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  for (let p = 0; p + 1 < planes.length; p += 2) {
    const [a, b] = [planes[p], planes[p + 1]];
    [v[a], v[b]] = [c * v[a] - s * v[b], s * v[a] + c * v[b]];
  }
}

/** Builds the matrix of a linear map from its action on unit vectors (rows = inputs, columns = outputs). */
function linearMap(inDims: number, outDims: number, f: (e: number[]) => number[]): Mat {
  const m = { data: new Float64Array(inDims * outDims), rows: inDims, cols: outDims };
  for (let i = 0; i < inDims; i++) {
    const e = new Array<number>(inDims).fill(0);
    e[i] = 1;
    m.data.set(f(e), i * outDims);
  }
  return m;
}

function matmulRows(x: { data: ArrayLike<number>; shape: readonly number[] }, m: Mat): { data: Float64Array; shape: [number, number] } {
  const [n, d] = x.shape;
  const out = new Float64Array(n * m.cols);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      const v = x.data[r * d + i];
      if (v === 0) continue;
      for (let c = 0; c < m.cols; c++) out[r * m.cols + c] += v * m.data[i * m.cols + c];
    }
  }
  return { data: out, shape: [n, m.cols] };
}

function applyLinear(x: TensorLike, m: Mat, tensors: boolean, mt: tf.Tensor2D | undefined): TensorLike {
  if (tensors) return tf.tidy(() => tf.matMul(x as tf.Tensor2D, mt!));
  return matmulRows(x as { data: ArrayLike<number>; shape: readonly number[] }, m);
}

function block(n: number, d: number, draw: (col: number) => number, tensors: boolean): TensorLike {
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) data[i * d + c] = draw(c);
  return tensors ? tf.tensor2d(Float32Array.from(data), [n, d]) : { data, shape: [n, d] };
}

/** Makes a population; the same spec gives the same models. */
export function makePopulation(spec: PopulationSpec): Population {
  const K = spec.codeDims ?? 4;
  const P = spec.observationDims ?? 10;
  const maxAngle = spec.maxAngle ?? Math.PI / 4;
  const collapseProb = spec.collapseProb ?? 0.25;
  const sx = spec.observationNoise ?? 0.05;
  const inverseError = spec.inverseError ?? 0.1;
  const tensors = spec.tensors ?? false;
  const values = spec.factorValues ?? 16;
  const rng = createRng(spec.seed);
  const W = orthonormalColumns(P, K, rng);
  const latentDims = 2 * K + P; // codes, nuisance replacing collapsed codes, observation noise
  const sampleLatents = (n: number, r: Rng): TensorLike => block(n, latentDims, (c) => (c < 2 * K ? 2 * r.float() - 1 : r.normal()), tensors);
  const observe = (f: number[], noise: number[]): number[] =>
    Array.from({ length: P }, (_, r) => f.reduce((s, v, k) => s + W.data[r * K + k] * v, 0) + sx * noise[r]);
  const toConst = (m: Mat): tf.Tensor2D | undefined => (tensors ? tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]) : undefined);

  const models: SyntheticModel[] = [];
  for (let idx = 0; idx < spec.size; idx++) {
    const perm = shuffled(K, rng); // code dim k drives factor slot perm[k]
    const signs = Array.from({ length: K }, () => (rng.float() < 0.5 ? -1 : 1));
    const planes = shuffled(K, rng);
    const angle = rng.float() * maxAngle;
    const delta = (2 * rng.float() - 1) * inverseError;
    const collapsed = Array.from({ length: K }, (_, k) => k).filter(() => rng.float() < collapseProb).slice(0, K - 1);
    const probe = Array.from({ length: P }, () => rng.normal() * 0.01); // what a collapsed dim's mean still picks up
    const gen = linearMap(latentDims, P, (z) => {
      const a = new Array<number>(K).fill(0);
      for (let k = 0; k < K; k++) a[perm[k]] = signs[k] * (collapsed.includes(k) ? z[K + k] : z[k]);
      rotatePlanes(a, planes, angle);
      return observe(a, z.slice(2 * K));
    });
    const enc = linearMap(P, K, (x) => {
      const f = Array.from({ length: K }, (_, k) => x.reduce((s, v, r) => s + v * W.data[r * K + k], 0));
      rotatePlanes(f, planes, -(angle + delta));
      return Array.from({ length: K }, (_, k) => (collapsed.includes(k) ? x.reduce((s, v, r) => s + v * probe[r], 0) : signs[k] * f[perm[k]]));
    });
    const genT = toConst(gen);
    const encT = toConst(enc);
    // A VAE-like posterior: informative dims are confident (σ = 0.1), collapsed dims match the prior (KL ≈ 0).
    const sigma = Array.from({ length: K }, (_, k) => (collapsed.includes(k) ? Math.sqrt(0.999) : 0.1));
    const logVarRow = sigma.map((v) => 2 * Math.log(v));
    const encoderMean = (x: TensorLike): TensorLike => applyLinear(x, enc, tensors, encT);
    // Like InfoGAN-CR's FactorVAE encoder, `represent` returns a sample z = μ + σ·ε (its own seeded noise).
    const encoderRng = rng.fork();
    const represent = (x: TensorLike): TensorLike => {
      const mean = encoderMean(x);
      const n = tensors ? (mean as tf.Tensor).shape[0] : (mean as { shape: number[] }).shape[0];
      const eps = block(n, K, (c) => sigma[c] * encoderRng.normal(), tensors);
      if (!tensors) {
        const m = mean as { data: Float64Array; shape: [number, number] };
        const e = eps as unknown as { data: Float64Array };
        for (let i = 0; i < m.data.length; i++) m.data[i] += e.data[i];
        return m;
      }
      const out = tf.add(mean as tf.Tensor, eps as tf.Tensor);
      (mean as tf.Tensor).dispose();
      (eps as tf.Tensor).dispose();
      return out;
    };
    const udr: UdrModel = (x) => {
      const mean = encoderMean(x);
      const n = tensors ? (mean as tf.Tensor).shape[0] : (mean as { shape: number[] }).shape[0];
      return { mean, logVar: block(n, K, (c) => logVarRow[c], tensors) };
    };
    models.push({
      model: { latentDims, codeDims: K, sampleLatents, generate: (z) => applyLinear(z, gen, tensors, genT), represent },
      udr,
      angle,
      collapsed,
    });
  }

  const truthGen = linearMap(K + P, P, (z) => observe(z.slice(0, K), z.slice(K)));
  const truthEnc = linearMap(P, K, (x) => Array.from({ length: K }, (_, k) => x.reduce((s, v, r) => s + v * W.data[r * K + k], 0)));
  const truthGenT = toConst(truthGen);
  const truthEncT = toConst(truthEnc);
  const truth: GenerativeModel = {
    latentDims: K + P,
    codeDims: K,
    sampleLatents: (n, r) => block(n, K + P, (c) => (c < K ? 2 * r.float() - 1 : r.normal()), tensors),
    generate: (z) => applyLinear(z, truthGen, tensors, truthGenT),
    represent: (x) => applyLinear(x, truthEnc, tensors, truthEncT),
  };
  const dataset: GroundTruthDataset = {
    factorSizes: new Array<number>(K).fill(values),
    observationsFromFactors(factors, r) {
      const n = factors.shape[0];
      const data = new Float64Array(n * P);
      for (let i = 0; i < n; i++) {
        const f = Array.from({ length: K }, (_, k) => -1 + (2 * factors.data[i * K + k]) / (values - 1));
        data.set(observe(f, Array.from({ length: P }, () => r.normal())), i * P);
      }
      return tensors ? tf.tensor2d(Float32Array.from(data), [n, P]) : { data, shape: [n, P] };
    },
  };
  return { models, truth, dataset, codeDims: K, observationDims: P };
}

/** Sizes of the ICR FactorVAE runs used to score models (small defaults keep tests fast). */
export interface ScoringSizes {
  groups?: number;
  groupSize?: number;
  scaleSetSize?: number;
  batchSize?: number;
  seed?: number;
}

/**
 * The supervised score of each model: InfoGAN-CR's FactorVAE metric of its encoder against the known true
 * factors, i.e. ModelCentrality's d[model][truth] with the truth "model" as the data provider.
 */
export async function supervisedScores(pop: Population, sizes: ScoringSizes = {}): Promise<number[]> {
  const { modelCentrality } = await import('../../src/selection/modelCentrality.js');
  const out: number[] = [];
  for (const m of pop.models) {
    const r = await modelCentrality({ models: [pop.truth, m.model], ...sizes });
    out.push(r.pairwise[1][0]);
  }
  return out;
}
