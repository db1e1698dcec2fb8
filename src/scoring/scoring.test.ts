import { readFileSync, existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { EngagementModel, nextMidnightUtc, tierOf } from './engagement.js';
import { rfmSegment, RFM_SEGMENTS, scoreRfm, type RfmInput } from './rfm.js';

const DAY = 86_400_000;

describe('engagement score', () => {
  // The defaults of the configuration: +10 open, +20 click, -15 unsubscribe, half-life and inactivity 30 days, penalty 5.
  const model = new EngagementModel(parseConfig({}).scoring.engagement);

  it('folds events incrementally to the closed form sum p_i 2^(-(t - t_i)/h) (relative tolerance 1e-9)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.constantFrom('Email Opened', 'Email Link Clicked', 'Unsubscribed', 'Page Viewed'), ago: fc.integer({ min: 0, max: 200 * DAY }) }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 100 * DAY }),
        (events, later) => {
          const t0 = Date.parse('2026-01-01T00:00:00Z');
          // Events arrive one by one (each "now" is its arrival); the score is read `later` after the last one.
          let state = null;
          let now = t0;
          for (const e of events) {
            now += 1000;
            state = model.add(state, e.name, now - e.ago, now);
          }
          const at = now + later;
          const points: Record<string, number> = { 'Email Opened': 10, 'Email Link Clicked': 20, Unsubscribed: -15 };
          let arrival = t0;
          let sum = 0;
          let last = Number.NEGATIVE_INFINITY;
          for (const e of events) {
            arrival += 1000;
            const ts = arrival - e.ago;
            sum += (points[e.name] ?? 0) * Math.pow(2, -(at - ts) / (30 * DAY));
            last = Math.max(last, ts);
          }
          const idle = Number.isFinite(last) ? Math.floor((at - last) / (30 * DAY)) : 0;
          const expected = Math.max(0, Math.round((sum - 5 * idle) * 10) / 10);
          if (state === null) return;
          expect(Math.abs(model.score(state, at) - expected)).toBeLessThanOrEqual(0.1 + 1e-9);
          // The decayed sum itself, before rounding, to 1e-9 relative.
          expect(Math.abs(model.merge(state, { sum: 0, ref: at, last }, at).sum - sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(sum)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the seed values: an open is 10, a click 20, an unsubscribe -15, halving over the half-life', () => {
    const t = Date.parse('2026-05-01T00:00:00Z');
    let s = model.add(null, 'Email Opened', t, t);
    s = model.add(s, 'Email Link Clicked', t, t);
    expect(model.score(s, t)).toBe(30);
    expect(model.score(s, t + 30 * DAY - 1)).toBe(15); // 30 * 2^-(1 - 1ms/30d), rounded to 0.1
    // After 30 full days of inactivity the penalty (5) applies once: 15 - 5.
    expect(model.score(s, t + 30 * DAY)).toBe(10);
    expect(model.score(model.add(s, 'Unsubscribed', t, t), t)).toBe(15);
    expect([tierOf(19.9), tierOf(20), tierOf(50), tierOf(50.1)]).toEqual(['low', 'medium', 'medium', 'high']);
    expect(nextMidnightUtc(Date.parse('2026-05-01T13:00:00Z'))).toBe(Date.parse('2026-05-02T00:00:00Z'));
    expect(nextMidnightUtc(Date.parse('2026-05-02T00:00:00Z'))).toBe(Date.parse('2026-05-03T00:00:00Z'));
  });
});

/** An independent RFM quintile: sort, then for each value count the worse values one by one. */
function bruteQuintile(values: number[], v: number, higherIsBetter: boolean): number {
  const worse = values.filter((x) => (higherIsBetter ? x < v : x > v)).length;
  return 1 + Math.floor((5 * worse) / values.length);
}

describe('RFM', () => {
  it('scores each measure by quintile of strictly worse customers (against a brute-force count)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ recencyDays: fc.integer({ min: 0, max: 365 }), frequency: fc.integer({ min: 1, max: 12 }), monetary: fc.integer({ min: 0, max: 5000 }) }), { minLength: 1, maxLength: 200 }),
        (xs) => {
          const rows: RfmInput[] = xs.map((x, i) => ({ profileId: `p${i}`, ...x }));
          const got = scoreRfm(rows);
          for (const r of rows) {
            const s = got.get(r.profileId);
            expect(s?.r).toBe(bruteQuintile(rows.map((x) => x.recencyDays), r.recencyDays, false));
            expect(s?.f).toBe(bruteQuintile(rows.map((x) => x.frequency), r.frequency, true));
            expect(s?.m).toBe(bruteQuintile(rows.map((x) => x.monetary), r.monetary, true));
            expect(s?.segment).toBe(rfmSegment(s?.r ?? 0, s?.f ?? 0));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('names all 25 (R, F) cells with the usual segments, each name used', () => {
    const names = new Set<string>();
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) names.add(rfmSegment(r, f));
    expect([...names].sort()).toEqual([...RFM_SEGMENTS].sort());
    expect(rfmSegment(5, 5)).toBe('champions');
    expect(rfmSegment(1, 1)).toBe('lost');
    expect(rfmSegment(1, 5)).toBe('cant_lose');
    expect(rfmSegment(5, 1)).toBe('new');
  });

  // ../shared/datasets/cdnow-sample.txt: CDNOW purchases (customer id, id again, date YYYYMMDD, CDs, dollars).
  const CDNOW = new URL('../../../shared/datasets/cdnow-sample.txt', import.meta.url);
  if (!existsSync(CDNOW)) console.warn(`Skipping the CDNOW RFM test: ${CDNOW.pathname} is absent (../shared is not beside this clone).`);
  it.skipIf(!existsSync(CDNOW))('splits the CDNOW customers into quintiles of about a fifth each on distinct values (real data)', () => {
    const lines = readFileSync(CDNOW, 'utf8').trim().split('\n');
    const by = new Map<string, { last: number; n: number; total: number }>();
    for (const line of lines) {
      const [id, , d, , amount] = line.trim().split(/\s+/);
      if (!id || !d || amount === undefined) continue;
      const t = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)));
      const c = by.get(id) ?? { last: 0, n: 0, total: 0 };
      c.last = Math.max(c.last, t);
      c.n++;
      c.total += Number(amount);
      by.set(id, c);
    }
    const end = Date.UTC(1998, 5, 30);
    const rows = [...by].map(([profileId, c]) => ({ profileId, recencyDays: Math.floor((end - c.last) / DAY), frequency: c.n, monetary: c.total }));
    const got = scoreRfm(rows);
    const counts = [0, 0, 0, 0, 0];
    for (const s of got.values()) counts[s.m - 1] = (counts[s.m - 1] ?? 0) + 1;
    // Monetary values are nearly all distinct, so each quintile holds a fifth of the customers (ties allow +-1%).
    for (const c of counts) expect(Math.abs(c / rows.length - 0.2)).toBeLessThan(0.01);
    // Frequency is mostly 1: ties put everyone with one purchase in F = 1.
    const once = rows.filter((r) => r.frequency === 1).length;
    expect([...got.values()].filter((s) => s.f === 1).length).toBe(once);
  });
});
