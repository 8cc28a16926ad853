/**
 * disentangle: disentanglement metrics, model selection and reference models for generative models.
 *
 * The root lists what a user calls: the metrics and `evaluate()`, the selectors, the datasets, the reference
 * models, the pictures, the errors and the types they take. Building blocks live on their subpaths:
 * `disentangle/estimators` (the classifiers, regressors and information estimators behind the metrics),
 * `disentangle/models` (also the tfjs layers the reference models are made of), `disentangle/data` (also the
 * sampler and the `.npz` reader for your own metrics), `disentangle/metrics` (also the metric registry) and
 * `disentangle/onnx` (models exported from PyTorch or JAX).
 */

// Errors, randomness, backends and the input types
export { DisentangleError, createRng, setupBackend } from './core/index.js';
export type {
  DisentangleErrorCode,
  Rng,
  BackendName,
  BackendEnvironment,
  TensorLike,
  FactorBatch,
  GroundTruthDataset,
  RepresentationFunction,
  GenerativeModel,
  Generator,
  LabelledCodes,
  RunOptions,
  Progress,
  Preset,
  Posterior,
  PosteriorFunction,
  FactorDiscretizer,
  FactorOptions,
} from './core/index.js';

// Metrics: a matrix entry (xFromCodes) and a sampling entry (computeX) per metric; many at once with evaluate()
export {
  evaluate,
  metricIds,
  encodeDataset,
  computeFactorVaeMetric,
  computeBetaVaeMetric,
  migFromCodes,
  computeMig,
  migSupFromCodes,
  computeMigSup,
  dcimigFromCodes,
  computeDcimig,
  jemmigFromCodes,
  computeJemmig,
  mccFromCodes,
  computeMcc,
  computeFlatness,
  sapFromCodes,
  computeSap,
  dciFromCodes,
  dciFromCodesAsync,
  dciFromImportanceMatrix,
  computeDci,
  modularityFromCodes,
  modularityFromMutualInformation,
  computeModularity,
  explicitnessFromCodes,
  computeExplicitness,
  irsFromCodes,
  computeIrs,
  unsupervisedFromCodes,
  unsupervisedFromCodesAsync,
  computeUnsupervised,
  gaussianTotalCorrelation,
  gaussianWassersteinCorrelation,
  aamFromCodes,
  computeAam,
  dhsicFromCodes,
  computeDhsic,
  computeVariationPredictability,
  inceptionScoreFromProbabilities,
  computeDspritesSampleQuality,
  proceduralDspritesGenerator,
  frechetDistance,
  featureMoments,
  clusteringAccuracy,
  normalizedMutualInfo,
  adjustedRandIndex,
} from './metrics/index.js';
export type {
  EvaluateOptions,
  EvaluateResult,
  MetricId,
  MetricResult,
  EncodeDatasetOptions,
  FactorVaeMetricOptions,
  FactorVaeMetricResult,
  FixedFactorPreset,
  BetaVaeMetricOptions,
  BetaVaeMetricResult,
  MigOptions,
  MigResult,
  ComputeMigOptions,
  MigSupOptions,
  MigSupResult,
  ComputeMigSupOptions,
  MccOptions,
  MccResult,
  ComputeMccOptions,
  FlatnessOptions,
  FlatnessResult,
  FlatnessFactor,
  DcimigOptions,
  DcimigResult,
  ComputeDcimigOptions,
  JemmigOptions,
  JemmigResult,
  ComputeJemmigOptions,
  SapOptions,
  SapResult,
  ComputeSapOptions,
  DciOptions,
  DciScoreOptions,
  DciScores,
  DciResult,
  DciPreset,
  ComputeDciOptions,
  ModularityOptions,
  ModularityResult,
  ComputeModularityOptions,
  ExplicitnessOptions,
  ExplicitnessResult,
  ComputeExplicitnessOptions,
  IrsOptions,
  IrsResult,
  ComputeIrsOptions,
  UnsupervisedOptions,
  UnsupervisedAsyncOptions,
  UnsupervisedResult,
  ComputeUnsupervisedOptions,
  AamOptions,
  AamResult,
  ComputeAamOptions,
  DhsicOptions,
  DhsicResult,
  ComputeDhsicOptions,
  VariationPredictabilityOptions,
  VariationPredictabilityResult,
  InceptionScoreResult,
  DspritesSampleQualityOptions,
  DspritesSampleQualityResult,
  ProceduralDspritesGeneratorOptions,
  GaussianMoments,
  FeaturesOrMoments,
  LabelVector,
} from './metrics/index.js';

// Model selection
export { modelCentrality, udr } from './selection/index.js';
export type { ModelCentralityOptions, ModelCentralityResult, PairwiseMetric, PairwiseMetricInput, UdrModel, UdrOutput, UdrOptions, UdrResult } from './selection/index.js';

// Datasets
export { dsprites, loadDsprites, arrayDataset, dspritesFactorValues, DSPRITES_FACTOR_SIZES, DSPRITES_FACTOR_NAMES, DSPRITES_FACTOR_VALUES, DSPRITES_IMAGE_SIZE } from './data/index.js';
export { loadSmallNorb, loadMpi3d, MPI3D_FACTOR_NAMES, MPI3D_FACTOR_SIZES } from './data/index.js';
export type { LoadSmallNorbOptions, SmallNorbDataset, LoadMpi3dOptions, Mpi3dDataset, Mpi3dVariant, FileInput } from './data/index.js';
export { loadShapes3d, SHAPES3D_FACTOR_NAMES, SHAPES3D_FACTOR_SIZES, SHAPES3D_FACTOR_VALUES, SHAPES3D_SHA256, loadCars3d, CARS3D_FACTOR_NAMES, CARS3D_FACTOR_SIZES } from './data/index.js';
export type { LoadShapes3dOptions, Shapes3dDataset, ChunkCacheStats, LoadCars3dOptions, Cars3dDataset, Cars3dFile, Cars3dInput } from './data/index.js';
export type { DspritesOptions, DspritesDataset, DspritesVariant, ScreamImage, LoadDspritesOptions, LoadedDsprites, ArrayDatasetOptions, ArrayDataset } from './data/index.js';

// Reference models, the shape classifier and the analytic encoders
export {
  InfoGanCr,
  buildInfoGanCr,
  loadInfoGanCr,
  trainInfoGanCr,
  FactorVae,
  buildFactorVae,
  loadFactorVae,
  trainFactorVae,
  trainVae,
  readModel,
  writeModel,
  registerGradients,
  loadShapeClassifier,
  classifyShapes,
  identityRepresentation,
  randomRotation,
  linearRepresentation,
  rotatedRepresentation,
  noisyRepresentation,
  collapsedRepresentation,
  imageMomentEncoder,
} from './models/index.js';
export type {
  InfoGanCrConfig,
  InfoGanCrHistoryEntry,
  TrainInfoGanCrOptions,
  FactorVaeConfig,
  FactorVaeHistoryEntry,
  TrainFactorVaeOptions,
  VaeObjective,
  TrainingOptions,
  ResumeInfo,
  ShapeClassifier,
  ShapeClassifierOutput,
} from './models/index.js';

// Pictures
export { latentTraversal, latentTraversalGif } from './viz/index.js';
export type { TraversalOptions } from './viz/index.js';
