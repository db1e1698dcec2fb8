/**
 * Normalisation applied to every value before it is compared, hashed or used as a blocking key: the comparators then
 * see "Lefèvre ", "LEFEVRE" and "lefevre" as the same string, and only real differences count against a pair.
 */

const ACCENTS = /[\u0300-\u036f]/g;
const NOT_ALNUM = /[^a-z0-9]+/g;
const PLAIN = /^[a-z0-9]*( [a-z0-9]+)*$/;

/** Lower case, accents dropped, punctuation to single spaces, trimmed: `" Jean-Pierre  LEFÈVRE"` -> `"jean pierre lefevre"`. */
export function normaliseText(value: string): string {
  // Most cells are already plain (Febrl files are): skip the Unicode work for them.
  if (PLAIN.test(value)) return value;
  const lower = value.toLowerCase();
  const folded = /[\u0080-\uffff]/.test(lower) ? lower.normalize('NFD').replace(ACCENTS, '').replace(/œ/g, 'oe').replace(/æ/g, 'ae').replace(/ß/g, 'ss') : lower;
  return folded.replace(NOT_ALNUM, ' ').trim();
}

/** A normalised text without its spaces: `"jac ob"` and `"jacob"`, `"le gall"` and `"legall"` compare equal. */
export function compact(normalised: string): string {
  return normalised.includes(' ') ? normalised.replace(/ /g, '') : normalised;
}

/** The digits of a value only (phones, ids, postcodes written with spaces or dots). */
export function digitsOf(value: string): string {
  return value.replace(/\D+/g, '');
}

const CLEAN_EMAIL = /^[a-z0-9._%+@-]*$/;

/** An email trimmed and lower-cased; empty when it has no `@` (not an address). */
export function normaliseEmail(value: string): string {
  // Most addresses are already clean: skip the two string copies for them.
  const e = CLEAN_EMAIL.test(value) ? value : value.trim().toLowerCase();
  return e.indexOf('@') > 0 ? e : '';
}

/** The last 9 digits of a phone number, so that `+33 6 12 34 56 78` and `06.12.34.56.78` agree. */
export function normalisePhone(value: string): string {
  const d = digitsOf(value);
  return d.length >= 6 ? d.slice(-9) : '';
}

const YMD = /^(\d{4})(\d{2})(\d{2})$/;
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})/;
const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;

/**
 * A date of birth as 8 digits `YYYYMMDD`, from `19840928`, `1984-09-28` or `28/09/1984` (day first, as written in
 * France and Australia). Anything else keeps its digits when there are 8 of them, so that a typo still compares,
 * and is empty otherwise (treated as missing).
 */
export function normaliseDate(value: string): string {
  const v = value.trim();
  if (v === '') return '';
  if (YMD.test(v)) return v;
  let m = ISO.exec(v);
  if (m) return `${m[1]}${m[2]!.padStart(2, '0')}${m[3]!.padStart(2, '0')}`;
  m = DMY.exec(v);
  if (m) return `${m[3]}${m[2]!.padStart(2, '0')}${m[1]!.padStart(2, '0')}`;
  const d = digitsOf(v);
  return d.length === 8 ? d : '';
}

/** Word tokens of a normalised text, without duplicates. */
export function tokensOf(normalised: string): string[] {
  if (normalised === '') return [];
  return [...new Set(normalised.split(' '))];
}
