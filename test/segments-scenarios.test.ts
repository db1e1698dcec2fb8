import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/index.js';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, basic, bearer, startTestSegmentum, WRITE_KEY } from './helpers.js';

/**
 * Scenario tables for live segments, through the public HTTP API on virtual time. Each step submits events (with
 * timestamps relative to the clock), moves the clock (which runs due timers), or asserts memberships. Every
 * assertion also recomputes the segment over the whole history in SQL at that instant and requires the same
 * members: the two evaluators must agree at every step, not only at the end.
 */

const T0 = '2026-03-02T09:00:00.000Z';
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** `7d`, or a sum such as `7d-1s`. */
const ms = (d: string): number => {
  const parts = [...d.matchAll(/(-?\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== d) throw new Error(`bad duration ${d}`);
  return parts.reduce((sum, m) => sum + Number(m[1]) * (UNITS[m[2] as string] as number), 0);
};

type Msg =
  | { user: string; track: string; ago?: string; props?: Record<string, unknown> }
  | { user: string; page: string; ago?: string }
  | { user: string; identify: Record<string, unknown>; ago?: string }
  | { anon: string; track: string; ago?: string; props?: Record<string, unknown> }
  | { anon: string; user: string; identify: Record<string, unknown> };

type Step =
  | { send: Msg[] }
  | { advance: string }
  | { advanceTo: string }
  | { segment: string; define: string }
  | { recomputeRfm: true }
  | { expect: Record<string, string[]> }
  | { changes: { segment: string; user: string; change: 'entered' | 'exited'; at?: string }[] };

interface Scenario {
  name: string;
  steps: Step[];
}

class Runner {
  private lastSeq = 0;
  constructor(
    readonly s: Segmentum,
    readonly clock: ManualClock,
  ) {}

  async api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
    const res = await this.s.app.inject({ method, url, headers: { authorization: bearer(ADMIN_KEY) }, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  }

  async send(msgs: Msg[]): Promise<void> {
    const now = this.clock.now().getTime();
    const batch = msgs.map((m, i) => {
      const timestamp = new Date(now - ms('ago' in m && m.ago ? m.ago : '0s')).toISOString();
      const ids = { ...('user' in m ? { userId: m.user } : {}), ...('anon' in m ? { anonymousId: m.anon } : {}) };
      const messageId = `m-${now}-${i}-${Math.random().toString(36).slice(2)}`;
      if ('track' in m) return { type: 'track', event: m.track, properties: m.props ?? {}, timestamp, messageId, ...ids };
      if ('page' in m) return { type: 'page', name: m.page, properties: {}, timestamp, messageId, ...ids };
      return { type: 'identify', traits: m.identify, timestamp, messageId, ...ids };
    });
    const res = await this.s.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(WRITE_KEY) }, payload: { batch } });
    expect(res.statusCode, res.body).toBe(200);
  }

  async profileOf(user: string): Promise<string> {
    const r = await this.api('GET', `/api/profiles?userId=${encodeURIComponent(user)}`);
    if (r.status !== 200) {
      const a = await this.api('GET', `/api/profiles?anonymousId=${encodeURIComponent(user)}`);
      expect(a.status, `profile of ${user}`).toBe(200);
      return a.body.id as string;
    }
    return r.body.id as string;
  }

  async members(segment: string): Promise<string[]> {
    const r = await this.api('GET', `/api/segments/${encodeURIComponent(segment)}/members?limit=1000`);
    expect(r.status).toBe(200);
    return (r.body.items as { profileId: string }[]).map((x) => x.profileId);
  }

  async run(sc: Scenario): Promise<void> {
    for (const [i, step] of sc.steps.entries()) {
      const where = `${sc.name}, step ${i + 1}`;
      if ('send' in step) await this.send(step.send);
      else if ('advance' in step) {
        this.clock.advance(ms(step.advance));
        await this.s.tick();
      } else if ('advanceTo' in step) {
        this.clock.set(Date.parse(T0) + ms(step.advanceTo));
        await this.s.tick();
      } else if ('recomputeRfm' in step) {
        const r = await this.api('POST', '/api/scores/rfm/recompute', {});
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      } else if ('define' in step) {
        const r = await this.api('POST', '/api/segments', { name: step.segment, definition: step.define });
        expect(r.status, `${where}: ${JSON.stringify(r.body)}`).toBe(201);
      } else if ('expect' in step) {
        for (const [segment, users] of Object.entries(step.expect)) {
          const want = (await Promise.all(users.map((u) => this.profileOf(u)))).sort();
          expect(await this.members(segment), `${where}: live members of ${segment}`).toEqual(want);
          const batch = await this.s.segments.recompute(segment, this.clock.now());
          expect(batch.ok && [...batch.value].sort(), `${where}: SQL members of ${segment}`).toEqual(want);
        }
      } else {
        const r = await this.api('GET', `/api/segments/changes?since=${this.lastSeq}`);
        const got = r.body.changes as { seq: number; segmentId: string; profileId: string; change: string; at: string }[];
        const want = await Promise.all(
          step.changes.map(async (c) => ({
            segmentId: (await this.api('GET', `/api/segments/${c.segment}`)).body.id,
            profileId: await this.profileOf(c.user),
            change: c.change,
            ...(c.at ? { at: c.at } : {}),
          })),
        );
        expect(
          got.map((g, j) => ({ segmentId: g.segmentId, profileId: g.profileId, change: g.change, ...(want[j]?.at ? { at: g.at } : {}) })),
          `${where}: changes`,
        ).toEqual(want);
        this.lastSeq = Number(r.body.cursor);
      }
    }
  }
}

const at = (offset: string): string => new Date(Date.parse(T0) + ms(offset)).toISOString();

const SCENARIOS: Scenario[] = [
  {
    name: 'a profile leaves a rolling window at the exact second its third-latest event ages out',
    steps: [
      { segment: 'browsers', define: 'count(event = "Page Viewed", within = 7d) >= 3' },
      { send: [{ user: 'ana', page: 'Accueil' }] },
      { advance: '1h' },
      { send: [{ user: 'ana', page: 'Chaussures' }, { user: 'bob', page: 'Accueil' }] },
      { expect: { browsers: [] } },
      { advance: '1h' },
      { send: [{ user: 'ana', page: 'Panier' }] },
      { expect: { browsers: ['ana'] } },
      { changes: [{ segment: 'browsers', user: 'ana', change: 'entered', at: at('2h') }] },
      // The first view was at T0: it leaves the 7-day window at T0 + 7d, not a second earlier or later.
      { advanceTo: '7d-1s' },
      { expect: { browsers: ['ana'] } },
      { advance: '1s' },
      { expect: { browsers: [] } },
      { changes: [{ segment: 'browsers', user: 'ana', change: 'exited', at: at('7d') }] },
    ],
  },
  {
    name: 'traits and orders together (issue example 1)',
    steps: [
      { segment: 'fr-buyers', define: 'trait.country = "FR" and count(event = "Order Completed", within = 30d) >= 2' },
      { send: [{ user: 'chloe', identify: { country: 'FR' } }, { user: 'dieter', identify: { country: 'DE' } }] },
      { send: [{ user: 'chloe', track: 'Order Completed', ago: '40d' }, { user: 'chloe', track: 'Order Completed', ago: '3d' }] },
      { send: [{ user: 'dieter', track: 'Order Completed', ago: '2d' }, { user: 'dieter', track: 'Order Completed', ago: '1d' }] },
      { expect: { 'fr-buyers': [] } },
      { send: [{ user: 'chloe', track: 'Order Completed' }] },
      { expect: { 'fr-buyers': ['chloe'] } },
      { send: [{ user: 'dieter', identify: { country: 'FR' } }] },
      { expect: { 'fr-buyers': ['chloe', 'dieter'] } },
      // chloe's order from 3 days ago leaves at 27 days from now; dieter's at 28 and 29.
      { advance: '27d' },
      { expect: { 'fr-buyers': ['dieter'] } },
      { advance: '1d' },
      { expect: { 'fr-buyers': [] } },
    ],
  },
  {
    name: 'segments built on segments, with sums over a window (issue example 3)',
    steps: [
      { segment: 'vip', define: 'trait.vip = true' },
      { segment: 'big-spenders', define: 'sum(event = "Order Completed", property = "revenue", within = 90d) > 500 or in_segment("vip")' },
      { segment: 'regular', define: 'not in_segment("big-spenders") and count(event = "Order Completed") >= 1' },
      { send: [{ user: 'eve', track: 'Order Completed', props: { revenue: 300 } }, { user: 'eve', track: 'Order Completed', props: { revenue: '250' } }] },
      { expect: { 'big-spenders': [], regular: ['eve'] } },
      { send: [{ user: 'eve', track: 'Order Completed', props: { revenue: 200.5 } }] },
      { expect: { 'big-spenders': ['eve'], regular: [] } },
      { send: [{ user: 'fred', identify: { vip: true } }, { user: 'fred', track: 'Order Completed', props: { revenue: 1 } }] },
      { expect: { 'big-spenders': ['eve', 'fred'], regular: [] } },
      { advance: '90d' },
      { expect: { 'big-spenders': ['fred'], regular: ['eve'] } },
    ],
  },
  {
    name: 'last performed within, and not performed within',
    steps: [
      { segment: 'readers', define: 'last(event = "Email Opened") within 48h' },
      { segment: 'lapsed', define: 'not last(event = "Email Opened") within 48h' },
      { send: [{ user: 'gus', track: 'Email Opened', ago: '47h' }, { user: 'hana', track: 'Email Sent' }] },
      { expect: { readers: ['gus'], lapsed: ['hana'] } },
      { advance: '1h' },
      { expect: { readers: [], lapsed: ['gus', 'hana'] } },
      { changes: [
        { segment: 'readers', user: 'gus', change: 'entered' },
        { segment: 'lapsed', user: 'hana', change: 'entered' },
        { segment: 'readers', user: 'gus', change: 'exited', at: at('1h') },
        { segment: 'lapsed', user: 'gus', change: 'entered', at: at('1h') },
      ] },
    ],
  },
  {
    name: 'a segment created after the events is filled from history; anonymous activity follows a merge',
    steps: [
      { send: [{ anon: 'anon-1', track: 'Product Viewed', props: { category: 'shoes' } }, { anon: 'anon-1', track: 'Product Viewed', props: { category: 'shoes' } }] },
      { send: [{ user: 'ines', track: 'Product Viewed', props: { category: 'books' } }] },
      { segment: 'shoe-fans', define: 'count(event = "Product Viewed" where category = "shoes", within = 30d) >= 2' },
      { expect: { 'shoe-fans': ['anon-1'] } },
      { send: [{ anon: 'anon-1', user: 'ines', identify: { country: 'FR' } }] },
      { expect: { 'shoe-fans': ['ines'] } },
    ],
  },
  {
    name: 'a trait held for a while, and a trait date within a window (issue example 8)',
    steps: [
      { segment: 'premium-30', define: 'trait.plan = "premium" for 30d' },
      { segment: 'new-non-buyers', define: 'trait.signup_date within 30d and not count(event = "Order Completed") >= 1' },
      // A sign-up date one day ahead enters the window when that day comes and leaves it 30 days later.
      { send: [{ user: 'jo', identify: { plan: 'premium', signup_date: at('1d') } }] },
      { expect: { 'premium-30': [], 'new-non-buyers': [] } },
      { advance: '1d' },
      { expect: { 'premium-30': [], 'new-non-buyers': ['jo'] } },
      { advance: '29d' },
      { expect: { 'premium-30': ['jo'], 'new-non-buyers': ['jo'] } },
      { advance: '1d' },
      { expect: { 'premium-30': ['jo'], 'new-non-buyers': [] } },
    ],
  },
  {
    name: 'engagement points in real time, daily decay at midnight, RFM segments (issue example 7)',
    steps: [
      { segment: 'engaged', define: 'score.engagement >= 50' },
      { segment: 'engaged-loyal', define: 'score.engagement >= 50 and rfm.segment in ("champions", "loyal")' },
      // 3 opens and a click: 3 x 10 + 20 = 50 points, all at T0.
      { send: [{ user: 'kim', track: 'Email Opened' }, { user: 'kim', track: 'Email Opened' }, { user: 'kim', track: 'Email Opened' }, { user: 'kim', track: 'Email Link Clicked' }] },
      { send: [{ user: 'lea', track: 'Email Opened' }] },
      { expect: { engaged: ['kim'], 'engaged-loyal': [] } },
      { changes: [{ segment: 'engaged', user: 'kim', change: 'entered', at: at('0s') }] },
      // Both order often and recently; lea more than kim, and three others less.
      { send: [1, 2, 3, 4].map((d) => ({ user: 'kim', track: 'Order Completed', ago: `${d}d`, props: { revenue: 100 } })) },
      { send: [1, 2, 3, 4, 5].map((d) => ({ user: 'lea', track: 'Order Completed', ago: `${d}h`, props: { revenue: 200 } })) },
      { send: ['m1', 'm2', 'm3'].map((u, i) => ({ user: u, track: 'Order Completed', ago: `${100 + i * 50}d`, props: { revenue: 10 } })) },
      { recomputeRfm: true },
      { expect: { engaged: ['kim'], 'engaged-loyal': ['kim'] } },
      // The score decays: at the next midnight (15 h after T0) 50 x 2^(-15h/30d) = 49.3 < 50.
      { advanceTo: '14h' },
      { expect: { engaged: ['kim'] } },
      { advanceTo: '15h' },
      { expect: { engaged: [], 'engaged-loyal': [] } },
      { changes: [
        { segment: 'engaged-loyal', user: 'kim', change: 'entered' },
        { segment: 'engaged', user: 'kim', change: 'exited', at: at('15h') },
        { segment: 'engaged-loyal', user: 'kim', change: 'exited', at: at('15h') },
      ] },
    ],
  },
];

describe('live segments: scenario tables (HTTP, virtual time, SQL recompute at every step)', () => {
  let s: Segmentum | null = null;
  afterEach(async () => {
    await s?.close();
    s = null;
  });

  for (const sc of SCENARIOS) {
    it(sc.name, async () => {
      const clock = new ManualClock(T0);
      s = await startTestSegmentum({}, clock);
      await new Runner(s, clock).run(sc);
    });
  }
});
