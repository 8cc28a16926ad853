/**
 * Builds and checks the user documentation.
 *
 *   npx tsx scripts/make-docs.ts                 run every ```ts example of docs/getting-started.md and docs/metrics/
 *   npx tsx scripts/make-docs.ts docs/metrics/mig.md   only the examples of the given pages
 *   npx tsx scripts/make-docs.ts --api           also regenerate the API reference (typedoc → docs/api)
 *
 * Each example is written to tmp/doc-examples/ (git-ignored) with `from 'disentangle'` rewritten to the source
 * tree, and run with tsx; a block containing the comment `// not run` is skipped (it needs a file, a browser or a
 * package the repository does not have). Exits non-zero when an example fails, so the pages cannot rot silently.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const OUT_DIR = 'tmp/doc-examples';

function defaultPages(): string[] {
  const metrics = readdirSync('docs/metrics')
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs/metrics', f));
  return ['docs/getting-started.md', ...metrics.sort()];
}

function examples(page: string): string[] {
  return [...readFileSync(page, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

function runExample(page: string, index: number, code: string): boolean {
  // The scratch file sits two levels below the repository root.
  const source = code.replace(/from 'disentangle(\/[a-z]+)?'/g, "from '../../src/index.ts'");
  const file = join(OUT_DIR, `${basename(page, '.md')}-${index}.mts`);
  writeFileSync(file, source);
  try {
    execFileSync('npx', ['tsx', file], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
    console.log(`ok    ${page} #${index}`);
    return true;
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? e);
    const tail = stderr.split('\n').filter((l) => l.length < 400 && !l.startsWith('npm warn')).slice(-12);
    console.log(`FAIL  ${page} #${index}\n${tail.join('\n')}`);
    return false;
  }
}

const args = process.argv.slice(2);
const pages = args.filter((a) => a.endsWith('.md'));
mkdirSync(OUT_DIR, { recursive: true });
let failures = 0;
let skipped = 0;
for (const page of pages.length ? pages : defaultPages()) {
  examples(page).forEach((code, i) => {
    if (code.includes('// not run')) skipped++;
    else if (!runExample(page, i, code)) failures++;
  });
}
console.log(`${failures} failed, ${skipped} skipped (marked "// not run")`);
if (args.includes('--api')) execFileSync('npx', ['typedoc'], { stdio: 'inherit' });
process.exitCode = failures ? 1 : 0;
