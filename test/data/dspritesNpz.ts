/**
 * A shrunk dSprites `.npz` written with the real keys, dtypes and layout, shared by the loader and integrity tests:
 * color 1, shape 3, scale 2, orientation 4, posX 3, posY 2 → 144 images.
 */
import { zipSync } from 'fflate';
import { renderDspritesBatch } from '../../src/data/dspritesRenderer.js';
import { encodeNpyHeader } from '../../src/data/npz.js';

export const SIZES = [1, 3, 2, 4, 3, 2];
export const N = SIZES.reduce((a, b) => a * b, 1);

export function npy(descr: string, shape: number[], data: ArrayBufferView): Uint8Array {
  const head = encodeNpyHeader(descr, shape);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** Maps the shrunk classes onto real dSprites factor indices so that every image differs. */
export function toDsprites(c: number[]): number[] {
  return [c[1], c[2] * 5, c[3] * 9, c[4] * 15, c[5] * 31];
}

export function classesOf(flat: number): number[] {
  const c = new Array<number>(SIZES.length);
  for (let k = SIZES.length - 1; k >= 0; k--) {
    c[k] = flat % SIZES[k];
    flat = Math.floor(flat / SIZES[k]);
  }
  return c;
}

export interface Arrays {
  imgs?: Uint8Array;
  latents_classes?: Uint8Array;
  latents_values?: Uint8Array;
  [extra: string]: Uint8Array | undefined;
}

/** Builds the three arrays; `order[i]` is the flat combination stored in row i (identity = the real layout). */
export function arrays(order: ArrayLike<number> = Array.from({ length: N }, (_, i) => i)): Arrays {
  const imgs = new Uint8Array(N * 4096);
  const classes = new BigInt64Array(N * 6);
  const values = new Float64Array(N * 6);
  for (let i = 0; i < N; i++) {
    const c = classesOf(order[i]);
    imgs.set(renderDspritesBatch({ data: Int32Array.from(toDsprites(c)), shape: [1, 5] }), i * 4096);
    c.forEach((v, k) => {
      classes[i * 6 + k] = BigInt(v);
      values[i * 6 + k] = k === 0 ? 1 : k === 1 ? v + 1 : v / 10 + k;
    });
  }
  return {
    imgs: npy('|u1', [N, 64, 64], imgs),
    latents_classes: npy('<i8', [N, 6], classes),
    latents_values: npy('<f8', [N, 6], values),
  };
}

export function zip(a: Arrays, level: 0 | 6 = 6): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  for (const [k, v] of Object.entries(a)) if (v) files[`${k}.npy`] = [v, { level }];
  return zipSync(files);
}

export const allFactors = (): { data: Int32Array; shape: [number, number] } => {
  const data = new Int32Array(N * 5);
  for (let f = 0; f < N; f++) data.set(classesOf(f).slice(1), f * 5);
  return { data, shape: [N, 5] };
};

export function expectedImages(): Uint8Array {
  const f = allFactors();
  const mapped = new Int32Array(N * 5);
  for (let i = 0; i < N; i++) mapped.set(toDsprites([0, ...f.data.subarray(i * 5, i * 5 + 5)]), i * 5);
  return renderDspritesBatch({ data: mapped, shape: [N, 5] });
}
