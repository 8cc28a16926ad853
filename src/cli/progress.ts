import cliProgress from 'cli-progress';
import type { Progress } from '../core/types.js';

/** A progress bar on stderr fed by a library `onProgress` callback, with the time left in the current stage.
 * When stderr is not a terminal (a log file, CI) it prints a line per stage change and per quarter of a stage
 * instead, with an estimated time left once one is meaningful; `force` draws the bar anyway. */
export interface ProgressBar {
  onProgress: (p: Progress) => void;
  stop(): void;
}

/** The latest progress any bar of this process was given, with its label: what an interrupt reports. */
export interface LastProgress extends Progress {
  label: string;
}

let latest: LastProgress | undefined;

/** Where the running command had got to (undefined before any progress). */
export function lastProgress(): LastProgress | undefined {
  return latest;
}

/** A {@link ProgressBar} labelled `label`; every update is also remembered for {@link lastProgress}. */
export function progressBar(label: string, options: { force?: boolean; quiet?: boolean } = {}): ProgressBar {
  const bar = drawnBar(label, options);
  return {
    onProgress: (p) => {
      latest = { ...p, label };
      bar.onProgress(p);
    },
    stop: () => bar.stop(),
  };
}

/**
 * Seconds as `12s`, `3m 05s` or `1h 20m`; anything else (cli-progress's 'NULL' / 'INF' before a rate is known,
 * or the initial '0') as `?`, so an unknown time left never reads as "0s".
 */
export function formatSeconds(t: unknown): string {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return '?';
  const s = Math.round(t);
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Shortest stage time (ms) before a line-mode estimate is printed: earlier rates are mostly start-up. */
const MIN_ESTIMATE_MS = 1000;

/**
 * Time left in a stage, extrapolating the rate since the stage began (`done0` rows at `startMs`); undefined
 * while nothing has been done, when the stage is complete, or too early to tell.
 */
export function secondsLeft(p: { done: number; total: number }, done0: number, startMs: number, nowMs: number): number | undefined {
  const elapsed = nowMs - startMs;
  if (p.done <= done0 || p.done >= p.total || elapsed < MIN_ESTIMATE_MS) return undefined;
  return ((elapsed / (p.done - done0)) * (p.total - p.done)) / 1000;
}

function drawnBar(label: string, options: { force?: boolean; quiet?: boolean }): ProgressBar {
  if (options.quiet) return { onProgress: () => undefined, stop: () => undefined };
  const tty = process.stderr.isTTY === true;
  if (!tty && !options.force) {
    let lastStage = '';
    let lastPct = -1;
    let stageStart = 0;
    let stageDone0 = 0;
    return {
      onProgress: (p) => {
        const now = performance.now();
        const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total / 25) * 25 : 0;
        if (p.stage !== lastStage) {
          stageStart = now;
          stageDone0 = p.done;
        }
        if (p.stage !== lastStage || pct !== lastPct) {
          lastStage = p.stage;
          lastPct = pct;
          const left = secondsLeft(p, stageDone0, stageStart, now);
          process.stderr.write(`${label} ${p.stage} ${p.done}/${p.total}${left === undefined ? '' : `, about ${formatSeconds(left)} left`}\n`);
        }
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      // duration and time left are the current stage's: each stage restarts the bar (and its rate estimate)
      format: `${label.padEnd(22)} {bar} {percentage}% | {stage} {value}/{total} | {duration_formatted}, {eta_formatted} left`,
      // cli-progress formats the ETA with roundToMultipleOf 5 (durations with 1); a finished stage has no rate
      // left to extrapolate (its ETA reads 'NULL'), and nothing left to wait for
      formatTime: (t: unknown, _o: unknown, roundTo?: number) => (complete && roundTo === 5 ? '0s' : formatSeconds(t)),
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      noTTYOutput: !tty,
      notTTYSchedule: 1000,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let complete = false;
  let stage = '';
  return {
    onProgress: (p) => {
      if (!started || p.stage !== stage) {
        // a new stage runs at its own rate: restarting resets cli-progress's ETA buffer
        bar.start(Math.max(1, p.total), p.done, { stage: p.stage });
        started = true;
        stage = p.stage;
      }
      complete = p.done >= p.total;
      bar.setTotal(Math.max(1, p.total));
      bar.update(p.done, { stage: p.stage });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
