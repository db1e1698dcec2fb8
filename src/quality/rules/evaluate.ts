import { AppError, assertNever } from '../../kernel/index.js';
import {
  buildNormaliser,
  countryNormaliser,
  postalCodeNormaliser,
  type NormalisedValue,
  type NormaliseError,
  type Normaliser,
} from '../normalise/index.js';
import { ageInYears, parseBound, parseInstant, resolveBound } from './dates.js';
import { NAMED_FORMATS } from './formats.js';
import { iqrOutliers, numericColumn, zScoreOutliers } from './outliers.js';
import { fieldValue, isPresent, numberOf, type RuleProfile } from './profile-values.js';
import { MAX_PATTERN_INPUT, unsafePatternReason } from './safe-regex.js';
import type { KeyPart, OutlierCheck, ProfileCheck, Rule, Severity, UniquePerCheck } from './schema.js';

/** One broken rule: which rule, its code and severity, the profile and field at fault, and what to do. */
export interface Violation {
  readonly ruleId: string;
  readonly code: string;
  readonly severity: Severity;
  readonly profileId?: string;
  readonly field?: string;
  /** The value at fault; left out when the field's values are masked. */
  readonly value?: unknown;
  readonly message: string;
}

export interface CheckOptions {
  /** The clock's time: `now`, relative bounds (`-120y`) and ages are computed from it. */
  readonly now: Date;
  /**
   * Keep personal values out of violations: `true` masks every value, a list masks the fields named (case-blind; a
   * name also covers the fields below it, `address` masks `address.postal_code`). Masked values are left out of
   * `value` and shown as *** in messages.
   */
  readonly maskPersonal?: boolean | readonly string[];
}

const MASK = '***';

/** What a check found wrong in a profile, before the rule adds its id, code and severity. */
interface Failure {
  readonly field?: string;
  readonly value?: unknown;
  readonly message: string;
}

interface Context {
  readonly now: Date;
  readonly masked: (field: string) => boolean;
}

type CompiledCheck = (profile: RuleProfile, ctx: Context) => Failure[];

/** Rules with their regexes and normalisers built once, to be run on many profiles. */
export class CompiledRules {
  /** @internal */
  readonly perProfile: readonly { readonly rule: Rule; readonly test: CompiledCheck }[];
  /** @internal */
  readonly batch: readonly { readonly rule: Rule; readonly check: UniquePerCheck | OutlierCheck; readonly keys: readonly CompiledKey[] }[];
  constructor(readonly rules: readonly Rule[]) {
    const perProfile: { rule: Rule; test: CompiledCheck }[] = [];
    const batch: { rule: Rule; check: UniquePerCheck | OutlierCheck; keys: CompiledKey[] }[] = [];
    for (const rule of rules) {
      const check = rule.check;
      if (check.kind === 'unique_per') batch.push({ rule, check, keys: [...check.key, check.value].map(compileKey) });
      else if (check.kind === 'outlier') batch.push({ rule, check, keys: [] });
      else perProfile.push({ rule, test: compileCheck(check) });
    }
    this.perProfile = perProfile;
    this.batch = batch;
  }
}

/** Builds the regexes and normalisers of parsed rules once; `checkProfile` and `checkProfiles` take the result too. */
export function compileRules(rules: readonly Rule[]): CompiledRules {
  return new CompiledRules(rules);
}

/**
 * The violations of one profile under the per-profile rules (cross-profile rules, unique_per and outlier, need
 * `checkProfiles`).
 *
 * ```ts
 * const rules = parseRules(FRENCH_CUSTOMER_RULES);
 * if (rules.ok) checkProfile(rules.value, { id: 'p1', values: { birth_date: '2190-01-01' } }, { now: clock.now() });
 * // [{ ruleId: 'birth-date-past', code: 'rule.birth_date_in_future', severity: 'reject', ... }]
 * ```
 */
export function checkProfile(rules: readonly Rule[] | CompiledRules, profile: RuleProfile, options: CheckOptions): Violation[] {
  const compiled = rules instanceof CompiledRules ? rules : compileRules(rules);
  return profileViolations(compiled, profile, context(options));
}

/**
 * The violations of a batch of profiles: every per-profile rule on each, then the cross-profile rules (unique_per,
 * outlier) over the batch. Violations come in profile order, then in rule order.
 */
export function checkProfiles(rules: readonly Rule[] | CompiledRules, profiles: readonly RuleProfile[], options: CheckOptions): Violation[] {
  const compiled = rules instanceof CompiledRules ? rules : compileRules(rules);
  const ctx = context(options);
  const out: Violation[] = [];
  for (const profile of profiles) out.push(...profileViolations(compiled, profile, ctx));
  for (const { rule, check, keys } of compiled.batch) {
    const failures = check.kind === 'unique_per' ? uniquePer(check, keys, profiles, ctx) : outliers(check, profiles, ctx);
    for (const f of failures) out.push(violation(rule, f.failure, f.profileId));
  }
  return out;
}

function context(options: CheckOptions): Context {
  const mask = options.maskPersonal ?? false;
  if (typeof mask === 'boolean') return { now: options.now, masked: () => mask };
  const names = mask.map((name) => name.toLowerCase());
  return {
    now: options.now,
    masked: (field) => {
      const lower = field.toLowerCase();
      return names.some((name) => lower === name || lower.startsWith(`${name}.`));
    },
  };
}

function profileViolations(compiled: CompiledRules, profile: RuleProfile, ctx: Context): Violation[] {
  const out: Violation[] = [];
  for (const { rule, test } of compiled.perProfile) {
    for (const failure of test(profile, ctx)) out.push(violation(rule, failure, profile.id));
  }
  return out;
}

function violation(rule: Rule, failure: Failure, profileId: string): Violation {
  return {
    ruleId: rule.id,
    code: rule.code,
    severity: rule.severity,
    profileId,
    ...(failure.field === undefined ? {} : { field: failure.field }),
    ...('value' in failure ? { value: failure.value } : {}),
    message: failure.message,
  };
}

/** A failure about a field's value: the value is kept unless the field is masked. */
function about(ctx: Context, field: string, value: unknown, message: (shown: string) => string): Failure {
  const masked = ctx.masked(field);
  return masked ? { field, message: message(MASK) } : { field, value, message: message(quote(value)) };
}

/** A value as it can be quoted in a message: strings quoted and cut at 60 characters. */
function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  return Array.isArray(value) ? 'a list' : 'an object';
}

function instantOf(value: unknown): number | null {
  if (typeof value === 'string') return parseInstant(value.trim());
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  return null;
}

function isoDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

function compileCheck(check: ProfileCheck): CompiledCheck {
  switch (check.kind) {
    case 'required':
      return (profile) =>
        check.fields
          .filter((field) => !isPresent(fieldValue(profile, field)))
          .map((field) => ({ field, message: `${field} is missing: fill it in.` }));
    case 'range':
      return compileRange(check);
    case 'age': {
      const { field, min, max } = check;
      const span = `${min ?? 0} to ${max === undefined ? 'any age' : `${max} years`}`;
      return (profile, ctx) => {
        const value = fieldValue(profile, field);
        if (!isPresent(value)) return [];
        const birth = instantOf(value);
        if (birth === null) return [about(ctx, field, value, (v) => `${field} ${v} is not an ISO date (YYYY-MM-DD), so no age can be computed.`)];
        const age = ageInYears(birth, ctx.now);
        if ((min !== undefined && age < min) || (max !== undefined && age > max)) {
          const what = age < 0 ? 'a birth date after today' : `an age of ${age} years`;
          return [about(ctx, field, value, (v) => `${field} ${v} gives ${what} on ${isoDay(ctx.now.getTime())}; expected ${span}.`)];
        }
        return [];
      };
    }
    case 'pattern': {
      const { field } = check;
      let regex: RegExp;
      let name: string;
      if (check.format !== undefined) {
        regex = NAMED_FORMATS[check.format];
        name = `the format ${check.format}`;
      } else {
        const source = check.regex ?? '';
        // Parsed rules were checked already; rules built in code without parseRules are checked here.
        const reason = unsafePatternReason(source);
        if (reason !== null) throw new AppError('validation.unsafe_pattern', `The regex ${source} is refused: ${reason}.`);
        regex = new RegExp(source, check.ignoreCase ? 'iu' : 'u');
        name = `the pattern ${source}`;
      }
      return (profile, ctx) => {
        const value = fieldValue(profile, field);
        if (!isPresent(value)) return [];
        const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
        if (typeof text !== 'string') return [about(ctx, field, value, (v) => `${field} ${v} is not text, so it cannot match ${name}.`)];
        if (text.length > MAX_PATTERN_INPUT) {
          return [about(ctx, field, value, (v) => `${field} ${v} is longer than ${MAX_PATTERN_INPUT} characters, the most a pattern is run on.`)];
        }
        return regex.test(text) ? [] : [about(ctx, field, value, (v) => `${field} ${v} does not match ${name}.`)];
      };
    }
    case 'valid': {
      const { field, spec } = check;
      const normalise = buildNormaliser(spec);
      return (profile, ctx) => {
        const value = fieldValue(profile, field);
        if (!isPresent(value)) return [];
        const result = normalise(value);
        return result.ok ? [] : [refusal(ctx, field, value, spec.kind, result.error)];
      };
    }
    case 'consistent':
      return compileConsistent(check);
    case 'one_of': {
      const { field, values, ignoreCase } = check;
      const key = (v: unknown): unknown => (ignoreCase && typeof v === 'string' ? v.trim().toLocaleLowerCase('fr') : v);
      const allowed = new Set(values.map(key));
      const list = values.slice(0, 10).map(quote).join(', ') + (values.length > 10 ? ', ...' : '');
      return (profile, ctx) => {
        const value = fieldValue(profile, field);
        if (!isPresent(value)) return [];
        return allowed.has(key(value)) ? [] : [about(ctx, field, value, (v) => `${field} ${v} is not one of the allowed values: ${list}.`)];
      };
    }
    case 'if_present_then': {
      const then = compileCheck(check.then);
      return (profile, ctx) => (check.fields.every((f) => isPresent(fieldValue(profile, f))) ? then(profile, ctx) : []);
    }
    case 'all': {
      const parts = check.checks.map(compileCheck);
      return (profile, ctx) => parts.flatMap((part) => part(profile, ctx));
    }
    case 'any': {
      const parts = check.checks.map(compileCheck);
      return (profile, ctx) => {
        const failures: Failure[] = [];
        for (const part of parts) {
          const found = part(profile, ctx);
          if (found.length === 0) return [];
          failures.push(...found);
        }
        const fields = new Set(failures.map((f) => f.field));
        const [only] = fields;
        return [
          {
            ...(fields.size === 1 && only !== undefined ? { field: only } : {}),
            message: `None of the alternatives holds: ${failures.map((f) => f.message).join(' / ')}`,
          },
        ];
      };
    }
    case 'not': {
      const inner = compileCheck(check.check);
      const text = describe(check.check);
      return (profile, ctx) => (inner(profile, ctx).length === 0 ? [{ message: `This must not hold: ${text}.` }] : []);
    }
    default:
      return assertNever(check, 'check');
  }
}

function compileRange(check: Extract<ProfileCheck, { kind: 'range' }>): CompiledCheck {
  const { field, min, max } = check;
  if (typeof min === 'number' || typeof max === 'number') {
    const lo = typeof min === 'number' ? min : -Infinity;
    const hi = typeof max === 'number' ? max : Infinity;
    return (profile, ctx) => {
      const value = fieldValue(profile, field);
      if (!isPresent(value)) return [];
      const n = numberOf(value);
      if (n === null) return [about(ctx, field, value, (v) => `${field} ${v} is not a number.`)];
      if (n < lo) return [about(ctx, field, value, (v) => `${field} ${v} is below the minimum ${lo}.`)];
      if (n > hi) return [about(ctx, field, value, (v) => `${field} ${v} is above the maximum ${hi}.`)];
      return [];
    };
  }
  // Date bounds were checked by the schema; a bound that does not parse here is a rule built without parseRules.
  const bound = (text: string | undefined) => {
    if (text === undefined) return undefined;
    const parsed = parseBound(text);
    if (!parsed.ok) throw new AppError('validation.invalid_rule', `The range of ${field} is invalid: ${parsed.error}.`);
    return { text, bound: parsed.value };
  };
  const lo = bound(min);
  const hi = bound(max);
  return (profile, ctx) => {
    const value = fieldValue(profile, field);
    if (!isPresent(value)) return [];
    const at = instantOf(value);
    if (at === null) return [about(ctx, field, value, (v) => `${field} ${v} is not an ISO date (YYYY-MM-DD or a date-time with its zone).`)];
    if (lo !== undefined) {
      const limit = resolveBound(lo.bound, ctx.now);
      if (at < limit) return [about(ctx, field, value, (v) => `${field} ${v} is before ${lo.text} (${isoDay(limit)}).`)];
    }
    if (hi !== undefined) {
      const limit = resolveBound(hi.bound, ctx.now);
      if (at > limit) return [about(ctx, field, value, (v) => `${field} ${v} is after ${hi.text} (${isoDay(limit)}).`)];
    }
    return [];
  };
}

function compileConsistent(check: Extract<ProfileCheck, { kind: 'consistent' }>): CompiledCheck {
  const { postalCode, country } = check;
  const readCountry = countryNormaliser();
  // One postal-code normaliser per country met, built on first use: there are fewer than 250 countries.
  const byCountry = new Map<string, Normaliser<string>>();
  return (profile, ctx) => {
    const code = fieldValue(profile, postalCode);
    const place = fieldValue(profile, country);
    if (!isPresent(code) || !isPresent(place)) return [];
    const countryCode = readCountry(place);
    if (!countryCode.ok) return [refusal(ctx, country, place, 'country', countryCode.error)];
    let normalise = byCountry.get(countryCode.value);
    if (normalise === undefined) {
      normalise = postalCodeNormaliser({ country: countryCode.value });
      byCountry.set(countryCode.value, normalise);
    }
    const result = normalise(code);
    if (result.ok) return [];
    const masked = ctx.masked(postalCode) || ctx.masked(country);
    return [
      masked
        ? { field: postalCode, message: `${postalCode} does not belong to the country in ${country} (${result.error.code}).` }
        : { field: postalCode, value: code, message: `${postalCode} and ${country}: ${result.error.message}` },
    ];
  };
}

/** A normaliser's refusal as a failure: its message quotes the value, so a masked field gets the code alone. */
function refusal(ctx: Context, field: string, value: unknown, kind: string, error: NormaliseError): Failure {
  if (ctx.masked(field)) return { field, message: `${field} is not a valid ${kind} (${error.code}).` };
  return { field, value, message: `${field}: ${error.message}` };
}

/** A short text for a check, for the message of `not`. */
function describe(check: ProfileCheck): string {
  switch (check.kind) {
    case 'required':
      return `${check.fields.join(', ')} filled in`;
    case 'range':
      return `${check.field} within [${check.min ?? '-inf'}, ${check.max ?? '+inf'}]`;
    case 'age':
      return `the age from ${check.field} within [${check.min ?? 0}, ${check.max ?? '+inf'}]`;
    case 'pattern':
      return `${check.field} matches ${check.format ?? check.regex ?? ''}`;
    case 'valid':
      return `${check.field} is a valid ${check.spec.kind} (or empty)`;
    case 'consistent':
      return `${check.postalCode} belongs to ${check.country}`;
    case 'one_of':
      return `${check.field} is one of ${check.values.map(quote).join(', ')}`;
    case 'if_present_then':
      return `if ${check.fields.join(', ')} are filled in, ${describe(check.then)}`;
    case 'all':
      return check.checks.map(describe).join(' and ');
    case 'any':
      return check.checks.map(describe).join(' or ');
    case 'not':
      return `not (${describe(check.check)})`;
    default:
      return assertNever(check, 'check');
  }
}

/** A key part with its normaliser built. */
interface CompiledKey {
  readonly field: string;
  readonly normalise: Normaliser<NormalisedValue> | null;
}

function compileKey(part: KeyPart): CompiledKey {
  return { field: part.field, normalise: part.spec === undefined ? null : buildNormaliser(part.spec) };
}

/**
 * The text a value is compared by: the normalised value when the spec accepts it (phones by E.164), else the text
 * trimmed, with spaces collapsed and lower-cased, so that a value the normaliser refuses still groups with its twins.
 */
function canonical(key: CompiledKey, value: unknown): string {
  if (key.normalise !== null) {
    const result = key.normalise(value);
    if (result.ok) {
      const v = result.value;
      if (typeof v === 'object') return 'e164' in v ? v.e164 : JSON.stringify(v);
      return String(v);
    }
  }
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim().toLocaleLowerCase('fr');
}

const LISTED_IDS = 10;

function uniquePer(
  check: UniquePerCheck,
  compiledKeys: readonly CompiledKey[],
  profiles: readonly RuleProfile[],
  ctx: Context,
): { profileId: string; failure: Failure }[] {
  const keys = compiledKeys.slice(0, -1);
  const valueKey = compiledKeys[compiledKeys.length - 1];
  if (valueKey === undefined) return [];
  const groups = new Map<string, { shown: string[]; members: { id: string; value: unknown }[]; distinct: Set<string> }>();
  for (const profile of profiles) {
    const raw = keys.map((k) => fieldValue(profile, k.field));
    if (!raw.every(isPresent)) continue;
    const value = fieldValue(profile, valueKey.field);
    if (!isPresent(value)) continue;
    const parts = keys.map((k, i) => canonical(k, raw[i]));
    const id = JSON.stringify(parts);
    let group = groups.get(id);
    if (group === undefined) {
      group = { shown: parts, members: [], distinct: new Set() };
      groups.set(id, group);
    }
    group.members.push({ id: profile.id, value });
    group.distinct.add(canonical(valueKey, value));
  }
  const keyFields = keys.map((k) => k.field).join(' + ');
  const out: { profileId: string; failure: Failure }[] = [];
  for (const group of groups.values()) {
    if (group.distinct.size <= check.max) continue;
    const shownKey = keys.map((k, i) => (ctx.masked(k.field) ? MASK : (group.shown[i] ?? ''))).join(', ');
    const ids = group.members.slice(0, LISTED_IDS).map((m) => m.id).join(', ') + (group.members.length > LISTED_IDS ? ', ...' : '');
    const message =
      `${group.members.length} profiles share ${keyFields} "${shownKey}" with ${group.distinct.size} different ${valueKey.field} values ` +
      `(at most ${check.max}): ${ids}. Check which ${valueKey.field} is right, or whether the profiles are one person.`;
    for (const member of group.members) {
      out.push({
        profileId: member.id,
        failure: ctx.masked(valueKey.field) ? { field: valueKey.field, message } : { field: valueKey.field, value: member.value, message },
      });
    }
  }
  return out;
}

function outliers(check: OutlierCheck, profiles: readonly RuleProfile[], ctx: Context): { profileId: string; failure: Failure }[] {
  const column = numericColumn(profiles, check.field);
  const result =
    check.method === 'iqr'
      ? iqrOutliers(column.samples, check.k === undefined ? {} : { k: check.k })
      : zScoreOutliers(column.samples, {
          ...(check.threshold === undefined ? {} : { threshold: check.threshold }),
          ...(check.sd === undefined ? {} : { sd: check.sd }),
        });
  const fences =
    result.method === 'iqr'
      ? `[Q1 - ${result.k} IQR, Q3 + ${result.k} IQR] = [${round(result.lower)}, ${round(result.upper)}]`
      : `mean ± ${result.threshold} SD (${result.sd}) = [${round(result.lower)}, ${round(result.upper)}]`;
  return result.flagged.map((flag) => ({
    profileId: flag.profileId,
    failure: about(ctx, check.field, flag.value, (v) => `${check.field} ${v} is ${flag.side === 'low' ? 'below' : 'above'} ${fences} of ${result.n} values.`),
  }));
}

function round(x: number | null): string {
  return x === null ? '?' : String(Math.round(x * 1000) / 1000);
}
