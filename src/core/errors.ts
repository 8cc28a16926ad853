/** Machine-readable reason carried by every {@link DisentangleError}. */
export type DisentangleErrorCode =
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE'
  | 'EMPTY'
  | 'BAD_OPTION'
  | 'BAD_INPUT'
  | 'CALLBACK_RESULT'
  | 'ABORTED'
  | 'BAD_FILE'
  | 'UNSUPPORTED';

/**
 * The one error type the library throws. `argument` names the argument (or option, or callback) at fault so that
 * a caller can fix the call without reading our source.
 *
 * @example
 * try { migFromCodes({ codes, factors }); } catch (e) { if (e instanceof DisentangleError) console.log(e.code, e.argument); }
 */
export class DisentangleError extends Error {
  readonly code: DisentangleErrorCode;
  readonly argument: string;

  constructor(code: DisentangleErrorCode, argument: string, message: string) {
    super(`${argument}: ${message}`);
    this.name = 'DisentangleError';
    this.code = code;
    this.argument = argument;
  }
}

/** Throws `ABORTED` when the signal has fired; long loops call this between batches. */
export function throwIfAborted(signal: AbortSignal | undefined, argument = 'signal'): void {
  if (signal?.aborted) {
    throw new DisentangleError('ABORTED', argument, 'the operation was aborted by the caller');
  }
}
