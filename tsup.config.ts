import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    metrics: 'src/metrics/index.ts',
    selection: 'src/selection/index.ts',
    models: 'src/models/index.ts',
    data: 'src/data/index.ts',
    estimators: 'src/estimators/index.ts',
    viz: 'src/viz/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  // tfjs-core's gradient registrations live behind a deep import; bundle it so consumers get them.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
