/**
 * Crash-safe file output, the one home for every write the library and the CLI make. A file goes to a temporary
 * name in its own folder, is flushed to disk and renamed over the target, so a reader (or a process restarted after
 * kill -9) sees the old content or the new, never a mix. A directory (a saved model: `model.json` + `weights.bin`)
 * is written whole into a temporary sibling and swapped in by renames; {@link recoverDirectory} finishes a swap that
 * a crash interrupted. Node only: node built-ins are imported on first use, so browser bundles that never write
 * files still load, and a call in a browser throws `UNSUPPORTED`.
 */
import { DisentangleError } from './errors.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

async function nodeModules(argument: string): Promise<{ fs: Fs; p: Path }> {
  try {
    const [fs, p] = await Promise.all([import('node:fs/promises'), import('node:path')]);
    return { fs, p };
  } catch {
    throw new DisentangleError('UNSUPPORTED', argument, 'reading and writing files needs Node (in a browser, use the in-memory forms such as encodeModel/decodeModel)');
  }
}

/** What {@link writeFileAtomic} accepts: the whole content, or chunks produced (possibly asynchronously) on the way. */
export type FileContent = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

let tempCounter = 0;
const processId = (): number => (typeof process === 'object' && process ? process.pid : 0);
/** A hidden sibling name unique to this process and call; `wx` opens make a clash with another process fail, not overwrite. */
const tempName = (base: string, kind: string): string => `.${base}.${processId()}-${++tempCounter}.${kind}`;
const TEMP_PATTERN = (base: string) => new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)-\\d+\\.tmp$`);

const errorCode = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

function wrap(e: unknown, argument: string, what: string): DisentangleError {
  if (e instanceof DisentangleError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return new DisentangleError('BAD_FILE', argument, `cannot write ${what}: ${reason}`);
}

async function exists(fs: Fs, path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return false;
    throw e;
  }
}

/** Flushes a folder's entries (the renames in it) to disk. Not possible everywhere (Windows): best effort. */
async function syncDirectory(fs: Fs, dir: string): Promise<void> {
  let handle: Awaited<ReturnType<Fs['open']>> | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // A folder that cannot be opened or synced (Windows, some network filesystems): the renames still happened.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function writeChunks(handle: Awaited<ReturnType<Fs['open']>>, data: FileContent): Promise<void> {
  if (typeof data === 'string' || data instanceof Uint8Array) {
    await handle.writeFile(data);
    return;
  }
  for await (const chunk of data as AsyncIterable<Uint8Array>) await handle.write(chunk);
}

/**
 * Writes a file so that it is replaced whole or not at all: the content goes to a temporary file in the same
 * folder (created if needed), is flushed (fsync), and is renamed over `path`; the folder is then flushed where the
 * platform allows (`path` may be a `file:` URL). On any failure the temporary file is removed and an existing `path` keeps its old content.
 * Throws `BAD_FILE` (naming `argument`) when the write fails, `UNSUPPORTED` outside Node.
 *
 * @example
 * await writeFileAtomic('scores.json', JSON.stringify(results, null, 2));
 */
export async function writeFileAtomic(path: string | URL, data: FileContent, argument = 'path'): Promise<void> {
  const { fs, p } = await nodeModules(argument);
  if (path instanceof URL) path = (await import('node:url')).fileURLToPath(path);
  const target = p.resolve(path);
  const dir = p.dirname(target);
  let tmp = '';
  let handle: Awaited<ReturnType<Fs['open']>> | undefined;
  try {
    await fs.mkdir(dir, { recursive: true });
    const old = await fs.stat(target).catch(() => undefined);
    if (old?.isDirectory()) throw new DisentangleError('BAD_FILE', argument, `cannot write ${path}: it is a directory`);
    for (;;) {
      tmp = p.join(dir, tempName(p.basename(target), 'tmp'));
      try {
        handle = await fs.open(tmp, 'wx', old ? old.mode & 0o777 : 0o666);
        break;
      } catch (e) {
        if (errorCode(e) !== 'EEXIST') throw e;
      }
    }
    await writeChunks(handle, data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, target);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    if (tmp) await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw wrap(e, argument, path);
  }
  await syncDirectory(fs, dir);
}

/** The hidden siblings a directory replacement uses: the complete new content, and the old one being retired. */
function swapNames(p: Path, target: string): { parent: string; base: string; fresh: string; retired: string } {
  const parent = p.dirname(target);
  const base = p.basename(target);
  return { parent, base, fresh: p.join(parent, `.${base}.new`), retired: p.join(parent, `.${base}.old`) };
}

/** Completes a swap whose new content is complete (`.new`) while the target is missing. */
async function rollForward(fs: Fs, p: Path, target: string): Promise<void> {
  const { parent, fresh, retired } = swapNames(p, target);
  if (await exists(fs, retired)) {
    // Whatever the old directory held besides the model files (a run's `checkpoints/`, the user's notes) moves over.
    for (const entry of await fs.readdir(retired)) {
      if (!(await exists(fs, p.join(fresh, entry)))) await fs.rename(p.join(retired, entry), p.join(fresh, entry));
    }
    await syncDirectory(fs, fresh);
  }
  await fs.rename(fresh, target);
  await syncDirectory(fs, parent);
  await fs.rm(retired, { recursive: true, force: true });
}

function processAlive(pid: number): boolean {
  if (pid === processId()) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === 'EPERM';
  }
}

/**
 * Brings a directory written by {@link writeDirectoryAtomic} to a consistent state after a crash and returns the
 * path that holds its content. When the directory is missing but a complete replacement (`.<name>.new`) or the
 * retired old content (`.<name>.old`) is there, it is renamed into place (the new one preferred); if that rename is
 * not allowed (a read-only folder), the path of the complete copy is returned to read from. With `clean`, leftovers
 * of interrupted writes are removed too (temporary siblings of processes that no longer run, an uncommitted
 * `.new`, a retired `.old`). Loads call it without `clean`, writes with it.
 *
 * @example
 * const dir = await recoverDirectory('models/fvae');   // then read model.json from dir
 */
export async function recoverDirectory(dir: string, options: { clean?: boolean; argument?: string } = {}): Promise<string> {
  const argument = options.argument ?? 'dir';
  const { fs, p } = await nodeModules(argument);
  const target = p.resolve(dir);
  const { parent, base, fresh, retired } = swapNames(p, target);
  try {
    if (!(await exists(fs, target))) {
      if (await exists(fs, fresh)) {
        try {
          await rollForward(fs, p, target);
        } catch (e) {
          if (options.clean || !(await exists(fs, fresh))) throw e;
          return fresh;
        }
      } else if (await exists(fs, retired)) {
        try {
          await fs.rename(retired, target);
        } catch (e) {
          if (options.clean) throw e;
          return retired;
        }
      }
      return target;
    }
    if (options.clean) {
      // The target is there, so a `.new` was never committed and a `.old` is fully superseded.
      await fs.rm(fresh, { recursive: true, force: true });
      await fs.rm(retired, { recursive: true, force: true });
      const stale = TEMP_PATTERN(base);
      for (const entry of await fs.readdir(parent)) {
        const m = stale.exec(entry);
        if (m && !processAlive(Number(m[1]))) await fs.rm(p.join(parent, entry), { recursive: true, force: true });
      }
    }
    return target;
  } catch (e) {
    throw new DisentangleError('BAD_FILE', argument, `cannot recover ${dir} after an interrupted write: ${(e as Error).message}`);
  }
}

/**
 * Replaces a directory whole or not at all. `fill` writes the new content into a fresh temporary sibling; it is
 * flushed and renamed to `.<name>.new`, the old directory (if any) to `.<name>.old`, then entries of the old
 * directory that the new one does not have (say a run's `checkpoints/`) move over, `.new` becomes `<name>` and
 * `.old` is removed. After kill -9 at any moment, {@link recoverDirectory} (which every model load runs) yields
 * the old content or the new. On failure before the swap, the temporary directory is removed and the old one is
 * untouched. One writer per directory at a time.
 *
 * @example
 * await writeDirectoryAtomic('models/fvae', async (tmp) => {
 *   await writeFileAtomic(`${tmp}/weights.bin`, bytes);
 *   await writeFileAtomic(`${tmp}/model.json`, json);
 * });
 */
export async function writeDirectoryAtomic(dir: string, fill: (tempDir: string) => Promise<void>, argument = 'dir'): Promise<void> {
  const { fs, p } = await nodeModules(argument);
  let target = p.resolve(dir);
  try {
    target = await fs.realpath(target);
  } catch {
    // Not there yet (or a dangling link): it is created by the swap.
  }
  // The swap renames the directory away: never the filesystem root or a folder holding the working directory.
  const cwd = process.cwd();
  if (p.dirname(target) === target || cwd === target || cwd.startsWith(`${target}${p.sep}`)) {
    throw new DisentangleError('BAD_OPTION', argument, `${dir} holds the working directory; write into a subdirectory`);
  }
  const { parent, base, fresh, retired } = swapNames(p, target);
  let tmp = '';
  try {
    await fs.mkdir(parent, { recursive: true });
    const old = await fs.stat(target).catch(() => undefined);
    if (old && !old.isDirectory()) throw new DisentangleError('BAD_FILE', argument, `cannot write ${dir}: it exists and is not a directory`);
    await recoverDirectory(target, { clean: true, argument });
    for (;;) {
      tmp = p.join(parent, tempName(base, 'tmp'));
      try {
        await fs.mkdir(tmp);
        break;
      } catch (e) {
        if (errorCode(e) !== 'EEXIST') throw e;
      }
    }
    await fill(tmp);
    await syncDirectory(fs, tmp);
    await fs.rename(tmp, fresh);
    tmp = '';
    await syncDirectory(fs, parent);
  } catch (e) {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw wrap(e, argument, dir);
  }
  // The new content is complete and durable: from here on a crash rolls forward (see recoverDirectory).
  try {
    if (await exists(fs, target)) {
      await fs.rename(target, retired);
      await syncDirectory(fs, parent);
    }
    await rollForward(fs, p, target);
  } catch (e) {
    throw wrap(e, argument, dir);
  }
}

/** Tries to create and remove a file in `dir`: the one test that also catches read-only filesystems and root. */
async function probe(fs: Fs, p: Path, dir: string, path: string, argument: string): Promise<void> {
  const name = p.join(dir, tempName('write-check', 'probe'));
  try {
    const h = await fs.open(name, 'wx');
    await h.close();
    await fs.rm(name, { force: true });
  } catch (e) {
    throw new DisentangleError('BAD_OPTION', argument, `cannot write ${path}: ${dir} is not writable (${errorCode(e) ?? (e as Error).message})`);
  }
}

/**
 * Checks, before any computing, that an output can be written: a `file` must not be a directory, a `directory`
 * must be one if it exists; the folder that will hold it must exist and be writable, or be creatable under a
 * writable ancestor (a directory is swapped in by renames, so its parent must be writable, and so must the
 * directory itself when it exists). Throws `BAD_OPTION` naming `argument`.
 *
 * @example
 * await checkWritable(options.json, 'file', '--json');
 * await checkWritable(options.out, 'directory', '--out');
 */
export async function checkWritable(path: string, kind: 'file' | 'directory' = 'file', argument = 'path'): Promise<void> {
  const { fs, p } = await nodeModules(argument);
  if (typeof path !== 'string' || path.length === 0) throw new DisentangleError('BAD_OPTION', argument, 'expected a path');
  const target = p.resolve(path);
  const st = await fs.stat(target).catch(() => undefined);
  if (st) {
    if (kind === 'file' && st.isDirectory()) throw new DisentangleError('BAD_OPTION', argument, `${path} is a directory; expected a file name`);
    if (kind === 'directory' && !st.isDirectory()) throw new DisentangleError('BAD_OPTION', argument, `${path} exists and is not a directory`);
    if (kind === 'directory') await probe(fs, p, target, path, argument);
  }
  // The nearest existing folder at or above the parent: the write creates whatever is missing below it.
  let folder = p.dirname(target);
  for (;;) {
    let f: import('node:fs').Stats | undefined;
    try {
      f = await fs.stat(folder);
    } catch (e) {
      const code = errorCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new DisentangleError('BAD_OPTION', argument, `cannot write ${path}: ${(e as Error).message}`);
    }
    if (f) {
      if (!f.isDirectory()) throw new DisentangleError('BAD_OPTION', argument, `cannot write ${path}: ${folder} is not a directory`);
      break;
    }
    const up = p.dirname(folder);
    if (up === folder) throw new DisentangleError('BAD_OPTION', argument, `cannot write ${path}: no existing folder above it`);
    folder = up;
  }
  await probe(fs, p, folder, path, argument);
}
