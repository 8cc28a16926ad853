export { sampleUniformFactors, holdColumnFixed, sampleCodesAndFactors, samplingContext } from './sampling.js';
