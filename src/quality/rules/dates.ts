import { err, ok, type Result } from '../../kernel/index.js';

/**
 * Dates for the range and age checks. Values are ISO 8601 dates (`1984-03-07`, as the date normaliser writes them)
 * or date-times with a zone (`2024-03-07T10:00:00Z`); a date alone stands for midnight UTC of that day. Bounds are
 * the same, or relative to the clock passed to the evaluator: `now`, `-120y`, `+30d`, `-6m`, `-2w`, moved in UTC
 * calendar units (a month back from 31 March is 3 March, as JavaScript's Date rolls over; say days when it matters).
 */
export type DateBound = { readonly kind: 'absolute'; readonly at: number } | { readonly kind: 'relative'; readonly amount: number; readonly unit: 'y' | 'm' | 'w' | 'd' };

const RELATIVE = /^([+-])(\d{1,5})([ymwd])$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

export function parseBound(text: string): Result<DateBound, string> {
  if (text === 'now') return ok({ kind: 'relative', amount: 0, unit: 'd' });
  const relative = RELATIVE.exec(text);
  if (relative !== null) {
    const amount = Number(relative[2]) * (relative[1] === '-' ? -1 : 1);
    return ok({ kind: 'relative', amount, unit: relative[3] as 'y' | 'm' | 'w' | 'd' });
  }
  const at = parseInstant(text);
  if (at !== null) return ok({ kind: 'absolute', at });
  return err(`"${text.slice(0, 40)}" is not a date bound: write an ISO date (1900-01-01), now, or an offset such as -120y, +30d, -6m, -2w`);
}

/** The bound as epoch milliseconds for the clock's `now`. */
export function resolveBound(bound: DateBound, now: Date): number {
  if (bound.kind === 'absolute') return bound.at;
  const d = new Date(now.getTime());
  if (bound.unit === 'y') d.setUTCFullYear(d.getUTCFullYear() + bound.amount);
  else if (bound.unit === 'm') d.setUTCMonth(d.getUTCMonth() + bound.amount);
  else d.setUTCDate(d.getUTCDate() + bound.amount * (bound.unit === 'w' ? 7 : 1));
  return d.getTime();
}

/** Epoch milliseconds of an ISO date (midnight UTC) or zoned date-time, or null when the text is neither or no such day exists. */
export function parseInstant(text: string): number | null {
  const date = ISO_DATE.exec(text);
  if (date !== null) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const at = Date.UTC(y, m - 1, d);
    const back = new Date(at);
    // Date.UTC(2023, 1, 30) silently becomes 2 March: a day that does not exist is not a date.
    return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? at : null;
  }
  if (!ISO_DATE_TIME.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : at;
}

/**
 * Age in whole years on the UTC date of `now`: the number of birthdays passed. Someone born on 29 February has their
 * birthday on 1 March in other years. Negative for a birth date after now.
 */
export function ageInYears(birth: number, now: Date): number {
  const b = new Date(birth);
  const years = now.getUTCFullYear() - b.getUTCFullYear();
  const beforeBirthday =
    now.getUTCMonth() < b.getUTCMonth() || (now.getUTCMonth() === b.getUTCMonth() && now.getUTCDate() < b.getUTCDate());
  // A birth date-time later today is not a birthday passed yet.
  if (birth > now.getTime() && years === 0) return -1;
  return years - (beforeBirthday ? 1 : 0);
}
