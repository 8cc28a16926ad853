/**
 * Time left in the CLI's progress output: the formatting, the estimate, and the line mode used when stderr is
 * not a terminal (logs, CI), which prints an estimated time left once a stage has run long enough to tell.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatSeconds, progressBar, secondsLeft } from '../../src/cli/progress.js';

afterEach(() => vi.restoreAllMocks());

describe('CLI progress: time left', () => {
  it('formats seconds, and an unknown estimate as ?', () => {
    expect(formatSeconds(0)).toBe('0s');
    expect(formatSeconds(12.4)).toBe('12s');
    expect(formatSeconds(185)).toBe('3m 05s');
    expect(formatSeconds(4800)).toBe('1h 20m');
    for (const unknown of ['NULL', 'INF', '0', Number.NaN, Infinity, -1]) expect(formatSeconds(unknown)).toBe('?');
  });

  it('extrapolates the rate since the stage began, and gives none when it cannot tell', () => {
    expect(secondsLeft({ done: 30, total: 100 }, 10, 0, 2000)).toBeCloseTo(7, 10); // 20 rows in 2 s, 70 to go
    expect(secondsLeft({ done: 10, total: 100 }, 10, 0, 5000)).toBeUndefined(); // nothing done yet
    expect(secondsLeft({ done: 100, total: 100 }, 0, 0, 5000)).toBeUndefined(); // finished
    expect(secondsLeft({ done: 50, total: 100 }, 0, 0, 200)).toBeUndefined(); // too early
  });

  it('prints a line per stage and quarter, with the time left once known, when stderr is not a terminal', () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const isTTY = process.stderr.isTTY;
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    let written = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((written += String(s)), true));
    try {
      const bar = progressBar('MIG');
      bar.onProgress({ stage: 'train', done: 0, total: 100 });
      now = 2000;
      bar.onProgress({ stage: 'train', done: 25, total: 100 });
      now = 2100;
      bar.onProgress({ stage: 'train', done: 30, total: 100 }); // same quarter: no line
      now = 4000;
      bar.onProgress({ stage: 'train', done: 50, total: 100 });
      bar.onProgress({ stage: 'test', done: 0, total: 10 });
      now = 4100;
      bar.onProgress({ stage: 'test', done: 10, total: 10 });
      bar.stop();
    } finally {
      Object.defineProperty(process.stderr, 'isTTY', { value: isTTY, configurable: true });
    }
    expect(written.split('\n').filter(Boolean)).toEqual([
      'MIG train 0/100',
      'MIG train 25/100, about 6s left',
      'MIG train 50/100, about 4s left',
      'MIG test 0/10',
      'MIG test 10/10',
    ]);
  });
});
