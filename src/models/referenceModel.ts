/**
 * What the reference models (InfoGAN-CR, FactorVAE) share: naming their variables by stable paths, saving and
 * disposing them ({@link ReferenceModel}), and loading models and checkpoints in the one safe order: read and check
 * the files (manifest, byte count), check the model type and the config (ranges, model size) while nothing is
 * allocated, then build the model, check every weight's name and shape against it before a tensor is decoded,
 * and copy. Any failure disposes everything made so far and throws `BAD_FILE` naming the file and the field.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { checkWeightSpecs, decodeWeightSpecs, readModelFiles, writeModel, type ModelFiles } from './checkpoint.js';
import { disposeParams, type Params } from './layers.js';

/** What a loader needs of a reference model. */
export interface LoadableModel {
  iteration: number;
  params(): Params;
  dispose(): void;
}

/** Adds a layer's variables to `out` under `<key>/<field>` (the names in saved files and checkpoints). */
export function registerLayer(out: Params, key: string, fields: Record<string, tf.Variable>): void {
  for (const [f, v] of Object.entries(fields)) out[`${key}/${f}`] = v;
}

/**
 * The part of a reference model that is the same for every kind: its type tag, config and iteration count, and
 * saving and freeing every variable it lists in `params()`.
 */
export abstract class ReferenceModel<C> implements LoadableModel {
  /** The model type written to `model.json` and checked on load. */
  abstract readonly kind: string;
  abstract readonly config: C;
  /** Iterations trained so far. */
  iteration = 0;

  /** Every variable (weights and state such as BN statistics or SN vectors), keyed by a stable path. */
  abstract params(): Params;

  /**
   * Writes `model.json` (config + tfjs weights manifest) and `weights.bin` into `dir` (Node only), replacing a
   * model already there whole or not at all; other entries of `dir` are kept.
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
    disposeParams(this.params());
  }
}

/** Throws `BAD_FILE` unless the file holds a model of `modelType`. */
export function checkModelType(files: ModelFiles, modelType: string, dir: string, argument: string): void {
  if (files.header.modelType !== modelType) {
    throw new DisentangleError('BAD_FILE', argument, `${dir} holds a '${String(files.header.modelType)}' model, not '${modelType}' (${files.file}: modelType)`);
  }
}

/**
 * The file's config through the model's own check (`resolve`, which allocates nothing): its `BAD_OPTION` becomes
 * `BAD_FILE` naming the file and the config field.
 */
export function configFromFile<C>(files: ModelFiles, resolve: (config: never) => C, argument: string): C {
  const config = files.header.config;
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new DisentangleError('BAD_FILE', argument, `${files.file}: config: expected an object, got ${JSON.stringify(config) ?? 'nothing'}`);
  }
  try {
    return resolve(config as never);
  } catch (e) {
    if (!(e instanceof DisentangleError)) throw e;
    const field = e.argument === 'config' ? 'config' : `config.${e.argument}`;
    throw new DisentangleError('BAD_FILE', argument, `${files.file}: ${field}: ${e.message.slice(e.argument.length + 2)}`);
  }
}

/**
 * Copies saved tensors into a model's variables, checking that every one is present with its shape. The tensors
 * are disposed in every case.
 */
function assignParams(params: Params, tensors: tf.NamedTensorMap, dir: string): void {
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

/**
 * Loads a saved reference model (or a checkpoint, whose optimizer state is skipped) in the safe order described
 * above. `resolve` checks a config without allocating; `build` makes the model from the checked config.
 */
export async function loadReferenceModel<C, M extends LoadableModel>(
  dir: string,
  modelType: string,
  resolve: (config: never) => C,
  build: (config: C) => M,
): Promise<M> {
  const files = await readModelFiles(dir, 'dir');
  checkModelType(files, modelType, dir, 'dir');
  const config = configFromFile(files, resolve, 'dir');
  const model = build(config);
  try {
    const params = model.params();
    checkWeightSpecs(params, files.specs, files.file, 'dir', 'optimizer/');
    assignParams(params, decodeWeightSpecs(files.specs, files.weightData, (name) => name in params), dir);
    model.iteration = files.header.iteration ?? 0;
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
