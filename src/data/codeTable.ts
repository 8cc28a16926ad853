/**
 * The code-table route: codes for every factor combination in canonical order (flat index over `factorSizes`,
 * C-order, as `numpy.ravel_multi_index`), computed by `encodeDataset` or brought from elsewhere (a `.npy` saved
 * from PyTorch or JAX), so every dataset-based metric runs with no JS model at all.
 */
import { DisentangleError, throwIfAborted } from '../core/errors.js';
import { readBlock } from '../core/tensor.js';
import type { TensorLike } from '../core/types.js';
import { checkFactorSizes } from '../core/validate.js';
import { readFileBytes } from '../core/readFiles.js';
import { CodeSource } from './codeCache.js';
import { parseNpyHeader } from './npz.js';

/**
 * @internal Reads a `codeTable` option (an N×D TensorLike, or a `.npy` path in Node) into a complete
 * {@link CodeSource} for `factorSizes`. Float32 input is kept as is; anything else is held as float64.
 * Lookups come back as float32 tfjs tensors for a float32 table, as a tfjs encoder's codes would.
 */
export async function loadCodeTable(table: TensorLike | string, factorSizes: readonly number[], signal?: AbortSignal): Promise<CodeSource> {
  const sizes = checkFactorSizes(factorSizes, 'dataset.factorSizes');
  const block = typeof table === 'string' ? await readNpyFile(table) : await readBlock(table, 'codeTable');
  throwIfAborted(signal);
  if (block.shape.length !== 2 || block.shape[1] < 1) throw new DisentangleError('SHAPE_MISMATCH', 'codeTable', `expected an N×D block, got shape [${block.shape}]`);
  const data = block.data instanceof Float32Array ? block.data : block.data instanceof Float64Array ? block.data : Float64Array.from(block.data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new DisentangleError('NON_FINITE', 'codeTable', `row ${Math.floor(i / block.shape[1])}, column ${i % block.shape[1]} is ${data[i]}`);
  }
  return CodeSource.fromTable(sizes, data, block.shape[1], data instanceof Float32Array);
}

/** Reads a little-endian float32 / float64 `.npy` (C or Fortran order) into a row-major block. */
async function readNpyFile(path: string): Promise<{ data: Float32Array | Float64Array; shape: number[] }> {
  const bytes = await readFileBytes(path, 'codeTable', 'pass the codes as { data, shape }');
  const parsed = parseNpyHeader(bytes, 'codeTable', path, bytes.length);
  if (!parsed) throw new DisentangleError('BAD_FILE', 'codeTable', `'${path}' is too short to be a .npy file`);
  const { header, dataOffset } = parsed;
  const f32 = /^[<|]?f4$/.test(header.descr);
  if (!f32 && !/^[<|]?f8$/.test(header.descr)) {
    throw new DisentangleError('BAD_FILE', 'codeTable', `'${path}' holds '${header.descr}'; save the codes as float32 or float64 (codes.astype(np.float32))`);
  }
  if (header.shape.length !== 2) throw new DisentangleError('BAD_FILE', 'codeTable', `'${path}' has shape (${header.shape}); expected (N, D)`);
  const [N, D] = header.shape;
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, bytes.byteLength - dataOffset);
  const out = f32 ? new Float32Array(N * D) : new Float64Array(N * D);
  const size = f32 ? 4 : 8;
  for (let i = 0; i < N * D; i++) {
    const v = f32 ? view.getFloat32(i * size, true) : view.getFloat64(i * size, true);
    // Fortran order stores column by column: element i is (i mod N, floor(i / N)).
    out[header.fortranOrder ? (i % N) * D + Math.floor(i / N) : i] = v;
  }
  return { data: out, shape: [N, D] };
}
