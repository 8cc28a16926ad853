/**
 * A streaming reader for NumPy `.npz` archives (a zip of `.npy` files) built on fflate: the archive is pushed
 * through in chunks, each array's header is parsed as soon as its first bytes arrive, and its data is handed on
 * chunk by chunk, so an array larger than memory can be reduced (for instance bit-packed) while it streams.
 *
 * `.npy` layout (NumPy NEP 1): magic `\x93NUMPY`, major and minor version bytes, a little-endian header length
 * (uint16 for version 1, uint32 for versions 2 and 3), then a Python dict literal with `descr`, `fortran_order`
 * and `shape`, padded with spaces and a newline; the raw data follows in C (row-major) order.
 */
import { Unzip, UnzipInflate, UnzipPassThrough, strToU8 } from 'fflate';
import { DisentangleError, throwIfAborted } from '../core/errors.js';

/** The parsed header of one `.npy` array. */
export interface NpyHeader {
  /** NumPy type string, e.g. `'|u1'`, `'<i8'`, `'<f8'`. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Bytes per element, read off `descr`; 0 for types without a fixed size (objects, strings). */
  itemSize: number;
}

/** Receives one array's data bytes in order; `byteOffset` counts from the start of the data. */
export interface NpySink {
  write(chunk: Uint8Array, byteOffset: number): void;
  /** Called once all data bytes have arrived. */
  end?(): void;
}

/** Decides, from an entry's name (without `.npy`) and header, whether to read it: a sink, or undefined to skip. */
export type NpzArrayHandler = (name: string, header: NpyHeader) => NpySink | undefined;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** Compressed bytes handed to the inflater at a time. */
const PUSH_BYTES = 1 << 16;

function badFile(argument: string, message: string): DisentangleError {
  return new DisentangleError('BAD_FILE', argument, message);
}

/**
 * Parses a `.npy` header from the first bytes of the file. Returns undefined while `bytes` is too short to hold
 * the whole header, else the header and the offset where the data starts.
 */
export function parseNpyHeader(bytes: Uint8Array, argument = 'file', name = 'array'): { header: NpyHeader; dataOffset: number } | undefined {
  if (bytes.length < 10) return undefined;
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw badFile(argument, `${name}.npy is not a NumPy .npy array (bad magic string)`);
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw badFile(argument, `${name}.npy has .npy format version ${major}, expected 1, 2 or 3`);
  const lenBytes = major === 1 ? 2 : 4;
  const start = 8 + lenBytes;
  if (bytes.length < start) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < start + headerLen) return undefined;
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  return { header: parseHeaderDict(text, argument, name), dataOffset: start + headerLen };
}

function parseHeaderDict(text: string, argument: string, name: string): NpyHeader {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw badFile(argument, `${name}.npy has an unreadable header: ${text.trim()}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((v) => !Number.isSafeInteger(v) || v < 0)) throw badFile(argument, `${name}.npy has a bad shape (${shapeText})`);
  // Object arrays ('|O', pickled, like dSprites' metadata) have no fixed item size: 0, and callers skip them.
  const itemSize = Number(/^[<>|=]?[biufc](\d+)$/.exec(descr)?.[1] ?? 0);
  return { descr, fortranOrder: fortran === 'True', shape, itemSize };
}

/** The bytes of a `.npy` header (version 1.0, padded to 64 bytes as NumPy does) for a C-order array. */
export function encodeNpyHeader(descr: string, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + dict.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, dict.length, true);
  out.set(strToU8(dict, true), 10);
  return out;
}

/** Splits one entry's decompressed stream into header and data and forwards the data to a sink. */
class NpyEntryReader {
  private head: Uint8Array = new Uint8Array(0);
  private sink: NpySink | undefined;
  private skipped = false;
  private dataBytes = 0;
  private expectedBytes = 0;

  constructor(
    readonly name: string,
    private readonly argument: string,
    private readonly handler: NpzArrayHandler,
  ) {}

  /** True once the entry's last bytes have arrived. */
  finished = false;

  push(chunk: Uint8Array, final: boolean): void {
    if (final) this.finished = true;
    if (this.skipped) return;
    if (!this.sink) {
      const joined = new Uint8Array(this.head.length + chunk.length);
      joined.set(this.head);
      joined.set(chunk, this.head.length);
      const parsed = parseNpyHeader(joined, this.argument, this.name);
      if (!parsed) {
        if (final) throw badFile(this.argument, `${this.name}.npy ends inside its header`);
        this.head = joined;
        return;
      }
      this.head = new Uint8Array(0);
      const { header } = parsed;
      this.expectedBytes = header.shape.reduce((a, b) => a * b, 1) * header.itemSize;
      this.sink = this.handler(this.name, header);
      if (this.sink && header.itemSize === 0) throw badFile(this.argument, `${this.name}.npy has dtype '${header.descr}', which has no fixed item size`);
      if (!this.sink) {
        this.skipped = true;
        return;
      }
      chunk = joined.subarray(parsed.dataOffset);
    }
    if (chunk.length > 0) {
      this.sink.write(chunk, this.dataBytes);
      this.dataBytes += chunk.length;
    }
    if (final) {
      if (this.dataBytes !== this.expectedBytes) {
        throw badFile(this.argument, `${this.name}.npy holds ${this.dataBytes} data bytes, its header announces ${this.expectedBytes}`);
      }
      this.sink.end?.();
    }
  }
}

/** Options of {@link readNpzStream}. */
export interface ReadNpzOptions {
  /** Argument name used in errors (default 'file'). */
  argument?: string;
  signal?: AbortSignal;
  /** Called after each compressed chunk with the number of compressed bytes consumed so far. */
  onBytes?: (bytes: number) => void;
}

/**
 * Streams an `.npz` archive: `chunks` yields the compressed bytes in order; for every `.npy` entry `onArray`
 * is asked for a sink, which then receives the array's data bytes as they are decompressed. Resolves with the
 * names of all entries seen. Throws `BAD_FILE` for something that is not a zip or an entry that is not `.npy`.
 */
export async function readNpzStream(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, onArray: NpzArrayHandler, options: ReadNpzOptions = {}): Promise<string[]> {
  const argument = options.argument ?? 'file';
  const names: string[] = [];
  const readers: NpyEntryReader[] = [];
  let failure: unknown;
  const unzip = new Unzip((file) => {
    const name = file.name.replace(/\.npy$/, '');
    names.push(name);
    if (!file.name.endsWith('.npy')) return;
    const reader = new NpyEntryReader(name, argument, onArray);
    readers.push(reader);
    file.ondata = (err, data, final) => {
      if (failure) return;
      try {
        if (err) throw badFile(argument, `${file.name} could not be decompressed (${err.message})`);
        reader.push(data, final);
      } catch (e) {
        failure = e;
        file.terminate();
      }
    };
    try {
      file.start();
    } catch (e) {
      failure = badFile(argument, `${file.name} uses zip compression method ${file.compression}, which is not supported (deflate or stored expected)`);
    }
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  let consumed = 0;
  const signature: number[] = [];
  for await (const chunk of chunks) {
    throwIfAborted(options.signal);
    for (let i = 0; signature.length < 4 && i < chunk.length; i++) {
      signature.push(chunk[i]);
      if (chunk[i] !== [0x50, 0x4b, 0x03, 0x04][signature.length - 1]) throw badFile(argument, 'is not a .npz archive (no zip signature at the start)');
    }
    try {
      // Deflated dSprites images shrink ~180×: feeding 64 KB at a time bounds each inflated piece to ~12 MB
      // instead of letting one 1 MB read balloon into a 200 MB transient buffer.
      for (let p = 0; p < chunk.length; p += PUSH_BYTES) unzip.push(chunk.subarray(p, Math.min(chunk.length, p + PUSH_BYTES)), false);
    } catch (e) {
      throw e instanceof DisentangleError ? e : badFile(argument, `is a damaged zip archive (${(e as Error).message})`);
    }
    if (failure) throw failure;
    consumed += chunk.length;
    options.onBytes?.(consumed);
  }
  if (signature.length < 4) throw badFile(argument, consumed === 0 ? 'is empty' : 'is not a .npz archive (too short)');
  try {
    unzip.push(new Uint8Array(0), true);
  } catch (e) {
    throw e instanceof DisentangleError ? e : badFile(argument, `is a damaged zip archive (${(e as Error).message})`);
  }
  if (failure) throw failure;
  const unfinished = readers.find((r) => !r.finished);
  if (unfinished) throw badFile(argument, `ends inside ${unfinished.name}.npy (the file is truncated)`);
  return names;
}

/**
 * Re-chunks a byte stream into whole elements of `itemSize` bytes, copying the few bytes that straddle a chunk
 * boundary, and hands each run to `fn(view, firstElement, count)` with a DataView over exactly those elements.
 */
export function elementSink(itemSize: number, fn: (view: DataView, firstElement: number, count: number) => void, end?: () => void): NpySink {
  const carry = new Uint8Array(itemSize);
  let carried = 0;
  return {
    write(chunk: Uint8Array, byteOffset: number): void {
      let p = 0;
      if (carried > 0) {
        const take = Math.min(itemSize - carried, chunk.length);
        carry.set(chunk.subarray(0, take), carried);
        carried += take;
        p = take;
        if (carried < itemSize) return;
        fn(new DataView(carry.buffer), (byteOffset - (carried - take)) / itemSize, 1);
        carried = 0;
      }
      const whole = Math.floor((chunk.length - p) / itemSize);
      if (whole > 0) fn(new DataView(chunk.buffer, chunk.byteOffset + p, whole * itemSize), (byteOffset + p) / itemSize, whole);
      p += whole * itemSize;
      if (p < chunk.length) {
        carry.set(chunk.subarray(p));
        carried = chunk.length - p;
      }
    },
    end,
  };
}
