import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countryKey, countryNormaliser, CountrySpec, normaliseCountry } from './country.js';
import { ALPHA3_BY_ALPHA2 } from './country-codes.js';

// Codes ICU names that are not ISO 3166-1 countries: exceptionally reserved (AC, CP, CQ, DG, EA, IC, TA), groupings
// (EU, EZ, QO, UN), pseudo-locales (XA, XB) and the unknown region (ZZ). Deprecated codes are weeded out by
// canonicalisation (DD -> DE, UK -> GB...).
const NOT_COUNTRIES = new Set(['AC', 'CP', 'CQ', 'DG', 'EA', 'IC', 'TA', 'EU', 'EZ', 'QO', 'UN', 'XA', 'XB', 'ZZ']);

describe('country normaliser', () => {
  it('knows exactly the regions ICU names, each with an alpha-3 code', () => {
    const display = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const icu = [...letters].flatMap((a) => [...letters].map((b) => a + b)).filter(
      (code) => display.of(code) !== undefined && Intl.getCanonicalLocales(`und-${code}`)[0] === `und-${code}` && !NOT_COUNTRIES.has(code),
    );
    expect([...ALPHA3_BY_ALPHA2.keys()].sort()).toEqual(icu.sort());
    expect(ALPHA3_BY_ALPHA2.size).toBe(250);
    expect(new Set(ALPHA3_BY_ALPHA2.values()).size).toBe(250);
  });

  it.each([
    ['France', 'FR'], ['FRANCE', 'FR'], ['france', 'FR'], ['FR', 'FR'], ['fr', 'FR'], ['FRA', 'FR'], ['France métropolitaine', 'FR'],
    ['Allemagne', 'DE'], ['Germany', 'DE'], ['DEU', 'DE'], ['deu', 'DE'], ['Deutschland', 'DE'],
    ['Royaume-Uni', 'GB'], ['royaume uni', 'GB'], ['ROYAUME-UNI', 'GB'], ['UK', 'GB'], ['United Kingdom', 'GB'], ['GBR', 'GB'], ['Angleterre', 'GB'],
    ['Espagne', 'ES'], ['Spain', 'ES'], ['España', 'ES'], ['Belgique', 'BE'], ['Suisse', 'CH'], ['Switzerland', 'CH'], ['Italie', 'IT'],
    ['États-Unis', 'US'], ['Etats-Unis', 'US'], ['ETATS UNIS', 'US'], ['USA', 'US'], ['United States', 'US'],
    ['Pays-Bas', 'NL'], ['Netherlands', 'NL'], ['Hollande', 'NL'], ['Côte d’Ivoire', 'CI'], ["Cote d'Ivoire", 'CI'], ['Ivory Coast', 'CI'],
    ['La Réunion', 'RE'], ['Réunion', 'RE'], ['REUNION', 'RE'], ['Guadeloupe', 'GP'], ['Martinique', 'MQ'], ['Guyane française', 'GF'],
    ['Nouvelle-Calédonie', 'NC'], ['Polynésie française', 'PF'], ['Saint-Pierre-et-Miquelon', 'PM'], ['Mayotte', 'YT'],
    ['Maroc', 'MA'], ['Morocco', 'MA'], ['Algérie', 'DZ'], ['Tunisie', 'TN'], ['Sénégal', 'SN'],
    ['Bosnia and Herzegovina', 'BA'], ['Saint Kitts and Nevis', 'KN'], ['St. Lucia', 'LC'], ['The Bahamas', 'BS'],
    ['Birmanie', 'MM'], ['Myanmar', 'MM'], ['Hong Kong', 'HK'], ['Corée du Sud', 'KR'], ['South Korea', 'KR'], ['Tchéquie', 'CZ'],
    ['République tchèque', 'CZ'], ['Turquie', 'TR'], ['Turkey', 'TR'], ['Türkiye', 'TR'], ['RDC', 'CD'], ['Vatican', 'VA'], ['Kosovo', 'XK'],
    ['  Japon  ', 'JP'], ['Chine', 'CN'], ['Brésil', 'BR'], ['Brazil', 'BR'], ['Inde', 'IN'], ['IN', 'IN'],
  ])('reads %j as %s', (raw, code) => {
    expect(normaliseCountry(raw)).toEqual({ ok: true, value: code });
  });

  it.each(['Gaule', 'Europe', 'EU', 'XX', 'ZZZ', 'Union européenne', 'Congo', '33', 'Fr4nce'])('refuses %j with quality.invalid_country', (raw) => {
    expect(normaliseCountry(raw)).toMatchObject({ ok: false, error: { code: 'quality.invalid_country', raw } });
  });

  it('answers quality.empty_value for blank cells', () => {
    expect(normaliseCountry(null)).toMatchObject({ ok: false, error: { code: 'quality.empty_value' } });
  });

  it("takes the spec's aliases, which must name a known code", () => {
    expect(countryNormaliser({ aliases: { Métropole: 'FR', Hexagone: 'FR' } })('hexagone')).toEqual({ ok: true, value: 'FR' });
    expect(CountrySpec.safeParse({ kind: 'country', aliases: { Gaule: 'GA' } }).success).toBe(true);
    expect(CountrySpec.safeParse({ kind: 'country', aliases: { Gaule: 'GAU' } }).success).toBe(false);
  });

  it('folds case, accents, punctuation, "&", "St." and leading articles in names', () => {
    expect(countryKey('  Saint-Vincent-et-les Grenadines ')).toBe('saint vincent et les grenadines');
    expect(countryKey('St. Vincent & Grenadines')).toBe('saint vincent and grenadines');
    expect(countryKey('La Réunion')).toBe(countryKey('Réunion'));
  });

  it('reads every French and English name of every region back to its code, and is idempotent (fast-check)', () => {
    const normalise = countryNormaliser();
    const codes = [...ALPHA3_BY_ALPHA2.keys()];
    const fr = new Intl.DisplayNames(['fr'], { type: 'region' });
    const en = new Intl.DisplayNames(['en'], { type: 'region' });
    for (const code of codes) {
      for (const name of [fr.of(code), en.of(code), ALPHA3_BY_ALPHA2.get(code)]) {
        expect(normalise(name), `${code} ${name}`).toEqual({ ok: true, value: code });
      }
    }
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.constantFrom('fr', 'en', 'alpha3'), fc.constantFrom('upper', 'lower', 'as is'), (code, form, casing) => {
        const name = form === 'alpha3' ? (ALPHA3_BY_ALPHA2.get(code) ?? '') : (form === 'fr' ? fr : en).of(code) ?? '';
        const raw = casing === 'upper' ? name.toUpperCase() : casing === 'lower' ? name.toLowerCase() : name;
        const once = normalise(raw);
        expect(once).toEqual({ ok: true, value: code });
        if (once.ok) expect(normalise(once.value)).toEqual(once);
      }),
    );
  });
});
