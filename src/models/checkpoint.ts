import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { recoverDirectory, writeDirectoryAtomic, writeFileAtomic } from '../core/files.js';
import { nodeFs } from '../core/readFiles.js';
import { MAX_MODEL_PARAMS } from './modelConfig.js';

/**
 * Model files: `model.json` holds the model type, its config and anything else the header carries, plus a
 * tfjs weights manifest (`weightsManifest: [{ paths: ['weights.bin'], weights: [{ name, shape, dtype }] }]`);
 * `weights.bin` holds the float32 values in manifest order. The same layout serves trained models and training
 * checkpoints (which add the optimizer moments and the iteration to resume from). A directory is written whole
 * or not at all (core/files), and every read checks the manifest against the bytes before a tensor exists.
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

/** One weight as the manifest describes it (validated: a unique name, a float32 dtype, a shape of sizes). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** A model directory read and checked, its weights still bytes (decode them with {@link decodeWeightSpecs}). */
export interface ModelFiles {
  header: ModelHeader;
  specs: WeightSpec[];
  weightData: ArrayBuffer;
  /** Where `model.json` is, for messages. */
  file: string;
}

const FORMAT = 'disentangle-reference-model/1';
const WEIGHTS_FILE = 'weights.bin';
/** No model.json of ours comes near this; a bigger one is not read into memory. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** A checkpoint holds the weights and two Adam moments per trainable weight. */
const MAX_FILE_VALUES = 3 * MAX_MODEL_PARAMS;
const MAX_WEIGHTS = 10_000;

const isRecord = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const show = (x: unknown): string => {
  const s = JSON.stringify(x);
  return s === undefined ? String(x) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/**
 * Checks a parsed `model.json` (format, modelType, iteration, a weights manifest of unique names, float32
 * dtypes, non-negative integer shapes of bounded size) and returns its header, weight specs and the byte count
 * `weights.bin` must have. Throws `BAD_FILE` naming `where` and the field.
 */
function readManifest(json: unknown, where: string, argument: string): { header: ModelHeader; specs: WeightSpec[]; bytes: number } {
  const bad = (field: string, message: string) => new DisentangleError('BAD_FILE', argument, `${where}: ${field}: ${message}`);
  if (!isRecord(json)) throw bad('(top level)', `expected a JSON object, got ${show(json)}`);
  if (json.format !== FORMAT) throw bad('format', `expected '${FORMAT}', got ${show(json.format)}`);
  if (typeof json.modelType !== 'string' || json.modelType.length === 0) throw bad('modelType', `expected a string, got ${show(json.modelType)}`);
  if (json.iteration !== undefined && !(Number.isSafeInteger(json.iteration) && (json.iteration as number) >= 0)) {
    throw bad('iteration', `expected a non-negative integer, got ${show(json.iteration)}`);
  }
  const groups = json.weightsManifest;
  if (!Array.isArray(groups) || groups.length !== 1 || !isRecord(groups[0])) throw bad('weightsManifest', 'expected one group of weights');
  const group = groups[0];
  if (!Array.isArray(group.paths) || group.paths.length !== 1 || group.paths[0] !== WEIGHTS_FILE) {
    throw bad('weightsManifest[0].paths', `expected ['${WEIGHTS_FILE}'], got ${show(group.paths)}`);
  }
  if (!Array.isArray(group.weights) || group.weights.length > MAX_WEIGHTS) throw bad('weightsManifest[0].weights', `expected a list of at most ${MAX_WEIGHTS} weights`);
  const names = new Set<string>();
  const specs: WeightSpec[] = [];
  let values = 0;
  group.weights.forEach((w: unknown, i: number) => {
    const field = `weightsManifest[0].weights[${i}]`;
    if (!isRecord(w)) throw bad(field, 'expected { name, shape, dtype }');
    if (typeof w.name !== 'string' || w.name.length === 0 || w.name.length > 256) throw bad(`${field}.name`, `expected a name, got ${show(w.name)}`);
    if (names.has(w.name)) throw bad(`${field}.name`, `'${w.name}' appears twice`);
    names.add(w.name);
    if (w.dtype !== 'float32') throw bad(`${field}.dtype`, `expected 'float32', got ${show(w.dtype)}`);
    if (w.quantization !== undefined) throw bad(`${field}.quantization`, 'quantized weights are not a reference model of ours');
    const shape = w.shape;
    if (!Array.isArray(shape) || shape.length > 6 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw bad(`${field}.shape`, `expected up to 6 non-negative integer sizes, got ${show(shape)}`);
    }
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    values += size;
    if (size > MAX_FILE_VALUES || values > MAX_FILE_VALUES) throw bad(`${field}.shape`, `[${shape}] takes the file past ${MAX_FILE_VALUES} values`);
    specs.push({ name: w.name, shape: [...(shape as number[])], dtype: 'float32' });
  });
  const { format: _f, weightsManifest: _w, ...header } = json;
  return { header: header as ModelHeader, specs, bytes: values * 4 };
}

/**
 * Tensors for the specs `wanted` accepts (all by default), cut from bytes whose count matched the checked
 * manifest. The caller owns them; on a failure midway the ones made are disposed.
 */
export function decodeWeightSpecs(specs: readonly WeightSpec[], weightData: ArrayBuffer, wanted?: (name: string) => boolean): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  let offset = 0;
  try {
    for (const s of specs) {
      const size = s.shape.reduce((a, b) => a * b, 1);
      if (!wanted || wanted(s.name)) out[s.name] = tf.tensor(new Float32Array(weightData.slice(offset, offset + size * 4)), s.shape, 'float32');
      offset += size * 4;
    }
  } catch (e) {
    tf.dispose(Object.values(out));
    throw e;
  }
  return out;
}

/**
 * Checks that the weights a file holds are exactly what a freshly built model (and its optimizers) expect: every
 * expected name present with its shape; no other name except under `optionalPrefix` (a checkpoint's optimizer
 * state, which a plain load ignores). Throws `BAD_FILE` naming the file and the weight.
 */
export function checkWeightSpecs(
  expected: Record<string, { shape: readonly number[] }>,
  specs: readonly WeightSpec[],
  file: string,
  argument: string,
  optionalPrefix?: string,
): void {
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const [name, v] of Object.entries(expected)) {
    const s = byName.get(name);
    if (!s) throw new DisentangleError('BAD_FILE', argument, `${file}: weight '${name}' is missing`);
    if (s.shape.join(',') !== v.shape.join(',')) throw new DisentangleError('BAD_FILE', argument, `${file}: weight '${name}' has shape [${s.shape}], expected [${v.shape}]`);
  }
  for (const s of specs) {
    if (!(s.name in expected) && !(optionalPrefix && s.name.startsWith(optionalPrefix))) {
      throw new DisentangleError('BAD_FILE', argument, `${file}: weight '${s.name}' belongs to no layer of this model`);
    }
  }
}

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
 * Decodes what {@link encodeModel} produced, after checking the manifest and that the buffer holds exactly the
 * bytes it describes (`BAD_FILE` naming the field otherwise; no tensor is made then). The tensors belong to the caller.
 *
 * @example
 * const { header, tensors } = decodeModel(json, buffer);
 */
export function decodeModel(modelJson: unknown, weightData: ArrayBuffer, argument = 'modelJson'): { header: ModelHeader; tensors: tf.NamedTensorMap } {
  const { header, specs, bytes } = readManifest(modelJson, 'model.json', argument);
  if (Object.prototype.toString.call(weightData) !== '[object ArrayBuffer]') throw new DisentangleError('BAD_FILE', argument, `weightData: expected an ArrayBuffer, got ${show(weightData)}`);
  if (weightData.byteLength !== bytes) {
    throw new DisentangleError('BAD_FILE', argument, `weights hold ${weightData.byteLength} bytes, the manifest needs ${bytes}`);
  }
  return { header, tensors: decodeWeightSpecs(specs, weightData) };
}

/**
 * Writes `model.json` + `weights.bin` into `dir`, replacing a model already there whole or not at all (other
 * entries of the directory are kept). Node only.
 *
 * @example
 * await writeModel('out/model', { modelType: 'infogan-cr', config }, model.params());
 */
export async function writeModel(dir: string, header: ModelHeader, tensors: Record<string, tf.Tensor>, argument = 'dir'): Promise<void> {
  if (typeof dir !== 'string' || dir.length === 0) throw new DisentangleError('BAD_OPTION', argument, `expected a directory path, got ${show(dir)}`);
  const { modelJson, weightData } = await encodeModel(header, tensors);
  await writeDirectoryAtomic(
    dir,
    async (tmp) => {
      await writeFileAtomic(`${tmp}/${WEIGHTS_FILE}`, new Uint8Array(weightData), argument);
      await writeFileAtomic(`${tmp}/model.json`, JSON.stringify(modelJson, null, 1), argument);
    },
    argument,
  );
}

/**
 * Reads and checks a model directory without making tensors: finishes an interrupted replacement first, then
 * checks `model.json` (size, JSON, manifest) and that `weights.bin` has exactly the manifest's byte count before
 * reading it. Throws `BAD_FILE` naming the file and the field.
 */
export async function readModelFiles(dir: string, argument = 'dir'): Promise<ModelFiles> {
  if (typeof dir !== 'string' || dir.length === 0) throw new DisentangleError('BAD_OPTION', argument, `expected a directory path, got ${show(dir)}`);
  const fs = await nodeFs(argument, 'saving to and loading from a directory needs Node (use encodeModel/decodeModel in a browser)');
  const root = await recoverDirectory(dir, { argument });
  const file = `${dir}/model.json`;
  const fail = (what: string, e?: unknown) =>
    new DisentangleError('BAD_FILE', argument, `${what}${e ? `: ${(e as { code?: string }).code === 'ENOENT' ? 'missing' : (e as Error).message}` : ''}`);
  let text: string;
  try {
    const st = await fs.stat(`${root}/model.json`);
    if (!st.isFile()) throw fail(`${file}: not a file`);
    if (st.size > MAX_JSON_BYTES) throw fail(`${file}: ${st.size} bytes, more than a model.json can be (${MAX_JSON_BYTES})`);
    text = await fs.readFile(`${root}/model.json`, 'utf8');
  } catch (e) {
    throw e instanceof DisentangleError ? e : fail(`cannot read a model from ${dir}: ${file}`, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const { header, specs, bytes } = readManifest(json, file, argument);
  const weightsFile = `${dir}/${WEIGHTS_FILE}`;
  let data: Uint8Array;
  try {
    const st = await fs.stat(`${root}/${WEIGHTS_FILE}`);
    if (st.size !== bytes) throw fail(`${weightsFile}: holds ${st.size} bytes, the manifest in model.json needs ${bytes}`);
    data = await fs.readFile(`${root}/${WEIGHTS_FILE}`);
  } catch (e) {
    throw e instanceof DisentangleError ? e : fail(weightsFile, e);
  }
  if (data.byteLength !== bytes) throw fail(`${weightsFile}: holds ${data.byteLength} bytes, the manifest in model.json needs ${bytes}`);
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return { header, specs, weightData, file };
}

/**
 * Reads what {@link writeModel} wrote, checked as {@link readModelFiles} does. The tensors belong to the caller. Node only.
 *
 * @example
 * const { header, tensors } = await readModel('out/model');
 */
export async function readModel(dir: string): Promise<{ header: ModelHeader; tensors: tf.NamedTensorMap }> {
  const { header, specs, weightData } = await readModelFiles(dir);
  return { header, tensors: decodeWeightSpecs(specs, weightData) };
}
