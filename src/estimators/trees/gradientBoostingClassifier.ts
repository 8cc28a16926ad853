/**
 * The gradient-boosting classifier behind the {@link ClassifierEstimator} interface (DCI's default estimator).
 */
import type { Rng } from '../../core/rng.js';
import { checkOptions } from '../../core/validate.js';
import { BOOSTING_OPTION_NAMES, fitGradientBoosting, type GradientBoostingOptions } from './gradientBoosting.js';
import { fitGradientBoostingAsync, type ParallelBoostingOptions } from './gradientBoostingAsync.js';
import type { ClassifierEstimator } from '../types.js';

/**
 * The gradient-boosting model behind the {@link ClassifierEstimator} interface (DCI's default): `fit` grows it on
 * the calling thread, `fitAsync` (which the async metric drivers use) on `workers` threads; both give the same model.
 *
 * @example
 * dciFromCodes(train, test, { estimator: gradientBoostingClassifier({ numEstimators: 50 }) });
 */
export function gradientBoostingClassifier(options: Omit<ParallelBoostingOptions, 'rng' | 'signal'> = {}): ClassifierEstimator {
  checkOptions(options, 'gradientBoostingClassifier', [...BOOSTING_OPTION_NAMES.filter((name) => name !== 'rng'), 'workers']);
  const { workers, ...boosting } = options;
  // An explicit seed wins over the stream the metric passes.
  const withRng = (rng: Rng): GradientBoostingOptions => ({ ...boosting, rng: options.seed === undefined ? rng : undefined });
  return {
    name: 'gradient-boosting',
    fit: (x, y, rng) => fitGradientBoosting(x, y, withRng(rng)),
    fitAsync: (x, y, rng, run) => fitGradientBoostingAsync(x, y, { ...withRng(rng), workers, signal: run?.signal }),
  };
}
