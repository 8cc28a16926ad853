export { modelCentrality, modelCentralityColumn, centralityFromPairwise } from './modelCentrality.js';
export type { ModelCentralityOptions, ModelCentralityResult, ModelCentralityColumnOptions, ModelCentralityColumn, PairwiseMetric, PairwiseMetricInput } from './modelCentrality.js';
export { udr, udrRepresentation, udrFromRepresentations } from './udr.js';
export { udrComparer, udrPairStrength, udrFromPairwise } from './udrComparison.js';
export type { UdrModel, UdrOutput, UdrOptions, UdrResult, UdrRepresentation, UdrRepresentationOptions, UdrScoreOptions, UdrComparisonOptions } from './udr.js';
