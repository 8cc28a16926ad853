/**
 * Where the installed package lies, found at run time from this file: the CLI runs as `dist/cli.js` of the
 * tarball (node_modules/disentangle/dist/cli.js), as `dist/cli.js` of a clone, or as `src/cli/*.ts` under tsx,
 * and in every case the package root is the nearest folder above holding disentangle's package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'disentangle';

interface PackageJson {
  name?: string;
  version?: string;
}

function readPackageJson(dir: string): PackageJson | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** The folder holding disentangle's package.json, searched upwards from `from` (default: this module's folder). */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (readPackageJson(dir)?.name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The version in the package's own package.json, so `--version` never disagrees with what npm installed. */
export function packageVersion(): string {
  const root = packageRoot();
  const version = root === undefined ? undefined : readPackageJson(root)?.version;
  return version ?? 'unknown';
}

/** The trained population shipped in the package (models/population/<name>/model.json), when present. */
export function shippedPopulationDir(): string | undefined {
  const root = packageRoot();
  const dir = root === undefined ? undefined : join(root, 'models', 'population');
  return dir !== undefined && existsSync(dir) ? dir : undefined;
}
