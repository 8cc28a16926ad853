export { sampleUniformFactors, holdColumnFixed, sampleCodesAndFactors, samplingContext, sampleTrainTest, drawFactors, representFactors, representFactorsRaw } from './sampling.js';
export type { SamplingMetricOptions, SampledCodes, SamplingContext, RawCodes } from './sampling.js';
export { dsprites } from './dsprites.js';
export type { DspritesOptions, DspritesDataset } from './dsprites.js';
export { renderDspritesBatch, dspritesFactorValues, DSPRITES_FACTOR_SIZES, DSPRITES_FACTOR_NAMES, DSPRITES_IMAGE_SIZE } from './dspritesRenderer.js';
export { loadDsprites } from './loadDsprites.js';
export type { LoadDspritesOptions, LoadedDsprites } from './loadDsprites.js';
export { readNpzStream, parseNpyHeader, encodeNpyHeader } from './npz.js';
export type { NpyHeader, NpySink, NpzArrayHandler, ReadNpzOptions } from './npz.js';
