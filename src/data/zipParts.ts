/**
 * The pieces of the strict zip reader ({@link ZipStreamReader} in zipStream.ts): the member decoder, which
 * inflates, counts and CRC-32-checks one member, and bounds-checked little-endian field reads.
 */
import { Inflate } from 'fflate';
import { crc32 } from '../core/crc32.js';
import { DisentangleError } from '../core/errors.js';

/** What the local header says about one member, sizes resolved through the zip64 extra field. */
export interface ZipEntryInfo {
  /** File name inside the archive. */
  name: string;
  /** 0 (stored) or 8 (deflate). */
  method: number;
  /** Bytes of the member as stored. */
  compressedSize: number;
  /** Bytes once decompressed; already checked to be reachable from `compressedSize`. */
  size: number;
  /** CRC-32 of the decompressed bytes. */
  crc: number;
}

/** Receives one member's decompressed bytes; `end` runs only once their size and CRC-32 have been checked. */
export interface ZipEntryConsumer {
  data(chunk: Uint8Array): void;
  end(): void;
}

/** Record signatures of the zip format (APPNOTE 4.3): local header, central directory record, end records. */
export const ZIP_LOCAL = 0x04034b50;
export const ZIP_CENTRAL = 0x02014b50;
export const ZIP_END = 0x06054b50;
export const ZIP_END64 = 0x06064b50;
export const ZIP_LOCATOR64 = 0x07064b50;
export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;
/** Compressed bytes handed to the inflater at a time: bounds each inflated piece (dSprites images shrink ~180×). */
const PUSH_BYTES = 1 << 16;
const UTF8 = 0x0800;

/** A member as its local header describes it, with where it starts. */
export interface LocalEntry extends ZipEntryInfo {
  offset: number;
  flags: number;
}

/** Inflates (or passes through) one member, counting and checksumming what comes out. */
export class EntryDecoder {
  private crc = 0;
  private out = 0;
  private readonly inflater: Inflate | undefined;
  private consumerError: unknown;

  constructor(
    private readonly entry: LocalEntry,
    private readonly consumer: ZipEntryConsumer | undefined,
    private readonly fail: (message: string) => DisentangleError,
  ) {
    if (entry.method === 8) this.inflater = new Inflate((d) => this.emit(d));
  }

  private emit(d: Uint8Array): void {
    this.out += d.length;
    if (this.out > this.entry.size) throw this.fail(`member '${this.entry.name}' inflates past the ${this.entry.size} bytes its header declares`);
    this.crc = crc32(d, this.crc);
    if (!this.consumer || d.length === 0) return;
    try {
      this.consumer.data(d);
    } catch (e) {
      this.consumerError = e;
      throw e;
    }
  }

  private inflate(piece: Uint8Array, final: boolean): void {
    try {
      (this.inflater as Inflate).push(piece, final);
    } catch (e) {
      if (e === this.consumerError || e instanceof DisentangleError) throw e;
      throw this.fail(`member '${this.entry.name}' could not be decompressed (${(e as Error).message})`);
    }
  }

  push(chunk: Uint8Array): void {
    if (!this.inflater) {
      this.emit(chunk);
      return;
    }
    for (let p = 0; p < chunk.length; p += PUSH_BYTES) this.inflate(chunk.subarray(p, Math.min(chunk.length, p + PUSH_BYTES)), false);
  }

  finish(): void {
    if (this.inflater) this.inflate(new Uint8Array(0), true);
    const { name, size, crc } = this.entry;
    if (this.out !== size) throw this.fail(`member '${name}' holds ${this.out} bytes, its header declares ${size}`);
    if (this.crc !== crc) {
      throw this.fail(`member '${name}' fails its CRC-32 check (computed ${this.crc.toString(16)}, header says ${crc.toString(16)}): the file is damaged`);
    }
    this.consumer?.end();
  }
}

/** Little-endian field reads over a buffer, failing (not returning garbage) past its end. */
export class Fields {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    private readonly fail: (message: string) => DisentangleError,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(at: number, n: number): void {
    if (at < 0 || at + n > this.bytes.length) throw this.fail(`${this.what} ends early (the file is truncated or damaged)`);
  }
  u16(at: number): number {
    this.need(at, 2);
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    this.need(at, 4);
    return this.view.getUint32(at, true);
  }
  u64(at: number, field: string): number {
    const lo = this.u32(at);
    const hi = this.u32(at + 4);
    if (hi > 0x1fffff) throw this.fail(`${this.what}: field '${field}' is larger than 2^53`);
    return hi * 2 ** 32 + lo;
  }
  name(at: number, n: number, flags: number): string {
    this.need(at, n);
    const raw = this.bytes.subarray(at, at + n);
    try {
      return new TextDecoder(flags & UTF8 ? 'utf-8' : 'latin1', { fatal: true }).decode(raw);
    } catch {
      throw this.fail(`${this.what}: field 'file name' is not valid UTF-8`);
    }
  }
  /**
   * Resolves sizes marked 0xFFFFFFFF (0xFFFF for a disk number) through the zip64 extra field (id 1), which
   * holds them in the order given; other extra fields are skipped but must be well formed.
   */
  zip64(at: number, length: number, wanted: { field: string; value: number; max: number }[]): number[] {
    const values = wanted.map((w) => w.value);
    for (let p = at; p < at + length; ) {
      const id = this.u16(p);
      const size = this.u16(p + 2);
      if (p + 4 + size > at + length) throw this.fail(`${this.what}: an extra field runs past the extra block (field 'extra field length')`);
      if (id === 1) {
        let q = p + 4;
        wanted.forEach((w, i) => {
          if (w.value !== w.max) return;
          if (q + (w.max === U16_MAX ? 4 : 8) > p + 4 + size) throw this.fail(`${this.what}: the zip64 extra field lacks '${w.field}'`);
          values[i] = w.max === U16_MAX ? this.u32(q) : this.u64(q, w.field);
          q += w.max === U16_MAX ? 4 : 8;
        });
      }
      p += 4 + size;
    }
    return values;
  }
}

/** One central directory record (APPNOTE 4.3.12), its sizes and offset resolved through the zip64 extra field. */
export interface CentralRecord {
  name: string;
  flags: number;
  /** 0 stored, 8 deflate. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the member's local header. */
  localOffset: number;
  /** 'disk number start' (0 in a single-disk archive). */
  disk: number;
  /** Bytes of the record, comment included: the next record starts there. */
  length: number;
}

/** Reads the central directory record at `q` of `f` (its signature is the caller's to check). */
export function readCentralRecord(f: Fields, q: number): CentralRecord {
  const flags = f.u16(q + 8);
  const nameLen = f.u16(q + 28);
  const extraLen = f.u16(q + 30);
  const commentLen = f.u16(q + 32);
  const name = f.name(q + 46, nameLen, flags);
  const [size, compressedSize, localOffset, disk] = f.zip64(q + 46 + nameLen, extraLen, [
    { field: 'uncompressed size', value: f.u32(q + 24), max: U32_MAX },
    { field: 'compressed size', value: f.u32(q + 20), max: U32_MAX },
    { field: 'local header offset', value: f.u32(q + 42), max: U32_MAX },
    { field: 'disk number start', value: f.u16(q + 34), max: U16_MAX },
  ]);
  f.need(q + 46 + nameLen + extraLen, commentLen);
  return { name, flags, method: f.u16(q + 10), crc: f.u32(q + 16), compressedSize, size, localOffset, disk, length: 46 + nameLen + extraLen + commentLen };
}

/** The directory fields of a zip64 end record at `q` (APPNOTE 4.3.14): entry count, directory size and offset. */
export function readZip64End(f: Fields, q: number): { count: number; size: number; offset: number } {
  return { count: f.u64(q + 32, 'total entries'), size: f.u64(q + 40, 'central directory size'), offset: f.u64(q + 48, 'central directory offset') };
}

