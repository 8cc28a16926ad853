/** InfoGAN-CR's config: sizes, the paper's defaults, and the check that runs before anything is allocated. */
import { channelList, checkModelSize, checkSide, configRecord, convWeights, denseWeights, MAX_CHANNELS, MAX_IMAGE_SIZE, seedOption, sizeOption } from './modelConfig.js';

/** Sizes of the InfoGAN-CR networks; the defaults are the dSprites architecture of the paper's runs. */
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

/** The paper's dSprites sizes. */
/** The field names of {@link InfoGanCrConfig} (the `satisfies` keeps list and interface equal). */
export const INFOGAN_CR_CONFIG_NAMES: readonly string[] = Object.keys({
  imageSize: 0,
  channels: 0,
  codeDims: 0,
  noiseDims: 0,
  generatorHidden: 0,
  generatorReshapeChannels: 0,
  generatorDeconv: 0,
  trunkConv: 0,
  trunkHidden: 0,
  qHidden: 0,
  seed: 0,
} satisfies Record<keyof InfoGanCrConfig, 0>);

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

/**
 * Fills in the defaults and checks an InfoGAN-CR config without allocating anything: integer sizes in range, conv
 * lists of at most 8 layers, an image side that the layers divide, and at most `MAX_MODEL_PARAMS` weights in all.
 * Throws `BAD_OPTION` naming the field. `buildInfoGanCr` and `loadInfoGanCr` call it first.
 *
 * @example
 * resolveInfoGanCrConfig({ trunkHidden: 1e6 });   // throws: out of range
 */
export function resolveInfoGanCrConfig(config?: InfoGanCrConfig): ResolvedInfoGanCrConfig {
  const d = INFOGAN_CR_DEFAULTS;
  const c = configRecord(config);
  const r: ResolvedInfoGanCrConfig = {
    imageSize: sizeOption(c.imageSize, 'imageSize', d.imageSize, 1, MAX_IMAGE_SIZE),
    channels: sizeOption(c.channels, 'channels', d.channels, 1, MAX_CHANNELS),
    codeDims: sizeOption(c.codeDims, 'codeDims', d.codeDims),
    noiseDims: sizeOption(c.noiseDims, 'noiseDims', d.noiseDims, 0),
    generatorHidden: sizeOption(c.generatorHidden, 'generatorHidden', d.generatorHidden),
    generatorReshapeChannels: sizeOption(c.generatorReshapeChannels, 'generatorReshapeChannels', d.generatorReshapeChannels, 1, MAX_CHANNELS),
    generatorDeconv: channelList(c.generatorDeconv, 'generatorDeconv', d.generatorDeconv),
    trunkConv: channelList(c.trunkConv, 'trunkConv', d.trunkConv),
    trunkHidden: sizeOption(c.trunkHidden, 'trunkHidden', d.trunkHidden),
    qHidden: sizeOption(c.qHidden, 'qHidden', d.qHidden),
    seed: seedOption(c.seed, d.seed),
  };
  checkModelSize(infoGanCrWeights(r), 'InfoGAN-CR');
  return r;
}

/** Weights of every variable the config builds (kernels, biases, BN and SN state); equals `countParams(model.params())`. */
export function infoGanCrWeights(c: ResolvedInfoGanCrConfig): number {
  const gBase = checkSide(c.imageSize, c.generatorDeconv.length + 1, 'generatorDeconv');
  const tBase = checkSide(c.imageSize, c.trunkConv.length, 'trunkConv');
  const fcOut = gBase * gBase * c.generatorReshapeChannels;
  const chans = [c.generatorReshapeChannels, ...c.generatorDeconv, c.channels];
  let n = denseWeights(c.codeDims + c.noiseDims, c.generatorHidden) + denseWeights(c.generatorHidden, fcOut) + 4 * (c.generatorHidden + fcOut);
  for (let i = 1; i < chans.length; i++) n += convWeights(chans[i - 1], chans[i]);
  for (const ch of c.generatorDeconv) n += 4 * ch;
  const trunk = (inCh: number): number => {
    const tc = [inCh, ...c.trunkConv];
    let t = denseWeights(tBase * tBase * tc[tc.length - 1], c.trunkHidden) + c.trunkHidden;
    for (let i = 1; i < tc.length; i++) t += convWeights(tc[i - 1], tc[i]) + tc[i];
    return t;
  };
  n += trunk(c.channels) + denseWeights(c.trunkHidden, 1) + 1 + denseWeights(c.trunkHidden, c.qHidden) + c.qHidden + denseWeights(c.qHidden, c.codeDims) + c.codeDims;
  n += trunk(2 * c.channels) + denseWeights(c.trunkHidden, c.codeDims);
  return n;
}
