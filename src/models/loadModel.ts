/**
 * Loading reference models and checkpoints in the one safe order: read and check the files (manifest, byte
 * count), check the model type and the config (ranges, model size) while nothing is allocated, then build the
 * model, check every weight's name and shape against it before a tensor is decoded, and copy. Any failure
 * disposes everything made so far and throws `BAD_FILE` naming the file and the field.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { checkWeightSpecs, decodeWeightSpecs, readModelFiles, type ModelFiles } from './checkpoint.js';
import type { Params } from './layers.js';

/** What a loader needs of a reference model. */
export interface LoadableModel {
  iteration: number;
  params(): Params;
  dispose(): void;
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
