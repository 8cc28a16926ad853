/**
 * `onnxModel`: a PyTorch, JAX or TensorFlow model exported to ONNX, run by onnxruntime-web (or -node), seen as the
 * library's representation function, UDR model and generative model.
 */
import { DisentangleError } from '../core/errors.js';
import { readBlock } from '../core/tensor.js';
import type { GenerativeModel, Posterior, RepresentationFunction, TensorLike } from '../core/types.js';
import { checkKnownOptions, intOption, enumOption } from '../core/validate.js';
import { createDecoder, type Decoder } from './decoder.js';
import { inputType, layoutFromShape, staticDim, toModelInput, type OnnxLayout } from './layout.js';
import { SessionRunner, rowWidth } from './runner.js';
import { loadOrt, metadataOf, openSession, releaseSession, type OnnxSession, type OrtModule } from './runtime.js';

const FN = 'onnxModel';

/** Options of {@link onnxModel}. */
export interface OnnxModelOptions {
  /** The encoder: a path (Node), the `.onnx` file's bytes, or an `InferenceSession` you created (not released by `dispose`). */
  encoder: string | Uint8Array | ArrayBuffer | OnnxSession;
  /** The decoder, z → images; needed by `asGenerativeModel()`. */
  decoder?: string | Uint8Array | ArrayBuffer | OnnxSession;
  /** The onnxruntime module (`import * as ort from 'onnxruntime-web'`); default: onnxruntime-node, else onnxruntime-web. */
  ort?: object;
  /** Axis order of the encoder's image input; default: from its input shape when the channel axis is static, else 'nchw'. */
  layout?: OnnxLayout;
  /** Encoder output used as the code; default 'mu' when present, else the only output. */
  codes?: string;
  /** Encoder output holding log-variances; default 'logvar', 'log_var' or 'logVar' when present. */
  logVar?: string;
  /** Passed to `InferenceSession.create` (e.g. ['webgpu', 'wasm'] in a browser, ['cuda', 'cpu'] with onnxruntime-node). */
  executionProviders?: readonly (string | { name: string })[];
  /** Rows per `session.run` (default 256). */
  batchSize?: number;
  /** Width of z; default the decoder's static input width. */
  latentDims?: number;
}

/** A block of codes (or log-variances), n rows of D float32 values. */
export interface OnnxCodes {
  data: Float32Array;
  shape: [number, number];
}

/** A {@link Posterior} whose blocks are the float32 arrays onnxruntime returns. */
export interface OnnxPosterior extends Posterior {
  mean: OnnxCodes;
  logVar?: OnnxCodes;
}

/** What {@link onnxModel} returns. */
export interface OnnxModel {
  /** Observations (n×h×w×c, or n×h×w for one channel) → the `codes` output, n×D. */
  represent: RepresentationFunction;
  /**
   * The encoder's posterior (the library's one `PosteriorFunction` shape, so it is a UDR model and AAM's
   * `posterior`): the code output as `mean`, and `logVar` when the encoder has one.
   */
  posterior(observations: TensorLike): Promise<OnnxPosterior>;
  /** The decoder with an N(0, I) prior and the encoder as `represent`; BAD_OPTION without a decoder. */
  asGenerativeModel(): GenerativeModel;
  /** Releases the sessions `onnxModel` created (not sessions you passed in); later calls fail. */
  dispose(): Promise<void>;
  /** The encoder's input layout in use, and where it came from. */
  readonly layout: OnnxLayout;
  readonly layoutSource: 'option' | 'model' | 'default';
  /** The encoder outputs in use. */
  readonly codesOutput: string;
  readonly logVarOutput: string | undefined;
}

const KNOWN = Object.keys({ encoder: 0, decoder: 0, ort: 0, layout: 0, codes: 0, logVar: 0, executionProviders: 0, batchSize: 0, latentDims: 0 } satisfies Record<keyof OnnxModelOptions, 0>);

/**
 * Loads an ONNX encoder (and optionally decoder) and wraps it for the library's metrics and selectors. Nothing
 * is downloaded: the runtime is the installed onnxruntime-node or onnxruntime-web (an optional peer dependency);
 * without either, `UNSUPPORTED` says what to install.
 *
 * Observations are n×h×w×c (the library's layout); they are transposed for an NCHW model and cast to the model's
 * input type (float32 or float64) in slices of `batchSize` rows.
 *
 * @example
 * import { onnxModel } from 'disentangle/onnx';
 * const model = await onnxModel({ encoder: 'encoder.onnx', decoder: 'decoder.onnx' });
 * const mig = await computeMig({ represent: model.represent, dataset: dsprites() });
 * await model.dispose();
 */
export async function onnxModel(options: OnnxModelOptions): Promise<OnnxModel> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new DisentangleError('BAD_OPTION', 'options', `${FN} expects an options object with at least encoder`);
  }
  checkKnownOptions(options, KNOWN, FN);
  if (options.encoder === undefined) throw new DisentangleError('BAD_OPTION', 'encoder', 'is required: a path, bytes or an InferenceSession');
  const batchSize = intOption(options.batchSize, 'batchSize', 256);
  const layoutOption = options.layout === undefined ? undefined : enumOption(options.layout, 'layout', ['nchw', 'nhwc'] as const, 'nchw');
  const latentDimsOption = options.latentDims === undefined ? undefined : intOption(options.latentDims, 'latentDims', 1);
  const eps = checkProviders(options.executionProviders);
  for (const k of ['codes', 'logVar'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'string') throw new DisentangleError('BAD_OPTION', k, 'expected an output name (a string)');
  }

  let runtime: Promise<OrtModule> | undefined;
  const ort = (): Promise<OrtModule> => (runtime ??= loadOrt(options.ort));
  if (options.ort !== undefined) await ort();

  const owned: OnnxSession[] = [];
  try {
    const enc = await openSession(options.encoder, 'encoder', ort, eps);
    if (enc.owned) owned.push(enc.session);
    const dec = options.decoder === undefined ? undefined : await openSession(options.decoder, 'decoder', ort, eps);
    if (dec?.owned) owned.push(dec.session);
    return await build(enc.session, dec?.session, await ort(), options, batchSize, layoutOption, latentDimsOption, owned);
  } catch (e) {
    await Promise.all(owned.map(releaseSession));
    throw e;
  }
}

function checkProviders(eps: unknown): readonly unknown[] | undefined {
  if (eps === undefined) return undefined;
  const ok = Array.isArray(eps) && eps.every((p) => typeof p === 'string' || (!!p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string'));
  if (!ok) throw new DisentangleError('BAD_OPTION', 'executionProviders', "expected an array of provider names, e.g. ['wasm'] or ['cuda', 'cpu']");
  return eps as readonly unknown[];
}

/** The only input of a session (several inputs cannot be fed from one batch of observations). */
function onlyInput(session: OnnxSession, argument: string): string {
  if (session.inputNames.length !== 1) {
    throw new DisentangleError('BAD_OPTION', argument, `has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); onnxModel feeds exactly one`);
  }
  return session.inputNames[0];
}

function pickOutputs(session: OnnxSession, options: OnnxModelOptions): { codes: string; logVar: string | undefined } {
  const names = session.outputNames;
  const list = names.map((n) => `'${n}'`).join(', ');
  const check = (name: string, option: string): string => {
    if (!names.includes(name)) throw new DisentangleError('BAD_OPTION', option, `the encoder has no output '${name}'; its outputs are ${list}`);
    return name;
  };
  let codes: string;
  if (options.codes !== undefined) codes = check(options.codes, 'codes');
  else if (names.includes('mu')) codes = 'mu';
  else if (names.length === 1) codes = names[0];
  else {
    throw new DisentangleError('BAD_OPTION', 'codes', `the encoder has ${names.length} outputs (${list}) and none is called 'mu'; pass options.codes (and options.logVar) to say which is which`);
  }
  let logVar: string | undefined;
  if (options.logVar !== undefined) logVar = check(options.logVar, 'logVar');
  else logVar = ['logvar', 'log_var', 'logVar'].find((n) => names.includes(n));
  if (logVar === codes) throw new DisentangleError('BAD_OPTION', 'logVar', `is the same output as codes ('${codes}')`);
  return { codes, logVar };
}

async function build(
  encoder: OnnxSession,
  decoderSession: OnnxSession | undefined,
  ort: OrtModule,
  options: OnnxModelOptions,
  batchSize: number,
  layoutOption: OnnxLayout | undefined,
  latentDimsOption: number | undefined,
  owned: OnnxSession[],
): Promise<OnnxModel> {
  const inputName = onlyInput(encoder, 'encoder');
  const meta = metadataOf(encoder, 'input', inputName);
  const runner = new SessionRunner(encoder, 'encoder', inputName, inputType(meta, 'encoder'));
  const { codes: codesName, logVar: logVarName } = pickOutputs(encoder, options);
  const detected = layoutFromShape(meta?.shape);
  const layout: OnnxLayout = layoutOption ?? detected ?? 'nchw';
  const layoutSource = layoutOption ? 'option' : detected ? 'model' : 'default';
  const decoder: Decoder | undefined = decoderSession ? createDecoder(decoderSession, ort, batchSize, layoutOption, latentDimsOption, layout) : undefined;
  // A single output of width 2·latentDims is read as [mu, logvar] halves (torch.chunk(h, 2, dim=1)), but only
  // when the caller or the decoder says what latentDims is: guessing from the width alone would be silent.
  const latentDims = latentDimsOption ?? decoder?.latentDims;
  let disposed = false;
  const alive = (what: string): void => {
    if (disposed) throw new DisentangleError('BAD_INPUT', what, 'the ONNX model was disposed');
  };

  async function encode(observations: TensorLike, withLogVar: boolean, fn: string): Promise<OnnxPosterior> {
    alive(fn);
    const block = await readBlock(observations, 'observations', fn);
    const rank = meta?.shape?.length;
    const { n, hwc, flat } = imageShape(block.shape, rank, fn);
    if (rank === 4) checkStaticDims(meta?.shape, hwc, layout, fn);
    const size = hwc[0] * hwc[1] * hwc[2];
    const fetch = withLogVar && logVarName ? [codesName, logVarName] : [codesName];
    let width = -1;
    let mean = new Float32Array(0);
    let logVar: Float32Array | undefined;
    let split = false;
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      const data = toModelInput(block.data, start, m, hwc, flat ? 'nhwc' : layout, runner.type);
      const dims = flat ? [m, size] : layout === 'nchw' ? [m, hwc[2], hwc[0], hwc[1]] : [m, hwc[0], hwc[1], hwc[2]];
      const out = await runner.run(ort, data, dims, fetch);
      alive(fn);
      const c = out[codesName];
      const w = rowWidth(c.dims, m, codesName, 'encoder');
      if (width < 0) {
        width = w;
        split = !logVarName && latentDims !== undefined && w === 2 * latentDims;
        const d = split ? w / 2 : w;
        mean = new Float32Array(n * d);
        if (split ? withLogVar : withLogVar && logVarName) logVar = new Float32Array(n * d);
      } else if (w !== width) {
        throw new DisentangleError('CALLBACK_RESULT', 'encoder', `output '${codesName}' has ${w} values per row in one batch and ${width} in another`);
      }
      if (split) {
        const d = w / 2;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < d; j++) {
            mean[(start + i) * d + j] = c.data[i * w + j];
            if (logVar) logVar[(start + i) * d + j] = c.data[i * w + d + j];
          }
        }
      } else {
        for (let i = 0; i < m * w; i++) mean[start * w + i] = c.data[i];
        if (logVar && logVarName) {
          const lv = out[logVarName];
          if (rowWidth(lv.dims, m, logVarName, 'encoder') !== w) {
            throw new DisentangleError('CALLBACK_RESULT', 'encoder', `output '${logVarName}' has shape [${lv.dims}], '${codesName}' has [${c.dims}]`);
          }
          for (let i = 0; i < m * w; i++) logVar[start * w + i] = lv.data[i];
        }
      }
    }
    const d = split ? width / 2 : width;
    return { mean: { data: mean, shape: [n, d] }, ...(logVar ? { logVar: { data: logVar, shape: [n, d] as [number, number] } } : {}) };
  }

  const represent: RepresentationFunction = async (observations) => (await encode(observations, false, `${FN}.represent`)).mean;

  return {
    represent,
    posterior: (observations) => encode(observations, true, `${FN}.posterior`),
    asGenerativeModel(): GenerativeModel {
      alive(`${FN}.asGenerativeModel`);
      if (!decoder) throw new DisentangleError('BAD_OPTION', 'decoder', 'asGenerativeModel needs a decoder: pass options.decoder to onnxModel');
      return decoder.generativeModel(represent, () => alive(`${FN}.generate`));
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await Promise.all(owned.map(releaseSession));
    },
    layout,
    layoutSource,
    codesOutput: codesName,
    logVarOutput: logVarName,
  };
}

/** n and (h, w, c) of a batch of observations; `flat` when the model takes n×d rows. */
function imageShape(shape: readonly number[], modelRank: number | undefined, fn: string): { n: number; hwc: [number, number, number]; flat: boolean } {
  const n = shape[0];
  if (!n) throw new DisentangleError('EMPTY', `observations (in ${fn})`, 'has no rows');
  if (modelRank === 2) return { n, hwc: [shape.slice(1).reduce((a, b) => a * b, 1), 1, 1], flat: true };
  if (shape.length === 4) return { n, hwc: [shape[1], shape[2], shape[3]], flat: false };
  if (shape.length === 3) return { n, hwc: [shape[1], shape[2], 1], flat: false };
  if (shape.length === 2 && modelRank === undefined) return { n, hwc: [shape[1], 1, 1], flat: true };
  throw new DisentangleError('SHAPE_MISMATCH', `observations (in ${fn})`, `has shape [${shape}]; expected images n×h×w×c (or n×h×w with one channel)`);
}

/** Refuses images whose size the model's static input shape contradicts, naming both shapes. */
function checkStaticDims(shape: readonly (number | string)[] | undefined, hwc: readonly [number, number, number], layout: OnnxLayout, fn: string): void {
  const want = layout === 'nchw' ? [hwc[2], hwc[0], hwc[1]] : [...hwc];
  const meta = { name: '', shape };
  for (let a = 1; a <= 3; a++) {
    const s = staticDim(meta, a);
    if (s !== undefined && s !== want[a - 1]) {
      throw new DisentangleError('SHAPE_MISMATCH', `observations (in ${fn})`, `images are ${hwc.join('×')} (h×w×c), the model's input is [${shape}] (${layout.toUpperCase()}); pass options.layout if the layout was misread`);
    }
  }
}
