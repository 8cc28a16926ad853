import { DisentangleError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';

/**
 * Area under the ROC curve of `scores` for the positive set `isPositive`, by the Mann–Whitney statistic:
 * the share of (positive, negative) pairs ranked correctly, ties counting one half. This equals scikit-learn's
 * trapezoidal `roc_auc_score`. Returns NaN when one side is empty.
 */
export function binaryRocAuc(scores: ArrayLike<number>, isPositive: ArrayLike<boolean>): number {
  const n = scores.length;
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  let nPos = 0;
  let nNeg = 0;
  for (let i = 0; i < n; i++) {
    if (isPositive[i]) pos[nPos++] = scores[i];
    else neg[nNeg++] = scores[i];
  }
  return sortedSplitAuc(pos.subarray(0, nPos).sort(), neg.subarray(0, nNeg).sort());
}

/**
 * Mann–Whitney AUC from the positives' and the negatives' scores, each sorted ascending. One merge pass counts,
 * for every positive, the negatives below it and those tied with it. Sorting the two typed arrays natively is
 * several times faster than ranking all scores through a comparator, and the pair count (an integer or a half,
 * exact in a double) gives the same number as the rank-sum formula.
 */
function sortedSplitAuc(pos: Float64Array, neg: Float64Array): number {
  if (pos.length === 0 || neg.length === 0) return NaN;
  let below = 0; // negatives < current positive
  let notAbove = 0; // negatives ≤ current positive
  let pairs = 0;
  for (let i = 0; i < pos.length; i++) {
    const v = pos[i];
    while (below < neg.length && neg[below] < v) below++;
    if (notAbove < below) notAbove = below;
    while (notAbove < neg.length && neg[notAbove] <= v) notAbove++;
    pairs += below + 0.5 * (notAbove - below);
  }
  return pairs / (pos.length * neg.length);
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
  const k = probabilities.cols;
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  let sum = 0;
  let count = 0;
  for (let c = 0; c < classes.length; c++) {
    let nPos = 0;
    let nNeg = 0;
    for (let i = 0; i < n; i++) {
      const v = probabilities.data[i * k + c];
      if (y[i] === classes[c]) pos[nPos++] = v;
      else neg[nNeg++] = v;
    }
    const auc = sortedSplitAuc(pos.subarray(0, nPos).sort(), neg.subarray(0, nNeg).sort());
    if (Number.isNaN(auc)) {
      if (policy === 'throw') {
        throw new DisentangleError('BAD_INPUT', `y (in ${fn})`, `class ${classes[c]} has ${nPos > 0 ? 'no negatives' : 'no positives'}; ROC-AUC is not defined for it`);
      }
      continue;
    }
    sum += auc;
    count++;
  }
  return count === 0 ? NaN : sum / count;
}
