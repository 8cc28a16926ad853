/** A FactorVAE of about 0.9 M weights (3.6 MB on disk): big enough that a save takes a while to write and flush. */
export const KILL_TEST_CONFIG = {
  imageSize: 16,
  encoderConv: [8, 8, 16, 16],
  decoderDeconv: [16, 8, 8],
  decoderReshapeChannels: 16,
  decoderHidden: 32,
  encoderHidden: 32,
  discriminatorHidden: 480,
  discriminatorLayers: 5,
  latentDims: 4,
};
