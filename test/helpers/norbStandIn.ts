/**
 * Full-size SmallNORB stand-ins: the six files with the published headers and sizes, every (category, instance,
 * elevation, azimuth, lighting) combination once per split in a shuffled row order, as
 * scripts/fixtures/norb_standin.py writes them. Pixels are the caller's: the tests draw a pattern the fixture
 * checks, the benchmark fills every image or leaves most blank.
 */
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SMALL_NORB_CHUNKS } from '../../src/data/smallNorb.js';

export const NORB_ROWS = 24_300;
export const NORB_SIDE = 96;
// The instances of the training and the test split.
const INST = [
  [4, 6, 7, 8, 9],
  [0, 1, 2, 3, 5],
];

/** [category, instance, elevation, azimuth index (0–17), lighting] of row `r` of split `s`. */
export function norbCombination(s: number, r: number): number[] {
  let j = (r * 7919) % NORB_ROWS;
  const light = j % 6;
  j = Math.floor(j / 6);
  const az = j % 18;
  j = Math.floor(j / 18);
  const elev = j % 9;
  j = Math.floor(j / 9);
  return [Math.floor(j / 5), INST[s][j % 5], elev, az, light];
}

/** The published file name of split `s` (0 training, 1 test) and kind ('cat', 'info', 'dat'). */
export const norbFileName = (s: number, kind: string): string => `smallnorb-${SMALL_NORB_CHUNKS[s]}-${kind}.mat`;

/** A binary-matrix header: magic, rank, then at least three sizes (unused ones 1). */
export function norbHeader(magic: number, dims: number[]): Uint8Array {
  const h = new Int32Array(2 + Math.max(3, dims.length)).fill(1);
  h[0] = magic;
  h[1] = dims.length;
  h.set(dims, 2);
  return new Uint8Array(h.buffer);
}

const int32Bytes = (values: number[]): Uint8Array => new Uint8Array(Int32Array.from(values).buffer);

/**
 * Writes the six files into `dir`. `pixels(s, r, combination)` gives row r's two 96×96 images (left then right,
 * 2·96·96 bytes), or undefined to leave the row blank: the `.dat` files are sparse where rows are left out.
 */
export function writeNorbStandIn(dir: string, pixels: (s: number, r: number, combination: number[]) => Uint8Array | undefined): void {
  const rowBytes = 2 * NORB_SIDE * NORB_SIDE;
  for (let s = 0; s < 2; s++) {
    const combos = Array.from({ length: NORB_ROWS }, (_, r) => norbCombination(s, r));
    writeFileSync(join(dir, norbFileName(s, 'cat')), Buffer.concat([norbHeader(0x1e3d4c54, [NORB_ROWS]), int32Bytes(combos.map((c) => c[0]))]));
    writeFileSync(join(dir, norbFileName(s, 'info')), Buffer.concat([norbHeader(0x1e3d4c54, [NORB_ROWS, 4]), int32Bytes(combos.flatMap((c) => [c[1], c[2], 2 * c[3], c[4]]))]));
    const fd = openSync(join(dir, norbFileName(s, 'dat')), 'w');
    try {
      const h = norbHeader(0x1e3d4c55, [NORB_ROWS, 2, NORB_SIDE, NORB_SIDE]);
      writeSync(fd, h, 0, h.length, 0);
      for (let r = 0; r < NORB_ROWS; r++) {
        const p = pixels(s, r, combos[r]);
        if (p) writeSync(fd, p, 0, rowBytes, h.length + r * rowBytes);
      }
      ftruncateSync(fd, h.length + NORB_ROWS * rowBytes);
    } finally {
      closeSync(fd);
    }
  }
}
