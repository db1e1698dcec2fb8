import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { CountryCode } from './country.js';
import { collapseSpaces, fail, show, textOf, type NormaliseError, type Normaliser } from './normalise-error.js';

// The territories whose addresses use French postal codes, with the prefix their codes start with. Saint-Barthélemy
// and Saint-Martin were part of Guadeloupe and kept one code each from its 971 range.
const PREFIXES: Readonly<Record<string, readonly string[]>> = {
  GP: ['971'],
  MQ: ['972'],
  GF: ['973'],
  RE: ['974'],
  PM: ['975'],
  YT: ['976'],
  BL: ['97133'],
  MF: ['97150'],
  WF: ['986'],
  PF: ['987'],
  NC: ['988'],
  MC: ['980'],
};
const NOT_GUADELOUPE = ['97133', '97150'];

/** The countries whose postal codes are checked (FR and the territories that use French codes); others pass through. */
export const FRENCH_POSTAL_COUNTRIES: readonly string[] = ['FR', ...Object.keys(PREFIXES)];

/**
 * Why a text is not a French postal code, or null: five digits, the first two a department (01 to 95, 20 being
 * Corsica since postal codes kept 20 when 2A and 2B were created), or 971 to 976 overseas, or 980 (Monaco), 986,
 * 987, 988 (Wallis-et-Futuna, French Polynesia, New Caledonia).
 */
export function frenchPostalCodeProblem(code: string): string | null {
  if (!/^\d{5}$/.test(code)) return 'a French postal code has five digits';
  const department = Number(code.slice(0, 2));
  if (department === 0 || department === 96) return `no postal code starts with ${code.slice(0, 2)}`;
  if (department === 97 && !/^97[1-6]/.test(code)) return 'overseas postal codes start with 971 to 976';
  if (department === 98 && !/^98[0678]/.test(code)) return 'postal codes starting with 98 are 980, 986, 987 or 988';
  return null;
}

/**
 * Checks that a postal code belongs to a country (alpha-2): French codes must be valid and carry the prefix of the
 * territory (97400 with RE, not with GP; FR accepts every French code but Monaco's 980). Other countries pass
 * through: their formats are not checked yet. For the validation rules that compare two columns.
 */
export function checkPostalCodeCountry(postalCode: string, country: string): Result<string, NormaliseError> {
  return check(postalCode, country, postalCode);
}

function check(postalCode: string, country: string, raw: unknown): Result<string, NormaliseError> {
  if (!FRENCH_POSTAL_COUNTRIES.includes(country)) return ok(postalCode);
  const problem = frenchPostalCodeProblem(postalCode);
  if (problem !== null) {
    return fail('quality.invalid_postal_code', raw, `${show(raw)} is not a valid postal code for ${country}: ${problem}.`);
  }
  const prefixes = PREFIXES[country];
  const belongs =
    prefixes === undefined
      ? !postalCode.startsWith('980')
      : prefixes.some((p) => postalCode.startsWith(p)) && !(country === 'GP' && NOT_GUADELOUPE.includes(postalCode));
  if (belongs) return ok(postalCode);
  const owner = Object.entries(PREFIXES).find(
    ([c, ps]) => ps.some((p) => postalCode.startsWith(p)) && !(c === 'GP' && NOT_GUADELOUPE.includes(postalCode)),
  )?.[0];
  return fail(
    'quality.postal_code_mismatch',
    raw,
    `The postal code ${postalCode} belongs to ${owner ?? 'metropolitan France'}, not to ${country}: check the postal code and the country.`,
  );
}

export const PostalCodeSpec = z.strictObject({
  kind: z.literal('postal_code'),
  /** The country of the column's addresses; codes of FR and of territories using French codes are checked. */
  country: CountryCode.default('FR'),
  /**
   * The column went through a spreadsheet that stored codes as numbers: pad 1000 to 01000. Off by default, since a
   * four-digit code is otherwise a typing error to report, not to repair.
   */
  numericInput: z.boolean().default(false),
});
export type PostalCodeOptions = Omit<z.input<typeof PostalCodeSpec>, 'kind'>;

/**
 * Postal codes: `postalCodeNormaliser()("75 008")` is `ok("75008")`; "1000" is refused unless numericInput is set,
 * as then it is `ok("01000")`. Codes of other countries are trimmed, upper-cased and passed through.
 */
export function postalCodeNormaliser(options: PostalCodeOptions = {}): Normaliser<string> {
  const spec = PostalCodeSpec.parse({ ...options, kind: 'postal_code' });
  const french = FRENCH_POSTAL_COUNTRIES.includes(spec.country);
  return (raw) => {
    const text = textOf(raw, 'quality.invalid_postal_code', 'postal code');
    if (!text.ok) return text;
    if (!french) return ok(collapseSpaces(text.value).toUpperCase());
    let code = text.value.replace(/^F(?:R)?-\s*/i, '').replace(/\s+/gu, '');
    if (/^\d{4}$/.test(code)) {
      if (!spec.numericInput) {
        return fail(
          'quality.invalid_postal_code',
          raw,
          `${show(raw)} has four digits, as when a spreadsheet drops the leading zero: write 0${code}, or set numericInput in the spec.`,
        );
      }
      code = `0${code}`;
    }
    return check(code, spec.country, raw);
  };
}

export function normalisePostalCode(raw: unknown, options: PostalCodeOptions = {}): Result<string, NormaliseError> {
  return postalCodeNormaliser(options)(raw);
}
