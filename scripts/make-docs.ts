/**
 * Writes the API reference: markdown pages in docs/api/ (one per import path: `disentangle`,
 * `disentangle/metrics`, …), made by TypeDoc with typedoc-plugin-markdown from the TSDoc comments of src/, so
 * the reference ships in the npm package beside the guides and reads on GitHub as it does in node_modules.
 *
 *   npm run docs                              regenerate docs/api/ (commit the result)
 *   npx tsx scripts/make-docs.ts --out <dir>  write it elsewhere (test/docs/apiReference.test.ts compares)
 *
 * The settings live in typedoc.json. The code snippets of README.md and docs/ are checked by test/docs/.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application } from 'typedoc';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');

/** The page of each entry point and the import path a reader writes (TypeDoc names a page after its file). */
export const API_PAGES: readonly { page: string; importPath: string; what: string }[] = [
  { page: 'index.md', importPath: 'disentangle', what: 'what a user calls: metrics and `evaluate`, selectors, datasets, reference models, pictures, errors, types' },
  { page: 'metrics.md', importPath: 'disentangle/metrics', what: 'the disentanglement and sample-quality metrics and their registry' },
  { page: 'selection.md', importPath: 'disentangle/selection', what: 'ModelCentrality and UDR, whole or in pieces' },
  { page: 'population.md', importPath: 'disentangle/population', what: 'population runs: units, shards, result files and the merge' },
  { page: 'models.md', importPath: 'disentangle/models', what: 'the reference InfoGAN-CR and FactorVAE models, their trainers and the shape classifier' },
  { page: 'data.md', importPath: 'disentangle/data', what: 'dSprites (procedural and the real file), array datasets, sampling' },
  { page: 'viz.md', importPath: 'disentangle/viz', what: 'latent traversals as PNG and GIF' },
  { page: 'estimators.md', importPath: 'disentangle/estimators', what: 'the scikit-learn-exact classifiers and regressors behind the metrics' },
  { page: 'onnx.md', importPath: 'disentangle/onnx', what: 'ONNX encoders and decoders through onnxruntime (optional peer dependency)' },
];

function indexPage(): string {
  return [
    '# API reference',
    '',
    'One page per import path, generated from the TSDoc comments of the source by `npm run docs`',
    '(TypeDoc with typedoc-plugin-markdown). The guides start at [the README](../../README.md) and',
    '[getting started](../getting-started.md).',
    '',
    '| import | what is there |',
    '|---|---|',
    ...API_PAGES.map((p) => `| [\`${p.importPath}\`](${p.page}) | ${p.what} |`),
    '',
    'A name exported from several paths is documented on the first page above that has it (the root first); the others link to it.',
    '',
  ].join('\n');
}

/** TypeDoc titles a page after its file name ('index', 'metrics'); the reader imports 'disentangle/metrics'. */
function retitle(dir: string): void {
  for (const { page, importPath } of API_PAGES) {
    const file = join(dir, page);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/^# .*$/m, `# ${importPath}`));
  }
}

/** Regenerates the reference in `out` (default docs/api/), replacing what was there. */
export async function makeApiReference(out = join(ROOT, 'docs/api')): Promise<string[]> {
  rmSync(out, { recursive: true, force: true });
  const app = await Application.bootstrapWithPlugins({ options: join(ROOT, 'typedoc.json'), tsconfig: join(ROOT, 'tsconfig.json'), out, logLevel: 'Error' });
  app.options.setValue('entryPoints', (app.options.getValue('entryPoints') as string[]).map((e) => resolve(ROOT, e)));
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc could not convert the project (see the messages above)');
  await app.generateOutputs(project);
  retitle(out);
  writeFileSync(join(out, 'README.md'), indexPage());
  const pages = readdirSync(out).sort();
  const expected = ['README.md', ...API_PAGES.map((p) => p.page)].sort();
  if (pages.join() !== expected.join()) throw new Error(`expected the pages ${expected.join(', ')}, TypeDoc wrote ${pages.join(', ')}`);
  return pages;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? resolve(process.argv[i + 1]) : undefined;
  const pages = await makeApiReference(out);
  console.log(`wrote ${pages.length} pages to ${out ?? 'docs/api'}`);
}
