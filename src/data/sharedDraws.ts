/**
 * One draw for the metrics of a run that ask for the same sample. MIG, SAP, DCI, modularity, explicitness, IRS,
 * the unsupervised scores and AAM all start from `generate_batch_factor_code` with the run's seed, the same
 * number of points and the same batch size, so their train (and test) splits are the same rows and codes. The
 * first metric to ask draws them; a later one gets a copy instead of drawing again.
 */
import type { IntMatrix, Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';

/** What decides a split's rows: the rng maker and its seed, which child stream, how many rows, in which batches. */
export interface DrawKey {
  createRng: (seed: number) => Rng;
  seed: number;
  split: 'train' | 'test';
  numPoints: number;
  batchSize: number;
}

interface Draw {
  codes: Matrix;
  factors: IntMatrix;
}

/**
 * @internal Draws of one `evaluate()` run by {@link DrawKey}. Sharing is exact only when the same key gives the
 * same codes, i.e. for a deterministic `represent` (a stochastic one makes the metrics see one draw of its noise,
 * as a single pass over the data would); `evaluate({ shareDraws: false })` turns it off.
 */
export class SharedDraws {
  /** Rows handed out again instead of being drawn. */
  sharedImages = 0;
  private readonly byMaker = new Map<DrawKey['createRng'], Map<string, Draw>>();

  /**
   * The draw for `key`: made by `make` the first time, a copy of the kept one afterwards (a metric may
   * standardise its codes in place, so nobody gets the kept arrays). `onReuse` runs only when nothing is drawn.
   */
  async draw(key: DrawKey, make: () => Promise<Draw>, onReuse?: () => void): Promise<Draw> {
    let kept = this.byMaker.get(key.createRng);
    if (!kept) this.byMaker.set(key.createRng, (kept = new Map()));
    const id = `${key.seed}|${key.split}|${key.numPoints}|${key.batchSize}`;
    const hit = kept.get(id);
    if (hit) {
      this.sharedImages += hit.factors.rows;
      onReuse?.();
      return copyDraw(hit);
    }
    const made = await make();
    kept.set(id, copyDraw(made));
    return made;
  }
}

function copyDraw(d: Draw): Draw {
  return {
    codes: { data: d.codes.data.slice(), rows: d.codes.rows, cols: d.codes.cols },
    factors: { data: d.factors.data.slice(), rows: d.factors.rows, cols: d.factors.cols },
  };
}
