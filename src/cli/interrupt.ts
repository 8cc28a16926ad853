/**
 * How the CLI ends a command it cannot finish: Ctrl-C (an abort, then a report of where it stopped) and a command
 * that waits on a callback whose promise never settles (a report instead of Node's silent exit).
 */
import { DisentangleError } from '../core/errors.js';
import { lastProgress } from './progress.js';

/** Set by the first Ctrl-C: where the command had got to, for main() to report (once: `interruptReported`). */
let interruptedAt: string | undefined;
let interruptReported = false;

/** Exit code of a command stopped by SIGINT (128 + 2, what shells report for Ctrl-C). */
const SIGINT_EXIT = 130;

function describeInterrupt(): string {
  const p = lastProgress();
  const where = p ? `${p.label} stopped at ${p.stage} ${p.done}/${p.total}` : 'stopped before any progress';
  return `interrupted: ${where}; ${p?.label.startsWith('train') ? 'the model was not saved' : 'no result written'}`;
}

/**
 * Turns the first SIGINT (Ctrl-C) into an abort of the running command: the library stops at its next batch,
 * callback or yield (every ~50 ms), nothing more is written, and main() prints what was left unfinished and
 * exits with 130. A second Ctrl-C, or work that has not unwound a second later (a user callback that never
 * returns control), ends the process at once with the same message and code.
 */
export function abortOnSigint(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    interruptedAt = describeInterrupt();
    const exitNow = (): never => {
      if (!interruptReported) process.stderr.write(`\ndisentangle: ${interruptedAt}\n`);
      process.exit(SIGINT_EXIT);
    };
    process.once('SIGINT', exitNow);
    setTimeout(exitNow, 1000).unref();
    controller.abort();
  });
  return controller.signal;
}

/** After a command failed: reports an interrupt (and sets exit code 130) when the failure is the Ctrl-C abort. */
export function reportInterrupt(e: unknown): boolean {
  if (interruptedAt === undefined || !(e instanceof DisentangleError) || e.code !== 'ABORTED') return false;
  process.stderr.write(`disentangle: ${interruptedAt}\n`);
  interruptReported = true;
  process.exitCode = SIGINT_EXIT;
  return true;
}

/**
 * When the event loop empties while a command is still pending, nothing can ever resume it: a promise of the
 * user's model or dataset never settled and holds no timer or I/O. Node would end the process silently (exit 13
 * for an unsettled top-level await); say what was waiting instead, and exit 1.
 */
export function reportNeverSettled(): void {
  const p = lastProgress();
  const where = p ? `${p.label} at ${p.stage} ${p.done}/${p.total}` : 'the command';
  process.stderr.write(`disentangle: stopped: ${where} was waiting for a callback (your model or dataset) whose promise never settled; no result written\n`);
  process.exit(1);
}
