import type { RuleInput } from './schema.js';

/**
 * Rules for French customer data, as data: the same JSON a config file would hold. Field names follow the snake_case
 * columns of CRM exports (birth_date, postal_code, country, email, phone, address); SEGMENT_TRAIT_RULES holds the
 * same rules over Segment's reserved traits. Parse them with `parseRules(FRENCH_CUSTOMER_RULES)`.
 */
export const FRENCH_CUSTOMER_RULES = [
  {
    id: 'birth-date-past',
    description: 'The birth date is a real date, not after today.',
    severity: 'reject',
    code: 'rule.birth_date_in_future',
    check: { kind: 'range', field: 'birth_date', max: 'now' },
  },
  {
    id: 'age-plausible',
    description: 'The age from the birth date is between 0 and 120 years.',
    severity: 'flag',
    code: 'rule.implausible_age',
    check: { kind: 'age', field: 'birth_date', min: 0, max: 120 },
  },
  {
    id: 'postal-code-country',
    description: 'The postal code belongs to the country (French codes and the territories that use them).',
    severity: 'flag',
    code: 'rule.postal_code_country_mismatch',
    check: { kind: 'consistent', relation: 'postal_code_country', postalCode: 'postal_code', country: 'country' },
  },
  {
    id: 'email-valid',
    description: 'The email address, when there is one, is well formed.',
    severity: 'flag',
    code: 'rule.invalid_email',
    check: { kind: 'valid', field: 'email', spec: { kind: 'email' } },
  },
  {
    id: 'phone-valid',
    description: 'The phone number, when there is one, is valid (national numbers read as French).',
    severity: 'flag',
    code: 'rule.invalid_phone',
    check: { kind: 'valid', field: 'phone', spec: { kind: 'phone', defaultRegion: 'FR' } },
  },
  {
    id: 'one-phone-per-address',
    description: 'One postal address does not carry two different phone numbers across profiles.',
    severity: 'flag',
    code: 'rule.address_shared_by_phones',
    check: {
      kind: 'unique_per',
      key: [
        { field: 'address', spec: { kind: 'address', case: 'upper', expandAbbreviations: true } },
        { field: 'postal_code', spec: { kind: 'postal_code' } },
      ],
      value: { field: 'phone', spec: { kind: 'phone', defaultRegion: 'FR' } },
      max: 1,
    },
  },
] as const satisfies readonly RuleInput[];

/** The field paths a rule names (in checks, keys and values), renamed by `fields`; everything else kept. */
export function renameRuleFields(rules: readonly RuleInput[], fields: Readonly<Record<string, string>>): RuleInput[] {
  const FIELD_KEYS = new Set(['field', 'postalCode', 'country']);
  const walk = (v: unknown, key: string | null): unknown => {
    if (typeof v === 'string') return key !== null && FIELD_KEYS.has(key) && Object.hasOwn(fields, v) ? fields[v] : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, null));
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return rules.map((r) => walk(r, null) as RuleInput);
}

/**
 * The same rules over Segment's reserved traits (birthday, email, phone, and the address object with street,
 * postalCode, country): the default of the data-quality report, since tracking calls and the demo use these names.
 */
export const SEGMENT_TRAIT_RULES: readonly RuleInput[] = renameRuleFields(FRENCH_CUSTOMER_RULES, {
  birth_date: 'birthday',
  postal_code: 'address.postalCode',
  country: 'address.country',
  address: 'address.street',
});
