/**
 * Every encoder metric (evaluate, metrics 'all') on procedural dSprites with the fixture Burgess encoder
 * (test/fixtures/onnx/burgess_encoder.onnx) through `onnxModel` in onnxruntime-web (wasm, one thread): images drawn
 * vs images encoded, wall time, and the library's share of wall time, i.e. everything except the encoder's own
 * `session.run` (measured by wrapping the session's `run`; evaluate's `seconds.encode` times the whole `represent`
 * callback, which also holds onnxModel's layout transpose and copies, so it is reported too but not used as the
 * encoder's time).
 *
 * `npx tsx benchmarks/evaluate-onnx.ts [--scale 0.1]` → benchmarks/results/evaluate-onnx.json, one entry per
 * sample scale (a run at another scale keeps the others). `--scale 1` is disentanglement_lib's default sizes: about
 * 720 k encodes, 10+ minutes on one core, so benchmarks/run-all.ts runs only the 0.1 default. `--quick` runs scale
 * 0.01 and writes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as ort from 'onnxruntime-web';
import { setupBackend } from '../src/core/backend.js';
import { writeFileAtomic } from '../src/core/files.js';
import { dsprites } from '../src/data/index.js';
import { evaluate } from '../src/metrics/index.js';
import { onnxModel } from '../src/onnx/index.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const at = args.indexOf('--scale');
const sampleScale = quick ? 0.01 : Number(at >= 0 ? args[at + 1] : 0.1);
if (!(sampleScale > 0)) throw new Error(`--scale expects a positive number, got ${args[at + 1]}`);
const ENCODER = 'test/fixtures/onnx/burgess_encoder.onnx';
const RESULTS = new URL('./results/evaluate-onnx.json', import.meta.url);
const DSPRITES_IMAGES = 737_280;

const backend = await setupBackend();
ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(ENCODER);
// Time spent inside the encoder itself: wrap the session's run (onnxModel duck-types the session it is given).
let sessionMs = 0;
let sessionCpuUs = 0;
let sessionRuns = 0;
const run = session.run.bind(session) as (...a: unknown[]) => Promise<unknown>;
(session as unknown as { run: (...a: unknown[]) => Promise<unknown> }).run = async (...a: unknown[]) => {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    return await run(...a);
  } finally {
    sessionMs += performance.now() - t0;
    const c = process.cpuUsage(cpu0);
    sessionCpuUs += c.user + c.system;
    sessionRuns++;
  }
};
const model = await onnxModel({ encoder: session, ort });
// The fixture's weights are random: its codes vary by ~3e-4, under the FactorVAE metric's pruning threshold (std
// 0.05), so that metric would find no active dimension and skip its ~970 k-image vote. Scaling the codes (a
// multiply outside session.run, so counted as library time) makes every metric do its full work.
const CODE_SCALE = 1000;
const represent = async (obs: Parameters<typeof model.represent>[0]) => {
  const codes = (await model.represent(obs)) as { data: Float32Array; shape: number[] };
  for (let i = 0; i < codes.data.length; i++) codes.data[i] *= CODE_SCALE;
  return codes;
};

const load1 = loadavg();
const c0 = process.cpuUsage();
let lastLog = 0;
const r = await evaluate({
  represent,
  dataset: dsprites(),
  metrics: 'all',
  sampleScale,
  onProgress: (p) => {
    const now = performance.now();
    if (now - lastLog > 15_000) {
      lastLog = now;
      process.stderr.write(`  ${p.metric} (${p.metricIndex + 1}/${p.metricCount}) ${JSON.stringify({ ...p, metric: undefined, metricIndex: undefined, metricCount: undefined })}\n`);
    }
  },
});
const cpu = process.cpuUsage(c0);
await model.dispose();
await session.release();

const wall = r.seconds.total;
const encoder = sessionMs / 1000;
const summary = {
  date: new Date().toISOString(),
  sampleScale,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    loadAverageBefore: load1.map((x) => Number(x.toFixed(2))),
    loadAverageAfter: loadavg().map((x) => Number(x.toFixed(2))),
  },
  tfjsBackend: backend,
  runtime: `onnxruntime-web ${ort.env.versions?.web ?? '?'} (wasm, numThreads 1)`,
  encoder: `${ENCODER} (Burgess: 4 conv 32×4×4 stride 2, fc 128, 128, 2×10), onnxModel batchSize 256, codes × ${CODE_SCALE}`,
  drawnImages: r.drawnImages,
  // rows a metric got from an earlier metric's identical train/test split instead of drawing them
  sharedImages: r.sharedImages,
  requestedImages: r.drawnImages + r.sharedImages,
  encodedImages: r.encodedImages,
  encodedOverDrawn: Number((r.encodedImages / r.drawnImages).toFixed(4)),
  goals: {
    encodedAtMostDsprites: r.encodedImages <= DSPRITES_IMAGES,
    encodedAtMostQuarterOfDrawn: r.encodedImages <= r.drawnImages / 4,
    libraryShareAtMost10Percent: (wall - encoder) / wall <= 0.1,
  },
  seconds: {
    wall: Number(wall.toFixed(2)),
    insideSessionRun: Number(encoder.toFixed(2)),
    representCallback: Number(r.seconds.encode.toFixed(2)),
    library: Number((wall - encoder).toFixed(2)),
    processCpu: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    sessionRunCpu: Number((sessionCpuUs / 1e6).toFixed(2)),
  },
  libraryShare: Number(((wall - encoder) / wall).toFixed(4)),
  // The same share in process CPU time, which a loaded machine does not inflate (the encoder runs on this thread).
  libraryCpuShare: Number((1 - sessionCpuUs / (cpu.user + cpu.system)).toFixed(4)),
  sessionRuns,
  encoderImagesPerSecond: Math.round(r.encodedImages / encoder),
  perMetric: Object.fromEntries(
    Object.entries(r.perMetric).map(([id, m]) => [id, { drawnImages: m?.drawnImages, sharedImages: m?.sharedImages, encodedImages: m?.encodedImages, seconds: m && { encode: Number(m.seconds.encode.toFixed(2)), total: Number(m.seconds.total.toFixed(2)) } }]),
  ),
  results: r.results,
};
console.log(JSON.stringify({ ...summary, results: undefined }, null, 2));
if (!quick) {
  const note =
    'One entry per sampleScale (1 = disentanglement_lib default sizes). libraryShare = (wall - insideSessionRun) / wall; libraryCpuShare = the same in process CPU time (robust to machine load).';
  const before = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as { runs?: Record<string, unknown> }) : {};
  await writeFileAtomic(RESULTS, `${JSON.stringify({ note, runs: { ...before.runs, [String(sampleScale)]: summary } }, null, 2)}\n`);
}
