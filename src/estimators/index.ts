export { histogramDiscretize, binEdges, digitize } from './discretize.js';
export { mutualInfoScore, discreteEntropy, discreteMutualInfoMatrix, discreteEntropies } from './mutualInformation.js';
