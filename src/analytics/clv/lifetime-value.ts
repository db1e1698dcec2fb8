import { err, ok, type Result } from '../../kernel/index.js';
import { bgNbdConditionalExpectedPurchases, type BgNbdParams } from './bg-nbd.js';

/**
 * Customer lifetime value over a horizon, as `lifetimes`' `customer_lifetime_value` computes it: for each period i of
 * the horizon, the purchases expected in that period (the difference of the conditional expectations at the end and
 * the start of the period) times the expected spend per purchase, discounted by (1 + rate)^i, summed.
 */

export interface LifetimeValueOptions {
  /** Number of periods in the horizon. */
  periods: number;
  /** Length of one period in the summary's time unit (a month is 30.436875 days, or 4.348125 weeks). */
  periodLength: number;
  /** Discount rate per period (0.01 a month is about 12.7% a year). */
  discountRate: number;
}

/** Days in a month on average over the Gregorian calendar's 400-year cycle. */
export const DAYS_PER_MONTH = 365.2425 / 12;

export interface LifetimeValue {
  /** Discounted value of the purchases expected over the horizon. */
  readonly value: number;
  /** Purchases expected over the whole horizon (not discounted). */
  readonly purchases: number;
}

/**
 * ```ts
 * // 12 months in weeks, 1% a month, $35 expected per purchase:
 * lifetimeValue(params, 2, 30.43, 38.86, 35, { periods: 12, periodLength: DAYS_PER_MONTH / 7, discountRate: 0.01 }).value;
 * ```
 */
export function lifetimeValue(p: BgNbdParams, x: number, tx: number, T: number, spend: number, o: LifetimeValueOptions): LifetimeValue {
  let value = 0;
  let before = 0;
  for (let i = 1; i <= o.periods; i++) {
    const upTo = bgNbdConditionalExpectedPurchases(p, i * o.periodLength, x, tx, T);
    value += (spend * (upTo - before)) / (1 + o.discountRate) ** i;
    before = upTo;
  }
  return { value, purchases: before };
}

/** A CLV tier: its name and the share of customers it holds, counted from the most valuable. */
export interface Tier {
  readonly name: string;
  readonly share: number;
}

/** The tiers used unless others are given: the top 10%, the next 20%, the next 30%, the last 40%. */
export const DEFAULT_TIERS: readonly Tier[] = [
  { name: 'top', share: 0.1 },
  { name: 'high', share: 0.2 },
  { name: 'medium', share: 0.3 },
  { name: 'low', share: 0.4 },
];

/**
 * Reads tiers written `name:share,...` from the most valuable down, such as `top:0.1,high:0.2,medium:0.3,low:0.4`.
 * Shares are positive and add up to 1; names are distinct words.
 *
 * ```ts
 * parseTiers('vip:0.05,rest:0.95'); // ok([{ name: 'vip', share: 0.05 }, { name: 'rest', share: 0.95 }])
 * ```
 */
export function parseTiers(text: string): Result<Tier[], string> {
  const tiers: Tier[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z][\w-]*)\s*:\s*([0-9]*\.?[0-9]+)\s*$/.exec(part);
    if (!m) return err(`"${part.trim()}" is not name:share (such as top:0.1)`);
    const share = Number(m[2]);
    if (!(share > 0 && share <= 1)) return err(`the share of ${m[1]} must be above 0 and at most 1`);
    if (tiers.some((t) => t.name === m[1])) return err(`the tier ${m[1]} is named twice`);
    tiers.push({ name: m[1]!, share });
  }
  if (tiers.length > 20) return err(`at most 20 tiers, not ${tiers.length}`);
  const total = tiers.reduce((s, t) => s + t.share, 0);
  if (Math.abs(total - 1) > 1e-9) return err(`the shares add up to ${Number(total.toFixed(9))}, not 1`);
  return ok(tiers);
}

/**
 * Each customer's tier (an index into `tiers`) by rank of value: a customer is in the first tier whose cumulative
 * share is above the share of customers worth strictly more. Customers of equal value share a tier (the higher one),
 * so a tier can hold a little more or less than its share, and the result does not depend on the order of the input.
 *
 * ```ts
 * assignTiers(Float64Array.of(5, 1, 3, 3), [{ name: 'top', share: 0.25 }, { name: 'rest', share: 0.75 }]); // [0, 1, 1, 1]
 * ```
 */
export function assignTiers(values: Float64Array, tiers: readonly Tier[] = DEFAULT_TIERS): Uint8Array {
  const n = values.length;
  const sorted = Float64Array.from(values).sort().reverse();
  const bounds: number[] = [];
  let cumulative = 0;
  for (const t of tiers) bounds.push(n * (cumulative += t.share));
  bounds[bounds.length - 1] = Infinity;
  const tier = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // Customers worth strictly more: the position of the first value <= this one in descending order.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! > values[i]!) lo = mid + 1;
      else hi = mid;
    }
    tier[i] = bounds.findIndex((b) => lo < b);
  }
  return tier;
}
