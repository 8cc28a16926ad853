/**
 * Population runs on the command line: `evaluate --population … --results out/ --shard i/n` and
 * `select --method … --population … --results out/ --shard i/n` run one shard's units into a results directory;
 * `disentangle merge out/` checks it and prints the table or the selection.
 */
import type { Command } from 'commander';
import { DisentangleError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { loadModelSpec } from '../models/modelSpec.js';
import { mergeResults, parseShard, planUnits, resolvePopulation, runUdrComparisons, runUnits, type MergedResults, type ModelLoader, type PopulationMethod, type PopulationSettings } from '../population/index.js';
import type { MetricId } from '../metrics/registry.js';
import { isOnnxPath, loadOnnxCliModel, onnxOptions, type OnnxFlags } from './models.js';
import { progressBar } from './progress.js';
import { abortOnSigint } from './interrupt.js';
import { formatTable } from './table.js';

/** The flags a population run adds to evaluate and select. */
export interface PopulationFlags {
  population?: string[];
  results?: string;
  shard?: string;
  force?: boolean;
}

/** Adds `--population`, `--results`, `--shard` and `--force` to a command. */
export function withPopulationFlags(cmd: Command): Command {
  return cmd
    .option('--population <paths...>', 'score or select a population: model directories, .onnx files, folders of models, or a .txt list (one path per line)')
    .option('--results <dir>', 'with --population: the results directory (one file per unit; rerunning skips finished units)')
    .option('--shard <i/n|auto>', 'with --population: run shard i of n (1-based), or auto: from SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX (auto/n for Kubernetes)', '1/1')
    .option('--force', 'with --population: recompute units even when a valid result is stored');
}

/** True when the command runs a population; refuses the population flags without --population. */
export function isPopulationRun(o: PopulationFlags): boolean {
  if (o.population === undefined) {
    const stray = o.results !== undefined ? '--results' : o.force ? '--force' : o.shard !== '1/1' ? '--shard' : undefined;
    if (stray) throw new DisentangleError('BAD_OPTION', stray, 'applies to a population run: use it with --population');
    return false;
  }
  if (!o.results) throw new DisentangleError('BAD_OPTION', '--results', 'a population run writes one file per unit: give the results directory, --results <dir>');
  return true;
}

/** Reads each model path of a population: ONNX files through disentangle/onnx with the command's flags. */
function cliLoader(flags: OnnxFlags): ModelLoader {
  return (path, { representation }) => (isOnnxPath(path) ? loadOnnxCliModel(path, onnxOptions(flags)) : loadModelSpec(path, representation));
}

/** The ONNX flags given, recorded in the plan's settings (they decide which output is scored). */
function onnxSettings(flags: OnnxFlags): Record<string, string> | undefined {
  const given = Object.entries({ layout: flags.layout, output: flags.output, logVar: flags.logVar }).filter((e): e is [string, string] => e[1] !== undefined);
  return given.length ? Object.fromEntries(given) : undefined;
}

/** Runs this process's shard of a population's scoring (`metrics`) or selection (`method`). */
export async function runPopulationShard(
  job: { metrics: MetricId[]; method?: undefined } | { method: PopulationMethod; metrics?: undefined },
  o: PopulationFlags & OnnxFlags & { seed: number },
  settings: PopulationSettings,
  quiet: boolean,
): Promise<void> {
  const models = await resolvePopulation(o.population!, '--population');
  const shard = parseShard(o.shard ?? '1/1', process.env, '--shard');
  const units = planUnits({ models, ...job, seed: o.seed, settings: { ...settings, onnx: onnxSettings(o) } });
  const bar = progressBar(`shard ${shard.index + 1}/${shard.count}`, { quiet });
  const t0 = performance.now();
  let run: Awaited<ReturnType<typeof runUnits>>;
  try {
    run = await runUnits(units, {
      results: o.results!,
      shard,
      force: !!o.force,
      loadModel: cliLoader(o),
      signal: abortOnSigint(),
      onProgress: (p) => p.stage === 'units' && bar.onProgress(p),
    });
  } finally {
    bar.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `shard ${shard.index + 1}/${shard.count}: ${run.outcomes.length} of ${units.length} units, ${run.computed} computed, ${run.skipped} already done (${seconds.toFixed(1)} s); results in ${o.results}\n` +
      `when every shard has run: disentangle merge ${o.results}\n`,
  );
}

/** CSV with every field quoted when it needs it. */
function csv(rows: readonly (readonly (string | number)[])[]): string {
  const cell = (v: string | number): string => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${rows.map((r) => r.map(cell).join(',')).join('\n')}\n`;
}

function tableRows(merged: MergedResults): { header: string[]; rows: (string | number)[][] } {
  if (merged.kind === 'scores') return { header: ['model', 'metric', 'field', 'value'], rows: merged.table.map((r) => [r.model, r.metric, r.field, r.value]) };
  const label = merged.method === 'model-centrality' ? 'centrality' : 'UDR';
  return { header: ['rank', 'model', label, 'selected'], rows: merged.ranking.map((i, rank) => [rank + 1, merged.models[i], merged.scores[i], i === merged.selected ? 'yes' : '']) };
}

/** Adds `disentangle merge <dir> [--json file] [--csv file]`, and `--shard` for UDR's comparisons. */
export function addMergeCommand(program: Command): void {
  program
    .command('merge')
    .description('check a population results directory (every unit present, one plan, one library version) and print the merged table or selection')
    .argument('<results>', 'the --results directory of the shards')
    .option('--json <file>', 'also write the merged result as JSON')
    .option('--csv <file>', 'also write the table as CSV')
    .option('--shard <i/n|auto>', 'UDR: compute and store shard i of n of the model-pair comparisons instead of merging (then merge without --shard)')
    .option('--force', 'with --shard: recompute comparisons even when a valid result is stored')
    .addHelpText('after', '\nExamples:\n  $ disentangle merge out/ --json table.json --csv table.csv\n  $ disentangle merge out/udr --shard 2/8   # UDR: the comparisons in shards, then merge out/udr')
    .action(async (dir: string, o: { json?: string; csv?: string; shard?: string; force?: boolean }) => {
      const signal = abortOnSigint();
      if (o.shard !== undefined) {
        const other = o.json !== undefined ? '--json' : o.csv !== undefined ? '--csv' : undefined;
        if (other) throw new DisentangleError('BAD_OPTION', other, 'with --shard the merge only stores comparisons: write the table with a merge without --shard');
        const shard = parseShard(o.shard, process.env, '--shard');
        const t0 = performance.now();
        const r = await runUdrComparisons(dir, { shard, force: !!o.force, signal });
        process.stdout.write(`comparisons shard ${shard.index + 1}/${shard.count}: ${r.pairs} pairs, ${r.computed} computed, ${r.skipped} already done (${((performance.now() - t0) / 1000).toFixed(1)} s)\nwhen every shard has run: disentangle merge ${dir}\n`);
        return;
      }
      if (o.force) throw new DisentangleError('BAD_OPTION', '--force', 'applies to --shard');
      const merged = await mergeResults(dir, { signal });
      const { header, rows } = tableRows(merged);
      // Ranks print as integers (formatTable would give a number three decimals: 1.000).
      const shown = merged.kind === 'selection' ? rows.map((r) => [String(r[0]), ...r.slice(1, 3), r[3] === 'yes' ? '◀ selected' : '']) : rows;
      process.stdout.write(`${formatTable(header, shown)}\n`);
      if (o.json) await writeFileAtomic(o.json, `${JSON.stringify(merged, null, 2)}\n`, '--json');
      if (o.csv) await writeFileAtomic(o.csv, csv([header, ...rows]), '--csv');
    });
}
