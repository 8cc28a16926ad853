/**
 * Streaming SHA-256 check of a loader's input file: the file is read in 4 MiB pieces through its
 * {@link ByteSource} and hashed incrementally, so memory stays bounded whatever the file's size (MPI3D's
 * `.npz` files are 12.7 GB).
 */
import { createYielder } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { createSha256 } from '../core/sha256.js';
import type { Progress } from '../core/types.js';
import type { ByteSource } from './byteSource.js';

const PIECE = 4 * 2 ** 20;

/** Options of {@link checkSha256}. */
export interface CheckSha256Options {
  signal?: AbortSignal;
  /** Reports `{ stage: 'sha256', done, total }` in bytes hashed. */
  onProgress?: (p: Progress) => void;
}

/**
 * Throws `BAD_OPTION` naming `option` unless `value` is 64 hex digits; returns it in lowercase.
 *
 * @example
 * const want = parseSha256Option(options.sha256, 'sha256');
 */
export function parseSha256Option(value: unknown, option: string): string {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) {
    throw new DisentangleError('BAD_OPTION', option, `expected a SHA-256 digest of 64 hex digits, got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  }
  return value.toLowerCase();
}

/**
 * Hashes the whole of `src` (SHA-256, FIPS 180-4) in 4 MiB pieces, yielding to the event loop, honouring
 * `signal` and reporting progress, and throws `BAD_FILE` naming `argument` and the file when its digest is not
 * `expected` (64 hex digits, any case). Memory: one piece.
 *
 * @example
 * const src = await openByteSource('mpi3d_toy.npz', 'pathOrBytes');
 * await checkSha256(src, '…64 hex digits…', 'pathOrBytes', { onProgress: console.log });
 */
export async function checkSha256(src: ByteSource, expected: string, argument: string, options: CheckSha256Options = {}): Promise<void> {
  const want = parseSha256Option(expected, 'sha256');
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  const yielder = createYielder(signal);
  const hash = createSha256();
  const total = src.size;
  onProgress?.({ stage: 'sha256', done: 0, total });
  for (let at = 0; at < total; ) {
    const n = Math.min(PIECE, total - at);
    hash.update(await src.read(at, n));
    at += n;
    onProgress?.({ stage: 'sha256', done: at, total });
    await yielder.maybeYield();
  }
  const got = hash.digestHex();
  if (got !== want) throw new DisentangleError('BAD_FILE', argument, `${src.label} has SHA-256 ${got}, expected ${want}`);
}

/**
 * Reads a `{ [fileName]: sha256 }` option: `BAD_OPTION` naming `option` unless it is a plain object whose keys are
 * among `names` (the message lists them) and whose values are 64 hex digits. Returns the digests in lowercase.
 *
 * @example
 * const digests = parseSha256Map(options.sha256, ['a.mat', 'b.mat'], 'sha256'); // Map { 'a.mat' => '…' }
 */
export function parseSha256Map(value: unknown, names: readonly string[], option: string): Map<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DisentangleError('BAD_OPTION', option, `expected an object mapping file names to SHA-256 digests, got ${Array.isArray(value) ? 'an array' : String(value)}`);
  }
  const out = new Map<string, string>();
  const known = new Set(names);
  for (const [name, digest] of Object.entries(value)) {
    if (!known.has(name)) {
      const list = names.length > 12 ? `${names.slice(0, 12).join(', ')}, … (${names.length} in all)` : names.join(', ');
      throw new DisentangleError('BAD_OPTION', option, `names '${name}', which is not one of the files: ${list}`);
    }
    out.set(name, parseSha256Option(digest, `${option}['${name}']`));
  }
  return out;
}

/**
 * {@link checkSha256} over several files, with one progress bar: `{ stage: 'sha256', done, total }` in bytes over
 * all of them, hashed one after the other.
 *
 * @example
 * await checkSha256Files([{ src, expected }], 'dirOrFiles', { signal });
 */
export async function checkSha256Files(files: readonly { src: ByteSource; expected: string }[], argument: string, options: CheckSha256Options = {}): Promise<void> {
  const total = files.reduce((a, f) => a + f.src.size, 0);
  let before = 0;
  const { onProgress, signal } = options;
  for (const { src, expected } of files) {
    const base = before;
    await checkSha256(src, expected, argument, { signal, onProgress: onProgress && ((p) => onProgress({ stage: 'sha256', done: base + p.done, total })) });
    before += src.size;
  }
}
