import { describe, expect, it } from 'vitest';
import { currencyNormaliser, moneyNormaliser, normaliseCurrency, normaliseMoney, round, type RateRow } from './money.js';

// ECB reference rates (1 EUR = x), as published for these days.
const RATES: RateRow[] = [
  { currency: 'USD', date: '2024-03-01', unitsPerBase: 1.0833 },
  { currency: 'USD', date: '2024-03-04', unitsPerBase: 1.0858 },
  { currency: 'GBP', date: '2024-03-01', unitsPerBase: 0.8558 },
  { currency: 'CHF', date: '2024-03-04', unitsPerBase: 0.9573 },
  { currency: 'JPY', date: '2024-03-04', unitsPerBase: 162.9 },
];

describe('money normaliser', () => {
  it.each([
    ['1 234,56 €', 1234.56, 'EUR'],
    ['1\u202F234,56\u00A0€', 1234.56, 'EUR'],
    ['12,50€', 12.5, 'EUR'],
    ['€12.50', 12.5, 'EUR'],
    ['EUR 12.5', 12.5, 'EUR'],
    ['12.5 eur', 12.5, 'EUR'],
    ['12 euros', 12, 'EUR'],
    ['-12,50 €', -12.5, 'EUR'],
    ['€ -12,50', -12.5, 'EUR'],
    ['1,234.56 USD', 1234.56, 'USD'],
    ['$1,234.56', 1234.56, 'USD'],
    ['US$ 20', 20, 'USD'],
    ['£9.99', 9.99, 'GBP'],
    ['CHF 1\'250.50', 1250.5, 'CHF'],
    ['1 250,50 Fr.', 1250.5, 'CHF'],
    ['¥1,500,000', 1500000, 'JPY'],
    ['100 XPF', 100, 'XPF'],
  ])('reads %j as %d %s', (raw, amount, currency) => {
    expect(normaliseMoney(raw)).toEqual({ ok: true, value: { amount, currency, original: { amount, currency }, rate: null } });
  });

  it('uses the default currency for bare amounts, and refuses them without one', () => {
    expect(normaliseMoney('12,50', { defaultCurrency: 'EUR' })).toMatchObject({ ok: true, value: { amount: 12.5, currency: 'EUR' } });
    expect(normaliseMoney(12.5, { defaultCurrency: 'EUR' })).toMatchObject({ ok: true, value: { amount: 12.5, currency: 'EUR' } });
    expect(normaliseMoney(1.234, { defaultCurrency: 'EUR' })).toMatchObject({ ok: true, value: { amount: 1.234, currency: 'EUR' } });
    expect(normaliseMoney(12.5)).toMatchObject({ ok: false, error: { code: 'quality.unknown_currency' } });
    expect(normaliseMoney('12,50')).toMatchObject({ ok: false, error: { code: 'quality.unknown_currency' } });
  });

  it.each([
    ['12 zorglubs', 'quality.unknown_currency'],
    ['XYZ 12', 'quality.unknown_currency'],
    ['€ 12 USD', 'quality.unknown_currency'],
    ['12,5,3 €', 'quality.invalid_number'],
    ['1,234 €', 'quality.ambiguous_number'],
    ['', 'quality.empty_value'],
  ])('refuses %j with %s', (raw, code) => {
    expect(normaliseMoney(raw)).toMatchObject({ ok: false, error: { code, raw } });
  });

  it('maps symbols as the spec says ($ as CAD for a Canadian file)', () => {
    expect(normaliseMoney('$12.50', { symbols: { $: 'CAD' } })).toMatchObject({ ok: true, value: { currency: 'CAD' } });
  });

  describe('conversion to a base currency', () => {
    const toEur = moneyNormaliser({ base: 'EUR', rates: RATES });

    it('uses the rate of the day, keeping the original amount and the rate used', () => {
      expect(toEur('108,58 $', { date: '2024-03-04' })).toEqual({
        ok: true,
        value: { amount: 100, currency: 'EUR', original: { amount: 108.58, currency: 'USD' }, rate: { unitsPerBase: 1.0858, date: '2024-03-04' } },
      });
    });

    it('uses the latest rate before the day when the day has none (weekends, holidays)', () => {
      expect(toEur('108,33 $', { date: '2024-03-03T18:00:00Z' })).toMatchObject({
        ok: true,
        value: { amount: 100, rate: { date: '2024-03-01' } },
      });
      expect(toEur('£85.58', { date: '2024-06-30' })).toMatchObject({ ok: true, value: { amount: 100, rate: { date: '2024-03-01' } } });
    });

    it('rounds to the minor unit of the base currency', () => {
      expect(toEur('10 $', { date: '2024-03-04' })).toMatchObject({ ok: true, value: { amount: 9.21 } });
      const toYen = moneyNormaliser({ base: 'JPY', rates: [{ currency: 'EUR', date: '2024-03-04', unitsPerBase: 1 / 162.9 }] });
      expect(toYen('10 €', { date: '2024-03-04' })).toMatchObject({ ok: true, value: { amount: 1629, currency: 'JPY' } });
    });

    it('needs no rate for amounts already in the base currency', () => {
      expect(toEur('12,50 €')).toMatchObject({ ok: true, value: { amount: 12.5, currency: 'EUR', rate: null } });
    });

    it('answers quality.missing_rate without a rate on or before the date, or without a date', () => {
      const before = toEur('10 $', { date: '2024-02-29' });
      expect(before).toMatchObject({ ok: false, error: { code: 'quality.missing_rate' } });
      if (!before.ok) expect(before.error.message).toContain('No USD rate on or before 2024-02-29');
      expect(toEur('10 SEK', { date: '2024-03-04' })).toMatchObject({ ok: false, error: { code: 'quality.missing_rate' } });
      expect(toEur('10 $')).toMatchObject({ ok: false, error: { code: 'quality.missing_rate' } });
      expect(toEur('10 $', { date: '04/03/2024' })).toMatchObject({ ok: false, error: { code: 'quality.missing_rate' } });
    });

    it('takes asOf when the caller gives no date, and refuses stale rates when told to', () => {
      expect(moneyNormaliser({ base: 'EUR', rates: RATES, asOf: '2024-03-04' })('10 CHF')).toMatchObject({ ok: true, value: { amount: 10.45 } });
      const fresh = moneyNormaliser({ base: 'EUR', rates: RATES, maxRateAgeDays: 7 });
      expect(fresh('10 $', { date: '2024-03-11' }).ok).toBe(true);
      expect(fresh('10 $', { date: '2024-03-12' })).toMatchObject({ ok: false, error: { code: 'quality.missing_rate' } });
    });
  });

  it('rounds half away from zero on the decimal digits', () => {
    expect([round(1.005, 2), round(-1.005, 2), round(2.5, 0), round(1e-7, 2), round(-0.001, 2)]).toEqual([1.01, -1.01, 3, 0, 0]);
  });
});

describe('currency normaliser', () => {
  it.each([['€', 'EUR'], ['eur', 'EUR'], ['Euros', 'EUR'], ['$', 'USD'], ['£', 'GBP'], ['chf', 'CHF'], ['Kč', 'CZK'], ['zł', 'PLN'], ['XOF', 'XOF']])(
    'reads %j as %s',
    (raw, code) => {
      expect(normaliseCurrency(raw)).toEqual({ ok: true, value: code });
    },
  );

  it('refuses unknown currencies and takes the spec\'s symbols', () => {
    expect(normaliseCurrency('FRF')).toMatchObject({ ok: false, error: { code: 'quality.unknown_currency' } });
    expect(currencyNormaliser({ symbols: { 'F CFA': 'XOF' } })('f cfa')).toEqual({ ok: true, value: 'XOF' });
  });
});
