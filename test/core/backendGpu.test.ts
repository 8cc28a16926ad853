/**
 * setupBackend's choice of a GPU backend, with an injected importer and environment: tfjs-node(-gpu) and the
 * WebGPU package are not installed here, and Node has no WebGPU or WebGL. A fake package "loads" by registering
 * the backend name with the cpu backend's implementation, as the real packages register theirs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BACKEND_PACKAGES, DEFAULT_BACKENDS, setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';

const FAKE = ['tensorflow', 'webgpu', 'webgl'] as const;

/** An importer that "installs" the given packages (each registers `registers`) and fails for every other one. */
function importer(installed: Record<string, string | null>) {
  const calls: string[] = [];
  const importModule = async (specifier: string): Promise<unknown> => {
    calls.push(specifier);
    if (!(specifier in installed)) throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    const name = installed[specifier];
    // null: the package loads but registers into another copy of tfjs-core (a version mismatch), so not into ours
    if (name) tf.registerBackend(name, () => new MathBackendCPU());
    return {};
  };
  return { calls, importModule };
}

afterEach(async () => {
  await setupBackend(['cpu']);
  for (const name of FAKE) if (tf.findBackendFactory(name)) tf.removeBackend(name);
});

describe('setupBackend picks a GPU backend where there is one', () => {
  it('defaults: tensorflow, webgpu, webgl, wasm, cpu; tfjs-node-gpu is tried before tfjs-node', () => {
    expect(DEFAULT_BACKENDS).toEqual(['tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu']);
    expect(BACKEND_PACKAGES.tensorflow).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });

  it('picks tensorflow in Node when @tensorflow/tfjs-node is installed', async () => {
    const { calls, importModule } = importer({ '@tensorflow/tfjs-node': 'tensorflow' });
    expect(await setupBackend(undefined, { importModule, isNode: true, hasWebGpu: false, hasWebGl: false })).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(calls).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });

  it('picks tensorflow from @tensorflow/tfjs-node-gpu first, without importing tfjs-node', async () => {
    const { calls, importModule } = importer({ '@tensorflow/tfjs-node-gpu': 'tensorflow', '@tensorflow/tfjs-node': 'tensorflow' });
    expect(await setupBackend(undefined, { importModule, isNode: true, hasWebGpu: false, hasWebGl: false })).toBe('tensorflow');
    expect(calls).toEqual(['@tensorflow/tfjs-node-gpu']);
  });

  it('falls back to wasm in Node when neither tfjs-node package is installed', async () => {
    const { calls, importModule } = importer({});
    expect(await setupBackend(undefined, { importModule, isNode: true, hasWebGpu: false, hasWebGl: false })).toBe('wasm');
    expect(calls).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });

  it('falls back to wasm when tfjs-node loads but registers into another tfjs-core copy', async () => {
    const { importModule } = importer({ '@tensorflow/tfjs-node': null });
    expect(await setupBackend(undefined, { importModule, isNode: true, hasWebGpu: false, hasWebGl: false })).toBe('wasm');
    expect(tf.findBackendFactory('tensorflow')).toBeNull();
  });

  it('the real environment here (Node, no tfjs-node, no GPU): wasm, as before', async () => {
    expect(await setupBackend()).toBe('wasm');
    const y = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])));
    expect(await y.data()).toEqual(new Float32Array([6]));
    y.dispose();
  });

  it('in a browser with WebGPU: webgpu, and never tries tfjs-node', async () => {
    const { calls, importModule } = importer({ '@tensorflow/tfjs-backend-webgpu': 'webgpu', '@tensorflow/tfjs-node': 'tensorflow' });
    expect(await setupBackend(undefined, { importModule, isNode: false, hasWebGpu: true, hasWebGl: true })).toBe('webgpu');
    expect(calls).toEqual(['@tensorflow/tfjs-backend-webgpu']);
  });

  it('in a browser whose WebGPU package is not installed: webgl', async () => {
    const { calls, importModule } = importer({ '@tensorflow/tfjs-backend-webgl': 'webgl' });
    expect(await setupBackend(undefined, { importModule, isNode: false, hasWebGpu: true, hasWebGl: true })).toBe('webgl');
    expect(calls).toEqual(['@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-webgl']);
  });

  it('a backend the page registered itself is used without importing anything', async () => {
    tf.registerBackend('webgl', () => new MathBackendCPU());
    const { calls, importModule } = importer({});
    expect(await setupBackend(undefined, { importModule, isNode: false, hasWebGpu: false, hasWebGl: true })).toBe('webgl');
    expect(calls).toEqual([]);
  });

  it('without a WebGL context, webgl is skipped even when its package is there: wasm', async () => {
    const { calls, importModule } = importer({ '@tensorflow/tfjs-backend-webgl': 'webgl' });
    expect(await setupBackend(undefined, { importModule, isNode: false, hasWebGpu: false, hasWebGl: false })).toBe('wasm');
    expect(calls).toEqual([]);
  });

  it('an explicit order is kept: tensorflow is not used when not asked for', async () => {
    const { calls, importModule } = importer({ '@tensorflow/tfjs-node': 'tensorflow' });
    expect(await setupBackend(['wasm', 'cpu'], { importModule, isNode: true })).toBe('wasm');
    expect(await setupBackend(['cpu', 'tensorflow'], { importModule, isNode: true })).toBe('cpu');
    expect(calls).toEqual([]);
    expect(await setupBackend(['tensorflow', 'cpu'], { importModule, isNode: true })).toBe('tensorflow');
  });

  it('asking only for GPU backends that cannot start throws UNSUPPORTED naming preferred', async () => {
    const { importModule } = importer({});
    const e = await setupBackend(['tensorflow', 'webgpu', 'webgl'], { importModule, isNode: true, hasWebGpu: false, hasWebGl: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DisentangleError);
    expect((e as DisentangleError).code).toBe('UNSUPPORTED');
    expect((e as DisentangleError).argument).toBe('preferred');
  });
});
