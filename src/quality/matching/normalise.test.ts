import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { exactDigest } from './exact.js';
import { compact, normaliseDate, normaliseEmail, normalisePhone, normaliseText, tokensOf } from './normalise.js';

describe('normalisation', () => {
  it('folds case, accents and punctuation', () => {
    expect(normaliseText(' Jean-Pierre  LEFÈVRE ')).toBe('jean pierre lefevre');
    expect(normaliseText("L'Haÿ-les-Roses")).toBe('l hay les roses');
    expect(normaliseText('Œuvre')).toBe('oeuvre');
    expect(compact(normaliseText('Le Gall'))).toBe('legall');
    expect(tokensOf('rue de la rue')).toEqual(['rue', 'de', 'la']);
  });

  it('reads dates as YYYYMMDD, day first when written with slashes', () => {
    expect(normaliseDate('19840928')).toBe('19840928');
    expect(normaliseDate('1984-09-28')).toBe('19840928');
    expect(normaliseDate('1984-9-8T00:00:00Z')).toBe('19840908');
    expect(normaliseDate('28/09/1984')).toBe('19840928');
    expect(normaliseDate('8.9.1984')).toBe('19840908');
    expect(normaliseDate('sept 1984')).toBe('');
  });

  it('keeps emails with an @ and the last 9 digits of phones', () => {
    expect(normaliseEmail(' Anna.Martin@Gmail.COM ')).toBe('anna.martin@gmail.com');
    expect(normaliseEmail('anna.martin')).toBe('');
    expect(normalisePhone('+33 (0)6 12 34 56 78')).toBe('612345678');
    expect(normalisePhone('06.12.34.56.78')).toBe('612345678');
    expect(normalisePhone('12')).toBe('');
  });
});

describe('exactDigest', () => {
  it('is the SHA-256 of the values joined by a unit separator, base64, and empty when a value is missing', () => {
    const expected = createHash('sha256').update('martin\u001fanna\u001f19840928').digest('base64');
    expect(exactDigest(['martin', 'anna', '19840928'])).toBe(expected);
    expect(exactDigest(['ab', 'c'])).not.toBe(exactDigest(['a', 'bc']));
    expect(exactDigest(['martin', ''])).toBe('');
  });
});
