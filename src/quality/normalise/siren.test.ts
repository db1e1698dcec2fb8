import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LA_POSTE_SIREN, luhnCheckDigit, luhnValid, normaliseSiren, normaliseSiret } from './siren.js';

// Public identifiers from the Sirene register.
const SIRENS = [
  ['732829320', 'the example of INSEE and python-stdnum'],
  ['552100554', "the test value of data.gouv.fr's csv-detective"],
  ['356000000', 'La Poste'],
  ['542051180', 'TotalEnergies SE'],
];

describe('SIREN', () => {
  it.each(SIRENS)('accepts %s (%s)', (siren) => {
    expect(normaliseSiren(siren)).toEqual({ ok: true, value: siren });
  });

  it.each([
    ['732 829 320', '732829320'],
    ['732.829.320', '732829320'],
    [' 732\u00A0829\u00A0320 ', '732829320'],
    [732829320, '732829320'],
  ])('reads %j as %s', (raw, siren) => {
    expect(normaliseSiren(raw)).toEqual({ ok: true, value: siren });
  });

  it.each([
    ['732829321', 'check digit'],
    ['73282932', 'has 8 digits'],
    ['73282932000074', 'map the column as siret'],
    ['732-829-320', 'digits only'],
    ['SIREN 732829320', 'digits only'],
  ])('refuses %j with quality.invalid_siren (%s)', (raw, why) => {
    const result = normaliseSiren(raw);
    expect(result).toMatchObject({ ok: false, error: { code: 'quality.invalid_siren', raw } });
    if (!result.ok) expect(result.error.message).toContain(why);
  });

  it('passes generated valid numbers and fails every one-digit change (fast-check)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8}$/), fc.nat(8), fc.integer({ min: 1, max: 9 }), (body, position, delta) => {
        const siren = body + luhnCheckDigit(body);
        expect(normaliseSiren(siren)).toEqual({ ok: true, value: siren });
        const changed = siren.slice(0, position) + String((Number(siren[position]) + delta) % 10) + siren.slice(position + 1);
        expect(normaliseSiren(changed)).toMatchObject({ ok: false, error: { code: 'quality.invalid_siren' } });
      }),
    );
  });
});

describe('SIRET', () => {
  it.each([
    ['73282932000074', 'the seventh establishment of 732 829 320 (INSEE example)'],
    ['35600000000048', 'La Poste head office: the one La Poste SIRET under Luhn'],
    ['35600000049837', 'a La Poste establishment: digit sum 45, a multiple of 5'],
  ])('accepts %s (%s)', (siret) => {
    expect(normaliseSiret(siret)).toEqual({ ok: true, value: siret });
  });

  it('reads spaced numbers', () => {
    expect(normaliseSiret('732 829 320 00074')).toEqual({ ok: true, value: '73282932000074' });
  });

  it.each([
    ['73282932000075', 'check digit'],
    ['35600000049838', 'check digit'], // La Poste, digit sum 46
    ['7328293200007', 'has 13 digits'],
    ['732829320', 'map the column as siren'],
    ['73282932100072', 'check digit'], // Luhn-valid as 14 digits, but its SIREN 732829321 is not
  ])('refuses %j with quality.invalid_siret (%s)', (raw, why) => {
    const result = normaliseSiret(raw);
    expect(result).toMatchObject({ ok: false, error: { code: 'quality.invalid_siret', raw } });
    if (!result.ok) expect(result.error.message).toContain(why);
  });

  it('checks that the last case is Luhn-valid as a whole, so that only the SIREN check refuses it', () => {
    expect(luhnValid('73282932100072')).toBe(true);
    expect(luhnValid('732829321')).toBe(false);
  });

  it('passes generated valid numbers and fails every one-digit change (fast-check)', () => {
    const siren = fc.stringMatching(/^\d{8}$/).map((body) => body + luhnCheckDigit(body));
    fc.assert(
      fc.property(siren, fc.stringMatching(/^\d{4}$/), fc.nat(13), fc.integer({ min: 1, max: 9 }), (s, nic, position, delta) => {
        // One changed digit away from La Poste's SIREN, the other key would apply: left to the next property.
        fc.pre([...s].filter((c, i) => c !== LA_POSTE_SIREN[i]).length > 1);
        const body = s + nic;
        const siret = body + luhnCheckDigit(body);
        expect(normaliseSiret(siret)).toEqual({ ok: true, value: siret });
        const changed = siret.slice(0, position) + String((Number(siret[position]) + delta) % 10) + siret.slice(position + 1);
        expect(normaliseSiret(changed)).toMatchObject({ ok: false, error: { code: 'quality.invalid_siret' } });
      }),
    );
  });

  it('checks La Poste establishments by digit sum: generated ones pass, a change other than ±5 fails (fast-check)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{4}$/), fc.integer({ min: 9, max: 13 }), fc.integer({ min: 1, max: 9 }), (nic, position, delta) => {
        const body = LA_POSTE_SIREN + nic;
        const sum = [...body].reduce((acc, c) => acc + Number(c), 0);
        const key = (5 - (sum % 5)) % 5; // 0..4, so the last digit stays a digit
        const siret = body + String(key);
        fc.pre(siret !== '35600000000048');
        expect(normaliseSiret(siret)).toEqual({ ok: true, value: siret });
        const digit = (Number(siret[position]) + delta) % 10;
        const changed = siret.slice(0, position) + String(digit) + siret.slice(position + 1);
        fc.pre(changed !== '35600000000048');
        const expected = (digit - Number(siret[position]) + 10) % 5 === 0;
        expect(normaliseSiret(changed).ok).toBe(expected);
      }),
    );
  });
});
