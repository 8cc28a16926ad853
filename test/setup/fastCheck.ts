/**
 * Property tests draw their cases from one fixed seed, so a run of the suite is repeatable and CI cannot fail on a
 * case that the previous run never drew. To explore further, set FC_SEED (and PROP_RUNS where a file reads it);
 * fast-check prints the seed and path of any counterexample it finds.
 */
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261202) });
