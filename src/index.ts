/**
 * disentangle: disentanglement metrics, model selection and reference models for generative models.
 * Everything is exported here and from the subpaths `disentangle/metrics`, `/selection`, `/models`, `/data`,
 * `/estimators` and `/viz`.
 */
export * from './core/index.js';
export * from './estimators/index.js';
export * from './data/index.js';
export * from './metrics/index.js';
export * from './selection/index.js';
export * from './models/index.js';
export * from './viz/index.js';
