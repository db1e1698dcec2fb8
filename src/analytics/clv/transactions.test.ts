import { describe, expect, it } from 'vitest';
import { formatDay, parseCdnowLog, parseDay, transactionsFromRows } from './transactions.js';

describe('parseDay', () => {
  it('reads each format to days since 1970-01-01, and the day back', () => {
    expect(parseDay('1970-01-01', 'auto')).toBe(0);
    expect(parseDay('1997-09-30', 'auto')).toBe(10_134);
    expect(parseDay('19970930', 'auto')).toBe(10_134);
    expect(parseDay('1997-09-30T23:59:59+02:00', 'auto')).toBe(10_134);
    expect(parseDay('1997-09-30 08:15', 'YYYY-MM-DD')).toBe(10_134);
    expect(parseDay('30/09/1997', 'DD/MM/YYYY')).toBe(10_134);
    expect(parseDay('9/30/1997', 'MM/DD/YYYY')).toBe(10_134);
    expect(formatDay(10_134)).toBe('1997-09-30');
    // 1997-01-01 to 1997-09-30 is 272 days, CDNOW's T of 38.86 weeks.
    expect(parseDay('1997-09-30', 'auto')! - parseDay('1997-01-01', 'auto')!).toBe(272);
  });

  it('refuses dates that are not in the calendar or not in the format', () => {
    for (const [text, format] of [
      ['1997-02-29', 'auto'],
      ['19971301', 'auto'],
      ['1997-9-30', 'auto'],
      ['30/09/1997', 'auto'],
      ['1997-09-30', 'YYYYMMDD'],
      ['09/30/1997', 'DD/MM/YYYY'],
      ['', 'auto'],
    ] as const) {
      expect(parseDay(text, format), `${text} as ${format}`).toBeUndefined();
    }
    expect(parseDay('1996-02-29', 'auto')).toBeDefined();
  });
});

describe('parseCdnowLog', () => {
  it('reads customer, date and amount, skipping blank lines, customers in order of first appearance', () => {
    const r = parseCdnowLog(' 00004 0001 19970101  2   29.33\n\n 00021 0002 19970101  3   63.34\r\n00004 0001 19970118 2 29.73');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.customerIds).toEqual(['00004', '00021']);
    expect(Array.from(r.value.customer)).toEqual([0, 1, 0]);
    expect(Array.from(r.value.day)).toEqual([parseDay('19970101', 'auto'), parseDay('19970101', 'auto'), parseDay('19970118', 'auto')]);
    expect(Array.from(r.value.amount)).toEqual([29.33, 63.34, 29.73]);
  });

  it('refuses a bad line with its number and what is wrong', () => {
    expect(parseCdnowLog('1 1 19970101 1 10\n1 1 19970101 1\n')).toEqual({
      ok: false,
      error: { code: 'clv.bad_line', line: 2, message: expect.stringContaining('expected 5 fields') },
    });
    expect(parseCdnowLog('1 1 19970101 1 10\n\n1 1 1997-01-02 1 10')).toMatchObject({ ok: false, error: { line: 3, message: expect.stringContaining('"1997-01-02" is not a date') } });
    expect(parseCdnowLog('1 1 19970101 1 $10')).toMatchObject({ ok: false, error: { line: 1, message: expect.stringContaining('"$10" is not a number') } });
  });

  it('holds many transactions (the arrays grow)', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `${i % 7} 1 19970101 1 ${i}`).join('\n');
    const r = parseCdnowLog(text);
    expect(r.ok && r.value.length).toBe(3000);
    expect(r.ok && r.value.amount[2999]).toBe(2999);
    expect(r.ok && r.value.amount.reduce((t, v) => t + v, 0)).toBe((2999 * 3000) / 2);
    expect(r.ok && Array.from(r.value.customer.subarray(0, 8))).toEqual([0, 1, 2, 3, 4, 5, 6, 0]);
  });
});

describe('transactionsFromRows', () => {
  const cols = { customer: 'client', date: 'jour', amount: 'montant' };
  const row = (line: number, ...fields: string[]) => ({ line, fields });

  it('reads the named columns in any order', () => {
    const r = transactionsFromRows(['montant', ' client ', 'jour', 'canal'], [row(2, '12.50', 'c1', '2024-03-01', 'web'), row(3, '-2', 'c2', '20240302', 'shop')], cols, 'auto');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.customerIds).toEqual(['c1', 'c2']);
    expect(Array.from(r.value.amount)).toEqual([12.5, -2]);
    expect(formatDay(r.value.day[1]!)).toBe('2024-03-02');
  });

  it('names a missing column and lists those of the header', () => {
    expect(transactionsFromRows(['client', 'date', 'montant'], [], cols, 'auto')).toEqual({
      ok: false,
      error: { code: 'clv.unknown_column', column: 'jour', columns: ['client', 'date', 'montant'], message: 'the date column "jour" is not in the header (columns: client, date, montant)' },
    });
  });

  it('refuses a row with its line: missing id, a date of another format, an amount with a comma, a short row', () => {
    const header = ['client', 'jour', 'montant'];
    expect(transactionsFromRows(header, [row(2, 'c1', '2024-03-01', '1'), row(4, ' ', '2024-03-01', '1')], cols, 'auto')).toMatchObject({ ok: false, error: { code: 'clv.bad_line', line: 4 } });
    expect(transactionsFromRows(header, [row(5, 'c1', '01/03/2024', '1')], cols, 'auto')).toMatchObject({
      ok: false,
      error: { line: 5, message: expect.stringContaining('is not a date written YYYY-MM-DD or YYYYMMDD') },
    });
    expect(transactionsFromRows(header, [row(5, 'c1', '01/03/2024', '1')], cols, 'DD/MM/YYYY').ok).toBe(true);
    expect(transactionsFromRows(header, [row(6, 'c1', '2024-03-01', '12,50')], cols, 'auto')).toMatchObject({ ok: false, error: { line: 6, message: expect.stringContaining('"12,50"') } });
    expect(transactionsFromRows(header, [row(7, 'c1', '2024-03-01')], cols, 'auto')).toMatchObject({ ok: false, error: { line: 7, message: 'line 7: 2 cells where the header has 3' } });
  });
});
