/**
 * A small reader for MATLAB level-5 MAT-files (MathWorks, "MAT-File Format", level 5): the 128-byte header, then
 * data elements, each an 8-byte tag (type, byte count; or the 4-byte "small element" form) and its payload padded
 * to 8 bytes. Compressed elements (miCOMPRESSED, what MATLAB's default `save` and scipy's
 * `savemat(do_compression=True)` write) hold a zlib stream of one element, inflated with fflate. Numeric arrays
 * (miMATRIX of a numeric class, real part only) are read; cells, structs, sparse and complex arrays are skipped.
 * Little-endian files only (every file MATLAB has written on x86 / ARM).
 */
import { unzlibSync } from 'fflate';

/** A numeric array of a MAT-file. */
export interface MatArray {
  readonly name: string;
  /** MATLAB class: 'double', 'single', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'. */
  readonly className: string;
  /** Dimensions, MATLAB order (data is column-major: the first index varies fastest). */
  readonly dims: readonly number[];
  /** The values: the stored bytes as-is for uint8 stored as miUINT8, else converted to float64. */
  readonly data: Uint8Array | Float64Array;
}

const CLASS_NAMES: Record<number, string> = { 6: 'double', 7: 'single', 8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64' };
const MI_INT8 = 1;
const MI_UINT8 = 2;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
/** Bytes per element of the numeric data types. */
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };

interface Element {
  type: number;
  start: number;
  size: number;
  /** Offset of the next element. */
  next: number;
}

type Fail = (message: string) => Error;

function readTag(view: DataView, at: number, end: number, fail: Fail, what: string): Element {
  if (at + 8 > end) throw fail(`ends inside the tag of ${what} at byte ${at}`);
  const first = view.getUint32(at, true);
  if (first >>> 16 !== 0) {
    // Small data element: type in the low 16 bits, byte count in the high 16, data in the next 4 bytes.
    return { type: first & 0xffff, start: at + 4, size: first >>> 16, next: at + 8 };
  }
  const size = view.getUint32(at + 4, true);
  const padded = first === MI_COMPRESSED ? size : Math.ceil(size / 8) * 8;
  if (at + 8 + size > end) throw fail(`ends inside ${what} at byte ${at} (${size} bytes declared, ${end - at - 8} left)`);
  return { type: first, start: at + 8, size, next: Math.min(end, at + 8 + padded) };
}

function numbers(view: DataView, el: Element, fail: Fail, what: string): Float64Array {
  const bytes = TYPE_SIZES[el.type];
  if (!bytes || el.size % bytes !== 0) throw fail(`${what} has data type ${el.type} with ${el.size} bytes; expected a numeric type`);
  const n = el.size / bytes;
  const out = new Float64Array(n);
  const s = el.start;
  for (let i = 0; i < n; i++) {
    const o = s + i * bytes;
    switch (el.type) {
      case 1: out[i] = view.getInt8(o); break;
      case 2: out[i] = view.getUint8(o); break;
      case 3: out[i] = view.getInt16(o, true); break;
      case 4: out[i] = view.getUint16(o, true); break;
      case 5: out[i] = view.getInt32(o, true); break;
      case 6: out[i] = view.getUint32(o, true); break;
      case 7: out[i] = view.getFloat32(o, true); break;
      case 9: out[i] = view.getFloat64(o, true); break;
      case 12: out[i] = Number(view.getBigInt64(o, true)); break;
      default: out[i] = Number(view.getBigUint64(o, true));
    }
  }
  return out;
}

/** Parses one miMATRIX payload; `undefined` for what this reader skips (cells, structs, sparse, complex). */
function parseMatrix(bytes: Uint8Array, el: Element, fail: Fail): MatArray | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = el.start + el.size;
  const flags = readTag(view, el.start, end, fail, 'the array flags');
  if (flags.type !== MI_UINT32 || flags.size !== 8) throw fail(`has array flags of type ${flags.type} and ${flags.size} bytes; expected miUINT32, 8 bytes`);
  const word = view.getUint32(flags.start, true);
  const cls = word & 0xff;
  const complex = (word & 0x800) !== 0;
  const dimsEl = readTag(view, flags.next, end, fail, 'the dimensions');
  if (dimsEl.type !== MI_INT32) throw fail(`has dimensions of type ${dimsEl.type}; expected miINT32`);
  const dims = Array.from(numbers(view, dimsEl, fail, 'the dimensions'));
  const nameEl = readTag(view, dimsEl.next, end, fail, 'the array name');
  if (nameEl.type !== MI_INT8 && nameEl.type !== MI_UINT8) throw fail(`has an array name of type ${nameEl.type}; expected miINT8`);
  const name = new TextDecoder().decode(bytes.subarray(nameEl.start, nameEl.start + nameEl.size));
  const className = CLASS_NAMES[cls];
  if (!className || complex) return undefined;
  const real = readTag(view, nameEl.next, end, fail, `the values of '${name}'`);
  const count = dims.reduce((a, b) => a * b, 1);
  const data = real.type === MI_UINT8 && className === 'uint8' ? bytes.subarray(real.start, real.start + real.size) : numbers(view, real, fail, `'${name}'`);
  if (data.length !== count) throw fail(`'${name}' holds ${data.length} values for dimensions [${dims.join('×')}] (${count})`);
  return { name, className, dims, data };
}

/**
 * The numeric arrays of a MAT v5 file, in file order (or only the one named `only`, skipping the rest without
 * inflating further). `fail` builds the error for a malformed file (the caller's `BAD_FILE`).
 *
 * @example
 * const [im] = readMatV5(bytes, (m) => new Error(m), 'im'); // im.dims → [128, 128, 3, 24, 4]
 */
export function readMatV5(bytes: Uint8Array, fail: Fail, only?: string): MatArray[] {
  if (bytes.length < 128) throw fail(`has ${bytes.length} bytes; a MAT-file starts with a 128-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 116));
  const endian = String.fromCharCode(bytes[126], bytes[127]);
  if (endian === 'MI') throw fail('is a big-endian MAT-file; only little-endian files are read');
  if (endian !== 'IM' || !text.startsWith('MATLAB')) throw fail(`is not a MATLAB level-5 MAT-file (header '${text.slice(0, 24).replace(/[^\x20-\x7e]/g, '?')}…', endian '${endian.replace(/[^\x20-\x7e]/g, '?')}')`);
  if (view.getUint16(124, true) !== 0x0100) throw fail(`has MAT-file version 0x${view.getUint16(124, true).toString(16)}; expected 0x0100 (level 5; v7.3 files are HDF5)`);
  const out: MatArray[] = [];
  for (let at = 128; at < bytes.length; ) {
    const el = readTag(view, at, bytes.length, fail, `the element at byte ${at}`);
    at = el.next;
    let body = bytes;
    let matrix = el;
    if (el.type === MI_COMPRESSED) {
      try {
        body = unzlibSync(bytes.subarray(el.start, el.start + el.size));
      } catch (e) {
        throw fail(`has a compressed element at byte ${el.start - 8} that does not inflate (${(e as Error).message})`);
      }
      matrix = readTag(new DataView(body.buffer, body.byteOffset, body.byteLength), 0, body.length, fail, 'a compressed element');
    }
    if (matrix.type !== MI_MATRIX) continue;
    const arr = parseMatrix(body, matrix, fail);
    if (arr && (only === undefined || arr.name === only)) {
      out.push(arr);
      if (only !== undefined) break;
    }
  }
  return out;
}
