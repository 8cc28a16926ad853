/**
 * Turns a model argument of the CLI into something the library can score: a directory written by a reference
 * model's `save()`, a JS module exporting a `GenerativeModel`, a `represent` function, or both, or an ONNX
 * encoder (and decoder) run by onnxruntime through `disentangle/onnx`.
 */
import { existsSync } from 'node:fs';
import { DisentangleError } from '../core/errors.js';
import type { GenerativeModel, RepresentationFunction, TensorLike } from '../core/types.js';
import type { LoadedModel } from '../models/modelSpec.js';
import { onnxModel, type OnnxLayout } from '../onnx/index.js';

/** A model as the CLI uses it: what the library's model loader returns, or an ONNX model in the same form. */
export type CliModel = LoadedModel;

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
