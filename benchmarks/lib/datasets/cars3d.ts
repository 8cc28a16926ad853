/**
 * Cars3D loader: load time (inflate 183 MAT files, Lanczos-resize 17,568 images 128→64), peak RSS, and images per
 * second for random batches of 64, on a full-size stand-in: 183 `car_NNN_mesh.mat` files (MAT v5, one
 * miCOMPRESSED `im`, 128×128×3×24×4 uint8, zlib level 6 like scipy's savemat) with synthetic gradients, written
 * here in JS. Set CARS3D_DIR to time another directory (e.g. the published files). quick: the 3-file fixture.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '../../../src/core/backend.js';
import { createRng } from '../../../src/core/rng.js';
import { sampleUniformFactors } from '../../../src/data/sampling.js';
import { loadCars3d, openCars3d, type Cars3dDataset } from '../../../src/data/cars3d.js';
import { matV5File } from '../../../test/helpers/matV5StandIn.js';

const ROOT = join(import.meta.dirname, '../../..');

/** One stand-in car file: im(a, b, c, az, el) = (car·40 + el·60 + az·9 + a + 2b + 50c) mod 256, column-major. */
function carFile(car: number): Uint8Array {
  const im = new Uint8Array(128 * 128 * 3 * 24 * 4);
  let i = 0;
  for (let el = 0; el < 4; el++) for (let az = 0; az < 24; az++) for (let c = 0; c < 3; c++) for (let b = 0; b < 128; b++) for (let a = 0; a < 128; a++) im[i++] = (car * 40 + el * 60 + az * 9 + a + 2 * b + 50 * c) % 256;
  return matV5File('im', 9, [128, 128, 3, 24, 4], 2, im); // uint8 class, miUINT8 data
}

export async function run(quick: boolean): Promise<Record<string, unknown>> {
  await setupBackend(['cpu']);
  let peak = process.memoryUsage().rss;
  let made: string | undefined; // the stand-in folder this run wrote, removed at the end
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    let dir = process.env.CARS3D_DIR ?? '';
    let generateSeconds = 0;
    if (!quick && !dir) {
      const g = performance.now();
      dir = made = mkdtempSync(join(tmpdir(), 'cars3d-bench-'));
      for (let car = 1; car <= 183; car++) writeFileSync(join(dir, `car_${String(car).padStart(3, '0')}_mesh.mat`), carFile(car));
      generateSeconds = (performance.now() - g) / 1000;
    }
    const t0 = performance.now();
    const data: Cars3dDataset = quick ? await openCars3d(join(ROOT, 'test/fixtures/datasets/cars3d'), {}, 3) : await loadCars3d(dir);
    const loadSeconds = (performance.now() - t0) / 1000;
    const rng = createRng(0);
    const batches = 20;
    const t1 = performance.now();
    for (let b = 0; b < batches; b++) {
      const f = sampleUniformFactors(data.factorSizes, 64, rng);
      data.observationsFromFactors({ data: f.data, shape: [f.rows, f.cols] }).dispose();
    }
    const drawSeconds = (performance.now() - t1) / 1000;
    return {
      files: quick ? 'test fixture (3 cars)' : process.env.CARS3D_DIR ? dir : 'full-size stand-in (183 files, written in JS)',
      numImages: data.numImages,
      generateSeconds,
      loadSeconds,
      imagesPerSecond: (64 * batches) / drawSeconds,
      heldMB: (data.numImages * 12288) / 2 ** 20,
      peakRssMB: peak / 2 ** 20,
    };
  } finally {
    clearInterval(timer);
    if (made) rmSync(made, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.includes('--quick')).then((r) => console.log(JSON.stringify(r, null, 2)));
}
