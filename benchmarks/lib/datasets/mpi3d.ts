/**
 * MPI3D loader: load time (zip directory and `.npy` header only), peak RSS, and images per second for random
 * batches of 64 (what a sampling metric draws; one 12 KB read per image), on a full-size stand-in of
 * `mpi3d_toy.npz` in np.savez's layout (1,036,800 images, stored member, zip64 records; 12.7 GB). quick: the
 * stand-in is sparse (pixels never written: reads are served without touching the disk); full: every image is
 * written, so reads hit the page cache or the disk. Set MPI3D_NPZ (and MPI3D_VARIANT) to time a published file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../../src/core/backend.js';
import { createRng } from '../../../src/core/rng.js';
import { sampleUniformFactors } from '../../../src/data/sampling.js';
import { loadMpi3d, type Mpi3dVariant } from '../../../src/data/mpi3d.js';
import { writeSavezStandIn } from '../../../test/helpers/savezStandIn.js';

const IMAGE = 64 * 64 * 3;
const N = 1_036_800;

/** The full-size stand-in: every image written (`dense`, a distinct byte per row) or none (sparse). */
function writeStandIn(path: string, dense: boolean): void {
  writeSavezStandIn(path, [N, 64, 64, 3], (write) => {
    if (!dense) return;
    const per = 1024;
    const buf = new Uint8Array(per * IMAGE);
    for (let r0 = 0; r0 < N; r0 += per) {
      for (let i = 0; i < per; i++) buf.fill((r0 + i) & 255, i * IMAGE, (i + 1) * IMAGE);
      write(r0, buf.subarray(0, Math.min(per, N - r0) * IMAGE));
    }
  });
}

export async function run(quick: boolean): Promise<Record<string, unknown>> {
  await setupBackend(['cpu']);
  const given = process.env.MPI3D_NPZ;
  const dir = given ? undefined : mkdtempSync(join(tmpdir(), 'mpi3d-bench-'));
  const file = given ?? join(dir as string, 'mpi3d_toy.npz');
  try {
    const tw = performance.now();
    if (!given) writeStandIn(file, !quick);
    const writeSeconds = (performance.now() - tw) / 1000;
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    const mpi = await loadMpi3d(file, { variant: (process.env.MPI3D_VARIANT as Mpi3dVariant | undefined) ?? 'toy' });
    const loadSeconds = (performance.now() - t0) / 1000;
    const rng = createRng(0);
    const batches = quick ? 50 : 300;
    const t1 = performance.now();
    for (let b = 0; b < batches; b++) {
      const f = sampleUniformFactors(mpi.factorSizes, 64, rng);
      (await mpi.observationsFromFactors({ data: f.data, shape: [f.rows, f.cols] })).dispose();
    }
    const drawSeconds = (performance.now() - t1) / 1000;
    await mpi.close();
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    return {
      file: given ?? (quick ? 'full-size np.savez-layout stand-in, sparse (12.7 GB, pixels unwritten)' : 'full-size np.savez-layout stand-in, every image written (12.7 GB)'),
      numImages: mpi.numImages,
      standInWriteSeconds: Number(writeSeconds.toFixed(1)),
      loadSeconds: Number(loadSeconds.toFixed(3)),
      peakRssMB: Number((peak / 2 ** 20).toFixed(0)),
      imagesPerSecond: Math.round((batches * 64) / drawSeconds),
    };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
