/**
 * Random access to a file's bytes whatever the caller handed over: a path (Node, read by offset through a file
 * handle), the bytes themselves, or a `Blob` / `File` (browsers, read by `slice`). Loaders of large binary files
 * (SmallNORB's `.dat`, MPI3D's stored `.npz`) read headers and rows by offset through it and never need the
 * whole file in memory.
 */
import { DisentangleError } from '../core/errors.js';
import { nodeFs } from '../core/readFiles.js';

/** A file's size and a way to read any byte range of it. */
export interface ByteSource {
  /** How messages name the file: its quoted path or name. */
  readonly label: string;
  readonly size: number;
  /** Exactly `length` bytes from `offset` (`BAD_FILE` when the file ends first). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases the file handle (paths); idempotent. */
  close(): Promise<void>;
}

/** What loaders accept for one file. */
export type FileInput = string | Uint8Array | Blob;

const isBlob = (v: unknown): v is Blob => typeof Blob !== 'undefined' && v instanceof Blob;

/**
 * Opens a path, bytes or Blob for reading by offset. Errors name `argument` and `label`.
 *
 * @example
 * const src = await openByteSource('mpi3d_toy.npz', 'pathOrBytes');
 * const head = await src.read(0, 64);
 * await src.close();
 */
export async function openByteSource(input: FileInput, argument: string, label?: string): Promise<ByteSource> {
  if (input instanceof Uint8Array) {
    const name = label ?? 'the bytes';
    return {
      label: name,
      size: input.length,
      async read(offset, length) {
        if (offset + length > input.length) throw short(argument, name, offset, length, input.length);
        return input.subarray(offset, offset + length);
      },
      async close() {},
    };
  }
  if (isBlob(input)) {
    const name = label ?? `'${(input as Blob & { name?: string }).name ?? 'blob'}'`;
    return {
      label: name,
      size: input.size,
      async read(offset, length) {
        if (offset + length > input.size) throw short(argument, name, offset, length, input.size);
        return new Uint8Array(await input.slice(offset, offset + length).arrayBuffer());
      },
      async close() {},
    };
  }
  if (typeof input !== 'string') throw new DisentangleError('BAD_INPUT', argument, 'expected a file path, the file\'s bytes (Uint8Array) or a Blob');
  const fs = await nodeFs(argument, 'a path needs Node (node:fs); in a browser pass the bytes or a Blob instead');
  const name = label ?? `'${input}'`;
  let handle: Awaited<ReturnType<typeof fs.open>>;
  let size: number;
  try {
    handle = await fs.open(input, 'r');
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw new Error('not a regular file');
    }
    size = stat.size;
  } catch (e) {
    throw new DisentangleError('BAD_FILE', argument, `cannot read ${name} (${(e as Error).message})`);
  }
  let closed = false;
  return {
    label: name,
    size,
    async read(offset, length) {
      if (offset + length > size) throw short(argument, name, offset, length, size);
      const out = new Uint8Array(length);
      let got = 0;
      try {
        while (got < length) {
          const { bytesRead } = await handle.read(out, got, length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      } catch (e) {
        throw new DisentangleError('BAD_FILE', argument, `${name} could not be read at byte ${offset + got} (${(e as Error).message})`);
      }
      if (got < length) throw short(argument, name, offset, length, offset + got);
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

function short(argument: string, name: string, offset: number, length: number, size: number): DisentangleError {
  return new DisentangleError('BAD_FILE', argument, `${name} ends at byte ${size}, before the ${length} bytes wanted at ${offset} (the file is truncated)`);
}
