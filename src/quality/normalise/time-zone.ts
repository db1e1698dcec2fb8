import { fieldsToEpoch, type DateFields } from './date-format.js';

/** Where a local wall-clock time falls in UTC. */
export type LocalInstant =
  | { readonly kind: 'one'; readonly epochMs: number }
  /** The clocks skipped this time (spring forward). */
  | { readonly kind: 'skipped' }
  /** The clocks showed this time twice (fall back): both instants, earlier first. */
  | { readonly kind: 'repeated'; readonly earlier: number; readonly later: number };

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const DAY_MS = 86_400_000;

/**
 * Converts local wall-clock times of one IANA zone to UTC with the zone rules Node's ICU carries. The candidate
 * offsets are those in force a day before and a day after; a candidate is kept when the zone shows exactly the
 * wall-clock time at that instant. None kept: a skipped time; two: a repeated one.
 */
export function localClock(timeZone: string): (fields: DateFields) => LocalInstant {
  const dtf = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const wallClock = (epochMs: number): number => {
    const parts = dtf.formatToParts(epochMs);
    const value = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? NaN);
    return fieldsToEpoch({
      year: value('year'),
      month: value('month'),
      day: value('day'),
      hour: value('hour'),
      minute: value('minute'),
      second: value('second'),
      millisecond: 0,
      offsetMinutes: null,
    });
  };
  const offsetAt = (epochMs: number): number => wallClock(epochMs) - Math.floor(epochMs / 1000) * 1000;

  return (fields) => {
    const wholeSeconds = fieldsToEpoch({ ...fields, millisecond: 0 });
    const offsets = new Set([offsetAt(wholeSeconds - DAY_MS), offsetAt(wholeSeconds), offsetAt(wholeSeconds + DAY_MS)]);
    const instants = [...offsets]
      .map((offset) => wholeSeconds - offset)
      .filter((epochMs) => wallClock(epochMs) === wholeSeconds)
      .sort((a, b) => a - b);
    const unique = [...new Set(instants)];
    const [first, second] = unique;
    if (first === undefined) return { kind: 'skipped' };
    if (second === undefined) return { kind: 'one', epochMs: first + fields.millisecond };
    return { kind: 'repeated', earlier: first + fields.millisecond, later: second + fields.millisecond };
  };
}
