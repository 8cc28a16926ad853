/**
 * Eigenvalues (only) of a real symmetric matrix: Householder reduction to tridiagonal form followed by the
 * implicit QL iteration, the EISPACK `tred2`/`tql2` pair as JAMA and ml-matrix write it, with every step that
 * only builds eigenvectors left out. ml-matrix always accumulates the eigenvectors, through a method call per
 * element: that made a 1,000×1,000 covariance take about 15 s, against a fraction of a second here. The
 * arithmetic that produces the eigenvalues is the same, in the same order, so the values are the same.
 */
import type { Steps } from '../core/batching.js';

/**
 * Yields once per Householder step (each O(i²)); returns the eigenvalues in ascending order. `a` is n×n,
 * row-major and symmetric, and is overwritten (it is the reduction's workspace).
 */
export function* symmetricEigenvaluesInPlace(a: Float64Array, n: number): Steps<Float64Array> {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return d;
  // ml-matrix's tred2 keeps V transposed (V.get(r, c) is element c*n + r of the logical matrix); for a symmetric
  // input that storage is the matrix itself, so `a[r * n + c]` below is ml-matrix's `V.get(r, c)`.
  for (let j = 0; j < n; j++) d[j] = a[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    householderStep(a, n, d, e, i);
    yield;
  }
  // tred2's accumulation pass moves the tridiagonal's diagonal out of the workspace's diagonal; nothing else it
  // does reaches the eigenvalues.
  for (let j = 0; j < n; j++) d[j] = a[j * n + j];
  e[0] = 0;
  tql2Eigenvalues(n, d, e);
  return d.sort();
}

/** Householder step i of tred2 (plain function: V8 optimises its loops better outside a generator). */
function householderStep(a: Float64Array, n: number, d: Float64Array, e: Float64Array, i: number): void {
  let scale = 0;
  let h = 0;
  for (let k = 0; k < i; k++) scale = scale + Math.abs(d[k]);
  if (scale === 0) {
    e[i] = d[i - 1];
    for (let j = 0; j < i; j++) {
      d[j] = a[j * n + i - 1];
      a[j * n + i] = 0;
      a[i * n + j] = 0;
    }
  } else {
    for (let k = 0; k < i; k++) {
      d[k] /= scale;
      h += d[k] * d[k];
    }
    let f = d[i - 1];
    let g = Math.sqrt(h);
    if (f > 0) g = -g;
    e[i] = scale * g;
    h = h - f * g;
    d[i - 1] = f - g;
    for (let j = 0; j < i; j++) e[j] = 0;
    for (let j = 0; j < i; j++) {
      f = d[j];
      a[i * n + j] = f;
      g = e[j] + a[j * n + j] * f;
      const row = j * n;
      for (let k = j + 1; k <= i - 1; k++) {
        g += a[row + k] * d[k];
        e[k] += a[row + k] * f;
      }
      e[j] = g;
    }
    f = 0;
    for (let j = 0; j < i; j++) {
      e[j] /= h;
      f += e[j] * d[j];
    }
    const hh = f / (h + h);
    for (let j = 0; j < i; j++) e[j] -= hh * d[j];
    for (let j = 0; j < i; j++) {
      f = d[j];
      g = e[j];
      const row = j * n;
      for (let k = j; k <= i - 1; k++) a[row + k] = a[row + k] - (f * e[k] + g * d[k]);
      d[j] = a[row + i - 1];
      a[row + i] = 0;
    }
  }
  d[i] = h;
}

function hypotenuse(a: number, b: number): number {
  if (Math.abs(a) > Math.abs(b)) {
    const r = b / a;
    return Math.abs(a) * Math.sqrt(1 + r * r);
  }
  if (b !== 0) {
    const r = a / b;
    return Math.abs(b) * Math.sqrt(1 + r * r);
  }
  return 0;
}

/** tql2 on the diagonal `d` and sub-diagonal `e` (e[0] unused), without the eigenvector rotations. */
function tql2Eigenvalues(n: number, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      do {
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypotenuse(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f = f + h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypotenuse(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] = d[l] + f;
    e[l] = 0;
  }
}
