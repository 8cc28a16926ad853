/**
 * A strict streaming zip reader: members are parsed in file order from their local headers, inflated with fflate
 * and CRC-32 checked, and the central directory and end records at the end are checked field by field against
 * what was read. Any damaged byte that could change what a caller receives is a `BAD_FILE`, and no size read off
 * a header is trusted before it has been bounded by the bytes that can follow (fflate's own `Unzip` scans for
 * signatures leniently and never checks CRCs, which let corrupted `.npz` files load with changed content).
 *
 * Layout (PKWARE APPNOTE 6.3): local header + data for each member, then one central directory record per member,
 * then optionally the zip64 end record and its locator, then the end-of-central-directory record.
 */
import { DisentangleError } from '../core/errors.js';
import { EntryDecoder, Fields, readCentralRecord, readZip64End, U16_MAX, U32_MAX, ZIP_CENTRAL, ZIP_END, ZIP_END64, ZIP_LOCAL, ZIP_LOCATOR64, type LocalEntry, type ZipEntryConsumer, type ZipEntryInfo } from './zipParts.js';

export type { ZipEntryConsumer, ZipEntryInfo } from './zipParts.js';

/** Options of {@link ZipStreamReader}. */
export interface ZipReaderOptions {
  /** Argument named in errors. */
  argument: string;
  /** How messages name the file (a quoted path); omitted for bytes. */
  label?: string;
  /** Total bytes of the file when known: bounds every size a header declares. */
  totalBytes?: number;
}

/** Deflate cannot expand more than 1032:1 (a 258-byte match in two one-bit codes). */
const MAX_DEFLATE_RATIO = 1032;
/** Largest central directory accepted: ~80,000 members, far beyond any `.npz`. */
const MAX_TAIL = 8 << 20;
/** Flag bits for encryption (traditional, strong, masked headers). */
const ENCRYPTED = 0x0001 | 0x0040 | 0x2000;
const DATA_DESCRIPTOR = 0x0008;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Reads a zip archive pushed through in chunks. For each member `onEntry` gives a consumer (or undefined to check
 * the member without keeping it); `finish()` then checks the central directory and end records against the
 * members read. Throws `BAD_FILE` naming the argument, the file and the field at fault.
 */
export class ZipStreamReader {
  private pending: Uint8Array = new Uint8Array(0);
  /** File offset of the next byte not yet consumed (pending's first byte in header and tail states). */
  private pos = 0;
  private state: 'header' | 'data' | 'tail' = 'header';
  private readonly entries: LocalEntry[] = [];
  private decoder: EntryDecoder | undefined;
  private remaining = 0;
  private centralOffset = 0;

  constructor(
    private readonly onEntry: (entry: ZipEntryInfo) => ZipEntryConsumer | undefined,
    private readonly options: ZipReaderOptions,
  ) {}

  /** The error for a damaged or unsupported file. */
  fail = (message: string): DisentangleError => new DisentangleError('BAD_FILE', this.options.argument, `${this.options.label ? `${this.options.label} ` : ''}${message}`);

  /** Members read so far, in file order. */
  get members(): readonly ZipEntryInfo[] {
    return this.entries;
  }

  push(chunk: Uint8Array): void {
    while (chunk.length > 0) {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, chunk.length);
        (this.decoder as EntryDecoder).push(chunk.subarray(0, take));
        this.remaining -= take;
        this.pos += take;
        chunk = chunk.subarray(take);
        if (this.remaining === 0) {
          (this.decoder as EntryDecoder).finish();
          this.decoder = undefined;
          this.state = 'header';
        }
        continue;
      }
      this.pending = concat(this.pending, chunk);
      chunk = new Uint8Array(0);
      if (this.state === 'tail') {
        if (this.pending.length > MAX_TAIL) throw this.fail(`has a central directory larger than ${MAX_TAIL} bytes`);
        return;
      }
      const rest = this.parseHeader();
      if (rest) chunk = rest;
    }
  }

  /** Parses a local header once it is complete; returns the bytes after it (the member's data). */
  private parseHeader(): Uint8Array | undefined {
    const b = this.pending;
    if (b.length < 4) return undefined;
    const sig = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
    if (sig !== ZIP_LOCAL) {
      if (this.entries.length === 0) throw this.fail('is not a .npz archive (no zip signature at the start)');
      if (sig !== ZIP_CENTRAL) throw this.fail(`has no member header or central directory at byte ${this.pos} (signature ${sig.toString(16)})`);
      this.state = 'tail';
      this.centralOffset = this.pos;
      if (b.length > MAX_TAIL) throw this.fail(`has a central directory larger than ${MAX_TAIL} bytes`);
      return undefined;
    }
    if (b.length < 30) return undefined;
    const f = new Fields(b, this.fail, `the local header at byte ${this.pos}`);
    const nameLen = f.u16(26);
    const extraLen = f.u16(28);
    const headerLen = 30 + nameLen + extraLen;
    if (b.length < headerLen) return undefined;
    const flags = f.u16(6);
    const method = f.u16(8);
    // Low byte: the spec version (×10) needed; 6.3 is the newest, and Python's zipfile refuses anything above.
    if ((f.u16(4) & 0xff) > 63) throw this.fail(`the local header at byte ${this.pos}: field 'version needed' (${f.u16(4) & 0xff}) is beyond zip 6.3`);
    const entry: LocalEntry = { name: f.name(30, nameLen, flags), method, crc: f.u32(14), compressedSize: f.u32(18), size: f.u32(22), offset: this.pos, flags };
    const where = `member '${entry.name}' (local header at byte ${this.pos})`;
    [entry.size, entry.compressedSize] = f.zip64(30 + nameLen, extraLen, [
      { field: 'uncompressed size', value: entry.size, max: U32_MAX },
      { field: 'compressed size', value: entry.compressedSize, max: U32_MAX },
    ]);
    this.checkEntry(entry, where, headerLen, nameLen);
    this.entries.push(entry);
    const info: ZipEntryInfo = { name: entry.name, method, compressedSize: entry.compressedSize, size: entry.size, crc: entry.crc };
    this.decoder = new EntryDecoder(entry, this.onEntry(info), this.fail);
    this.remaining = entry.compressedSize;
    this.pos += headerLen;
    this.pending = new Uint8Array(0);
    this.state = 'data';
    if (this.remaining === 0) {
      this.decoder.finish();
      this.decoder = undefined;
      this.state = 'header';
    }
    return b.subarray(headerLen);
  }

  private checkEntry(e: LocalEntry, where: string, headerLen: number, nameLen: number): void {
    if (e.flags & ENCRYPTED) throw this.fail(`${where} is encrypted (field 'flags' = ${e.flags})`);
    if (e.flags & DATA_DESCRIPTOR) {
      throw this.fail(`${where} keeps its sizes after its data (field 'flags' = ${e.flags}: written to a non-seekable stream); re-save the arrays to a file with numpy.savez`);
    }
    if (e.method !== 0 && e.method !== 8) throw this.fail(`${where} uses compression method ${e.method} (field 'compression method'); only stored (0) and deflate (8) are supported`);
    if (e.name.length === 0) throw this.fail(`${where} has an empty name (field 'file name length')`);
    if (e.method === 0 && e.size !== e.compressedSize) {
      throw this.fail(`${where} is stored but its fields 'compressed size' (${e.compressedSize}) and 'uncompressed size' (${e.size}) differ`);
    }
    if (e.method === 8 && e.size > e.compressedSize * MAX_DEFLATE_RATIO) {
      throw this.fail(`${where}: field 'uncompressed size' (${e.size}) is more than deflate can produce from ${e.compressedSize} compressed bytes`);
    }
    // The member, its central directory record and the end record must all fit in the file.
    const total = this.options.totalBytes;
    const minimumAfter = 46 + nameLen + 22;
    if (total !== undefined && e.offset + headerLen + e.compressedSize + minimumAfter > total) {
      throw this.fail(`${where}: field 'compressed size' (${e.compressedSize}) runs past the end of the file (${total} bytes)`);
    }
  }

  /** Checks that the file ended cleanly and that the central directory and end records agree with the members. */
  finish(): void {
    if (this.state === 'data') throw this.fail(`ends inside member '${(this.entries.at(-1) as LocalEntry).name}' (the file is truncated)`);
    if (this.state === 'header') {
      throw this.fail(this.pos === 0 && this.pending.length === 0 ? 'is empty' : this.entries.length === 0 ? 'is not a .npz archive (too short)' : 'ends before its central directory (the file is truncated)');
    }
    const f = new Fields(this.pending, this.fail, 'the central directory');
    const byOffset = new Map(this.entries.map((e) => [e.offset, e]));
    const seen = new Set<number>();
    let q = 0;
    while (q + 4 <= this.pending.length && f.u32(q) === ZIP_CENTRAL) {
      q = this.checkCentral(f, q, byOffset, seen);
    }
    if (seen.size !== this.entries.length) {
      throw this.fail(`its central directory lists ${seen.size} members, the file holds ${this.entries.length}`);
    }
    this.checkEnd(f, q);
  }

  private checkCentral(f: Fields, q: number, byOffset: Map<number, LocalEntry>, seen: Set<number>): number {
    const i = seen.size;
    const record = readCentralRecord(f, q);
    const where = `central directory record ${i} ('${record.name}')`;
    const local = byOffset.get(record.localOffset);
    if (!local || seen.has(record.localOffset)) throw this.fail(`${where}: field 'local header offset' (${record.localOffset}) does not point at a member`);
    seen.add(record.localOffset);
    const fields: [string, number | string, number | string][] = [
      ['file name', record.name, local.name],
      ['flags', record.flags, local.flags],
      ['compression method', record.method, local.method],
      ['crc-32', record.crc, local.crc],
      ['compressed size', record.compressedSize, local.compressedSize],
      ['uncompressed size', record.size, local.size],
      ['disk number start', record.disk, 0],
    ];
    for (const [field, central, inLocal] of fields) {
      if (central !== inLocal) throw this.fail(`${where}: field '${field}' is ${central}, the member's local header says ${inLocal}`);
    }
    return q + record.length;
  }

  private checkEnd(f: Fields, q: number): void {
    const centralSize = q;
    const count = this.entries.length;
    let z64: { count: number; size: number; offset: number } | undefined;
    if (q + 4 <= f.bytes.length && f.u32(q) === ZIP_END64) {
      const at = this.centralOffset + q;
      const recordSize = f.u64(q + 4, 'size of zip64 end record');
      if (recordSize < 44 || q + 12 + recordSize > f.bytes.length) throw this.fail(`the zip64 end record: field 'size of zip64 end record' (${recordSize}) is wrong`);
      if (f.u32(q + 16) !== 0 || f.u32(q + 20) !== 0) throw this.fail("the zip64 end record: fields 'disk number' must be 0 (multi-disk archives are not supported)");
      z64 = readZip64End(f, q);
      if (f.u64(q + 24, 'entries on this disk') !== z64.count) throw this.fail("the zip64 end record: fields 'entries on this disk' and 'total entries' differ");
      q += 12 + recordSize;
      if (f.u32(q) !== ZIP_LOCATOR64) throw this.fail('the zip64 end record is not followed by its locator');
      if (f.u32(q + 4) !== 0 || f.u64(q + 8, 'zip64 end record offset') !== at || f.u32(q + 16) !== 1) {
        throw this.fail("the zip64 locator: fields 'disk', 'zip64 end record offset' or 'total disks' are wrong");
      }
      q += 20;
    }
    if (q + 4 > f.bytes.length || f.u32(q) !== ZIP_END) throw this.fail(`has no end-of-central-directory record after its central directory (byte ${this.centralOffset + q})`);
    const checks: [string, number, number, number | undefined][] = [
      ['disk number', f.u16(q + 4), 0, z64 && 0],
      ['central directory disk', f.u16(q + 6), 0, z64 && 0],
      ['entries on this disk', f.u16(q + 8), count, z64?.count],
      ['total entries', f.u16(q + 10), count, z64?.count],
      ['central directory size', f.u32(q + 12), centralSize, z64?.size],
      ['central directory offset', f.u32(q + 16), this.centralOffset, z64?.offset],
    ];
    for (const [field, value, actual, viaZip64] of checks) {
      const max = field.includes('disk') || field.includes('entries') ? U16_MAX : U32_MAX;
      if (viaZip64 !== undefined && viaZip64 !== actual) throw this.fail(`the zip64 end record: field '${field}' is ${viaZip64}, expected ${actual}`);
      if (value !== actual && !(z64 && value === max)) throw this.fail(`the end-of-central-directory record: field '${field}' is ${value}, expected ${actual}`);
    }
    const commentLen = f.u16(q + 20);
    if (q + 22 + commentLen !== f.bytes.length) {
      throw this.fail(`the end-of-central-directory record: field 'comment length' (${commentLen}) does not match the ${f.bytes.length - q - 22} bytes after it`);
    }
  }
}
