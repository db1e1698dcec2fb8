import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nameNormaliser, normaliseName } from './name.js';

describe('name normaliser', () => {
  it.each([
    ['jean-pierre DE LA FONTAINE', 'Jean-Pierre de la Fontaine'],
    ['  jean   DUPONT ', 'Jean Dupont'],
    ['MARIE-CLAIRE', 'Marie-Claire'],
    ["d'artagnan", "d'Artagnan"],
    ["D'ARTAGNAN", "d'Artagnan"],
    ["o'neil", "O'Neil"],
    ['charles DE GAULLE', 'Charles de Gaulle'],
    ['valéry giscard d’estaing', "Valéry Giscard d'Estaing"],
    ['ludwig VAN BEETHOVEN', 'Ludwig van Beethoven'],
    ['ursula VON DER LEYEN', 'Ursula von der Leyen'],
    ['antoine de saint-exupéry', 'Antoine de Saint-Exupéry'],
    ['MARINE LE PEN', 'Marine Le Pen'], // an article that follows no particle is part of the name
    ['yann LE GOFF', 'Yann Le Goff'],
    ['DE GAULLE', 'De Gaulle'],
    ['élodie ÉTIENNE', 'Élodie Étienne'],
    ['ÇA', 'Ça'],
    ['jean - pierre', 'Jean-Pierre'],
    ['J.-P. martin', 'J.-P. Martin'],
    ['Ronald McDonald', 'Ronald McDonald'],
    ['LÉA\u00A0MARTIN', 'Léa Martin'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normaliseName(raw)).toEqual({ ok: true, value: expected });
  });

  it('writes upper case or keeps the case when asked', () => {
    expect(normaliseName('  jean-pierre  de la fontaine', { case: 'upper' })).toEqual({ ok: true, value: 'JEAN-PIERRE DE LA FONTAINE' });
    expect(normaliseName('  jean-pierre  DE la fontaine', { case: 'keep' })).toEqual({ ok: true, value: 'jean-pierre DE la fontaine' });
  });

  it.each(['Jean2', 'jean@dupont.fr', '***', "'-.", 'Dupont (Mme)'])('refuses %j with quality.invalid_name', (raw) => {
    expect(normaliseName(raw)).toMatchObject({ ok: false, error: { code: 'quality.invalid_name', raw } });
  });

  it('answers quality.empty_value for blank cells', () => {
    expect(normaliseName(' \t ')).toMatchObject({ ok: false, error: { code: 'quality.empty_value' } });
  });

  it('is idempotent (fast-check over names built from French parts)', () => {
    const part = fc.constantFrom('jean', 'JEAN', 'Pierre', 'de', 'DE', 'la', 'LE', 'du', "d'artagnan", "O'NEIL", 'van', 'étienne', 'McDonald', 'x');
    const word = fc.array(part, { minLength: 1, maxLength: 2 }).map((parts) => parts.join('-'));
    const separator = fc.constantFrom(' ', '  ', ' \u00A0');
    const name = fc.array(fc.tuple(separator, word), { minLength: 1, maxLength: 5 }).map((pairs) => pairs.flat().join(''));
    for (const normalise of [nameNormaliser(), nameNormaliser({ case: 'upper' })]) {
      fc.assert(
        fc.property(name, (raw) => {
          const once = normalise(raw);
          expect(once.ok).toBe(true);
          if (once.ok) expect(normalise(once.value)).toEqual(once);
        }),
      );
    }
  });
});
