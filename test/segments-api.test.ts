import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/index.js';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, basic, bearer, startTestSegmentum, WRITE_KEY } from './helpers.js';

/** The segments API as a client uses it: errors with their codes and details, size history, verification, updates. */

const T0 = '2026-04-06T10:00:00.000Z';
const DAY = 86_400_000;

describe('segments API', () => {
  let s: Segmentum;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    s = await startTestSegmentum({}, clock);
  });
  afterEach(async () => s.close());

  const api = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const res = await s.app.inject({ method, url, headers: { authorization: bearer(ADMIN_KEY) }, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> & { error?: { code: string; message: string; hint: string; details?: Record<string, unknown> } } };
  };
  const track = async (userId: string, event: string, at: number) => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: basic(WRITE_KEY) },
      payload: { userId, event, timestamp: new Date(at).toISOString(), messageId: `${userId}-${at}` },
    });
    expect(res.statusCode).toBe(200);
  };

  it('reports a parse error with its line, column, what was expected and a specific hint', async () => {
    const r = await api('POST', '/api/segments', { name: 'x', definition: 'trait.country = "FR"\nand count(event = \'Order Completed\') >= 1' });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('segments.parse_error');
    expect(r.body.error?.details).toMatchObject({ line: 2, column: 19 });
    expect(r.body.error?.hint).toMatch(/double quotes/);
  });

  it('refuses definitions that parse but cannot mean anything, unknown references, cycles, reserved names', async () => {
    const bad = await api('POST', '/api/segments', { name: 'x', definition: 'count(event = "A") >= "ten"' });
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'segments.invalid_definition']);
    expect(JSON.stringify(bad.body.error?.details)).toMatch(/takes a number/);

    const unknown = await api('POST', '/api/segments', { name: 'x', definition: 'in_segment("nope")' });
    expect([unknown.status, unknown.body.error?.code]).toEqual([400, 'segments.unknown_reference']);

    expect((await api('POST', '/api/segments', { name: 'a', definition: 'trait.plan = "pro"' })).status).toBe(201);
    expect((await api('POST', '/api/segments', { name: 'b', definition: 'in_segment("a")' })).status).toBe(201);
    const cycle = await api('PUT', '/api/segments/a', { definition: 'in_segment("b")' });
    expect([cycle.status, cycle.body.error?.code]).toEqual([400, 'segments.cycle']);
    expect(cycle.body.error?.details).toEqual({ cycle: ['a', 'b', 'a'] });
    const self = await api('POST', '/api/segments', { name: 'c', definition: 'in_segment("c")' });
    expect(self.body.error?.code).toBe('segments.cycle');

    const inUse = await api('DELETE', '/api/segments/a');
    expect([inUse.status, inUse.body.error?.code]).toEqual([409, 'segments.in_use']);
    const taken = await api('POST', '/api/segments', { name: 'a', definition: 'trait.plan = "x"' });
    expect([taken.status, taken.body.error?.code]).toEqual([409, 'segments.name_taken']);
    const reserved = await api('POST', '/api/segments', { name: 'changes', definition: 'trait.plan = "x"' });
    expect([reserved.status, reserved.body.error?.code]).toEqual([400, 'segments.invalid_name']);
    const upload = await api('PUT', '/api/segments/a/members', { profileIds: [] });
    expect([upload.status, upload.body.error?.code]).toEqual([409, 'segments.not_manual']);
    // Deleting in the right order works.
    expect((await api('DELETE', '/api/segments/b')).status).toBe(200);
    expect((await api('DELETE', '/api/segments/a')).status).toBe(200);
    expect((await api('GET', '/api/segments/a')).body.error?.code).toBe('segments.not_found');
  });

  it('keeps what an update leaves out, and answers with the new members', async () => {
    await track('u1', 'Order Completed', Date.parse(T0) - DAY);
    const created = await api('POST', '/api/segments', { name: 'buyers', description: 'who bought', definition: 'count(event = "Order Completed") >= 1' });
    expect(created.body.size).toBe(1);
    const updated = await api('PUT', '/api/segments/buyers', { definition: 'count(event = "Order Completed") >= 2' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'buyers', description: 'who bought', size: 0, text: 'count(event = "Order Completed") >= 2' });
    const feed = await api('GET', '/api/segments/changes?since=0&segment=buyers');
    expect((feed.body.changes as { change: string; reason: { trigger: string } }[]).map((c) => [c.change, c.reason.trigger])).toEqual([
      ['entered', 'segment_created'],
      ['exited', 'segment_updated'],
    ]);
  });

  it('gives the size per day from the feed, and a recomputation that agrees with the live members', async () => {
    const t0 = Date.parse(T0);
    await api('POST', '/api/segments', { name: 'recent', definition: 'count(event = "Ping", within = 2d) >= 1' });
    await track('a', 'Ping', t0);
    await track('b', 'Ping', t0);
    clock.advance(DAY);
    await s.tick();
    await track('c', 'Ping', t0 + DAY);
    clock.advance(2 * DAY);
    await s.tick();
    const h = await api('GET', '/api/segments/recent/history');
    expect(h.body.days).toEqual([
      { day: '2026-04-06', entered: 2, exited: 0, size: 2 },
      { day: '2026-04-07', entered: 1, exited: 0, size: 3 },
      { day: '2026-04-08', entered: 0, exited: 2, size: 1 },
      { day: '2026-04-09', entered: 0, exited: 1, size: 0 },
    ]);
    await track('d', 'Ping', t0 + 3 * DAY);
    const v = await api('POST', '/api/segments/recent/recompute');
    expect(v.body).toMatchObject({ live: 1, recomputed: 1, onlyLive: [], onlyRecomputed: [] });
  });
});

describe('computed traits from the configuration', () => {
  it('are usable in definitions and shown on profiles with the built-in ones, scores and segments', async () => {
    const clock = new ManualClock(T0);
    const s = await startTestSegmentum(
      {
        computedTraits: [
          { name: 'orders_7d', definition: 'count(event = "Order Completed", within = 7d)' },
          { name: 'top_channel', mostFrequent: { event: 'Order Completed', property: 'channel' } },
        ],
      },
      clock,
    );
    try {
      const t0 = Date.parse(T0);
      for (const [i, channel] of ['web', 'app', 'app', 'web'].entries()) {
        const res = await s.app.inject({
          method: 'POST',
          url: '/v1/track',
          headers: { authorization: basic(WRITE_KEY) },
          payload: { userId: 'zoe', event: 'Order Completed', properties: { channel, revenue: 10 }, timestamp: new Date(t0 - i * 3 * DAY).toISOString() },
        });
        expect(res.statusCode).toBe(200);
      }
      const seg = await s.app.inject({ method: 'POST', url: '/api/segments', headers: { authorization: bearer(ADMIN_KEY) }, payload: { name: 'weekly', definition: 'computed.orders_7d >= 3' } });
      expect(seg.statusCode, seg.body).toBe(201);
      expect((seg.json() as { size: number }).size).toBe(1); // orders 0, 3 and 6 days ago
      const p = (await s.app.inject({ method: 'GET', url: '/api/profiles?userId=zoe', headers: { authorization: bearer(ADMIN_KEY) } })).json() as {
        computed: Record<string, unknown>;
        segments: { name: string }[];
        scores: Record<string, unknown>;
      };
      // Two orders each way: the tie goes to the smaller value.
      expect(p.computed).toMatchObject({ orders_7d: 3, orders_total: 4, revenue_total: 40, top_channel: 'app', days_since_last_order: 0 });
      expect(p.segments.map((x) => x.name)).toEqual(['weekly']);
      expect(p.scores).toMatchObject({ engagement: 0, engagement_tier: 'low' });
    } finally {
      await s.close();
    }
  });

  it('refuse to start with a definition that is not an aggregate', async () => {
    await expect(startTestSegmentum({ computedTraits: [{ name: 'bad', definition: 'trait.country' }] })).rejects.toThrow(/computedTraits: computed trait bad/);
  });
});
