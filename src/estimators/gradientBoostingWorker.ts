/**
 * Worker-thread side of {@link fitGradientBoostingAsync}: grows its share of every stage's trees. Each thread
 * keeps its own presorted copy of x; the scores live in shared memory, double-buffered by stage parity (stage s
 * reads buffer s mod 2 and writes s+1 mod 2), so one barrier per stage separates every read from every write.
 * Classes are taken from a shared per-stage counter, and a tree's result does not depend on which thread grew it.
 */
import { parentPort } from 'node:worker_threads';
import { arriveAndWait, abortBarrier, BarrierAborted, BARRIER_SLOTS } from '../core/threads.js';
import { presort, FriedmanMse, TreeBuilder, type Tree } from './decisionTree.js';
import { boostingTargets, boostOneTree, residualWork, stageResiduals, type BoostingSetup } from './gradientBoosting.js';

/** What the main thread sends each worker, once per fit. */
export interface BoostingWorkerData {
  x: Float64Array;
  rows: number;
  cols: number;
  setup: BoostingSetup;
  /** 2·K·n float64 scores, buffer b, column k at (b·K + k)·n. */
  scores: SharedArrayBuffer;
  /** Barrier slots, then one class counter per stage. */
  control: SharedArrayBuffer;
  parties: number;
}

/** A worker's reply: the trees it grew, each with its stage and column. */
export type BoostingWorkerReply = { trees: { stage: number; k: number; tree: Tree }[] } | { aborted: true };

function run(d: BoostingWorkerData): BoostingWorkerReply {
  const { setup, rows: n } = d;
  const K = setup.K;
  const control = new Int32Array(d.control);
  const buffers = [0, 1].map((b) => Array.from({ length: K }, (_, k) => new Float64Array(d.scores, (b * K + k) * n * 8, n)));
  const builder = new TreeBuilder(presort({ data: d.x, rows: n, cols: d.cols }));
  const targets = boostingTargets(setup);
  const residuals = Array.from({ length: K }, () => new Float64Array(n));
  const criteria = residuals.map((r) => new FriedmanMse(r));
  const work = residualWork(n);
  const trees: { stage: number; k: number; tree: Tree }[] = [];
  try {
    for (let stage = 0; stage < setup.numStages; stage++) {
      const current = buffers[stage % 2];
      const next = buffers[(stage + 1) % 2];
      // Every thread derives all K residual columns (the softmax needs every score); this duplicates n·K
      // exponentials per stage, a few percent of growing the trees.
      stageResiduals(current, targets, residuals, work);
      for (;;) {
        const k = Atomics.add(control, BARRIER_SLOTS + stage, 1);
        if (k >= K) break;
        trees.push({ stage, k, tree: boostOneTree(builder, criteria[k], setup, stage, k, targets[k], current[k], next[k]) });
      }
      arriveAndWait(control, d.parties);
    }
  } catch (e) {
    if (e instanceof BarrierAborted) return { aborted: true };
    abortBarrier(control);
    throw e;
  }
  return { trees };
}

// One fit per message; the thread then waits, idle, for the next one.
parentPort?.on('message', (d: BoostingWorkerData) => parentPort?.postMessage(run(d)));
