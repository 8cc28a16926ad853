// Test worker for core/threads: answers { n } with { n, doubled }, throws on { fail: true }, and on
// { barrier } meets the others at the shared barrier (or reports that it was aborted).
import { parentPort } from 'node:worker_threads';
import { arriveAndWait, BarrierAborted } from '../../../src/core/threads.js';

type Task = { n: number } | { fail: true } | { barrier: SharedArrayBuffer; parties: number };

parentPort?.on('message', (task: Task) => {
  if ('fail' in task) throw new Error('asked to fail');
  if ('barrier' in task) {
    try {
      arriveAndWait(new Int32Array(task.barrier), task.parties);
      parentPort?.postMessage('passed');
    } catch (e) {
      parentPort?.postMessage(e instanceof BarrierAborted ? 'aborted' : 'error');
    }
    return;
  }
  parentPort?.postMessage({ n: task.n, doubled: 2 * task.n });
});
