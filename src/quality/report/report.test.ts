import { describe, expect, it } from 'vitest';
import { parseNormaliserSpec, type NormaliserSpec } from '../normalise/index.js';
import { compileRules } from '../rules/evaluate.js';
import { SEGMENT_TRAIT_RULES } from '../rules/french-rules.js';
import { parseRules } from '../rules/schema.js';
import { computeQualityReport, DEFAULT_FIELD_SPECS, type QualityProfile } from './report.js';

/** The report on a handful of profiles whose every number can be counted by hand. */

const NOW = new Date('2026-06-01T12:00:00Z');
const days = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

const rules = parseRules(SEGMENT_TRAIT_RULES);
if (!rules.ok) throw new Error(rules.error.message);
const specs: Record<string, NormaliserSpec> = {};
for (const [k, v] of Object.entries(DEFAULT_FIELD_SPECS)) {
  const r = parseNormaliserSpec(v);
  if (!r.ok) throw new Error(r.error.message);
  specs[k] = r.value;
}

const profiles: QualityProfile[] = [
  // Two records of one person: the same email written differently, the same phone in two forms. Another person's
  // phone differs: phones are compared by their number, not as objects.
  { id: 'p1', updatedAt: days(0.5), traits: { plan: 'gold' }, personal: { email: 'Anne.Martin@Example.fr', phone: '06 12 34 56 78', firstName: 'Anne', lastName: 'Martin', birthday: '1980-04-02', address: { postalCode: '69001', city: 'Lyon', country: 'France', street: '3 rue de la Paix' } } },
  { id: 'p2', updatedAt: days(3), traits: { plan: 'gold' }, personal: { email: 'anne.martin@example.fr ', phone: '+33612345678', firstName: 'Anne', lastName: 'Martin' } },
  // An invalid phone and a birthday in the future; a postal code that is not French for a French address.
  { id: 'p3', updatedAt: days(10), traits: { plan: 'free' }, personal: { email: 'paul@example.fr', phone: '12', birthday: '2090-01-01', address: { postalCode: '1000', country: 'FR', city: 'Bruxelles' } } },
  // Nothing but a plan, not seen for two years.
  { id: 'p4', updatedAt: days(800), traits: { plan: 'free' }, personal: {} },
  { id: 'p5', updatedAt: days(800), traits: {}, personal: { phone: '06 98 76 54 32' } },
];

const report = computeQualityReport({
  profiles,
  rules: compileRules(rules.value),
  fieldSpecs: specs,
  completenessFields: ['email', 'phone', 'firstName', 'lastName', 'birthday', 'address.postalCode', 'address.city'],
  probablePairs: [{ a: 'p3', b: 'p4' }],
  now: NOW,
});

describe('the data-quality report', () => {
  it('counts exact duplicates on normalised email and phone, and probable ones from the review queue', () => {
    // p1-p2 share both keys: one pair.
    expect(report.duplicates).toEqual({ exactPairs: 1, exactProfiles: 2, exactRate: 0.4, probablePairs: 1, probableRate: 0.4 });
  });

  it('counts present, missing and invalid values per field, personal fields marked', () => {
    const f = Object.fromEntries(report.fields.map((x) => [x.field, x]));
    expect(f.plan).toMatchObject({ present: 4, missing: 1, personal: false, invalid: 0 });
    expect(f.email).toMatchObject({ present: 3, missing: 2, missingRate: 0.4, personal: true, invalid: 0 });
    expect(f.phone).toMatchObject({ present: 4, invalid: 1, invalidByCode: { 'quality.invalid_phone': 1 } });
    expect(f['address.postalCode']).toMatchObject({ present: 2, invalid: 1 });
    expect(f.birthday).toMatchObject({ present: 2, invalid: 0 });
  });

  it('counts rule violations by rule, without any value', () => {
    const v = Object.fromEntries(report.violations.map((x) => [x.rule, x.count]));
    expect(v['birth-date-past']).toBe(1);
    expect(v['age-plausible']).toBe(1);
    expect(v['phone-valid']).toBe(1);
    expect(v['postal-code-country']).toBe(1);
    expect(v['email-valid']).toBeUndefined();
    expect(JSON.stringify(report)).not.toContain('anne.martin');
  });

  it('sorts profiles by time since their last update, with the median', () => {
    expect(report.freshness.buckets).toEqual([
      { label: '<1d', count: 1 },
      { label: '1-7d', count: 1 },
      { label: '7-30d', count: 1 },
      { label: '30-90d', count: 0 },
      { label: '90-365d', count: 0 },
      { label: '>365d', count: 2 },
    ]);
    expect(report.freshness.medianDays).toBe(10);
  });

  it('scores completeness per profile over the chosen fields', () => {
    // p1 7/7, p2 4/7, p3 5/7 (email, phone, birthday, postal code, city), p4 0/7, p5 1/7.
    expect(report.completeness.mean).toBeCloseTo((7 + 4 + 5 + 0 + 1) / 35, 6);
    expect(report.completeness.histogram.map((b) => b.count)).toEqual([1, 1, 0, 0, 0, 1, 0, 1, 0, 1]);
  });
});

describe('exact duplicates at scale', () => {
  it('counts the pairs of a value shared by thousands without listing them, and pairs sharing both keys once', () => {
    const many: QualityProfile[] = Array.from({ length: 6000 }, (_, i) => ({
      id: `q${i}`,
      updatedAt: NOW,
      traits: {},
      // A switchboard number on every record, an email on the first three, the same for q0 and q1.
      personal: { phone: '01 23 45 67 89', ...(i < 3 ? { email: i < 2 ? 'standard@example.fr' : 'other@example.fr' } : {}) },
    }));
    const r = computeQualityReport({ profiles: many, rules: compileRules([]), fieldSpecs: {}, completenessFields: ['phone'], probablePairs: [], now: NOW });
    // 6000 choose 2 by phone; q0-q1 also share the email: still one pair.
    expect(r.duplicates.exactPairs).toBe((6000 * 5999) / 2);
    expect(r.duplicates.exactProfiles).toBe(6000);
  });
});
