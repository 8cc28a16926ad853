import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from './errors.js';

/** Backends we know how to start. */
export type BackendName = 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/**
 * What {@link setupBackend} looks at to choose, injectable for tests or unusual hosts. Every field defaults to the
 * real environment.
 */
export interface BackendEnvironment {
  /** Imports a module by name (default: the host's dynamic `import()`); used for the optional backend packages. */
  importModule?: (specifier: string) => Promise<unknown>;
  /** True in Node (default: `process.versions.node` is set); the `tensorflow` backend is only tried there. */
  isNode?: boolean;
  /** True when WebGPU is there (default: `navigator.gpu` exists). */
  hasWebGpu?: boolean;
  /** True when a WebGL context can be created (default: tried on a canvas or OffscreenCanvas). */
  hasWebGl?: boolean;
}

/**
 * The packages that register each backend, tried in order. `@tensorflow/tfjs-node-gpu` (CUDA) and
 * `@tensorflow/tfjs-node` (libtensorflow on CPU) both register `tensorflow`.
 */
export const BACKEND_PACKAGES: Readonly<Record<BackendName, readonly string[]>> = {
  tensorflow: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'],
  webgpu: ['@tensorflow/tfjs-backend-webgpu'],
  webgl: ['@tensorflow/tfjs-backend-webgl'],
  wasm: ['@tensorflow/tfjs-backend-wasm'],
  cpu: ['@tensorflow/tfjs-backend-cpu'],
};

/** The default order: GPU backends first where they can exist, then wasm, then cpu. */
export const DEFAULT_BACKENDS: readonly BackendName[] = ['tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'];

function detectNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function detectWebGpu(): boolean {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  return nav?.gpu != null;
}

function detectWebGl(): boolean {
  try {
    const g = globalThis as {
      document?: { createElement(tag: string): { getContext(kind: string): unknown } };
      OffscreenCanvas?: new (w: number, h: number) => { getContext(kind: string): unknown };
    };
    const canvas = g.document?.createElement('canvas') ?? (g.OffscreenCanvas ? new g.OffscreenCanvas(1, 1) : undefined);
    if (!canvas) return false;
    return canvas.getContext('webgl2') != null || canvas.getContext('webgl') != null;
  } catch {
    return false;
  }
}

// The specifier is a variable so bundlers and tsc leave optional packages alone: in a browser bundle, import the
// backend package yourself (it registers itself) and setupBackend finds it registered.
const dynamicImport = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier);

/**
 * Whether `name` can exist here at all (a GPU backend needs its host; wasm and cpu run anywhere). The host is only
 * probed when that backend's turn comes, so no WebGL context is made when an earlier backend starts.
 */
function possible(name: BackendName, env: BackendEnvironment): boolean {
  if (name === 'tensorflow') return env.isNode ?? detectNode();
  if (name === 'webgpu') return env.hasWebGpu ?? detectWebGpu();
  if (name === 'webgl') return env.hasWebGl ?? detectWebGl();
  return true;
}

/** Registers `name` by importing its package (the first of {@link BACKEND_PACKAGES} that loads and registers it). */
async function register(name: BackendName, importModule: (s: string) => Promise<unknown>): Promise<boolean> {
  if (tf.findBackendFactory(name)) return true;
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else {
    for (const pkg of BACKEND_PACKAGES[name]) {
      try {
        await importModule(pkg);
      } catch {
        continue; // not installed, or (tfjs-node-gpu) its CUDA libraries are missing: try the next package
      }
      // A package built against another copy of tfjs-core registers into that copy, not ours: then it is not found.
      if (tf.findBackendFactory(name)) return true;
    }
  }
  return tf.findBackendFactory(name) != null;
}

/**
 * Sets up the fastest tfjs backend that starts here and returns its name. The default order:
 * - `tensorflow` in Node when `@tensorflow/tfjs-node-gpu` (CUDA GPU) or `@tensorflow/tfjs-node` is installed (with
 *   the same tfjs-core version as this library's);
 * - `webgpu` in a browser with `navigator.gpu` and `@tensorflow/tfjs-backend-webgpu`, then `webgl` where a WebGL
 *   context exists and `@tensorflow/tfjs-backend-webgl` is there (in a bundle, import the backend package yourself:
 *   it registers itself and is found);
 * - `wasm` (18–46× faster than cpu in Node on our measurements), then `cpu`.
 * Backend packages are imported lazily, so a bundle need not carry them all. A backend that is missing or fails to
 * start is skipped.
 *
 * @example
 * await setupBackend();            // 'tensorflow' with tfjs-node(-gpu) installed, else 'wasm' in Node
 * await setupBackend(['cpu']);     // force the pure-JS backend (bit-reproducible across machines)
 */
export async function setupBackend(preferred: readonly BackendName[] = DEFAULT_BACKENDS, environment: BackendEnvironment = {}): Promise<string> {
  const importModule = environment.importModule ?? dynamicImport;
  for (const name of preferred) {
    if (!possible(name, environment)) continue;
    try {
      if (!(await register(name, importModule))) continue;
      if (await tf.setBackend(name)) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // try the next backend
    }
  }
  throw new DisentangleError('UNSUPPORTED', 'preferred', `none of the tfjs backends [${preferred.join(', ')}] could start here`);
}

/**
 * True when tfjs can compute now: a backend is in use, or the best registered one starts synchronously (tfjs
 * starts cpu or webgl on first use by itself). False when none is registered, or the best one (wasm) still needs
 * `await tf.ready()`.
 */
export function hasBackend(): boolean {
  try {
    return tf.engine().backend != null;
  } catch {
    return false;
  }
}

/**
 * Makes sure tfjs has a backend to compute on, for async entry points: keeps the one in use, else starts the best
 * registered one, else runs {@link setupBackend} with its default order (wasm, then cpu). Returns the name in use.
 * So `computeMig`, `trainFactorVae` and the other async entries work in a process that never called
 * `setupBackend()`, instead of failing with tfjs's "No backend found in registry".
 */
export async function ensureBackend(): Promise<string> {
  if (hasBackend()) return tf.getBackend();
  try {
    await tf.ready();
    if (hasBackend()) return tf.getBackend();
  } catch {
    // nothing registered, or nothing registered starts: set one up below
  }
  return setupBackend();
}

/**
 * For synchronous entry points, which cannot load a backend package: throws `UNSUPPORTED` naming `fn` when tfjs
 * has no backend to compute on, with what to do about it.
 */
export function requireBackend(fn: string): void {
  if (!hasBackend()) {
    throw new DisentangleError(
      'UNSUPPORTED',
      fn,
      'no tfjs backend is set up in this process; call `await setupBackend()` (from disentangle) once first. ' +
        'Async entry points (computeMig, trainFactorVae, ...) set one up by themselves; synchronous ones cannot load it',
    );
  }
}
