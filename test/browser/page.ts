/** Browser entry: runs {@link scoringRun} on the tfjs WebGL backend and leaves the result on `window`. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { scoringRun } from './scoringRun.js';

const w = window as unknown as { __result?: unknown };
(async () => {
  if (!(await tf.setBackend('webgl'))) throw new Error('WebGL backend did not start');
  await tf.ready();
  w.__result = await scoringRun();
})().catch((e: unknown) => {
  w.__result = { error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
});
