/**
 * Runs one ONNX session over a large batch in slices of `batchSize` rows, one `session.run` at a time per
 * session (onnxruntime-web refuses overlapping runs on one session), reading the outputs it needs into plain
 * arrays and releasing every onnxruntime tensor it made or got.
 */
import { DisentangleError } from '../core/errors.js';
import type { OnnxFloatType, OnnxSession, OnnxTensor, OrtModule } from './runtime.js';

/** Serialises the runs of one session. */
export class SessionRunner {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly session: OnnxSession,
    readonly argument: string,
    readonly inputName: string,
    readonly type: OnnxFloatType,
  ) {}

  /**
   * One `session.run` on `data` (already in the model's layout and type) of shape `dims`, returning the
   * requested outputs' values and dims. Runs queue behind each other.
   */
  run(ort: OrtModule, data: Float32Array | Float64Array, dims: readonly number[], outputs: readonly string[]): Promise<Record<string, { data: ArrayLike<number>; dims: number[] }>> {
    const next = this.queue.then(() => this.runNow(ort, data, dims, outputs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(ort: OrtModule, data: Float32Array | Float64Array, dims: readonly number[], outputs: readonly string[]) {
    const input = new ort.Tensor(this.type, data, dims);
    let result: Record<string, OnnxTensor> | undefined;
    try {
      try {
        result = await this.session.run({ [this.inputName]: input }, outputs);
      } catch (e) {
        throw new DisentangleError('CALLBACK_RESULT', this.argument, `session.run failed on a batch of shape [${dims}] (${(e as Error)?.message ?? String(e)})`);
      }
      const read: Record<string, { data: ArrayLike<number>; dims: number[] }> = {};
      for (const name of outputs) {
        const t = result?.[name];
        if (!t || !Array.isArray(t.dims)) throw new DisentangleError('CALLBACK_RESULT', this.argument, `session.run returned no output '${name}'`);
        read[name] = { data: numbers(t.data, name, this.argument), dims: [...t.dims] };
      }
      return read;
    } finally {
      input.dispose?.();
      for (const t of Object.values(result ?? {})) t?.dispose?.();
    }
  }
}

/** An output's values as numbers (any float or integer typed array; 64-bit integers and strings are refused). */
function numbers(data: unknown, name: string, argument: string): ArrayLike<number> {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array || !ArrayBuffer.isView(data)) {
    throw new DisentangleError('CALLBACK_RESULT', argument, `output '${name}' does not hold float or int32 numbers; export it as float32`);
  }
  return data as unknown as ArrayLike<number>;
}

/** Rows of a 2-D (or n×d×1×1) output: checks the batch axis and returns the row width. */
export function rowWidth(dims: readonly number[], rows: number, name: string, argument: string): number {
  if (dims[0] !== rows) {
    throw new DisentangleError('CALLBACK_RESULT', argument, `output '${name}' has shape [${dims}] for a batch of ${rows} rows; export the model with a batch axis first`);
  }
  const width = dims.slice(1).reduce((a, b) => a * b, 1);
  if (width === 0) throw new DisentangleError('CALLBACK_RESULT', argument, `output '${name}' has shape [${dims}]: no values per row`);
  return width;
}
