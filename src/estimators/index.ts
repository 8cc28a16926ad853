export { histogramDiscretize, binEdges, digitize } from './discretize.js';
export { mutualInfoScore, discreteEntropy, discreteMutualInfoMatrix, discreteEntropies } from './mutualInformation.js';
export type { FittedClassifier, ClassifierEstimator, FittedRegressor, RegressorEstimator } from './types.js';
export { majorityVoteMapping, majorityVoteAccuracy, majorityVoteTopAccuracy, lowestNormalizedVarianceDim } from './majorityVote.js';
export { relativeStrength } from './relativeStrength.js';
