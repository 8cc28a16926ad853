import type { Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';

/**
 * A fitted classifier. Classes are the sorted distinct training labels (scikit-learn's `classes_`);
 * `predictProba` columns follow that order.
 */
export interface FittedClassifier {
  readonly classes: Int32Array;
  predict(x: Matrix): Int32Array;
  predictProba?(x: Matrix): Matrix;
  /** Non-negative per-feature importances (length = number of features), when the model has them. */
  readonly featureImportances?: Float64Array;
}

/** Something that fits a classifier: our defaults, or an adapter for an ml.js model, or your own. */
export interface ClassifierEstimator {
  readonly name: string;
  /** Optional tag; a {@link RegressorEstimator} carries `kind: 'regressor'`, which is how the two are told apart. */
  readonly kind?: 'classifier';
  fit(x: Matrix, y: Int32Array, rng: Rng): FittedClassifier | Promise<FittedClassifier>;
  /**
   * Optional: the same fit without blocking (for example on worker threads). The async drivers (`computeDci`,
   * `dciFromCodesAsync`, ...) call it instead of `fit` when it is there; it must give the same model.
   */
  fitAsync?(x: Matrix, y: Int32Array, rng: Rng, run?: { signal?: AbortSignal }): Promise<FittedClassifier>;
}

/** A fitted regressor of one real target. */
export interface FittedRegressor {
  predict(x: Matrix): Float64Array;
  /** Linear models: one weight per feature. */
  readonly coef?: Float64Array;
  readonly intercept?: number;
  /** Non-negative per-feature importances (length = number of features), when the model has them. */
  readonly featureImportances?: Float64Array;
}

/**
 * Something that fits a regressor, such as `lasso({ alpha })`. `kind: 'regressor'` tells it apart from a
 * {@link ClassifierEstimator} at run time (both have `name` and `fit`): where a metric accepts either, as DCI's
 * `estimator` option does, a regressor gets real targets (DCI: the z-scored factor) and is scored by R².
 */
export interface RegressorEstimator {
  readonly name: string;
  readonly kind: 'regressor';
  fit(x: Matrix, y: Float64Array, rng: Rng): FittedRegressor | Promise<FittedRegressor>;
}
