export { modelCentrality } from './modelCentrality.js';
export type { ModelCentralityOptions, ModelCentralityResult, PairwiseMetric, PairwiseMetricInput } from './modelCentrality.js';
export { udr } from './udr.js';
export type { UdrModel, UdrOutput, UdrOptions, UdrResult } from './udr.js';
