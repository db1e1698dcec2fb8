import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { collapseSpaces, fail, fold, show, textOf, type NormaliseError, type Normaliser } from './normalise-error.js';

/** Which character separates decimals: `auto` reads both French (1 234,56) and English (1,234.56) writing. */
export const DecimalSeparator = z.enum(['auto', ',', '.']);
export type DecimalSeparator = z.infer<typeof DecimalSeparator>;

const SPACES = /[\s'’]/gu;

/**
 * Reads a decimal number written the French or the English way. Thousands may be grouped by spaces (including the
 * narrow no-break space French typography uses), apostrophes (Swiss style) or the separator that is not the decimal
 * one; groups must have three digits. In `auto` mode a lone `,` or `.` followed by exactly three digits (1,234) could
 * be either, and is refused as ambiguous rather than guessed, unless the integer part is 0 or is grouped otherwise.
 */
export function parseDecimal(text: string, separator: DecimalSeparator, raw: unknown): Result<number, NormaliseError> {
  const bad = (why: string) =>
    fail('quality.invalid_number', raw, `${show(raw)} is not a number (${why}): write it like 1234,56 or 1 234,56 or 1,234.56.`);
  const m = /^([+-])?\s*(.*)$/su.exec(text.trim());
  const sign = m?.[1] === '-' ? -1 : 1;
  const body = (m?.[2] ?? '').replace(SPACES, ' ');
  if (!/^[\d., ]*\d[\d., ]*$/.test(body) || /^ | $/.test(body)) return bad('unexpected characters');

  let decimal: ',' | '.' | null;
  if (separator !== 'auto') {
    decimal = body.includes(separator) ? separator : null;
  } else {
    const lastComma = body.lastIndexOf(',');
    const lastDot = body.lastIndexOf('.');
    if (lastComma >= 0 && lastDot >= 0) decimal = lastComma > lastDot ? ',' : '.';
    else if (lastComma < 0 && lastDot < 0) decimal = null;
    else {
      const sep = lastComma >= 0 ? ',' : '.';
      const parts = body.split(sep);
      const [head = '', tail = ''] = parts;
      if (parts.length > 2) decimal = null;
      else if (tail.length !== 3 || head.includes(' ') || /^0*$/.test(head)) decimal = sep;
      else {
        return fail(
          'quality.ambiguous_number',
          raw,
          `${show(raw)} could be ${head}${tail} or ${head}.${tail}: set decimalSeparator to "," or "." in the spec.`,
        );
      }
    }
  }

  const [intPart = '', fracPart, ...rest] = decimal === null ? [body] : body.split(decimal);
  if (rest.length > 0) return bad(`more than one decimal separator "${decimal}"`);
  if (fracPart !== undefined && !/^\d+$/.test(fracPart)) return bad('digits must follow the decimal separator');
  const groupSeps = new Set(intPart.replace(/\d/g, ''));
  if (groupSeps.size > 1) return bad('mixed thousands separators');
  let digits = intPart;
  if (groupSeps.size === 1) {
    const [groupSep = ''] = [...groupSeps];
    const groups = intPart.split(groupSep);
    const [first = '', ...others] = groups;
    if (!/^\d{1,3}$/.test(first) || others.some((g) => !/^\d{3}$/.test(g))) return bad('thousands must be grouped by three');
    digits = groups.join('');
  }
  if (digits === '' && fracPart === undefined) return bad('no digits');
  const value = sign * Number(`${digits || '0'}.${fracPart ?? '0'}`);
  return Number.isFinite(value) ? ok(value === 0 ? 0 : value) : bad('too large');
}

export const NumberSpec = z.strictObject({
  kind: z.literal('number'),
  decimalSeparator: DecimalSeparator.default('auto'),
  /** Refuse values with a fractional part. */
  integer: z.boolean().default(false),
});
export type NumberOptions = Omit<z.input<typeof NumberSpec>, 'kind'>;

/** Numbers from text or JSON numbers: `numberNormaliser()("1 234,5")` is `ok(1234.5)`. */
export function numberNormaliser(options: NumberOptions = {}): Normaliser<number> {
  const spec = NumberSpec.parse({ ...options, kind: 'number' });
  return (raw) => {
    let value: number;
    if (typeof raw === 'number') {
      if (!Number.isFinite(raw)) return fail('quality.invalid_number', raw, `${show(raw)} is not a finite number: send a number.`);
      value = raw;
    } else {
      const text = textOf(raw, 'quality.invalid_number', 'number');
      if (!text.ok) return text;
      const parsed = parseDecimal(text.value, spec.decimalSeparator, raw);
      if (!parsed.ok) return parsed;
      value = parsed.value;
    }
    if (spec.integer && !Number.isInteger(value)) {
      return fail('quality.invalid_number', raw, `${show(raw)} is not a whole number: this column takes integers only.`);
    }
    return ok(value);
  };
}

export function normaliseNumber(raw: unknown, options: NumberOptions = {}): Result<number, NormaliseError> {
  return numberNormaliser(options)(raw);
}

/** How yes/no words are compared: without case, accents or extra spaces. */
export const booleanKey = (word: string): string => collapseSpaces(fold(word));

const TRUE_WORDS = ['true', 'vrai', 'oui', 'o', 'yes', 'y', '1', 'on'];
const FALSE_WORDS = ['false', 'faux', 'non', 'n', 'no', '0', 'off'];

export const BooleanSpec = z.strictObject({
  kind: z.literal('boolean'),
  /** Extra words read as true (compared without case or accents), such as "abonné". */
  trueValues: z.array(z.string().min(1)).default([]),
  /** Extra words read as false, such as "désabonné". */
  falseValues: z.array(z.string().min(1)).default([]),
});
export type BooleanOptions = Omit<z.input<typeof BooleanSpec>, 'kind'>;

/** Yes/no values in French and English: `booleanNormaliser()("Oui")` is `ok(true)`. */
export function booleanNormaliser(options: BooleanOptions = {}): Normaliser<boolean> {
  const spec = BooleanSpec.parse({ ...options, kind: 'boolean' });
  const words = new Map<string, boolean>();
  // Later entries win: the spec's own words override the built-in ones (the registry refuses a word listed as both).
  for (const w of TRUE_WORDS) words.set(w, true);
  for (const w of FALSE_WORDS) words.set(w, false);
  for (const w of spec.trueValues) words.set(booleanKey(w), true);
  for (const w of spec.falseValues) words.set(booleanKey(w), false);
  return (raw) => {
    if (typeof raw === 'boolean') return ok(raw);
    const text = textOf(raw, 'quality.invalid_boolean', 'yes/no value');
    if (!text.ok) return text;
    const value = words.get(booleanKey(text.value));
    if (value !== undefined) return ok(value);
    return fail(
      'quality.invalid_boolean',
      raw,
      `${show(raw)} is not a yes/no value: write oui/non, vrai/faux, yes/no, true/false or 1/0, or list it in trueValues/falseValues.`,
    );
  };
}

export function normaliseBoolean(raw: unknown, options: BooleanOptions = {}): Result<boolean, NormaliseError> {
  return booleanNormaliser(options)(raw);
}
