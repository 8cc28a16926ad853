/**
 * Shapes3D loader: load time (open + checking all 480,000 label rows), peak RSS, and images per second for
 * random batches of 64 (what a sampling metric draws) with the default 512 MiB chunk cache, on a full-size
 * stand-in of `3dshapes.h5` (480,000 images, h5py's automatic chunks (15000, 4, 4, 1), gzip 4) written by
 * scripts/fixtures/shapes3d_standin.py (needs /usr/bin/python3 with h5py; set SHAPES3D_H5 to use another file,
 * e.g. the published one). quick: the 144-image test fixture. Then the same with `uncompressedCopy`: the time
 * to write the copy (one pass over the h5), images per second read from it, and a second load that reuses it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setupBackend } from '../../../src/core/backend.js';
import { createRng } from '../../../src/core/rng.js';
import { sampleUniformFactors } from '../../../src/data/sampling.js';
import { loadShapes3d, openShapes3d, SHAPES3D_FACTOR_NAMES, type LoadShapes3dOptions, type Shapes3dDataset } from '../../../src/data/shapes3d.js';

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
    let file: string;
    let open: (options: LoadShapes3dOptions) => Promise<Shapes3dDataset>;
    if (quick) {
      const fixture = join(ROOT, 'test/fixtures/datasets/shapes3d_small.h5');
      file = join(mkdtempSync(join(tmpdir(), 'shapes3d-bench-')), 'shapes3d_small.h5');
      copyFileSync(fixture, file);
      const fx = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/datasets/shapes3d_small.json'), 'utf8')) as { sizes: number[]; values: number[][] };
      open = (o) => openShapes3d(file, o, { sizes: fx.sizes, names: SHAPES3D_FACTOR_NAMES, values: fx.values });
    } else {
      file = standIn();
      open = (o) => loadShapes3d(file, o);
    }
    const t0 = performance.now();
    const data = await open({});
    const loadSeconds = (performance.now() - t0) / 1000;
    const rssAfterLoadMB = process.memoryUsage().rss / 2 ** 20;
    const times = await drawBatches(data, quick ? 3 : 2);
    const stats = data.cacheStats();
    data.close();

    // The opt-in uncompressed copy, next to the h5 (removed afterwards unless the h5 was given).
    const copyPath = join(dirname(file), `${quick ? 'shapes3d_small' : '3dshapes'}.images.u8`);
    rmSync(copyPath, { force: true });
    const t1 = performance.now();
    const withCopy = await open({ uncompressedCopy: copyPath });
    const convertSeconds = (performance.now() - t1) / 1000;
    withCopy.close();
    const t2 = performance.now();
    const reused = await open({ uncompressedCopy: copyPath });
    const reuseLoadSeconds = (performance.now() - t2) / 1000;
    const copyBatches = quick ? 3 : 50;
    const copyTimes = await drawBatches(reused, copyBatches);
    const copyReused = !reused.copyBuilt;
    reused.close();
    if (!process.env.SHAPES3D_H5 || quick) rmSync(copyPath, { force: true });
    // the stand-in this run generated (not a file given in SHAPES3D_H5)
    if (quick || !process.env.SHAPES3D_H5) rmSync(dirname(file), { recursive: true, force: true });
    return {
      file: quick ? 'test fixture (144 images)' : process.env.SHAPES3D_H5 ? file : 'full-size stand-in (480,000 images, published chunking)',
      numImages: data.numImages,
      loadSeconds,
      rssAfterLoadMB,
      randomBatch64Seconds: times,
      imagesPerSecond: (64 * times.length) / times.reduce((a, b) => a + b, 0),
      chunkReads: stats.chunkReads,
      cacheHits: stats.cacheHits,
      peakRssMB: peak / 2 ** 20,
      copy: {
        convertSeconds,
        reuseLoadSeconds,
        copyReused,
        randomBatch64SecondsMedian: copyTimes.sort((a, b) => a - b)[copyTimes.length >> 1],
        imagesPerSecond: (64 * copyBatches) / copyTimes.reduce((a, b) => a + b, 0),
      },
    };
  } finally {
    clearInterval(timer);
  }
}

async function drawBatches(data: Shapes3dDataset, batches: number): Promise<number[]> {
  const rng = createRng(0);
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const f = sampleUniformFactors(data.factorSizes, 64, rng);
    const t = performance.now();
    const x = await data.observationsFromFactors({ data: f.data, shape: [f.rows, f.cols] });
    x.dispose();
    times.push((performance.now() - t) / 1000);
  }
  return times;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.includes('--quick')).then((r) => console.log(JSON.stringify(r, null, 2)));
}
