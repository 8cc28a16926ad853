/**
 * Reads the project's markdown the way the docs tests need it: fenced code blocks with their language and the
 * line they start on, and relative links. Shared by the snippet test and the tarball link test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A fenced code block of a markdown page. */
export interface CodeBlock {
  /** Page path relative to the repository root, e.g. 'docs/metrics/mig.md'. */
  page: string;
  /** First word of the fence's info string ('ts', 'js', 'sh', '' …). */
  lang: string;
  /** 1-based line number of the first code line (the line after the opening fence). */
  line: number;
  /** The code, with the fence's indentation removed. */
  code: string;
  /** The reason given by a `<!-- not checked: reason -->` comment right before the fence, if any. */
  notChecked?: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;
const NOT_CHECKED = /^\s*<!--\s*not checked:\s*(.*?)\s*-->\s*$/;

/** The fenced code blocks of one page, in order. */
export function codeBlocks(root: string, page: string): CodeBlock[] {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    let previous = i - 1;
    while (previous >= 0 && lines[previous].trim() === '') previous--;
    const notChecked = previous >= 0 ? NOT_CHECKED.exec(lines[previous])?.[1] : undefined;
    const body: string[] = [];
    let k = i + 1;
    for (; k < lines.length; k++) {
      const close = lines[k].trim();
      if (close.startsWith(fence) && close.replace(/[`~]/g, '') === '') break;
      body.push(lines[k].startsWith(indent) ? lines[k].slice(indent.length) : lines[k]);
    }
    blocks.push({ page, lang: lang.toLowerCase(), line: i + 2, code: body.join('\n') + '\n', notChecked });
    i = k;
  }
  return blocks;
}

/** README.md and every page under docs/ (markdown only), excluding the generated API reference. */
export function documentationPages(root: string): string[] {
  const pages = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join('docs', 'api')) walk(path);
      } else if (entry.name.endsWith('.md')) pages.push(relative(root, join(root, path)));
    }
  };
  walk('docs');
  return pages.sort();
}

/** A markdown link or image target of a page, with its line. */
export interface Link {
  page: string;
  line: number;
  target: string;
}

/** Every link target of `markdown` outside code blocks: `[text](target)`, `![alt](target)`, `<a href>`, `<img src>`. */
export function links(page: string, markdown: string): Link[] {
  const found: Link[] = [];
  let inFence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const fence = FENCE.exec(text);
    if (fence) {
      if (inFence === undefined) inFence = fence[2];
      else if (text.trim().startsWith(inFence)) inFence = undefined;
      return;
    }
    if (inFence !== undefined) return;
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push({ page, line: i + 1, target: m[1] });
    for (const m of prose.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"/g)) found.push({ page, line: i + 1, target: m[1] });
  });
  return found;
}

/** True for a link into the same repository or package (no scheme, not protocol-relative, not an anchor only). */
export function isRelative(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//') && !target.startsWith('#');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === undefined) fence = f[1];
      else if (line.trim().startsWith(fence)) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    const explicit = [...line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)].map((m) => m[1]);
    for (const id of explicit) anchors.add(id);
    if (!h) continue;
    const text = h[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}
