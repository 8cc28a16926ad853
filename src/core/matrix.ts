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

/** Rows `start..start+count-1` as a view (no copy). */
export function sliceRows<M extends Matrix | IntMatrix>(m: M, start: number, count: number): M {
  const data = m.data.subarray(start * m.cols, (start + count) * m.cols);
  return { data, rows: count, cols: m.cols } as M;
}

/** Selects the listed rows into a new block. */
export function takeRows<M extends Matrix | IntMatrix>(m: M, rows: ArrayLike<number>): M {
  const Ctor = m.data instanceof Int32Array ? Int32Array : Float64Array;
  const data = new Ctor(rows.length * m.cols);
  for (let i = 0; i < rows.length; i++) data.set(m.data.subarray(rows[i] * m.cols, (rows[i] + 1) * m.cols), i * m.cols);
  return { data, rows: rows.length, cols: m.cols } as M;
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

/** Transposed copy. */
export function transpose(m: Matrix): Matrix {
  const out = new Float64Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j];
  return { data: out, rows: m.cols, cols: m.rows };
}
