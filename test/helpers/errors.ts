/** One assertion for "this synchronous call throws the library's error": its code, argument and, optionally, message. */
import { expect } from 'vitest';
import { DisentangleError } from '../../src/core/errors.js';

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
