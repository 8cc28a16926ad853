/**
 * Bounds on the reference models' configs, checked before a single variable is allocated: every size is an
 * integer in a sane range, and the whole model must stay under {@link MAX_MODEL_PARAMS} weights (a config such as
 * `encoderHidden: 200000` would otherwise allocate gigabytes before anything could object). The model files count
 * their weights with {@link denseWeights} / {@link convWeights}; tests compare the counts with the built models.
 */
import { DisentangleError } from '../core/errors.js';
import { checkKnownOptions, intOption, numberOption } from '../core/validate.js';

/** Most weights a reference model may have: 2^26, 256 MiB of float32 (training adds two Adam moments each). */
export const MAX_MODEL_PARAMS = 2 ** 26;
/** Largest image side. */
export const MAX_IMAGE_SIZE = 1024;
/** Largest fully connected width or code count. */
const MAX_WIDTH = 65_536;
/** Largest number of conv channels, and of conv layers in a list. */
export const MAX_CHANNELS = 4096;
const MAX_CONV_LAYERS = 8;

/** The config object itself: absent means all defaults; anything but a plain object is refused. */
export function configRecord<T extends object>(config: T | undefined | null, argument = 'config'): Partial<T> {
  if (config === undefined) return {};
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new DisentangleError('BAD_OPTION', argument, `expected a config object, got ${config === null ? 'null' : typeof config}`);
  }
  return config;
}

/**
 * Refuses a config field the model does not have (a misspelt `latentDim` would otherwise build a default-sized
 * model): `BAD_OPTION` naming the field and the closest valid one. Checked by the public builders; a file's config
 * is the resolved one the model saved, so loads need no such check.
 */
export function checkConfigNames(config: unknown, names: readonly string[], fn: string): void {
  if (config && typeof config === 'object' && !Array.isArray(config)) checkKnownOptions(config, names, `${fn} (config)`);
}

/** An integer size in [min, max]. */
export function sizeOption(value: unknown, name: string, fallback: number, min = 1, max = MAX_WIDTH): number {
  return intOption(value as number | undefined, name, fallback, min, max);
}

/** A list of conv channel counts: at most {@link MAX_CONV_LAYERS} entries, each in [1, {@link MAX_CHANNELS}]. */
export function channelList(value: unknown, name: string, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || value.length > MAX_CONV_LAYERS) {
    throw new DisentangleError('BAD_OPTION', name, `expected a list of at most ${MAX_CONV_LAYERS} channel counts, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value.map((v, i) => sizeOption(v, `${name}[${i}]`, 0, 1, MAX_CHANNELS));
}

/** The seed of the initial weights: any finite number (createRng folds the whole double). */
export function seedOption(value: unknown, fallback: number): number {
  return numberOption(value as number | undefined, 'seed', fallback);
}

/** Weights of a dense layer: kernel and bias. */
export const denseWeights = (inDim: number, outDim: number): number => inDim * outDim + outDim;
/** Weights of a k×k conv or deconv layer: kernel and bias. */
export const convWeights = (inCh: number, outCh: number, k = 4): number => k * k * inCh * outCh + outCh;

/** Refuses a config whose model would exceed {@link MAX_MODEL_PARAMS} weights. */
export function checkModelSize(weights: number, model: string): void {
  if (!(weights <= MAX_MODEL_PARAMS)) {
    throw new DisentangleError(
      'BAD_OPTION',
      'config',
      `this ${model} config has ${weights.toLocaleString('en-US')} weights, more than the ${MAX_MODEL_PARAMS.toLocaleString('en-US')} a reference model may have`,
    );
  }
}

/** Every stride-2 layer halves the side, so the side must divide by 2^layers. */
export function checkSide(imageSize: number, layers: number, argument: string): number {
  const base = imageSize / 2 ** layers;
  if (!Number.isInteger(base) || base < 1) {
    throw new DisentangleError('BAD_OPTION', argument, `imageSize ${imageSize} is not divisible by 2^${layers} (${layers} stride-2 layers)`);
  }
  return base;
}
