/**
 * Record matching: exact keys, blocking, field comparators, a Fellegi-Sunter model fitted by EM, clustering.
 * See docs/matching.md.
 */
export { matchRecords, type MatchResult, type MatchSummary, type PairExplanation, type Phase } from './match-records.js';
export {
  DEFAULT_OPTIONS,
  DEFAULT_BLOCKING,
  DEFAULT_EXACT_KEYS,
  MatchConfigFile,
  Role as MatchRole,
  BlockingRule,
  defaultRoleOf,
  type MatchOptions,
} from './config.js';
export { parseCsv, type CsvTable, type CsvProblem } from './csv.js';
export { parseMatchConfig, optionsFrom, recordsFromCsv, rolesOf, type MatchingProblem } from './columns.js';
export { buildRecordTable, type RecordInput, type RecordTable } from './features.js';
export { jaro, jaroWinkler } from './jaro-winkler.js';
export { soundex, soundexFr } from './phonetic.js';
export { exactDigest } from './exact.js';
export { febrlEntity, pairwiseQuality, pairCompleteness, countTruePairs, type PairwiseQuality } from './evaluate.js';
export type { FsModel, FieldModel, FieldExplanation } from './fellegi-sunter.js';
export type { Cluster } from './cluster.js';
export type { RuleStats } from './blocking.js';
