/**
 * Training checkpoints: writing them (the model's files plus every optimizer's moments and step count) and
 * resuming from them. A resume source is one checkpoint directory or a run directory (the folder holding
 * `iteration-<i>` checkpoints, or the folder holding that one as `checkpoints/`); from a run directory training
 * resumes from the newest checkpoint that loads, and says which newer ones it skipped and why.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { DisentangleError } from '../core/errors.js';
import { listDirectory } from '../core/readFiles.js';
import { checkWeightSpecs, decodeWeightSpecs, readModelFiles, writeModel } from './checkpoint.js';
import { checkModelType, configFromFile, type LoadableModel } from './referenceModel.js';

/** Anything with Adam-like explicit state. */
export interface OptimizerState {
  step: number;
  stateTensors(): Record<string, tf.Tensor>;
  loadState(tensors: Record<string, tf.Tensor>, step: number): void;
  dispose(): void;
}

/** A checkpoint a resume passed over, and why it did not load. */
export interface SkippedCheckpoint {
  checkpoint: string;
  reason: string;
}

/** Where a resumed run started: the checkpoint used, its iteration, and the newer checkpoints that did not load. */
export interface ResumeInfo {
  checkpoint: string;
  iteration: number;
  skipped: SkippedCheckpoint[];
}

/**
 * Writes a training checkpoint into `dir` (replaced whole or not at all): the model's files plus every optimizer's
 * moments (`optimizer/<name>/m/i`, `…/v/i`) and step counts, and the iteration to resume from. `loadInfoGanCr` /
 * `loadFactorVae` read it as a plain model.
 */
export async function writeCheckpoint(
  dir: string,
  model: { kind: string; config: unknown; iteration: number },
  params: Record<string, tf.Tensor>,
  optimizers: Record<string, OptimizerState>,
  seed: number,
): Promise<void> {
  const tensors: Record<string, tf.Tensor> = { ...params };
  const steps: Record<string, number> = {};
  for (const [name, opt] of Object.entries(optimizers)) {
    steps[name] = opt.step;
    for (const [k, t] of Object.entries(opt.stateTensors())) tensors[`optimizer/${name}/${k}`] = t;
  }
  await writeModel(dir, { modelType: model.kind, config: model.config, iteration: model.iteration, training: { seed, optimizerSteps: steps } }, tensors, 'checkpointDir');
}

const RUN_ENTRY = /^iteration-(\d+)$|^\.iteration-(\d+)\.(?:new|old)$/;

/**
 * The checkpoints a resume source offers, newest first: the `iteration-<i>` directories in `source` and in
 * `source/checkpoints` (an interrupted replacement, `.iteration-<i>.new`, counts: loading recovers it), or, when
 * there are none, `source` itself as a single checkpoint.
 */
async function checkpointCandidates(source: string): Promise<{ run: boolean; checkpoints: string[] }> {
  const found = new Map<string, number>();
  for (const base of [source, `${source}/checkpoints`]) {
    const entries = await listDirectory(base, 'resumeFrom', 'resuming from files needs Node');
    if (!entries) continue;
    for (const e of entries) {
      const m = RUN_ENTRY.exec(e);
      if (m) found.set(`${base}/iteration-${m[1] ?? m[2]}`, Number(m[1] ?? m[2]));
    }
  }
  if (found.size === 0) return { run: false, checkpoints: [source] };
  return { run: true, checkpoints: [...found].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([dir]) => dir) };
}

/**
 * Builds a model and its optimizers from one checkpoint: files, model type, optimizer steps and config are checked
 * before `build` allocates; every weight and moment is checked by name and shape before a tensor is decoded.
 * Everything is disposed on failure.
 */
async function restoreOne<C, M extends LoadableModel, O extends Record<string, OptimizerState>>(
  dir: string,
  modelType: string,
  resolve: (config: never) => C,
  build: (config: C) => { model: M; optimizers: O },
): Promise<{ model: M; optimizers: O }> {
  const argument = 'resumeFrom';
  const files = await readModelFiles(dir, argument);
  checkModelType(files, modelType, dir, argument);
  const training = files.header.training as { optimizerSteps?: Record<string, unknown> } | undefined;
  const steps = training?.optimizerSteps;
  if (!steps || typeof steps !== 'object') {
    throw new DisentangleError('BAD_FILE', argument, `${files.file}: training.optimizerSteps: missing (a saved model, not a training checkpoint?)`);
  }
  const config = configFromFile(files, resolve, argument);
  const { model, optimizers } = build(config);
  try {
    const expected: Record<string, { shape: readonly number[] }> = { ...model.params() };
    for (const [name, opt] of Object.entries(optimizers)) {
      const step = steps[name];
      if (!Number.isSafeInteger(step) || (step as number) < 0) {
        throw new DisentangleError('BAD_FILE', argument, `${files.file}: training.optimizerSteps.${name}: expected a non-negative integer, got ${JSON.stringify(step) ?? 'nothing'}`);
      }
      for (const [k, t] of Object.entries(opt.stateTensors())) expected[`optimizer/${name}/${k}`] = t;
    }
    checkWeightSpecs(expected, files.specs, files.file, argument);
    const tensors = decodeWeightSpecs(files.specs, files.weightData);
    try {
      for (const [key, v] of Object.entries(model.params())) v.assign(tensors[key]);
      for (const [name, opt] of Object.entries(optimizers)) {
        const prefix = `optimizer/${name}/`;
        const state: Record<string, tf.Tensor> = {};
        for (const [k, t] of Object.entries(tensors)) if (k.startsWith(prefix)) state[k.slice(prefix.length)] = t;
        opt.loadState(state, steps[name] as number);
      }
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
    model.iteration = files.header.iteration ?? 0;
    return { model, optimizers };
  } catch (e) {
    model.dispose();
    for (const opt of Object.values(optimizers)) opt.dispose();
    throw e;
  }
}

/**
 * Restores training state from `source` (a checkpoint or a run directory, see {@link checkpointCandidates}).
 * From a run directory, checkpoints that fail to load with `BAD_FILE` (torn by a crash, damaged, of another
 * model) are skipped, newest first, and listed in `info.skipped`; a single checkpoint that fails throws. The
 * model's `iteration` is the checkpoint's.
 */
export async function resumeTraining<C, M extends LoadableModel, O extends Record<string, OptimizerState>>(
  source: string,
  modelType: string,
  resolve: (config: never) => C,
  build: (config: C) => { model: M; optimizers: O },
): Promise<{ model: M; optimizers: O; info: ResumeInfo }> {
  if (typeof source !== 'string' || source.length === 0) throw new DisentangleError('BAD_OPTION', 'resumeFrom', 'expected a checkpoint or run directory');
  const { run, checkpoints } = await checkpointCandidates(source);
  const skipped: SkippedCheckpoint[] = [];
  for (const dir of checkpoints) {
    try {
      const r = await restoreOne(dir, modelType, resolve, build);
      return { ...r, info: { checkpoint: dir, iteration: r.model.iteration, skipped } };
    } catch (e) {
      if (!run || !(e instanceof DisentangleError) || e.code !== 'BAD_FILE') throw e;
      skipped.push({ checkpoint: dir, reason: e.message.slice(e.argument.length + 2) });
    }
  }
  throw new DisentangleError(
    'BAD_FILE',
    'resumeFrom',
    `no checkpoint in ${source} loads: ${skipped.map((s) => s.reason).join('; ')}`,
  );
}
