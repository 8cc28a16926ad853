import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import type { GenerativeModel, TensorLike } from '../core/types.js';
import { checkOptions, enumOption } from '../core/validate.js';
import { loadReferenceModel, ReferenceModel, registerLayer } from './referenceModel.js';
import { channelList, checkConfigNames, checkModelSize, checkSide, configRecord, convWeights, denseWeights, MAX_CHANNELS, MAX_IMAGE_SIZE, seedOption, sizeOption } from './modelConfig.js';
import {
  conv2d,
  conv2dParams,
  deconv2d,
  deconv2dParams,
  dense,
  denseParams,
  flatten,
  type Conv2dParams,
  type Deconv2dParams,
  type DenseParams,
  type Params,
} from './layers.js';
import { toTensor } from '../core/tensor.js';
import { requireBackend, ensureBackend } from '../core/backend.js';

/** Sizes of the FactorVAE networks; the defaults are the dSprites architecture of the InfoGAN-CR paper's runs. */
export interface FactorVaeConfig {
  /** Square image side (divisible by 16 with the default layer counts). Default 64. */
  imageSize?: number;
  channels?: number;
  /** Gaussian latents. Default 10. */
  latentDims?: number;
  /** Encoder conv channels. Default [32, 32, 64, 64]. */
  encoderConv?: readonly number[];
  /** Encoder FC width (no activation). Default 128. */
  encoderHidden?: number;
  /** Decoder first FC width. Default 128. */
  decoderHidden?: number;
  /** Channels of the reshaped second decoder FC ((side/16)²·this wide). Default 64. */
  decoderReshapeChannels?: number;
  /** Decoder deconv channels before the last. Default [64, 32, 32]. */
  decoderDeconv?: readonly number[];
  /** TC discriminator: hidden width and number of hidden layers. Default 1000 × 5. */
  discriminatorHidden?: number;
  discriminatorLayers?: number;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

export type ResolvedFactorVaeConfig = Required<FactorVaeConfig> & { encoderConv: number[]; decoderDeconv: number[] };

/** The field names of {@link FactorVaeConfig} (the `satisfies` keeps list and interface equal). */
const FACTOR_VAE_CONFIG_NAMES: readonly string[] = Object.keys({
  imageSize: 0,
  channels: 0,
  latentDims: 0,
  encoderConv: 0,
  encoderHidden: 0,
  decoderHidden: 0,
  decoderReshapeChannels: 0,
  decoderDeconv: 0,
  discriminatorHidden: 0,
  discriminatorLayers: 0,
  seed: 0,
} satisfies Record<keyof FactorVaeConfig, 0>);

export const FACTOR_VAE_DEFAULTS: ResolvedFactorVaeConfig = {
  imageSize: 64,
  channels: 1,
  latentDims: 10,
  encoderConv: [32, 32, 64, 64],
  encoderHidden: 128,
  decoderHidden: 128,
  decoderReshapeChannels: 64,
  decoderDeconv: [64, 32, 32],
  discriminatorHidden: 1000,
  discriminatorLayers: 5,
  seed: 0,
};

/**
 * Fills in the defaults and checks a FactorVAE config without allocating anything: integer sizes in range, conv
 * lists of at most 8 layers, an image side that the layers divide, and at most `MAX_MODEL_PARAMS` weights in all.
 * Throws `BAD_OPTION` naming the field. `buildFactorVae` and `loadFactorVae` call it first.
 *
 * @example
 * resolveFactorVaeConfig({ encoderHidden: 200000 });   // throws: too many weights
 */
export function resolveFactorVaeConfig(config?: FactorVaeConfig): ResolvedFactorVaeConfig {
  const d = FACTOR_VAE_DEFAULTS;
  const c = configRecord(config);
  const r: ResolvedFactorVaeConfig = {
    imageSize: sizeOption(c.imageSize, 'imageSize', d.imageSize, 1, MAX_IMAGE_SIZE),
    channels: sizeOption(c.channels, 'channels', d.channels, 1, MAX_CHANNELS),
    latentDims: sizeOption(c.latentDims, 'latentDims', d.latentDims),
    encoderConv: channelList(c.encoderConv, 'encoderConv', d.encoderConv),
    encoderHidden: sizeOption(c.encoderHidden, 'encoderHidden', d.encoderHidden),
    decoderHidden: sizeOption(c.decoderHidden, 'decoderHidden', d.decoderHidden),
    decoderReshapeChannels: sizeOption(c.decoderReshapeChannels, 'decoderReshapeChannels', d.decoderReshapeChannels, 1, MAX_CHANNELS),
    decoderDeconv: channelList(c.decoderDeconv, 'decoderDeconv', d.decoderDeconv),
    discriminatorHidden: sizeOption(c.discriminatorHidden, 'discriminatorHidden', d.discriminatorHidden),
    discriminatorLayers: sizeOption(c.discriminatorLayers, 'discriminatorLayers', d.discriminatorLayers, 0, 64),
    seed: seedOption(c.seed, d.seed),
  };
  checkModelSize(factorVaeWeights(r), 'FactorVAE');
  return r;
}

/** Weights (kernels and biases) of every layer the config builds; must match `countParams(model.params())`. */
export function factorVaeWeights(c: ResolvedFactorVaeConfig): number {
  const encBase = checkSide(c.imageSize, c.encoderConv.length, 'encoderConv');
  const decBase = checkSide(c.imageSize, c.decoderDeconv.length + 1, 'decoderDeconv');
  const ech = [c.channels, ...c.encoderConv];
  const dch = [c.decoderReshapeChannels, ...c.decoderDeconv, c.channels];
  const widths = [c.latentDims, ...Array<number>(c.discriminatorLayers).fill(c.discriminatorHidden), 2];
  let n = denseWeights(encBase * encBase * ech[ech.length - 1], c.encoderHidden) + 2 * denseWeights(c.encoderHidden, c.latentDims);
  for (let i = 1; i < ech.length; i++) n += convWeights(ech[i - 1], ech[i]);
  n += denseWeights(c.latentDims, c.decoderHidden) + denseWeights(c.decoderHidden, decBase * decBase * c.decoderReshapeChannels);
  for (let i = 1; i < dch.length; i++) n += convWeights(dch[i - 1], dch[i]);
  for (let i = 1; i < widths.length; i++) n += denseWeights(widths[i - 1], widths[i]);
  return n;
}

type Encoder = { convs: Conv2dParams[]; fc: DenseParams; mu: DenseParams; logVar: DenseParams };
type Decoder = { fc: DenseParams[]; deconvs: Deconv2dParams[] };

/** The encoder q(z|x), the decoder p(x|z) and the TC discriminator of FactorVAE. Build with {@link buildFactorVae}. */
export class FactorVae extends ReferenceModel<ResolvedFactorVaeConfig> {
  readonly kind = 'factor-vae';
  readonly config: ResolvedFactorVaeConfig;
  history: FactorVaeHistoryEntry[] = [];
  private readonly enc: Encoder;
  private readonly dec: Decoder;
  private readonly disc: DenseParams[];

  constructor(config: FactorVaeConfig = {}) {
    super();
    const c = (this.config = resolveFactorVaeConfig(config));
    const rng = createRng(c.seed);
    const eRng = rng.fork();
    const encBase = checkSide(c.imageSize, c.encoderConv.length, 'encoderConv');
    const ech = [c.channels, ...c.encoderConv];
    this.enc = {
      convs: c.encoderConv.map((out, i) => conv2dParams(eRng, ech[i], out, `enc/conv${i}`)),
      fc: denseParams(eRng, encBase * encBase * ech[ech.length - 1], c.encoderHidden, 'enc/fc'),
      mu: denseParams(eRng, c.encoderHidden, c.latentDims, 'enc/mu'),
      logVar: denseParams(eRng, c.encoderHidden, c.latentDims, 'enc/logvar'),
    };
    const dRng = rng.fork();
    const decBase = checkSide(c.imageSize, c.decoderDeconv.length + 1, 'decoderDeconv');
    const dch = [c.decoderReshapeChannels, ...c.decoderDeconv, c.channels];
    this.dec = {
      fc: [
        denseParams(dRng, c.latentDims, c.decoderHidden, 'dec/fc0'),
        denseParams(dRng, c.decoderHidden, decBase * decBase * c.decoderReshapeChannels, 'dec/fc1'),
      ],
      deconvs: dch.slice(1).map((out, i) => deconv2dParams(dRng, dch[i], out, `dec/deconv${i}`)),
    };
    const tRng = rng.fork();
    const widths = [c.latentDims, ...Array<number>(c.discriminatorLayers).fill(c.discriminatorHidden), 2];
    this.disc = widths.slice(1).map((out, i) => denseParams(tRng, widths[i], out, `tc/fc${i}`));
  }

  /** q(z|x): mean and log-variance [n, latentDims] each. */
  encode(x: tf.Tensor4D): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    let h = x;
    for (const p of this.enc.convs) h = conv2d(h, p, 2, 'relu');
    const f = dense(flatten(h), this.enc.fc, 'linear');
    return { mu: dense(f, this.enc.mu), logVar: dense(f, this.enc.logVar) };
  }

  /** Decoder logits [n, side, side, channels] (apply a sigmoid for pixel probabilities). */
  decodeLogits(z: tf.Tensor2D): tf.Tensor4D {
    const c = this.config;
    const n = z.shape[0];
    const h = dense(dense(z, this.dec.fc[0], 'relu'), this.dec.fc[1], 'relu');
    let side = c.imageSize / 2 ** this.dec.deconvs.length;
    let x = tf.reshape(h, [n, side, side, c.decoderReshapeChannels]) as tf.Tensor4D;
    this.dec.deconvs.forEach((p, i) => {
      side *= 2;
      const last = i === this.dec.deconvs.length - 1;
      x = deconv2d(x, p, [n, side, side, last ? c.channels : c.decoderDeconv[i]], last ? 'linear' : 'relu');
    });
    return x;
  }

  /** TC discriminator logits [n, 2] (class 0: samples of q(z); class 1: dimension-wise permuted samples). */
  discriminatorLogits(z: tf.Tensor2D): tf.Tensor2D {
    let h = z;
    this.disc.forEach((p, i) => {
      h = dense(h, p, i === this.disc.length - 1 ? 'linear' : 'leakyrelu');
    });
    return h;
  }

  vaeVariables(): tf.Variable[] {
    return Object.values({ ...this.encoderParams(), ...this.decoderParams() });
  }
  discriminatorVariables(): tf.Variable[] {
    return Object.values(this.discriminatorParams());
  }

  /** Every variable keyed by a stable path. */
  params(): Params {
    return { ...this.encoderParams(), ...this.decoderParams(), ...this.discriminatorParams() };
  }

  private encoderParams(): Params {
    const out: Params = {};
    this.enc.convs.forEach((p, i) => registerLayer(out, `enc/conv${i}`, p));
    registerLayer(out, 'enc/fc', this.enc.fc);
    registerLayer(out, 'enc/mu', this.enc.mu);
    registerLayer(out, 'enc/logvar', this.enc.logVar);
    return out;
  }
  private decoderParams(): Params {
    const out: Params = {};
    this.dec.fc.forEach((p, i) => registerLayer(out, `dec/fc${i}`, p));
    this.dec.deconvs.forEach((p, i) => registerLayer(out, `dec/deconv${i}`, p));
    return out;
  }
  private discriminatorParams(): Params {
    const out: Params = {};
    this.disc.forEach((p, i) => registerLayer(out, `tc/fc${i}`, p));
    return out;
  }

  /**
   * The trained model as a {@link GenerativeModel}: prior N(0, I) over `latentDims`, generator sigmoid(decoder),
   * and `represent` = a sampled z = μ + σ·ε (the ICR reference's representation; ε drawn from a stream seeded by
   * `seed`, default the model's seed) or μ with `representation: 'mean'` (disentanglement_lib's choice).
   *
   * @example
   * const gm = vae.asGenerativeModel({ representation: 'mean' });
   * const codes = gm.represent(images) as tf.Tensor2D;
   */
  asGenerativeModel(options: { representation?: 'sample' | 'mean'; seed?: number } = {}): GenerativeModel<tf.Tensor4D> {
    const c = this.config;
    checkOptions(options, 'FactorVae.asGenerativeModel', ['representation', 'seed']);
    const mode = enumOption(options.representation, 'representation', ['sample', 'mean'] as const, 'sample');
    const epsRng = createRng(options.seed ?? c.seed);
    const side = [c.imageSize, c.imageSize, c.channels];
    return {
      latentDims: c.latentDims,
      codeDims: c.latentDims,
      sampleLatents: (n: number, rng: Rng) => {
        const data = new Float32Array(n * c.latentDims);
        for (let i = 0; i < data.length; i++) data[i] = rng.normal();
        return { data, shape: [n, c.latentDims] };
      },
      generate: (latents: TensorLike) => {
        const { tensor, owned } = toTensor(latents, [c.latentDims], 'latents', 'FactorVae.generate');
        const out = tf.tidy(() => tf.sigmoid(this.decodeLogits(tensor as tf.Tensor2D)));
        if (owned) tensor.dispose();
        return out;
      },
      represent: (observations: TensorLike) => {
        const { tensor, owned } = toTensor(observations, side, 'observations', 'FactorVae.represent');
        const out = tf.tidy(() => {
          const { mu, logVar } = this.encode(tensor as tf.Tensor4D);
          if (mode === 'mean') return mu;
          return reparameterize(mu, logVar, gaussianNoise(mu.shape[0], c.latentDims, epsRng));
        });
        if (owned) tensor.dispose();
        return out;
      },
    };
  }
}

/** One logged FactorVAE iteration. `tc` is the objective's TC term (FactorVAE: mean(T0 − T1); β-TCVAE: MWS TC). */
export interface FactorVaeHistoryEntry {
  iteration: number;
  loss: number;
  reconstruction: number;
  kl: number;
  tc: number;
  discriminatorLoss: number;
}

/** n×d standard normal draws from our stream, as a tensor. */
export function gaussianNoise(n: number, d: number, rng: Rng): tf.Tensor2D {
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return tf.tensor2d(data, [n, d]);
}

/** z = μ + exp(½ logvar)·ε. */
export function reparameterize(mu: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
}

/**
 * Builds FactorVAE (Kim & Mnih, ICML 2018, "Disentangling by Factorising") with the dSprites architecture of the
 * InfoGAN-CR paper's experiments: encoder conv 32, 32, 64, 64 (ReLU) → FC 128 (no activation) → μ, logvar (10); decoder
 * FC 128 → FC 1024 (ReLU) → 4×4×64 → deconv 64, 32, 32 (ReLU) → deconv 1 (logits); TC discriminator 5 × [FC 1000 →
 * LReLU 0.2] → FC 2. Weights ~ N(0, 0.02) (convs truncated), biases 0.
 *
 * @example
 * const vae = buildFactorVae({ seed: 3 });
 * const small = buildFactorVae({ imageSize: 16, encoderConv: [8, 8, 8, 8], discriminatorHidden: 32 });
 */
export function buildFactorVae(config: FactorVaeConfig = {}): FactorVae {
  requireBackend('buildFactorVae');
  checkConfigNames(config, FACTOR_VAE_CONFIG_NAMES, 'buildFactorVae');
  return new FactorVae(config);
}

/**
 * Loads a model written by `FactorVae.save` (or a FactorVAE training checkpoint). The files, the config and
 * every weight's name and shape are checked before the weights are decoded; a malformed directory throws
 * `BAD_FILE` naming the file and the field, with nothing allocated left behind.
 *
 * @example
 * const vae = await loadFactorVae('models/population/factor-vae-0');
 */
export async function loadFactorVae(dir: string): Promise<FactorVae> {
  await ensureBackend();
  return loadReferenceModel(dir, 'factor-vae', resolveFactorVaeConfig, (c) => new FactorVae(c));
}
