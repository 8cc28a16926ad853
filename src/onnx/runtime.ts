/**
 * The few pieces of onnxruntime that `onnxModel` touches, typed structurally so that the library's type
 * declarations never name `onnxruntime-web` or `onnxruntime-node` (both are optional peer dependencies: a
 * project without them must still type-check), plus loading the runtime and creating sessions.
 */
import { DisentangleError } from '../core/errors.js';
import { readFileBytes } from '../core/readFiles.js';

/** Element types `onnxModel` feeds a model: it casts observations and latents to the input's own type. */
export type OnnxFloatType = 'float32' | 'float64';

/** An onnxruntime tensor as far as `onnxModel` uses it (`ort.Tensor` of onnxruntime-web or -node). */
export interface OnnxTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
  dispose?(): void;
}

/** One input or output as `InferenceSession.inputMetadata` describes it (onnxruntime ≥ 1.22). */
export interface OnnxValueMetadata {
  name: string;
  isTensor?: boolean;
  type?: string;
  /** Static sizes are numbers; symbolic ones (a dynamic batch axis) are strings. */
  shape?: readonly (number | string)[];
}

/**
 * An onnxruntime `InferenceSession`, duck-typed: anything with `run`, `inputNames` and `outputNames` can be passed
 * as `encoder` or `decoder`.
 */
export interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OnnxValueMetadata[] | Readonly<Record<string, unknown>>;
  readonly outputMetadata?: readonly OnnxValueMetadata[] | Readonly<Record<string, unknown>>;
  run(feeds: Record<string, OnnxTensor>, fetches: readonly string[]): Promise<Record<string, OnnxTensor>>;
  release?(): Promise<void>;
}

/** The onnxruntime module (`import * as ort from 'onnxruntime-web'`) as far as `onnxModel` uses it. */
export interface OrtModule {
  InferenceSession: {
    create(model: Uint8Array, options?: { executionProviders?: readonly unknown[] }): Promise<OnnxSession>;
  };
  Tensor: new (type: OnnxFloatType, data: Float32Array | Float64Array, dims: readonly number[]) => OnnxTensor;
  env?: { wasm?: { numThreads?: number } };
}

/** Imports a module by name; tests replace it to simulate a machine without a runtime. */
export type ModuleImporter = (name: string) => Promise<unknown>;

// A variable specifier keeps bundlers (tsup here, and a user's bundler) from trying to resolve the optional
// runtimes at build time; `import()` of a bare name still works in Node and in bundlers that keep it external.
const defaultImporter: ModuleImporter = (name) => import(/* @vite-ignore */ name);

export const INSTALL_HINT =
  'install onnxruntime-web (npm install onnxruntime-web) or onnxruntime-node (npm install onnxruntime-node, for CUDA ' +
  'and other native execution providers), or pass the module itself as options.ort';

/** True when `m` looks like an onnxruntime module (has InferenceSession.create and Tensor). */
export function isOrtModule(m: unknown): m is OrtModule {
  const o = m as Partial<OrtModule> | null;
  return !!o && (typeof o === 'object' || typeof o === 'function') && typeof o.InferenceSession?.create === 'function' && typeof o.Tensor === 'function';
}

/** A namespace import of a CommonJS module may put the exports under `default`. */
function unwrap(m: unknown): unknown {
  if (isOrtModule(m)) return m;
  const d = (m as { default?: unknown } | null)?.default;
  return isOrtModule(d) ? d : m;
}

/**
 * The runtime to use: `ort` when the caller passed one (used as is), else onnxruntime-node, else onnxruntime-web
 * (with one wasm thread: Node has no cross-origin isolation to gain from more, and worker threads would keep a
 * script's process alive). Nothing is downloaded: onnxruntime-web's wasm binary ships inside its npm package.
 */
export async function loadOrt(ort: unknown, importer: ModuleImporter = defaultImporter): Promise<OrtModule> {
  if (ort !== undefined) {
    const m = unwrap(ort);
    if (!isOrtModule(m)) {
      throw new DisentangleError('BAD_OPTION', 'ort', 'expected the onnxruntime module (import * as ort from \'onnxruntime-web\'), with InferenceSession.create and Tensor');
    }
    return m;
  }
  const failures: string[] = [];
  for (const name of ['onnxruntime-node', 'onnxruntime-web']) {
    let m: unknown;
    try {
      m = unwrap(await importer(name));
    } catch (e) {
      failures.push(`${name}: ${(e as Error)?.message?.split('\n')[0] ?? String(e)}`);
      continue;
    }
    if (!isOrtModule(m)) {
      failures.push(`${name}: loaded, but has no InferenceSession.create`);
      continue;
    }
    if (name === 'onnxruntime-web' && m.env?.wasm) m.env.wasm.numThreads = 1;
    return m;
  }
  throw new DisentangleError('UNSUPPORTED', 'ort', `no ONNX runtime could be loaded; ${INSTALL_HINT} (${failures.join('; ')})`);
}

/** True for an existing session (duck-typed, so sessions of onnxruntime-web and -node both pass). */
export function isSession(x: unknown): x is OnnxSession {
  const o = x as Partial<OnnxSession> | null;
  return !!o && typeof o === 'object' && typeof o.run === 'function' && Array.isArray(o.inputNames) && Array.isArray(o.outputNames);
}

/** A session for `encoder` or `decoder`, and whether `onnxModel` created it (and so must release it). */
export async function openSession(
  source: unknown,
  argument: string,
  ort: () => Promise<OrtModule>,
  executionProviders: readonly unknown[] | undefined,
): Promise<{ session: OnnxSession; owned: boolean }> {
  if (isSession(source)) return { session: source, owned: false };
  let bytes: Uint8Array;
  if (typeof source === 'string') bytes = await readFileBytes(source, argument, "pass the model's bytes (await (await fetch(url)).arrayBuffer())");
  else if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else {
    const got = source === null ? 'null' : typeof source;
    throw new DisentangleError('BAD_OPTION', argument, `expected a path, the model's bytes (Uint8Array or ArrayBuffer) or an InferenceSession, got ${got}`);
  }
  if (bytes.length === 0) throw new DisentangleError('BAD_FILE', argument, 'the model is empty (0 bytes)');
  const runtime = await ort();
  try {
    const session = await runtime.InferenceSession.create(bytes, executionProviders ? { executionProviders } : undefined);
    return { session, owned: true };
  } catch (e) {
    throw new DisentangleError('BAD_FILE', argument, `onnxruntime could not load the model (${(e as Error)?.message ?? String(e)})`);
  }
}

/** The metadata of a session's input or output called `name`, when the runtime exposes it. */
export function metadataOf(session: OnnxSession, which: 'input' | 'output', name: string): OnnxValueMetadata | undefined {
  const meta = which === 'input' ? session.inputMetadata : session.outputMetadata;
  if (!meta) return undefined;
  if (Array.isArray(meta)) return (meta as OnnxValueMetadata[]).find((m) => m?.name === name);
  const m = (meta as Record<string, unknown>)[name];
  return m && typeof m === 'object' ? { name, ...(m as Omit<OnnxValueMetadata, 'name'>) } : undefined;
}

/** Releases what onnxModel created; a failing release must not hide the caller's own error. */
export async function releaseSession(session: OnnxSession): Promise<void> {
  try {
    await session.release?.();
  } catch {
    // Already released or a runtime without release: nothing left to free.
  }
}
