/**
 * SmallNORB loader: load time (streaming both 448 MB `.dat` files and resizing 48,600 left images), peak RSS,
 * the image table's size, and images per second for random batches of 64 (what a sampling metric draws), on
 * full-size stand-ins of the six published files written here (published headers and sizes, every combination
 * once, rows in a shuffled order). quick: the `.dat` files are sparse (only one row in 243 holds pixels, the
 * loader skips blank images), so the number is reading speed, not resizing speed; full: every image holds
 * pixels. Set SMALL_NORB_DIR to time the published files instead.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../../src/core/backend.js';
import { createRng } from '../../../src/core/rng.js';
import { sampleUniformFactors } from '../../../src/data/sampling.js';
import { loadSmallNorb, SMALL_NORB_CHUNKS } from '../../../src/data/smallNorb.js';

const ROWS = 24_300;
const IMG = 96 * 96;
const INST = [
  [4, 6, 7, 8, 9],
  [0, 1, 2, 3, 5],
];

function header(magic: number, dims: number[]): Buffer {
  const h = new Int32Array(2 + Math.max(3, dims.length)).fill(1);
  h[0] = magic;
  h[1] = dims.length;
  h.set(dims, 2);
  return Buffer.from(h.buffer);
}

function writeStandIn(dir: string, dense: boolean): void {
  for (let s = 0; s < 2; s++) {
    const cat = new Int32Array(ROWS);
    const info = new Int32Array(ROWS * 4);
    for (let r = 0; r < ROWS; r++) {
      let j = (r * 7919) % ROWS;
      const light = j % 6;
      j = Math.floor(j / 6);
      const az = j % 18;
      j = Math.floor(j / 18);
      const elev = j % 9;
      j = Math.floor(j / 9);
      cat[r] = Math.floor(j / 5);
      info.set([INST[s][j % 5], elev, 2 * az, light], r * 4);
    }
    const name = (k: string): string => join(dir, `smallnorb-${SMALL_NORB_CHUNKS[s]}-${k}.mat`);
    writeFileSync(name('cat'), Buffer.concat([header(0x1e3d4c54, [ROWS]), Buffer.from(cat.buffer)]));
    writeFileSync(name('info'), Buffer.concat([header(0x1e3d4c54, [ROWS, 4]), Buffer.from(info.buffer)]));
    const fd = openSync(name('dat'), 'w');
    const h = header(0x1e3d4c55, [ROWS, 2, 96, 96]);
    writeSync(fd, h, 0, h.length, 0);
    const per = 200;
    const buf = new Uint8Array(per * 2 * IMG);
    for (let r0 = 0; r0 < ROWS; r0 += per) {
      const n = Math.min(per, ROWS - r0);
      for (let i = 0; i < n; i++) {
        const r = r0 + i;
        if (!dense && r % 243 !== 0) continue;
        for (let p = 0; p < 2 * IMG; p++) buf[i * 2 * IMG + p] = (r * 31 + p * 7 + ((p * r) % 13) * 11) & 255;
      }
      if (dense || r0 % 243 < per) writeSync(fd, buf, 0, n * 2 * IMG, h.length + r0 * 2 * IMG);
      if (!dense) buf.fill(0);
    }
    ftruncateSync(fd, h.length + ROWS * 2 * IMG);
    closeSync(fd);
  }
}

export async function run(quick: boolean): Promise<Record<string, unknown>> {
  await setupBackend(['cpu']);
  const given = process.env.SMALL_NORB_DIR;
  const dir = given ?? mkdtempSync(join(tmpdir(), 'smallnorb-bench-'));
  try {
    const tw = performance.now();
    if (!given) writeStandIn(dir, !quick);
    const writeSeconds = (performance.now() - tw) / 1000;
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    const norb = await loadSmallNorb(dir);
    const loadSeconds = (performance.now() - t0) / 1000;
    const rng = createRng(0);
    const batches = 50;
    const t1 = performance.now();
    for (let b = 0; b < batches; b++) {
      const f = sampleUniformFactors(norb.factorSizes, 64, rng);
      norb.observationsFromFactors({ data: f.data, shape: [f.rows, f.cols] }, rng).dispose();
    }
    const drawSeconds = (performance.now() - t1) / 1000;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    return {
      files: given ?? (quick ? 'full-size stand-ins, sparse (1 row in 243 holds pixels)' : 'full-size stand-ins, every image holds pixels'),
      numImages: norb.numImages,
      standInWriteSeconds: Number(writeSeconds.toFixed(1)),
      loadSeconds: Number(loadSeconds.toFixed(2)),
      tableMB: Number((norb.tableBytes / 2 ** 20).toFixed(1)),
      peakRssMB: Number((peak / 2 ** 20).toFixed(0)),
      imagesPerSecond: Math.round((batches * 64) / drawSeconds),
    };
  } finally {
    if (!given) rmSync(dir, { recursive: true, force: true });
  }
}
