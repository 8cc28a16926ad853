/**
 * Loader benchmark (issue 3): load time and peak memory of `loadDsprites` on a FULL-SIZE file.
 * Run: `npx tsx benchmarks/dsprites-loader.ts [--keep] [--file path.npz]`. Writes benchmarks/results/dsprites-loader.json.
 *
 * 1. Writes a synthetic `dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz` with the real keys, dtypes, shapes and
 *    row order (737,280 procedural images, int64 latents_classes, float64 latents_values), streaming: images are
 *    rendered 4,096 at a time and pushed through fflate's ZipDeflate (level 6, as numpy's savez_compressed /
 *    zlib default) straight to a temp file, so the 3 GB of pixels never exist at once.
 * 2. Loads it in a fresh child process under `--max-old-space-size=512` (the images must live off the JS heap,
 *    bit-packed), reporting wall time, CPU time, the OS peak RSS (`process.resourceUsage().maxRSS`) and the RSS /
 *    array-buffer figures at the end; then spot-checks 2,000 random images against the renderer.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Zip, ZipDeflate } from 'fflate';
import { createRng } from '../src/core/rng.js';
import { DSPRITES_FACTOR_SIZES, dspritesFactorValues, renderDspritesBatch } from '../src/data/dspritesRenderer.js';
import { loadDsprites } from '../src/data/loadDsprites.js';
import { encodeNpyHeader } from '../src/data/npz.js';
import { sampleUniformFactors } from '../src/data/sampling.js';
import { writeFileAtomic } from '../src/core/files.js';

const N = 737280;
const SIZES6 = [1, ...DSPRITES_FACTOR_SIZES];
const BATCH = 4096;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Factor indices (without color) of rows start..start+count-1 in the real file's order. */
function factorsOfRows(start: number, count: number): Int32Array {
  const out = new Int32Array(count * 5);
  for (let i = 0; i < count; i++) {
    let flat = start + i;
    for (let k = 4; k >= 0; k--) {
      out[i * 5 + k] = flat % DSPRITES_FACTOR_SIZES[k];
      flat = Math.floor(flat / DSPRITES_FACTOR_SIZES[k]);
    }
  }
  return out;
}

function writeSynthetic(path: string): { seconds: number; bytes: number } {
  const t0 = performance.now();
  const fd = openSync(path, 'w');
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else writeSync(fd, chunk);
  });
  const push = (name: string, header: Uint8Array, body: (emit: (b: Uint8Array) => void) => void): void => {
    const entry = new ZipDeflate(name, { level: 6 });
    zip.add(entry);
    entry.push(header);
    body((b) => entry.push(b));
    entry.push(new Uint8Array(0), true);
  };
  push('imgs.npy', encodeNpyHeader('|u1', [N, 64, 64]), (emit) => {
    const buf = new Uint8Array(BATCH * 4096);
    for (let start = 0; start < N; start += BATCH) {
      const f = factorsOfRows(start, BATCH);
      renderDspritesBatch({ data: f, shape: [BATCH, 5] }, buf);
      emit(buf.slice());
      if (start % (BATCH * 30) === 0) process.stdout.write(`\rwriting images ${start}/${N}`);
    }
  });
  const classes = new BigInt64Array(N * 6);
  const values = new Float64Array(N * 6);
  for (let start = 0; start < N; start += BATCH) {
    const f = factorsOfRows(start, BATCH);
    const v = dspritesFactorValues({ data: f, shape: [BATCH, 5] }).data;
    for (let i = 0; i < BATCH; i++) {
      const r = (start + i) * 6;
      values[r] = 1;
      for (let k = 0; k < 5; k++) {
        classes[r + k + 1] = BigInt(f[i * 5 + k]);
        values[r + k + 1] = v[i * 5 + k];
      }
    }
  }
  push('latents_classes.npy', encodeNpyHeader('<i8', [N, 6]), (emit) => emit(new Uint8Array(classes.buffer)));
  push('latents_values.npy', encodeNpyHeader('<f8', [N, 6]), (emit) => emit(new Uint8Array(values.buffer)));
  zip.end();
  closeSync(fd);
  if (failure) throw failure;
  process.stdout.write('\n');
  return { seconds: (performance.now() - t0) / 1000, bytes: statSync(path).size };
}

async function loadChild(path: string): Promise<void> {
  let sampledPeak = 0;
  const timer = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)), 50);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const data = await loadDsprites(path);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  clearInterval(timer);
  const mem = process.memoryUsage();
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  // spot check against the renderer
  const f = sampleUniformFactors(DSPRITES_FACTOR_SIZES, 2000, createRng(7));
  const batch = { data: f.data, shape: [2000, 5] as [number, number] };
  const got = data.renderInto(batch);
  const want = renderDspritesBatch(batch);
  let mismatches = 0;
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) mismatches++;
  console.log(
    JSON.stringify({
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssBytes,
      sampledPeakRssBytes: sampledPeak,
      endRssBytes: mem.rss,
      endArrayBuffersBytes: mem.arrayBuffers,
      endHeapUsedBytes: mem.heapUsed,
      packedBytes: data.packedBytes,
      numImages: data.numImages,
      factorSizes: data.factorSizes,
      spotCheckImages: 2000,
      spotCheckPixelMismatches: mismatches,
    }),
  );
}

async function main(): Promise<void> {
  const child = arg('--load-child');
  if (child) return loadChild(child);
  const path = arg('--file') ?? join(tmpdir(), 'dsprites_ndarray_co1sh3sc6or40x32y32_64x64.synthetic.npz');
  const load1 = loadavg()[0];
  let written: { seconds: number; bytes: number } | undefined;
  if (!existsSync(path)) written = writeSynthetic(path);
  const out = execFileSync(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', process.argv[1], '--load-child', path], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const load = JSON.parse(out.trim().split('\n').pop() as string);
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadAverage1mBefore: load1, loadAverage1mAfter: loadavg()[0] },
    file: { images: N, compressedBytes: statSync(path).size, uncompressedImageBytes: N * 4096, writeSeconds: written?.seconds ?? null },
    load,
    note: 'load in a child process with --max-old-space-size=512; peakRssBytes = OS maximum resident set of that process (includes Node itself, ~50 MB). The machine is shared (2 cores): see loadAverage; cpuSeconds is the load-independent cost.',
  };
  mkdirSync('benchmarks/results', { recursive: true });
  await writeFileAtomic('benchmarks/results/dsprites-loader.json', JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  if (!process.argv.includes('--keep') && !arg('--file')) unlinkSync(path);
}

await main();
