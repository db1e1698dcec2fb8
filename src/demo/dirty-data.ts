import type { Rng } from '../kernel/index.js';

/**
 * The mistakes real customer files contain, for the data-quality and fuzzy-matching features to find: each keeps
 * the value a string, so the event is accepted and only the value is wrong.
 */

export type DirtKind = 'duplicate' | 'birthday_ddmmyyyy' | 'bad_phone' | 'messy_email' | 'messy_name';

export const DIRT_KINDS: readonly (readonly [DirtKind, number])[] = [
  ['duplicate', 30], ['birthday_ddmmyyyy', 20], ['bad_phone', 20], ['messy_email', 18], ['messy_name', 12],
];

export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

function swapAdjacent(text: string, rng: Rng): string {
  if (text.length < 4) return `${text}${text.slice(-1)}`;
  const i = rng.int(1, text.length - 3);
  return text.slice(0, i) + text.charAt(i + 1) + text.charAt(i) + text.slice(i + 2);
}

/**
 * A surname as someone else would type it: the accent dropped, a final t/d confused (Dupont, Dupond), a double
 * letter halved, two letters swapped. These stay within one or two edits, which is what record linkage must catch.
 */
export function misspellSurname(name: string, rng: Rng): string {
  const options: (() => string)[] = [];
  if (stripAccents(name) !== name) options.push(() => stripAccents(name));
  if (/t$/.test(name)) options.push(() => `${name.slice(0, -1)}d`);
  if (/d$/.test(name)) options.push(() => `${name.slice(0, -1)}t`);
  const double = /([a-z])\1/.exec(name);
  if (double) options.push(() => name.slice(0, double.index) + name.slice(double.index + 1));
  options.push(() => swapAdjacent(name, rng));
  return rng.pick(options)();
}

/** The same surname, written carelessly rather than wrongly: capitals, stray spaces. */
export function messySurname(name: string, rng: Rng): string {
  return rng.weighted<string>([
    [name.toUpperCase(), 40],
    [`${name} `, 30],
    [` ${name}`, 10],
    [name.toLowerCase(), 20],
  ]);
}

const DOMAIN_TYPOS: Readonly<Record<string, readonly string[]>> = {
  'gmail.com': ['gmial.com', 'gmail.fr', 'gmai.com'],
  'hotmail.fr': ['hotmail.com', 'hotmial.fr'],
  'orange.fr': ['orange.com', 'ornage.fr'],
  'yahoo.fr': ['yahoo.com', 'yaho.fr'],
};

/** An email one keystroke away from the real one: in the local part or in the provider's name. */
export function misspellEmail(email: string, rng: Rng): string {
  const at = email.indexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const domainTypos = DOMAIN_TYPOS[domain];
  if (domainTypos && rng.chance(0.4)) return `${local}@${rng.pick(domainTypos)}`;
  return `${swapAdjacent(local, rng)}@${domain}`;
}

/** The right address with capitals or surrounding whitespace, as pasted from a form or a spreadsheet. */
export function messyEmail(email: string, rng: Rng): string {
  const capitalised = email.replace(/(^|[.@])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
  return rng.weighted<string>([
    [capitalised, 35],
    [email.toUpperCase(), 15],
    [` ${email}`, 15],
    [`${email} `, 20],
    [` ${capitalised} `, 15],
  ]);
}

/** A phone number that no normaliser can repair: digits missing, letters typed for digits, one digit too many. */
export function badPhone(phone: string, rng: Rng): string {
  const digits = phone.replace(/\D/g, '').replace(/^33/, '0');
  return rng.weighted<string>([
    [`${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 6)} ${digits.slice(6, 7)}`, 30],
    [`${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 5)}O ${digits.slice(6, 8)} ${digits.slice(8)}`, 25],
    [`${digits}${rng.int(0, 9)}`, 20],
    [`0${digits.slice(1, 4)}-abc-${digits.slice(4, 6)}`, 10],
    ['n/c', 15],
  ]);
}

/** A birthday in the French day-first form that CRMs exported to spreadsheets are full of. */
export function frenchDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d ?? ''}/${m ?? ''}/${y ?? ''}`;
}
