/**
 * Reading HDF5 files through h5wasm (the HDF5 C library compiled to WebAssembly; an optional peer dependency,
 * imported on first use). What the data set loaders need and nothing more: a file's top-level arrays with their
 * shape, element type and chunk shape, and hyperslab reads, which the HDF5 library serves by inflating only the
 * chunks that the slab touches.
 *
 * Sources: a path (Node; h5wasm's Node build reads the file in place, so a multi-GB file is never loaded whole),
 * or the bytes / a `Blob` (any host; copied into h5wasm's in-memory file system, so the compressed file is held
 * once in memory). HDF5's own errors ("not an HDF5 file", "truncated file") become `BAD_FILE` naming the
 * argument.
 */
import { DisentangleError } from '../core/errors.js';

type H5Module = typeof import('h5wasm').default;
type H5File = InstanceType<H5Module['File']>;
type H5Dataset = InstanceType<H5Module['Dataset']>;

/** One array of an HDF5 file. */
export interface Hdf5Array {
  readonly name: string;
  readonly shape: readonly number[];
  /** Chunk shape, `null` for a contiguous array. */
  readonly chunks: readonly number[] | null;
  /** `'uint'`, `'int'`, `'float'` or `'other'` (strings, compounds...). */
  readonly kind: 'uint' | 'int' | 'float' | 'other';
  /** Bytes per element. */
  readonly itemSize: number;
  /** Names of the filters in the chunk pipeline (`'deflate'`, `'shuffle'`...). */
  readonly filters: readonly string[];
  /** Reads the slab starting at `start` with extents `count` (C order, typed by the element type). */
  read(start: readonly number[], count: readonly number[]): ArrayLike<number>;
}

/** An open HDF5 file. */
export interface Hdf5File {
  /** Top-level member names. */
  readonly names: readonly string[];
  /** The top-level array `name`, or `undefined` when there is none. */
  array(name: string): Hdf5Array | undefined;
  /** Releases the file (and its in-memory copy when opened from bytes). Idempotent. */
  close(): void;
}

const INSTALL = 'reading HDF5 needs the optional peer dependency h5wasm (npm install h5wasm)';
const modules = new Map<string, Promise<H5Module>>();
// A specifier in a variable: bundlers leave the import to run time (h5wasm is ESM-only, so the CommonJS build
// must not turn it into require()).
const importByName = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier);
let memCounter = 0;

async function h5wasmModule(specifier: 'h5wasm' | 'h5wasm/node', argument: string, fn: string): Promise<H5Module> {
  let p = modules.get(specifier);
  if (!p) {
    p = (async () => {
      const mod = ((await importByName(specifier)) as { default: H5Module }).default;
      const M = await mod.ready;
      M.activate_throwing_error_handler(); // HDF5 errors become exceptions instead of text on stderr
      return mod;
    })();
    modules.set(specifier, p);
    p.catch(() => modules.delete(specifier));
  }
  try {
    return await p;
  } catch (e) {
    const where = specifier === 'h5wasm/node' ? ' (a path needs Node; in a browser pass the bytes or a Blob)' : '';
    throw new DisentangleError('UNSUPPORTED', argument, `${fn}: ${INSTALL}${where}: ${(e as Error).message}`);
  }
}

/** The most specific line of an HDF5 error stack ("minor: File has been truncated"), or the message. */
function hdf5Reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const minors = text.split('\n').filter((l) => /minor:/.test(l)).map((l) => l.replace(/^\s*minor:\s*/, '').trim());
  const useful = minors.filter((m) => !/^(Unable to open file|Can't open object|Read failed|Unable to initialize object)$/.test(m));
  return (useful[0] ?? minors[0] ?? text.split('\n')[0]).trim();
}

function kindOf(type: number, signed: boolean): Hdf5Array['kind'] {
  if (type === 0) return signed ? 'int' : 'uint';
  if (type === 1) return 'float';
  return 'other';
}

function wrapDataset(d: H5Dataset, name: string, fail: (m: string) => DisentangleError): Hdf5Array {
  const meta = d.metadata;
  const shape = Object.freeze([...(meta.shape ?? [])]);
  const chunks = meta.chunks ? Object.freeze([...meta.chunks]) : null;
  const filters = Object.freeze(d.filters.map((f) => f.name));
  return {
    name,
    shape,
    chunks,
    kind: kindOf(meta.type, meta.signed),
    itemSize: meta.size,
    filters,
    read(start, count) {
      const ranges = start.map((s, k) => [s, s + count[k]] as [number, number]);
      let out: unknown;
      try {
        out = d.slice(ranges);
      } catch (e) {
        throw fail(`'${name}' could not be read at [${ranges.map((r) => r.join(':')).join(', ')}] (${hdf5Reason(e)})`);
      }
      const expected = count.reduce((a, b) => a * b, 1);
      if (!out || typeof out !== 'object' || (out as ArrayLike<number>).length !== expected) {
        throw fail(`'${name}' returned ${(out as ArrayLike<number> | null)?.length ?? 'nothing'} values for a slab of ${expected}`);
      }
      return out as ArrayLike<number>;
    },
  };
}

/**
 * Opens an HDF5 file read-only: a path (Node, read in place), or the file's bytes or a `Blob` (held once in
 * memory). `argument` and `fn` name the caller's argument and function in errors: `BAD_FILE` for an unreadable,
 * truncated or non-HDF5 file, `UNSUPPORTED` when h5wasm is not installed.
 *
 * @example
 * const file = await openHdf5('3dshapes.h5', 'pathOrBytes', 'loadShapes3d');
 * const images = file.array('images'); // images.read([0, 0, 0, 0], [1, 64, 64, 3])
 * file.close();
 */
export async function openHdf5(source: string | Uint8Array | Blob, argument: string, fn: string): Promise<Hdf5File> {
  const label = typeof source === 'string' ? `'${source}' ` : '';
  const fail = (m: string): DisentangleError => new DisentangleError('BAD_FILE', argument, `${label}${m}`);
  let file: H5File;
  let mod: H5Module;
  let unlink = (): void => {};
  if (typeof source === 'string') {
    mod = await h5wasmModule('h5wasm/node', argument, fn);
    try {
      file = new mod.File(source, 'r');
    } catch (e) {
      throw fail(`cannot be opened as HDF5 (${hdf5Reason(e)})`);
    }
  } else {
    let bytes: Uint8Array;
    if (source instanceof Uint8Array) bytes = source;
    else if (typeof Blob !== 'undefined' && source instanceof Blob) bytes = new Uint8Array(await source.arrayBuffer());
    else throw new DisentangleError('BAD_INPUT', argument, `${fn} expects a file path, the file's bytes (Uint8Array) or a Blob`);
    mod = await h5wasmModule('h5wasm', argument, fn);
    const { FS } = await mod.ready;
    const memName = `/disentangle-${++memCounter}.h5`;
    FS.writeFile(memName, bytes);
    unlink = () => FS.unlink(memName);
    try {
      file = new mod.File(memName, 'r');
    } catch (e) {
      unlink();
      throw fail(`${bytes.length} bytes cannot be opened as HDF5 (${hdf5Reason(e)})`);
    }
  }
  let open = true;
  const names = Object.freeze(file.keys());
  return {
    names,
    array(name) {
      if (!names.includes(name)) return undefined;
      const d = file.get(name);
      return d instanceof mod.Dataset ? wrapDataset(d, name, fail) : undefined;
    },
    close() {
      if (!open) return;
      open = false;
      file.close();
      unlink();
    },
  };
}
