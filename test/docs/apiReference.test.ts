/**
 * The API reference in docs/api/ ships in the package and is linked from the README, so it must describe this
 * source: regenerate it (TypeDoc, markdown) into a scratch folder and compare. A difference means a TSDoc
 * comment or signature changed without `npm run docs`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/builtDist.js';
import { makeApiReference } from '../../scripts/make-docs.js';

describe('API reference', () => {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  const out = mkdtempSync(join(ROOT, 'tmp', 'api-reference-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('is what `npm run docs` makes of the current source', async () => {
    const pages = await makeApiReference(out);
    expect(readdirSync(join(ROOT, 'docs/api')).sort(), 'docs/api holds exactly the generated pages').toEqual(pages);
    const stale = pages.filter((p) => readFileSync(join(out, p), 'utf8') !== readFileSync(join(ROOT, 'docs/api', p), 'utf8'));
    expect(stale, 'pages that differ from the source: run `npm run docs` and commit docs/api/').toEqual([]);
  }, 300_000);
});
