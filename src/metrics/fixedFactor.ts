/**
 * The fixed-factor protocol that the FactorVAE and BetaVAE metrics share: batches of factor rows in which one
 * factor is held fixed, in disentanglement_lib's form (the factor drawn uniformly per vote or point) or InfoGAN-CR's
 * (group m fixes factor m mod K), with each reference's sample sizes. Not a metric: both metric files read it.
 */
import { DisentangleError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { GroundTruthDataset, Preset, RepresentationFunction, RunOptions, TensorLike } from '../core/types.js';
import { enumOption, intOption } from '../core/validate.js';
import type { CodeRouteOptions } from '../data/sampling.js';

/** Options the FactorVAE and BetaVAE metrics both take. */
export interface FixedFactorOptions<Obs = TensorLike> extends RunOptions, CodeRouteOptions {
  dataset: GroundTruthDataset<Obs>;
  /** The model's representation; optional when `codeTable` is given. */
  represent?: RepresentationFunction<Obs>;
  /** Rows per batch. DL 64 (BetaVAE: two such batches per point); InfoGAN-CR 100 (one group). */
  batchSize?: number;
  /** Training votes (FactorVAE) or points (BetaVAE). DL 10,000; InfoGAN-CR 500 groups. */
  numTrain?: number;
  /** Held-out votes or points. DL 5,000; InfoGAN-CR 500 when `evalMode: 'heldout'`. */
  numEval?: number;
  /** Which reference's protocol to reproduce (default 'disentanglement_lib'). */
  preset?: Preset;
  /** 'heldout' scores fresh votes or points (DL); 'train' scores the training ones (InfoGAN-CR). */
  evalMode?: 'train' | 'heldout';
}

/**
 * The option names a fixed-factor entry accepts besides its own: those of {@link FixedFactorOptions} (the
 * `satisfies` keeps list and interface equal), and `sharedDraws`, which `evaluate()`'s metric table hands every
 * entry it runs and these metrics do not read (they draw no train/test split).
 */
export const FIXED_FACTOR_OPTION_NAMES: readonly string[] = [
  ...Object.keys({
    dataset: 0,
    represent: 0,
    codeTable: 0,
    codeSource: 0,
    seed: 0,
    batchSize: 0,
    onProgress: 0,
    signal: 0,
    numTrain: 0,
    numEval: 0,
    preset: 0,
    evalMode: 0,
  } satisfies Record<keyof FixedFactorOptions, 0>),
  'sharedDraws',
];

/** What a preset decides about the protocol: its defaults and how the fixed factor is chosen. */
interface ProtocolDefaults {
  batchSize: number;
  numTrain: number;
  numEval: number;
  evalMode: 'train' | 'heldout';
  /** 'uniform': a factor drawn per vote (DL); 'cyclic': vote m fixes factor m mod K (InfoGAN-CR). */
  factorChoice: 'uniform' | 'cyclic';
}

const PROTOCOLS: Record<Preset, ProtocolDefaults> = {
  disentanglement_lib: { batchSize: 64, numTrain: 10000, numEval: 5000, evalMode: 'heldout', factorChoice: 'uniform' },
  'infogan-cr': { batchSize: 100, numTrain: 500, numEval: 500, evalMode: 'train', factorChoice: 'cyclic' },
};

/** The fixed-factor protocol of one run, with every option resolved. */
export interface FixedFactorPlan {
  preset: Preset;
  batchSize: number;
  numTrain: number;
  /** 0 when `evalMode` is 'train'. */
  numEval: number;
  evalMode: 'train' | 'heldout';
  /** The factor that vote (or point) `index` holds fixed; draws from `rng` only under the uniform choice. */
  factorOf(index: number, rng: Rng): number;
}

/**
 * Reads the options common to the fixed-factor metrics, with each preset's defaults, for a dataset with
 * `factorSizes`. The InfoGAN-CR protocol needs at least one group per factor.
 *
 * @example
 * const plan = fixedFactorPlan({ preset: 'infogan-cr' }, [3, 6, 40, 32, 32]); // batchSize 100, numTrain 500, numEval 0
 */
export function fixedFactorPlan(
  options: Pick<FixedFactorOptions, 'preset' | 'batchSize' | 'numTrain' | 'numEval' | 'evalMode'>,
  factorSizes: readonly number[],
): FixedFactorPlan {
  const preset = enumOption(options.preset, 'preset', ['disentanglement_lib', 'infogan-cr'] as const, 'disentanglement_lib');
  const defaults = PROTOCOLS[preset];
  const evalMode = enumOption(options.evalMode, 'evalMode', ['train', 'heldout'] as const, defaults.evalMode);
  const batchSize = intOption(options.batchSize, 'batchSize', defaults.batchSize, 2);
  const numTrain = intOption(options.numTrain, 'numTrain', defaults.numTrain);
  const numEval = evalMode === 'train' ? 0 : intOption(options.numEval, 'numEval', defaults.numEval);
  const K = factorSizes.length;
  if (defaults.factorChoice === 'cyclic' && numTrain < K) {
    throw new DisentangleError('BAD_OPTION', 'numTrain', `the ${preset} preset needs at least one group per factor (${K}), got ${numTrain}`);
  }
  const factorOf = defaults.factorChoice === 'cyclic' ? (index: number): number => index % K : (_index: number, rng: Rng): number => rng.int(K);
  return { preset, batchSize, numTrain, numEval, evalMode, factorOf };
}
