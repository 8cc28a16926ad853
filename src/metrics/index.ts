export {};
export { computeFactorVaeMetric } from './factorVae.js';
export type { FactorVaeMetricOptions, FactorVaeMetricResult, FixedFactorPreset } from './factorVae.js';
export { computeBetaVaeMetric } from './betaVae.js';
export type { BetaVaeMetricOptions, BetaVaeMetricResult } from './betaVae.js';
