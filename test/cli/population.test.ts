/**
 * Population runs through the built CLI (dist/cli.js), one process per shard as a scheduler runs them: shards
 * spawned side by side merge into exactly what one process computes (and what plain `select` picks), a shard
 * killed with SIGKILL resumes without recomputing its finished units, merge refuses foreign unit files, and
 * `--shard auto` reads Slurm's and Kubernetes' variables. The same in one process is test/population/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltDist, ROOT } from '../helpers/builtDist.js';
import { canonicalJson, sha256Hex } from '../../src/population/units.js';

const CLI = join(ROOT, 'dist/cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'disentangle-population-cli-'));
const dir = (name: string): string => join(tmp, name);
// Relative paths, as a user types them: they are part of the plan, so every run here names models alike.
const P = 'models/population';
const THREE = [`${P}/infogan-cr-s0`, `${P}/factor-vae-g10-s0`, `${P}/infogan-s1`];
const VAES = [`${P}/factor-vae-g1-s0`, `${P}/factor-vae-g10-s0`, `${P}/factor-vae-g40-s0`];
const SCORE = ['--metrics', 'mig,mcc', '--sample-scale', '0.01', '--seed', '3'];
const MC = ['--groups', '10', '--group-size', '10', '--scale-set-size', '60', '--seed', '2'];

/** The environment without any scheduler's variables of the machine running the tests. */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^SLURM_|^JOB_COMPLETION_INDEX$/.test(k))),
  ...extra,
});

interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion, synchronously. */
function cli(args: readonly string[], env: Record<string, string> = {}): Ran {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: cleanEnv(env) });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI as a separate process; `done` settles when it exits (however it exits). */
function start(args: readonly string[], env: Record<string, string> = {}): { pid: number; done: Promise<Ran> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cleanEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Ran>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { pid: child.pid!, done };
}

/** Asserts a successful run and returns its stdout. */
function ok(r: Ran): string {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** The finished unit files of a results directory (the hidden temporaries of an interrupted write excluded). */
const unitFiles = (results: string): string[] => (existsSync(join(results, 'units')) ? readdirSync(join(results, 'units')).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort() : []);
const shardLine = (stdout: string): RegExpMatchArray | null => /(\d+) of (\d+) units, (\d+) computed, (\d+) already done/.exec(stdout);

/** Three shards side by side into one directory and one process into another; both merged (JSON text returned). */
async function threeShardsAndOne(name: string, command: readonly string[]): Promise<{ three: string; one: string; shards: Ran[] }> {
  const shards = await Promise.all([1, 2, 3].map((i) => start([...command, '--results', dir(`${name}-3`), '--shard', `${i}/3`, '--quiet']).done));
  for (const s of shards) ok(s);
  ok(cli([...command, '--results', dir(`${name}-1`), '--shard', '1/1', '--quiet']));
  const merged = (which: string): string => {
    const [json, csv] = [dir(`${name}-${which}.json`), dir(`${name}-${which}.csv`)];
    const table = ok(cli(['merge', dir(`${name}-${which}`), '--json', json, '--csv', csv]));
    return `${table}\n${readFileSync(json, 'utf8')}\n${readFileSync(csv, 'utf8')}`;
  };
  return { three: merged('3'), one: merged('1'), shards };
}

/** Rewrites a unit file's fields and seals it again, as a genuine file of those fields would be. */
function resealed(path: string, change: Record<string, unknown>): void {
  const { checksum: _, ...body } = { ...(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>), ...change };
  writeFileSync(path, JSON.stringify({ ...body, checksum: sha256Hex(canonicalJson(body)) }, null, 1));
}

beforeAll(() => requireBuiltDist(['dist/cli.js']));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('population runs across processes', () => {
  it('scoring: three shard processes merge into the one-process table, byte for byte', async () => {
    const { three, one, shards } = await threeShardsAndOne('score', ['evaluate', '--population', ...THREE, ...SCORE]);
    expect(shards.map((s) => shardLine(s.stdout)?.slice(1).map(Number))).toEqual([[2, 6, 2, 0], [2, 6, 2, 0], [2, 6, 2, 0]]);
    expect(three).toBe(one);
    expect(three).toMatch(/^model,metric,field,value\n/m);
    expect(three.match(/^models\/population\/[^,]+,(mig|mcc),score,/gm)).toHaveLength(6);
    // Each unit loads its model afresh: the sampled FactorVAE's MCC is what a fresh `evaluate --model` gives.
    const json = dir('fvae-mcc.json');
    ok(cli(['evaluate', '--model', THREE[1], '--metrics', 'mcc', '--sample-scale', '0.01', '--seed', '3', '--json', json, '--quiet']));
    const merged = JSON.parse(readFileSync(dir('score-3.json'), 'utf8')) as { results: Record<string, Record<string, { score: number }>> };
    expect(merged.results[THREE[1]].mcc.score).toBe((JSON.parse(readFileSync(json, 'utf8')) as { results: { mcc: { score: number } } }).results.mcc.score);
  });

  it.each([
    ['model-centrality', THREE, MC],
    ['udr-lasso', VAES, []],
    ['udr-spearman', VAES, []],
  ] as const)('%s: three shard processes merge into the one-process selection and into plain select’s', async (method, models, sizes) => {
    const { three, one } = await threeShardsAndOne(method, ['select', '--method', method, '--population', ...models, ...sizes]);
    expect(three).toBe(one);
    expect(three).toMatch(/^1 +models\/population\/\S+ +\S+ +◀ selected$/m); // ranks print as integers
    expect(three).toMatch(/^rank,model,(centrality|UDR),selected\n1,models\/population\/[^,]+,[^,]+,yes$/m);
    const plainJson = dir(`${method}-plain.json`);
    ok(cli(['select', '--method', method, ...models, ...sizes, '--json', plainJson, '--quiet']));
    // Through JSON both sides alike (NaN → null), so equal text means equal doubles.
    const pick = (file: string): string => {
      const r = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      return JSON.stringify({ models: r.models, scores: r.scores, ranking: r.ranking, selected: r.selected, pairwise: r.pairwise });
    };
    expect(pick(dir(`${method}-3.json`))).toBe(pick(plainJson));
    if (method === 'model-centrality') return;
    // UDR's model-pair comparisons in two processes of their own (merge --shard), then the same merge.
    const results = dir(`${method}-3`);
    const runs = await Promise.all([1, 2].map((i) => start(['merge', results, '--shard', `${i}/2`]).done));
    for (const r of runs) expect(ok(r)).toMatch(/^comparisons shard [12]\/2: 3 pairs, 3 computed, 0 already done/);
    const again = dir(`${method}-again.json`);
    ok(cli(['merge', results, '--json', again]));
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(dir(`${method}-3.json`), 'utf8'));
  });

  it('kill -9 mid-way: the rerun computes only the unfinished units, and the merge equals an uninterrupted run', async () => {
    // 9 units of ≈ 0.2–0.4 s each: the poll (every 20 ms) sees the first files long before the last.
    const command = ['evaluate', '--population', ...THREE, '--metrics', 'mig,mcc,sap', '--sample-scale', '0.05', '--quiet'];
    const results = dir('killed');
    const shard = start([...command, '--results', results]);
    let polls = 0;
    while (unitFiles(results).length < 2 && polls++ < 6000) await new Promise((r) => setTimeout(r, 20));
    process.kill(shard.pid, 'SIGKILL');
    const killed = await shard.done;
    expect(killed.signal).toBe('SIGKILL');
    const finished = unitFiles(results);
    expect(finished.length).toBeGreaterThanOrEqual(2);
    expect(finished.length).toBeLessThan(9);
    const mtimes = finished.map((f) => statSync(join(results, 'units', f)).mtimeMs);
    // What a kill during a write leaves: a hidden, half-written temporary next to a unit that has no file yet.
    const cut = `.${'score-002-sap.json'}.${shard.pid}-7.tmp`;
    if (!finished.includes('score-002-sap.json')) writeFileSync(join(results, 'units', cut), readFileSync(join(results, 'units', finished[0]), 'utf8').slice(0, 100));
    const refused = cli(['merge', results]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`${9 - finished.length} of 9 units have no result yet`);
    const rerun = ok(cli([...command, '--results', results]));
    expect(shardLine(rerun)?.slice(1).map(Number)).toEqual([9, 9, 9 - finished.length, finished.length]);
    expect(finished.map((f) => statSync(join(results, 'units', f)).mtimeMs)).toEqual(mtimes);
    expect(unitFiles(results)).toHaveLength(9);
    const again = ok(cli([...command, '--results', results]));
    expect(shardLine(again)?.slice(1).map(Number)).toEqual([9, 9, 0, 9]);
    ok(cli(['merge', results, '--json', dir('killed.json')]));
    ok(cli([...command, '--results', dir('whole')]));
    ok(cli(['merge', dir('whole'), '--json', dir('whole.json')]));
    expect(readFileSync(dir('killed.json'), 'utf8')).toBe(readFileSync(dir('whole.json'), 'utf8'));
  });

  it('merge refuses unit files of other settings, another library version and strays; a rerun recomputes them and damaged ones', () => {
    const command = ['evaluate', '--population', ...THREE, ...SCORE, '--quiet'];
    const results = dir('mixed');
    ok(cli([...command, '--results', results]));
    ok(cli(['merge', results, '--json', dir('mixed-before.json')]));
    ok(cli(['evaluate', '--population', ...THREE, '--metrics', 'mig,mcc', '--sample-scale', '0.02', '--seed', '3', '--results', dir('other'), '--quiet']));
    const unit = (root: string, id: string): string => join(root, 'units', `${id}.json`);
    copyFileSync(unit(dir('other'), 'score-000-mig'), unit(results, 'score-000-mig'));
    resealed(unit(results, 'score-001-mig'), { libraryVersion: '0.0.9' });
    copyFileSync(unit(results, 'score-002-mig'), unit(results, 'score-003-mig')); // as from a plan of four models
    const refused = cli(['merge', results]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/cannot be merged/);
    expect(refused.stderr).toMatch(/unit files from other settings: score-000-mig$/m);
    expect(refused.stderr).toMatch(/unit files from another library version than \d+\.\d+\.\d+: score-001-mig \(0\.0\.9\)$/m);
    expect(refused.stderr).toMatch(/files that belong to no unit of this plan: score-003-mig\.json$/m);
    rmSync(unit(results, 'score-003-mig'));
    // A damaged file (cut short, as by a full disk) is neither trusted by merge nor by a rerun.
    writeFileSync(unit(results, 'score-002-mcc'), readFileSync(unit(results, 'score-002-mcc'), 'utf8').slice(0, 150));
    expect(cli(['merge', results]).stderr).toMatch(/damaged unit files \(a rerun recomputes them\): score-002-mcc$/m);
    const rerun = ok(cli([...command, '--results', results]));
    expect(shardLine(rerun)?.slice(1).map(Number)).toEqual([6, 6, 3, 3]);
    ok(cli(['merge', results, '--json', dir('mixed-after.json')]));
    expect(readFileSync(dir('mixed-after.json'), 'utf8')).toBe(readFileSync(dir('mixed-before.json'), 'utf8'));
  });

  it('--shard auto takes its slice from a Slurm array or a Kubernetes indexed Job', () => {
    const command = ['evaluate', '--population', ...THREE, ...SCORE, '--quiet', '--shard'];
    const results = dir('auto');
    const ids = ['score-000-mig', 'score-000-mcc', 'score-001-mig', 'score-001-mcc', 'score-002-mig', 'score-002-mcc'];
    const slice = (index: number): string[] => ids.filter((_, k) => k % 3 === index).map((id) => `${id}.json`).sort();
    // Slurm, --array=0-2: the task id is the 0-based shard.
    const slurm = ok(cli([...command, 'auto', '--results', results], { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0' }));
    expect(slurm).toMatch(/^shard 2\/3: 2 of 6 units, 2 computed/);
    expect(unitFiles(results)).toEqual(slice(1));
    // Slurm, --array=1-3: the minimum is subtracted.
    const slurm1 = ok(cli([...command, 'auto', '--results', results], { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1' }));
    expect(slurm1).toMatch(/^shard 1\/3: 2 of 6 units, 2 computed/);
    expect(unitFiles(results)).toEqual([...slice(0), ...slice(1)].sort());
    // Kubernetes exports no count: auto/n gives it.
    const k8s = ok(cli([...command, 'auto/3', '--results', results], { JOB_COMPLETION_INDEX: '2' }));
    expect(k8s).toMatch(/^shard 3\/3: 2 of 6 units, 2 computed/);
    expect(unitFiles(results)).toEqual([...ids.map((id) => `${id}.json`)].sort());
    ok(cli(['merge', results, '--json', dir('auto.json')]));
    const bad = cli([...command, 'auto', '--results', results], { JOB_COMPLETION_INDEX: '0' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^disentangle: --shard: JOB_COMPLETION_INDEX is set .*auto\/n\n$/);
  });

  it('bad flag combinations end with exit 1 and a one-line reason', () => {
    const model = THREE[0];
    const cases: [string[], RegExp][] = [
      [['evaluate', '--model', model, '--results', dir('x')], /--results: applies to a population run/],
      [['evaluate', '--model', model, '--shard', '2/3'], /--shard: applies to a population run/],
      [['evaluate', '--population', model, '--model', model, '--results', dir('x')], /--model: does not go with --population/],
      [['evaluate', '--population', model], /--results: a population run writes one file per unit/],
      [['select', '--population', ...THREE, '--results', dir('x'), model], /does not go with --population/],
      [['select', '--population', ...THREE, '--results', dir('x'), '--shard', '4/3'], /--shard: expected i\/n with 1 ≤ i ≤ n, got 4\/3/],
      [['select', '--population', ...THREE, '--results', dir('x'), '--shard', 'auto'], /--shard: auto needs SLURM_ARRAY_TASK_ID/],
      [['merge', dir('nothing-here')], /has no plan\.json/],
    ];
    for (const [args, reason] of cases) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^disentangle: /);
      expect(r.stderr).toMatch(reason);
    }
  });
});
