import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { calendarProblem, compileDateFormat, fieldsToEpoch, isoDate, type DateFields, type DateFormat } from './date-format.js';
import { fail, show, textOf, type NormaliseError, type Normaliser } from './normalise-error.js';
import { isTimeZone, localClock } from './time-zone.js';

const FormatString = z.string().superRefine((source, ctx) => {
  const compiled = compileDateFormat(source);
  if (!compiled.ok) ctx.addIssue({ code: 'custom', message: `The date format ${compiled.error}` });
});

/** Two-digit years YY <= pivot are 20YY, the others 19YY (29, as in Excel: 29 -> 2029, 30 -> 1930). */
const YearPivot = z.number().int().min(0).max(99).default(29);

export const DateSpec = z.strictObject({
  kind: z.literal('date'),
  formats: z.array(FormatString).min(1).default(['DD/MM/YYYY', 'ISO']),
  yearPivot: YearPivot,
});
export type DateOptions = Omit<z.input<typeof DateSpec>, 'kind'>;

export const DateTimeSpec = z.strictObject({
  kind: z.literal('datetime'),
  formats: z.array(FormatString).min(1).default(['DD/MM/YYYY HH:mm:ss', 'DD/MM/YYYY HH:mm', 'DD/MM/YYYY', 'ISO']),
  yearPivot: YearPivot,
  /** The IANA zone local date-times are read in; ISO values with Z or an offset ignore it. */
  timeZone: z
    .string()
    .refine(isTimeZone, 'Use an IANA time zone such as Europe/Paris')
    .default('Europe/Paris'),
  /** A local time the clocks show twice (the hour before 3:00 on the last Sunday of October in Paris). */
  repeatedTime: z.enum(['error', 'earlier', 'later']).default('error'),
});
export type DateTimeOptions = Omit<z.input<typeof DateTimeSpec>, 'kind'>;

interface Reading {
  readonly format: string;
  readonly fields: DateFields;
}

/** Every declared format's reading of the text that is a real calendar date, or the failure to report. */
function readAll(
  raw: unknown,
  text: string,
  formats: readonly DateFormat[],
  yearPivot: number,
): Result<Reading[], NormaliseError> {
  const readings: Reading[] = [];
  const problems: string[] = [];
  for (const format of formats) {
    const fields = format.read(text, yearPivot);
    if (fields === null) continue;
    const problem = calendarProblem(fields);
    if (problem === null) readings.push({ format: format.source, fields });
    else problems.push(`${problem} (read as ${format.source})`);
  }
  if (readings.length > 0) return ok(readings);
  const declared = formats.map((f) => f.source).join(', ');
  if (problems.length > 0) return fail('quality.invalid_date', raw, `${show(raw)} is not a real date: ${problems.join('; ')}.`);
  return fail(
    'quality.invalid_date',
    raw,
    `${show(raw)} does not match the format${formats.length > 1 ? 's' : ''} declared for this column (${declared}): write it in one of them, or declare its format.`,
  );
}

/** One result, or quality.ambiguous_date naming each reading: a value two formats read differently is never guessed. */
function single(raw: unknown, results: ReadonlyArray<{ format: string; value: string }>): Result<string, NormaliseError> {
  const distinct = [...new Set(results.map((r) => r.value))];
  if (distinct.length === 1 && distinct[0] !== undefined) return ok(distinct[0]);
  const readings = distinct.map((value) => `${value} (${results.filter((r) => r.value === value).map((r) => r.format).join(', ')})`);
  return fail(
    'quality.ambiguous_date',
    raw,
    `${show(raw)} reads as ${readings.join(' and as ')}: declare only the format this column uses.`,
  );
}

function compileAll(formats: readonly string[]): DateFormat[] {
  return formats.map((source) => {
    const compiled = compileDateFormat(source);
    if (!compiled.ok) throw new TypeError(compiled.error); // the spec schema refuses these first
    return compiled.value;
  });
}

/**
 * Calendar dates to ISO 8601 (YYYY-MM-DD): `dateNormaliser()("03/04/2024")` is `ok("2024-04-03")`. Time parts that a
 * format reads are dropped: the date is kept as written, without any time-zone shift.
 */
export function dateNormaliser(options: DateOptions = {}): Normaliser<string> {
  const spec = DateSpec.parse({ ...options, kind: 'date' });
  const formats = compileAll(spec.formats);
  return (raw) => {
    const text = textOf(raw, 'quality.invalid_date', 'date');
    if (!text.ok) return text;
    if (typeof raw === 'number') return notText(raw);
    const readings = readAll(raw, text.value, formats, spec.yearPivot);
    if (!readings.ok) return readings;
    return single(raw, readings.value.map((r) => ({ format: r.format, value: isoDate(r.fields) })));
  };
}

/**
 * Date-times to a UTC instant in ISO 8601: `dateTimeNormaliser()("31/03/2024 14:30")` is
 * `ok("2024-03-31T12:30:00.000Z")` (Paris is UTC+2 in summer). A local time the clocks skip is invalid; one they show
 * twice is ambiguous unless repeatedTime says which to take.
 */
export function dateTimeNormaliser(options: DateTimeOptions = {}): Normaliser<string> {
  const spec = DateTimeSpec.parse({ ...options, kind: 'datetime' });
  const formats = compileAll(spec.formats);
  const toUtc = localClock(spec.timeZone);
  return (raw) => {
    if (raw instanceof Date) {
      return Number.isNaN(raw.getTime()) ? fail('quality.invalid_date', raw, 'The Date is invalid: send a real date.') : ok(raw.toISOString());
    }
    const text = textOf(raw, 'quality.invalid_date', 'date-time');
    if (!text.ok) return text;
    if (typeof raw === 'number') return notText(raw);
    const readings = readAll(raw, text.value, formats, spec.yearPivot);
    if (!readings.ok) return readings;
    const results: Array<{ format: string; value: string }> = [];
    const skipped: string[] = [];
    for (const { format, fields } of readings.value) {
      if (fields.offsetMinutes !== null) {
        results.push({ format, value: iso(fieldsToEpoch(fields) - fields.offsetMinutes * 60_000) });
        continue;
      }
      const local = toUtc(fields);
      if (local.kind === 'one') results.push({ format, value: iso(local.epochMs) });
      else if (local.kind === 'skipped') skipped.push(format);
      else if (spec.repeatedTime === 'earlier') results.push({ format, value: iso(local.earlier) });
      else if (spec.repeatedTime === 'later') results.push({ format, value: iso(local.later) });
      else {
        return fail(
          'quality.ambiguous_date',
          raw,
          `${show(raw)} happens twice in ${spec.timeZone} (the clocks go back that night): write it with its UTC offset, or set repeatedTime to "earlier" or "later".`,
        );
      }
    }
    if (results.length === 0) {
      return fail(
        'quality.invalid_date',
        raw,
        `${show(raw)} never happens in ${spec.timeZone} (the clocks go forward that night, read as ${skipped.join(', ')}): check the time.`,
      );
    }
    return single(raw, results);
  };
}

const iso = (epochMs: number): string => new Date(epochMs).toISOString();

function notText(raw: number): Result<never, NormaliseError> {
  return fail(
    'quality.invalid_date',
    raw,
    `${show(raw)} is a number, not a date (a spreadsheet serial or a timestamp?): export the column as text in a declared format.`,
  );
}

export function normaliseDate(raw: unknown, options: DateOptions = {}): Result<string, NormaliseError> {
  return dateNormaliser(options)(raw);
}

export function normaliseDateTime(raw: unknown, options: DateTimeOptions = {}): Result<string, NormaliseError> {
  return dateTimeNormaliser(options)(raw);
}
