/**
 * Turns a model argument of the CLI into something the library can score: a directory written by a reference
 * model's `save()`, a JS module exporting a `GenerativeModel`, a `represent` function, or both, or an ONNX
 * encoder (and decoder) run by onnxruntime through `disentangle/onnx`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { recoverDirectory } from '../core/files.js';
import type { GenerativeModel, RepresentationFunction, TensorLike } from '../core/types.js';
import { loadFactorVae, loadInfoGanCr } from '../models/index.js';
import type { FactorVae, InfoGanCr } from '../models/index.js';
import { onnxModel, type OnnxLayout } from '../onnx/index.js';
import type { UdrModel } from '../selection/index.js';

/** A model as the CLI uses it. */
export interface CliModel {
  name: string;
  represent: RepresentationFunction<TensorLike>;
  /** True when `represent` samples (a FactorVAE's z): the same image then gets a new code each time, so no code cache. */
  stochastic?: boolean;
  generative?: GenerativeModel<TensorLike>;
  udr?: UdrModel<TensorLike>;
  reference?: InfoGanCr | FactorVae;
  /** Frees the model (an ONNX model releases its sessions asynchronously). */
  dispose(): void | Promise<void>;
}

/** How the CLI reads an ONNX encoder: `--layout`, `--output`, `--log-var`, `--onnx-batch-size`. */
export interface OnnxCliOptions {
  decoder?: string;
  layout?: OnnxLayout;
  output?: string;
  logVar?: string;
  batchSize?: number;
}

/** True for a model argument the CLI reads as an ONNX file. */
export function isOnnxPath(spec: string): boolean {
  return /\.onnx$/i.test(spec);
}

/**
 * An ONNX encoder (and optional decoder) as a CLI model. Its codes are a deterministic function of the image
 * (the encoder's mean output), so the code cache applies; `udr` gives UDR the mean and, when the encoder has
 * one, the log-variance output. A missing onnxruntime ends in the library's UNSUPPORTED error.
 */
export async function loadOnnxCliModel(encoder: string, options: OnnxCliOptions = {}): Promise<CliModel> {
  for (const [flag, path] of [['encoder', encoder], ['decoder', options.decoder]] as const) {
    if (path !== undefined && !existsSync(path)) throw new DisentangleError('BAD_INPUT', flag, `${path} does not exist`);
  }
  const m = await onnxModel({
    encoder,
    decoder: options.decoder,
    layout: options.layout,
    codes: options.output,
    logVar: options.logVar,
    batchSize: options.batchSize,
  });
  let generative: GenerativeModel<TensorLike> | undefined;
  try {
    if (options.decoder !== undefined) generative = m.asGenerativeModel() as GenerativeModel<TensorLike>;
  } catch (e) {
    await m.dispose();
    throw e;
  }
  return {
    name: encoder,
    represent: m.represent as RepresentationFunction<TensorLike>,
    generative,
    udr: (obs) => m.posterior(obs),
    dispose: () => m.dispose(),
  };
}

function isGenerative(x: unknown): x is GenerativeModel<TensorLike> {
  const m = x as Partial<GenerativeModel>;
  return !!m && typeof m === 'object' && typeof m.generate === 'function' && typeof m.sampleLatents === 'function' && typeof m.represent === 'function';
}

/** Loads a saved reference model directory or a JS module. `representation` picks FactorVAE's mean or sampled z. */
export async function loadCliModel(spec: string, representation: 'sample' | 'mean' = 'sample'): Promise<CliModel> {
  // A model directory whose replacement a crash interrupted is completed first (as every model load does).
  const path = await recoverDirectory(resolve(spec), { argument: 'model' });
  if (!existsSync(path)) throw new DisentangleError('BAD_INPUT', 'model', `${spec} does not exist`);
  if (statSync(path).isDirectory()) {
    const jsonPath = resolve(path, 'model.json');
    if (!existsSync(jsonPath)) throw new DisentangleError('BAD_FILE', 'model', `${spec} has no model.json (expected a directory written by save())`);
    let header: { modelType?: string } | null;
    try {
      header = JSON.parse(readFileSync(jsonPath, 'utf8')) as { modelType?: string } | null;
    } catch (e) {
      throw new DisentangleError('BAD_FILE', 'model', `${spec}/model.json: not valid JSON (${(e as Error).message})`);
    }
    if (!header || typeof header !== 'object') throw new DisentangleError('BAD_FILE', 'model', `${spec}/model.json: expected a JSON object`);
    if (header.modelType === 'infogan-cr') {
      const m = await loadInfoGanCr(path);
      const gm = m.asGenerativeModel() as GenerativeModel<TensorLike>;
      return {
        name: spec,
        represent: gm.represent,
        generative: gm,
        // tidy frees the encoder's intermediate activations; UDR disposes the returned codes.
        udr: (obs) => ({ mean: tf.tidy(() => m.encode(obs as tf.Tensor4D)) }),
        reference: m,
        dispose: () => m.dispose(),
      };
    }
    if (header.modelType === 'factor-vae') {
      const m = await loadFactorVae(path);
      const gm = m.asGenerativeModel({ representation }) as GenerativeModel<TensorLike>;
      return {
        name: spec,
        represent: gm.represent,
        stochastic: representation === 'sample',
        generative: gm,
        udr: (obs) =>
          tf.tidy(() => {
            const { mu, logVar } = m.encode(obs as tf.Tensor4D);
            return { mean: mu, logVar };
          }),
        reference: m,
        dispose: () => m.dispose(),
      };
    }
    throw new DisentangleError('BAD_FILE', 'model', `${spec}/model.json has modelType '${String(header.modelType)}'; expected 'infogan-cr' or 'factor-vae'`);
  }
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const candidate = mod.default ?? mod.model;
  const generative = isGenerative(candidate) ? candidate : undefined;
  const represent = (typeof mod.represent === 'function' ? mod.represent : typeof candidate === 'function' ? candidate : generative?.represent) as
    | RepresentationFunction<TensorLike>
    | undefined;
  if (!represent) {
    throw new DisentangleError('BAD_INPUT', 'model', `${spec} exports neither a GenerativeModel (default or 'model') nor a 'represent' function`);
  }
  const udr = typeof mod.udr === 'function' ? (mod.udr as UdrModel<TensorLike>) : async (obs: TensorLike) => ({ mean: await represent(obs) });
  return { name: spec, represent, generative, udr, dispose: () => undefined };
}

/** Loads every model, runs `body`, and frees them all, also when loading one of them or `body` fails. */
export async function withModels<T>(loaders: (() => Promise<CliModel>)[], body: (models: CliModel[]) => Promise<T>): Promise<T> {
  const models: CliModel[] = [];
  try {
    for (const load of loaders) models.push(await load());
    return await body(models);
  } finally {
    await Promise.all(models.map((m) => m.dispose()));
  }
}

/** The ONNX flags shared by evaluate and select (`--layout`, `--output`, `--log-var`, `--onnx-batch-size`). */
export interface OnnxFlags {
  layout?: OnnxLayout;
  output?: string;
  logVar?: string;
  onnxBatchSize?: number;
}

/** {@link loadOnnxCliModel}'s options from the command's flags. */
export const onnxOptions = (o: OnnxFlags, decoder?: string): OnnxCliOptions => ({ decoder, layout: o.layout, output: o.output, logVar: o.logVar, batchSize: o.onnxBatchSize });

/** The first ONNX flag given (as typed, e.g. '--log-var'), to refuse it when no ONNX model is scored. */
export function strayOnnxFlag(o: OnnxFlags): string | undefined {
  const k = (['layout', 'output', 'logVar', 'onnxBatchSize'] as const).find((key) => o[key] !== undefined);
  return k && `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
