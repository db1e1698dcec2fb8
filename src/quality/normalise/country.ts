import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { ALPHA3_BY_ALPHA2 } from './country-codes.js';
import { collapseSpaces, fail, fold, show, textOf, type NormaliseError, type Normaliser } from './normalise-error.js';

/** An ISO 3166-1 alpha-2 code Segmentum knows (the 249 assigned codes and XK). */
export const CountryCode = z.string().refine((code) => ALPHA3_BY_ALPHA2.has(code), 'Use an ISO 3166-1 alpha-2 code in capitals, such as FR');

const ALPHA2_BY_ALPHA3 = new Map([...ALPHA3_BY_ALPHA2].map(([a2, a3]) => [a3, a2]));

// Names people write that ICU does not give in French or English: former names, other languages of the EU, the
// nations of the United Kingdom, common abbreviations.
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  AE: ['UAE', 'EAU'],
  AT: ['Österreich'],
  BE: ['België'],
  CD: ['RDC', 'RD Congo', 'DR Congo', 'République démocratique du Congo', 'Democratic Republic of the Congo', 'Zaïre'],
  CG: ['République du Congo', 'Republic of the Congo'],
  CH: ['Schweiz', 'Svizzera'],
  CI: ['Ivory Coast'],
  CV: ['Cabo Verde'],
  CZ: ['République tchèque', 'Czech Republic'],
  DE: ['Deutschland'],
  DK: ['Danmark'],
  ES: ['España'],
  FI: ['Suomi'],
  FR: ['France métropolitaine', 'Metropolitan France', 'République française'],
  GB: ['UK', 'Grande-Bretagne', 'Great Britain', 'Angleterre', 'England', 'Écosse', 'Scotland', 'Pays de Galles', 'Wales', 'Irlande du Nord', 'Northern Ireland'],
  IE: ['Éire'],
  IT: ['Italia'],
  KR: ['Republic of Korea', 'République de Corée'],
  MK: ['Macédoine', 'Macedonia'],
  MO: ['Macau'],
  NL: ['Hollande', 'Holland', 'Nederland'],
  NO: ['Norge'],
  PF: ['Tahiti'],
  PL: ['Polska'],
  RU: ['Russian Federation', 'Fédération de Russie'],
  SE: ['Sverige'],
  SZ: ['Swaziland'],
  TL: ['East Timor'],
  TR: ['Turkey'],
  US: ['USA', 'États-Unis d’Amérique', 'United States of America'],
  VA: ['Vatican', 'Saint-Siège', 'Holy See'],
};

const ARTICLES = new Set(['the', 'la', 'le', 'les', 'l']);
const ABBREVIATIONS: Readonly<Record<string, string>> = { st: 'saint', ste: 'sainte' };

/**
 * The key a country name is looked up by: no case, accents or punctuation, "&" read as "and", "St." as "Saint",
 * and no leading article ("La Réunion" and "Réunion", "The Bahamas" and "Bahamas" meet).
 */
export function countryKey(name: string): string {
  const words = collapseSpaces(fold(name).replaceAll('&', ' and ').replace(/[^\p{L}\p{N}]+/gu, ' '))
    .split(' ')
    .map((w) => ABBREVIATIONS[w] ?? w);
  while (words.length > 1 && ARTICLES.has(words[0] ?? '')) words.shift();
  return words.join(' ');
}

let names: ReadonlyMap<string, string> | undefined;

/** Every name of every region in French and English (long, short and narrow forms), with the aliases. */
function countryNames(): ReadonlyMap<string, string> {
  if (names !== undefined) return names;
  // Full names and aliases first; names cut from a parenthesis ("Saint-Martin (partie néerlandaise)") only fill keys
  // no full name took, so that they never shadow another region's name. A key two regions share is dropped: it is no
  // evidence for either.
  const primary = new NameTable();
  const secondary = new NameTable();
  for (const locale of ['fr', 'en']) {
    for (const style of ['long', 'short', 'narrow'] as const) {
      const display = new Intl.DisplayNames([locale], { type: 'region', style, fallback: 'none' });
      for (const code of ALPHA3_BY_ALPHA2.keys()) {
        const name = display.of(code);
        if (name === undefined) continue;
        primary.add(name, code);
        // "Myanmar (Birmanie)": the name without its parenthesis, and the parenthesis alone.
        const paren = /^(.*?)\s*\(([^)]+)\)\s*(.*)$/u.exec(name);
        if (paren !== null) {
          secondary.add(`${paren[1] ?? ''} ${paren[3] ?? ''}`, code);
          if ((paren[3] ?? '') === '') secondary.add(paren[2] ?? '', code);
        }
      }
    }
  }
  for (const [code, aliases] of Object.entries(ALIASES)) for (const alias of aliases) primary.add(alias, code);
  const table = primary.unambiguous();
  for (const [key, code] of secondary.unambiguous()) if (!primary.knows(key)) table.set(key, code);
  names = table;
  return table;
}

class NameTable {
  private readonly codes = new Map<string, Set<string>>();
  add(name: string, code: string): void {
    const key = countryKey(name);
    if (key !== '') this.codes.set(key, (this.codes.get(key) ?? new Set()).add(code));
  }
  knows(key: string): boolean {
    return this.codes.has(key);
  }
  unambiguous(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, codes] of this.codes) if (codes.size === 1) out.set(key, [...codes][0] ?? '');
    return out;
  }
}

export const CountrySpec = z.strictObject({
  kind: z.literal('country'),
  /** Extra names, such as { "Metropole": "FR" }: compared the same way as the built-in names. */
  aliases: z.record(z.string().min(1), CountryCode).default({}),
});
export type CountryOptions = Omit<z.input<typeof CountrySpec>, 'kind'>;

/**
 * Countries to ISO 3166-1 alpha-2, from alpha-2, alpha-3, or names in French or English:
 * `countryNormaliser()("Allemagne")` is `ok("DE")`, and so are "DEU", "Germany" and "de".
 */
export function countryNormaliser(options: CountryOptions = {}): Normaliser<string> {
  const spec = CountrySpec.parse({ ...options, kind: 'country' });
  const table = countryNames();
  const own = new Map(Object.entries(spec.aliases).map(([alias, code]) => [countryKey(alias), code]));
  return (raw) => {
    const text = textOf(raw, 'quality.invalid_country', 'country');
    if (!text.ok) return text;
    const upper = text.value.toUpperCase();
    if (/^[A-Z]{2}$/.test(upper) && ALPHA3_BY_ALPHA2.has(upper)) return ok(upper);
    const fromAlpha3 = /^[A-Z]{3}$/.test(upper) ? ALPHA2_BY_ALPHA3.get(upper) : undefined;
    if (fromAlpha3 !== undefined) return ok(fromAlpha3);
    const key = countryKey(text.value);
    const code = own.get(key) ?? table.get(key);
    if (code !== undefined) return ok(code);
    return fail(
      'quality.invalid_country',
      raw,
      `${show(raw)} is not a country Segmentum knows: write its ISO code (FR, FRA) or its French or English name, or add it to the spec's aliases.`,
    );
  };
}

export function normaliseCountry(raw: unknown, options: CountryOptions = {}): Result<string, NormaliseError> {
  return countryNormaliser(options)(raw);
}
