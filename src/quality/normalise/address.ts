import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { capitaliseParts, straightenApostrophes, TextCase } from './name.js';
import { collapseSpaces, fail, fold, show, textOf, type NormaliseError, type Normaliser } from './normalise-error.js';

// Street-type and address abbreviations of French files (the AFNOR NF Z10-011 list abbreviates the same words), keyed
// by the folded abbreviation without its dot. Words that are also ordinary words ("lot", "pass") need their dot.
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  av: 'avenue', ave: 'avenue', bd: 'boulevard', bld: 'boulevard', blvd: 'boulevard', boul: 'boulevard',
  pl: 'place', imp: 'impasse', all: 'allée', ch: 'chemin', chem: 'chemin', rte: 'route', fg: 'faubourg',
  fbg: 'faubourg', sq: 'square', qu: 'quai', crs: 'cours', prom: 'promenade', res: 'résidence', bat: 'bâtiment',
  esc: 'escalier', appt: 'appartement', apt: 'appartement', st: 'saint', ste: 'sainte',
};
const DOTTED_ONLY: Readonly<Record<string, string>> = { r: 'rue', lot: 'lotissement', pass: 'passage' };

// Lower-case inside a title-cased line: articles, prepositions, and the bis/ter of house numbers.
const SMALL_WORDS = new Set(['de', 'du', 'des', 'la', 'le', 'les', 'à', 'au', 'aux', 'et', 'en', 'sur', 'sous', 'bis', 'ter', 'quater']);
// Postal acronyms kept in capitals.
const ACRONYMS = new Set(['bp', 'cs', 'tsa', 'cedex', 'zi', 'za', 'zac', 'zae', 'hlm']);

export const AddressSpec = z.strictObject({
  kind: z.literal('address'),
  /** title: 12 Avenue de la République; upper: 12 AVENUE DE LA RÉPUBLIQUE; keep: spaces (and expansions) only. */
  case: TextCase.default('title'),
  /** Expand street abbreviations: av. -> avenue, bd -> boulevard, r. -> rue (and "r" right after the house number). */
  expandAbbreviations: z.boolean().default(false),
});
export type AddressOptions = Omit<z.input<typeof AddressSpec>, 'kind'>;

const HOUSE_NUMBER = /^\d+[a-z]?,?$/iu;

/**
 * Address lines: `addressNormaliser({ expandAbbreviations: true })("12 av. de la  république")` is
 * `ok("12 Avenue de la République")`. Spaces are collapsed, a space follows each comma, apostrophes are straightened.
 */
export function addressNormaliser(options: AddressOptions = {}): Normaliser<string> {
  const spec = AddressSpec.parse({ ...options, kind: 'address' });
  return (raw) => {
    const text = textOf(raw, 'quality.invalid_address', 'address');
    if (!text.ok) return text;
    const cleaned = collapseSpaces(straightenApostrophes(text.value).replace(/\s*,\s*/gu, ', ')).replace(/,$/u, '');
    if (!/[\p{L}\p{N}]/u.test(cleaned)) {
      return fail('quality.invalid_address', raw, `${show(raw)} is not an address line: it has no letter or digit.`);
    }
    let words = cleaned.split(' ');
    if (spec.expandAbbreviations) words = words.map((word, i) => expand(word, words[i - 1]));
    if (spec.case === 'upper') return ok(words.join(' ').toLocaleUpperCase('fr'));
    if (spec.case === 'keep') return ok(words.join(' '));
    return ok(words.map((word, i) => titleWord(word, i)).join(' '));
  };
}

function expand(word: string, previous: string | undefined): string {
  const comma = word.endsWith(',') ? ',' : '';
  const bare = comma === '' ? word : word.slice(0, -1);
  const dotted = bare.endsWith('.');
  const key = fold(dotted ? bare.slice(0, -1) : bare);
  const afterNumber = previous === undefined || HOUSE_NUMBER.test(previous) || /^(bis|ter|quater)$/iu.test(previous);
  const full = ABBREVIATIONS[key] ?? (dotted || (key === 'r' && afterNumber) ? DOTTED_ONLY[key] : undefined);
  return full === undefined ? word : `${full}${comma}`;
}

function titleWord(word: string, index: number): string {
  const comma = word.endsWith(',') ? ',' : '';
  const bare = comma === '' ? word : word.slice(0, -1);
  const lower = bare.toLocaleLowerCase('fr');
  let out: string;
  const numbered = /^(\d+)(bis|ter|quater)$/iu.exec(bare);
  if (numbered !== null) out = `${numbered[1] ?? ''}${(numbered[2] ?? '').toLowerCase()}`; // 3bis
  else if (/\d/u.test(bare)) out = bare.toLocaleUpperCase('fr'); // 12B, B2
  else if (ACRONYMS.has(fold(bare))) out = bare.toLocaleUpperCase('fr');
  else if (index > 0 && SMALL_WORDS.has(lower)) out = lower;
  else if (index > 0 && /^[dl]'./u.test(lower)) out = `${lower.slice(0, 2)}${capitaliseParts(bare.slice(2))}`;
  else out = capitaliseParts(bare);
  return `${out}${comma}`;
}

export function normaliseAddress(raw: unknown, options: AddressOptions = {}): Result<string, NormaliseError> {
  return addressNormaliser(options)(raw);
}
