import { defineConfig } from 'tsup';

// tfjs-core's gradient registrations live behind a deep import; bundle it so consumers get them.
const noExternal = [/^@tensorflow\/tfjs-core\/dist\//];

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      metrics: 'src/metrics/index.ts',
      selection: 'src/selection/index.ts',
      population: 'src/population/index.ts',
      models: 'src/models/index.ts',
      data: 'src/data/index.ts',
      estimators: 'src/estimators/index.ts',
      viz: 'src/viz/index.ts',
      onnx: 'src/onnx/index.ts',
      // Started by URL from the chunk that runs parallel boosting (see src/core/threads.ts), never imported.
      gradientBoostingWorker: 'src/estimators/trees/gradientBoostingWorker.ts',
    },
    format: ['esm', 'cjs'],
    // The CommonJS build needs import.meta.url to find the worker module next to it.
    shims: true,
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
    splitting: true,
    noExternal,
    // Optional peer dependencies of disentangle/onnx: loaded at run time when installed, never bundled.
    external: ['onnxruntime-web', 'onnxruntime-node', 'h5wasm', 'h5wasm/node'],
  },
  {
    // The CLI is ESM only; esbuild keeps the shebang of the entry.
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    splitting: false,
    noExternal,
  },
]);
