/**
 * The inputs of the dSprites-variant fixture: sprite masks from the procedural renderer, the random numbers the
 * variants draw for fixed seeds, and two synthetic background pictures. `scripts/fixtures/dsprites_variants.py`
 * (a replica of disentanglement_lib's ColorDSprites / ScreamDSprites formulas, and of Pillow 6's thumbnail) reads
 * them and writes the expected images. Regenerate the inputs with
 *   npx tsx test/data/dspritesVariantsFixture.ts > test/fixtures/dsprites_variants/inputs.json
 * then run the Python script.
 */
import { createRng } from '../../src/core/rng.js';
import { renderDspritesBatch } from '../../src/data/dspritesRenderer.js';
import { drawScreamDraws, drawSpriteColours } from '../../src/data/dspritesVariants.js';
import { screamThumbnailSize } from '../../src/data/screamImage.js';

/** Two sprites per case: a heart near a corner and a rotated square mid-frame. */
export const FIXTURE_FACTORS = Int32Array.of(2, 5, 7, 1, 30, 0, 3, 13, 17, 12);
export const FIXTURE_N = 2;

/**
 * A deterministic h×w×3 picture with smooth ramps and hard edges (the modulo wraps), so bicubic overshoot and
 * clamping both matter. The Python script computes the same formula.
 */
export function syntheticPicture(h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        const checker = (Math.floor(x / 7) + Math.floor(y / 5)) % 2;
        out[(y * w + x) * 3 + c] = (3 * x + 5 * y + 60 * c + 40 * checker + ((x * y) % 11)) % 256;
      }
    }
  }
  return out;
}

/** The pictures: one that already fits 350×274 (kept as is), one that thumbnail shrinks along both axes. */
export const PICTURES = [
  { name: 'small', height: 90, width: 100, seed: 12 },
  { name: 'resized', height: 500, width: 420, seed: 13 },
] as const;

export const COLOUR_SEED = 11;

export interface FixtureInputs {
  factors: number[];
  masks: number[][];
  colours: number[];
  scream: { name: string; height: number; width: number; fitted: [number, number]; rows: number[]; cols: number[]; colours: number[] }[];
}

/** Everything the Python replica needs, recomputed from the seeds (the test compares it with the committed file). */
export function fixtureInputs(): FixtureInputs {
  const mask = renderDspritesBatch({ data: FIXTURE_FACTORS, shape: [FIXTURE_N, 5] });
  const masks: number[][] = [];
  for (let i = 0; i < FIXTURE_N; i++) {
    const on: number[] = [];
    for (let p = 0; p < 4096; p++) if (mask[i * 4096 + p] === 1) on.push(p);
    masks.push(on);
  }
  return {
    factors: Array.from(FIXTURE_FACTORS),
    masks,
    colours: Array.from(drawSpriteColours(FIXTURE_N, createRng(COLOUR_SEED))),
    scream: PICTURES.map((p) => {
      const [fw, fh] = screamThumbnailSize(p.width, p.height);
      const d = drawScreamDraws(FIXTURE_N, createRng(p.seed), fh, fw);
      return { name: p.name, height: p.height, width: p.width, fitted: [fh, fw], rows: Array.from(d.rows), cols: Array.from(d.cols), colours: Array.from(d.colours) };
    }),
  };
}

if (typeof process !== 'undefined' && process.argv[1]?.endsWith('dspritesVariantsFixture.ts')) {
  process.stdout.write(`${JSON.stringify(fixtureInputs())}\n`);
}
