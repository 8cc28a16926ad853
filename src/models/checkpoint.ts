import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';

/**
 * Model files: `model.json` holds the model type, its config and anything else the header carries, plus a
 * tfjs weights manifest (`weightsManifest: [{ paths: ['weights.bin'], weights: [{ name, shape, dtype }] }]`);
 * `weights.bin` holds the float32 values in manifest order. The same layout serves trained models and training
 * checkpoints (which add the optimizer moments and the iteration to resume from).
 */

/** What `model.json` says besides the weights manifest. */
export interface ModelHeader {
  modelType: string;
  config: unknown;
  iteration?: number;
  [key: string]: unknown;
}

/** A model as two in-memory artefacts (usable in a browser: store or send them however you like). */
export interface EncodedModel {
  modelJson: ModelHeader & { format: string; weightsManifest: tf.io.WeightsManifestConfig };
  weightData: ArrayBuffer;
}

const FORMAT = 'disentangle-reference-model/1';
const WEIGHTS_FILE = 'weights.bin';

/**
 * Encodes a header and named tensors into `model.json` content and the weights buffer.
 *
 * @example
 * const { modelJson, weightData } = await encodeModel({ modelType: 'factor-vae', config }, model.params());
 */
export async function encodeModel(header: ModelHeader, tensors: Record<string, tf.Tensor>): Promise<EncodedModel> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return { modelJson: { ...header, format: FORMAT, weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }] }, weightData: data };
}

/**
 * Decodes what {@link encodeModel} produced. The tensors belong to the caller.
 *
 * @example
 * const { header, tensors } = decodeModel(json, buffer);
 */
export function decodeModel(modelJson: unknown, weightData: ArrayBuffer, argument = 'modelJson'): { header: ModelHeader; tensors: tf.NamedTensorMap } {
  const j = modelJson as Partial<EncodedModel['modelJson']> | null;
  if (!j || typeof j !== 'object' || j.format !== FORMAT || !Array.isArray(j.weightsManifest) || typeof j.modelType !== 'string') {
    throw new DisentangleError('BAD_FILE', argument, `not a ${FORMAT} model.json`);
  }
  const specs = j.weightsManifest.flatMap((g) => g.weights);
  const expected = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1) * 4, 0);
  if (weightData.byteLength !== expected) {
    throw new DisentangleError('BAD_FILE', argument, `weights hold ${weightData.byteLength} bytes, the manifest needs ${expected}`);
  }
  const { format: _f, weightsManifest: _w, ...header } = j as EncodedModel['modelJson'];
  return { header: header as ModelHeader, tensors: tf.io.decodeWeights(weightData, specs) };
}

async function nodeFs(): Promise<typeof import('node:fs/promises')> {
  try {
    return await import('node:fs/promises');
  } catch {
    throw new DisentangleError('UNSUPPORTED', 'dir', 'saving to and loading from a directory needs Node (use encodeModel/decodeModel in a browser)');
  }
}

/**
 * Writes `model.json` + `weights.bin` into `dir` (created if needed). Node only.
 *
 * @example
 * await writeModel('out/model', { modelType: 'infogan-cr', config }, model.params());
 */
export async function writeModel(dir: string, header: ModelHeader, tensors: Record<string, tf.Tensor>): Promise<void> {
  const fs = await nodeFs();
  const { modelJson, weightData } = await encodeModel(header, tensors);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(`${dir}/${WEIGHTS_FILE}`, new Uint8Array(weightData));
  await fs.writeFile(`${dir}/model.json`, JSON.stringify(modelJson, null, 1));
}

/**
 * Reads what {@link writeModel} wrote. The tensors belong to the caller. Node only.
 *
 * @example
 * const { header, tensors } = await readModel('out/model');
 */
export async function readModel(dir: string): Promise<{ header: ModelHeader; tensors: tf.NamedTensorMap }> {
  const fs = await nodeFs();
  let json: unknown;
  let bytes: Uint8Array;
  try {
    json = JSON.parse(await fs.readFile(`${dir}/model.json`, 'utf8'));
    bytes = await fs.readFile(`${dir}/${WEIGHTS_FILE}`);
  } catch (e) {
    throw new DisentangleError('BAD_FILE', 'dir', `cannot read a model from ${dir}: ${(e as Error).message}`);
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return decodeModel(json, buffer, 'dir');
}

/** Anything with Adam-like explicit state. */
interface OptimizerState {
  step: number;
  stateTensors(): Record<string, tf.Tensor>;
  loadState(tensors: Record<string, tf.Tensor>, step: number): void;
}

/**
 * A training checkpoint: the model's files plus every optimizer's moments (`optimizer/<name>/m/i`, `…/v/i`) and
 * step counts, and the iteration to resume from. `loadInfoGanCr` / `loadFactorVae` read it as a plain model.
 */
export async function writeCheckpoint(
  dir: string,
  model: { kind: string; config: unknown; iteration: number },
  params: Record<string, tf.Tensor>,
  optimizers: Record<string, OptimizerState>,
  seed: number,
): Promise<void> {
  const tensors: Record<string, tf.Tensor> = { ...params };
  const steps: Record<string, number> = {};
  for (const [name, opt] of Object.entries(optimizers)) {
    steps[name] = opt.step;
    for (const [k, t] of Object.entries(opt.stateTensors())) tensors[`optimizer/${name}/${k}`] = t;
  }
  await writeModel(dir, { modelType: model.kind, config: model.config, iteration: model.iteration, training: { seed, optimizerSteps: steps } }, tensors);
}

/** Reads a checkpoint; `restore` copies weights and optimizer state into a freshly built model and returns the iteration. */
export async function readCheckpoint(
  dir: string,
  modelType: string,
): Promise<{ header: ModelHeader; restore(params: Record<string, tf.Variable>, optimizers: Record<string, OptimizerState>): number }> {
  const { header, tensors } = await readModel(dir);
  if (header.modelType !== modelType) {
    tf.dispose(Object.values(tensors));
    throw new DisentangleError('BAD_FILE', 'resumeFrom', `${dir} holds a '${String(header.modelType)}' checkpoint, not '${modelType}'`);
  }
  const training = header.training as { optimizerSteps?: Record<string, number> } | undefined;
  return {
    header,
    restore(params, optimizers) {
      try {
        for (const [key, v] of Object.entries(params)) {
          const t = tensors[key];
          if (!t || t.shape.join(',') !== v.shape.join(',')) throw new DisentangleError('BAD_FILE', 'resumeFrom', `${dir}: weight '${key}' is missing or has the wrong shape`);
          v.assign(t);
        }
        for (const [name, opt] of Object.entries(optimizers)) {
          const prefix = `optimizer/${name}/`;
          const state: Record<string, tf.Tensor> = {};
          for (const [k, t] of Object.entries(tensors)) if (k.startsWith(prefix)) state[k.slice(prefix.length)] = t;
          const step = training?.optimizerSteps?.[name];
          if (step === undefined) throw new DisentangleError('BAD_FILE', 'resumeFrom', `${dir}: no optimizer state for '${name}' (a saved model, not a checkpoint?)`);
          opt.loadState(state, step);
        }
      } finally {
        tf.dispose(Object.values(tensors));
      }
      return typeof header.iteration === 'number' ? header.iteration : 0;
    },
  };
}
