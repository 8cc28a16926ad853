/**
 * DCI speed on disentanglement_lib's benchmark shape: 5,000 train and 2,000 test rows, 10 codes, factor sizes
 * [3, 6, 40, 32, 32] (dSprites), gradient boosting (the default). disentanglement_lib + scikit-learn 1.2 take
 * 241 s for this on the project machine. Run: npx tsx benchmarks/dci.ts  → benchmarks/results/dci.json
 *
 * Reports wall time and this process's CPU time, in total and per factor (the machine is shared, so CPU time is
 * the fairer number). Uses the async entry point because it reports progress after each factor.
 */
import { mkdirSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { dciFromCodesAsync } from '../src/metrics/dci.js';
import { dspritesLikeSplit, FACTOR_SIZES, NUM_CODES } from './lib/dsprites-like-codes.js';
import { writeFileAtomic } from '../src/core/files.js';


async function main(): Promise<void> {
  const train = dspritesLikeSplit(5000, 1);
  const test = dspritesLikeSplit(2000, 2);
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
    shape: { numTrain: 5000, numTest: 2000, numCodes: NUM_CODES, factorSizes: FACTOR_SIZES },
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
  await writeFileAtomic(new URL('./results/dci.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out, null, 2));
}

void main();
