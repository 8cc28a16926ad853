/**
 * Unsupervised scores at growing code widths (issue 15: "runs 120 s synchronously at 5,000 codes"). Run:
 * `npx tsx benchmarks/unsupervised-scaling.ts [--quick] [--sizes 5000x10,5000x500]`.
 * Writes benchmarks/results/unsupervised-scaling.json.
 *
 * Codes: n rows of D dims, each dim a mix of a few shared Gaussian sources and its own noise (so the covariance
 * is full and well conditioned), seeded. For each n×D it times `unsupervisedFromCodes` (synchronous, median of
 * a few runs; wall and process CPU seconds) and the async path `computeUnsupervised` takes
 * (`unsupervisedFromCodesAsync`), recording the longest stretch the event loop was blocked during it (a 10 ms
 * interval timer measures the gaps).
 */
import { cpus, loadavg } from 'node:os';
import { createRng } from '../src/core/rng.js';
import * as unsupervised from '../src/metrics/unsupervised.js';
import { writeFileAtomic } from '../src/core/files.js';

const quick = process.argv.includes('--quick');
const sizesArg = process.argv.indexOf('--sizes');
const SIZES: [number, number][] = sizesArg >= 0
  ? process.argv[sizesArg + 1].split(',').map((s) => s.split('x').map(Number) as [number, number])
  : quick
    ? [[5000, 10], [5000, 200]]
    : [[5000, 10], [5000, 100], [5000, 500], [5000, 1000], [10000, 10]];
const RESULTS = new URL('./results/unsupervised-scaling.json', import.meta.url);

function codes(n: number, D: number, seed: number): { data: Float64Array; shape: [number, number] } {
  const rng = createRng(seed);
  const sources = 4;
  const mix = Array.from({ length: D * sources }, () => rng.normal() * 0.5);
  const data = new Float64Array(n * D);
  const s = new Float64Array(sources);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < sources; k++) s[k] = rng.normal();
    for (let d = 0; d < D; d++) {
      let v = rng.normal();
      for (let k = 0; k < sources; k++) v += mix[d * sources + k] * s[k];
      data[i * D + d] = v;
    }
  }
  return { data, shape: [n, D] };
}

async function longestBlock(run: () => Promise<unknown>): Promise<{ seconds: number; longestBlockMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 10);
  const t0 = performance.now();
  await run();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  worst = Math.max(worst, performance.now() - last);
  return { seconds, longestBlockMs: Math.round(worst) };
}

const rows: Record<string, unknown>[] = [];
const asyncEntry = (unsupervised as Record<string, unknown>).unsupervisedFromCodesAsync as
  | ((c: unknown, o?: unknown) => Promise<unknown>)
  | undefined;
for (const [n, D] of SIZES) {
  const z = codes(n, D, 7);
  const runs = D >= 500 ? 1 : 3;
  const times: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    unsupervised.unsupervisedFromCodes(z);
    const c = process.cpuUsage(c0);
    times.push({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 });
  }
  times.sort((a, b) => a.cpu - b.cpu);
  const median = times[times.length >> 1];
  const row: Record<string, unknown> = { n, D, syncSeconds: Number(median.wall.toFixed(3)), syncCpuSeconds: Number(median.cpu.toFixed(3)) };
  if (asyncEntry) {
    const a = await longestBlock(() => asyncEntry(z));
    row.asyncSeconds = Number(a.seconds.toFixed(3));
    row.asyncLongestBlockMs = a.longestBlockMs;
  }
  rows.push(row);
  console.log(JSON.stringify(row));
}
await writeFileAtomic(
  RESULTS,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, load: loadavg(), rows }, null, 2)}\n`,
);
