import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkProfile, checkProfiles, compileRules } from './evaluate.js';
import { FRENCH_CUSTOMER_RULES } from './french-rules.js';
import type { RuleProfile } from './profile-values.js';
import { parseRules, type Rule } from './schema.js';

const now = new Date('2026-03-10T10:00:00Z');

function rules(...inputs: readonly unknown[]): Rule[] {
  const parsed = parseRules(inputs);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

const ruleOf = (check: unknown, severity: 'reject' | 'flag' = 'flag'): Rule[] =>
  rules({ id: 'r', description: 'test rule', severity, code: 'rule.test_failed', check });

const profile = (values: Record<string, unknown>, id = 'prof_1'): RuleProfile => ({ id, values });

// Real-looking French customers (invented people, real places and numbering plans).
const camille = {
  first_name: 'Camille',
  last_name: 'Lefèvre',
  email: 'camille.lefevre@orange.fr',
  phone: '06 12 34 56 78',
  birth_date: '1984-03-07',
  address: '12 av. de la République',
  postal_code: '75011',
  city: 'Paris',
  country: 'FR',
  loyalty_tier: 'gold',
  basket_avg: 54.2,
};

interface Case {
  readonly name: string;
  readonly check: unknown;
  readonly values: Record<string, unknown>;
  /** The fields of the violations expected, in order; [] for none. */
  readonly fields: readonly (string | undefined)[];
  readonly message?: string;
}

const cases: Record<string, readonly Case[]> = {
  required: [
    { name: 'all present', check: { kind: 'required', fields: ['email', 'last_name'] }, values: camille, fields: [] },
    { name: 'one blank', check: { kind: 'required', fields: ['email', 'last_name'] }, values: { ...camille, last_name: '  ' }, fields: ['last_name'] },
    { name: 'both missing', check: { kind: 'required', fields: ['email', 'phone'] }, values: { city: 'Lyon' }, fields: ['email', 'phone'] },
    { name: 'a nested path', check: { kind: 'required', fields: ['address.postal_code'] }, values: { address: { postal_code: '69003' } }, fields: [] },
  ],
  range: [
    { name: 'number inside', check: { kind: 'range', field: 'basket_avg', min: 0, max: 10000 }, values: camille, fields: [] },
    { name: 'number below', check: { kind: 'range', field: 'basket_avg', min: 0 }, values: { basket_avg: -3 }, fields: ['basket_avg'], message: 'below the minimum 0' },
    { name: 'numeric text above', check: { kind: 'range', field: 'basket_avg', max: 100 }, values: { basket_avg: '250.5' }, fields: ['basket_avg'] },
    { name: 'not a number', check: { kind: 'range', field: 'basket_avg', max: 100 }, values: { basket_avg: '54,20 €' }, fields: ['basket_avg'], message: 'not a number' },
    { name: 'absent passes', check: { kind: 'range', field: 'basket_avg', max: 100 }, values: {}, fields: [] },
    { name: 'birth date in the past', check: { kind: 'range', field: 'birth_date', max: 'now' }, values: camille, fields: [] },
    { name: 'birth date tomorrow', check: { kind: 'range', field: 'birth_date', max: 'now' }, values: { birth_date: '2026-03-11' }, fields: ['birth_date'], message: 'after now (2026-03-10)' },
    { name: 'birth date today', check: { kind: 'range', field: 'birth_date', max: 'now' }, values: { birth_date: '2026-03-10' }, fields: [] },
    { name: 'older than -120y', check: { kind: 'range', field: 'birth_date', min: '-120y' }, values: { birth_date: '1905-06-01' }, fields: ['birth_date'], message: 'before -120y (1906-03-10)' },
    { name: 'absolute bounds', check: { kind: 'range', field: 'signup', min: '2020-01-01', max: '2026-12-31' }, values: { signup: '2024-02-29T08:00:00+01:00' }, fields: [] },
    { name: 'a day that does not exist', check: { kind: 'range', field: 'birth_date', max: 'now' }, values: { birth_date: '1990-02-30' }, fields: ['birth_date'], message: 'not an ISO date' },
    { name: 'a French-format date is not ISO', check: { kind: 'range', field: 'birth_date', max: 'now' }, values: { birth_date: '07/03/1984' }, fields: ['birth_date'] },
  ],
  age: [
    { name: '42 years old', check: { kind: 'age', field: 'birth_date', min: 0, max: 120 }, values: camille, fields: [] },
    { name: 'born in the future', check: { kind: 'age', field: 'birth_date', min: 0, max: 120 }, values: { birth_date: '2030-01-01' }, fields: ['birth_date'], message: 'a birth date after today' },
    { name: '121 years old', check: { kind: 'age', field: 'birth_date', min: 0, max: 120 }, values: { birth_date: '1905-03-10' }, fields: ['birth_date'], message: 'an age of 121 years' },
    { name: '120 years old the day before the 121st birthday', check: { kind: 'age', field: 'birth_date', max: 120 }, values: { birth_date: '1905-03-11' }, fields: [] },
    { name: 'a minor', check: { kind: 'age', field: 'birth_date', min: 18 }, values: { birth_date: '2008-03-11' }, fields: ['birth_date'], message: 'an age of 17 years' },
    { name: '18 today', check: { kind: 'age', field: 'birth_date', min: 18 }, values: { birth_date: '2008-03-10' }, fields: [] },
  ],
  pattern: [
    { name: 'named format matches', check: { kind: 'pattern', field: 'postal_code', format: 'fr_postal_code' }, values: camille, fields: [] },
    { name: 'named format fails', check: { kind: 'pattern', field: 'postal_code', format: 'fr_postal_code' }, values: { postal_code: '7501' }, fields: ['postal_code'], message: 'fr_postal_code' },
    { name: 'a number is read as text', check: { kind: 'pattern', field: 'postal_code', regex: '^\\d{5}$' }, values: { postal_code: 69003 }, fields: [] },
    { name: 'case-blind regex', check: { kind: 'pattern', field: 'loyalty_tier', regex: '^(?:gold|silver)$', ignoreCase: true }, values: { loyalty_tier: 'GOLD' }, fields: [] },
    { name: 'case-sensitive regex', check: { kind: 'pattern', field: 'loyalty_tier', regex: '^(?:gold|silver)$' }, values: { loyalty_tier: 'GOLD' }, fields: ['loyalty_tier'] },
    { name: 'a value too long to run', check: { kind: 'pattern', field: 'last_name', format: 'letters' }, values: { last_name: 'a'.repeat(200) }, fields: ['last_name'], message: 'longer than 128' },
    { name: 'not text', check: { kind: 'pattern', field: 'last_name', format: 'letters' }, values: { last_name: ['Lefèvre'] }, fields: ['last_name'] },
  ],
  valid: [
    { name: 'email and phone valid', check: { kind: 'all', checks: [{ kind: 'valid', field: 'email', spec: { kind: 'email' } }, { kind: 'valid', field: 'phone', spec: { kind: 'phone' } }] }, values: camille, fields: [] },
    { name: 'bad email, absent phone', check: { kind: 'all', checks: [{ kind: 'valid', field: 'email', spec: { kind: 'email' } }, { kind: 'valid', field: 'phone', spec: { kind: 'phone' } }] }, values: { email: 'camille.lefevre@orange' }, fields: ['email'], message: 'email: "camille.lefevre@orange" is not a valid email address' },
    { name: 'both bad', check: { kind: 'all', checks: [{ kind: 'valid', field: 'email', spec: { kind: 'email' } }, { kind: 'valid', field: 'phone', spec: { kind: 'phone' } }] }, values: { email: 'camille lefevre@orange.fr', phone: '06 12 34' }, fields: ['email', 'phone'] },
    { name: 'overseas mobile', check: { kind: 'valid', field: 'phone', spec: { kind: 'phone', defaultRegion: 'FR' } }, values: { phone: '0692 12 34 56' }, fields: [] },
    { name: 'mobile only', check: { kind: 'valid', field: 'phone', spec: { kind: 'phone', types: ['mobile'] } }, values: { phone: '01 42 68 53 00' }, fields: ['phone'] },
  ],
  consistent: [
    { name: 'Paris in France', check: { kind: 'consistent', postalCode: 'postal_code', country: 'country' }, values: camille, fields: [] },
    { name: 'country as a French name', check: { kind: 'consistent', postalCode: 'postal_code', country: 'country' }, values: { postal_code: '97400', country: 'La Réunion' }, fields: [] },
    { name: 'Réunion code in Guadeloupe', check: { kind: 'consistent', postalCode: 'postal_code', country: 'country' }, values: { postal_code: '97400', country: 'GP' }, fields: ['postal_code'], message: 'belongs to RE' },
    { name: 'Monaco code in France', check: { kind: 'consistent', postalCode: 'postal_code', country: 'country' }, values: { postal_code: '98000', country: 'France' }, fields: ['postal_code'] },
    { name: 'no such department', check: { kind: 'consistent', postalCode: 'postal_code', country: 'country' }, values: { postal_code: '96100', country: 'FR' }, fields: ['postal_code'] },
    { name: 'unknown country', check: { kind: 'consistent', postalCode: 'postal_code', country: 'country' }, values: { postal_code: '75011', country: 'Gaule' }, fields: ['country'] },
    { name: 'Belgian code passes through', check: { kind: 'consistent', postalCode: 'postal_code', country: 'country' }, values: { postal_code: '1000', country: 'BE' }, fields: [] },
    { name: 'no country: nothing to compare', check: { kind: 'consistent', postalCode: 'postal_code', country: 'country' }, values: { postal_code: '00000' }, fields: [] },
  ],
  one_of: [
    { name: 'allowed', check: { kind: 'one_of', field: 'loyalty_tier', values: ['bronze', 'silver', 'gold'] }, values: camille, fields: [] },
    { name: 'not allowed', check: { kind: 'one_of', field: 'loyalty_tier', values: ['bronze', 'silver', 'gold'] }, values: { loyalty_tier: 'platine' }, fields: ['loyalty_tier'], message: '"bronze", "silver", "gold"' },
    { name: 'case-blind', check: { kind: 'one_of', field: 'loyalty_tier', values: ['Gold'], ignoreCase: true }, values: { loyalty_tier: ' gold ' }, fields: [] },
    { name: 'numbers are not text', check: { kind: 'one_of', field: 'opt_in', values: [true] }, values: { opt_in: 'true' }, fields: ['opt_in'] },
  ],
  if_present_then: [
    { name: 'present and valid', check: { kind: 'if_present_then', fields: ['country'], then: { kind: 'required', fields: ['postal_code'] } }, values: camille, fields: [] },
    { name: 'present, then fails', check: { kind: 'if_present_then', fields: ['country'], then: { kind: 'required', fields: ['postal_code'] } }, values: { country: 'FR' }, fields: ['postal_code'] },
    { name: 'absent', check: { kind: 'if_present_then', fields: ['country'], then: { kind: 'required', fields: ['postal_code'] } }, values: {}, fields: [] },
  ],
  any: [
    { name: 'one holds', check: { kind: 'any', checks: [{ kind: 'required', fields: ['email'] }, { kind: 'required', fields: ['phone'] }] }, values: { phone: '0612345678' }, fields: [] },
    { name: 'none holds', check: { kind: 'any', checks: [{ kind: 'required', fields: ['email'] }, { kind: 'required', fields: ['phone'] }] }, values: {}, fields: [undefined], message: 'None of the alternatives holds: email is missing: fill it in. / phone is missing' },
  ],
  not: [
    { name: 'inner fails', check: { kind: 'not', check: { kind: 'one_of', field: 'email', values: ['test@test.fr'] } }, values: camille, fields: [] },
    { name: 'inner holds', check: { kind: 'not', check: { kind: 'one_of', field: 'email', values: ['test@test.fr'] } }, values: { email: 'test@test.fr' }, fields: [undefined], message: 'must not hold: email is one of "test@test.fr"' },
  ],
};

describe('checkProfile', () => {
  for (const [kind, table] of Object.entries(cases)) {
    describe(kind, () => {
      it.each(table)('$name', ({ check, values, fields, message }) => {
        const found = checkProfile(ruleOf(check, 'reject'), profile(values), { now });
        expect(found.map((v) => v.field)).toEqual(fields);
        for (const v of found) expect(v).toMatchObject({ ruleId: 'r', code: 'rule.test_failed', severity: 'reject', profileId: 'prof_1' });
        if (message !== undefined) expect(found[0]?.message).toContain(message);
      });
    });
  }

  it('skips the cross-profile rules', () => {
    const parsed = parseRules(FRENCH_CUSTOMER_RULES);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(checkProfile(parsed.value, profile(camille), { now })).toEqual([]);
  });

  it('masks personal values in messages and leaves them out of the violation', () => {
    const check = { kind: 'valid', field: 'email', spec: { kind: 'email' } };
    const open = checkProfile(ruleOf(check), profile({ email: 'camille lefevre@orange.fr' }), { now });
    expect(open[0]).toMatchObject({ value: 'camille lefevre@orange.fr' });
    expect(open[0]?.message).toContain('camille lefevre@orange.fr');
    for (const maskPersonal of [true, ['EMAIL'], ['email', 'phone']]) {
      const masked = checkProfile(ruleOf(check), profile({ email: 'camille lefevre@orange.fr' }), { now, maskPersonal });
      expect(masked).toHaveLength(1);
      expect(masked[0]).not.toHaveProperty('value');
      expect(masked[0]?.message).not.toContain('camille');
      expect(masked[0]?.message).toContain('quality.invalid_email');
    }
    const range = checkProfile(ruleOf({ kind: 'range', field: 'address.birth_year', max: 2000 }), profile({ address: { birth_year: 2010 } }), {
      now,
      maskPersonal: ['address'],
    });
    expect(range[0]?.message).toBe('address.birth_year *** is above the maximum 2000.');
  });

  it('refuses an unsafe regex in rules built in code without parseRules', () => {
    const unchecked: Rule = {
      id: 'r',
      description: 'built in code',
      severity: 'flag',
      code: 'rule.test_failed',
      check: { kind: 'pattern', field: 'last_name', regex: '^(a|aa)+$', ignoreCase: false },
    };
    expect(() => compileRules([unchecked])).toThrow(expect.objectContaining({ code: 'validation.unsafe_pattern' }));
  });

  it('reads own properties only, never the prototype chain', () => {
    const found = checkProfile(ruleOf({ kind: 'required', fields: ['toString', 'email.length'] }), profile({ email: 'a@b.fr' }), { now });
    expect(found.map((v) => v.field)).toEqual(['toString', 'email.length']);
  });

  it('reports no violation for profiles whose values sit inside every range (property)', () => {
    const compiled = compileRules(
      rules(
        { id: 'basket', description: 'basket', severity: 'flag', code: 'rule.basket', check: { kind: 'range', field: 'basket', min: 0, max: 5000 } },
        { id: 'age', description: 'age', severity: 'reject', code: 'rule.age', check: { kind: 'age', field: 'birth_date', min: 0, max: 120 } },
        { id: 'past', description: 'past', severity: 'reject', code: 'rule.future', check: { kind: 'range', field: 'birth_date', min: '-120y', max: 'now' } },
      ),
    );
    const day = 86_400_000;
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5000, noNaN: true }),
        // From 119 years and 364 days ago (so that the age stays at most 120) to today.
        fc.integer({ min: 0, max: Math.floor((now.getTime() - Date.UTC(1906, 2, 11)) / day) }),
        (basket, daysAgo) => {
          const birth = new Date(Date.UTC(2026, 2, 10) - daysAgo * day).toISOString().slice(0, 10);
          return checkProfile(compiled, profile({ basket, birth_date: birth }), { now }).length === 0;
        },
      ),
    );
  });

  it('reports a violation for every number outside the range (property)', () => {
    const compiled = compileRules(ruleOf({ kind: 'range', field: 'basket', min: 0, max: 5000 }));
    fc.assert(
      fc.property(fc.oneof(fc.double({ max: -Number.MIN_VALUE, noNaN: true }), fc.double({ min: 5000.000001, noNaN: true })), (basket) =>
        Number.isFinite(basket) ? checkProfile(compiled, profile({ basket }), { now }).length === 1 : true,
      ),
    );
  });
});

describe('checkProfiles', () => {
  // One building in Lyon 3e (written three ways), a family sharing a landline, and a neighbour with another number.
  const population: RuleProfile[] = [
    profile({ ...camille, address: '8 rue Garibaldi', postal_code: '69003', phone: '04 78 60 12 34' }, 'prof_a'),
    profile({ address: '8 R. GARIBALDI', postal_code: '69 003', phone: '+33 4 78 60 12 34' }, 'prof_b'),
    profile({ address: '8  Rue Garibaldi', postal_code: '69003', phone: '06 98 76 54 32' }, 'prof_c'),
    profile({ address: '8 rue Garibaldi', postal_code: '69003' }, 'prof_d'), // no phone: not counted
    profile({ address: '15 bd Haussmann', postal_code: '75009', phone: '01 42 68 53 00' }, 'prof_e'),
    profile({ address: '15 boulevard Haussmann', postal_code: '75009', phone: '0142685300' }, 'prof_f'), // same number
    profile({ address: '8 rue Garibaldi', postal_code: '75003', phone: '01 40 00 00 00' }, 'prof_g'), // another city
  ];

  it('flags every profile of an address carrying two different phone numbers (the default French rules)', () => {
    const parsed = parseRules(FRENCH_CUSTOMER_RULES);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const found = checkProfiles(parsed.value, population, { now });
    const shared = found.filter((v) => v.ruleId === 'one-phone-per-address');
    expect(shared.map((v) => v.profileId)).toEqual(['prof_a', 'prof_b', 'prof_c']);
    expect(shared[0]).toMatchObject({ code: 'rule.address_shared_by_phones', severity: 'flag', field: 'phone', value: '04 78 60 12 34' });
    expect(shared[0]?.message).toContain('3 profiles share address + postal_code "8 RUE GARIBALDI, 69003" with 2 different phone values (at most 1)');
    expect(found.filter((v) => v.ruleId !== 'one-phone-per-address')).toEqual([]);
  });

  it('masks the shared address and the phones', () => {
    const parsed = parseRules(FRENCH_CUSTOMER_RULES);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const found = checkProfiles(parsed.value, population, { now, maskPersonal: ['address', 'phone'] });
    expect(found).toHaveLength(3);
    for (const v of found) {
      expect(v).not.toHaveProperty('value');
      expect(v.message).toContain('"***, 69003"');
      expect(v.message).not.toMatch(/Garibaldi|04 78/i);
    }
  });

  it('allows up to max distinct values, and groups raw text when there is no spec', () => {
    const two = rules({
      id: 'two-phones',
      description: 'two phones per address at most',
      severity: 'flag',
      code: 'rule.too_many_phones',
      check: { kind: 'unique_per', key: [{ field: 'address' }, { field: 'postal_code' }], value: { field: 'phone' }, max: 2 },
    });
    // Without specs, "8 R. GARIBALDI" and "69 003" are other keys: only a and c share one, with two numbers.
    expect(checkProfiles(two, population, { now })).toEqual([]);
  });

  it('adds outlier flags on a numeric field', () => {
    const baskets = [42, 55, 38, 61, 47, 52, 49, 58, 44, 50, 1500, '', 'n/a'];
    // Q1 45.5, Q3 56.5 (np.percentile(..., [25, 75]) on the 11 numbers), so the fences are 29 and 73.
    const batch = baskets.map((basket_avg, i) => profile({ basket_avg }, `prof_${i}`));
    const iqr = rules({ id: 'basket-outlier', description: 'unusual basket', severity: 'flag', code: 'rule.basket_outlier', check: { kind: 'outlier', field: 'basket_avg', method: 'iqr' } });
    const found = checkProfiles(iqr, batch, { now });
    expect(found).toEqual([
      {
        ruleId: 'basket-outlier',
        code: 'rule.basket_outlier',
        severity: 'flag',
        profileId: 'prof_10',
        field: 'basket_avg',
        value: 1500,
        message: 'basket_avg 1500 is above [Q1 - 1.5 IQR, Q3 + 1.5 IQR] = [29, 73] of 11 values.',
      },
    ]);
    const z = rules({ id: 'basket-z', description: 'unusual basket', severity: 'flag', code: 'rule.basket_outlier', check: { kind: 'outlier', field: 'basket_avg', method: 'zscore' } });
    expect(checkProfiles(z, batch, { now }).map((v) => v.profileId)).toEqual(['prof_10']);
  });

  it('runs per-profile rules on each profile, in profile order', () => {
    const parsed = parseRules(FRENCH_CUSTOMER_RULES);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const found = checkProfiles(
      parsed.value,
      [profile({ birth_date: '2031-05-01', email: 'x@y' }, 'p1'), profile({ postal_code: '97400', country: 'GP' }, 'p2')],
      { now },
    );
    expect(found.map((v) => [v.profileId, v.code, v.severity])).toEqual([
      ['p1', 'rule.birth_date_in_future', 'reject'],
      ['p1', 'rule.implausible_age', 'flag'],
      ['p1', 'rule.invalid_email', 'flag'],
      ['p2', 'rule.postal_code_country_mismatch', 'flag'],
    ]);
  });
});
