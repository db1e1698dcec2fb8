/**
 * Validation rules over profiles, declared as data (docs/validation-rules.md): a closed set of check kinds, each
 * violation with a user-chosen `rule.*` code and a severity (reject or flag), and outlier flags on numeric fields.
 *
 * ```ts
 * const rules = parseRules(FRENCH_CUSTOMER_RULES);
 * if (rules.ok) checkProfiles(rules.value, profiles, { now: clock.now(), maskPersonal: true });
 * ```
 */
export {
  BATCH_CHECK_KINDS,
  DateBound,
  FieldPath,
  KeyPart,
  OutlierCheck,
  ProfileCheck,
  Rule,
  RuleId,
  Rules,
  Severity,
  UniquePerCheck,
  ViolationCode,
  parseRules,
  type ProfileCheckInput,
  type RuleCheck,
  type RuleInput,
  type RulesProblem,
} from './schema.js';
export { checkProfile, checkProfiles, compileRules, CompiledRules, type CheckOptions, type Violation } from './evaluate.js';
export {
  iqrOutliers,
  numericColumn,
  quantile,
  zScoreOutliers,
  type IqrOutliers,
  type NumericColumn,
  type NumericSample,
  type OutlierFlag,
  type ZScoreOutliers,
} from './outliers.js';
export { fieldValue, type RuleProfile } from './profile-values.js';
export { NAMED_FORMATS, type NamedFormat } from './formats.js';
export { MAX_PATTERN_INPUT, MAX_PATTERN_LENGTH, MAX_REPETITIONS, unsafePatternReason } from './safe-regex.js';
export { FRENCH_CUSTOMER_RULES, SEGMENT_TRAIT_RULES, renameRuleFields } from './french-rules.js';
