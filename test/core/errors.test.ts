import { describe, expect, it } from 'vitest';
import { DisentangleError, throwIfAborted } from '../../src/core/errors.js';

describe('DisentangleError', () => {
  it('carries code and argument, and names the argument in its message', () => {
    const e = new DisentangleError('BAD_OPTION', 'numBins', 'expected an integer ≥ 1, got 0');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(DisentangleError);
    expect(e.name).toBe('DisentangleError');
    expect(e.code).toBe('BAD_OPTION');
    expect(e.argument).toBe('numBins');
    expect(e.message).toBe('numBins: expected an integer ≥ 1, got 0');
    expect(String(e)).toContain('DisentangleError');
    expect(e.stack).toBeTruthy();
  });
});

describe('throwIfAborted', () => {
  it('does nothing without a signal or before abort, throws ABORTED after', () => {
    expect(() => throwIfAborted(undefined)).not.toThrow();
    const ctl = new AbortController();
    expect(() => throwIfAborted(ctl.signal)).not.toThrow();
    ctl.abort();
    try {
      throwIfAborted(ctl.signal);
      throw new Error('no throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DisentangleError);
      expect((e as DisentangleError).code).toBe('ABORTED');
      expect((e as DisentangleError).argument).toBe('signal');
    }
    expect(() => throwIfAborted(ctl.signal, 'options.signal')).toThrow(/options.signal/);
  });
});
