export { sampleUniformFactors, holdColumnFixed, sampleCodesAndFactors, samplingContext, sampleTrainTest, drawFactors, representFactors, representFactorsRaw } from './sampling.js';
export type { SamplingMetricOptions, SampledCodes, SamplingContext, RawCodes } from './sampling.js';
