/**
 * `disentangle/onnx`: score a model from PyTorch, JAX or TensorFlow exported to ONNX. onnxruntime-web (or
 * onnxruntime-node) is an optional peer dependency: install one of them to use this entry point.
 */
export { onnxModel } from './onnxModel.js';
export type { OnnxModel, OnnxModelOptions, OnnxCodes, OnnxPosterior } from './onnxModel.js';
export type { OnnxLayout } from './layout.js';
export type { OnnxSession, OnnxTensor, OnnxValueMetadata, OrtModule, OnnxFloatType } from './runtime.js';
