import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '../core/rng.js';
import type { GenerativeModel, TensorLike } from '../core/types.js';
import { sampleUniformLatents } from './infoganCrLatents.js';
import { loadReferenceModel, ReferenceModel, registerLayer } from './referenceModel.js';
import { INFOGAN_CR_CONFIG_NAMES, resolveInfoGanCrConfig, type InfoGanCrConfig, type ResolvedInfoGanCrConfig } from './infoganCrConfig.js';
import { checkConfigNames, checkSide } from './modelConfig.js';
import {
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
import { toTensor } from '../core/tensor.js';
import { spectralNormalize, spectralNormState, updateSpectralNorm, type SpectralNormState } from './spectralNorm.js';
import { requireBackend, ensureBackend } from '../core/backend.js';

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

/** The three InfoGAN-CR networks and their state. Build with {@link buildInfoGanCr}, train with `trainInfoGanCr`. */
export class InfoGanCr extends ReferenceModel<ResolvedInfoGanCrConfig> {
  readonly kind = 'infogan-cr';
  readonly config: ResolvedInfoGanCrConfig;
  /** Losses recorded by the trainer, one entry per logged iteration. */
  history: InfoGanCrHistoryEntry[] = [];
  private readonly g: Generator;
  private readonly dq: { trunk: Trunk; d: SnDense; qHidden: SnDense; qOut: SnDense };
  private readonly h: { trunk: Trunk; out: DenseParams };

  constructor(config: InfoGanCrConfig = {}) {
    super();
    this.config = resolveInfoGanCrConfig(config);
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
        const { tensor, owned } = toTensor(latents, [this.latentDims], 'latents', 'InfoGanCr.generate');
        const out = tf.tidy(() => this.generate(tensor as tf.Tensor2D, false));
        if (owned) tensor.dispose();
        return out;
      },
      represent: (observations: TensorLike) => {
        const { tensor, owned } = toTensor(observations, side, 'observations', 'InfoGanCr.represent');
        const out = this.encode(tensor as tf.Tensor4D);
        if (owned) tensor.dispose();
        return out;
      },
    };
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

/**
 * Builds InfoGAN-CR (Lin, Thekumparampil, Fanti, Oh, ICML 2020, "InfoGAN-CR and ModelCentrality: Self-supervised model
 * training and selection for disentangling GANs") with the dSprites architecture of the InfoGAN-CR paper's runs:
 * generator FC 128 → FC 1024 → 4×4×64 → deconvs 64/32/32 → 1 (BN after each activation, sigmoid output); one spectrally
 * normalized D/Q trunk (conv 32, 32, 64, 64, FC 128, LReLU 0.2, no BN) with a D head (FC 1, sigmoid) and a Q head (FC
 * 128 → LReLU → FC 5); the CR discriminator H on channel-stacked pairs with its own SN trunk and an FC 5 output without
 * SN. Weights ~ N(0, 0.02) (convs truncated). Every size is configurable.
 *
 * @example
 * const model = buildInfoGanCr({ seed: 1 });                   // full size
 * const tiny = buildInfoGanCr({ imageSize: 16, trunkConv: [8, 8, 8, 8], generatorDeconv: [8, 8, 8] });
 */
export function buildInfoGanCr(config: InfoGanCrConfig = {}): InfoGanCr {
  requireBackend('buildInfoGanCr');
  checkConfigNames(config, INFOGAN_CR_CONFIG_NAMES, 'buildInfoGanCr');
  return new InfoGanCr(config);
}

/**
 * Loads a model written by `InfoGanCr.save` (or an InfoGAN-CR training checkpoint). The files, the config and
 * every weight's name and shape are checked before the weights are decoded; a malformed directory throws
 * `BAD_FILE` naming the file and the field, with nothing allocated left behind.
 *
 * @example
 * const model = await loadInfoGanCr('models/population/infogan-cr-0');
 */
export async function loadInfoGanCr(dir: string): Promise<InfoGanCr> {
  await ensureBackend();
  return loadReferenceModel(dir, 'infogan-cr', resolveInfoGanCrConfig, (c) => new InfoGanCr(c));
}
