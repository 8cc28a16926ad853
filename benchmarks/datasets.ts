/**
 * Load time, peak memory and draw speed of every data set loader, each on a stand-in file in the published
 * layout (built by the loader's own module in benchmarks/lib/datasets/, in a temporary folder, full size where
 * the disk allows). Each module runs in its own process, so one loader's heap does not colour the next one's
 * peak memory. Run: npx tsx benchmarks/datasets.ts [--quick] [--only shapes3d,mpi3d]
 *   → benchmarks/results/datasets.json (one entry per loader; a run of some keeps the others).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/core/files.js';

const RESULTS = new URL('./results/datasets.json', import.meta.url).pathname;
const LIB = new URL('./lib/datasets/', import.meta.url).pathname;
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',')) : undefined;

// Child mode: run one module and print its result as the last line of stdout.
const childAt = args.indexOf('--module');
if (childAt >= 0) {
  const mod = (await import(join(LIB, `${args[childAt + 1]}.ts`))) as { run(quick: boolean): Promise<Record<string, unknown>> };
  const result = await mod.run(quick);
  process.stdout.write(`\n${JSON.stringify({ ...result, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
} else {
  const names = readdirSync(LIB)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .filter((n) => !only || only.has(n));
  const runs: Record<string, unknown> = {};
  let failed = 0;
  for (const name of names) {
    process.stderr.write(`▶ ${name}\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--module', name, ...(quick ? ['--quick'] : [])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !last.startsWith('{')) {
      failed++;
      process.stderr.write(`  ${name}: exit ${r.status}\n`);
      continue;
    }
    runs[name] = { date: new Date().toISOString(), quick, ...JSON.parse(last) };
    process.stderr.write(`  ${last}\n`);
  }
  if (!quick) {
    const before = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as { runs?: Record<string, unknown> }) : {};
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadAverage: loadavg().map((x) => Number(x.toFixed(2))) };
    const note = 'One entry per loader, each run in its own process on a stand-in file in the published layout; peakRssMb is that process\'s peak resident memory.';
    await writeFileAtomic(RESULTS, `${JSON.stringify({ note, machine, runs: { ...before.runs, ...runs } }, null, 2)}\n`);
  }
  process.exitCode = failed > 0 ? 1 : 0;
}
