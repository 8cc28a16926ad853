/**
 * Worker threads for estimators that can split one fit over several cores (Node only). Everything here degrades
 * to "no threads" (undefined / 1) where `node:worker_threads` or `SharedArrayBuffer` is missing, and the callers
 * then run the same computation on the calling thread, with the same result.
 */

type WorkerThreads = typeof import('node:worker_threads');
type NodeWorker = import('node:worker_threads').Worker;

async function workerThreads(): Promise<WorkerThreads | undefined> {
  if (typeof SharedArrayBuffer === 'undefined') return undefined;
  try {
    return await import('node:worker_threads');
  } catch {
    return undefined;
  }
}

/** Cores this process may use (`os.availableParallelism()`), 1 where that cannot be known. */
export async function availableThreads(): Promise<number> {
  try {
    const os = await import('node:os');
    return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  } catch {
    return 1;
  }
}

// tsx (a development dependency, which runs the TypeScript sources), resolved from the sources' own location.
async function tsxApi(baseUrl: string): Promise<string> {
  const { createRequire } = await import('node:module');
  const { pathToFileURL } = await import('node:url');
  // Its ESM entry (the CommonJS one cannot be imported from a bootstrap script), as its own exports map names it.
  const requireHere = createRequire(baseUrl);
  const manifest = requireHere.resolve('tsx/package.json');
  const pkg = requireHere(manifest) as { exports: Record<string, { import: { default: string } }> };
  return new URL(pkg.exports['./esm/api'].import.default, pathToFileURL(manifest)).href;
}

// Idle workers per module URL, kept for the next fit: starting one costs tens of milliseconds from the built
// package and about half a second from the sources. Idle workers are unref'd, so they never keep a process alive.
const idle = new Map<string, NodeWorker[]>();

async function spawn(wt: WorkerThreads, url: URL, fromSource: boolean, baseUrl: string): Promise<NodeWorker | undefined> {
  try {
    // Node 20 ignores loader flags in a worker's execArgv, so a source worker is started by a bootstrap that
    // imports it through tsx's API.
    return fromSource
      ? new wt.Worker(`import(${JSON.stringify(await tsxApi(baseUrl))}).then((t) => t.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)}))`, { eval: true })
      : new wt.Worker(url);
  } catch {
    return undefined;
  }
}

/**
 * Runs one task per worker of the module `name` that sits next to `baseUrl` (the caller's `import.meta.url`):
 * the module answers each message it receives with one message. Returns each task's reply (rejected if its worker
 * fails; that worker is then discarded), or undefined where worker threads are not available. From the built
 * package the module is `name.js`; from the TypeScript sources (tests, `tsx` scripts) `name.ts`, run through tsx.
 */
export async function runOnWorkers<T>(baseUrl: string, name: string, tasks: readonly unknown[]): Promise<Promise<T>[] | undefined> {
  const wt = await workerThreads();
  if (!wt || !URL.canParse(baseUrl)) return undefined;
  const fromSource = /\.[cm]?ts$/.test(new URL(baseUrl).pathname);
  const url = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, baseUrl);
  const pool = idle.get(url.href) ?? [];
  idle.set(url.href, pool);
  const workers: NodeWorker[] = [];
  while (workers.length < tasks.length) {
    const w = pool.pop() ?? (await spawn(wt, url, fromSource, baseUrl));
    if (!w) {
      pool.push(...workers);
      return undefined;
    }
    workers.push(w);
  }
  return workers.map(
    (w, t) =>
      new Promise<T>((resolve, reject) => {
        const done = (): void => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        };
        const onMessage = (m: T): void => {
          done();
          w.unref();
          pool.push(w);
          resolve(m);
        };
        const onError = (e: Error): void => {
          done();
          void w.terminate();
          reject(e);
        };
        const onExit = (code: number): void => {
          done();
          reject(new Error(`worker ${name} exited (code ${code}) before replying`));
        };
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        w.ref();
        w.postMessage(tasks[t]);
      }),
  );
}

// Layout of a barrier's Int32Array: arrivals, generation, abort flag.
const ARRIVED = 0;
const GENERATION = 1;
const ABORT = 2;
/** Int32 slots a barrier needs at the start of its control array; callers may use the slots after them. */
export const BARRIER_SLOTS = 3;

/** Raised in a worker whose barrier was aborted (another worker failed, or the caller's signal fired). */
export class BarrierAborted extends Error {}

/**
 * Waits until all `parties` threads have arrived (a reusable generation-counting barrier over shared memory).
 * Waits in slices so that `abortBarrier` from any thread releases everyone.
 */
export function arriveAndWait(control: Int32Array, parties: number): void {
  const generation = Atomics.load(control, GENERATION);
  if (Atomics.add(control, ARRIVED, 1) === parties - 1) {
    Atomics.store(control, ARRIVED, 0);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    return;
  }
  while (Atomics.load(control, GENERATION) === generation) {
    if (barrierAborted(control)) throw new BarrierAborted('aborted');
    Atomics.wait(control, GENERATION, generation, 100);
  }
}

/** Makes every current and future `arriveAndWait` on `control` throw. */
export function abortBarrier(control: Int32Array): void {
  Atomics.store(control, ABORT, 1);
  Atomics.notify(control, GENERATION);
}

/** Whether `abortBarrier` has been called on `control`. */
export function barrierAborted(control: Int32Array): boolean {
  return Atomics.load(control, ABORT) !== 0;
}
