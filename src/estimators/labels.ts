/**
 * Label encoding, the one place where class labels become dense indices (and, through {@link argmaxRows}, where
 * class scores become labels again): scikit-learn's `LabelEncoder` /
 * `np.unique(y, return_inverse=True)`, which the classifiers (for `classes_`), the contingency tables of mutual
 * information and the clustering scores all start from.
 */
import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';

/** Sorted distinct labels, each sample's position among them, and each class's sample count. */
export interface EncodedLabels<C extends Int32Array | Float64Array = Int32Array> {
  /** The distinct labels in increasing order (scikit-learn's `classes_`). */
  readonly classes: C;
  /** index[i] = position of sample i's label in `classes` (0..classes.length − 1). */
  readonly index: Int32Array;
  /** counts[k] = number of samples of class k. */
  readonly counts: Float64Array;
}

/**
 * Encodes labels as positions among their sorted distinct values (numpy `unique` order). Integer labels that
 * span a range of at most 4n + 1024 values are placed through a lookup table, in O(n + range); others (large or
 * non-integer values) through a sorted map. The classes come back as an `Int32Array` for `Int32Array` labels
 * and as a `Float64Array` otherwise.
 *
 * @example
 * encodeLabels(Int32Array.of(7, 3, 7, 10)) // classes [3, 7, 10], index [1, 0, 1, 2], counts [1, 2, 1]
 */
export function encodeLabels(labels: Int32Array): EncodedLabels<Int32Array>;
export function encodeLabels(labels: ArrayLike<number>): EncodedLabels<Float64Array>;
export function encodeLabels(labels: ArrayLike<number>): EncodedLabels<Int32Array> | EncodedLabels<Float64Array> {
  const n = labels.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (labels[i] < min) min = labels[i];
    if (labels[i] > max) max = labels[i];
  }
  const index = new Int32Array(n);
  let sorted: number[];
  const range = max - min + 1;
  if (n > 0 && Number.isInteger(min) && Number.isInteger(max) && range <= 4 * n + 1024) {
    const position = new Int32Array(range).fill(-1);
    for (let i = 0; i < n; i++) position[labels[i] - min] = 0;
    sorted = [];
    for (let v = 0; v < range; v++) if (position[v] === 0) position[v] = sorted.push(v + min) - 1;
    for (let i = 0; i < n; i++) index[i] = position[labels[i] - min];
  } else {
    sorted = Array.from(new Set(Array.from(labels))).sort((a, b) => a - b);
    const position = new Map(sorted.map((v, k) => [v, k]));
    for (let i = 0; i < n; i++) index[i] = position.get(labels[i]) as number;
  }
  const counts = new Float64Array(sorted.length);
  for (let i = 0; i < n; i++) counts[index[i]]++;
  const classes = labels instanceof Int32Array ? Int32Array.from(sorted) : Float64Array.from(sorted);
  return { classes, index, counts } as EncodedLabels<Int32Array> | EncodedLabels<Float64Array>;
}

/**
 * The checks every classifier's `fit` makes on its labels before encoding them: an `Int32Array`, one label per
 * row of x, at least one row. Errors name `y` (or `x`) in `fn`.
 */
export function checkClassLabels(y: Int32Array, rows: number, fn: string): void {
  if (!(y instanceof Int32Array)) throw new DisentangleError('BAD_INPUT', `y (in ${fn})`, 'expected an Int32Array of class labels');
  if (y.length !== rows) throw new DisentangleError('SHAPE_MISMATCH', `y (in ${fn})`, `has ${y.length} labels for ${rows} rows of x`);
  if (rows === 0) throw new DisentangleError('EMPTY', `x (in ${fn})`, 'has no rows');
}

/**
 * The predicted label of every row of a score block whose columns follow `classes` (probabilities or decision
 * values): the class of the row's largest score, the first one on ties (numpy `argmax`). A single column with two
 * classes is a binary decision function, scikit-learn's convention: a score > 0 predicts classes[1].
 *
 * @example
 * argmaxRows({ data: Float64Array.of(0.2, 0.8, 0.5, 0.5), rows: 2, cols: 2 }, Int32Array.of(3, 7)) // [7, 3]
 */
export function argmaxRows(scores: Matrix, classes: Int32Array): Int32Array {
  const { rows, cols, data } = scores;
  const out = new Int32Array(rows);
  if (cols === 1 && classes.length === 2) {
    for (let i = 0; i < rows; i++) out[i] = data[i] > 0 ? classes[1] : classes[0];
    return out;
  }
  if (cols !== classes.length) {
    throw new DisentangleError('SHAPE_MISMATCH', 'scores (in argmaxRows)', `has ${cols} columns for ${classes.length} classes`);
  }
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[off + c] > data[off + best]) best = c;
    out[i] = classes[best];
  }
  return out;
}
