import { describe, expect, it } from 'vitest';
import { FRENCH_CUSTOMER_RULES } from './french-rules.js';
import { parseRules, type RuleInput } from './schema.js';

const rule = (check: unknown, extra: Partial<RuleInput> = {}): unknown => ({
  id: 'r1',
  description: 'A rule',
  severity: 'flag',
  code: 'rule.something_wrong',
  check,
  ...extra,
});

describe('parseRules', () => {
  it('accepts the French default rule set and fills in defaults', () => {
    const parsed = parseRules(FRENCH_CUSTOMER_RULES);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.map((r) => r.id)).toEqual(FRENCH_CUSTOMER_RULES.map((r) => r.id));
    const phone = parsed.value.find((r) => r.id === 'phone-valid')?.check;
    expect(phone).toMatchObject({ kind: 'valid', spec: { kind: 'phone', defaultRegion: 'FR', frenchOverseas: true } });
  });

  it('round-trips through JSON, as rules live in the config file', () => {
    const parsed = parseRules(JSON.parse(JSON.stringify(FRENCH_CUSTOMER_RULES)));
    expect(parsed.ok).toBe(true);
  });

  it.each([
    ['a code outside rule.*', rule({ kind: 'required', fields: ['email'] }, { code: 'quality.invalid_email' }), '0.code'],
    ['a code not in snake_case', rule({ kind: 'required', fields: ['email'] }, { code: 'rule.BirthDate' }), '0.code'],
    ['an unknown severity', rule({ kind: 'required', fields: ['email'] }, { severity: 'warn' as 'flag' }), '0.severity'],
    ['an unknown kind', rule({ kind: 'script', source: 'return true' }), '0.check.kind'],
    ['an unknown option', rule({ kind: 'required', fields: ['email'], when: 'always' }), '0.check'],
    ['a range without bounds', rule({ kind: 'range', field: 'age' }), '0.check'],
    ['a range mixing numbers and dates', rule({ kind: 'range', field: 'age', min: 0, max: 'now' }), '0.check.max'],
    ['a range upside down', rule({ kind: 'range', field: 'age', min: 10, max: 1 }), '0.check.max'],
    ['a bad relative date', rule({ kind: 'range', field: 'birth_date', min: '-120 years' }), '0.check.min'],
    ['an age above 200', rule({ kind: 'age', field: 'birth_date', max: 500 }), '0.check.max'],
    ['a pattern with both regex and format', rule({ kind: 'pattern', field: 'cp', regex: '^\\d{5}$', format: 'digits' }), '0.check'],
    ['an unknown named format', rule({ kind: 'pattern', field: 'cp', format: 'fr_iban' }), '0.check.format'],
    ['a bad normaliser spec', rule({ kind: 'valid', field: 'phone', spec: { kind: 'phone', defaultRegion: 'XX' } }), '0.check.spec.defaultRegion'],
    ['a field path into the prototype', rule({ kind: 'required', fields: ['__proto__.polluted'] }), '0.check.fields.0'],
    ['a nested bad check', rule({ kind: 'all', checks: [{ kind: 'not', check: { kind: 'one_of', field: 'x', values: [] } }] }), '0.check.checks.0.check.values'],
    ['unique_per with max 0', rule({ kind: 'unique_per', key: [{ field: 'address' }], value: { field: 'phone' }, max: 0 }), '0.check.max'],
    ['an outlier rule mixing methods', rule({ kind: 'outlier', field: 'basket', method: 'zscore', k: 2 }), '0.check.k'],
  ])('refuses %s with validation.invalid_rule and the path', (_name, input, path) => {
    const parsed = parseRules([input]);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe('validation.invalid_rule');
    expect(parsed.error.issues.map((i) => i.path)).toContain(path);
  });

  it('refuses duplicate ids', () => {
    const parsed = parseRules([rule({ kind: 'required', fields: ['email'] }), rule({ kind: 'required', fields: ['phone'] })]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).toContain('1.id: The id r1 is already used by rule 0');
  });

  it('refuses a catastrophic regex with validation.unsafe_pattern, even nested in a combinator', () => {
    const parsed = parseRules([
      rule({ kind: 'if_present_then', fields: ['email'], then: { kind: 'pattern', field: 'email', regex: '^([a-z]+)+@example\\.fr$' } }),
    ]);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe('validation.unsafe_pattern');
    expect(parsed.error.issues[0]?.path).toBe('0.check.then.regex');
    expect(parsed.error.message).toContain('exponential time');
  });
});
