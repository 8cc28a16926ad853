/**
 * The documentation's code can be followed to the letter (issue #16): every ```ts snippet of README.md and
 * docs/**.md (not the generated docs/api/) type-checks under `strict` against src/, every ```js snippet runs, and
 * every ts snippet runs too unless it says `// not run: <reason>` (it needs a file, a browser or a package the
 * repository does not have). A line `console.log(x); // → 0.8` is a claim: what it prints is checked.
 * A block that is deliberately a fragment says so right before its fence with `<!-- not checked: <reason> -->`.
 *
 * Snippets run as a reader's ESM project would, against the built package: each one is transpiled and written
 * under tmp/ inside the repository, where `import … from 'disentangle'` resolves to dist/ through the package's
 * own `exports` (Node's self-reference). `npm test` builds first; a missing or stale dist fails here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltDist, ROOT } from '../helpers/builtDist.js';
import { CLAIM_FUNCTION, claimHolds, instrumentClaims, malformedClaims } from './claims.js';
import { codeBlocks, documentationPages, type CodeBlock } from './markdown.js';
import { typeCheckSnippets } from './typecheck.js';

const blocks = documentationPages(ROOT).flatMap((page) => codeBlocks(ROOT, page));
const checked = (lang: string): CodeBlock[] => blocks.filter((b) => b.lang === lang && b.notChecked === undefined);
const tsBlocks = checked('ts');
const jsBlocks = checked('js');
const NOT_RUN = /\/\/ not run: \S/;
const where = (b: CodeBlock): string => `${b.page}:${b.line}`;

/** Fragments must stay the exception: each one costs a reader a snippet they cannot paste. */
const MAX_FRAGMENTS = 3;

describe('documentation snippets', () => {
  let dir = '';

  beforeAll(() => {
    mkdirSync(join(ROOT, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'tmp', 'doc-snippets-'));
    writeFileSync(
      join(dir, 'claims.mjs'),
      [
        "import { appendFileSync } from 'node:fs';",
        "import { format } from 'node:util';",
        `globalThis.${CLAIM_FUNCTION} = (line, claim, ...args) => {`,
        '  const printed = format(...args);',
        '  console.log(printed);',
        "  appendFileSync(process.env.DOC_CLAIMS, JSON.stringify({ line, claim, printed }) + '\\n');",
        '};',
      ].join('\n'),
    );
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the snippets, and marks fragments sparingly and with a reason', () => {
    expect(tsBlocks.length).toBeGreaterThan(20);
    const fragments = blocks.filter((b) => b.notChecked !== undefined);
    for (const f of fragments) expect(f.notChecked, `${where(f)}: say why it is not checked`).toMatch(/\w{3,}.*\w{3,}/);
    expect(fragments.map(where).length, `fragments: ${fragments.map(where).join(', ')}`).toBeLessThanOrEqual(MAX_FRAGMENTS);
    // TypeScript or JavaScript under another fence would escape both checks.
    for (const b of blocks) expect(['typescript', 'javascript', 'mjs', 'tsx'], `${where(b)}: fence it as ts or js`).not.toContain(b.lang);
  });

  it('writes every claim as `console.log(…); // → value` on one line', () => {
    const bad = [...tsBlocks, ...jsBlocks].flatMap((b) => malformedClaims(b.code).map((i) => `${b.page}:${b.line + i}`));
    expect(bad).toEqual([]);
  });

  it('type-checks every ts snippet with strict on, against src/', () => {
    expect(typeCheckSnippets(ROOT, tsBlocks)).toEqual([]);
  }, 300_000);

  describe('runs against the built package', () => {
    beforeAll(() => requireBuiltDist(['dist/index.js', 'dist/onnx.js']));

    const runnable = [...tsBlocks, ...jsBlocks].filter((b) => !NOT_RUN.test(b.code));
    it.each(runnable.map((b) => [where(b), b] as const))('%s', (_, block) => {
      const name = `${block.page.replace(/[/.]/g, '_')}_L${block.line}`;
      const { code, claims } = instrumentClaims(block.code);
      const js = block.lang === 'ts' ? ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } }).outputText : code;
      const file = join(dir, `${name}.mjs`);
      const claimLog = join(dir, `${name}.claims`);
      writeFileSync(file, js);
      writeFileSync(claimLog, '');
      const r = spawnSync(process.execPath, ['--import', join(dir, 'claims.mjs'), file], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 240_000,
        env: { ...process.env, DOC_CLAIMS: claimLog },
      });
      expect(r.status, `${where(block)} exited ${r.status ?? r.signal}:\n${r.stderr.slice(-3000)}`).toBe(0);
      const seen = readFileSync(claimLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { line: number; claim: string; printed: string });
      expect(seen.length, `${where(block)}: every claim printed`).toBe(claims);
      for (const s of seen) expect(claimHolds(s.printed, s.claim), `${block.page}:${block.line + s.line} printed ${s.printed}, the page says ${s.claim}`).toBe(true);
      // A model module for `disentangle evaluate --model` is only proven by the command it is written for.
      if (block.lang === 'js' && /export (?:async )?function represent\b|export const represent\b/.test(block.code)) {
        requireBuiltDist(['dist/cli.js']);
        const cli = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'evaluate', '--model', file, '--metrics', 'mig', '--sample-scale', '0.02', '--quiet'], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 240_000,
        });
        expect(cli.status, `${where(block)} through the CLI:\n${cli.stderr}`).toBe(0);
        expect(cli.stdout).toMatch(/mig\s+score\s+\d\.\d{3}/);
      }
    }, 240_000);
  });
});
