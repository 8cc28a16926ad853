/**
 * DCI speed on disentanglement_lib's benchmark shape: 5,000 train and 2,000 test rows, 10 codes, factor sizes
 * [3, 6, 40, 32, 32] (dSprites), gradient boosting (the default). disentanglement_lib + scikit-learn 1.2 take
 * 241 s for this on the project machine. Run: npx tsx benchmarks/dci.ts  → benchmarks/results/dci.json
 *
 * Reports wall time and this process's CPU time, in total and per factor (the machine is shared, so CPU time is
 * the fairer number). Uses the async entry point because it reports progress after each factor.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { dciFromCodesAsync } from '../src/metrics/dci.js';
import { createRng } from '../src/core/rng.js';

const sizes = [3, 6, 40, 32, 32];
const numCodes = 10;

/** Codes like a decent dSprites encoder: 5 noisy, slightly mixed factor codes and 5 near-dead ones. */
function makeSplit(n: number, seed: number) {
  const rng = createRng(seed);
  const factors = new Int32Array(n * sizes.length);
  const codes = new Float64Array(n * numCodes);
  for (let i = 0; i < n; i++) {
    const scaled = sizes.map((s, k) => {
      const v = rng.int(s);
      factors[i * sizes.length + k] = v;
      return v / (s - 1);
    });
    for (let d = 0; d < numCodes; d++) {
      const main = d < sizes.length ? scaled[d] : 0;
      const leak = d < sizes.length ? 0.1 * scaled[(d + 1) % sizes.length] : 0;
      codes[i * numCodes + d] = main + leak + (d < sizes.length ? 0.05 : 0.5) * rng.normal();
    }
  }
  return { codes: { data: codes, shape: [n, numCodes] }, factors: { data: factors, shape: [n, sizes.length] } };
}

async function main(): Promise<void> {
  const train = makeSplit(5000, 1);
  const test = makeSplit(2000, 2);
  const load = loadavg()[0];
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const perFactor: number[] = [];
  const perFactorCpu: number[] = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const result = await dciFromCodesAsync(train, test, {
    onProgress: () => {
      const now = performance.now();
      const cpuNow = process.cpuUsage(lastCpu);
      perFactor.push((now - last) / 1000);
      perFactorCpu.push((cpuNow.user + cpuNow.system) / 1e6);
      last = now;
      lastCpu = process.cpuUsage();
    },
  });
  const cpu = process.cpuUsage(cpu0);
  const wallSeconds = (performance.now() - wall0) / 1000;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const out = {
    benchmark: 'dciFromCodes, gradient boosting (sklearn GradientBoostingClassifier() defaults)',
    shape: { numTrain: 5000, numTest: 2000, numCodes, factorSizes: sizes },
    node: process.version,
    cpu: cpus()[0]?.model,
    loadAverageAtStart: load,
    wallSeconds,
    cpuSeconds,
    perFactorWallSeconds: perFactor,
    perFactorCpuSeconds: perFactorCpu,
    referenceSeconds: 241,
    speedupByCpuTime: 241 / cpuSeconds,
    result: {
      disentanglement: result.disentanglement,
      completeness: result.completeness,
      informativenessTrain: result.informativenessTrain,
      informativenessTest: result.informativenessTest,
    },
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/dci.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out, null, 2));
}

void main();
