/**
 * Models named by a path, the one loader the CLI and population runs share: a saved reference model directory or
 * a JS module. ONNX files are read by `disentangle/onnx` (an optional peer dependency), which the CLI adds on top.
 * Node built-ins are imported on first use, so browser bundles still load.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { recoverDirectory } from '../core/files.js';
import { nodeFs } from '../core/readFiles.js';
import type { GenerativeModel, PosteriorFunction, RepresentationFunction, TensorLike } from '../core/types.js';
import { loadFactorVae, type FactorVae } from './factorVae.js';
import { loadInfoGanCr, type InfoGanCr } from './infoganCr.js';

/** A model read from a path: its representation, and what else the file offers (generator, posterior). */
export interface LoadedModel {
  name: string;
  represent: RepresentationFunction<TensorLike>;
  /** True when `represent` samples (a FactorVAE's z): the same image then gets a new code each time, so no code cache. */
  stochastic?: boolean;
  generative?: GenerativeModel<TensorLike>;
  /** Encoder means (and log-variances) for UDR. */
  udr?: PosteriorFunction<TensorLike>;
  reference?: InfoGanCr | FactorVae;
  /** Frees the model (an ONNX model releases its sessions asynchronously). */
  dispose(): void | Promise<void>;
}

function isGenerative(x: unknown): x is GenerativeModel<TensorLike> {
  const m = x as Partial<GenerativeModel>;
  return !!m && typeof m === 'object' && typeof m.generate === 'function' && typeof m.sampleLatents === 'function' && typeof m.represent === 'function';
}

/**
 * Loads a model from a path: a directory written by a reference model's `save()` (InfoGAN-CR or FactorVAE), or
 * a JS module exporting a `GenerativeModel` (default export or `model`), a `represent` function, and optionally
 * `udr` (observations → `{ mean, logVar? }`). `representation` picks a FactorVAE's sampled z (default, as
 * InfoGAN-CR) or its mean (as disentanglement_lib). Node only. Free the model with `dispose()`.
 *
 * @example
 * const m = await loadModelSpec('models/population/factor-vae-g10-s0', 'mean');
 * try { await evaluate({ represent: m.represent, dataset: dsprites(), metrics: ['mig'] }); } finally { await m.dispose(); }
 */
export async function loadModelSpec(spec: string, representation: 'sample' | 'mean' = 'sample'): Promise<LoadedModel> {
  // A model directory whose replacement a crash interrupted is completed first (as every model load does).
  if (typeof spec !== 'string' || spec === '') throw new DisentangleError('BAD_INPUT', 'model', `expected a path, got ${String(spec)}`);
  const fs = await nodeFs('model', 'loading a model from a path needs Node');
  const { resolve } = await import('node:path');
  const path = await recoverDirectory(resolve(spec), { argument: 'model' });
  const stat = await fs.stat(path).catch(() => undefined);
  if (!stat) throw new DisentangleError('BAD_INPUT', 'model', `${spec} does not exist`);
  if (stat.isDirectory()) {
    const jsonPath = resolve(path, 'model.json');
    const text = await fs.readFile(jsonPath, 'utf8').catch(() => undefined);
    if (text === undefined) throw new DisentangleError('BAD_FILE', 'model', `${spec} has no model.json (expected a directory written by save())`);
    let header: { modelType?: string } | null;
    try {
      header = JSON.parse(text) as { modelType?: string } | null;
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
  const { pathToFileURL } = await import('node:url');
  const mod = (await import(/* @vite-ignore */ pathToFileURL(path).href)) as Record<string, unknown>;
  const candidate = mod.default ?? mod.model;
  const generative = isGenerative(candidate) ? candidate : undefined;
  const represent = (typeof mod.represent === 'function' ? mod.represent : typeof candidate === 'function' ? candidate : generative?.represent) as
    | RepresentationFunction<TensorLike>
    | undefined;
  if (!represent) {
    throw new DisentangleError('BAD_INPUT', 'model', `${spec} exports neither a GenerativeModel (default or 'model') nor a 'represent' function`);
  }
  const udr = typeof mod.udr === 'function' ? (mod.udr as PosteriorFunction<TensorLike>) : async (obs: TensorLike) => ({ mean: await represent(obs) });
  return { name: spec, represent, generative, udr, dispose: () => undefined };
}

/** Loads every model, runs `body`, and frees them all, also when loading one of them or `body` fails. */
export async function withModels<T>(loaders: (() => Promise<LoadedModel>)[], body: (models: LoadedModel[]) => Promise<T>): Promise<T> {
  const models: LoadedModel[] = [];
  try {
    for (const load of loaders) models.push(await load());
    return await body(models);
  } finally {
    await Promise.all(models.map((m) => m.dispose()));
  }
}

