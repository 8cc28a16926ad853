/**
 * The command-line examples of the README, the guides and `--help` name models that exist: the shipped population
 * (models/population/ here, node_modules/disentangle/models/population/ once installed), and state how long a
 * command takes where the page runs one on the shipped models.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/builtDist.js';
import { codeBlocks, documentationPages } from './markdown.js';

const POPULATION = join(ROOT, 'models/population');
const shipped = readdirSync(POPULATION).filter((n) => existsSync(join(POPULATION, n, 'model.json')));

/** Model names after `models/population/` or `$P/` (the pages' shell variable for that folder), globs included. */
function modelNames(text: string): string[] {
  return [...text.matchAll(/(?:models\/population\/|\$P\/)([A-Za-z][\w*-]*)(\.json)?/g)].filter((m) => !m[2]).map((m) => m[1]);
}

function exists(name: string): boolean {
  if (!name.includes('*')) return shipped.includes(name);
  const glob = new RegExp(`^${name.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
  return shipped.some((n) => glob.test(n));
}

describe('command-line examples', () => {
  it('the package ships a population to run them on', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(4);
    const index = JSON.parse(readFileSync(join(POPULATION, 'index.json'), 'utf8')) as { models: { name: string }[] };
    expect(index.models.map((m) => m.name).sort()).toEqual([...shipped].sort());
  });

  it('name only shipped models, in the pages and in --help', () => {
    const sources: [string, string][] = documentationPages(ROOT).map((p) => [p, readFileSync(join(ROOT, p), 'utf8')]);
    sources.push(['src/cli/main.ts', readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8')]);
    const missing = sources.flatMap(([where, text]) => modelNames(text).filter((n) => !exists(n)).map((n) => `${where}: ${n}`));
    expect(missing).toEqual([]);
    expect(sources.flatMap(([, text]) => modelNames(text)).length).toBeGreaterThan(5);
  });

  it('say how long each command on the shipped models takes', () => {
    const untimed: string[] = [];
    for (const page of ['README.md', 'docs/getting-started.md']) {
      for (const block of codeBlocks(ROOT, page).filter((b) => b.lang === 'sh')) {
        block.code.split('\n').forEach((line, i) => {
          if (/npx disentangle (evaluate|select|traverse|train|demo)\b/.test(line) && modelNames(line).length + (/\bdemo\b|\btrain\b/.test(line) ? 1 : 0) > 0 && !/#.*(≈|\d+\s*(s|min|h)\b)/.test(line)) {
            untimed.push(`${page}:${block.line + i}: ${line.trim()}`);
          }
        });
      }
    }
    expect(untimed).toEqual([]);
  });
});
