import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateNormaliser, dateTimeNormaliser, DateSpec, normaliseDate, normaliseDateTime } from './date.js';
import { compileDateFormat, expandTwoDigitYear } from './date-format.js';

const okValue = (value: string) => ({ ok: true, value });

describe('date normaliser', () => {
  it.each([
    ['03/04/2024', '2024-04-03'],
    ['3/4/2024', '2024-04-03'],
    [' 14/07/1789 ', '1789-07-14'],
    ['29/02/2024', '2024-02-29'],
    ['2024-04-03', '2024-04-03'],
    ['2024-04-03T23:30:00-05:00', '2024-04-03'],
  ])('reads %j with the French defaults (DD/MM/YYYY and ISO) as %s', (raw, expected) => {
    expect(normaliseDate(raw)).toEqual(okValue(expected));
  });

  it.each([
    [['DD.MM.YYYY'], '03.04.2024', '2024-04-03'],
    [['YYYYMMDD'], '20240403', '2024-04-03'],
    [['DD/MM/YY'], '03/04/85', '1985-04-03'],
    [['DD/MM/YY'], '03/04/29', '2029-04-03'],
    [['DD/MM/YY'], '03/04/30', '1930-04-03'],
    [['MM/DD/YYYY'], '04/03/2024', '2024-04-03'],
    [['DD/MM/YYYY HH:mm'], '03/04/2024 14:30', '2024-04-03'],
    [['DD MM YYYY'], '03   04 2024', '2024-04-03'],
  ])('reads with formats %j: %j -> %s', (formats, raw, expected) => {
    expect(normaliseDate(raw, { formats })).toEqual(okValue(expected));
  });

  it('refuses a value two declared formats read differently, naming both readings', () => {
    const result = normaliseDate('03/04/2024', { formats: ['DD/MM/YYYY', 'MM/DD/YYYY'] });
    expect(result).toMatchObject({ ok: false, error: { code: 'quality.ambiguous_date', raw: '03/04/2024' } });
    if (!result.ok) {
      expect(result.error.message).toContain('2024-04-03 (DD/MM/YYYY)');
      expect(result.error.message).toContain('2024-03-04 (MM/DD/YYYY)');
    }
  });

  it('accepts what only one of the declared formats can read, or what both read alike', () => {
    const both = dateNormaliser({ formats: ['DD/MM/YYYY', 'MM/DD/YYYY'] });
    expect(both('13/04/2024')).toEqual(okValue('2024-04-13'));
    expect(both('04/13/2024')).toEqual(okValue('2024-04-13'));
    expect(both('04/04/2024')).toEqual(okValue('2024-04-04'));
  });

  it.each([
    ['31/02/2024', 'February 2024 has 29 days, not 31'],
    ['29/02/2023', 'February 2023 has 28 days, not 29'],
    ['31/04/2024', 'April 2024 has 30 days, not 31'],
    ['00/01/2024', 'January 2024 has 31 days, not 0'],
    ['12/13/2024', 'there is no month 13'],
    ['2024-02-30', 'February 2024 has 29 days, not 30'],
    ['01/01/0000', 'there is no year 0'],
  ])('refuses %j, which is not in the calendar (%s)', (raw, why) => {
    const result = normaliseDate(raw);
    expect(result).toMatchObject({ ok: false, error: { code: 'quality.invalid_date' } });
    if (!result.ok) expect(result.error.message).toContain(why);
  });

  it.each(['2024/04/03', '03-04-2024', '3 avril 2024', '03/04/24', '003/04/2024', '03/04/2024 foo'])(
    'refuses %j, which matches no declared format',
    (raw) => {
      const result = normaliseDate(raw);
      expect(result).toMatchObject({ ok: false, error: { code: 'quality.invalid_date' } });
      if (!result.ok) expect(result.error.message).toContain('(DD/MM/YYYY, ISO)');
    },
  );

  it('refuses numbers (spreadsheet serials) and blank cells', () => {
    expect(normaliseDate(45385)).toMatchObject({ ok: false, error: { code: 'quality.invalid_date' } });
    expect(normaliseDate('')).toMatchObject({ ok: false, error: { code: 'quality.empty_value' } });
  });

  it('checks declared formats in the spec', () => {
    for (const formats of [['DD/MM'], ['MM/YYYY'], ['YYYY-MM'], ['DD/MM/YYYY/YY'], ['DD/DD/YYYY'], ['DD/MM/YYYY mm'], []]) {
      expect(DateSpec.safeParse({ kind: 'date', formats }).success, JSON.stringify(formats)).toBe(false);
    }
    expect(compileDateFormat('DD/MM').ok).toBe(false);
  });

  it('pivots two-digit years at 29 by default: YY <= pivot is 20YY', () => {
    expect([0, 29, 30, 99].map((yy) => expandTwoDigitYear(yy, 29))).toEqual([2000, 2029, 1930, 1999]);
    expect(normaliseDate('01/01/50', { formats: ['DD/MM/YY'], yearPivot: 50 })).toEqual(okValue('2050-01-01'));
  });

  it('round-trips every real date written DD/MM/YYYY (fast-check), and is idempotent through ISO', () => {
    const normalise = dateNormaliser();
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10);
        const [y, m, day] = iso.split('-');
        expect(normalise(`${day}/${m}/${y}`)).toEqual(okValue(iso));
        expect(normalise(iso)).toEqual(okValue(iso));
      }),
    );
  });
});

describe('datetime normaliser', () => {
  it.each([
    ['03/04/2024 14:30', '2024-04-03T12:30:00.000Z'], // summer time in Paris: UTC+2
    ['03/01/2024 14:30:15', '2024-01-03T13:30:15.000Z'], // winter: UTC+1
    ['03/01/2024', '2024-01-02T23:00:00.000Z'], // midnight, Paris time
    ['2024-01-03T14:30:00Z', '2024-01-03T14:30:00.000Z'],
    ['2024-01-03T14:30:00.123+05:30', '2024-01-03T09:00:00.123Z'],
    ['2024-01-03 14:30', '2024-01-03T13:30:00.000Z'],
  ])('reads %j as %s', (raw, expected) => {
    expect(normaliseDateTime(raw)).toEqual(okValue(expected));
  });

  it('reads local times in the declared time zone', () => {
    expect(normaliseDateTime('03/01/2024 14:30', { timeZone: 'America/Guadeloupe' })).toEqual(okValue('2024-01-03T18:30:00.000Z'));
    expect(normaliseDateTime('03/01/2024 14:30', { timeZone: 'UTC' })).toEqual(okValue('2024-01-03T14:30:00.000Z'));
  });

  it('refuses a time the clocks skip (31 March 2024, 02:30 in Paris)', () => {
    const result = normaliseDateTime('31/03/2024 02:30');
    expect(result).toMatchObject({ ok: false, error: { code: 'quality.invalid_date' } });
    if (!result.ok) expect(result.error.message).toContain('never happens in Europe/Paris');
  });

  it('refuses a time the clocks show twice (27 October 2024, 02:30 in Paris) unless told which', () => {
    expect(normaliseDateTime('27/10/2024 02:30')).toMatchObject({ ok: false, error: { code: 'quality.ambiguous_date' } });
    expect(normaliseDateTime('27/10/2024 02:30', { repeatedTime: 'earlier' })).toEqual(okValue('2024-10-27T00:30:00.000Z'));
    expect(normaliseDateTime('27/10/2024 02:30', { repeatedTime: 'later' })).toEqual(okValue('2024-10-27T01:30:00.000Z'));
    expect(normaliseDateTime('27/10/2024 03:30')).toEqual(okValue('2024-10-27T02:30:00.000Z'));
  });

  it('refuses invalid times and ambiguous readings', () => {
    expect(normaliseDateTime('03/01/2024 24:00')).toMatchObject({ ok: false, error: { code: 'quality.invalid_date' } });
    expect(normaliseDateTime('03/01/2024 12:60')).toMatchObject({ ok: false, error: { code: 'quality.invalid_date' } });
    const both = dateTimeNormaliser({ formats: ['DD/MM/YYYY HH:mm', 'MM/DD/YYYY HH:mm'] });
    expect(both('03/01/2024 10:00')).toMatchObject({ ok: false, error: { code: 'quality.ambiguous_date' } });
  });

  it('takes JS Dates as they are', () => {
    expect(normaliseDateTime(new Date('2024-01-03T14:30:00Z'))).toEqual(okValue('2024-01-03T14:30:00.000Z'));
    expect(normaliseDateTime(new Date('nope'))).toMatchObject({ ok: false, error: { code: 'quality.invalid_date' } });
  });

  it('agrees with the offset Intl reports for every hour of a year in Paris (fast-check)', () => {
    const normalise = dateTimeNormaliser({ formats: ['ISO'], repeatedTime: 'earlier' });
    const paris = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2025, 0, 1) }), (ms) => {
        const instant = Math.floor(ms / 1000) * 1000;
        const local = paris.format(instant).replace(' ', 'T'); // 2024-03-31T04:30:00, Paris wall clock
        const result = normalise(local);
        // Only the second pass through a repeated hour (same wall clock an hour earlier) reads as the earlier instant.
        const repeatedLater = paris.format(instant - 3_600_000) === paris.format(instant);
        expect(result).toEqual(okValue(new Date(repeatedLater ? instant - 3_600_000 : instant).toISOString()));
      }),
      { numRuns: 500 },
    );
  });
});
