/** Assertions on the library's errors, shared by the test files. */
import { expect } from 'vitest';
import { DisentangleError } from '../../src/core/errors.js';

/** One assertion for "this synchronous call throws the library's error": its code, argument and, optionally, message. */
export function expectError(f: () => unknown, code: string, argument: RegExp, message?: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DisentangleError);
    expect((e as DisentangleError).code).toBe(code);
    expect((e as DisentangleError).argument).toMatch(argument);
    if (message) expect((e as DisentangleError).message).toMatch(message);
    return;
  }
  throw new Error(`expected a DisentangleError ${code}`);
}

/** The library's error `fn` throws (failing when it returns or throws anything else). */
export function thrown(fn: () => unknown): DisentangleError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DisentangleError);
    return e as DisentangleError;
  }
  throw new Error('expected an error');
}

/** The library's error `p` rejects with (failing when it resolves or rejects with anything else); `what` labels the case. */
export async function rejection(p: Promise<unknown>, what = ''): Promise<DisentangleError> {
  try {
    await p;
  } catch (e) {
    expect(e, what).toBeInstanceOf(DisentangleError);
    return e as DisentangleError;
  }
  throw new Error(`expected an error${what ? `: ${what}` : ''}`);
}
