import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressNormaliser, normaliseAddress } from './address.js';

describe('address normaliser', () => {
  it.each([
    ['12 RUE DE LA PAIX', '12 Rue de la Paix'],
    ['  12   rue de la   paix ', '12 Rue de la Paix'],
    ["3 place de l'église", "3 Place de l'Église"],
    ['3bis avenue jean-jaurès', '3bis Avenue Jean-Jaurès'],
    ['3 BIS AVENUE JEAN JAURÈS', '3 bis Avenue Jean Jaurès'],
    ['bâtiment b2,escalier 4', 'Bâtiment B2, Escalier 4'],
    ['BP 123', 'BP 123'],
    ['zi des Pins cedex', 'ZI des Pins CEDEX'],
    ['12 av. de la république', '12 Av. de la République'], // no expansion unless asked
  ])('normalises %j to %j', (raw, expected) => {
    expect(normaliseAddress(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['12 av. de la république', '12 Avenue de la République'],
    ['12 AV DE LA REPUBLIQUE', '12 Avenue de la Republique'],
    ['5 bd saint-michel', '5 Boulevard Saint-Michel'],
    ['5 Bd. St Michel', '5 Boulevard Saint Michel'],
    ['10 r. victor hugo', '10 Rue Victor Hugo'],
    ['10 r victor hugo', '10 Rue Victor Hugo'], // "r" after the house number
    ['10 bis r de la gare', '10 bis Rue de la Gare'],
    ['impasse r', 'Impasse R'], // "r" elsewhere is a letter
    ['2 imp. des lilas', '2 Impasse des Lilas'],
    ['4 all. des tilleuls', '4 Allée des Tilleuls'],
    ['7 rte de lyon', '7 Route de Lyon'],
    ['8 fbg saint-antoine', '8 Faubourg Saint-Antoine'],
    ['1 pl. bellecour', '1 Place Bellecour'],
    ['lot. les chênes', 'Lotissement les Chênes'],
    ['2 chem. des vignes', '2 Chemin des Vignes'],
    ['rés. les lilas, bât. a', 'Résidence les Lilas, Bâtiment A'],
  ])('expands abbreviations when asked: %j -> %j', (raw, expected) => {
    expect(normaliseAddress(raw, { expandAbbreviations: true })).toEqual({ ok: true, value: expected });
  });

  it('writes upper case (AFNOR style) or keeps the case when asked', () => {
    expect(normaliseAddress('12 av. de la république', { case: 'upper', expandAbbreviations: true })).toEqual({
      ok: true,
      value: '12 AVENUE DE LA RÉPUBLIQUE',
    });
    expect(normaliseAddress(' 12  rue DE la paix ', { case: 'keep' })).toEqual({ ok: true, value: '12 rue DE la paix' });
  });

  it('refuses lines without a letter or digit, and answers quality.empty_value for blank cells', () => {
    expect(normaliseAddress('--')).toMatchObject({ ok: false, error: { code: 'quality.invalid_address' } });
    expect(normaliseAddress('')).toMatchObject({ ok: false, error: { code: 'quality.empty_value' } });
  });

  it('is idempotent (fast-check)', () => {
    const word = fc.constantFrom('12', '3bis', 'BIS', 'rue', 'AV.', 'bd', 'r', 'de', 'LA', "l'église", 'jean-jaurès', 'cedex', 'BP', 'b2,', 'saint', 'st');
    for (const normalise of [addressNormaliser(), addressNormaliser({ expandAbbreviations: true })]) {
      fc.assert(
        fc.property(fc.array(word, { minLength: 1, maxLength: 7 }), (words) => {
          const once = normalise(words.join(' '));
          expect(once.ok).toBe(true);
          if (once.ok) expect(normalise(once.value)).toEqual(once);
        }),
      );
    }
  });
});
