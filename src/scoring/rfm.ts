/**
 * RFM scoring: recency, frequency and monetary value of each customer's orders over a window, each scored 1-5 by
 * quintile of the customers who ordered in that window, and the usual named segments.
 *
 * Quintiles with ties: a customer's score is 1 + floor(5 * b / n), where n is the number of customers and b the
 * number of customers strictly worse on that measure (older last order for R, fewer orders for F, less revenue for
 * M). Equal values always get equal scores, and the result does not depend on the order of the input.
 */

export interface RfmInput {
  profileId: string;
  /** Days from the last order to the scoring instant. */
  recencyDays: number;
  frequency: number;
  monetary: number;
}

export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
  'lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export interface RfmScore {
  r: number;
  f: number;
  m: number;
  /** r, f, m as one number: 545. */
  score: number;
  segment: RfmSegment;
  recency_days: number;
  frequency: number;
  monetary: number;
}

/** The named segment of an (R, F) pair; M refines value but the usual grid names customers by R and F. */
export function rfmSegment(r: number, f: number): RfmSegment {
  if (r >= 4) {
    if (f >= 4) return r === 5 ? 'champions' : 'loyal';
    if (f >= 2) return 'potential_loyalist';
    return r === 5 ? 'new' : 'promising';
  }
  if (r === 3) {
    if (f >= 4) return 'loyal';
    if (f === 3) return 'need_attention';
    return 'about_to_sleep';
  }
  if (f === 5) return 'cant_lose';
  if (f >= 3) return 'at_risk';
  return r === 1 && f === 1 ? 'lost' : 'hibernating';
}

/** For each value, how many values are strictly below it (sorted copy + binary search). */
function strictlyBelow(values: number[]): (v: number) => number {
  const sorted = Float64Array.from(values).sort();
  return (v: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export function scoreRfm(rows: RfmInput[]): Map<string, RfmScore> {
  const n = rows.length;
  const out = new Map<string, RfmScore>();
  if (n === 0) return out;
  // R: lower recency is better, so "worse" means a larger recency: count values strictly above = below in negation.
  const rBelow = strictlyBelow(rows.map((x) => -x.recencyDays));
  const fBelow = strictlyBelow(rows.map((x) => x.frequency));
  const mBelow = strictlyBelow(rows.map((x) => x.monetary));
  const q = (b: number) => 1 + Math.floor((5 * b) / n);
  for (const x of rows) {
    const r = q(rBelow(-x.recencyDays));
    const f = q(fBelow(x.frequency));
    const m = q(mBelow(x.monetary));
    out.set(x.profileId, {
      r,
      f,
      m,
      score: r * 100 + f * 10 + m,
      segment: rfmSegment(r, f),
      recency_days: x.recencyDays,
      frequency: x.frequency,
      monetary: x.monetary,
    });
  }
  return out;
}
