/**
 * `disentangle/models`: the reference models (InfoGAN-CR and FactorVAE / β-VAE / β-TCVAE) with their trainers and
 * model files, the dSprites shape classifier, the analytic encoders, and the tfjs building blocks they are made of
 * for your own models. Training internals (losses, latent draws, the trainer skeleton) stay in their modules.
 */
export { InfoGanCr, buildInfoGanCr, loadInfoGanCr, type InfoGanCrHistoryEntry } from './infoganCr.js';
export { INFOGAN_CR_DEFAULTS, infoGanCrWeights, resolveInfoGanCrConfig, type InfoGanCrConfig, type ResolvedInfoGanCrConfig } from './infoganCrConfig.js';
export { trainInfoGanCr, type TrainInfoGanCrOptions } from './trainInfoganCr.js';
export {
  FactorVae,
  buildFactorVae,
  loadFactorVae,
  FACTOR_VAE_DEFAULTS,
  factorVaeWeights,
  resolveFactorVaeConfig,
  type FactorVaeConfig,
  type FactorVaeHistoryEntry,
  type ResolvedFactorVaeConfig,
} from './factorVae.js';
export { trainFactorVae, trainVae, type TrainFactorVaeOptions, type VaeObjective } from './trainFactorVae.js';
export type { TrainingOptions } from './training.js';
export type { ResumeInfo, SkippedCheckpoint } from './resume.js';
export { encodeModel, decodeModel, writeModel, readModel, type ModelHeader, type EncodedModel } from './checkpoint.js';
export { MAX_MODEL_PARAMS } from './modelConfig.js';
export {
  loadShapeClassifier,
  buildShapeClassifier,
  classifyShapes,
  classifyShapesWithFeatures,
  shapeClassifierForward,
  shapeClassifierVariables,
  serializeShapeClassifier,
  disposeShapeClassifier,
  toImageTensor,
  SHAPE_CLASSES,
  SHAPE_FEATURE_DIMS,
  SHAPE_IMAGE_SIZE,
  type ShapeClassifier,
  type ShapeClassifierOutput,
} from './shapeClassifier.js';
export {
  identityRepresentation,
  randomRotation,
  linearRepresentation,
  rotatedRepresentation,
  noisyRepresentation,
  collapsedRepresentation,
  imageMomentEncoder,
  type CodeBlock,
} from './analyticEncoders.js';
export {
  denseParams,
  dense,
  conv2dParams,
  conv2d,
  deconv2dParams,
  deconv2d,
  batchNormState,
  batchNorm,
  leakyRelu,
  disposeParams,
  type Activation,
  type BatchNormOptions,
  type BatchNormState,
  type Conv2dParams,
  type Deconv2dParams,
  type DenseParams,
  type Params,
} from './layers.js';
export { spectralNormState, spectralNormalize, updateSpectralNorm, spectralNormSigma, type SpectralNormState } from './spectralNorm.js';
export { Adam, type AdamConfig } from './adam.js';
export { registerGradients } from './gradients.js';
export { loadModelSpec, withModels } from './modelSpec.js';
export type { LoadedModel } from './modelSpec.js';
