import { Matrix as MlMatrix } from 'ml-matrix';
import { DisentangleError } from '../../core/errors.js';
import { checkOptions } from '../../core/validate.js';
import type { Matrix } from '../../core/matrix.js';
import { argmaxRows, encodeLabels } from '../labels.js';
import { checkXy } from './linearModel.js';
import type { ClassifierEstimator, FittedClassifier } from '../types.js';

/** The part of an `ml-logistic-regression` model the adapter uses (v2: one-vs-rest, plain gradient ascent). */
export interface MlLogisticRegressionModel {
  train(x: MlMatrix, y: MlMatrix): void;
  predict(x: MlMatrix): number[];
  /** One binary model per class; its `testScores` is P(not that class), as that package labels the class 0. */
  classifiers: ArrayLike<{ testScores(x: MlMatrix): ArrayLike<number> }>;
}

/** `ml-logistic-regression`'s default export (or anything with the same shape). */
export type MlLogisticRegressionConstructor = new (options?: { numSteps?: number; learningRate?: number }) => MlLogisticRegressionModel;

/** Options of {@link mlLogisticRegressionClassifier}. */
export interface MlLogisticRegressionOptions {
  /** Gradient steps per class (package default 50,000). */
  numSteps?: number;
  /** Step size of its gradient ascent on the summed log-likelihood (package default 5e-4). */
  learningRate?: number;
  /** Append a constant feature so the model gets an (unpenalized) intercept, which the package lacks (default true). */
  addIntercept?: boolean;
}

function toMl(x: Matrix, addIntercept: boolean): MlMatrix {
  const width = x.cols + (addIntercept ? 1 : 0);
  const m = new MlMatrix(x.rows, width);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) m.set(i, j, x.data[i * x.cols + j]);
    if (addIntercept) m.set(i, x.cols, 1);
  }
  return m;
}

/**
 * Plugs `ml-logistic-regression` into the {@link ClassifierEstimator} interface. Pass the package's class, so
 * the library itself does not depend on it:
 *
 * That model is unregularized one-vs-rest logistic regression trained by a fixed number of gradient steps, without
 * an intercept (the adapter adds one by default). It does not reproduce scikit-learn's `LogisticRegression()`
 * (L2, C = 1, multinomial, solved to convergence), so metric values differ from the published ones; see
 * docs/estimators.md for measured accuracy and time. Probabilities are the per-class one-vs-rest probabilities,
 * normalized to sum to 1.
 *
 * @example
 * import LogisticRegression from 'ml-logistic-regression';
 * const est = mlLogisticRegressionClassifier(LogisticRegression, { numSteps: 1000 });
 * const clf = await est.fit(x, y, createRng(0));
 */
export function mlLogisticRegressionClassifier(
  LogisticRegressionCtor: MlLogisticRegressionConstructor,
  options: MlLogisticRegressionOptions = {},
): ClassifierEstimator {
  if (typeof LogisticRegressionCtor !== 'function') {
    throw new DisentangleError('BAD_INPUT', 'LogisticRegressionCtor (in mlLogisticRegressionClassifier)', "expected the ml-logistic-regression class (import LogisticRegression from 'ml-logistic-regression')");
  }
  checkOptions(options, 'mlLogisticRegressionClassifier', ['numSteps', 'learningRate', 'addIntercept']);
  const addIntercept = options.addIntercept ?? true;
  return {
    name: 'ml-logistic-regression',
    fit(x: Matrix, y: Int32Array): FittedClassifier {
      checkXy(x, y, 'mlLogisticRegressionClassifier.fit');
      const { classes, index } = encodeLabels(y);
      if (classes.length < 2) {
        throw new DisentangleError('BAD_INPUT', 'y (in mlLogisticRegressionClassifier.fit)', `needs at least 2 classes, got only ${classes[0]}`);
      }
      const model = new LogisticRegressionCtor({ numSteps: options.numSteps, learningRate: options.learningRate });
      // The package expects labels 0..C−1.
      model.train(toMl(x, addIntercept), MlMatrix.columnVector(Array.from(index)));
      const predictProba = (m: Matrix): Matrix => {
        if (m.cols !== x.cols) throw new DisentangleError('SHAPE_MISMATCH', 'x (in ml-logistic-regression predict)', `has ${m.cols} columns, the model was fitted on ${x.cols}`);
        const xm = toMl(m, addIntercept);
        const k = classes.length;
        const out = new Float64Array(m.rows * k);
        for (let c = 0; c < k; c++) {
          const notC = model.classifiers[c].testScores(xm);
          for (let i = 0; i < m.rows; i++) out[i * k + c] = 1 - notC[i];
        }
        for (let i = 0; i < m.rows; i++) {
          let s = 0;
          for (let c = 0; c < k; c++) s += out[i * k + c];
          for (let c = 0; c < k; c++) out[i * k + c] = s > 0 ? out[i * k + c] / s : 1 / k;
        }
        return { data: out, rows: m.rows, cols: k };
      };
      const predict = (m: Matrix): Int32Array => argmaxRows(predictProba(m), classes);
      return { classes, predict, predictProba };
    },
  };
}
