/**
 * Packs the built library, installs the tarball into a fresh project, and checks that the root and every
 * subpath import from ESM and CJS, that the types resolve, and that the CLI runs from the installed package.
 * `npm test` builds first; a missing or stale build fails here with a reason instead of skipping.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltDist } from './helpers/builtDist.js';
import { arrays, zip } from './data/dspritesNpz.js';

const ROOT = resolve(__dirname, '..');
const SUBPATHS = ['', '/metrics', '/selection', '/population', '/models', '/data', '/estimators', '/viz', '/onnx'];

describe('published package', () => {
  let dir = '';

  beforeAll(() => {
    requireBuiltDist(['dist/index.js', 'dist/index.cjs', 'dist/cli.js']);
    dir = mkdtempSync(join(tmpdir(), 'disentangle-pack-'));
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
    const tarball = join(dir, out.trim().split('\n').pop() as string);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball, 'typescript@~5.9', '@types/node@^20'], {
      cwd: dir,
      stdio: 'ignore',
    });
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports the root and every subpath from ESM', () => {
    const lines = SUBPATHS.map((s, i) => `import * as m${i} from 'disentangle${s}'; if (Object.keys(m${i}).length === 0) throw new Error('empty disentangle${s}');`);
    writeFileSync(join(dir, 'esm.mjs'), `${lines.join('\n')}\nimport { createRng, DisentangleError, migFromCodes } from 'disentangle';\nconsole.log(typeof createRng(1).float(), typeof DisentangleError, typeof migFromCodes);\n`);
    const out = execFileSync('node', ['esm.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(out.trim()).toBe('number function function');
  });

  it('requires the root and every subpath from CJS', () => {
    const lines = SUBPATHS.map((s) => `if (Object.keys(require('disentangle${s}')).length === 0) throw new Error('empty disentangle${s}');`);
    writeFileSync(join(dir, 'cjs.cjs'), `${lines.join('\n')}\nconst { createRng } = require('disentangle');\nconsole.log(typeof createRng(1).int(3));\n`);
    const out = execFileSync('node', ['cjs.cjs'], { cwd: dir, encoding: 'utf8' });
    expect(out.trim()).toBe('number');
  });

  it('resolves the types of the root and the subpaths', () => {
    writeFileSync(
      join(dir, 'types.ts'),
      [
        "import { createRng, type Rng, type GroundTruthDataset, type LabelledCodes, DisentangleError } from 'disentangle';",
        "import * as metrics from 'disentangle/metrics';",
        "import * as data from 'disentangle/data';",
        "import { onnxModel, type OnnxModel } from 'disentangle/onnx';",
        'export const onnx: (o: Parameters<typeof onnxModel>[0]) => Promise<OnnxModel> = onnxModel;',
        'const r: Rng = createRng(0);',
        'const n: number = r.float();',
        "const e: DisentangleError = new DisentangleError('EMPTY', 'x', 'y');",
        'export const use = [n, e, metrics, data] as const;',
        'export type T = GroundTruthDataset | LabelledCodes;',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: true, noEmit: true, types: ['node'] }, files: ['types.ts'] }),
    );
    execFileSync(join(dir, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: dir, encoding: 'utf8' });
  });

  it('grows boosting trees on worker threads from the installed package, ESM and CJS alike', () => {
    const body = (load: string): string =>
      [
        load,
        'const rng = m.createRng(1); const n = 300; const x = new Float64Array(n * 3); const y = new Int32Array(n);',
        'for (let i = 0; i < n; i++) { y[i] = rng.int(4); x[3 * i] = y[i] + rng.normal(); x[3 * i + 1] = rng.normal(); x[3 * i + 2] = rng.normal(); }',
        'const X = { data: x, rows: n, cols: 3 };',
        'const one = m.fitGradientBoosting(X, y, { numEstimators: 10 });',
        'm.fitGradientBoostingAsync(X, y, { numEstimators: 10, workers: 2 }).then((par) => console.log(par.threads,',
        '  JSON.stringify(Array.from(par.featureImportances)) === JSON.stringify(Array.from(one.featureImportances))));',
      ].join('\n');
    writeFileSync(join(dir, 'threads.mjs'), body("import * as est from 'disentangle/estimators'; import { createRng } from 'disentangle'; const m = { ...est, createRng };"));
    writeFileSync(join(dir, 'threads.cjs'), body("const m = { ...require('disentangle/estimators'), createRng: require('disentangle').createRng };"));
    expect(execFileSync('node', ['threads.mjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('2 true');
    expect(execFileSync('node', ['threads.cjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('2 true');
  });

  it('sets a backend up by itself from the bundle, and says what to do where it cannot', () => {
    // A fresh process that never calls setupBackend(): synchronous tfjs entries explain themselves, async entries
    // load the wasm backend lazily (the dynamic import must survive bundling).
    writeFileSync(
      join(dir, 'nobackend.mjs'),
      [
        "import * as tf from '@tensorflow/tfjs-core';",
        "import { dsprites, computeMig, imageMomentEncoder, DisentangleError } from 'disentangle';",
        'const one = { data: Int32Array.of(0, 0, 0, 0, 0), shape: [1, 5] };',
        "let sync = 'no error';",
        'try { dsprites().observationsFromFactors(one); } catch (e) { sync = e instanceof DisentangleError ? `${e.code}:${e.argument}` : `raw:${e.message}`; }',
        'const mig = await computeMig({ dataset: dsprites(), represent: imageMomentEncoder(), numTrain: 200, batchSize: 50 });',
        'console.log(sync, Number.isFinite(mig.score), tf.getBackend());',
      ].join('\n'),
    );
    expect(execFileSync('node', ['nobackend.mjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('UNSUPPORTED:observationsFromFactors true wasm');
  });

  it('imports disentangle/onnx without onnxruntime installed, and says what to install when it is used', () => {
    // onnxruntime-web is an optional peer dependency: the consumer here has not installed it.
    writeFileSync(join(dir, 'x.onnx'), readFileSync(join(ROOT, 'test/fixtures/onnx/single_output.onnx')));
    writeFileSync(
      join(dir, 'onnx.mjs'),
      [
        "import { onnxModel } from 'disentangle/onnx';",
        "const r = await onnxModel({ encoder: 'x.onnx' }).then(() => 'loaded', (e) => `${e.name}:${e.code}:${e.argument}:${/onnxruntime-web/.test(e.message)}`);",
        'console.log(r);',
      ].join('\n'),
    );
    expect(execFileSync('node', ['onnx.mjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('DisentangleError:UNSUPPORTED:ort:true');
  });

  it('rejects a corrupted .npz from the bundle with BAD_FILE', () => {
    const bytes = zip(arrays());
    writeFileSync(join(dir, 'good.npz'), bytes);
    const bad = bytes.slice();
    bad[Math.floor(bad.length / 2)] ^= 0x10; // inside the deflated image data
    writeFileSync(join(dir, 'bad.npz'), bad);
    writeFileSync(
      join(dir, 'npz.mjs'),
      [
        "import { loadDsprites } from 'disentangle';",
        "const good = await loadDsprites('good.npz');",
        "const bad = await loadDsprites('bad.npz').then(() => 'loaded', (e) => `${e.name}:${e.code}`);",
        'console.log(good.factorSizes.join(","), bad);',
      ].join('\n'),
    );
    expect(execFileSync('node', ['npz.mjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('3,2,4,3,2 DisentangleError:BAD_FILE');
  });

  it('runs the CLI from the installed package, training included', () => {
    const cli = join(dir, 'node_modules/.bin/disentangle');
    const out = execFileSync(cli, ['--help'], { cwd: dir, encoding: 'utf8' });
    expect(out).toMatch(/disentangle/);
    expect(out).toMatch(/evaluate/);
    // Training needs tfjs-core's gradients, which a bundler drops when they are registered by a bare import.
    for (const backend of ['wasm', 'cpu']) {
      const trained = execFileSync(cli, ['--backend', backend, 'train', 'infogan-cr', '--out', `ic-${backend}`, '--iterations', '2', '--batch-size', '4', '--quiet'], { cwd: dir, encoding: 'utf8' });
      expect(trained).toContain('saved infogan-cr');
      expect(JSON.parse(readFileSync(join(dir, `ic-${backend}`, 'model.json'), 'utf8')).iteration).toBe(2);
    }
  });
});
