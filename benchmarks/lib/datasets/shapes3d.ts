/**
 * Shapes3D loader: load time (open + checking all 480,000 label rows), peak RSS, and images per second for
 * random batches of 64 (what a sampling metric draws) with the default 512 MiB chunk cache, on a full-size
 * stand-in of `3dshapes.h5` (480,000 images, h5py's automatic chunks (15000, 4, 4, 1), gzip 4) written by
 * scripts/fixtures/shapes3d_standin.py (needs /usr/bin/python3 with h5py; set SHAPES3D_H5 to use another file,
 * e.g. the published one). quick: the 144-image test fixture.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../../src/core/backend.js';
import { createRng } from '../../../src/core/rng.js';
import { sampleUniformFactors } from '../../../src/data/sampling.js';
import { loadShapes3d, openShapes3d, SHAPES3D_FACTOR_NAMES, type Shapes3dDataset } from '../../../src/data/shapes3d.js';

const ROOT = join(import.meta.dirname, '../../..');

function standIn(): string {
  const given = process.env.SHAPES3D_H5;
  if (given) return given;
  const out = join(mkdtempSync(join(tmpdir(), 'shapes3d-bench-')), '3dshapes.h5');
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'scripts/fixtures/shapes3d_standin.py'), 'full', out], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`stand-in generation failed: ${r.stderr}`);
  return out;
}

export async function run(quick: boolean): Promise<Record<string, unknown>> {
  await setupBackend(['cpu']);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    let data: Shapes3dDataset;
    let file: string;
    const t0 = performance.now();
    if (quick) {
      file = join(ROOT, 'test/fixtures/datasets/shapes3d_small.h5');
      const fx = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/datasets/shapes3d_small.json'), 'utf8')) as { sizes: number[]; values: number[][] };
      data = await openShapes3d(file, {}, { sizes: fx.sizes, names: SHAPES3D_FACTOR_NAMES, values: fx.values });
    } else {
      file = standIn();
      data = await loadShapes3d(file);
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    const rssAfterLoadMB = process.memoryUsage().rss / 2 ** 20;
    const rng = createRng(0);
    const batches = quick ? 3 : 2;
    const times: number[] = [];
    for (let b = 0; b < batches; b++) {
      const f = sampleUniformFactors(data.factorSizes, 64, rng);
      const t = performance.now();
      const x = await data.observationsFromFactors({ data: f.data, shape: [f.rows, f.cols] });
      x.dispose();
      times.push((performance.now() - t) / 1000);
    }
    const stats = data.cacheStats();
    data.close();
    return {
      file: quick ? 'test fixture (144 images)' : process.env.SHAPES3D_H5 ? file : 'full-size stand-in (480,000 images, published chunking)',
      numImages: data.numImages,
      loadSeconds,
      rssAfterLoadMB,
      randomBatch64Seconds: times,
      imagesPerSecond: (64 * batches) / times.reduce((a, b) => a + b, 0),
      chunkReads: stats.chunkReads,
      cacheHits: stats.cacheHits,
      peakRssMB: peak / 2 ** 20,
    };
  } finally {
    clearInterval(timer);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.includes('--quick')).then((r) => console.log(JSON.stringify(r, null, 2)));
}
