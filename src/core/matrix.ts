/** Row-major dense block of float64 values: the internal currency of every numeric routine. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Row-major block of integer class indices (factors), one column per factor. */
export interface IntMatrix {
  readonly data: Int32Array;
  readonly rows: number;
  readonly cols: number;
}

export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  return { data: data ?? new Float64Array(rows * cols), rows, cols };
}

export function intMatrix(rows: number, cols: number, data?: Int32Array): IntMatrix {
  return { data: data ?? new Int32Array(rows * cols), rows, cols };
}

/** Copies column `j` out of a row-major block. */
export function column(m: Matrix, j: number): Float64Array;
export function column(m: IntMatrix, j: number): Int32Array;
export function column(m: Matrix | IntMatrix, j: number): Float64Array | Int32Array {
  const out = m.data instanceof Int32Array ? new Int32Array(m.rows) : new Float64Array(m.rows);
  for (let i = 0, p = j; i < m.rows; i++, p += m.cols) out[i] = m.data[p];
  return out;
}

/** The listed columns (in the order given) of the listed rows (default all), as a new block. */
export function selectColumns(m: Matrix, cols: ArrayLike<number>, rows?: ArrayLike<number>): Matrix {
  const n = rows ? rows.length : m.rows;
  const w = cols.length;
  const data = new Float64Array(n * w);
  for (let r = 0; r < n; r++) {
    const src = (rows ? rows[r] : r) * m.cols;
    for (let t = 0; t < w; t++) data[r * w + t] = m.data[src + cols[t]];
  }
  return { data, rows: n, cols: w };
}

/** The principal submatrix over `idx` (rows and columns alike), as of a covariance matrix. */
export function subMatrix(m: Matrix, idx: ArrayLike<number>): Matrix {
  return selectColumns(m, idx, idx);
}

/** Indices of the columns whose values are not all equal to their first row (every column of a 0- or 1-row block is constant). */
export function varyingColumns(m: Matrix | IntMatrix): number[] {
  const out: number[] = [];
  for (let j = 0; j < m.cols; j++) {
    for (let r = 1; r < m.rows; r++) {
      if (m.data[r * m.cols + j] !== m.data[j]) {
        out.push(j);
        break;
      }
    }
  }
  return out;
}

/** Indices of the columns that hold a single value (the complement of {@link varyingColumns}). */
export function constantColumns(m: Matrix | IntMatrix): number[] {
  const varying = new Set(varyingColumns(m));
  const out: number[] = [];
  for (let j = 0; j < m.cols; j++) if (!varying.has(j)) out.push(j);
  return out;
}

/**
 * The flat index of a factor tuple in C-order over `factorSizes` (the last factor varies fastest, as numpy's
 * `ravel_multi_index` and the row order of the dSprites file): Σ f_k · Π_{l>k} size_l, read from `data` at
 * `offset`. Exact while the product of the sizes is a safe integer.
 *
 * @example
 * flatIndex([3, 4], Int32Array.of(2, 1), 0); // 9
 */
export function flatIndex(factorSizes: readonly number[], data: ArrayLike<number>, offset = 0): number {
  let key = 0;
  for (let k = 0; k < factorSizes.length; k++) key = key * factorSizes[k] + data[offset + k];
  return key;
}

/**
 * The inverse of {@link flatIndex}: writes the factor tuple of flat index `index` into `out` at `offset` and
 * returns `out`.
 *
 * @example
 * unflatIndex([3, 4], 9, new Int32Array(2)); // Int32Array [2, 1]
 */
export function unflatIndex<T extends { [i: number]: number }>(factorSizes: readonly number[], index: number, out: T, offset = 0): T {
  for (let k = factorSizes.length - 1, r = index; k >= 0; k--) {
    out[offset + k] = r % factorSizes[k];
    r = Math.floor(r / factorSizes[k]);
  }
  return out;
}

/** Rows `start..start+count-1` as a view (no copy). */
export function sliceRows<M extends Matrix | IntMatrix>(m: M, start: number, count: number): M {
  const data = m.data.subarray(start * m.cols, (start + count) * m.cols);
  return { data, rows: count, cols: m.cols } as M;
}

/** Stacks row blocks of equal width. */
export function concatRows<M extends Matrix | IntMatrix>(parts: readonly M[]): M {
  const cols = parts[0].cols;
  const rows = parts.reduce((s, p) => s + p.rows, 0);
  const Ctor = parts[0].data instanceof Int32Array ? Int32Array : Float64Array;
  const data = new Ctor(rows * cols);
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { data, rows, cols } as M;
}

/** A plain `number[][]` copy, for results handed back to users. */
export function toRows(m: Matrix | IntMatrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}
