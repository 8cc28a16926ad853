import cliProgress from 'cli-progress';
import type { Progress } from '../core/types.js';

/** A progress bar on stderr fed by a library `onProgress` callback; silent when stderr is not a terminal
 * unless `force` is set (then it prints a line per stage change, so logs stay readable). */
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

function drawnBar(label: string, options: { force?: boolean; quiet?: boolean }): ProgressBar {
  if (options.quiet) return { onProgress: () => undefined, stop: () => undefined };
  const tty = process.stderr.isTTY === true;
  if (!tty && !options.force) {
    let lastStage = '';
    let lastPct = -1;
    return {
      onProgress: (p) => {
        const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total / 25) * 25 : 0;
        if (p.stage !== lastStage || pct !== lastPct) {
          lastStage = p.stage;
          lastPct = pct;
          process.stderr.write(`${label} ${p.stage} ${p.done}/${p.total}\n`);
        }
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(22)} {bar} {percentage}% | {stage} {value}/{total} | {duration_formatted}`,
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
  return {
    onProgress: (p) => {
      if (!started) {
        bar.start(Math.max(1, p.total), p.done, { stage: p.stage });
        started = true;
      }
      bar.setTotal(Math.max(1, p.total));
      bar.update(p.done, { stage: p.stage });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
