/**
 * A streaming reader for NumPy `.npz` archives (a zip of `.npy` files) built on fflate: the archive is pushed
 * through in chunks, each array's header is parsed as soon as its first bytes arrive, and its data is handed on
 * chunk by chunk, so an array larger than memory can be reduced (for instance bit-packed) while it streams.
 *
 * `.npy` layout (NumPy NEP 1): magic `\x93NUMPY`, major and minor version bytes, a little-endian header length
 * (uint16 for version 1, uint32 for versions 2 and 3), then a Python dict literal with `descr`, `fortran_order`
 * and `shape`, padded with spaces and a newline; the raw data follows in C (row-major) order.
 */
import { strToU8 } from 'fflate';
import { createYielder } from '../core/batching.js';
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { ZipStreamReader } from './zipStream.js';
import { checkOptions } from '../core/validate.js';

/** The parsed header of one `.npy` array. */
export interface NpyHeader {
  /** NumPy type string, e.g. `'|u1'`, `'<i8'`, `'<f8'`. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Bytes per element, read off `descr`; 0 for types without a fixed size (objects, strings). */
  itemSize: number;
}

/**
 * Receives one array's data bytes in order; `byteOffset` counts from the start of the data. The bytes are not
 * verified yet when they arrive: the member's CRC-32 is checked when it ends (before `end`), so a caller must not
 * use what it gathered unless {@link readNpzStream} resolves.
 */
export interface NpySink {
  write(chunk: Uint8Array, byteOffset: number): void;
  /** Called once all data bytes have arrived and passed the member's size and CRC-32 checks. */
  end?(): void;
}

/**
 * Decides, from an entry's name (without `.npy`) and header, whether to read it: a sink, or undefined to skip.
 * The header has been checked against the member's size, so `shape` × item size is exactly the data that follows.
 */
export type NpzArrayHandler = (name: string, header: NpyHeader) => NpySink | undefined;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** NumPy refuses headers over 10,000 bytes by default; we allow 1 MiB and never buffer more than that. */
const MAX_HEADER_BYTES = 1 << 20;
/** Compressed bytes pushed through at a time, so that long loads can yield to the event loop between pieces. */
const PUSH_BYTES = 1 << 16;

type Fail = (message: string) => DisentangleError;

const failWith = (argument: string): Fail => (message) => new DisentangleError('BAD_FILE', argument, message);

/**
 * Parses a `.npy` header from the first bytes of the file. Returns undefined while `bytes` is too short to hold
 * the whole header, else the header and the offset where the data starts. With `fileBytes` (the size of the whole
 * `.npy`) the header is checked against it before anything is sized: the header must fit, and `shape` × item size
 * must be exactly the bytes that follow it.
 */
export function parseNpyHeader(bytes: Uint8Array, argument = 'file', name = 'array', fileBytes?: number): { header: NpyHeader; dataOffset: number } | undefined {
  return parseHeaderWith(bytes, failWith(argument), name, fileBytes);
}

function parseHeaderWith(bytes: Uint8Array, fail: Fail, name: string, fileBytes: number | undefined): { header: NpyHeader; dataOffset: number } | undefined {
  for (let i = 0; i < MAGIC.length && i < bytes.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw fail(`${name}.npy is not a NumPy .npy array (bad magic string)`);
  }
  if (bytes.length < 10) return undefined;
  const major = bytes[6];
  if (major < 1 || major > 3) throw fail(`${name}.npy has .npy format version ${major} (field 'version'), expected 1, 2 or 3`);
  const lenBytes = major === 1 ? 2 : 4;
  const start = 8 + lenBytes;
  if (bytes.length < start) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLen > MAX_HEADER_BYTES || (fileBytes !== undefined && start + headerLen > fileBytes)) {
    const room = fileBytes === undefined ? `the ${MAX_HEADER_BYTES} bytes allowed` : `the ${fileBytes} bytes of the array`;
    throw fail(`${name}.npy: field 'header length' (${headerLen}) runs past ${room}`);
  }
  if (bytes.length < start + headerLen) return undefined;
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const header = parseHeaderDict(text, fail, name);
  const dataOffset = start + headerLen;
  if (fileBytes !== undefined && header.itemSize > 0) {
    const needed = header.shape.reduce((a, b) => a * b, 1) * header.itemSize;
    if (needed !== fileBytes - dataOffset) {
      throw fail(`${name}.npy: field 'shape' (${header.shape.join(', ')}) of '${header.descr}' needs ${needed} data bytes, the array holds ${fileBytes - dataOffset}`);
    }
  }
  return { header, dataOffset };
}

function parseHeaderDict(text: string, fail: Fail, name: string): NpyHeader {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw fail(`${name}.npy has an unreadable header: ${text.trim().slice(0, 200)}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+L?$/.test(s) ? Number(s.replace(/L$/, '')) : NaN));
  // Object arrays ('|O', pickled, like dSprites' metadata) have no fixed item size: 0, and callers skip them.
  const itemSize = Number(/^[<>|=]?[biufc](\d+)$/.exec(descr)?.[1] ?? 0);
  const bytes = shape.reduce((a, b) => a * b, Math.max(itemSize, 1));
  if (shape.some((v) => !Number.isSafeInteger(v)) || !Number.isSafeInteger(bytes)) throw fail(`${name}.npy: field 'shape' (${shapeText.slice(0, 100)}) is not a list of sizes`);
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

/** Splits one member's decompressed bytes into header and data and forwards the data to a sink. */
class NpyEntryReader {
  private head: Uint8Array = new Uint8Array(0);
  private sink: NpySink | undefined;
  private skipped = false;
  private dataBytes = 0;
  private expectedBytes = 0;

  constructor(
    private readonly name: string,
    private readonly fileBytes: number,
    private readonly fail: Fail,
    private readonly handler: NpzArrayHandler,
  ) {}

  data(chunk: Uint8Array): void {
    if (this.skipped) return;
    if (!this.sink) {
      const joined = new Uint8Array(this.head.length + chunk.length);
      joined.set(this.head);
      joined.set(chunk, this.head.length);
      const parsed = parseHeaderWith(joined, this.fail, this.name, this.fileBytes);
      if (!parsed) {
        this.head = joined;
        return;
      }
      this.head = new Uint8Array(0);
      const { header } = parsed;
      this.expectedBytes = this.fileBytes - parsed.dataOffset;
      this.sink = this.handler(this.name, header);
      if (this.sink && header.itemSize === 0) throw this.fail(`${this.name}.npy has dtype '${header.descr}', which has no fixed item size`);
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
  }

  end(): void {
    if (this.skipped) return;
    if (!this.sink) throw this.fail(`${this.name}.npy ends inside its header`);
    if (this.dataBytes !== this.expectedBytes) {
      throw this.fail(`${this.name}.npy holds ${this.dataBytes} data bytes, its header announces ${this.expectedBytes}`);
    }
    this.sink.end?.();
  }
}

/** Options of {@link readNpzStream}. */
export interface ReadNpzOptions {
  /** Argument name used in errors (default 'file'). */
  argument?: string;
  /** How error messages name the file, e.g. its quoted path (default: not named beyond `argument`). */
  label?: string;
  /**
   * Total bytes of the archive when known. Every size a zip header declares is then bounded by the bytes that
   * can follow it before anything is allocated; without it a stored member's size is only bounded as it streams.
   */
  totalBytes?: number;
  signal?: AbortSignal;
  /** Called after each compressed chunk with the number of compressed bytes consumed so far. */
  onBytes?: (bytes: number) => void;
}

/**
 * Streams an `.npz` archive: `chunks` yields the archive's bytes in order; for every `.npy` member `onArray` is
 * asked for a sink, which then receives the array's data bytes as they are decompressed. Every member (kept or
 * not) is size- and CRC-32-checked when it ends, and the zip central directory is checked against the members at
 * the end, so what the sinks received is only sound once the promise resolves. Resolves with the names of all
 * members (without `.npy`). Throws `BAD_FILE` naming `argument`, the file and the field for anything damaged or
 * unsupported; yields to the event loop during long stretches of decompression.
 */
export async function readNpzStream(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, onArray: NpzArrayHandler, options: ReadNpzOptions = {}): Promise<string[]> {
  checkOptions(options, 'readNpzStream');
  const iterable = chunks as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown } | null;
  if (iterable === null || typeof iterable !== 'object' || (typeof iterable[Symbol.asyncIterator] !== 'function' && typeof iterable[Symbol.iterator] !== 'function')) {
    throw new DisentangleError('BAD_INPUT', 'chunks', 'expected an iterable or async iterable of Uint8Array pieces of the file');
  }
  if (typeof onArray !== 'function') throw new DisentangleError('BAD_INPUT', 'onArray', 'expected a function (name, header) => sink or undefined');
  const argument = options.argument ?? 'file';
  const names: string[] = [];
  const zip: ZipStreamReader = new ZipStreamReader(
    (entry): NpyEntryReader | undefined => {
      const name = entry.name.replace(/\.npy$/, '');
      names.push(name);
      return entry.name.endsWith('.npy') ? new NpyEntryReader(name, entry.size, (m: string) => zip.fail(m), onArray) : undefined;
    },
    { argument, label: options.label, totalBytes: options.totalBytes },
  );
  let consumed = 0;
  const yielder = createYielder(options.signal);
  for await (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) throw new DisentangleError('BAD_INPUT', 'chunks', `yielded ${typeof chunk}, expected Uint8Array pieces of the file`);
    for (let p = 0; p < chunk.length; p += PUSH_BYTES) {
      throwIfAborted(options.signal);
      zip.push(chunk.subarray(p, Math.min(chunk.length, p + PUSH_BYTES)));
      await yielder.maybeYield();
    }
    consumed += chunk.length;
    options.onBytes?.(consumed);
  }
  throwIfAborted(options.signal);
  zip.finish();
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
