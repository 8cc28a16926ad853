#!/usr/bin/env node
/**
 * The npm registry mirror this project is developed on serves only some platform builds of rollup's native
 * packages (tsup uses rollup for the .d.ts bundle). `npm install` then leaves the other platforms' optional
 * packages out of package-lock.json, and `npm ci` refuses the lock as out of sync. This adds the missing
 * optional entries with their real os / cpu / libc, so `npm ci` accepts the lock and every platform still
 * gets its own binary from a full registry. Run after any `npm install` that rewrites the lock:
 *   node scripts/complete-lockfile.mjs
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

/** os, cpu and libc of a rollup native package, from its name (the names follow one scheme). */
function platformOf(suffix) {
  const parts = suffix.split('-');
  const os = parts[0];
  const cpu = { 'arm': 'arm', arm64: 'arm64', x64: 'x64', ia32: 'ia32', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x' }[parts[1]];
  const abi = parts.slice(2).join('-');
  const libc = /musl/.test(abi) ? ['musl'] : /gnu/.test(abi) && os === 'linux' ? ['glibc'] : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

let added = 0;
for (const [path, meta] of Object.entries(packages)) {
  if (!path.endsWith('node_modules/rollup') || !meta.optionalDependencies) continue;
  const base = path.slice(0, -'rollup'.length);
  for (const [name, version] of Object.entries(meta.optionalDependencies)) {
    const key = `${base}${name}`;
    if (packages[key] || packages[`node_modules/${name}`]) continue;
    const suffix = name.replace('@rollup/rollup-', '');
    packages[key] = { version, ...(meta.dev ? { dev: true } : {}), license: 'MIT', optional: true, ...platformOf(suffix) };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
lock.packages = sorted;
// A temporary file in the same folder, renamed into place: an interrupted run never leaves half a lock file.
const tmpPath = new URL(`package-lock.json.tmp-${process.pid}`, lockPath);
writeFileSync(tmpPath, `${JSON.stringify(lock, null, 2)}\n`);
renameSync(tmpPath, lockPath);
console.log(`complete-lockfile: added ${added} optional platform entries`);
