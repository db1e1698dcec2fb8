/**
 * Segment sizes per UTC day, from the change feed: pure functions over the running sums the store computes, shared by
 * the overview and the trends endpoint so that both draw the same line.
 */

const DAY = 86_400_000;

export interface TrendPoint {
  /** A UTC day, YYYY-MM-DD. */
  day: string;
  /** Members at the end of that day (for today: now). */
  size: number;
}

/**
 * The last `days` UTC days up to and including the day of `now`, oldest first.
 * @example trendDays(new Date('2026-04-06T10:00:00Z'), 3) // ['2026-04-04', '2026-04-05', '2026-04-06']
 */
export function trendDays(now: Date, days: number): string[] {
  const today = Math.floor(now.getTime() / DAY) * DAY;
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY).toISOString().slice(0, 10));
}

/**
 * The size at the end of each day, from the days on which it changed (sorted, each with the size at its end): a day
 * without a change keeps the size of the last change before it, and a day before the first change has size 0 (the
 * feed starts with the segment, which had no members before its first entry).
 * @example fillTrend(['2026-04-04', '2026-04-05', '2026-04-06'], [{ day: '2026-04-05', size: 3 }]) // sizes 0, 3, 3
 */
export function fillTrend(days: readonly string[], changes: readonly TrendPoint[]): TrendPoint[] {
  const out: TrendPoint[] = [];
  let i = 0;
  let size = 0;
  for (const day of days) {
    while (i < changes.length && (changes[i] as TrendPoint).day <= day) size = (changes[i++] as TrendPoint).size;
    out.push({ day, size });
  }
  return out;
}

/** The UTC instants bounding `days` (from the start of the first to the end of the last). */
export function trendRange(days: readonly string[]): { from: Date; to: Date } {
  const first = days[0];
  const last = days[days.length - 1];
  if (first === undefined || last === undefined) throw new Error('trendRange needs at least one day');
  return { from: new Date(`${first}T00:00:00.000Z`), to: new Date(Date.parse(`${last}T00:00:00.000Z`) + DAY) };
}
