import { err, ok, type ErrorCode, type Result } from '../../kernel/index.js';

/** The catalogue codes a normaliser may answer with (all `quality.*`). */
export type NormaliseErrorCode = Extract<ErrorCode, `quality.${string}`>;

/** Why a raw value could not be normalised: a stable code, a message saying what to do, and the value as received. */
export interface NormaliseError {
  readonly code: NormaliseErrorCode;
  readonly message: string;
  readonly raw: unknown;
}

/** What the caller knows about the value beyond the value itself. */
export interface NormaliseContext {
  /** The date the value belongs to (ISO 8601, such as an order date): picks the exchange rate of an amount. */
  readonly date?: string;
}

/** A normaliser: pure, built once from a spec, called once per value. */
export type Normaliser<T> = (raw: unknown, context?: NormaliseContext) => Result<T, NormaliseError>;

export const fail = (code: NormaliseErrorCode, raw: unknown, message: string): Result<never, NormaliseError> =>
  err({ code, message, raw });

/** True for the values a spreadsheet or a tracking call uses to say "nothing": null, undefined, blank text. */
export function isBlank(raw: unknown): boolean {
  return raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '');
}

/** The raw value as it can be quoted in a message: strings quoted and cut at 60 characters. */
export function show(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
  if (typeof raw === 'number' || typeof raw === 'boolean' || raw === null || raw === undefined) return String(raw);
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? 'an invalid Date' : raw.toISOString();
  return Array.isArray(raw) ? 'a list' : 'an object';
}

/**
 * The raw value as trimmed NFC text: strings, and finite numbers (a spreadsheet cell may hold a postal code or a
 * SIREN as a number). Blank values answer quality.empty_value; anything else answers `code`.
 */
export function textOf(raw: unknown, code: NormaliseErrorCode, what: string): Result<string, NormaliseError> {
  if (isBlank(raw)) return fail('quality.empty_value', raw, `The ${what} is empty: fill it in, or leave the column optional.`);
  if (typeof raw === 'string') return ok(raw.normalize('NFC').trim());
  if (typeof raw === 'number' && Number.isFinite(raw)) return ok(String(raw));
  return fail(code, raw, `Expected the ${what} as text, got ${show(raw)}: send it as a string.`);
}

/** Lower-case, accents and other marks removed: the key used to look names and words up in tables. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Collapses every run of white space (including no-break and narrow no-break spaces) to one space, and trims. */
export function collapseSpaces(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}
