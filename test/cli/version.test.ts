/**
 * `disentangle --version` prints the version of the package it runs from: the built CLI reads package.json next
 * to its own folder at run time, as it lies in the tarball (node_modules/disentangle/{package.json,dist/cli.js}).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/cli/packageRoot.js';
import { requireBuiltDist, ROOT } from '../helpers/builtDist.js';

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('disentangle --version', () => {
  beforeAll(() => requireBuiltDist(['dist/cli.js']));

  it('prints the version in package.json, from the built CLI, wherever it is started', () => {
    for (const flag of ['--version', '-V']) {
      const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), flag], { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('packageRoot', () => {
  let dir = '';
  beforeAll(() => {
    // A consumer project with the package installed, as npm lays out the tarball.
    dir = mkdtempSync(join(tmpdir(), 'disentangle-root-'));
    mkdirSync(join(dir, 'node_modules/disentangle/dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '9.9.9' }));
    writeFileSync(join(dir, 'node_modules/disentangle/package.json'), JSON.stringify({ name: 'disentangle', version: '1.2.3' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds disentangle's own package.json above dist/, not the consumer's", () => {
    expect(packageRoot(join(dir, 'node_modules/disentangle/dist'))).toBe(join(dir, 'node_modules/disentangle'));
  });

  it('finds the repository root from the sources, and nothing outside a package', () => {
    expect(packageRoot(join(ROOT, 'src/cli'))).toBe(ROOT);
    expect(packageRoot(dir)).toBeUndefined();
  });
});
