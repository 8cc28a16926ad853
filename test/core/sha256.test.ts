import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSha256 } from '../../src/core/sha256.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hashOf = (...pieces: Uint8Array[]): string => {
  const h = createSha256();
  for (const p of pieces) h.update(p);
  return h.digestHex();
};
const webCrypto = async (bytes: Uint8Array): Promise<string> =>
  Array.from(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)), (b) => b.toString(16).padStart(2, '0')).join('');

describe('createSha256', () => {
  it('gives the FIPS 180-4 example digests', () => {
    expect(hashOf()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashOf(enc('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashOf(enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('hashes one million "a" fed in odd-sized pieces', () => {
    const h = createSha256();
    const a = new Uint8Array(1_000_000).fill(0x61);
    const sizes = [1, 3, 63, 64, 65, 127, 1000, 4093];
    let at = 0;
    for (let i = 0; at < a.length; i++) {
      const n = Math.min(sizes[i % sizes.length], a.length - at);
      h.update(a.subarray(at, at + n));
      at += n;
    }
    expect(h.digestHex()).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('equals WebCrypto on random buffers split at random points', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.array(fc.nat(600), { maxLength: 8 }), async (bytes, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        const pieces: Uint8Array[] = [];
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          pieces.push(bytes.subarray(prev, p));
          prev = p;
        }
        expect(hashOf(...pieces)).toBe(await webCrypto(bytes));
      }),
      { numRuns: 300, seed: 17 },
    );
  });

  it('pads correctly around the 55/56/64-byte boundaries', async () => {
    for (const n of [55, 56, 57, 63, 64, 65, 119, 120, 128]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      expect(hashOf(bytes)).toBe(await webCrypto(bytes));
    }
  });

  it('returns the same digest when read twice and refuses updates after', () => {
    const h = createSha256();
    h.update(enc('abc'));
    expect(h.digestHex()).toBe(h.digestHex());
    expect(() => h.update(enc('d'))).toThrow();
  });
});
