/**
 * Integrity of `.npz` reading: single-byte corruptions anywhere in an archive, truncations, headers that declare
 * more than the file can hold, and real NumPy-written archives (zip64 local headers; data descriptors).
 *
 * The NumPy fixtures in fixtures/ were written by NumPy 2.4 with
 *   a = np.arange(6, dtype='<i8').reshape(2, 3) - 2; b = np.array([1.5, -2.25, 3e10]); c = (np.arange(24) % 2).astype(np.uint8).reshape(2, 3, 4)
 *   np.savez_compressed('numpy-compressed.npz', a=a, b=b, c=c); np.savez('numpy-stored.npz', a=a, b=b, c=c)
 *   np.savez_compressed(<a non-seekable stream>, a=a)  → numpy-descriptor.npz (sizes in data descriptors)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/core/backend.js';
import { DisentangleError } from '../../src/core/errors.js';
import { loadDsprites } from '../../src/data/loadDsprites.js';
import { encodeNpyHeader, readNpzStream } from '../../src/data/npz.js';
import { allFactors, arrays, npy, zip } from './dspritesNpz.js';

const FIXTURES = join(__dirname, 'fixtures');

interface Content {
  images: string;
  factorValues: string;
  factorSizes: string;
}

async function content(src: Uint8Array | string): Promise<Content> {
  const data = await loadDsprites(src);
  return {
    images: Buffer.from(data.renderInto(allFactors())).toString('base64'),
    factorValues: JSON.stringify(data.factorValues),
    factorSizes: JSON.stringify(data.factorSizes),
  };
}

/** Loads `src`: 'rejected' for BAD_FILE, 'identical' when it loads the baseline content, 'CHANGED' otherwise. */
async function outcome(src: Uint8Array | string, baseline: Content): Promise<string> {
  let got: Content;
  try {
    got = await content(src);
  } catch (e) {
    if (e instanceof DisentangleError && e.code === 'BAD_FILE' && e.argument === 'pathOrBytes') return 'rejected';
    return `other error: ${String(e)}`;
  }
  return got.images === baseline.images && got.factorValues === baseline.factorValues && got.factorSizes === baseline.factorSizes ? 'identical' : 'CHANGED';
}

interface Region {
  start: number;
  end: number;
  what: string;
}

/** Walks an archive written by fflate (no zip64, no data descriptors) into named byte ranges. */
function regions(z: Uint8Array): Region[] {
  const v = new DataView(z.buffer, z.byteOffset, z.byteLength);
  const out: Region[] = [];
  let p = 0;
  while (v.getUint32(p, true) === 0x04034b50) {
    const header = 30 + v.getUint16(p + 26, true) + v.getUint16(p + 28, true);
    const name = new TextDecoder().decode(z.subarray(p + 30, p + 30 + v.getUint16(p + 26, true)));
    const size = v.getUint32(p + 18, true);
    out.push({ start: p, end: p + header, what: `local header ${name}` }, { start: p + header, end: p + header + size, what: `data ${name}` });
    p += header + size;
  }
  const eocd = z.length - 22;
  out.push({ start: p, end: eocd, what: 'central directory' }, { start: eocd, end: z.length, what: 'end record' });
  return out;
}

/** Which field of a fflate-written header a byte belongs to (for the harmless-corruption allowance). */
function fieldAt(z: Uint8Array, off: number, rs: Region[]): string {
  const r = rs.find((x) => off >= x.start && off < x.end) as Region;
  const v = new DataView(z.buffer, z.byteOffset, z.byteLength);
  // The last byte of a deflate stream ends in padding bits after the end-of-block code.
  if (r.what.startsWith('data')) return off === r.end - 1 ? 'deflate padding' : r.what;
  if (r.what.startsWith('local header')) {
    const rel = off - r.start;
    return rel < 4 ? 'signature' : rel < 6 ? 'version needed' : rel < 10 ? 'flags/method' : rel < 14 ? 'time/date' : rel < 26 ? 'crc/sizes' : rel < 30 ? 'lengths' : 'name';
  }
  if (r.what === 'central directory') {
    let q = r.start;
    while (q + 46 + v.getUint16(q + 28, true) + v.getUint16(q + 30, true) + v.getUint16(q + 32, true) <= off) {
      q += 46 + v.getUint16(q + 28, true) + v.getUint16(q + 30, true) + v.getUint16(q + 32, true);
    }
    const rel = off - q;
    const names: [number, string][] = [[4, 'signature'], [6, 'version made by'], [8, 'version needed'], [12, 'flags/method'], [16, 'time/date'], [28, 'crc/sizes'], [34, 'lengths'], [36, 'disk'], [42, 'attributes'], [46, 'offset']];
    return (names.find(([end]) => rel < end) ?? [0, 'name'])[1];
  }
  return r.what;
}

let dir = '';
beforeAll(async () => {
  await setupBackend(['cpu']);
  dir = mkdtempSync(join(tmpdir(), 'npz-integrity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('.npz integrity', () => {
  it('rejects every single-byte corruption of a compressed archive that is not provably harmless, and never loads changed content', async () => {
    const a = arrays();
    a.metadata = npy('|O', [], new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]));
    const z = zip(a, 6);
    const baseline = await content(z);
    const rs = regions(z);
    // Every header byte, and 12 bytes spread over each member's data (its first bytes hold the .npy header).
    const offsets: number[] = [];
    for (const r of rs) {
      if (r.what.startsWith('data')) {
        for (let i = 0; i < 12; i++) offsets.push(r.start + Math.floor(((r.end - r.start - 1) * i) / 11));
      } else {
        for (let o = r.start; o < r.end; o++) offsets.push(o);
      }
    }
    const counts: Record<string, number> = {};
    const harmless = new Set<string>();
    for (const [k, off] of offsets.entries()) {
      const bad = z.slice();
      bad[off] ^= [0x01, 0x80, 0xff, 0x10][k % 4];
      const result = await outcome(bad, baseline);
      counts[result] = (counts[result] ?? 0) + 1;
      expect(['rejected', 'identical'], `byte ${off} (${fieldAt(z, off, rs)})`).toContain(result);
      if (result === 'identical') harmless.add(fieldAt(z, off, rs));
    }
    expect(offsets.length).toBeGreaterThanOrEqual(300);
    // Only fields that no reader uses may change without a rejection: never data, sizes, CRCs, names or offsets.
    expect([...harmless].sort()).toEqual(['attributes', 'deflate padding', 'time/date', 'version made by', 'version needed'].filter((f) => harmless.has(f)));
    expect(counts.rejected).toBeGreaterThan(offsets.length * 0.8);
  });

  it('rejects corruptions of stored members, naming the .npy shape field when the header no longer fits its member', async () => {
    const z = zip(arrays(), 0);
    const baseline = await content(z);
    const rs = regions(z).filter((r) => r.what.startsWith('data'));
    let shapeErrors = 0;
    for (const r of rs) {
      for (let i = 0; i < 30; i++) {
        const off = r.start + Math.floor(((r.end - r.start - 1) * i) / 29);
        const bad = z.slice();
        bad[off] ^= 0x04;
        expect(await outcome(bad, baseline), `byte ${off} of ${r.what}`).toBe('rejected');
      }
      // The digits of the first dimension in the header text: '(144, ' → '(544, '.
      const text = new TextDecoder('latin1').decode(z.subarray(r.start, r.start + 128));
      const at = r.start + text.indexOf("'shape': (") + 10;
      const bad = z.slice();
      bad[at] = 0x35;
      const err = await loadDsprites(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DisentangleError);
      expect((err as DisentangleError).code).toBe('BAD_FILE');
      if (/field 'shape'/.test((err as Error).message)) shapeErrors++;
    }
    expect(shapeErrors).toBe(3);
  });

  it('rejects truncated files at every cut', async () => {
    const z = zip(arrays(), 6);
    const cuts = [1, 3, 4, 29, 30, 31, 100, ...Array.from({ length: 20 }, (_, i) => Math.floor((z.length * (i + 1)) / 22)), z.length - 22, z.length - 1];
    for (const cut of cuts) {
      const err = await loadDsprites(z.subarray(0, cut)).catch((e: unknown) => e);
      expect(err, `cut at ${cut}`).toBeInstanceOf(DisentangleError);
      expect((err as DisentangleError).code, `cut at ${cut}`).toBe('BAD_FILE');
    }
    // Trailing bytes after the end record are refused too: the record's comment length must account for them.
    const longer = new Uint8Array(z.length + 5);
    longer.set(z);
    await expect(loadDsprites(longer)).rejects.toMatchObject({ code: 'BAD_FILE' });
  });

  it('throws BAD_FILE naming the file and the shape field for a 600-byte .npz whose header declares a huge shape', async () => {
    const head = encodeNpyHeader('|u1', [737280000, 64, 64]);
    const body = new Uint8Array(600 - head.length - 200);
    const member = new Uint8Array(head.length + body.length);
    member.set(head);
    member.set(body, head.length);
    const z = zipSync({ 'imgs.npy': [member, { level: 0 }] });
    expect(z.length).toBeGreaterThan(500);
    expect(z.length).toBeLessThan(700);
    const path = join(dir, 'huge.npz');
    writeFileSync(path, z);
    for (const src of [path, z]) {
      const err = await loadDsprites(src).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DisentangleError);
      expect((err as DisentangleError).code).toBe('BAD_FILE');
      expect((err as DisentangleError).argument).toBe('pathOrBytes');
      expect((err as Error).message).toMatch(/imgs\.npy: field 'shape' \(737280000, 64, 64\)/);
      if (src === path) expect((err as Error).message).toContain(path);
    }
    // The generic reader checks the same without knowing the file's size.
    await expect(readNpzStream([z], () => ({ write: () => {} }))).rejects.toMatchObject({ code: 'BAD_FILE' });
  });

  it('refuses zip and .npy header fields that promise more than the bytes that follow', async () => {
    const member = npy('|u1', [4, 4], new Uint8Array(16));
    const z = zipSync({ 'x.npy': [member, { level: 6 }] });
    const v = new DataView(z.buffer);
    const cases: [string, (b: DataView) => void, RegExp][] = [
      ['uncompressed size beyond deflate', (b) => b.setUint32(22, 0x7fffffff, true), /'uncompressed size'/],
      ['compressed size past the end', (b) => b.setUint32(18, 0x7fffffff, true), /'compressed size'/],
      ['npy header length', (b) => b.setUint16(30 + 5 + 8, 0xffff, true), /./],
    ];
    expect(v.getUint32(0, true)).toBe(0x04034b50);
    for (const [what, mutate, message] of cases) {
      const bad = z.slice();
      mutate(new DataView(bad.buffer));
      const err = await readNpzStream([bad], () => ({ write: () => {} }), { totalBytes: bad.length }).catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(DisentangleError);
      expect((err as DisentangleError).code, what).toBe('BAD_FILE');
      expect((err as Error).message, what).toMatch(message);
    }
    // A stored member whose .npy header length field points past the member.
    const stored = member.slice();
    new DataView(stored.buffer).setUint16(8, 0xfff0, true);
    const err = await readNpzStream([zipSync({ 'x.npy': [stored, { level: 0 }] })], () => ({ write: () => {} })).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/field 'header length' \(65520\)/);
  });

  it('checks the CRC-32 of members it skips', async () => {
    const a = arrays();
    a.metadata = npy('<f8', [4], Float64Array.of(1, 2, 3, 4));
    const z = zip(a, 0);
    const rs = regions(z);
    const meta = rs.find((r) => r.what === 'data metadata.npy') as Region;
    const bad = z.slice();
    bad[meta.end - 3] ^= 0x40;
    await expect(loadDsprites(bad)).rejects.toThrow(/metadata\.npy' fails its CRC-32 check/);
  });

  it('reads archives written by NumPy (zip64 local headers), stored and deflated', async () => {
    for (const file of ['numpy-compressed.npz', 'numpy-stored.npz']) {
      const got: Record<string, number[]> = {};
      const names = await readNpzStream([readFileSync(join(FIXTURES, file))], (name, h) => {
        const bytes: number[] = [];
        got[`${name}:${h.descr}:${h.shape}`] = bytes;
        return { write: (chunk) => bytes.push(...chunk) };
      });
      expect(names).toEqual(['a', 'b', 'c']);
      const a = new BigInt64Array(Uint8Array.from(got['a:<i8:2,3']).buffer);
      expect(Array.from(a, Number)).toEqual([-2, -1, 0, 1, 2, 3]);
      expect(Array.from(new Float64Array(Uint8Array.from(got['b:<f8:3']).buffer))).toEqual([1.5, -2.25, 3e10]);
      expect(got['c:|u1:2,3,4']).toEqual(Array.from({ length: 24 }, (_, i) => i % 2));
    }
  });

  it('refuses members whose sizes follow their data (a zip written to a non-seekable stream) with a hint', async () => {
    const z = readFileSync(join(FIXTURES, 'numpy-descriptor.npz'));
    await expect(readNpzStream([z], () => undefined)).rejects.toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/non-seekable stream/) });
  });

  it('reads and checks zip64 end records', async () => {
    const z = zip(arrays(), 6);
    const v = new DataView(z.buffer, z.byteOffset, z.byteLength);
    const eocd = z.length - 22;
    const count = v.getUint16(eocd + 10, true);
    const cdSize = v.getUint32(eocd + 12, true);
    const cdOffset = v.getUint32(eocd + 16, true);
    const withZip64 = (tweak: (z64: DataView) => void): Uint8Array => {
      const out = new Uint8Array(z.length + 56 + 20);
      out.set(z.subarray(0, eocd));
      const r = new DataView(out.buffer);
      let p = eocd;
      r.setUint32(p, 0x06064b50, true);
      r.setBigUint64(p + 4, 44n, true);
      r.setUint16(p + 12, 45, true);
      r.setUint16(p + 14, 45, true);
      r.setBigUint64(p + 24, BigInt(count), true);
      r.setBigUint64(p + 32, BigInt(count), true);
      r.setBigUint64(p + 40, BigInt(cdSize), true);
      r.setBigUint64(p + 48, BigInt(cdOffset), true);
      tweak(new DataView(out.buffer, p, 56));
      p += 56;
      r.setUint32(p, 0x07064b50, true);
      r.setBigUint64(p + 8, BigInt(eocd), true);
      r.setUint32(p + 16, 1, true);
      p += 20;
      out.set(z.subarray(eocd), p);
      r.setUint16(p + 8, 0xffff, true);
      r.setUint16(p + 10, 0xffff, true);
      r.setUint32(p + 12, 0xffffffff, true);
      r.setUint32(p + 16, 0xffffffff, true);
      return out;
    };
    const data = await loadDsprites(withZip64(() => {}));
    expect(data.numImages).toBe(144);
    await expect(loadDsprites(withZip64((r) => r.setBigUint64(40, BigInt(cdSize + 1), true)))).rejects.toThrow(/central directory size/);
    await expect(loadDsprites(withZip64((r) => r.setBigUint64(32, BigInt(count + 1), true)))).rejects.toMatchObject({ code: 'BAD_FILE' });
  });
});

describe('.npz fuzzing', () => {
  it('random edits of a compressed archive (flips, runs overwritten, bytes inserted or cut) are rejected or load identical content', async () => {
    const fc = (await import('fast-check')).default;
    const z = zip(arrays(), 6);
    const baseline = await content(z);
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
    );
    const outcomes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
        let b = z.slice();
        for (const e of edits) {
          const at = e.at % b.length;
          if (e.kind === 'set') {
            b = b.slice();
            b.set(e.bytes.subarray(0, b.length - at), at);
          } else if (e.kind === 'insert') {
            b = Uint8Array.from([...b.subarray(0, at), ...e.bytes, ...b.subarray(at)]);
          } else {
            b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + e.length)]);
          }
        }
        const result = await outcome(b, baseline);
        outcomes[result] = (outcomes[result] ?? 0) + 1;
        expect(['rejected', 'identical']).toContain(result);
      }),
      { numRuns: Number(process.env.NPZ_FUZZ_RUNS ?? 150) },
    );
    expect(outcomes.rejected).toBeGreaterThan(100);
  });

  it('arbitrary bytes and non-iterables are BAD_FILE or BAD_INPUT, never another error', async () => {
    const fc = (await import('fast-check')).default;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.boolean(), async (bytes, withSignature) => {
        const b = withSignature ? Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...bytes]) : bytes;
        const err = await readNpzStream([b], () => ({ write: () => {} }), { totalBytes: b.length }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DisentangleError);
        expect((err as DisentangleError).code).toBe('BAD_FILE');
      }),
      { numRuns: 300 },
    );
    for (const chunks of [null, 5, 'bytes', {}]) {
      await expect(readNpzStream(chunks as never, () => undefined)).rejects.toMatchObject({ code: 'BAD_INPUT', argument: 'chunks' });
    }
  });
});
