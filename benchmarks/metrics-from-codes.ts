/**
 * Metrics-from-codes benchmark (issue 4). Run: `npx tsx benchmarks/metrics-from-codes.ts [--quick]`.
 * Writes benchmarks/results/metrics-from-codes.json.
 *
 * A generated dSprites-like matrix: 5,000 train and 2,000 test rows, factor sizes [3, 6, 40, 32, 32], 10 codes
 * (5 noisy monotone functions of one factor each, with a little leakage, and 5 nuisance dims), seeded. Every
 * matrix entry found in src/metrics/index.ts is timed (median of a few runs) against disentanglement_lib's time
 * for the same shape on the project's machine (numpy, scikit-learn 1.2), plus dHSIC on n = 5,000, D = 10.
 * Metrics owned by other modules (DCI, SAP, explicitness) are imported dynamically, so the script runs whichever
 * of them exist.
 *
 * The newer metrics (MIG-sup, DCIMIG, JEMMIG, MCC, Z-max, InfoMEC, DCI-ES, the KSG estimator, flatness) are
 * compared with their own references run on the same arrays: `--reference` writes them as `.npy` and runs
 * `scripts/bench/ref_*.py` (the reference trees must be exported first, see those scripts); without it the
 * reference times of the previous run are kept from the results file.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createRng } from '../src/core/rng.js';
import type { LabelledCodes } from '../src/core/types.js';
import { availableThreads } from '../src/core/threads.js';
import { fitGradientBoostingAsync } from '../src/estimators/trees/gradientBoostingAsync.js';
import { mutualInfoKsg } from '../src/estimators/information/ksg.js';
import { FACTOR_SIZES, NUM_CODES } from './lib/dsprites-like-codes.js';
import { writeFileAtomic } from '../src/core/files.js';
import { median } from './lib/median.js';
import { npyFolder, runReference, type ReferenceTime } from './lib/references.js';
import { flatnessInput, flatnessTraversals, ksgInput } from './lib/newerMetricInputs.js';

const quick = process.argv.includes('--quick');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : undefined;
const withReference = process.argv.includes('--reference');
const RESULTS = new URL('./results/metrics-from-codes.json', import.meta.url);
/** disentanglement_lib on this shape, seconds (issue 4). */
const DL_SECONDS: Record<string, number> = {
  dci: 241,
  sapDiscrete: 1.5,
  explicitness: 1.4,
  mig: 0.13,
  modularity: 0.1,
  unsupervised: 0.2,
  irs: 0.03,
};

function generate(n: number, seed: number): { codes: { data: Float64Array; shape: [number, number] }; factors: { data: Int32Array; shape: [number, number] } } {
  const rng = createRng(seed);
  const K = FACTOR_SIZES.length;
  const factors = new Int32Array(n * K);
  const codes = new Float64Array(n * NUM_CODES);
  for (let i = 0; i < n; i++) {
    const u: number[] = [];
    for (let k = 0; k < K; k++) {
      factors[i * K + k] = rng.int(FACTOR_SIZES[k]);
      u.push(FACTOR_SIZES[k] > 1 ? factors[i * K + k] / (FACTOR_SIZES[k] - 1) : 0);
    }
    for (let d = 0; d < NUM_CODES; d++) {
      let v: number;
      if (d < K) {
        // a monotone, saturating function of its factor, a 5% leak from the next factor, Gaussian noise
        v = Math.tanh(2.5 * (u[d] - 0.5)) + 0.05 * u[(d + 1) % K] + 0.08 * rng.normal();
      } else {
        // nuisance: mostly noise, a weak trace of one factor
        v = rng.normal() + 0.1 * u[d - K];
      }
      codes[i * NUM_CODES + d] = v;
    }
  }
  return { codes: { data: codes, shape: [n, NUM_CODES] }, factors: { data: factors, shape: [n, K] } };
}

type Run = () => unknown;

/**
 * Wall-clock and process CPU seconds (user + system) per run: on a shared machine the CPU time is the steadier.
 * A first run warms the JIT; when it takes more than 5 s it is the measurement (compilation is then noise),
 * otherwise the median of `maxRepeats` further runs is reported.
 */
async function time(run: Run, maxRepeats: number): Promise<{ seconds: number; allSeconds: number[]; cpuSeconds: number; value: unknown }> {
  const once = async (): Promise<{ wall: number; cpu: number; value: unknown }> => {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const value = await run();
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    return { wall, cpu: (c.user + c.system) / 1e6, value };
  };
  const warm = await once();
  if (warm.wall > 5 || maxRepeats <= 1) return { seconds: warm.wall, allSeconds: [warm.wall], cpuSeconds: warm.cpu, value: warm.value };
  const all: number[] = [];
  const cpu: number[] = [];
  let value: unknown = warm.value;
  for (let r = 0; r < maxRepeats; r++) {
    const t = await once();
    all.push(t.wall);
    cpu.push(t.cpu);
    value = t.value;
  }
  return { seconds: median(all), allSeconds: all, cpuSeconds: median(cpu), value };
}

/**
 * Starts the boosting threads once, untimed: from the TypeScript sources (tsx) each costs about half a second to
 * start, from the built package tens of milliseconds; either way a process pays it once, not per fit.
 */
async function warmWorkerPool(threads: number): Promise<void> {
  const rng = createRng(0);
  const n = 200;
  const x = Float64Array.from({ length: n * 2 }, () => rng.normal());
  const y = Int32Array.from({ length: n }, () => rng.int(3));
  await fitGradientBoostingAsync({ data: x, rows: n, cols: 2 }, y, { numEstimators: 2, workers: threads });
}

function summary(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (typeof v === 'number') out[k] = v;
  return out;
}

const ksg = ksgInput(10000, 4);

/** Runs every reference script on the benchmark's arrays (written as .npy), keyed like the rows they time. */
async function measureReferences(train: LabelledCodes, test: LabelledCodes): Promise<Record<string, ReferenceTime>> {
  const npy = npyFolder();
  try {
    const asArrays = (split: LabelledCodes) => split as unknown as { codes: { data: Float64Array; shape: number[] }; factors: { data: Int32Array; shape: number[] } };
    const [tr, te] = [asArrays(train), asArrays(test)];
    const files = [npy.write('codes', tr.codes.data, tr.codes.shape), npy.write('factors', tr.factors.data, tr.factors.shape)];
    const testFiles = [npy.write('test_codes', te.codes.data, te.codes.shape), npy.write('test_factors', te.factors.data, te.factors.shape)];
    const byId: Record<string, string> = { 'mig-sup': 'migSup', dcimig: 'dcimig', jemmig: 'jemmig', mcc: 'mcc', 'z-max': 'zMax', infomec: 'infomec' };
    const out: Record<string, ReferenceTime> = {};
    const keep = (key: string, script: string, r: ReferenceTime | undefined): void => {
      if (r) out[key] = { ...r, script, measuredAt: new Date().toISOString() };
    };
    for (const script of ['scripts/bench/ref_codes_metrics.py', 'scripts/bench/ref_z_max.py', 'scripts/bench/ref_infomec.py']) {
      for (const r of runReference(script, files)) keep(byId[r.id] ?? r.id, script, r);
    }
    keep('dciEs', 'scripts/bench/ref_dci_es.py --trees 20', runReference('scripts/bench/ref_dci_es.py', [...files, ...testFiles, '--trees', '20'])[0]);
    keep('dciEs100', 'scripts/bench/ref_dci_es.py --trees 100', runReference('scripts/bench/ref_dci_es.py', [...files, ...testFiles, '--trees', '100'])[0]);
    keep('ksg', 'scripts/bench/ref_ksg.py --k 10', runReference('scripts/bench/ref_ksg.py', [npy.write('ksg_x', ksg.x, [ksg.x.length, 1]), npy.write('ksg_y', ksg.y, [ksg.y.length, 1]), '--k', '10'])[0]);
    const t = await flatnessTraversals();
    keep('flatness', 'scripts/bench/ref_flatness.py', runReference('scripts/bench/ref_flatness.py', [npy.write('flat_codes', t.codes, [t.rows, t.dims]), npy.write('flat_factors', t.factors, [t.rows, t.factorCount])])[0]);
    for (const [k, r] of Object.entries(out)) console.log(`reference ${k}: ${r.seconds.toFixed(4)} s (${r.script})`);
    return out;
  } finally {
    npy.dispose();
  }
}

async function main(): Promise<void> {
  const train = generate(5000, 1) as LabelledCodes;
  const test = generate(2000, 2) as LabelledCodes;
  const metrics = (await import('../src/metrics/index.js')) as Record<string, unknown>;
  const fn = (name: string) => (typeof metrics[name] === 'function' ? (metrics[name] as (...a: unknown[]) => unknown) : undefined);
  const repeats = quick ? 1 : 9;
  const plan: [string, string, Run | undefined][] = [
    ['mig', 'migFromCodes', fn('migFromCodes') && (() => fn('migFromCodes')!(train))],
    ['modularity', 'modularityFromCodes', fn('modularityFromCodes') && (() => fn('modularityFromCodes')!(train))],
    ['aam', 'aamFromCodes', fn('aamFromCodes') && (() => fn('aamFromCodes')!(train))],
    ['irs', 'irsFromCodes', fn('irsFromCodes') && (() => fn('irsFromCodes')!(train))],
    ['unsupervised', 'unsupervisedFromCodes', fn('unsupervisedFromCodes') && (() => fn('unsupervisedFromCodes')!(train.codes))],
    ['sapDiscrete', 'sapFromCodes', fn('sapFromCodes') && (() => fn('sapFromCodes')!(train, test, { continuousFactors: false }))],
    ['explicitness', 'explicitnessFromCodes', fn('explicitnessFromCodes') && (() => fn('explicitnessFromCodes')!(train, test))],
    ['dci', 'dciFromCodes', fn('dciFromCodes') && (() => fn('dciFromCodes')!(train, test))],
    // The same DCI through the async entry point: gradient boosting on every available core (workers: 'auto').
    ['dciThreads', 'dciFromCodesAsync', fn('dciFromCodesAsync') && (() => fn('dciFromCodesAsync')!(train, test))],
    ['migSup', 'migSupFromCodes', fn('migSupFromCodes') && (() => fn('migSupFromCodes')!(train))],
    ['dcimig', 'dcimigFromCodes', fn('dcimigFromCodes') && (() => fn('dcimigFromCodes')!(train))],
    ['jemmig', 'jemmigFromCodes', fn('jemmigFromCodes') && (() => fn('jemmigFromCodes')!(train))],
    ['mcc', 'mccFromCodes', fn('mccFromCodes') && (() => fn('mccFromCodes')!(train))],
    ['zMax', 'zMaxFromCodes', fn('zMaxFromCodes') && (() => fn('zMaxFromCodes')!(train))],
    ['infomec', 'infomecFromCodes', fn('infomecFromCodes') && (() => fn('infomecFromCodes')!(train))],
    // Our default is 20 trees per probe, the reference's configuration 100: each is timed against the reference
    // run with the same number of trees.
    ['dciEs', 'dciEsFromCodes', fn('dciEsFromCodes') && (() => fn('dciEsFromCodes')!(train, test))],
    ['dciEs100', 'dciEsFromCodes(train, test, { numTrees: 100 })', fn('dciEsFromCodes') && (() => fn('dciEsFromCodes')!(train, test, { numTrees: 100 }))],
    ['ksg', 'mutualInfoKsg(x, y, { k: 10 }), n = 10,000', () => mutualInfoKsg(ksg.x, ksg.y, { k: 10 })],
    ['flatness', 'computeFlatness, repeats 128, codes given', () => flatnessInput().run()],
  ];
  const threads = await availableThreads();
  const stored = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as { results?: Record<string, unknown>; references?: Record<string, ReferenceTime> }) : {};
  const previous = only ? stored.results : undefined;
  const references: Record<string, ReferenceTime> = withReference ? await measureReferences(train, test) : { ...stored.references };
  const results: Record<string, unknown> = { ...previous };
  const loadBefore = loadavg()[0];
  for (const [key, entry, run] of plan) {
    if (only && !only.has(key)) continue;
    if (!run) {
      results[key] = { entry, status: 'not in src/metrics/index.ts yet', dlSeconds: DL_SECONDS[key] ?? null };
      console.log(`${key}: skipped (not exported yet)`);
      continue;
    }
    if (key === 'dciThreads') await warmWorkerPool(threads);
    const t = await time(run, key.startsWith('dci') ? Math.min(repeats, 3) : repeats);
    const dl = key === 'dci' || key === 'dciThreads' ? DL_SECONDS.dci : (DL_SECONDS[key] ?? references[key]?.seconds);
    results[key] = {
      entry,
      seconds: t.seconds,
      allSeconds: t.allSeconds,
      cpuSeconds: t.cpuSeconds,
      dlSeconds: dl ?? null,
      speedupVsDl: dl ? dl / t.seconds : null,
      speedupVsDlByCpu: dl ? dl / t.cpuSeconds : null,
      timedAt: new Date().toISOString(),
      ...(key === 'dciThreads' ? { threads } : {}),
      result: summary(t.value),
    };
    console.log(`${key}: ${t.seconds.toFixed(4)} s wall, ${t.cpuSeconds.toFixed(4)} s CPU${dl ? ` (reference ${dl.toFixed(4)} s: ${(dl / t.seconds).toFixed(1)}× by wall clock)` : ''}`);
  }
  if (!only || only.has('dhsic')) {
    const dhsicCodes = generate(5000, 3).codes;
    const dh = await time(() => fn('dhsicFromCodes')!(dhsicCodes), quick ? 1 : 3);
    results.dhsic = {
      entry: 'dhsicFromCodes',
      n: 5000,
      D: NUM_CODES,
      seconds: dh.seconds,
      allSeconds: dh.allSeconds,
      cpuSeconds: dh.cpuSeconds,
      targetSeconds: 3,
      timedAt: new Date().toISOString(),
      result: summary(dh.value),
    };
    console.log(`dhsic (n = 5000, D = 10): ${dh.seconds.toFixed(3)} s wall, ${dh.cpuSeconds.toFixed(3)} s CPU (target ≤ 3 s)`);
  }
  if (!only || only.has('dhsicGaussian')) {
    const dhsicCodes = generate(5000, 3).codes;
    const dg = await time(() => fn('dhsicFromCodes')!(dhsicCodes, { kernel: 'gaussian' }), quick ? 1 : 3);
    results.dhsicGaussian = {
      entry: "dhsicFromCodes(codes, { kernel: 'gaussian' })",
      n: 5000,
      D: NUM_CODES,
      seconds: dg.seconds,
      allSeconds: dg.allSeconds,
      cpuSeconds: dg.cpuSeconds,
      timedAt: new Date().toISOString(),
      result: summary(dg.value),
    };
    console.log(`dhsic gaussian (n = 5000, D = 10): ${dg.seconds.toFixed(3)} s wall, ${dg.cpuSeconds.toFixed(3)} s CPU`);
  }
  for (const entry of Object.values(results) as { dlSeconds?: number | null; cpuSeconds?: number; speedupVsDlByCpu?: number | null }[]) {
    if (entry.dlSeconds && entry.cpuSeconds) entry.speedupVsDlByCpu = entry.dlSeconds / entry.cpuSeconds;
  }
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadAverage1mBefore: loadBefore, loadAverage1mAfter: loadavg()[0] },
    quick,
    shape: { numTrain: 5000, numTest: 2000, numCodes: NUM_CODES, factorSizes: FACTOR_SIZES },
    references,
    note: 'dlSeconds: disentanglement_lib, or for the newer metrics their own reference (see references: the script and what it printed, run on the same arrays with --reference). seconds = median wall clock over the runs in allSeconds after one untimed warm-up run (a single run for metrics slower than 5 s), cpuSeconds = median process CPU time, all threads together (everything is single-threaded except dciThreads, DCI through dciFromCodesAsync with gradient boosting on `threads` worker threads); the 2-core machine is shared by several engineers, see loadAverage, so wall clock overstates our cost). dlSeconds: disentanglement_lib on the same shape (issue 4), speedupVsDl = dlSeconds / seconds, speedupVsDlByCpu = dlSeconds / cpuSeconds. With --only, the other entries are kept from an earlier run (see timedAt); machine/load describe the latest run.',
    results,
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  await writeFileAtomic(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log('wrote benchmarks/results/metrics-from-codes.json');
}

await main();
