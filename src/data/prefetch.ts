/**
 * Drawing ahead with a code table: the fixed-factor metrics (FactorVAE, BetaVAE) draw a few statistical batches
 * before encoding, so the rows the table lacks reach `represent` about `encodeBatchSize` at a time.
 */
import type { IntMatrix } from '../core/matrix.js';
import { concatRows } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { throwIfAborted } from '../core/errors.js';
import { representFactorsRaw, type SamplingContext } from './sampling.js';

/**
 * With a run's code table, encodes the rows of several factor blocks the table lacks, `encodeBatchSize` at a
 * time, so that the lookups that follow hit (the fixed-factor metrics draw a few statistical batches ahead).
 * Without a table it does nothing.
 */
export async function prefetchCodes<Obs>(ctx: SamplingContext<Obs>, blocks: readonly IntMatrix[], rng: Rng): Promise<void> {
  const source = ctx.source;
  if (!source || blocks.length === 0) return;
  throwIfAborted(ctx.signal);
  const direct = { ...ctx, source: undefined, codeDims: source.codeDims || undefined };
  await source.prefetch(blocks.length === 1 ? blocks[0] : concatRows(blocks), rng, (f, r) => representFactorsRaw(direct, f, r), ctx.signal);
}

/** Statistical batches drawn ahead per prefetch, so that `represent` gets about `encodeBatchSize` rows per call (1 without a table). */
export function lookahead<Obs>(ctx: SamplingContext<Obs>, rowsPerItem: number): number {
  return ctx.source ? Math.max(1, Math.floor(ctx.source.encodeBatchSize / Math.max(1, rowsPerItem))) : 1;
}
