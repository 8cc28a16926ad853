export * from './layers.js';
export { registerGradients } from './gradients.js';
export * from './spectralNorm.js';
export * from './adam.js';
export { encodeModel, decodeModel, writeModel, readModel, type ModelHeader, type EncodedModel } from './checkpoint.js';
export * from './infoganCr.js';
export * from './factorVae.js';
export { trainInfoGanCr, type TrainInfoGanCrOptions } from './trainInfoganCr.js';
export { trainFactorVae, betaTcvaeTerms, type TrainFactorVaeOptions, type VaeObjective } from './trainFactorVae.js';
