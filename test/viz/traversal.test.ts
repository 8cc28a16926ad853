import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { decode } from 'fast-png';
import type { GenerativeModel, TensorLike } from '../../src/core/types.js';
import { latentTraversal, latentTraversalGif } from '../../src/viz/traversal.js';
import { buildFactorVae } from '../../src/models/factorVae.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A plain-JS model: 3 latents U(−1, 1); image 4×6 whose column block j is lit with brightness (z_j + 1)/2. */
const blocks: GenerativeModel<TensorLike> = {
  latentDims: 3,
  codeDims: 2,
  sampleLatents: (n, rng) => ({ data: Float32Array.from({ length: 3 * n }, () => 2 * rng.float() - 1), shape: [n, 3] }),
  generate: (latents) => {
    const l = latents as { data: Float32Array; shape: number[] };
    const n = l.shape[0];
    const data = new Float32Array(n * 4 * 6);
    for (let i = 0; i < n; i++) for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) data[i * 24 + y * 6 + x] = (l.data[i * 3 + Math.floor(x / 2)] + 1) / 2;
    return { data, shape: [n, 4, 6, 1] };
  },
  represent: () => [[0]],
};

describe('latentTraversal (PNG)', () => {
  it('decodes to rows × steps cells with padding, and sweeps only the row’s latent', async () => {
    const png = await latentTraversal(blocks, { steps: 5, cellPadding: 1 });
    const img = decode(png);
    // codeDims 2 rows of 4-px cells, 5 columns of 6-px cells, 1-px gaps around every cell
    expect(img.width).toBe(5 * 6 + 6);
    expect(img.height).toBe(2 * 4 + 3);
    expect(img.channels).toBe(1);
    const px = (x: number, y: number) => img.data[y * img.width + x];
    // row 0 sweeps z0 over [−1, 1] (the prior stays inside it): column block 0 goes 0 → 64 → 128 → 191 → 255
    const lit = [0, 1, 2, 3, 4].map((s) => px(1 + s * 7, 1));
    expect(lit).toEqual([0, 64, 128, 191, 255]);
    // z1 (column block 1) stays at the base draw along row 0
    const held = [0, 1, 2, 3, 4].map((s) => px(1 + s * 7 + 2, 1));
    expect(new Set(held).size).toBe(1);
    // row 1 sweeps z1
    expect([0, 4].map((s) => px(1 + s * 7 + 2, 6))).toEqual([0, 255]);
    // gaps are white
    expect(px(0, 0)).toBe(255);
  });

  it('a Gaussian prior defaults to [−2, 2]; scale upsamples; bad rows are rejected', async () => {
    const vae = buildFactorVae({ imageSize: 16, encoderConv: [2, 2, 2, 2], decoderDeconv: [2, 2, 2], decoderReshapeChannels: 2, decoderHidden: 4, encoderHidden: 4, discriminatorHidden: 2, latentDims: 3 });
    const before = tf.memory().numTensors;
    const img = decode(await latentTraversal(vae.asGenerativeModel(), { rows: [0, 2], steps: 3, cellPadding: 0, scale: 2 }));
    expect(tf.memory().numTensors).toBe(before);
    expect([img.width, img.height]).toEqual([3 * 32, 2 * 32]);
    await expect(latentTraversal(blocks, { rows: [3] })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'rows' });
    await expect(latentTraversal(blocks, { range: [1, -1] })).rejects.toMatchObject({ argument: 'range' });
    vae.dispose();
  });
});

describe('latentTraversalGif', () => {
  it('is a GIF89a whose logical screen is one strip of the swept latents', async () => {
    const gif = await latentTraversalGif(blocks, { steps: 4, cellPadding: 2, scale: 3 });
    expect(String.fromCharCode(...gif.slice(0, 6))).toBe('GIF89a');
    const width = gif[6] | (gif[7] << 8);
    const height = gif[8] | (gif[9] << 8);
    // 2 swept latents side by side, 18×12-px cells, 2-px gaps
    expect(width).toBe(2 * 18 + 3 * 2);
    expect(height).toBe(12 + 2 * 2);
    expect(gif[gif.length - 1]).toBe(0x3b); // trailer
    // forth and back: steps + steps − 2 = 6 frames, each with an image descriptor (0x2c after a graphic control block)
    let frames = 0;
    for (let i = 0; i + 1 < gif.length; i++) if (gif[i] === 0x00 && gif[i + 1] === 0x2c) frames++;
    expect(frames).toBeGreaterThanOrEqual(6);
  });
});

describe('traversal size bounds', () => {
  it('refuses steps, rows × steps, scale and padding that would exhaust memory, before generating', async () => {
    let generated = 0;
    const counting: GenerativeModel<TensorLike> = { ...blocks, generate: (z) => (generated++, blocks.generate(z)) };
    await expect(latentTraversal(counting, { steps: 1000 })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'steps' });
    await expect(latentTraversalGif(counting, { steps: 1 })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'steps' });
    const wide: GenerativeModel<TensorLike> = { ...counting, latentDims: 100, codeDims: 100, sampleLatents: (n) => ({ data: new Float32Array(100 * n), shape: [n, 100] }) };
    await expect(latentTraversal(wide, { steps: 64 })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/100 rows × 64 steps = 6400 images/) });
    await expect(latentTraversal(counting, { scale: 100 })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'scale' });
    await expect(latentTraversalGif(counting, { cellPadding: 1e6 })).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'cellPadding' });
    expect(generated).toBe(0);
  });
});

describe('traversal options', () => {
  it('refuses a misspelt option name, naming the closest valid one', async () => {
    await expect(latentTraversal(blocks, { step: 4 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'step', message: expect.stringMatching(/did you mean steps\?/) });
    await expect(latentTraversalGif(blocks, { frameDelai: 4 } as never)).rejects.toMatchObject({ code: 'BAD_OPTION', argument: 'frameDelai', message: expect.stringMatching(/did you mean frameDelay\?/) });
  });
});
