/**
 * Child process for the kill -9 test: overwrites one model directory forever, alternating two models (seeds given
 * on the command line), and prints "ready" once the first overwrite is under way. Run with `node --import tsx`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildFactorVae } from '../../../src/models/factorVae.js';
import { KILL_TEST_CONFIG } from './killConfig.js';

const [dir, seedA, seedB] = process.argv.slice(2);
await tf.setBackend('cpu');
const models = [buildFactorVae({ ...KILL_TEST_CONFIG, seed: Number(seedA) }), buildFactorVae({ ...KILL_TEST_CONFIG, seed: Number(seedB) })];
let i = 1;
process.stdout.write('ready\n');
for (;;) {
  await models[i % 2].save(dir);
  i++;
}
