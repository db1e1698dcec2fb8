import { err, ok, type Result } from '../../kernel/index.js';

/** The parts of a date or date-time as written, before any calendar or time-zone check. */
export interface DateFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** The UTC offset written in the value (ISO only), in minutes; null when the value is a local time. */
  readonly offsetMinutes: number | null;
}

/** A declared format, compiled: `read` answers null when the text does not have the format's shape. */
export interface DateFormat {
  readonly source: string;
  read(text: string, yearPivot: number): DateFields | null;
}

type Token = 'YYYY' | 'YY' | 'MM' | 'DD' | 'HH' | 'mm' | 'ss' | 'SSS';
// Longest first, so that YYYY is not read as YY twice.
const TOKENS: readonly Token[] = ['YYYY', 'YY', 'MM', 'DD', 'HH', 'mm', 'ss', 'SSS'];
const FIXED_WIDTH: Record<Token, number> = { YYYY: 4, YY: 2, MM: 2, DD: 2, HH: 2, mm: 2, ss: 2, SSS: 3 };
// Day, month and time fields may drop their leading zero (3/4/2024, 9:05) when a separator follows them.
const SHORTENABLE = new Set<Token>(['MM', 'DD', 'HH', 'mm', 'ss']);

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Two-digit years: YY <= pivot is 20YY, otherwise 19YY. With the default pivot 29 (Excel's), 29 is 2029, 30 is 1930. */
export function expandTwoDigitYear(yy: number, pivot: number): number {
  return yy <= pivot ? 2000 + yy : 1900 + yy;
}

/**
 * Compiles a format such as "DD/MM/YYYY HH:mm" (tokens YYYY, YY, MM, DD, HH, mm, ss, SSS; anything else is literal
 * text, a space matching any run of spaces) or "ISO" (ISO 8601 extended: 2024-03-04, 2024-03-04T10:30:00+01:00).
 * The error is a sentence for the spec's issue list.
 */
export function compileDateFormat(source: string): Result<DateFormat, string> {
  if (source === 'ISO') return ok({ source, read: readIso });
  const parts: Array<Token | string> = [];
  let i = 0;
  while (i < source.length) {
    const token = TOKENS.find((t) => source.startsWith(t, i));
    if (token !== undefined) {
      parts.push(token);
      i += token.length;
    } else {
      const last = parts[parts.length - 1];
      const ch = source[i] ?? '';
      if (last !== undefined && !isToken(last)) parts[parts.length - 1] = last + ch;
      else parts.push(ch);
      i += 1;
    }
  }
  const tokens = parts.filter(isToken);
  const problem = checkTokens(tokens);
  if (problem !== null) return err(`${JSON.stringify(source)} ${problem}`);

  const groups: Token[] = [];
  let pattern = '^';
  parts.forEach((part, index) => {
    if (!isToken(part)) {
      pattern += part.split(/\s+/).map(escapeRegExp).join('\\s+');
      return;
    }
    groups.push(part);
    const next = parts[index + 1];
    const shortenable = SHORTENABLE.has(part) && (next === undefined || !isToken(next));
    pattern += shortenable ? '(\\d{1,2})' : `(\\d{${FIXED_WIDTH[part]}})`;
  });
  const regex = new RegExp(`${pattern}$`);

  return ok({
    source,
    read(text: string, yearPivot: number): DateFields | null {
      const m = regex.exec(text);
      if (m === null) return null;
      const value = (token: Token): number | undefined => {
        const at = groups.indexOf(token);
        return at < 0 ? undefined : Number(m[at + 1]);
      };
      const yy = value('YY');
      return {
        year: value('YYYY') ?? expandTwoDigitYear(yy ?? 0, yearPivot),
        month: value('MM') ?? 0,
        day: value('DD') ?? 0,
        hour: value('HH') ?? 0,
        minute: value('mm') ?? 0,
        second: value('ss') ?? 0,
        millisecond: value('SSS') ?? 0,
        offsetMinutes: null,
      };
    },
  });
}

function isToken(part: string): part is Token {
  return (TOKENS as readonly string[]).includes(part);
}

function checkTokens(tokens: readonly Token[]): string | null {
  const seen = new Set(tokens);
  if (seen.size !== tokens.length) return 'repeats a token';
  if (seen.has('YYYY') && seen.has('YY')) return 'has both YYYY and YY';
  if (!seen.has('YYYY') && !seen.has('YY')) return 'has no year (YYYY or YY)';
  if (!seen.has('MM')) return 'has no month (MM)';
  if (!seen.has('DD')) return 'has no day (DD)';
  if (seen.has('mm') && !seen.has('HH')) return 'has minutes (mm) without hours (HH)';
  if (seen.has('ss') && !seen.has('mm')) return 'has seconds (ss) without minutes (mm)';
  if (seen.has('SSS') && !seen.has('ss')) return 'has milliseconds (SSS) without seconds (ss)';
  return null;
}

function readIso(text: string): DateFields | null {
  const m = ISO.exec(text);
  if (m === null) return null;
  const n = (i: number): number => Number(m[i] ?? 0);
  return {
    year: n(1),
    month: n(2),
    day: n(3),
    hour: n(4),
    minute: n(5),
    second: n(6),
    millisecond: Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0')),
    offsetMinutes: m[8] === undefined ? null : offsetOf(m[8]),
  };
}

function offsetOf(designator: string): number {
  if (designator.toUpperCase() === 'Z') return 0;
  const digits = designator.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return designator.startsWith('-') ? -minutes : minutes;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Why the fields are not a real date and time, or null when they are. */
export function calendarProblem(f: DateFields): string | null {
  if (f.year < 1) return 'there is no year 0';
  if (f.month < 1 || f.month > 12) return `there is no month ${f.month}`;
  const days = daysInMonth(f.year, f.month);
  if (f.day < 1 || f.day > days) return `${MONTHS[f.month - 1]} ${f.year} has ${days} days, not ${f.day}`;
  if (f.hour > 23) return `there is no hour ${f.hour}`;
  if (f.minute > 59) return `there is no minute ${f.minute}`;
  if (f.second > 59) return `there is no second ${f.second}`;
  if (f.offsetMinutes !== null && Math.abs(f.offsetMinutes) > 18 * 60) return 'UTC offsets stop at 18 hours';
  return null;
}

/** The fields read as if they were UTC, in epoch milliseconds (years below 100 included). */
export function fieldsToEpoch(f: DateFields): number {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute, f.second, f.millisecond);
  return d.getTime();
}

export function isoDate(f: Pick<DateFields, 'year' | 'month' | 'day'>): string {
  return `${String(f.year).padStart(4, '0')}-${String(f.month).padStart(2, '0')}-${String(f.day).padStart(2, '0')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
