import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeBlocks, headingAnchors, isRelative, links } from './markdown.js';

const PAGE = [
  '# Title',
  '',
  'See [a](other.md#part), ![img](images/x.png) and [web](https://example.com), `[not](code.md)`.',
  '',
  '<!-- not checked: a fragment of a larger program -->',
  '```ts',
  'const a = 1;',
  '```',
  '',
  '- item',
  '',
  '  ```js',
  '  export const b = 2;',
  '  ```',
  '',
  '```sh',
  '# [no](link.md)',
  '```',
  '## Title',
  '### The `x()` call, again!',
].join('\n');

describe('markdown reading for the docs tests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'disentangle-md-'));
  writeFileSync(join(dir, 'page.md'), PAGE);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds fenced blocks with language, first code line, indentation removed and fragment reasons', () => {
    const blocks = codeBlocks(dir, 'page.md');
    expect(blocks.map((b) => [b.lang, b.line, b.code, b.notChecked])).toEqual([
      ['ts', 7, 'const a = 1;\n', 'a fragment of a larger program'],
      ['js', 13, 'export const b = 2;\n', undefined],
      ['sh', 17, '# [no](link.md)\n', undefined],
    ]);
  });

  it('finds links outside code, and tells relative ones', () => {
    expect(links('page.md', PAGE).map((l) => [l.line, l.target])).toEqual([
      [3, 'other.md#part'],
      [3, 'images/x.png'],
      [3, 'https://example.com'],
    ]);
    expect(['other.md', '../x.md', 'docs/api/README.md'].every(isRelative)).toBe(true);
    expect(['https://x.org/a.md', 'mailto:a@b.c', '//cdn/x.js', '#top'].some(isRelative)).toBe(false);
  });

  it("makes GitHub's heading anchors, numbering repeats", () => {
    expect([...headingAnchors(PAGE)]).toEqual(['title', 'title-1', 'the-x-call-again']);
  });
});
