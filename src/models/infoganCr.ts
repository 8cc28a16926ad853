import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import type { GenerativeModel, TensorLike } from '../core/types.js';
import { intOption } from '../core/validate.js';
import { readModel, writeModel } from './checkpoint.js';
import {
  asTensor,
  batchNorm,
  batchNormState,
  conv2d,
  conv2dParams,
  deconv2d,
  deconv2dParams,
  dense,
  denseParams,
  flatten,
  type BatchNormState,
  type Conv2dParams,
  type Deconv2dParams,
  type DenseParams,
  type Params,
} from './layers.js';
import { spectralNormalize, spectralNormState, updateSpectralNorm, type SpectralNormState } from './spectralNorm.js';

/** Sizes of the InfoGAN-CR networks; the defaults are the dSprites architecture of reference-algorithms.md §13. */
export interface InfoGanCrConfig {
  /** Square image side; a multiple of 2^(number of up/down-sampling layers). Default 64. */
  imageSize?: number;
  /** Image channels. Default 1. */
  channels?: number;
  /** Regularized codes c (the representation). Default 5. */
  codeDims?: number;
  /** Unregularized noise dims. Default 5. */
  noiseDims?: number;
  /** Generator: first FC width. Default 128. */
  generatorHidden?: number;
  /** Generator: channels of the reshaped FC output (its FC width is (side/16)²·this). Default 64. */
  generatorReshapeChannels?: number;
  /** Generator: channels of the deconvolutions before the last (which outputs `channels`). Default [64, 32, 32]. */
  generatorDeconv?: readonly number[];
  /** D/Q and H trunks: conv channels. Default [32, 32, 64, 64]. */
  trunkConv?: readonly number[];
  /** D/Q and H trunks: FC width after the convs. Default 128. */
  trunkHidden?: number;
  /** Q head hidden width. Default 128. */
  qHidden?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

/** A config with every default filled in. */
export type ResolvedInfoGanCrConfig = Required<InfoGanCrConfig> & { generatorDeconv: number[]; trunkConv: number[] };

/** The paper's dSprites sizes (§13). */
export const INFOGAN_CR_DEFAULTS: ResolvedInfoGanCrConfig = {
  imageSize: 64,
  channels: 1,
  codeDims: 5,
  noiseDims: 5,
  generatorHidden: 128,
  generatorReshapeChannels: 64,
  generatorDeconv: [64, 32, 32],
  trunkConv: [32, 32, 64, 64],
  trunkHidden: 128,
  qHidden: 128,
  seed: 0,
};

function resolveConfig(config: InfoGanCrConfig = {}): ResolvedInfoGanCrConfig {
  const d = INFOGAN_CR_DEFAULTS;
  const r: ResolvedInfoGanCrConfig = {
    imageSize: intOption(config.imageSize, 'imageSize', d.imageSize),
    channels: intOption(config.channels, 'channels', d.channels),
    codeDims: intOption(config.codeDims, 'codeDims', d.codeDims),
    noiseDims: intOption(config.noiseDims, 'noiseDims', d.noiseDims, 0),
    generatorHidden: intOption(config.generatorHidden, 'generatorHidden', d.generatorHidden),
    generatorReshapeChannels: intOption(config.generatorReshapeChannels, 'generatorReshapeChannels', d.generatorReshapeChannels),
    generatorDeconv: [...(config.generatorDeconv ?? d.generatorDeconv)],
    trunkConv: [...(config.trunkConv ?? d.trunkConv)],
    trunkHidden: intOption(config.trunkHidden, 'trunkHidden', d.trunkHidden),
    qHidden: intOption(config.qHidden, 'qHidden', d.qHidden),
    seed: config.seed ?? d.seed,
  };
  checkSide(r.imageSize, r.generatorDeconv.length + 1, 'generatorDeconv');
  checkSide(r.imageSize, r.trunkConv.length, 'trunkConv');
  return r;
}

/** Every stride-2 layer halves the side, so the side must divide by 2^layers. */
export function checkSide(imageSize: number, layers: number, argument: string): number {
  const base = imageSize / 2 ** layers;
  if (!Number.isInteger(base) || base < 1) {
    throw new DisentangleError('BAD_OPTION', argument, `imageSize ${imageSize} is not divisible by 2^${layers} (${layers} stride-2 layers)`);
  }
  return base;
}

type SnDense = { p: DenseParams; sn: SpectralNormState };
type SnConv = { p: Conv2dParams; sn: SpectralNormState };
type Trunk = { convs: SnConv[]; fc: SnDense };
type Generator = { fc: DenseParams[]; fcBn: BatchNormState[]; deconvs: Deconv2dParams[]; deconvBn: BatchNormState[] };

function snConv(rng: Rng, inCh: number, outCh: number, name: string): SnConv {
  return { p: conv2dParams(rng, inCh, outCh, name), sn: spectralNormState(rng, outCh, name) };
}
function snDense(rng: Rng, inDim: number, outDim: number, name: string): SnDense {
  return { p: denseParams(rng, inDim, outDim, name), sn: spectralNormState(rng, outDim, name) };
}

function buildGenerator(rng: Rng, c: ResolvedInfoGanCrConfig): Generator {
  const base = checkSide(c.imageSize, c.generatorDeconv.length + 1, 'generatorDeconv');
  const latent = c.codeDims + c.noiseDims;
  const fcOut = base * base * c.generatorReshapeChannels;
  const chans = [c.generatorReshapeChannels, ...c.generatorDeconv, c.channels];
  return {
    fc: [denseParams(rng, latent, c.generatorHidden, 'g/fc0'), denseParams(rng, c.generatorHidden, fcOut, 'g/fc1')],
    fcBn: [batchNormState('g/fc0/bn', c.generatorHidden), batchNormState('g/fc1/bn', fcOut)],
    deconvs: chans.slice(1).map((out, i) => deconv2dParams(rng, chans[i], out, `g/deconv${i}`)),
    deconvBn: c.generatorDeconv.map((ch, i) => batchNormState(`g/deconv${i}/bn`, ch)),
  };
}

function buildTrunk(rng: Rng, c: ResolvedInfoGanCrConfig, inCh: number, name: string): Trunk {
  const base = checkSide(c.imageSize, c.trunkConv.length, 'trunkConv');
  const chans = [inCh, ...c.trunkConv];
  return {
    convs: c.trunkConv.map((out, i) => snConv(rng, chans[i], out, `${name}/conv${i}`)),
    fc: snDense(rng, base * base * chans[chans.length - 1], c.trunkHidden, `${name}/fc`),
  };
}

function registerLayer(out: Params, key: string, fields: Record<string, tf.Variable>): void {
  for (const [f, v] of Object.entries(fields)) out[`${key}/${f}`] = v;
}

/** The three InfoGAN-CR networks and their state. Build with {@link buildInfoGanCr}, train with `trainInfoGanCr`. */
export class InfoGanCr {
  readonly kind = 'infogan-cr';
  readonly config: ResolvedInfoGanCrConfig;
  /** Losses recorded by the trainer, one entry per logged iteration. */
  history: InfoGanCrHistoryEntry[] = [];
  /** Iterations trained so far. */
  iteration = 0;
  private readonly g: Generator;
  private readonly dq: { trunk: Trunk; d: SnDense; qHidden: SnDense; qOut: SnDense };
  private readonly h: { trunk: Trunk; out: DenseParams };

  constructor(config: InfoGanCrConfig = {}) {
    this.config = resolveConfig(config);
    const rng = createRng(this.config.seed);
    const c = this.config;
    this.g = buildGenerator(rng.fork(), c);
    const dRng = rng.fork();
    this.dq = {
      trunk: buildTrunk(dRng, c, c.channels, 'dq'),
      d: snDense(dRng, c.trunkHidden, 1, 'dq/d'),
      qHidden: snDense(dRng, c.trunkHidden, c.qHidden, 'dq/q0'),
      qOut: snDense(dRng, c.qHidden, c.codeDims, 'dq/q1'),
    };
    this.h = this.buildH(rng.fork());
  }

  /** Width of z: codes then noise. */
  get latentDims(): number {
    return this.config.codeDims + this.config.noiseDims;
  }

  private buildH(rng: Rng): { trunk: Trunk; out: DenseParams } {
    const c = this.config;
    return { trunk: buildTrunk(rng, c, 2 * c.channels, 'h'), out: denseParams(rng, c.trunkHidden, c.codeDims, 'h/out') };
  }

  /**
   * G(z): images in [0, 1]. `training` uses batch statistics and moves BN's averages (the reference's train=True);
   * otherwise the moving averages are used.
   */
  generate(z: tf.Tensor2D, training: boolean): tf.Tensor4D {
    const c = this.config;
    const g = this.g;
    const n = z.shape[0];
    let h: tf.Tensor = batchNorm(dense(z, g.fc[0], 'relu'), g.fcBn[0], training);
    h = batchNorm(dense(h as tf.Tensor2D, g.fc[1], 'relu'), g.fcBn[1], training);
    let side = c.imageSize / 2 ** g.deconvs.length;
    let x = tf.reshape(h, [n, side, side, c.generatorReshapeChannels]) as tf.Tensor4D;
    g.deconvs.forEach((p, i) => {
      side *= 2;
      const last = i === g.deconvs.length - 1;
      const outCh = last ? c.channels : c.generatorDeconv[i];
      x = deconv2d(x, p, [n, side, side, outCh], last ? 'sigmoid' : 'leakyrelu');
      if (!last) x = batchNorm(x, g.deconvBn[i], training);
    });
    return x;
  }

  private trunk(t: Trunk, x: tf.Tensor4D): tf.Tensor2D {
    let h = x;
    for (const l of t.convs) h = conv2d(h, { kernel: spectralNormalize(l.p.kernel, l.sn), bias: l.p.bias }, 2, 'leakyrelu');
    return snDenseApply(flatten(h), t.fc, 'leakyrelu');
  }

  /** D's probability that x is real ([n, 1], sigmoid) and Q's code estimate ([n, codeDims]), from one trunk pass. */
  discriminate(x: tf.Tensor4D): { d: tf.Tensor2D; q: tf.Tensor2D } {
    const f = this.trunk(this.dq.trunk, x);
    const d = snDenseApply(f, this.dq.d, 'sigmoid');
    const q = snDenseApply(snDenseApply(f, this.dq.qHidden, 'leakyrelu'), this.dq.qOut, 'linear');
    return { d, q };
  }

  /** Q(x): the encoder every metric uses (linear outputs, one per code). */
  encode(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.discriminate(x).q);
  }

  /** H's logits over which code the two channel-stacked images share ([n, codeDims]). */
  crLogits(pair: tf.Tensor4D): tf.Tensor2D {
    return dense(this.trunk(this.h.trunk, pair), this.h.out, 'linear');
  }

  /** Trainable variables of G, of the shared D/Q network, and of H, in a fixed order (optimizer state follows it). */
  generatorVariables(): tf.Variable[] {
    return trainable(this.generatorParams());
  }
  discriminatorVariables(): tf.Variable[] {
    return trainable(this.dqParams());
  }
  crVariables(): tf.Variable[] {
    return trainable(this.hParams());
  }

  /** The reference's SN update ops: u ← u' for every spectrally normalized layer of D/Q (and of H if asked). */
  updateSpectralNorms(includeH: boolean): void {
    const layers: Array<SnConv | SnDense> = [...this.dq.trunk.convs, this.dq.trunk.fc, this.dq.d, this.dq.qHidden, this.dq.qOut];
    if (includeH) layers.push(...this.h.trunk.convs, this.h.trunk.fc);
    for (const l of layers) updateSpectralNorm(l.p.kernel, l.sn);
  }

  /**
   * Re-initializes H's weights from `rng` (the reference re-runs H's initializers when λ_CR switches on; its SN
   * vectors u are not trainable variables and keep their values).
   */
  resetCrDiscriminator(rng: Rng): void {
    const fresh = this.buildH(rng);
    const now = this.hParams();
    const next = hParamsOf(fresh);
    for (const [key, v] of Object.entries(now)) if (v.trainable) v.assign(next[key]);
    for (const v of Object.values(next)) v.dispose();
  }

  /** Every variable (weights, BN moving statistics, SN vectors), keyed by a stable path. */
  params(): Params {
    return { ...this.generatorParams(), ...this.dqParams(), ...this.hParams() };
  }

  private generatorParams(): Params {
    const out: Params = {};
    const g = this.g;
    g.fc.forEach((p, i) => registerLayer(out, `g/fc${i}`, p));
    g.fcBn.forEach((p, i) => registerLayer(out, `g/fc${i}/bn`, p));
    g.deconvs.forEach((p, i) => registerLayer(out, `g/deconv${i}`, p));
    g.deconvBn.forEach((p, i) => registerLayer(out, `g/deconv${i}/bn`, p));
    return out;
  }

  private dqParams(): Params {
    const out: Params = {};
    trunkParams(out, 'dq', this.dq.trunk);
    registerSn(out, 'dq/d', this.dq.d);
    registerSn(out, 'dq/q0', this.dq.qHidden);
    registerSn(out, 'dq/q1', this.dq.qOut);
    return out;
  }

  private hParams(): Params {
    return hParamsOf(this.h);
  }

  /**
   * The trained model seen as a {@link GenerativeModel}: prior U(−1, 1)^(codes + noise), generator G with BN's
   * moving averages, `represent` = Q (the reference's test-time graph). Tensors it returns belong to the caller.
   *
   * @example
   * const gm = model.asGenerativeModel();
   * const z = gm.sampleLatents(8, createRng(0));
   * const images = gm.generate(z) as tf.Tensor4D;   // [8, 64, 64, 1]
   */
  asGenerativeModel(): GenerativeModel<tf.Tensor4D> {
    const c = this.config;
    const side = [c.imageSize, c.imageSize, c.channels];
    return {
      latentDims: this.latentDims,
      codeDims: c.codeDims,
      sampleLatents: (n: number, rng: Rng) => ({ data: sampleUniformLatents(n, this.latentDims, rng), shape: [n, this.latentDims] }),
      generate: (latents: TensorLike) => {
        const { tensor, owned } = asTensor(latents, [this.latentDims], 'latents', 'InfoGanCr.generate');
        const out = tf.tidy(() => this.generate(tensor as tf.Tensor2D, false));
        if (owned) tensor.dispose();
        return out;
      },
      represent: (observations: TensorLike) => {
        const { tensor, owned } = asTensor(observations, side, 'observations', 'InfoGanCr.represent');
        const out = this.encode(tensor as tf.Tensor4D);
        if (owned) tensor.dispose();
        return out;
      },
    };
  }

  /**
   * Writes `model.json` (config + tfjs weights manifest) and `weights.bin` into `dir` (Node only).
   *
   * @example
   * await model.save('models/infogan-cr-0');
   * const again = await loadInfoGanCr('models/infogan-cr-0');
   */
  async save(dir: string): Promise<void> {
    await writeModel(dir, { modelType: this.kind, config: this.config, iteration: this.iteration }, this.params());
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of Object.values(this.params())) v.dispose();
  }
}

/** One logged iteration of InfoGAN-CR training (losses of the last step of each network). */
export interface InfoGanCrHistoryEntry {
  iteration: number;
  lossD: number;
  lossQ: number;
  lossG: number;
  lossH: number;
  lambdaCr: number;
}

function snDenseApply(x: tf.Tensor2D, l: SnDense, activation: 'linear' | 'leakyrelu' | 'sigmoid'): tf.Tensor2D {
  return dense(x, { kernel: spectralNormalize(l.p.kernel, l.sn), bias: l.p.bias }, activation);
}

function registerSn(out: Params, key: string, l: SnConv | SnDense): void {
  registerLayer(out, key, l.p);
  out[`${key}/sn_u`] = l.sn.u;
}

function trunkParams(out: Params, name: string, t: Trunk): void {
  t.convs.forEach((l, i) => registerSn(out, `${name}/conv${i}`, l));
  registerSn(out, `${name}/fc`, t.fc);
}

function hParamsOf(h: { trunk: Trunk; out: DenseParams }): Params {
  const out: Params = {};
  trunkParams(out, 'h', h.trunk);
  registerLayer(out, 'h/out', h.out);
  return out;
}

function trainable(p: Params): tf.Variable[] {
  return Object.values(p).filter((v) => v.trainable);
}

/** n rows of U(−1, 1) latents, row-major (InfoGAN-CR's prior for codes and noise alike). */
export function sampleUniformLatents(n: number, dims: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * dims);
  for (let i = 0; i < out.length; i++) out[i] = 2 * rng.float() - 1;
  return out;
}

/**
 * Contrastive pairs for the CR discriminator (§13): per row a code ι ~ U{0..codeDims−1}; c_ι is identical in both
 * latents; every other code is drawn independently for each (with gap α > 0 they are drawn in [−1+α/2, 1−α/2]
 * and pushed apart by α/2 each, so |c′ − c″| ≥ α); the noise dims are shared.
 */
export function sampleContrastivePairs(
  n: number,
  codeDims: number,
  noiseDims: number,
  rng: Rng,
  gap = 0,
): { z1: Float32Array; z2: Float32Array; labels: Int32Array } {
  const L = codeDims + noiseDims;
  const z1 = new Float32Array(n * L);
  const z2 = new Float32Array(n * L);
  const labels = new Int32Array(n);
  const half = gap / 2;
  for (let i = 0; i < n; i++) {
    const iota = rng.int(codeDims);
    labels[i] = iota;
    for (let k = 0; k < codeDims; k++) {
      const p = i * L + k;
      if (k === iota) {
        z1[p] = z2[p] = 2 * rng.float() - 1;
      } else if (gap > 0) {
        let a = -1 + half + (2 - gap) * rng.float();
        let b = -1 + half + (2 - gap) * rng.float();
        if (a < b) [a, b] = [a - half, b + half];
        else [a, b] = [a + half, b - half];
        z1[p] = a;
        z2[p] = b;
      } else {
        z1[p] = 2 * rng.float() - 1;
        z2[p] = 2 * rng.float() - 1;
      }
    }
    for (let k = codeDims; k < L; k++) z1[i * L + k] = z2[i * L + k] = 2 * rng.float() - 1;
  }
  return { z1, z2, labels };
}

const EPS = 1e-8;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** L_D = −mean ln(D(x) + ε) − mean ln(1 − D(G(z)) + ε), ε = 1e-8 (§13). */
export function discriminatorLoss(dReal: tf.Tensor, dFake: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    tf.add(tf.neg(tf.mean(tf.log(tf.add(dReal, EPS)))), tf.neg(tf.mean(tf.log(tf.add(tf.sub(1, dFake), EPS))))),
  ) as tf.Scalar;
}

/** G's adversarial term −mean ln(D(G(z)) + ε) (the non-saturating loss). */
export function generatorAdversarialLoss(dFake: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.log(tf.add(dFake, EPS)))) as tf.Scalar;
}

/** L_Q = mean_batch Σ_k [½(c_k − Q_k)² + ½ ln 2π]: the negative log-likelihood of a unit-variance Gaussian. */
export function infoLoss(q: tf.Tensor2D, codes: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const k = q.shape[1];
    return tf.add(tf.mean(tf.sum(tf.mul(tf.squaredDifference(codes, q), 0.5), 1)), k * HALF_LOG_2PI);
  }) as tf.Scalar;
}

/** Softmax cross-entropy mean over rows, as `tf.losses.softmax_cross_entropy` with one-hot labels. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
  }) as tf.Scalar;
}

/**
 * Builds InfoGAN-CR (Lin, Thekumparampil, Fanti, Oh, ICML 2020, "InfoGAN-CR and ModelCentrality: Self-supervised
 * model training and selection for disentangling GANs") with the dSprites architecture of reference-algorithms.md
 * §13: generator FC 128 → FC 1024 → 4×4×64 → deconvs 64/32/32 → 1 (BN after each activation, sigmoid output);
 * one spectrally normalized D/Q trunk (conv 32, 32, 64, 64, FC 128, LReLU 0.2, no BN) with a D head (FC 1,
 * sigmoid) and a Q head (FC 128 → LReLU → FC 5); the CR discriminator H on channel-stacked pairs with its own SN
 * trunk and an FC 5 output without SN. Weights ~ N(0, 0.02) (convs truncated). Every size is configurable.
 *
 * @example
 * const model = buildInfoGanCr({ seed: 1 });                   // full size
 * const tiny = buildInfoGanCr({ imageSize: 16, trunkConv: [8, 8, 8, 8], generatorDeconv: [8, 8, 8] });
 */
export function buildInfoGanCr(config: InfoGanCrConfig = {}): InfoGanCr {
  return new InfoGanCr(config);
}

/**
 * Loads a model written by `InfoGanCr.save` (or an InfoGAN-CR training checkpoint).
 *
 * @example
 * const model = await loadInfoGanCr('models/population/infogan-cr-0');
 */
export async function loadInfoGanCr(dir: string): Promise<InfoGanCr> {
  const { header, tensors } = await readModel(dir);
  if (header.modelType !== 'infogan-cr') {
    tf.dispose(Object.values(tensors));
    throw new DisentangleError('BAD_FILE', 'dir', `${dir} holds a '${String(header.modelType)}' model, not 'infogan-cr'`);
  }
  const model = new InfoGanCr(header.config as InfoGanCrConfig);
  assignParams(model.params(), tensors, dir);
  model.iteration = typeof header.iteration === 'number' ? header.iteration : 0;
  return model;
}

/** Copies saved tensors into a model's variables, checking that every one is present with its shape. */
export function assignParams(params: Params, tensors: tf.NamedTensorMap, dir: string): void {
  try {
    for (const [key, v] of Object.entries(params)) {
      const t = tensors[key];
      if (!t) throw new DisentangleError('BAD_FILE', 'dir', `${dir}: weight '${key}' is missing`);
      if (t.shape.join(',') !== v.shape.join(',')) {
        throw new DisentangleError('BAD_FILE', 'dir', `${dir}: weight '${key}' has shape [${t.shape}], expected [${v.shape}]`);
      }
      v.assign(t);
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
