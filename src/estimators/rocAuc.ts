import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { rankData } from './rankCorrelation.js';

/**
 * Area under the ROC curve of `scores` for the positive set `isPositive`, by the Mann–Whitney statistic:
 * the share of (positive, negative) pairs ranked correctly, ties counting one half. This equals scikit-learn's
 * trapezoidal `roc_auc_score`. Returns NaN when one side is empty.
 */
export function binaryRocAuc(scores: ArrayLike<number>, isPositive: ArrayLike<boolean>): number {
  const ranks = rankData(scores);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < ranks.length; i++) {
    if (isPositive[i]) {
      nPos++;
      rankSum += ranks[i];
    }
  }
  const nNeg = ranks.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** What to do with a class that has no positives or no negatives among the labels. */
export type UndefinedClassPolicy = 'throw' | 'skip';

/**
 * Macro one-vs-rest ROC-AUC: scikit-learn `roc_auc_score(onehot(y), probabilities, average='macro')`, the
 * unweighted mean over the columns of the per-class AUC of column c for "y == classes[c]".
 *
 * A class with no positives (or no negatives) in `y` has no AUC. scikit-learn raises a ValueError there
 * ("Only one class present in y_true"); by default we throw a `DisentangleError` likewise. With
 * `undefinedClass: 'skip'` such columns are left out of the mean instead (NaN when no column is defined).
 *
 * @param probabilities n×C scores, column c for `classes[c]`.
 * @example
 * rocAucOneVsRestMacro(clf.predictProba(x), y, clf.classes);
 */
export function rocAucOneVsRestMacro(
  probabilities: Matrix,
  y: Int32Array,
  classes: Int32Array,
  options: { undefinedClass?: UndefinedClassPolicy } = {},
): number {
  const fn = 'rocAucOneVsRestMacro';
  if (probabilities.rows !== y.length) {
    throw new DisentangleError('SHAPE_MISMATCH', `y (in ${fn})`, `has ${y.length} labels, probabilities has ${probabilities.rows} rows`);
  }
  if (probabilities.cols !== classes.length) {
    throw new DisentangleError('SHAPE_MISMATCH', `classes (in ${fn})`, `lists ${classes.length} classes, probabilities has ${probabilities.cols} columns`);
  }
  if (y.length === 0) throw new DisentangleError('EMPTY', `y (in ${fn})`, 'needs at least one sample');
  const policy = options.undefinedClass ?? 'throw';
  const n = y.length;
  const col = new Float64Array(n);
  const positive = new Array<boolean>(n);
  let sum = 0;
  let count = 0;
  for (let c = 0; c < classes.length; c++) {
    for (let i = 0; i < n; i++) {
      col[i] = probabilities.data[i * probabilities.cols + c];
      positive[i] = y[i] === classes[c];
    }
    const auc = binaryRocAuc(col, positive);
    if (Number.isNaN(auc)) {
      if (policy === 'throw') {
        throw new DisentangleError('BAD_INPUT', `y (in ${fn})`, `class ${classes[c]} has ${positive.some((p) => p) ? 'no negatives' : 'no positives'}; ROC-AUC is not defined for it`);
      }
      continue;
    }
    sum += auc;
    count++;
  }
  return count === 0 ? NaN : sum / count;
}
