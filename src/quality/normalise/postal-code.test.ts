import { describe, expect, it } from 'vitest';
import { checkPostalCodeCountry, normalisePostalCode, postalCodeNormaliser } from './postal-code.js';

describe('postal code normaliser', () => {
  it.each([
    ['75008', '75008'], // Paris 8e
    ['01000', '01000'], // Bourg-en-Bresse: the leading zero is part of the code
    ['06000', '06000'], // Nice
    ['20000', '20000'], // Ajaccio (Corse-du-Sud keeps 20 in postal codes)
    ['20200', '20200'], // Bastia
    ['97400', '97400'], // Saint-Denis, La Réunion
    ['97133', '97133'], // Saint-Barthélemy
    ['98800', '98800'], // Nouméa
    ['75 008', '75008'],
    [' 69001 ', '69001'],
    ['F-75008', '75008'],
    [75008, '75008'],
  ])('reads %j as %s', (raw, code) => {
    expect(normalisePostalCode(raw)).toEqual({ ok: true, value: code });
  });

  it.each([
    ['1000', 'write 01000'],
    [1000, 'write 01000'],
    ['750080', 'five digits'],
    ['7500', 'write 07500'],
    ['00100', 'no postal code starts with 00'],
    ['96100', 'no postal code starts with 96'],
    ['97900', 'overseas postal codes start with 971 to 976'],
    ['98100', 'postal codes starting with 98'],
    ['75OO8', 'five digits'],
    ['75008 Paris', 'five digits'],
  ])('refuses %j with quality.invalid_postal_code (%s)', (raw, why) => {
    const result = normalisePostalCode(raw);
    expect(result).toMatchObject({ ok: false, error: { code: 'quality.invalid_postal_code', raw } });
    if (!result.ok) expect(result.error.message).toContain(why);
  });

  it('pads codes a spreadsheet stored as numbers only when numericInput is set', () => {
    const numeric = postalCodeNormaliser({ numericInput: true });
    expect(numeric(1000)).toEqual({ ok: true, value: '01000' });
    expect(numeric('6000')).toEqual({ ok: true, value: '06000' });
    expect(numeric(75008)).toEqual({ ok: true, value: '75008' });
    expect(numeric(100)).toMatchObject({ ok: false, error: { code: 'quality.invalid_postal_code' } });
  });

  it('checks the territory of overseas columns, and passes other countries through', () => {
    expect(postalCodeNormaliser({ country: 'RE' })('97400')).toEqual({ ok: true, value: '97400' });
    expect(postalCodeNormaliser({ country: 'RE' })('97100')).toMatchObject({ ok: false, error: { code: 'quality.postal_code_mismatch' } });
    expect(postalCodeNormaliser({ country: 'GB' })(' sw1a  1aa ')).toEqual({ ok: true, value: 'SW1A 1AA' });
    expect(postalCodeNormaliser({ country: 'DE' })('10115')).toEqual({ ok: true, value: '10115' });
  });

  it('answers quality.empty_value for blank cells', () => {
    expect(normalisePostalCode('')).toMatchObject({ ok: false, error: { code: 'quality.empty_value' } });
  });
});

describe('postal code and country consistency', () => {
  it.each([
    ['75008', 'FR'],
    ['97400', 'FR'], // La Réunion is France: files often say FR
    ['97400', 'RE'],
    ['97110', 'GP'],
    ['97133', 'BL'],
    ['97150', 'MF'],
    ['97200', 'MQ'],
    ['97300', 'GF'],
    ['97500', 'PM'],
    ['97600', 'YT'],
    ['98000', 'MC'],
    ['98800', 'NC'],
    ['SW1A 1AA', 'GB'],
    ['anything', 'DE'],
  ])('accepts %s in %s', (code, country) => {
    expect(checkPostalCodeCountry(code, country)).toEqual({ ok: true, value: code });
  });

  it.each([
    ['97400', 'GP', 'belongs to RE'],
    ['97133', 'GP', 'belongs to BL'],
    ['75008', 'RE', 'belongs to metropolitan France'],
    ['98000', 'FR', 'belongs to MC'],
    ['75008', 'MC', 'belongs to metropolitan France'],
  ])('refuses %s in %s (%s)', (code, country, why) => {
    const result = checkPostalCodeCountry(code, country);
    expect(result).toMatchObject({ ok: false, error: { code: 'quality.postal_code_mismatch' } });
    if (!result.ok) expect(result.error.message).toContain(why);
  });

  it('refuses malformed French codes', () => {
    expect(checkPostalCodeCountry('7500', 'FR')).toMatchObject({ ok: false, error: { code: 'quality.invalid_postal_code' } });
  });
});
