import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalisePhone, phoneNormaliser, PhoneSpec } from './phone.js';

describe('phone normaliser', () => {
  it.each([
    ['06 12 34 56 78', '+33612345678', 'mobile', 'FR'],
    ['0612345678', '+33612345678', 'mobile', 'FR'],
    ['06.12.34.56.78', '+33612345678', 'mobile', 'FR'],
    ['06-12-34-56-78', '+33612345678', 'mobile', 'FR'],
    ['+33 (0)6 12 34 56 78', '+33612345678', 'mobile', 'FR'],
    ['+33 6 12 34 56 78', '+33612345678', 'mobile', 'FR'],
    ['0033 6 12 34 56 78', '+33612345678', 'mobile', 'FR'],
    ['07 81 23 45 67', '+33781234567', 'mobile', 'FR'],
    ['01 42 68 53 00', '+33142685300', 'fixed_line', 'FR'],
    ['04 72 10 30 30', '+33472103030', 'fixed_line', 'FR'],
    ['09 70 00 00 00', '+33970000000', 'voip', 'FR'],
    ['0800 00 00 00', '+33800000000', 'toll_free', 'FR'],
    // Overseas departments dialled the French way: each has its own country calling code in E.164.
    ['0690 12 34 56', '+590690123456', 'mobile', 'GP'],
    ['0590 12 34 56', '+590590123456', 'fixed_line', 'GP'],
    ['0696 12 34 56', '+596696123456', 'mobile', 'MQ'],
    ['0694 12 34 56', '+594694123456', 'mobile', 'GF'],
    ['0692 12 34 56', '+262692123456', 'mobile', 'RE'],
    ['0262 12 34 56', '+262262123456', 'fixed_line', 'RE'],
    ['+32 470 12 34 56', '+32470123456', 'mobile', 'BE'],
    ['+44 20 7946 0958', '+442079460958', 'fixed_line', 'GB'],
    ['+41 44 668 18 00', '+41446681800', 'fixed_line', 'CH'],
  ])('normalises %j to %s (%s, %s)', (raw, e164, type, region) => {
    expect(normalisePhone(raw)).toEqual({ ok: true, value: { e164, type, region, extension: null } });
  });

  it('reads a number a spreadsheet stored without its leading zero', () => {
    expect(normalisePhone(612345678)).toMatchObject({ ok: true, value: { e164: '+33612345678' } });
  });

  it('keeps the extension apart from the E.164 number', () => {
    expect(normalisePhone('+33 1 42 68 53 00 ext. 12')).toMatchObject({ ok: true, value: { e164: '+33142685300', extension: '12' } });
  });

  it('reads national numbers in the default region', () => {
    const be = phoneNormaliser({ defaultRegion: 'BE' });
    expect(be('0470 12 34 56')).toMatchObject({ ok: true, value: { e164: '+32470123456', type: 'mobile', region: 'BE' } });
    // The French overseas fallback belongs to the French plan only.
    expect(be('0690 12 34 56').ok).toBe(false);
    expect(phoneNormaliser({ frenchOverseas: false })('0690 12 34 56').ok).toBe(false);
  });

  it.each([
    ['06 12 34 56', 'too short'],
    ['06 12 34 56 78 90', 'too long'],
    ['+33 6 12 34 56 78 90', 'too long, international'],
    ['00 00 00 00 00', 'no such number'],
    ['appelez le 06 12 34 56 78', 'number inside other text'],
    ['+33 590 12 34 56', 'overseas number under +33'],
    ['téléphone', 'no digits'],
  ])('refuses %j (%s) with quality.invalid_phone', (raw) => {
    const result = normalisePhone(raw);
    expect(result).toMatchObject({ ok: false, error: { code: 'quality.invalid_phone', raw } });
    if (!result.ok) expect(result.error.message).toContain('international form');
  });

  it('filters on type when asked, refusing numbers of unknown type too', () => {
    const mobileOnly = phoneNormaliser({ types: ['mobile'] });
    expect(mobileOnly('06 12 34 56 78').ok).toBe(true);
    const fixed = mobileOnly('01 42 68 53 00');
    expect(fixed).toMatchObject({ ok: false, error: { code: 'quality.invalid_phone' } });
    if (!fixed.ok) expect(fixed.error.message).toContain('fixed line');
    // libphonenumber cannot tell mobile from fixed line in the US.
    expect(mobileOnly('+1 650 253 0000')).toMatchObject({ ok: false, error: { code: 'quality.invalid_phone' } });
  });

  it('answers quality.empty_value for blank cells', () => {
    expect(normalisePhone(' ')).toMatchObject({ ok: false, error: { code: 'quality.empty_value' } });
  });

  it('refuses regions without a numbering plan in the spec', () => {
    expect(PhoneSpec.safeParse({ kind: 'phone', defaultRegion: 'XX' }).success).toBe(false);
    expect(PhoneSpec.safeParse({ kind: 'phone', defaultRegion: 'fr' }).success).toBe(false);
  });

  it('is idempotent: the E.164 of a number normalises to itself (fast-check over French mobiles and landlines)', () => {
    const normalise = phoneNormaliser();
    const separator = fc.constantFrom(' ', '.', '-', '');
    fc.assert(
      fc.property(fc.constantFrom('1', '2', '3', '4', '5', '6', '7', '9'), fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 4, maxLength: 4 }), separator, (lead, pairs, sep) => {
        const raw = [`0${lead}`, ...pairs.map((p) => String(p).padStart(2, '0'))].join(sep);
        const once = normalise(raw);
        if (!once.ok) return;
        expect(normalise(once.value.e164)).toEqual(once);
      }),
    );
  });
});
