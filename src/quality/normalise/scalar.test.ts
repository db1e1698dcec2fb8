import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { booleanNormaliser, normaliseBoolean, normaliseNumber, numberNormaliser } from './scalar.js';

describe('number normaliser', () => {
  it.each([
    ['12,5', 12.5],
    ['1 234,56', 1234.56],
    ['1\u202F234,56', 1234.56], // narrow no-break space, as Intl.NumberFormat('fr') writes
    ['1\u00A0234\u00A0567', 1234567],
    ['1.234,56', 1234.56],
    ['1,234.56', 1234.56],
    ["1'234.56", 1234.56],
    ['1,234,567', 1234567],
    ['1.234.567', 1234567],
    ['0,125', 0.125],
    [',5', 0.5],
    ['-12,5', -12.5],
    ['+ 3', 3],
    ['12,50', 12.5],
    ['12.5', 12.5],
    ['1234', 1234],
    ['-0', 0],
    [42, 42],
  ])('reads %j as %d', (raw, expected) => {
    expect(normaliseNumber(raw)).toEqual({ ok: true, value: expected });
  });

  it.each(['1,234', '1.234', '12.345'])('refuses %j in auto mode as ambiguous, and reads it with a declared separator', (raw) => {
    expect(normaliseNumber(raw)).toMatchObject({ ok: false, error: { code: 'quality.ambiguous_number' } });
    const french = normaliseNumber(raw, { decimalSeparator: ',' });
    const english = normaliseNumber(raw, { decimalSeparator: '.' });
    expect(french.ok && english.ok && french.value !== english.value).toBe(true);
  });

  it.each(['12,5,3', '1 23', '12 345,6,7', '1,2.3', 'douze', '12 €', '12,', '--3', '1.234 567', '', Number.NaN, Infinity, true])(
    'refuses %j',
    (raw) => {
      const result = normaliseNumber(raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(['quality.invalid_number', 'quality.empty_value']).toContain(result.error.code);
    },
  );

  it('refuses fractions when integer is set', () => {
    const integer = numberNormaliser({ integer: true });
    expect(integer('1 200')).toEqual({ ok: true, value: 1200 });
    expect(integer('12,5')).toMatchObject({ ok: false, error: { code: 'quality.invalid_number' } });
  });

  it('reads back what Intl writes in French and English (fast-check)', () => {
    const fr = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
    const en = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000_00, max: 10_000_000_00 }), (cents) => {
        const value = cents / 100;
        expect(normaliseNumber(fr.format(value))).toEqual({ ok: true, value });
        expect(normaliseNumber(en.format(value))).toEqual({ ok: true, value });
      }),
    );
  });
});

describe('boolean normaliser', () => {
  it.each([
    ['oui', true], ['Oui', true], ['OUI ', true], ['vrai', true], ['yes', true], ['Y', true], ['true', true], ['1', true], [1, true], [true, true],
    ['non', false], ['NON', false], ['faux', false], ['no', false], ['n', false], ['false', false], ['0', false], [0, false], [false, false],
  ])('reads %j as %s', (raw, expected) => {
    expect(normaliseBoolean(raw)).toEqual({ ok: true, value: expected });
  });

  it('refuses other words, and takes the spec\'s own', () => {
    expect(normaliseBoolean('peut-être')).toMatchObject({ ok: false, error: { code: 'quality.invalid_boolean' } });
    expect(normaliseBoolean(2)).toMatchObject({ ok: false, error: { code: 'quality.invalid_boolean' } });
    const optIn = booleanNormaliser({ trueValues: ['Abonné'], falseValues: ['désabonné', 'oui'] });
    expect(optIn('abonne')).toEqual({ ok: true, value: true });
    expect(optIn('Désabonné')).toEqual({ ok: true, value: false });
    expect(optIn('oui')).toEqual({ ok: true, value: false });
  });
});
