/**
 * Images read from a chunked N×H×W×C uint8 array (an HDF5 dataset) chunk by chunk, with a bounded LRU cache of
 * inflated chunks. A request for some images groups them by the block of rows that one chunk spans and reads
 * every chunk of that block once, whatever the cache size, so one call inflates each chunk it needs at most once;
 * chunks stay cached (least recently used dropped first) until their bytes exceed `cacheBytes`.
 */
import type { Yielder } from '../core/batching.js';
import type { Hdf5Array } from './hdf5.js';

/** Counters of a {@link ChunkedImages} cache. */
export interface ChunkCacheStats {
  /** Chunks read (inflated) from the file so far. */
  readonly chunkReads: number;
  /** Chunk requests served from the cache. */
  readonly cacheHits: number;
  /** Bytes of inflated chunks held now. */
  readonly cachedBytes: number;
  /** The bound on `cachedBytes`. */
  readonly cacheBytes: number;
}

/** Reads whole images out of a chunked array. */
export interface ChunkedImages {
  /** Writes images `rows[i]` (row indices of the array) to `out` as bytes (Uint8Array) or byte / 255 (Float32Array). */
  gather(rows: ArrayLike<number>, out: Uint8Array | Float32Array, yielder?: Yielder): Promise<void>;
  stats(): ChunkCacheStats;
  /** Drops every cached chunk. */
  clear(): void;
}

/**
 * Wraps a 4-D uint8 array [N, H, W, C] (chunked or contiguous: a contiguous array is read in blocks of
 * `contiguousRows` rows) with a chunk cache bounded by `cacheBytes`.
 */
export function chunkedImages(array: Hdf5Array, cacheBytes: number, contiguousRows = 64): ChunkedImages {
  const [n, h, w, c] = array.shape;
  const chunk = array.chunks ? [...array.chunks] : [Math.min(n, contiguousRows), h, w, c];
  const grid = [0, 1, 2, 3].map((k) => Math.ceil(array.shape[k] / chunk[k]));
  const imageSize = h * w * c;
  const cache = new Map<number, Uint8Array>();
  let cachedBytes = 0;
  let chunkReads = 0;
  let cacheHits = 0;

  const readChunk = (g0: number, g1: number, g2: number, g3: number): Uint8Array => {
    const key = ((g0 * grid[1] + g1) * grid[2] + g2) * grid[3] + g3;
    const hit = cache.get(key);
    if (hit) {
      cacheHits++;
      cache.delete(key); // re-insert: Map order is the LRU order
      cache.set(key, hit);
      return hit;
    }
    const start = [g0 * chunk[0], g1 * chunk[1], g2 * chunk[2], g3 * chunk[3]];
    const count = start.map((s, k) => Math.min(chunk[k], array.shape[k] - s));
    const raw = array.read(start, count);
    const data = raw instanceof Uint8Array ? raw : Uint8Array.from(raw);
    chunkReads++;
    if (data.byteLength <= cacheBytes) {
      cache.set(key, data);
      cachedBytes += data.byteLength;
      for (const [k, v] of cache) {
        if (cachedBytes <= cacheBytes) break;
        cache.delete(k);
        cachedBytes -= v.byteLength;
      }
    }
    return data;
  };

  return {
    async gather(rows, out, yielder) {
      const byBlock = new Map<number, number[]>();
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        const b = Math.floor(r / chunk[0]);
        const list = byBlock.get(b);
        if (list) list.push(i);
        else byBlock.set(b, [i]);
      }
      const scale = out instanceof Float32Array ? 1 / 255 : 1;
      for (const b of [...byBlock.keys()].sort((x, y) => x - y)) {
        const wanted = byBlock.get(b) as number[];
        const r0 = b * chunk[0];
        for (let g1 = 0; g1 < grid[1]; g1++) {
          for (let g2 = 0; g2 < grid[2]; g2++) {
            for (let g3 = 0; g3 < grid[3]; g3++) {
              const data = readChunk(b, g1, g2, g3);
              const y0 = g1 * chunk[1];
              const x0 = g2 * chunk[2];
              const c0 = g3 * chunk[3];
              const ch = Math.min(chunk[1], h - y0);
              const cw = Math.min(chunk[2], w - x0);
              const cc = Math.min(chunk[3], c - c0);
              for (const i of wanted) {
                const src0 = (rows[i] - r0) * ch * cw * cc;
                const dst0 = i * imageSize;
                for (let y = 0; y < ch; y++) {
                  for (let x = 0; x < cw; x++) {
                    const s = src0 + (y * cw + x) * cc;
                    const d = dst0 + ((y0 + y) * w + x0 + x) * c + c0;
                    for (let k = 0; k < cc; k++) out[d + k] = data[s + k] * scale;
                  }
                }
              }
              if (yielder) await yielder.maybeYield();
            }
          }
        }
      }
    },
    stats: () => ({ chunkReads, cacheHits, cachedBytes, cacheBytes }),
    clear() {
      cache.clear();
      cachedBytes = 0;
    },
  };
}
