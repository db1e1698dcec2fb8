import { err, ok, type Result } from '../../kernel/index.js';
import type { ClvProblem } from './problems.js';

/**
 * Transaction logs: one purchase per row (customer, day, amount), read from the CDNOW text format or from the rows of
 * a CSV file, and held column-wise so that large logs stay compact. Days are whole days since 1970-01-01 in the
 * calendar of the file: purchases are counted per day, so a time of day is ignored.
 */

export interface TransactionLog {
  /** Each customer's id, in order of first appearance in the file. */
  readonly customerIds: readonly string[];
  /** Per transaction: index into customerIds. */
  readonly customer: Int32Array;
  /** Per transaction: days since 1970-01-01. */
  readonly day: Int32Array;
  /** Per transaction: amount spent. */
  readonly amount: Float64Array;
  readonly length: number;
}

/**
 * Collects transactions one by one into a TransactionLog.
 *
 * ```ts
 * const b = new TransactionLogBuilder();
 * b.add('c1', parseDay('2024-03-01', 'auto')!, 12.5);
 * const log = b.build(); // log.length === 1
 * ```
 */
export class TransactionLogBuilder {
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  private customer = new Int32Array(1024);
  private day = new Int32Array(1024);
  private amount = new Float64Array(1024);
  private n = 0;

  add(customerId: string, day: number, amount: number): void {
    if (this.n === this.day.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.customer = grow(this.customer, (k) => new Int32Array(k));
      this.day = grow(this.day, (k) => new Int32Array(k));
      this.amount = grow(this.amount, (k) => new Float64Array(k));
    }
    let c = this.index.get(customerId);
    if (c === undefined) {
      c = this.ids.length;
      this.ids.push(customerId);
      this.index.set(customerId, c);
    }
    this.customer[this.n] = c;
    this.day[this.n] = day;
    this.amount[this.n] = amount;
    this.n++;
  }

  build(): TransactionLog {
    return {
      customerIds: this.ids,
      customer: this.customer.slice(0, this.n),
      day: this.day.slice(0, this.n),
      amount: this.amount.slice(0, this.n),
      length: this.n,
    };
  }
}

export const DATE_FORMATS = ['auto', 'YYYY-MM-DD', 'YYYYMMDD', 'DD/MM/YYYY', 'MM/DD/YYYY'] as const;
/** `auto` reads YYYY-MM-DD (optionally followed by a time, as in ISO 8601) and YYYYMMDD. */
export type DateFormat = (typeof DATE_FORMATS)[number];

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const MS_PER_DAY = 86_400_000;

function dayOf(y: number, m: number, d: number): number | undefined {
  if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  // 1997-02-30 would roll over to March: refused.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
  return Math.round(t / MS_PER_DAY);
}

/**
 * The day a date stands for, as whole days since 1970-01-01, or undefined when the text is not a date of that format
 * (or not a date of the calendar).
 *
 * ```ts
 * parseDay('1997-09-30', 'auto'); // 10134
 * parseDay('19970930', 'auto');   // 10134
 * ```
 */
export function parseDay(text: string, format: DateFormat): number | undefined {
  const s = text.trim();
  const numbers = (m: RegExpExecArray | null, order: [number, number, number]): number | undefined =>
    m ? dayOf(Number(m[order[0]]), Number(m[order[1]]), Number(m[order[2]])) : undefined;
  switch (format) {
    case 'auto':
      return numbers(ISO.exec(s), [1, 2, 3]) ?? numbers(COMPACT.exec(s), [1, 2, 3]);
    case 'YYYY-MM-DD':
      return numbers(ISO.exec(s), [1, 2, 3]);
    case 'YYYYMMDD':
      return numbers(COMPACT.exec(s), [1, 2, 3]);
    case 'DD/MM/YYYY':
      return numbers(SLASHED.exec(s), [3, 2, 1]);
    case 'MM/DD/YYYY':
      return numbers(SLASHED.exec(s), [3, 1, 2]);
  }
}

/** The day as YYYY-MM-DD: `formatDay(10134)` is `'1997-09-30'`. */
export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

const AMOUNT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** An amount written with digits and an optional decimal point (no thousands separators, no currency). */
function parseAmount(text: string): number | undefined {
  const s = text.trim();
  return AMOUNT.test(s) ? Number(s) : undefined;
}

const show = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 39)}…` : s);

/**
 * Reads the CDNOW format: one transaction per line, five whitespace-separated fields `customer sample date quantity
 * amount` with the date as YYYYMMDD. Blank lines are skipped; any other line that does not fit is refused with its
 * line number.
 *
 * ```ts
 * parseCdnowLog(' 00004 0001 19970101  2   29.33\n'); // ok: one transaction of customer '00004'
 * parseCdnowLog('00004 0001 1997-01-01 2 29.33');     // err: clv.bad_line on line 1
 * ```
 */
export function parseCdnowLog(text: string): Result<TransactionLog, ClvProblem> {
  const log = new TransactionLogBuilder();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const bad = (why: string): Result<never, ClvProblem> => err({ code: 'clv.bad_line', message: `line ${i + 1}: ${why}`, line: i + 1 });
    const f = line.split(/\s+/);
    if (f.length !== 5) return bad(`expected 5 fields (customer, sample, date YYYYMMDD, quantity, amount), found ${f.length}`);
    const day = parseDay(f[2]!, 'YYYYMMDD');
    if (day === undefined) return bad(`the date ${show(f[2]!)} is not a date written YYYYMMDD`);
    const amount = parseAmount(f[4]!);
    if (amount === undefined) return bad(`the amount ${show(f[4]!)} is not a number`);
    log.add(f[0]!, day, amount);
  }
  return ok(log.build());
}

export interface TransactionColumns {
  customer: string;
  date: string;
  amount: string;
}

/** One row of a CSV file with the line it starts on. */
export interface CsvRow {
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * Reads the rows of a CSV file (header excluded) whose columns are named in `columns`. A row without a customer id,
 * with a date that does not read in `format` or an amount that is not a number is refused with its line number.
 *
 * ```ts
 * transactionsFromRows(['id', 'day', 'total'], [{ line: 2, fields: ['c1', '2024-03-01', '12.50'] }],
 *   { customer: 'id', date: 'day', amount: 'total' }, 'auto');
 * ```
 */
export function transactionsFromRows(
  header: readonly string[],
  rows: Iterable<CsvRow>,
  columns: TransactionColumns,
  format: DateFormat,
): Result<TransactionLog, ClvProblem> {
  const names = header.map((h) => h.trim());
  const indexOf = (role: keyof TransactionColumns): Result<number, ClvProblem> => {
    const i = names.indexOf(columns[role]);
    if (i >= 0) return ok(i);
    return err({
      code: 'clv.unknown_column',
      message: `the ${role} column "${columns[role]}" is not in the header (columns: ${names.join(', ')})`,
      column: columns[role],
      columns: names,
    });
  };
  const c = indexOf('customer');
  if (!c.ok) return c;
  const d = indexOf('date');
  if (!d.ok) return d;
  const a = indexOf('amount');
  if (!a.ok) return a;
  const log = new TransactionLogBuilder();
  for (const row of rows) {
    const bad = (why: string): Result<never, ClvProblem> => err({ code: 'clv.bad_line', message: `line ${row.line}: ${why}`, line: row.line });
    if (row.fields.length !== names.length) return bad(`${row.fields.length} cells where the header has ${names.length}`);
    const id = row.fields[c.value]!.trim();
    if (id === '') return bad(`no customer id in column "${columns.customer}"`);
    const dateText = row.fields[d.value]!;
    const day = parseDay(dateText, format);
    if (day === undefined) {
      const expected = format === 'auto' ? 'YYYY-MM-DD or YYYYMMDD' : format;
      return bad(`the date ${show(dateText)} in column "${columns.date}" is not a date written ${expected}`);
    }
    const amountText = row.fields[a.value]!;
    const amount = parseAmount(amountText);
    if (amount === undefined) return bad(`the amount ${show(amountText)} in column "${columns.amount}" is not a number (digits and a decimal point)`);
    log.add(id, day, amount);
  }
  return ok(log.build());
}
