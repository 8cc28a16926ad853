/**
 * Population runs (issue 19), through the built CLI as users run them: `npm run build`, then
 * `npx tsx benchmarks/population.ts [--quick]`. Writes benchmarks/results/population.json.
 *
 * (i) Speed-up of sharding: ModelCentrality over the shipped population (10 models, 100 pair units, reduced
 *     sizes) and UDR over its four FactorVAEs (UDR compares codes of one width: the InfoGANs have 5 codes, the
 *     FactorVAEs 10), once as one process (`--shard 1/1`) and once as two shard processes side by side (goal on
 *     2 cores ≥ 1.7×). Wall clock from spawn to exit, so process start-up and model loading count; the load
 *     average before and after each run is recorded, since other work on the machine takes cores from the shards.
 * (ii) What one unit costs (the `seconds` its file records, start-up excluded): a ModelCentrality pair at the
 *     reduced sizes and at InfoGAN-CR's defaults, a UDR unit (1,000 points), and scoring units at sample scale
 *     0.1 for a few metrics. docs/scaling.md quotes these and projects 100 and 1,000 models from them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/core/files.js';
import { median } from './lib/median.js';

const quick = process.argv.includes('--quick');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const P = 'models/population';
const tmp = mkdtempSync(join(tmpdir(), 'population-bench-'));

/** The benchmark measures what ships: a build older than src/ would measure other code. */
function newest(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
}
if (!existsSync(CLI) || statSync(CLI).mtimeMs < newest(join(ROOT, 'src'))) throw new Error('dist/cli.js is missing or older than src/: run `npm run build` first');

const ALL = readdirSync(join(ROOT, P)).filter((n) => existsSync(join(ROOT, P, n, 'model.json'))).sort().map((n) => `${P}/${n}`);
const VAES = ALL.filter((m) => m.includes('factor-vae'));

/** Runs the CLI to its end; resolves with the wall seconds from spawn to exit. */
function cli(args: readonly string[]): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, ...args, '--quiet'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`disentangle ${args.join(' ')} exited ${code}: ${stderr}`)))),
  );
}

/** The `seconds` of each unit file of a results directory, by unit id. */
function unitSeconds(results: string): Record<string, number> {
  const dir = join(results, 'units');
  return Object.fromEntries(readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => [n.replace(/\.json$/, ''), (JSON.parse(readFileSync(join(dir, n), 'utf8')) as { seconds: number }).seconds]));
}
const load = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);

/** One process, then two shard processes side by side, of the same command; then merge (timed). */
async function speedUpOnce(name: string, command: readonly string[]): Promise<Record<string, unknown>> {
  const loadBefore = load();
  const one = await cli([...command, '--results', join(tmp, `${name}-1`), '--shard', '1/1']);
  const loadBetween = load();
  const t0 = performance.now();
  const shards = await Promise.all([1, 2].map((i) => cli([...command, '--results', join(tmp, `${name}-2`), '--shard', `${i}/2`])));
  const two = (performance.now() - t0) / 1000;
  const loadAfter = load();
  const merge = await cli(['merge', join(tmp, `${name}-2`), '--json', join(tmp, `${name}-2.json`)]);
  await cli(['merge', join(tmp, `${name}-1`), '--json', join(tmp, `${name}-1.json`)]);
  const identical = readFileSync(join(tmp, `${name}-1.json`), 'utf8') === readFileSync(join(tmp, `${name}-2.json`), 'utf8');
  const seconds = Object.values(unitSeconds(join(tmp, `${name}-1`)));
  return {
    oneProcessSeconds: round(one),
    twoShardsSeconds: round(two),
    shardSeconds: shards.map((x) => round(x)),
    speedUp: round(one / two),
    mergeSeconds: round(merge),
    unitSecondsTotal: round(seconds.reduce((a, b) => a + b, 0)),
    identicalMerge: identical,
    loadavg: { before: loadBefore, between: loadBetween, after: loadAfter },
  };
}

/** `reps` repetitions of {@link speedUpOnce} (fresh results directories each time); the unit files of the last stay. */
async function speedUp(name: string, command: readonly string[], reps: number): Promise<Record<string, unknown>> {
  const runs: Record<string, unknown>[] = [];
  for (let r = 0; r < reps; r++) {
    for (const d of ['1', '2']) rmSync(join(tmp, `${name}-${d}`), { recursive: true, force: true });
    runs.push(await speedUpOnce(name, command));
    console.log(JSON.stringify({ name, ...runs[r] }));
  }
  const ups = runs.map((r) => r.speedUp as number);
  return { name, command: `disentangle ${command.join(' ')}`, units: Object.keys(unitSeconds(join(tmp, `${name}-1`))).length, speedUp: { median: round(median(ups)), best: Math.max(...ups) }, runs };
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
const stats = (xs: number[]): { n: number; median: number; min: number; max: number } => ({ n: xs.length, median: round(median(xs), 4), min: round(Math.min(...xs), 4), max: round(Math.max(...xs), 4) });

const MC = quick ? { groups: 10, groupSize: 20, scaleSetSize: 500 } : { groups: 20, groupSize: 20, scaleSetSize: 1000 };
const mcFlags = ['--groups', String(MC.groups), '--group-size', String(MC.groupSize), '--scale-set-size', String(MC.scaleSetSize)];
const SCORING = quick ? ['mig', 'sap', 'modularity', 'mcc', 'dci'] : ['factor-vae', 'beta-vae', 'mig', 'sap', 'dci', 'modularity', 'mcc'];
const SCORED = `${P}/factor-vae-g10-s0`;
const REPS = quick ? 1 : 3;

const started = new Date().toISOString();
const loadAtStart = load();
const speed = [
  await speedUp('model-centrality', ['select', '--method', 'model-centrality', '--population', ...ALL, ...mcFlags], REPS),
  await speedUp('udr-lasso', ['select', '--method', 'udr-lasso', '--population', ...VAES], REPS),
];

// (ii) Unit costs. The pair units of the speed-up run above (one process); a pair at InfoGAN-CR's default sizes
// (500 groups of 100 for 5 codes, a 73,728-image scale set): shard 1 of 4 of a two-model plan is pair-000-000
// alone, so its generator's data is not shared with other encoders (an upper bound for the pairs of a column).
const pairs = Object.values(unitSeconds(join(tmp, 'model-centrality-1')));
const udrUnits = Object.values(unitSeconds(join(tmp, 'udr-lasso-1')));
let defaultPair: Record<string, unknown> | undefined;
if (!quick) {
  const results = join(tmp, 'default-pair');
  const loadBefore = load();
  const wall = await cli(['select', '--method', 'model-centrality', '--population', `${P}/infogan-cr-s0`, `${P}/infogan-cr-s1`, '--results', results, '--shard', '1/4']);
  defaultPair = { models: 'infogan-cr-s0 on its own data (5 codes)', images: 500 * 100 + 73_728, seconds: round(unitSeconds(results)['pair-000-000']), wallSeconds: round(wall), loadavg: { before: loadBefore, after: load() } };
  console.log(JSON.stringify({ defaultPair }));
}
const scoringResults = join(tmp, 'scoring');
const scoringLoad = load();
const scoringWall = await cli(['evaluate', '--population', SCORED, '--metrics', SCORING.join(','), '--sample-scale', '0.1', '--results', scoringResults]);
const scoring = Object.fromEntries(Object.entries(unitSeconds(scoringResults)).map(([id, s]) => [id.replace(/^score-\d+-/, ''), round(s)]));
console.log(JSON.stringify({ scoring }));

const result = {
  date: started,
  quick,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadavg: { start: loadAtStart, end: load() } },
  population: { models: ALL.length, udrModels: VAES.length },
  speedUp: speed,
  unitCost: {
    pair: { sizes: MC, images: MC.scaleSetSize + MC.groups * MC.groupSize, seconds: stats(pairs), note: "a generator's data is generated once per shard and shared by its encoders: pair seconds = a column's time / its pairs" },
    pairAtDefaultSizes: defaultPair ?? 'skipped with --quick',
    udr: { numDataPoints: 1000, seconds: stats(udrUnits), note: "merge then compares every pair of models (n² Lasso or Spearman fits): see speedUp[1].runs[].mergeSeconds" },
    scoring: { model: SCORED, representation: 'sample', sampleScale: 0.1, seconds: scoring, wallSeconds: round(scoringWall), loadavg: scoringLoad },
  },
};
rmSync(tmp, { recursive: true, force: true });
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
await writeFileAtomic(new URL('./results/population.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log('wrote benchmarks/results/population.json');
