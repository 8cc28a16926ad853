/**
 * Worker-thread side of {@link fitGradientBoostingAsync}. Each thread keeps its own presorted copy of x; scores and
 * residuals live in shared memory. A stage has two phases, each closed by a barrier: every thread turns the scores
 * of its block of rows into residuals (all K columns), then the threads take columns from a shared per-stage
 * counter and grow their trees, each adding its leaf values to its own score column. A tree's result does not
 * depend on which thread grew it.
 */
import { parentPort } from 'node:worker_threads';
import { arriveAndWait, abortBarrier, BarrierAborted, BARRIER_SLOTS } from '../../core/threads.js';
import type { Tree } from './decisionTree.js';
import { stageResiduals } from './boostingLoss.js';
import { boostingWorkspace, boostOneTree, type BoostingSetup } from './gradientBoosting.js';

/** What the main thread sends each worker, once per fit. */
export interface BoostingWorkerData {
  x: Float64Array;
  rows: number;
  cols: number;
  setup: BoostingSetup;
  /** K·n float64 scores, column k at k·n. */
  scores: SharedArrayBuffer;
  /** K·n float64 residuals, same layout. */
  residuals: SharedArrayBuffer;
  /** This thread's block of rows for the residual phase, [from, to). */
  from: number;
  to: number;
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
  const column = (buffer: SharedArrayBuffer, k: number): Float64Array => new Float64Array(buffer, k * n * 8, n);
  const scores = Array.from({ length: K }, (_, k) => column(d.scores, k));
  const residuals = Array.from({ length: K }, (_, k) => column(d.residuals, k));
  const ws = boostingWorkspace({ data: d.x, rows: n, cols: d.cols }, setup, residuals);
  const trees: { stage: number; k: number; tree: Tree }[] = [];
  try {
    for (let stage = 0; stage < setup.numStages; stage++) {
      stageResiduals(scores, ws.targets, residuals, ws.work, d.from, d.to);
      arriveAndWait(control, d.parties);
      for (;;) {
        const k = Atomics.add(control, BARRIER_SLOTS + stage, 1);
        if (k >= K) break;
        trees.push({ stage, k, tree: boostOneTree(ws, setup, stage, k, scores[k]) });
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
