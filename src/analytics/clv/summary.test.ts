import { describe, expect, it } from 'vitest';
import { summarise } from './summary.js';
import { parseDay, TransactionLogBuilder } from './transactions.js';

/**
 * The summary on a hand-made log, worked out by hand. Calibration ends 2024-01-29 (a Monday); day numbers below are
 * days from 2024-01-01.
 */
const day = (d: number): number => parseDay('2024-01-01', 'auto')! + d;
const END = day(28);

function log(rows: [string, number, number][]) {
  const b = new TransactionLogBuilder();
  for (const [c, d, amount] of rows) b.add(c, day(d), amount);
  return b.build();
}

const ROWS: [string, number, number][] = [
  // a: first purchase day 0 (two purchases that day), then day 7 (two purchases, 10 + 20), day 14, day 14 again.
  ['a', 0, 100],
  ['a', 7, 10],
  ['a', 0, 50],
  ['a', 14, 40],
  ['a', 7, 20],
  ['a', 14, 5],
  // b: one purchase day only (twice that day), and one after the calibration end.
  ['b', 21, 9],
  ['b', 21, 1],
  ['b', 35, 70],
  // c: first purchase after the calibration end: left out.
  ['c', 29, 12],
  // d: a purchase on the calibration end itself counts.
  ['d', 3, 8],
  ['d', 28, 16],
];

describe('summarise', () => {
  it('merges same-day purchases, leaves out the first, counts T to the calibration end, in days', () => {
    const s = summarise(log(ROWS), { calibrationEnd: END, unit: 'day' });
    expect(s.ids).toEqual(['a', 'b', 'd']);
    // a: purchase days 0, 7, 14 -> x 2, t_x 14, T 28; repeat days 7 (30) and 14 (45) -> mean 37.5.
    // b: one purchase day -> x 0, t_x 0, T 7, monetary 0. d: days 3 and 28 -> x 1, t_x 25, T 25, monetary 16.
    expect(Array.from(s.x)).toEqual([2, 0, 1]);
    expect(Array.from(s.tx)).toEqual([14, 0, 25]);
    expect(Array.from(s.T)).toEqual([28, 7, 25]);
    expect(Array.from(s.monetary)).toEqual([37.5, 0, 16]);
    expect(Array.from(s.firstDay)).toEqual([day(0), day(21), day(3)]);
    expect(s.leftOut).toBe(1);
    expect(s.transactions).toEqual({ total: 12, calibration: 10 });
    expect(s.holdout).toBeUndefined();
  });

  it('gives times in weeks as days / 7', () => {
    const s = summarise(log(ROWS), { calibrationEnd: END, unit: 'week' });
    expect(Array.from(s.tx)).toEqual([2, 0, 25 / 7]);
    expect(Array.from(s.T)).toEqual([4, 1, 25 / 7]);
    expect(Array.from(s.x)).toEqual([2, 0, 1]);
  });

  it('moves with the calibration end: a purchase after it is not counted', () => {
    const s = summarise(log(ROWS), { calibrationEnd: day(10), unit: 'day' });
    // a: days 0 and 7 only; b and c start later; d: day 3 only.
    expect(s.ids).toEqual(['a', 'd']);
    expect(Array.from(s.x)).toEqual([1, 0]);
    expect(Array.from(s.tx)).toEqual([7, 0]);
    expect(Array.from(s.T)).toEqual([10, 7]);
    expect(Array.from(s.monetary)).toEqual([30, 0]);
    expect(s.leftOut).toBe(2);
  });

  it('counts purchase days of a holdout period after the calibration end, up to its last day', () => {
    const rows: [string, number, number][] = [...ROWS, ['a', 30, 1], ['a', 30, 2], ['a', 31, 1], ['a', 60, 1]];
    const s = summarise(log(rows), { calibrationEnd: END, unit: 'day', holdoutEnd: day(40) });
    // a: days 30 and 31 (day 60 is after the holdout); b: day 35; d: none.
    expect(Array.from(s.holdout!.purchases)).toEqual([2, 1, 0]);
    expect(s.holdout!.end).toBe(day(40));
  });

  it('is the same whatever the order of the rows', () => {
    const a = summarise(log(ROWS), { calibrationEnd: END, unit: 'week' });
    const b = summarise(log([...ROWS].reverse()), { calibrationEnd: END, unit: 'week' });
    const byId = (s: typeof a) => Object.fromEntries(s.ids.map((id, i) => [id, [s.x[i], s.tx[i], s.T[i], s.monetary[i]]]));
    expect(byId(b)).toEqual(byId(a));
  });
});
