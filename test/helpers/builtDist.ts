/**
 * The CLI and package tests run what ships: `dist/`. `npm test` builds first (the `pretest` script), so here a
 * missing or stale build is a failure with a reason, never a silent skip.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** Throws unless every `files` (relative to the root, e.g. 'dist/cli.js') exists and is newer than `src/`. */
export function requireBuiltDist(files: readonly string[]): void {
  const sources = newestMtime(join(ROOT, 'src'));
  for (const f of files) {
    const path = join(ROOT, f);
    if (!existsSync(path)) throw new Error(`${f} is missing: run \`npm run build\` (\`npm test\` builds before testing)`);
    if (statSync(path).mtimeMs < sources) throw new Error(`${f} is older than src/: run \`npm run build\` (\`npm test\` builds before testing)`);
  }
}
