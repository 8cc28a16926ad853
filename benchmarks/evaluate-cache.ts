/**
 * evaluate() with and without the code cache: every encoder metric on procedural dSprites with the analytic
 * moment encoder (tfjs, float32), images drawn vs encoded per metric and wall time.
 * `npx tsx benchmarks/evaluate-cache.ts [sampleScale]` → benchmarks/results/evaluate-cache-scale-<scale>.json.
 */
import { setupBackend } from '../src/core/backend.js';
import { writeFileAtomic } from '../src/core/files.js';
import { dsprites } from '../src/data/index.js';
import { evaluate } from '../src/metrics/index.js';
import { imageMomentEncoder } from '../src/models/index.js';

const sampleScale = Number(process.argv[2] ?? 0.1);
const backend = await setupBackend();
const run = (cache: boolean) => evaluate({ represent: imageMomentEncoder(), dataset: dsprites(), metrics: 'all', sampleScale, cache });
const cached = await run(true);
const plain = await run(false);
const same = JSON.stringify(cached.results) === JSON.stringify(plain.results);
const perMetric = Object.fromEntries(
  Object.entries(cached.perMetric).map(([id, m]) => [id, { drawnImages: m?.drawnImages, encodedImages: m?.encodedImages, secondsCached: m?.seconds.total, secondsUncached: plain.perMetric[id as keyof typeof plain.perMetric]?.seconds.total }]),
);
const summary = {
  sampleScale,
  backend,
  encoder: 'imageMomentEncoder (tfjs, float32)',
  identicalResults: same,
  drawnImages: cached.drawnImages,
  encodedImages: cached.encodedImages,
  seconds: { cached: cached.seconds, uncached: plain.seconds },
  perMetric,
};
console.log(JSON.stringify(summary, null, 2));
await writeFileAtomic(new URL(`./results/evaluate-cache-scale-${sampleScale}.json`, import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
