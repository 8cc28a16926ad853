/**
 * Option parsers that check ranges while commander parses: a bad value ends the run with a one-line
 * `disentangle: --flag: reason` and exit code 1 before the backend starts or anything is computed.
 */
import { DisentangleError } from '../core/errors.js';

export const intIn =
  (flag: string, min: number, max: number) =>
  (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isInteger(x) || x < min || x > max) {
      throw new DisentangleError('BAD_OPTION', flag, `expected an integer in [${min}, ${max}], got '${v}'`);
    }
    return x;
  };
/** A finite number in (min, max] when `above`, else [min, max]. */
export const numIn =
  (flag: string, min: number, max: number, above = false) =>
  (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || (above ? x <= min : x < min) || x > max) {
      throw new DisentangleError('BAD_OPTION', flag, `expected a number ${above ? '>' : '≥'} ${min} and ≤ ${max}, got '${v}'`);
    }
    return x;
  };
export const oneOf =
  <T extends string>(flag: string, allowed: readonly T[]) =>
  (v: string): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new DisentangleError('BAD_OPTION', flag, `expected ${allowed.join(', ')}, got '${v}'`);
    return v as T;
  };
export const seedArg = intIn('--seed', 0, 4294967295);
/** Training lengths: a hundred million iterations is months on a CPU. */
export const MAX_ITERATIONS = 100_000_000;
