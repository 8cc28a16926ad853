export { planUnits, shardUnits, parseShard } from './units.js';
export type { PlanUnitsOptions, PopulationPlan, PopulationSettings, PopulationMethod, Unit, ScoreUnit, RepresentationUnit, PairUnit, Shard } from './units.js';
export { runUnit, runUnits } from './runUnit.js';
export type { RunUnitOptions, RunUnitsOptions, UnitOutcome, ModelLoader } from './runUnit.js';
export { mergeResults } from './merge.js';
export type { MergedResults, MergedScores, MergedSelection } from './merge.js';
export { resolvePopulation, modelDigest } from './modelFiles.js';
export type { UnitFileStatus } from './resultFiles.js';
