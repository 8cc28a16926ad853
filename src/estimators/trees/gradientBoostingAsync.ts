import { throwIfAborted } from '../../core/errors.js';
import type { Matrix } from '../../core/matrix.js';
import { abortBarrier, availableThreads, barrierAborted, BARRIER_SLOTS, runOnWorkers } from '../../core/threads.js';
import { intOption, checkOptions } from '../../core/validate.js';
import type { Tree } from './decisionTree.js';
import { BOOSTING_OPTION_NAMES, boostedModelOf, fitInThread, setUpBoosting, type BoostingSetup, type FittedGradientBoosting, type GradientBoostingOptions } from './gradientBoosting.js';
import type { BoostingWorkerData, BoostingWorkerReply } from './gradientBoostingWorker.js';

/** Options of {@link fitGradientBoostingAsync}: those of `fitGradientBoosting`, plus threads and cancellation. */
export interface ParallelBoostingOptions extends GradientBoostingOptions {
  /**
   * Threads that grow the trees: 'auto' (default) uses the available cores (at most 8) when the fit is large
   * enough to pay for starting them (about n·D·trees ≥ 10⁷, a few tenths of a second of work), a number forces
   * that many (capped by the trees per stage), 1 fits on the calling thread. The model is the same whatever the
   * count.
   */
  workers?: number | 'auto';
  /** Aborts the fit (its threads stop at the next stage). */
  signal?: AbortSignal;
}

/** The boosting model plus how many threads grew it. */
export type FittedGradientBoostingAsync = FittedGradientBoosting & { readonly threads: number };

// Below this much work (rows · features · trees) starting threads costs more than it saves.
const MIN_PARALLEL_WORK = 1e7;
// Each thread holds its own presorted copy of x (about 30 bytes per entry), so 'auto' stops here; a larger count
// can still be asked for.
const MAX_AUTO_THREADS = 8;

/**
 * {@link fitGradientBoosting} on several threads: the K trees of each multinomial stage are independent given the
 * scores at the start of the stage, so worker threads (Node's `worker_threads`) first share out the rows to turn
 * the scores into residuals, then take the trees from a shared counter, with a barrier after each phase. Every
 * tree has its own tie-break stream and every score is summed in the same order as on one thread, so the model,
 * its predictions and importances are identical to `fitGradientBoosting`'s with the same options, bit for bit.
 * Binomial fits (one tree per stage), small fits, environments without worker threads or `SharedArrayBuffer`
 * (browsers without cross-origin isolation), and fits whose threads fail run on the calling thread.
 *
 * @example
 * const model = await fitGradientBoostingAsync(x, labels);      // up to 8 cores
 * model.threads; model.featureImportances;
 */
export async function fitGradientBoostingAsync(x: Matrix, y: Int32Array, options: ParallelBoostingOptions = {}): Promise<FittedGradientBoostingAsync> {
  checkOptions(options, 'fitGradientBoostingAsync', [...BOOSTING_OPTION_NAMES, 'workers', 'signal']);
  const setup = setUpBoosting(x, y, options);
  throwIfAborted(options.signal);
  const threads = await threadCount(options.workers, setup, x);
  if (threads >= 2) {
    const model = await fitOnThreads(x, setup, threads, options.signal);
    if (model) return { ...model, threads };
  }
  return { ...fitInThread(x, setup), threads: 1 };
}

async function threadCount(workers: number | 'auto' | undefined, setup: BoostingSetup, x: Matrix): Promise<number> {
  if (setup.K === 1) return 1;
  if (workers === undefined || workers === 'auto') {
    if (x.rows * x.cols * setup.K * setup.numStages < MIN_PARALLEL_WORK) return 1;
    return Math.min(await availableThreads(), setup.K, MAX_AUTO_THREADS);
  }
  return Math.min(intOption(workers, 'workers', 1, 1), setup.K);
}

/**
 * Undefined when the threads could not start or one failed (its module missing from a re-bundled app, say): that
 * costs speed, not the result, as the caller then fits on its own thread. Throws only the caller's abort.
 */
async function fitOnThreads(x: Matrix, setup: BoostingSetup, threads: number, signal?: AbortSignal): Promise<FittedGradientBoosting | undefined> {
  const { K, numStages } = setup;
  const n = x.rows;
  const scores = new SharedArrayBuffer(K * n * 8);
  const columns = new Float64Array(scores);
  for (let k = 0; k < K; k++) columns.fill(setup.init[k], k * n, (k + 1) * n);
  const control = new SharedArrayBuffer((BARRIER_SLOTS + numStages) * 4);
  const flags = new Int32Array(control);
  const shared = { x: x.data.slice(), rows: n, cols: x.cols, setup, scores, residuals: new SharedArrayBuffer(K * n * 8), control, parties: threads };
  const tasks: BoostingWorkerData[] = Array.from({ length: threads }, (_, w) => ({
    ...shared,
    from: Math.floor((w * n) / threads),
    to: Math.floor(((w + 1) * n) / threads),
  }));
  const onAbort = (): void => abortBarrier(flags);
  signal?.addEventListener('abort', onAbort);
  try {
    const replies = await runOnWorkers<BoostingWorkerReply>(import.meta.url, 'gradientBoostingWorker', tasks);
    if (!replies) return undefined;
    // A thread that fails (even before its first stage) releases the others from the barrier.
    for (const r of replies) r.catch(onAbort);
    const settled = await Promise.allSettled(replies);
    throwIfAborted(signal);
    // A rejected reply or a thread released by the abort flag: some trees are missing.
    if (barrierAborted(flags)) return undefined;
    const stages: Tree[][] = Array.from({ length: numStages }, () => new Array<Tree>(K));
    for (const r of settled) if (r.status === 'fulfilled' && 'trees' in r.value) for (const t of r.value.trees) stages[t.stage][t.k] = t.tree;
    const final = Array.from({ length: K }, (_, k) => columns.slice(k * n, (k + 1) * n));
    return boostedModelOf(x, setup, stages, final);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
