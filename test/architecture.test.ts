import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const layerOf = (file: string): string => relative(SRC, file).split('/')[0].replace(/\.ts$/, '');

// Which layers each layer may import (besides itself). See docs/architecture.md.
const allowed: Record<string, string[]> = {
  core: [],
  estimators: ['core'],
  data: ['core'],
  metrics: ['estimators', 'data', 'core', 'models'],
  selection: ['estimators', 'data', 'core'],
  models: ['estimators', 'data', 'core'],
  viz: ['models', 'estimators', 'data', 'core'],
  // disentangle/onnx: its own entry point (onnxruntime is an optional peer dependency), so the root index never imports it.
  onnx: ['core'],
  // Populations split scoring and selection into units and run them: above every layer they drive.
  population: ['metrics', 'selection', 'models', 'viz', 'estimators', 'data', 'core'],
  cli: ['population', 'metrics', 'selection', 'models', 'viz', 'estimators', 'data', 'core', 'onnx', 'index'],
  index: ['core', 'estimators', 'data', 'metrics', 'selection', 'models', 'viz', 'population'],
};

describe('architecture', () => {
  const all = files(SRC);

  it('imports point down the layers only', () => {
    const violations: string[] = [];
    for (const f of all) {
      const from = layerOf(f);
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
        const spec = m[1] ?? m[2];
        const target = resolve(dirname(f), spec);
        const to = layerOf(target);
        if (to !== from && !(allowed[from] ?? []).includes(to)) violations.push(`${relative(SRC, f)} → ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  // Within a layer: metrics reach into models only for the two networks they run themselves, and a metric file
  // imports a sibling only for that sibling's public entry (sample quality scores with IS and Fréchet) or a
  // shared module that is not a metric; aggregators (index, registry, evaluate) import every metric.
  const siblingEdges: Record<string, RegExp> = {
    'metrics→models': /^models\/(shapeClassifier|variationPredictor)\.ts$/,
    'metrics→metrics': /^metrics\/(fixedFactor|dciScores)\.ts$/,
    'selection→selection': /^selection\/(ranking|codeReductions|centralityColumn|udrComparison)\.ts$/,
  };
  const aggregators = new Set(['metrics/index.ts', 'metrics/registry.ts', 'metrics/evaluate.ts', 'selection/index.ts']);
  const publicUses = new Set(['metrics/dspritesSampleQuality.ts → metrics/inceptionScore.ts', 'metrics/dspritesSampleQuality.ts → metrics/frechetDistance.ts', 'metrics/dci.ts → metrics/dciScores.ts']);

  it('keeps metric and selection files from serving as libraries for their siblings', () => {
    const violations: string[] = [];
    for (const f of all) {
      const from = relative(SRC, f);
      const layer = layerOf(f);
      if (!['metrics', 'selection'].includes(layer) || aggregators.has(from)) continue;
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
        const to = relative(SRC, resolve(dirname(f), m[1])).replace(/\.js$/, '.ts');
        const edge = `${layer}→${layerOf(join(SRC, to))}`;
        const rule = siblingEdges[edge];
        if (!(edge in siblingEdges) && layerOf(join(SRC, to)) !== layer) continue; // the layer rule above covers it
        if (rule?.test(to) || publicUses.has(`${from} → ${to}`) || to === from) continue;
        violations.push(`${from} → ${to}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps onnx out of the root entry point (onnxruntime is optional)', () => {
    const index = readFileSync(join(SRC, 'index.ts'), 'utf8');
    expect(index).not.toMatch(/['"]\.\/onnx\//);
  });

  it('never uses Math.random', () => {
    const offenders = all.filter((f) => /Math\.random\s*\(/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });
});
