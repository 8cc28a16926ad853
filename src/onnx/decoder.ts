/**
 * The decoder side of `onnxModel`: latents z (n×latentDims) → images n×h×w×c, with an N(0, I) prior drawn from the
 * library's seeded Rng.
 */
import { DisentangleError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { readBlock } from '../core/tensor.js';
import type { GenerativeModel, RepresentationFunction, TensorLike } from '../core/types.js';
import { intOption, MAX_SAMPLES } from '../core/validate.js';
import { fromModelOutput, inputType, layoutFromShape, staticDim, type OnnxLayout } from './layout.js';
import { SessionRunner, rowWidth } from './runner.js';
import { metadataOf, type OnnxSession, type OrtModule } from './runtime.js';

/** A loaded decoder: its latent width and a factory for the generative model. */
export interface Decoder {
  latentDims: number;
  generativeModel(represent: RepresentationFunction, alive: () => void): GenerativeModel;
}

/** Wraps a decoder session; the latent width comes from `latentDims` or the decoder's static input shape. */
export function createDecoder(
  session: OnnxSession,
  ort: OrtModule,
  batchSize: number,
  layoutOption: OnnxLayout | undefined,
  latentDimsOption: number | undefined,
  encoderLayout: OnnxLayout,
): Decoder {
  if (session.inputNames.length !== 1) {
    throw new DisentangleError('BAD_OPTION', 'decoder', `has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); onnxModel feeds exactly one (z)`);
  }
  if (session.outputNames.length === 0) throw new DisentangleError('BAD_OPTION', 'decoder', 'has no outputs');
  const inputName = session.inputNames[0];
  // Several outputs: the first is the image (a decoder exported with extra outputs lists the image first).
  const outputName = session.outputNames[0];
  const meta = metadataOf(session, 'input', inputName);
  const fromModel = meta?.shape?.length === 2 ? staticDim(meta, 1) : undefined;
  if (latentDimsOption !== undefined && fromModel !== undefined && latentDimsOption !== fromModel) {
    throw new DisentangleError('BAD_OPTION', 'latentDims', `is ${latentDimsOption}, but the decoder's input '${inputName}' is [${meta?.shape}]`);
  }
  const latentDims = latentDimsOption ?? fromModel;
  if (latentDims === undefined) {
    throw new DisentangleError('BAD_OPTION', 'latentDims', `the decoder's input '${inputName}' has no static width${meta?.shape ? ` ([${meta.shape}])` : ''}; pass options.latentDims`);
  }
  const runner = new SessionRunner(session, 'decoder', inputName, inputType(meta, 'decoder'));
  const outLayout = layoutOption ?? layoutFromShape(metadataOf(session, 'output', outputName)?.shape);

  async function generate(latents: TensorLike, alive: () => void): Promise<{ data: Float32Array; shape: number[] }> {
    alive();
    const fn = 'onnxModel.generate';
    const block = await readBlock(latents, 'latents', fn);
    if (block.shape.length !== 2 || block.shape[1] !== latentDims) {
      throw new DisentangleError('SHAPE_MISMATCH', `latents (in ${fn})`, `has shape [${block.shape}]; expected n×${latentDims}`);
    }
    const n = block.shape[0];
    if (n === 0) throw new DisentangleError('EMPTY', `latents (in ${fn})`, 'has no rows');
    const Out = runner.type === 'float64' ? Float64Array : Float32Array;
    let out = new Float32Array(0);
    let shape: number[] = [];
    let layout: OnnxLayout = 'nhwc';
    let hwc: [number, number, number] = [0, 0, 0];
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      let z: Float32Array | Float64Array;
      if (block.data instanceof Out) z = block.data.subarray(start * latentDims, (start + m) * latentDims);
      else {
        z = new Out(m * latentDims);
        for (let i = 0; i < z.length; i++) z[i] = block.data[start * latentDims + i];
      }
      const res = (await runner.run(ort, z, [m, latentDims], [outputName]))[outputName];
      alive();
      const w = rowWidth(res.dims, m, outputName, 'decoder');
      if (start === 0) {
        const d = res.dims;
        if (d.length === 4) {
          layout = outLayout ?? layoutFromShape(d) ?? encoderLayout;
          hwc = layout === 'nchw' ? [d[2], d[3], d[1]] : [d[1], d[2], d[3]];
        } else if (d.length === 3) hwc = [d[1], d[2], 1];
        else hwc = [w, 1, 1];
        shape = d.length >= 3 ? [n, ...hwc] : [n, w];
        out = new Float32Array(n * w);
      } else if (w * n !== out.length) {
        throw new DisentangleError('CALLBACK_RESULT', 'decoder', `output '${outputName}' changed size between batches ([${res.dims}])`);
      }
      fromModelOutput(res.data, out, start, m, hwc, layout);
    }
    return { data: out, shape };
  }

  return {
    latentDims,
    generativeModel(represent, alive) {
      return {
        latentDims,
        sampleLatents(n: number, rng: Rng) {
          alive();
          const rows = intOption(n, 'n', 1, 1, MAX_SAMPLES);
          const data = new Float32Array(rows * latentDims);
          for (let i = 0; i < data.length; i++) data[i] = rng.normal();
          return { data, shape: [rows, latentDims] };
        },
        generate: (latents) => generate(latents, alive),
        represent,
      };
    },
  };
}
