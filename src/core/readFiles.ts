/**
 * Reading files, the one home for every read the library makes from a path (model directories, checkpoints, code
 * tables, the dSprites archive, ONNX models). Node only: node built-ins are imported on first use, so browser
 * bundles that never read files still load, and a call in a browser throws `UNSUPPORTED` saying what to pass
 * instead. Writing lives in core/files.ts.
 */
import { DisentangleError } from './errors.js';

type Fs = typeof import('node:fs/promises');

/**
 * Node's `fs/promises`, imported on first use; outside Node `UNSUPPORTED` naming `argument` with `message`.
 *
 * @example
 * const fs = await nodeFs('dir', 'loading from a directory needs Node (use decodeModel in a browser)');
 */
export async function nodeFs(argument: string, message = 'reading files needs Node'): Promise<Fs> {
  try {
    return await import('node:fs/promises');
  } catch {
    throw new DisentangleError('UNSUPPORTED', argument, message);
  }
}

/**
 * Reads a whole file (Node): `BAD_FILE` naming `argument` when it cannot be read, `UNSUPPORTED` outside Node with
 * `inBrowser` saying what to pass instead of a path.
 *
 * @example
 * const bytes = await readFileBytes('encoder.onnx', 'encoder');
 */
export async function readFileBytes(path: string, argument = 'path', inBrowser = 'pass the bytes instead'): Promise<Uint8Array> {
  const fs = await nodeFs(argument, `a path needs Node (node:fs); in a browser ${inBrowser}`);
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    throw new DisentangleError('BAD_FILE', argument, `cannot read '${path}' (${e instanceof Error ? e.message : String(e)})`);
  }
}

/**
 * The entry names of a directory, or `undefined` when it cannot be listed (missing, not a directory, no
 * permission): callers probing where checkpoints may be treat all of those as "none here".
 */
export async function listDirectory(dir: string, argument = 'dir', message?: string): Promise<string[] | undefined> {
  const fs = await nodeFs(argument, message);
  try {
    return await fs.readdir(dir);
  } catch {
    return undefined;
  }
}

/**
 * A regular file's size and its bytes as a stream of chunks (Node), for files too large to hold twice. A file that
 * cannot be opened is `BAD_FILE` "cannot read '<path>' (…)"; a read error halfway (the file removed, a disk
 * error) is `BAD_FILE` "'<path>' could not be read to the end (…)", never a raw system error.
 *
 * @example
 * const { total, chunks } = await openFileStream('dsprites.npz', 'path', 1 << 20);
 * for await (const c of chunks) consume(c);
 */
export async function openFileStream(path: string, argument: string, chunkSize: number): Promise<{ total: number; chunks: AsyncIterable<Uint8Array> }> {
  let fs: typeof import('node:fs');
  try {
    fs = await import('node:fs');
  } catch {
    throw new DisentangleError('UNSUPPORTED', argument, 'a path needs Node (node:fs); in a browser pass the bytes instead');
  }
  let total: number;
  try {
    const stat = await fs.promises.stat(path);
    if (!stat.isFile()) throw new Error('not a regular file');
    total = stat.size;
  } catch (e) {
    throw new DisentangleError('BAD_FILE', argument, `cannot read '${path}' (${(e as Error).message})`);
  }
  const stream = fs.createReadStream(path, { highWaterMark: chunkSize }) as AsyncIterable<Uint8Array>;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const c of stream) yield c;
    } catch (e) {
      throw e instanceof DisentangleError ? e : new DisentangleError('BAD_FILE', argument, `'${path}' could not be read to the end (${(e as Error).message})`);
    }
  }
  return { total, chunks: chunks() };
}
