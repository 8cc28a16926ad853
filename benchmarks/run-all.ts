/**
 * Runs every benchmark in sequence, each in its own process so one run's heap and JIT state do not colour the
 * next. Each benchmark writes its own benchmarks/results/<name>.json; see benchmarks/README.md for the table.
 * `--quick` is passed on to the benchmarks that support it; `--only a,b` runs a subset.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('.', import.meta.url).pathname;
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',')) : undefined;
const quick = args.includes('--quick');
// Every script here only measures and writes benchmarks/results/; what trains models or writes docs lives in
// scripts/. Opt-in only (name it with --only): the loader benchmark writes and reads a full-size 737,280-image
// file (about 8 minutes); so does datasets, for every data set loader. evaluate-onnx runs its 0.1 sample scale here; its full-size run (`--scale 1`, 10+
// minutes) is opt-in by hand. Modules the benchmarks import live in lib/.
// datasets writes full-size stand-ins of the published files (Shapes3D 480,000 and MPI3D 1,036,800 images).
// population spawns the built CLI as users run it (about 6 minutes): run `npm run build` first.
const slow = new Set(['dsprites-loader', 'datasets']);
const helpers = new Set(['run-all']);

const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((n) => !helpers.has(n))
  .filter((n) => (only ? only.has(n) : !slow.has(n)));

let failed = 0;
for (const name of names) {
  process.stderr.write(`\n▶ ${name}\n`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, `${name}.ts`), ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
  process.stderr.write(`  ${name}: exit ${r.status} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
