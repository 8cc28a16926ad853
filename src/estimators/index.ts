/**
 * `disentangle/estimators`: the models and statistics the metrics are built from, as a user calls them — the
 * classifiers and regressors (a `fitX` function and an `x(options)` estimator for each), the information and
 * dependence measures, the correlations, the scores and the small linear algebra. Solver kernels (binning,
 * kernel row sums, the single-feature SVM, tree builders) stay internal to their modules.
 */
export type { FittedClassifier, ClassifierEstimator, FittedRegressor, RegressorEstimator } from './types.js';
export { accuracyScore, r2Score } from './scores.js';

// Trees
export { fitGradientBoosting } from './trees/gradientBoosting.js';
export type { GradientBoostingOptions, FittedGradientBoosting } from './trees/gradientBoosting.js';
export { fitGradientBoostingAsync } from './trees/gradientBoostingAsync.js';
export type { ParallelBoostingOptions, FittedGradientBoostingAsync } from './trees/gradientBoostingAsync.js';
export { gradientBoostingClassifier } from './trees/gradientBoostingClassifier.js';
export { fitRandomForest, randomForestClassifier } from './trees/randomForest.js';
export type { ForestOptions, RandomForestOptions, FittedRandomForest } from './trees/randomForest.js';
export { fitRandomForestRegressor, randomForestRegressor } from './trees/randomForestRegressor.js';
export type { RandomForestRegressorOptions, FittedRandomForestRegressor } from './trees/randomForestRegressor.js';
export type { Tree } from './trees/decisionTree.js';
export { mlCartClassifier, mlRandomForestClassifier } from './trees/mlTreeAdapters.js';
export type { MlCartClassifierLike, MlRandomForestLike, MlCartNode } from './trees/mlTreeAdapters.js';

// Linear models
export { fitLogisticRegression, logisticRegression } from './linear/logisticRegression.js';
export type { LogisticRegressionOptions, FittedLogisticRegression } from './linear/logisticRegression.js';
export { fitLinearSvc, linearSvc } from './linear/linearSvm.js';
export type { LinearSvcOptions, FittedLinearSvc } from './linear/linearSvm.js';
export { fitLasso, lasso } from './linear/lasso.js';
export type { LassoOptions, LassoFit, FittedLasso } from './linear/lasso.js';
export { standardScaler } from './linear/standardize.js';
export type { StandardScaler } from './linear/standardize.js';
export { mlLogisticRegressionClassifier } from './linear/mlLogisticAdapter.js';
export type { MlLogisticRegressionConstructor, MlLogisticRegressionModel, MlLogisticRegressionOptions } from './linear/mlLogisticAdapter.js';

// Information and dependence
export { histogramDiscretize } from './information/discretize.js';
export { mutualInfoKsg } from './information/ksg.js';
export type { KsgOptions } from './information/ksg.js';
export { mutualInfoScore, discreteEntropy, discreteMutualInfoMatrix, discreteEntropies } from './information/mutualInformation.js';
export { discretizedMutualInformation, sampledMutualInformation } from './information/codeFactorInformation.js';
export type { CodeFactorInformation, GaussianPosteriorBlock, SampledInformation } from './information/codeFactorInformation.js';
export { pairwiseMedianAbsDifference, dhsicVStatistic, dhsicVStatisticAsync, gaussianMedianBandwidth } from './information/hsic.js';
export type { DhsicTerms, DhsicKernel, DhsicStatisticOptions } from './information/hsic.js';

// Correlation, ranking, assignment, voting
export { rankData, pearsonCorrelation, spearmanCorrelation } from './rankCorrelation.js';
export { relativeStrength } from './relativeStrength.js';
export { rocAucOneVsRestMacro, binaryRocAuc } from './rocAuc.js';
export type { UndefinedClassPolicy } from './rocAuc.js';
export { linearSumAssignment } from './hungarian.js';
export type { Assignment } from './hungarian.js';
export { majorityVoteMapping, majorityVoteAccuracy, majorityVoteTopAccuracy, lowestNormalizedVarianceDim } from './majorityVote.js';

// Linear algebra
export { covariance, symmetricEigenvalues, symmetricEigen, logDeterminantSymmetric, traceSqrtDiagTimes, traceSqrtProduct } from './linalg.js';

// Loss-capacity curves (DCI-ES explicitness)
export { explicitnessOfCurves } from './lossCapacity.js';
export type { LossCapacityCurve } from './lossCapacity.js';
