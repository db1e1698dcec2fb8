import type { Rng } from '../kernel/index.js';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Relative traffic by hour of the day in Paris: a lunch bump and an evening peak, little at night. */
const HOUR_WEIGHTS = [
  0.25, 0.12, 0.07, 0.05, 0.05, 0.08, 0.2, 0.45, 0.65, 0.75, 0.85, 0.95,
  1.1, 1.1, 0.9, 0.85, 0.85, 0.9, 1.05, 1.25, 1.45, 1.5, 1.15, 0.6,
];

/** Relative traffic by day (0 = Sunday): French shoppers browse on Sunday evening and Monday, less on Saturday. */
const DAY_WEIGHTS = [1.1, 1.15, 1.0, 1.0, 0.95, 0.9, 0.72];

const SUNDAY_EVENING_BOOST = 1.35;

const WEIGHTS: readonly number[] = (() => {
  const w: number[] = [];
  for (let d = 0; d < 7; d++) {
    for (let h = 0; h < 24; h++) {
      const boost = d === 0 && h >= 18 ? SUNDAY_EVENING_BOOST : 1;
      w.push((DAY_WEIGHTS[d] ?? 1) * (HOUR_WEIGHTS[h] ?? 1) * boost);
    }
  }
  return w;
})();

const MAX_WEIGHT = Math.max(...WEIGHTS);

function lastSundayUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0);
  return lastDay - new Date(lastDay).getUTCDay() * DAY;
}

/**
 * Europe/Paris wall-clock time without Intl: the EU rule (summer time from the last Sunday of March to the last
 * Sunday of October, switching at 01:00 UTC) is fixed, and Intl is far too slow to call per event.
 */
export class ParisTime {
  private readonly summer = new Map<number, readonly [number, number]>();

  offsetMs(t: number): number {
    const year = new Date(t).getUTCFullYear();
    let bounds = this.summer.get(year);
    if (!bounds) {
      bounds = [lastSundayUtc(year, 2) + HOUR, lastSundayUtc(year, 9) + HOUR];
      this.summer.set(year, bounds);
    }
    return t >= bounds[0] && t < bounds[1] ? 2 * HOUR : HOUR;
  }

  /** Day of week (0 = Sunday) and hour in Paris. */
  local(t: number): { dow: number; hour: number } {
    const local = t + this.offsetMs(t);
    const days = Math.floor(local / DAY);
    // 1970-01-01 was a Thursday.
    return { dow: (((days + 4) % 7) + 7) % 7, hour: Math.floor((local - days * DAY) / HOUR) };
  }

  /** The UTC instant of a Paris wall-clock time (month 0-based). */
  toUtc(year: number, month: number, day: number, hour: number, minute = 0): number {
    const wall = Date.UTC(year, month, day, hour, minute);
    return wall - this.offsetMs(wall - HOUR);
  }

  trafficWeight(t: number): number {
    const { dow, hour } = this.local(t);
    return WEIGHTS[dow * 24 + hour] ?? 1;
  }

  /** How much likelier a visit is to end in an order at this time: Sunday evening and Monday buy, Saturday browses. */
  orderPropensity(t: number): number {
    const { dow, hour } = this.local(t);
    if ((dow === 0 && hour >= 18) || dow === 1) return 1.25;
    if (dow === 6) return 0.8;
    return 1;
  }

  /**
   * A visit time in [from, to) following the weekly and daily rhythm, by rejection: about three draws per
   * accepted time, which is cheaper than building a cumulative table per person.
   */
  sample(rng: Rng, from: number, to: number): number {
    const span = Math.max(1, to - from);
    for (let attempt = 0; attempt < 40; attempt++) {
      const t = from + Math.floor(rng.next() * span);
      if (rng.next() * MAX_WEIGHT < this.trafficWeight(t)) return t;
    }
    return from + Math.floor(rng.next() * span);
  }
}
