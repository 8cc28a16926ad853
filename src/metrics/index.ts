export {};
export { computeFactorVaeMetric } from './factorVae.js';
export type { FactorVaeMetricOptions, FactorVaeMetricResult, FixedFactorPreset } from './factorVae.js';
