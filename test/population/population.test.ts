/**
 * Population runs in one process: units, shards, result files, resuming and merging, on the trained models the
 * package ships. The same through separate processes and kill -9 is in test/cli/population.test.ts.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { dsprites } from '../../src/data/dsprites.js';
import { evaluate } from '../../src/metrics/evaluate.js';
import { loadModelSpec, withModels } from '../../src/models/modelSpec.js';
import { mergeResults } from '../../src/population/merge.js';
import { runUdrComparisons } from '../../src/population/comparisons.js';
import { resolvePopulation } from '../../src/population/modelFiles.js';
import { canonicalJson, sha256Hex, parseShard, planUnits, shardUnits } from '../../src/population/units.js';
import { runUnits } from '../../src/population/runUnit.js';
import { modelCentrality } from '../../src/selection/modelCentrality.js';
import { udr } from '../../src/selection/udr.js';
import type { GenerativeModel, PosteriorFunction } from '../../src/core/types.js';

const SHIPPED = resolve(__dirname, '../../models/population');
const MODELS = ['infogan-cr-s0', 'factor-vae-g10-s0', 'infogan-s1'].map((m) => join(SHIPPED, m));
const tmp = mkdtempSync(join(tmpdir(), 'population-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dir = (name: string): string => join(tmp, name);

const MC = { groups: 10, groupSize: 10, scaleSetSize: 60 };
const SCORE = { sampleScale: 0.01 };

describe('planUnits', () => {
  it('orders units and hashes the plan from its inputs alone', () => {
    const units = planUnits({ models: MODELS, metrics: ['mig', 'mcc'], settings: SCORE });
    expect(units.map((u) => u.id)).toEqual(['score-000-mig', 'score-000-mcc', 'score-001-mig', 'score-001-mcc', 'score-002-mig', 'score-002-mcc']);
    expect(planUnits({ models: MODELS, metrics: ['mig', 'mcc'], settings: { ...SCORE, dataset: undefined } })[0].plan.hash).toBe(units[0].plan.hash);
    expect(planUnits({ models: MODELS, metrics: ['mig', 'mcc'], settings: { sampleScale: 0.02 } })[0].plan.hash).not.toBe(units[0].plan.hash);
    expect(planUnits({ models: MODELS, metrics: ['mig', 'mcc'], seed: 1, settings: SCORE })[0].plan.hash).not.toBe(units[0].plan.hash);
    const pairs = planUnits({ models: MODELS, method: 'model-centrality' });
    expect(pairs).toHaveLength(9);
    expect(pairs[1]).toMatchObject({ kind: 'pair', generator: 0, encoder: 1, id: 'pair-000-001' });
    expect(planUnits({ models: MODELS, method: 'udr-lasso' }).map((u) => u.id)).toEqual(['udr-000', 'udr-001', 'udr-002']);
  });

  it('refuses unclear plans, naming the argument', () => {
    expect(() => planUnits({ models: MODELS })).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'metrics' }));
    expect(() => planUnits({ models: MODELS, metrics: ['mig'], method: 'udr-lasso' })).toThrow(expect.objectContaining({ argument: 'metrics' }));
    expect(() => planUnits({ models: [MODELS[0], MODELS[0]], metrics: ['mig'] })).toThrow(expect.objectContaining({ code: 'BAD_INPUT', argument: 'models' }));
    expect(() => planUnits({ models: [MODELS[0]], method: 'udr-lasso' })).toThrow(expect.objectContaining({ code: 'EMPTY' }));
    expect(() => planUnits({ models: MODELS, metrics: ['mig'], settings: { groups: 5 } })).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'settings.groups' }));
    expect(() => planUnits({ models: MODELS, metrics: ['mig'], settings: { sampleScal: 1 } as never })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
    expect(() => planUnits({ models: MODELS, metrics: ['migg' as never] })).toThrow(expect.objectContaining({ argument: 'metrics' }));
  });

  it('shards hold every unit exactly once, for any number of shards', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (models, count, pairs) => {
        const names = Array.from({ length: Math.max(2, models) }, (_, i) => `m${i}`);
        const units = pairs ? planUnits({ models: names, method: 'model-centrality' }) : planUnits({ models: names, metrics: ['mig', 'dci', 'sap'] });
        const all = Array.from({ length: count }, (_, index) => shardUnits(units, { index, count })).flat();
        expect(all.map((u) => u.id).sort()).toEqual(units.map((u) => u.id).sort());
      }),
    );
  });

  it('reads i/n and the schedulers’ variables', () => {
    expect(parseShard('1/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({ index: 7, count: 8 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({ index: 7, count: 8 });
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    // With auto/n the array ids are the shard indices: one resubmitted id (a one-task array) reruns its own shard.
    expect(parseShard('auto/8', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '3', SLURM_ARRAY_TASK_COUNT: '1' })).toEqual({ index: 3, count: 8 });
    for (const [text, env] of [['0/3', {}], ['4/3', {}], ['auto', {}], ['auto', { JOB_COMPLETION_INDEX: '0' }], ['auto/2', { JOB_COMPLETION_INDEX: '2' }], ['x', {}]] as const) {
      expect(() => parseShard(text, env)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', argument: 'shard' }));
    }
  });

  it('resolves a folder of models, a list file and single models', async () => {
    expect(await resolvePopulation([SHIPPED])).toHaveLength(readdirSync(SHIPPED).filter((n) => existsSync(join(SHIPPED, n, 'model.json'))).length);
    const list = join(tmp, 'models.txt');
    writeFileSync(list, `# three shipped models\n${MODELS.join('\n')}\n\n`);
    expect(await resolvePopulation([list])).toEqual(MODELS);
    await expect(resolvePopulation([join(tmp, 'nothing')])).rejects.toMatchObject({ code: 'BAD_INPUT', argument: 'population' });
  });
});

describe('runUnits and mergeResults', () => {
  it('scoring: three shards merge into the one-shard table, and each number is evaluate()’s', async () => {
    const units = planUnits({ models: MODELS.slice(0, 2), metrics: ['mig', 'mcc'], seed: 3, settings: SCORE });
    await runUnits(units, { results: dir('one') });
    for (const index of [2, 0, 1]) await runUnits(units, { results: dir('three'), shard: { index, count: 3 } });
    const one = await mergeResults(dir('one'));
    const three = await mergeResults(dir('three'));
    expect(canonicalJson(three)).toBe(canonicalJson(one));
    if (one.kind !== 'scores') throw new Error('expected scores');
    // A fresh model per unit: a FactorVAE's sampled z restarts from its seed, as a fresh `disentangle evaluate` does.
    for (const model of MODELS.slice(0, 2)) {
      for (const metric of ['mig', 'mcc'] as const) {
        const direct = await withModels([() => loadModelSpec(model, 'sample')], ([m]) => evaluate({ represent: m.represent, dataset: dsprites(), metrics: [metric], seed: 3, sampleScale: 0.01, cache: !m.stochastic, shareDraws: !m.stochastic }));
        expect(one.results[model][metric]!.score).toBe(direct.results[metric]!.score);
      }
    }
  });

  it('ModelCentrality: pairs from any shards equal modelCentrality() bit for bit', async () => {
    const units = planUnits({ models: MODELS, method: 'model-centrality', seed: 2, settings: MC });
    for (const index of [1, 0]) await runUnits(units, { results: dir('mc'), shard: { index, count: 2 } });
    const merged = await mergeResults(dir('mc'));
    const whole = await withModels(
      MODELS.map((m) => () => loadModelSpec(m, 'mean')),
      (ms) => modelCentrality({ models: ms.map((m) => m.generative as GenerativeModel), seed: 2, ...MC }),
    );
    expect(merged).toMatchObject({ kind: 'selection', method: 'model-centrality', scores: whole.centrality, ranking: whole.ranking, selected: whole.selected, pairwise: whole.pairwise });
  });

  it('UDR: per-model units equal udr() bit for bit', async () => {
    // UDR compares codes of equal width: the shipped FactorVAEs (10 dims).
    const vaes = ['factor-vae-g1-s0', 'factor-vae-g10-s0', 'factor-vae-g40-s0'].map((m) => join(SHIPPED, m));
    const units = planUnits({ models: vaes, method: 'udr-spearman', seed: 1, settings: { numDataPoints: 50 } });
    for (const index of [2, 1, 0]) await runUnits(units, { results: dir('udr'), shard: { index, count: 3 } });
    const merged = await mergeResults(dir('udr'));
    const whole = await withModels(
      vaes.map((m) => () => loadModelSpec(m, 'mean')),
      (ms) => udr({ models: ms.map((m) => m.udr as PosteriorFunction), dataset: dsprites(), correlation: 'spearman', numDataPoints: 50, seed: 1 }),
    );
    expect(merged).toMatchObject({ scores: whole.scores, ranking: whole.ranking, selected: whole.selected, pairwise: whole.pairwise });
    // The n(n − 1) comparisons in shards of their own: stored, skipped on a rerun, and the same merge.
    const results = dir('udr');
    const counts = [];
    for (const index of [1, 0]) counts.push(await runUdrComparisons(results, { shard: { index, count: 2 } }));
    expect(counts.map((c) => c.computed)).toEqual([3, 3]);
    expect(readdirSync(join(results, 'comparisons')).sort()).toEqual(['cmp-000-001', 'cmp-000-002', 'cmp-001-000', 'cmp-001-002', 'cmp-002-000', 'cmp-002-001'].map((c) => `${c}.json`));
    expect(await runUdrComparisons(results)).toEqual({ computed: 0, skipped: 6, pairs: 6 });
    expect(canonicalJson(await mergeResults(results))).toBe(canonicalJson(merged));
    // A stored comparison is trusted only with its seal and the representations it was computed from.
    const cmp = join(results, 'comparisons', 'cmp-002-001.json');
    const record = JSON.parse(readFileSync(cmp, 'utf8')) as { strength: number };
    record.strength = 0.5;
    writeFileSync(cmp, JSON.stringify(record));
    expect(canonicalJson(await mergeResults(results))).toBe(canonicalJson(merged));
    expect((await runUdrComparisons(results)).computed).toBe(1);
    await expect(runUdrComparisons(dir('mc'))).rejects.toMatchObject({ code: 'BAD_INPUT', argument: 'results' });
  });

  it('a rerun skips valid units and recomputes missing, damaged and out-of-date ones', async () => {
    const units = planUnits({ models: MODELS.slice(0, 2), method: 'model-centrality', seed: 2, settings: MC });
    const results = dir('resume');
    const first = await runUnits(units, { results });
    expect([first.computed, first.skipped]).toEqual([4, 0]);
    const before = await mergeResults(results);
    const file = (id: string): string => join(results, 'units', `${id}.json`);
    unlinkSync(file('pair-000-001'));
    writeFileSync(file('pair-001-000'), readFileSync(file('pair-001-000'), 'utf8').slice(0, 200)); // cut short, as by a full disk
    const tampered = JSON.parse(readFileSync(file('pair-001-001'), 'utf8')) as { result: { score: number } };
    tampered.result.score = 1; // a hand edit breaks the seal
    writeFileSync(file('pair-001-001'), JSON.stringify(tampered));
    await expect(mergeResults(results)).rejects.toThrow(/1 of 4 units have no result yet: pair-000-001[\s\S]*damaged unit files \(a rerun recomputes them\): pair-001-000, pair-001-001/);
    const again = await runUnits(units, { results });
    expect(again.outcomes.map((o) => [o.unit, o.status])).toEqual([['pair-000-000', 'skipped'], ['pair-000-001', 'computed'], ['pair-001-000', 'recomputed'], ['pair-001-001', 'recomputed']]);
    expect(canonicalJson(await mergeResults(results))).toBe(canonicalJson(before));
  });

  it('merge refuses unit files of other settings, another library version or changed model bytes', async () => {
    const models = MODELS.slice(0, 2).map((m, i) => {
      const copy = join(tmp, `model-${i}`);
      cpSync(m, copy, { recursive: true });
      return copy;
    });
    const units = planUnits({ models, method: 'model-centrality', settings: MC });
    const results = dir('refuse');
    await runUnits(units, { results });
    // A unit file from a run with other settings, copied in under the same name.
    const other = planUnits({ models, method: 'model-centrality', settings: { ...MC, groups: 12 } });
    await runUnits([other[0]], { results: dir('refuse-other') });
    cpSync(join(dir('refuse-other'), 'units', 'pair-000-000.json'), join(results, 'units', 'pair-000-000.json'));
    // A unit file written by another version of the library, sealed as that version would.
    const path = join(results, 'units', 'pair-000-001.json');
    const { checksum: _drop, ...body } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const older = { ...body, libraryVersion: '0.0.9' };
    writeFileSync(path, JSON.stringify({ ...older, checksum: sha256Hex(canonicalJson(older)) }));
    writeFileSync(join(results, 'units', 'pair-009-009.json'), '{}');
    // A unit computed on another tfjs backend (which may round differently).
    const webglPath = join(results, 'units', 'pair-001-001.json');
    const { checksum: _seal, ...webglBody } = JSON.parse(readFileSync(webglPath, 'utf8')) as Record<string, unknown>;
    const webgl = { ...webglBody, backend: 'webgl' };
    writeFileSync(webglPath, JSON.stringify({ ...webgl, checksum: sha256Hex(canonicalJson(webgl)) }));
    await expect(mergeResults(results)).rejects.toThrow(
      /unit files from other settings: pair-000-000[\s\S]*another library version than [\d.]+: pair-000-001 \(0\.0\.9\)[\s\S]*belong to no unit of this plan: pair-009-009\.json[\s\S]*more than one tfjs backend \(\w+: 1, webgl: 1\): pair-001-001/,
    );
    unlinkSync(join(results, 'units', 'pair-009-009.json'));
    // The rerun replaces all three; then a model changes on disk and its units are recomputed, the others kept.
    const rerun = await runUnits(units, { results });
    expect(rerun.outcomes.filter((o) => o.status !== 'skipped').map((o) => [o.unit, o.stored])).toEqual([['pair-000-000', 'other-plan'], ['pair-000-001', 'other-version'], ['pair-001-001', 'other-backend']]);
    await mergeResults(results);
    writeFileSync(join(models[1], 'model.json'), `${readFileSync(join(models[1], 'model.json'), 'utf8')}\n`);
    const after = await runUnits(units, { results });
    expect(after.outcomes.filter((o) => o.status !== 'skipped').map((o) => [o.unit, o.stored])).toEqual([['pair-000-001', 'other-model'], ['pair-001-000', 'other-model'], ['pair-001-001', 'other-model']]);
    // A results directory belongs to one plan.
    await expect(runUnits(other, { results })).rejects.toMatchObject({ code: 'BAD_INPUT', argument: 'results' });
    expect(existsSync(join(results, 'plan.json'))).toBe(true);
  });
});
