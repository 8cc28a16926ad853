import { DisentangleError, throwIfAborted } from './errors.js';
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
  let index = 0;
  for (let start = 0; start < total; start += batchSize, index++) {
    const size = Math.min(batchSize, total - start);
    await body(start, size, index);
    throwIfAborted(signal);
    onProgress?.({ stage, done: start + size, total });
  }
}

/** Scales a sub-task's progress into a slice of a parent's progress, so nested loops report one bar. */
export function progressSlice(
  onProgress: ((p: Progress) => void) | undefined,
  stage: string,
  offset: number,
  parentTotal: number,
): ((p: Progress) => void) | undefined {
  if (!onProgress) return undefined;
  return (p) => onProgress({ stage: p.stage || stage, done: offset + p.done, total: parentTotal });
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
