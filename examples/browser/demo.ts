/**
 * A small browser demo: the library on the tfjs WebGL backend. It draws a latent traversal of the dSprites
 * generator (each latent in [−1, 1] mapped to one factor) and scores a tfjs image-moment encoder with several
 * metrics, codes staying on the GPU until reduced. Bundle with esbuild (see scripts/make-browser-demo.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import {
  computeFactorVaeMetric,
  computeMig,
  computeModularity,
  computeSap,
  dsprites,
  imageMomentEncoder,
  latentTraversal,
  type GenerativeModel,
  type TensorLike,
} from '../../src/index.js';

const dataset = dsprites();
const sizes = dataset.factorSizes;

/** The ground-truth generator as a GenerativeModel: latent k in [−1, 1] picks factor k's value. */
const generator: GenerativeModel = {
  latentDims: sizes.length,
  sampleLatents: (n, rng) => ({ data: Float64Array.from({ length: n * sizes.length }, () => 2 * rng.float() - 1), shape: [n, sizes.length] }),
  generate: (latents: TensorLike) => {
    const { data, shape } = latents as { data: Float64Array; shape: [number, number] };
    const f = Int32Array.from(data, (v, i) => Math.min(sizes[i % sizes.length] - 1, Math.max(0, Math.round(((v + 1) / 2) * (sizes[i % sizes.length] - 1)))));
    return dataset.observationsFromFactors({ data: f, shape }, undefined as never);
  },
  represent: imageMomentEncoder(),
};

function row(cells: string[], tag = 'td'): string {
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
}

async function main(): Promise<void> {
  const app = document.getElementById('app') as HTMLElement;
  await tf.setBackend('webgl');
  await tf.ready();
  app.innerHTML = `<h1>disentangle in the browser</h1><p>tfjs backend: <b>${tf.getBackend()}</b></p><div id="status">scoring…</div>`;
  const png = await latentTraversal(generator, { steps: 8, seed: 0, scale: 1 });
  const img = document.createElement('img');
  img.src = URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
  img.alt = 'latent traversal';
  const figure = document.createElement('figure');
  figure.append(img);
  figure.insertAdjacentHTML('beforeend', '<figcaption>Traversal of the dSprites generator: one row per latent (shape, scale, orientation, posX, posY)</figcaption>');
  app.append(figure);

  const represent = imageMomentEncoder();
  const runs: [string, () => Promise<number>][] = [
    ['FactorVAE (eval accuracy)', async () => (await computeFactorVaeMetric({ dataset, represent, seed: 0, numVarianceEstimate: 640, numTrain: 150, numEval: 75 })).evalAccuracy],
    ['MIG', async () => (await computeMig({ dataset, represent, seed: 0, numTrain: 1000 })).score],
    ['SAP', async () => (await computeSap({ dataset, represent, seed: 0, numTrain: 600, numTest: 300 })).score],
    ['Modularity', async () => (await computeModularity({ dataset, represent, seed: 0, numTrain: 1000 })).score],
  ];
  const rows: string[] = [];
  for (const [name, run] of runs) {
    const t0 = performance.now();
    const v = await run();
    rows.push(row([name, v.toFixed(3), `${((performance.now() - t0) / 1000).toFixed(1)} s`]));
  }
  const table = `<table>${row(['metric', 'moment encoder', 'time'], 'th')}${rows.join('')}</table>`;
  (document.getElementById('status') as HTMLElement).innerHTML = `${table}<p>Tensors alive: ${tf.memory().numTensors}</p>`;
  (window as unknown as { __done: boolean }).__done = true;
}

main().catch((e: unknown) => {
  document.body.insertAdjacentHTML('beforeend', `<pre>${String(e instanceof Error ? e.stack : e)}</pre>`);
  (window as unknown as { __done: boolean }).__done = true;
});
