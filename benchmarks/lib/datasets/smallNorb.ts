/**
 * SmallNORB loader: load time (streaming both 448 MB `.dat` files and resizing 48,600 left images), peak RSS,
 * the image table's size, and images per second for random batches of 64 (what a sampling metric draws), on
 * full-size stand-ins of the six published files written here (published headers and sizes, every combination
 * once, rows in a shuffled order). quick: the `.dat` files are sparse (only one row in 243 holds pixels, the
 * loader skips blank images), so the number is reading speed, not resizing speed; full: every image holds
 * pixels. Set SMALL_NORB_DIR to time the published files instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../../src/core/backend.js';
import { createRng } from '../../../src/core/rng.js';
import { sampleUniformFactors } from '../../../src/data/sampling.js';
import { loadSmallNorb } from '../../../src/data/smallNorb.js';
import { NORB_SIDE, writeNorbStandIn } from '../../../test/helpers/norbStandIn.js';

const IMG = NORB_SIDE * NORB_SIDE;

/** The six stand-in files; `dense`: every image holds pixels, else only one row in 243 (the rest stays sparse). */
function writeStandIn(dir: string, dense: boolean): void {
  writeNorbStandIn(dir, (_s, r) => {
    if (!dense && r % 243 !== 0) return undefined;
    const row = new Uint8Array(2 * IMG);
    for (let p = 0; p < 2 * IMG; p++) row[p] = (r * 31 + p * 7 + ((p * r) % 13) * 11) & 255;
    return row;
  });
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
