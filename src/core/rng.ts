import { DisentangleError } from './errors.js';

/** Seeded, splittable random stream: the only source of randomness in the library. */
export interface Rng {
  /** Uniform on [0, 1) with 53 random bits. */
  float(): number;
  /** Uniform integer on [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Standard normal draw. */
  normal(): number;
  /** An independent child stream; forking does not disturb the parent's later draws beyond one step. */
  fork(): Rng;
  /** Next raw 32-bit unsigned output. */
  uint32(): number;
}

// SplitMix32 (a 32-bit variant of Steele, Lea & Flood's SplitMix) turns one seed into well-mixed state words.
function splitMix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Creates the library's generator: xoshiro128** (Blackman & Vigna 2018), seeded through SplitMix32.
 * Chosen because it is small, fast with 32-bit integer ops in JS, and passes BigCrush. `fork()` seeds a child
 * from four outputs of the parent, so sub-tasks get independent streams that depend only on the seed.
 *
 * @param seed any finite number; the same seed always gives the same stream.
 * @example
 * const rng = createRng(0);
 * const u = rng.float(); const k = rng.int(5); const child = rng.fork();
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new DisentangleError('BAD_OPTION', 'seed', `expected a finite number, got ${String(seed)}`);
  }
  // Fold the whole double (integer and fractional part) into 32 bits so 1 and 1.5 differ.
  const hi = Math.floor(seed / 4294967296) | 0;
  const lo = (seed >>> 0) ^ Math.round((seed - Math.floor(seed)) * 4294967296);
  const st = { s: lo ^ Math.imul(hi, 0x27d4eb2f) };
  return fromWords(splitMix32(st), splitMix32(st), splitMix32(st), splitMix32(st));
}

function fromWords(a0: number, b0: number, c0: number, d0: number): Rng {
  let a = a0 | 0;
  let b = b0 | 0;
  let c = c0 | 0;
  let d = d0 | 0;
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point
  let spareNormal: number | undefined;

  const uint32 = (): number => {
    const t = b << 9;
    let r = Math.imul(b, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return r >>> 0;
  };
  const float = (): number => {
    const hi = uint32() >>> 5; // 27 bits
    const lo = uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  const int = (maxExclusive: number): number => {
    if (!Number.isInteger(maxExclusive) || maxExclusive <= 0) {
      throw new DisentangleError('BAD_OPTION', 'maxExclusive', `expected a positive integer, got ${maxExclusive}`);
    }
    if (maxExclusive <= 4294967296) {
      // Rejection sampling keeps every value exactly equally likely.
      const limit = 4294967296 - (4294967296 % maxExclusive);
      for (;;) {
        const x = uint32();
        if (x < limit) return x % maxExclusive;
      }
    }
    return Math.floor(float() * maxExclusive);
  };
  const normal = (): number => {
    if (spareNormal !== undefined) {
      const v = spareNormal;
      spareNormal = undefined;
      return v;
    }
    // Marsaglia's polar method: exact, no trig, two normals per accepted pair.
    for (;;) {
      const u = 2 * float() - 1;
      const v = 2 * float() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        spareNormal = v * m;
        return u * m;
      }
    }
  };
  const fork = (): Rng => {
    const st = { s: uint32() ^ 0x5bd1e995 };
    const w = [uint32(), uint32(), uint32(), uint32()];
    return fromWords(w[0] ^ splitMix32(st), w[1] ^ splitMix32(st), w[2] ^ splitMix32(st), w[3] ^ splitMix32(st));
  };
  return { float, int, normal, fork, uint32 };
}

/** Fisher–Yates shuffle of `0..n-1`, drawn from `rng`. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** `k` distinct indices from `0..n-1` (partial Fisher–Yates), in draw order. */
export function sampleWithoutReplacement(n: number, k: number, rng: Rng): Int32Array {
  if (k > n) throw new DisentangleError('BAD_OPTION', 'k', `cannot draw ${k} distinct items from ${n}`);
  const pool = new Map<number, number>();
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const vj = pool.get(j) ?? j;
    const vi = pool.get(i) ?? i;
    out[i] = vj;
    pool.set(j, vi);
  }
  return out;
}
