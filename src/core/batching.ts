import { DisentangleError, throwIfAborted } from './errors.js';
import { disposeIfTensor, isTfTensor } from './tensor.js';
import type { Progress } from './types.js';

/** What a batched loop needs to report progress and stop on request. */
export interface BatchLoopOptions {
  total: number;
  batchSize: number;
  stage: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * Runs `body(start, size, index)` over `total` items in batches of `batchSize`, awaiting each batch before the
 * next starts (so at most one batch of observations is alive), checking the abort signal between batches and
 * reporting `{stage, done, total}` after each.
 */
export async function forEachBatch(
  opts: BatchLoopOptions,
  body: (start: number, size: number, index: number) => Promise<void> | void,
): Promise<void> {
  const { total, batchSize, stage, onProgress, signal } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DisentangleError('BAD_OPTION', 'batchSize', `expected a positive integer, got ${batchSize}`);
  throwIfAborted(signal);
  onProgress?.({ stage, done: 0, total });
  // Synchronous callbacks (tfjs on the cpu or wasm backend) never hand the event loop a turn by themselves.
  const yielder = createYielder(signal);
  let index = 0;
  for (let start = 0; start < total; start += batchSize, index++) {
    const size = Math.min(batchSize, total - start);
    await body(start, size, index);
    throwIfAborted(signal);
    onProgress?.({ stage, done: start + size, total });
    await yielder.maybeYield();
  }
}

/**
 * One progress bar over every stage of a run whose steps are not one batched loop (the FactorVAE and BetaVAE
 * metrics count a scale batch, a vote or a point as one step). Each step also yields to the event loop when due
 * ({@link createYielder}), so progress repaints and an abort fired from a timer is seen promptly even when every
 * callback is synchronous.
 *
 * @example
 * const progress = new ProgressCounter(onProgress, numTrain + numEval, signal); // reports { stage: 'start', done: 0 }
 * for (let i = 0; i < numTrain; i++) await progress.step('votes');
 */
export class ProgressCounter {
  private done = 0;
  private readonly yielder: Yielder;

  constructor(
    private readonly onProgress: ((p: Progress) => void) | undefined,
    readonly total: number,
    signal: AbortSignal | undefined,
  ) {
    throwIfAborted(signal);
    this.yielder = createYielder(signal);
    onProgress?.({ stage: 'start', done: 0, total });
  }

  /** Counts one step of `stage`, yields when due (throwing `ABORTED` once the signal fired) and reports. */
  async step(stage: string): Promise<void> {
    this.done += 1;
    await this.yielder.maybeYield();
    this.onProgress?.({ stage, done: this.done, total: this.total });
  }

  /** Reports completion when a run ends early (FactorVAE with no active dims): bars should not stop short. */
  finish(stage: string): void {
    this.done = this.total;
    this.onProgress?.({ stage, done: this.total, total: this.total });
  }
}

/** Throws `CALLBACK_RESULT` when a callback returned a block of the wrong size. */
export function checkCallbackRows(got: number, expected: number, callback: string): void {
  if (got !== expected) {
    throw new DisentangleError('CALLBACK_RESULT', callback, `returned ${got} rows for a batch of ${expected}; it must return one row per input`);
  }
}

/** Yields to the event loop so progress bars repaint and aborts are seen during long synchronous work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Milliseconds between two yields of a {@link Yielder}: well under the 100 ms a user notices. */
export const YIELD_INTERVAL_MS = 50;

/**
 * Hands the event loop a turn at most every `intervalMs` of a long loop and checks the abort signal on every
 * call. `await maybeYield()` in a loop costs one clock read and one microtask when no yield is due; a due
 * yield is a macrotask (`setTimeout(0)`), the only kind that lets timers (`AbortSignal.timeout`), signals
 * (Ctrl-C), I/O and a browser's repaint run: awaiting a resolved promise does not.
 */
export interface Yielder {
  /** True when `intervalMs` have passed since the last yield (for loops that batch their own work). */
  due(): boolean;
  /** Yields when due, then throws `ABORTED` if the signal has fired. */
  maybeYield(): Promise<void>;
}

/** A {@link Yielder} for one long computation. */
export function createYielder(signal?: AbortSignal, intervalMs = YIELD_INTERVAL_MS): Yielder {
  let last = Date.now();
  const due = (): boolean => Date.now() - last >= intervalMs;
  return {
    due,
    async maybeYield(): Promise<void> {
      throwIfAborted(signal);
      if (!due()) return;
      await yieldToEventLoop();
      last = Date.now();
      throwIfAborted(signal);
    },
  };
}

/**
 * Disposes what an abandoned callback returned: a tfjs tensor, or the tensors directly inside an array or a
 * plain object (UDR's and AAM's `{ mean, logVar }`). Anything else is left alone.
 */
export function disposeCallbackResult(value: unknown): void {
  if (isTfTensor(value)) return disposeIfTensor(value);
  if (Array.isArray(value)) return value.forEach(disposeIfTensor);
  if (value && typeof value === 'object') Object.values(value).forEach(disposeIfTensor);
}

function isThenable<T>(x: T | PromiseLike<T>): x is PromiseLike<T> {
  return !!x && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * Awaits a user callback's result, or rejects with `ABORTED` as soon as `signal` fires, whichever comes first:
 * a callback that never settles cannot keep a run alive after its caller gave up. The abandoned result is
 * not lost track of: when it arrives later, the tensors in it are disposed ({@link disposeCallbackResult}),
 * and a later rejection is swallowed. A result that is already there when the signal has fired is disposed
 * too, and the run stops.
 *
 * @param value what the callback returned (a value or a promise of one).
 * @param callback the callback's name, for the error message (`represent`, `models[2].generate` …).
 * @example
 * const codes = await raceAbort(represent(observations), signal, 'represent');
 */
export function raceAbort<T>(value: T | PromiseLike<T>, signal: AbortSignal | undefined, callback: string): Promise<T> {
  const aborted = (): DisentangleError => new DisentangleError('ABORTED', 'signal', `the operation was aborted by the caller (while waiting for ${callback})`);
  if (!isThenable(value)) {
    if (!signal?.aborted) return Promise.resolve(value);
    disposeCallbackResult(value);
    return Promise.reject(aborted());
  }
  if (!signal) return Promise.resolve(value);
  return new Promise<T>((resolve, reject) => {
    let abandoned = false;
    const onAbort = (): void => {
      abandoned = true;
      reject(aborted());
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    value.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (abandoned) disposeCallbackResult(v);
        else resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!abandoned) reject(e);
      },
    );
  });
}

/**
 * A long computation written once as a generator that `yield`s at points where it may pause (after a column,
 * a row block, a pair …): {@link runSteps} runs it to the end synchronously, {@link runStepsAsync} gives the
 * event loop a turn when one is due and stops on abort. The sync and async entries of a metric share it, so
 * they compute the same numbers.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs `steps` to the end without pausing. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs `steps`, awaiting `yielder.maybeYield()` at each of its pause points (so it honours the signal). */
export async function runStepsAsync<T>(steps: Steps<T>, yielder: Yielder): Promise<T> {
  try {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await yielder.maybeYield();
    }
  } finally {
    steps.return(undefined as T); // an abort leaves the generator suspended: close it (runs its finally blocks)
  }
}
