/** What both selectors (ModelCentrality, UDR) and the CLI demo share: the population check and the ranking of scores. */
import { DisentangleError } from '../core/errors.js';

/** Throws unless `models` is an array of at least two models (selection compares models with each other). */
export function checkPopulation(models: readonly unknown[] | undefined, fn: string): void {
  if (!Array.isArray(models)) throw new DisentangleError('BAD_INPUT', `models (in ${fn})`, 'expected an array of models');
  if (models.length < 2) throw new DisentangleError('EMPTY', `models (in ${fn})`, `has ${models.length} model(s); selection needs at least 2 to compare`);
}

/** Index of the largest score, first index on ties; NaN scores never win (−1 when all are NaN). */
export function argmaxFirst(scores: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < scores.length; i++) if (!Number.isNaN(scores[i]) && (best === -1 || scores[i] > scores[best])) best = i;
  return best;
}

/** Indices by descending score, lower index first on ties, NaN scores last. */
export function rankDescending(scores: readonly number[]): number[] {
  const key = (i: number): number => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  return scores.map((_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
}
