import { z } from 'zod';
import { err, ok, type Result } from '../../kernel/index.js';
import { NormaliserSpec, type NormaliserSpecInput } from '../normalise/index.js';
import { parseBound } from './dates.js';
import { NAMED_FORMATS, type NamedFormat } from './formats.js';
import { unsafePatternReason } from './safe-regex.js';

/**
 * Validation rules as data: each rule names a check from a closed set of kinds, never code. The config file holds
 * them as JSON; `parseRules` is the one way in. docs/validation-rules.md describes every kind.
 */

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** A field of the profile, as a dotted path into its values: `email`, `address.postal_code`. */
export const FieldPath = z
  .string()
  .regex(/^[\p{L}\p{N}_$-]{1,64}(?:\.[\p{L}\p{N}_$-]{1,64}){0,7}$/u, 'Name a field as a dotted path of letters, digits, _ and -, such as address.postal_code')
  .refine((path) => path.split('.').every((segment) => !FORBIDDEN_SEGMENTS.has(segment)), '__proto__, constructor and prototype are not field names');

/** The violation code a rule reports: chosen by the user, always `rule.<snake_case>`, so it never clashes with the error catalogue. */
export const ViolationCode = z
  .string()
  .max(80)
  .regex(/^rule\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/, 'Write the code as rule.<snake_case>, such as rule.birth_date_in_future');

export const RuleId = z
  .string()
  .regex(/^[a-z][a-z0-9]*(?:[_.-][a-z0-9]+)*$/, 'Write the id in lower case with digits, _, - and ., such as birth-date-past')
  .max(64);

/** reject: the profile (or record) should not be accepted as it is; flag: accepted, and shown in the quality report. */
export const Severity = z.enum(['reject', 'flag']);
export type Severity = z.infer<typeof Severity>;

const Scalar = z.union([z.string().max(200), z.number(), z.boolean()]);

/** A date bound: an ISO date or date-time, `now`, or an offset from now such as `-120y`, `+30d`, `-6m`, `-2w`. */
export const DateBound = z.string().superRefine((text, ctx) => {
  const bound = parseBound(text);
  if (!bound.ok) ctx.addIssue({ code: 'custom', message: bound.error });
});

const MAX_AGE = 200;

// The TypeScript shapes are written out because the checks nest (all, any, not, if_present_then), and a recursive
// zod schema needs its type declared; Input is the JSON as written, the other the value after defaults.
export type ProfileCheck =
  | { kind: 'required'; fields: string[] }
  | { kind: 'range'; field: string; min?: number | string; max?: number | string }
  | { kind: 'age'; field: string; min?: number; max?: number }
  | { kind: 'pattern'; field: string; regex?: string; ignoreCase: boolean; format?: NamedFormat }
  | { kind: 'valid'; field: string; spec: NormaliserSpec }
  | { kind: 'consistent'; relation: 'postal_code_country'; postalCode: string; country: string }
  | { kind: 'one_of'; field: string; values: (string | number | boolean)[]; ignoreCase: boolean }
  | { kind: 'if_present_then'; fields: string[]; then: ProfileCheck }
  | { kind: 'all'; checks: ProfileCheck[] }
  | { kind: 'any'; checks: ProfileCheck[] }
  | { kind: 'not'; check: ProfileCheck };

export type ProfileCheckInput =
  | { kind: 'required'; fields: string[] }
  | { kind: 'range'; field: string; min?: number | string; max?: number | string }
  | { kind: 'age'; field: string; min?: number; max?: number }
  | { kind: 'pattern'; field: string; regex?: string; ignoreCase?: boolean; format?: NamedFormat }
  | { kind: 'valid'; field: string; spec: NormaliserSpecInput }
  | { kind: 'consistent'; relation?: 'postal_code_country'; postalCode: string; country: string }
  | { kind: 'one_of'; field: string; values: (string | number | boolean)[]; ignoreCase?: boolean }
  | { kind: 'if_present_then'; fields: string[]; then: ProfileCheckInput }
  | { kind: 'all'; checks: ProfileCheckInput[] }
  | { kind: 'any'; checks: ProfileCheckInput[] }
  | { kind: 'not'; check: ProfileCheckInput };

const RequiredCheck = z.strictObject({ kind: z.literal('required'), fields: z.array(FieldPath).min(1).max(50) });

const RangeCheck = z
  .strictObject({
    kind: z.literal('range'),
    field: FieldPath,
    min: z.union([z.number(), DateBound]).optional(),
    max: z.union([z.number(), DateBound]).optional(),
  })
  .superRefine((check, ctx) => {
    if (check.min === undefined && check.max === undefined) ctx.addIssue({ code: 'custom', message: 'Give min, max or both' });
    if (check.min !== undefined && check.max !== undefined && typeof check.min !== typeof check.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'min and max must both be numbers or both be dates' });
    }
    if (typeof check.min === 'number' && typeof check.max === 'number' && check.min > check.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max (${check.max}) is below min (${check.min})` });
    }
  });

const AgeCheck = z
  .strictObject({
    kind: z.literal('age'),
    field: FieldPath,
    min: z.number().int().min(0).max(MAX_AGE).optional(),
    max: z.number().int().min(0).max(MAX_AGE).optional(),
  })
  .superRefine((check, ctx) => {
    if (check.min === undefined && check.max === undefined) ctx.addIssue({ code: 'custom', message: 'Give min, max or both' });
    if (check.min !== undefined && check.max !== undefined && check.min > check.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max (${check.max}) is below min (${check.min})` });
    }
  });

const PatternCheck = z
  .strictObject({
    kind: z.literal('pattern'),
    field: FieldPath,
    regex: z.string().optional(),
    ignoreCase: z.boolean().default(false),
    format: z.enum(Object.keys(NAMED_FORMATS) as [NamedFormat, ...NamedFormat[]]).optional(),
  })
  .superRefine((check, ctx) => {
    if ((check.regex === undefined) === (check.format === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'Give either regex or format (a named format), not both' });
    }
    if (check.regex !== undefined) {
      const reason = unsafePatternReason(check.regex);
      // params.unsafePattern lets parseRules answer validation.unsafe_pattern rather than validation.invalid_rule.
      if (reason !== null) ctx.addIssue({ code: 'custom', path: ['regex'], message: `The regex is refused: ${reason}`, params: { unsafePattern: true } });
    }
  });

const ValidCheck = z.strictObject({ kind: z.literal('valid'), field: FieldPath, spec: NormaliserSpec });

const ConsistentCheck = z.strictObject({
  kind: z.literal('consistent'),
  /** The relation checked; one so far: the postal code belongs to the country (French codes and territories). */
  relation: z.enum(['postal_code_country']).default('postal_code_country'),
  postalCode: FieldPath,
  country: FieldPath,
});

const OneOfCheck = z.strictObject({
  kind: z.literal('one_of'),
  field: FieldPath,
  values: z.array(Scalar).min(1).max(1000),
  ignoreCase: z.boolean().default(false),
});

const MAX_CHECKS = 50;

// The kinds that look at one profile; a function, as the combinators refer back to ProfileCheck.
const profileCheckOptions = () =>
  [
    RequiredCheck,
    RangeCheck,
    AgeCheck,
    PatternCheck,
    ValidCheck,
    ConsistentCheck,
    OneOfCheck,
    z.strictObject({ kind: z.literal('if_present_then'), fields: z.array(FieldPath).min(1).max(50), then: ProfileCheck }),
    z.strictObject({ kind: z.literal('all'), checks: z.array(ProfileCheck).min(1).max(MAX_CHECKS) }),
    z.strictObject({ kind: z.literal('any'), checks: z.array(ProfileCheck).min(1).max(MAX_CHECKS) }),
    z.strictObject({ kind: z.literal('not'), check: ProfileCheck }),
  ] as const;

export const ProfileCheck: z.ZodType<ProfileCheck, ProfileCheckInput> = z.lazy(() => z.discriminatedUnion('kind', profileCheckOptions()));

/** A part of a grouping key: a field, optionally normalised first (addresses, postal codes) so that spellings agree. */
export const KeyPart = z.strictObject({ field: FieldPath, spec: NormaliserSpec.optional() });
export type KeyPart = z.infer<typeof KeyPart>;

/**
 * Across profiles: group profiles by `key`, count the distinct (normalised) values of `value` in each group, and
 * report every profile of a group holding more than `max`. One postal address, at most one phone number:
 * `{ "kind": "unique_per", "key": [{ "field": "address" }, { "field": "postal_code" }], "value": { "field": "phone" }, "max": 1 }`.
 */
export const UniquePerCheck = z.strictObject({
  kind: z.literal('unique_per'),
  key: z.array(KeyPart).min(1).max(10),
  value: KeyPart,
  max: z.number().int().min(1).default(1),
});
export type UniquePerCheck = z.infer<typeof UniquePerCheck>;

/**
 * Across profiles: flag the values of a numeric field outside the IQR fences [Q1 - k IQR, Q3 + k IQR] (method iqr,
 * k 1.5 by default) or with |z| > threshold (method zscore, threshold 3, population SD by default).
 */
export const OutlierCheck = z
  .strictObject({
    kind: z.literal('outlier'),
    field: FieldPath,
    method: z.enum(['iqr', 'zscore']),
    k: z.number().positive().max(100).optional(),
    threshold: z.number().positive().max(100).optional(),
    sd: z.enum(['population', 'sample']).optional(),
  })
  .superRefine((check, ctx) => {
    if (check.method === 'iqr' && (check.threshold !== undefined || check.sd !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'threshold and sd belong to method zscore; method iqr takes k' });
    }
    if (check.method === 'zscore' && check.k !== undefined) ctx.addIssue({ code: 'custom', path: ['k'], message: 'k belongs to method iqr; method zscore takes threshold' });
  });
export type OutlierCheck = z.infer<typeof OutlierCheck>;

/** The checks that need the whole batch of profiles: only `checkProfiles` runs them. */
export const BATCH_CHECK_KINDS = ['unique_per', 'outlier'] as const;

const RuleCheck = z.lazy(() => z.discriminatedUnion('kind', [UniquePerCheck, OutlierCheck, ...profileCheckOptions()]));
export type RuleCheck = z.infer<typeof RuleCheck>;

export const Rule = z.strictObject({
  id: RuleId,
  description: z.string().min(1).max(500),
  severity: Severity,
  code: ViolationCode,
  check: RuleCheck,
});
export type Rule = z.infer<typeof Rule>;
export type RuleInput = z.input<typeof Rule>;

/** A list of rules, ids unique. */
export const Rules = z
  .array(Rule)
  .max(1000)
  .superRefine((rules, ctx) => {
    const seen = new Map<string, number>();
    rules.forEach((rule, i) => {
      const first = seen.get(rule.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `The id ${rule.id} is already used by rule ${first}` });
      else seen.set(rule.id, i);
    });
  });

/** Why a list of rules was refused: each issue with its path (`3.check.regex`). */
export interface RulesProblem {
  readonly code: 'validation.invalid_rule' | 'validation.unsafe_pattern';
  readonly message: string;
  readonly issues: readonly { readonly path: string; readonly message: string }[];
}

/**
 * Parses rules read from the config file or an API body.
 *
 * ```ts
 * const rules = parseRules(JSON.parse(text).rules);
 * if (!rules.ok) console.error(rules.error.message); // "Rule 2 (check.regex): The regex is refused: ..."
 * ```
 */
export function parseRules(input: unknown): Result<Rule[], RulesProblem> {
  const parsed = Rules.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || 'rules', message: issue.message }));
  const unsafe = parsed.error.issues.some((issue) => issue.code === 'custom' && issue.params?.['unsafePattern'] === true);
  return err({
    code: unsafe ? 'validation.unsafe_pattern' : 'validation.invalid_rule',
    message: `The rules are invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`,
    issues,
  });
}
