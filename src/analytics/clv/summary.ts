import type { TransactionLog } from './transactions.js';

/**
 * The per-customer summary the BG/NBD and Gamma-Gamma models take, from a transaction log and the end of the
 * calibration period, as `lifetimes`' `summary_data_from_transaction_data` computes it with daily periods
 * (`freq='D'`, and `freq_multiplier=7` for weeks):
 *
 * - purchases on the same day are one purchase (their amounts are added);
 * - frequency x: the purchase days after the first one, up to and including the calibration end;
 * - recency t_x: time from the first purchase day to the last one (0 when x = 0);
 * - T: time from the first purchase day to the calibration end;
 * - monetary: the mean amount of the repeat purchase days (the first day excluded), 0 when x = 0.
 *
 * Times are in days or weeks (days / 7, so a week count can be fractional). A customer whose first purchase is after
 * the calibration end is left out.
 */

export type TimeUnit = 'day' | 'week';

export const DAYS_PER_UNIT: Record<TimeUnit, number> = { day: 1, week: 7 };

export interface RfmSummary {
  readonly unit: TimeUnit;
  /** Last day of the calibration period (days since 1970-01-01), included. */
  readonly calibrationEnd: number;
  readonly ids: readonly string[];
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  readonly monetary: Float64Array;
  /** Per customer: first purchase day (days since 1970-01-01). */
  readonly firstDay: Int32Array;
  /** Transactions (rows) read, and those on or before the calibration end. */
  readonly transactions: { readonly total: number; readonly calibration: number };
  /** Customers of the log whose first purchase is after the calibration end. */
  readonly leftOut: number;
  /** Per customer: purchase days after the calibration end up to `holdoutEnd`, when one was given. */
  readonly holdout?: { readonly end: number; readonly purchases: Float64Array };
}

export interface SummaryOptions {
  /** Last day of the calibration period, included (days since 1970-01-01). */
  calibrationEnd: number;
  unit: TimeUnit;
  /** Last day of a holdout period to count purchase days in, after the calibration end. */
  holdoutEnd?: number;
}

/**
 * ```ts
 * const s = summarise(log, { calibrationEnd: parseDay('1997-09-30', 'auto')!, unit: 'week' });
 * s.x[0]; s.tx[0]; s.T[0]; s.monetary[0];
 * ```
 */
export function summarise(log: TransactionLog, options: SummaryOptions): RfmSummary {
  const { calibrationEnd, unit } = options;
  const perUnit = DAYS_PER_UNIT[unit];
  const customers = log.customerIds.length;
  // Transactions grouped by customer (counting sort), then by day within each customer.
  const start = new Int32Array(customers + 1);
  for (let i = 0; i < log.length; i++) start[log.customer[i]! + 1]!++;
  for (let c = 0; c < customers; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const fill = start.slice(0, customers);
  const order = new Int32Array(log.length);
  for (let i = 0; i < log.length; i++) order[fill[log.customer[i]!]!++] = i;

  const ids: string[] = [];
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const monetary: number[] = [];
  const firstDays: number[] = [];
  const holdout: number[] = [];
  let calibration = 0;
  let leftOut = 0;
  for (let c = 0; c < customers; c++) {
    const rows = Array.from(order.subarray(start[c]!, start[c + 1]!)).sort((i, j) => log.day[i]! - log.day[j]!);
    let first = Infinity;
    let last = -Infinity;
    let days = 0;
    let repeatSum = 0;
    let dayAmount = 0;
    let holdoutDays = 0;
    let previous = Number.NaN;
    for (const i of rows) {
      const day = log.day[i]!;
      if (day > calibrationEnd) {
        if (options.holdoutEnd !== undefined && day <= options.holdoutEnd && day !== previous) holdoutDays++;
        previous = day;
        continue;
      }
      calibration++;
      if (day !== previous) {
        // A new purchase day: the amount of the one before is complete.
        if (days > 1) repeatSum += dayAmount;
        dayAmount = 0;
        days++;
        if (days === 1) first = day;
        last = day;
        previous = day;
      }
      dayAmount += log.amount[i]!;
    }
    if (days === 0) {
      leftOut++;
      continue;
    }
    if (days > 1) repeatSum += dayAmount;
    ids.push(log.customerIds[c]!);
    x.push(days - 1);
    tx.push((last - first) / perUnit);
    T.push((calibrationEnd - first) / perUnit);
    monetary.push(days > 1 ? repeatSum / (days - 1) : 0);
    firstDays.push(first);
    holdout.push(holdoutDays);
  }
  return {
    unit,
    calibrationEnd,
    ids,
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    monetary: Float64Array.from(monetary),
    firstDay: Int32Array.from(firstDays),
    transactions: { total: log.length, calibration },
    leftOut,
    ...(options.holdoutEnd === undefined ? {} : { holdout: { end: options.holdoutEnd, purchases: Float64Array.from(holdout) } }),
  };
}
