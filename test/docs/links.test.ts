/**
 * Every relative link in the markdown the package ships resolves inside the package (issue #16): the files come
 * from `npm pack --dry-run --json`, so a link to a file that `files` leaves out (benchmarks/, examples/) fails
 * like a link to a file that does not exist. Anchors into a shipped page must name one of its headings.
 * The docs also stand alone: no page cites a file of the project's private notes outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/builtDist.js';
import { documentationPages, headingAnchors, isRelative, links } from './markdown.js';

/** The paths `npm pack` would put in the tarball. */
function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
}

describe('links in the shipped documentation', () => {
  const files = packedFiles();
  const shipped = new Set(files);
  const pages = files.filter((f) => f.endsWith('.md'));

  it('ships the README, the guides and the API reference', () => {
    for (const f of ['README.md', 'docs/getting-started.md', 'docs/api/README.md']) expect(shipped, f).toContain(f);
  });

  it('resolves every relative link and anchor to a shipped file and heading', () => {
    const broken: string[] = [];
    const anchorsOf = new Map<string, Set<string>>();
    const anchors = (page: string): Set<string> => {
      if (!anchorsOf.has(page)) anchorsOf.set(page, headingAnchors(readFileSync(join(ROOT, page), 'utf8')));
      return anchorsOf.get(page) as Set<string>;
    };
    for (const page of pages) {
      for (const link of links(page, readFileSync(join(ROOT, page), 'utf8'))) {
        const [pathPart, anchor] = link.target.split('#') as [string, string | undefined];
        if (!isRelative(link.target) && !link.target.startsWith('#')) continue;
        const target = pathPart === '' ? page : normalize(join(dirname(page), decodeURIComponent(pathPart.split('?')[0])));
        const isDir = target.endsWith('/') || files.some((f) => f.startsWith(`${target}/`));
        if (!shipped.has(target) && !isDir) broken.push(`${page}:${link.line}: ${link.target} (not in the package)`);
        else if (anchor && target.endsWith('.md') && !anchors(target).has(anchor)) broken.push(`${page}:${link.line}: ${link.target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('cites no file outside the repository', () => {
    const outside = /\bapi\.md\b|reference-algorithms\.md|\breview\.md\b|\.\.\/shared\b/;
    const hits = documentationPages(ROOT).flatMap((page) =>
      readFileSync(join(ROOT, page), 'utf8')
        .split('\n')
        .flatMap((l, i) => (outside.test(l) ? [`${page}:${i + 1}: ${l.trim().slice(0, 100)}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it('names one repository everywhere: package.json and the pages agree', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { repository?: { url?: string }; homepage?: string; bugs?: { url?: string } };
    const repo = pkg.repository?.url?.replace(/^git\+/, '').replace(/\.git$/, '');
    expect(repo).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    expect(pkg.homepage?.startsWith(repo as string)).toBe(true);
    expect(pkg.bugs?.url).toBe(`${repo}/issues`);
    const others = documentationPages(ROOT).flatMap((page) =>
      [...readFileSync(join(ROOT, page), 'utf8').matchAll(/https:\/\/github\.com\/disentangle[\w.-]*\/[\w.-]+/g)].map((m) => m[0]).filter((u) => u !== repo),
    );
    expect(others).toEqual([]);
  });
});
