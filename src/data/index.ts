/**
 * `disentangle/data`: ground-truth datasets (procedural and real dSprites, datasets over your own arrays), the
 * factor sampler and code sampling for your own metrics, encoding a whole dataset once, and the `.npz` reader.
 * The sampler's internals (contexts, raw code routes) stay in their modules.
 */
export { sampleUniformFactors, holdColumnFixed, sampleCodesAndFactors, representFactors } from './sampling.js';
export type { SampleCodesOptions, CodeRouteOptions } from './sampling.js';
export { sampleTrainTest } from './trainTest.js';
export type { SamplingMetricOptions, SampledCodes } from './trainTest.js';
export type { CodeSource } from './codeCache.js';
export { encodeDataset } from './encodeDataset.js';
export type { EncodeDatasetOptions } from './encodeDataset.js';
export { dsprites } from './dsprites.js';
export type { DspritesOptions, DspritesDataset } from './dsprites.js';
export type { DspritesVariant } from './dspritesVariants.js';
export type { ScreamImage } from './screamImage.js';
export {
  renderDspritesBatch,
  dspritesFactorValues,
  DSPRITES_FACTOR_SIZES,
  DSPRITES_FACTOR_NAMES,
  DSPRITES_FACTOR_VALUES,
  DSPRITES_IMAGE_SIZE,
} from './dspritesRenderer.js';
export { loadDsprites } from './loadDsprites.js';
export type { LoadDspritesOptions, LoadedDsprites } from './loadDsprites.js';
export { readNpzStream, parseNpyHeader, encodeNpyHeader } from './npz.js';
export type { NpyHeader, NpySink, NpzArrayHandler, ReadNpzOptions } from './npz.js';
export { arrayDataset } from './arrayDataset.js';
export type { ArrayDatasetOptions, ArrayDataset } from './arrayDataset.js';
export { loadSmallNorb, SMALL_NORB_CHUNKS } from './smallNorb.js';
export type { LoadSmallNorbOptions, SmallNorbDataset } from './smallNorb.js';
export { loadMpi3d, MPI3D_FACTOR_NAMES, MPI3D_FACTOR_SIZES } from './mpi3d.js';
export type { LoadMpi3dOptions, Mpi3dDataset, Mpi3dVariant } from './mpi3d.js';
export { loadShapes3d, SHAPES3D_FACTOR_NAMES, SHAPES3D_FACTOR_SIZES, SHAPES3D_FACTOR_VALUES, SHAPES3D_SHA256 } from './shapes3d.js';
export type { LoadShapes3dOptions, Shapes3dDataset } from './shapes3d.js';
export type { ChunkCacheStats } from './chunkedImages.js';
export { loadCars3d, CARS3D_FACTOR_NAMES, CARS3D_FACTOR_SIZES } from './cars3d.js';
export type { LoadCars3dOptions, Cars3dDataset, Cars3dFile, Cars3dInput } from './cars3d.js';
export type { FileInput } from './byteSource.js';
export { pilResizer, pilLanczosResizer, resizeBicubicRgb8 } from './resize.js';
export type { PilResizer, PilResizerOptions, PilResizeMode, PilFilter } from './resize.js';
export { loadDatasetSpec, datasetSpecHelp } from './datasetSpec.js';
