import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { KeyList, KeyView, MembersPage, OverviewView, RecentEventsView, TimelineView, TrendsView } from '../src/api/schemas.js';
import { ManualClock } from '../src/kernel/index.js';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

/** The management endpoints the dashboard is built on, as it calls them: real values, shapes and refusals. */

type Overview = z.infer<typeof OverviewView>;
type Trends = z.infer<typeof TrendsView>;
type Recent = z.infer<typeof RecentEventsView>;
type Key = z.infer<typeof KeyView>;
type Keys = z.infer<typeof KeyList>;
type Members = z.infer<typeof MembersPage>;
type Timeline = z.infer<typeof TimelineView>;
interface ErrorBody {
  error: { code: string; message: string; hint: string; path?: string };
}

const T0 = '2026-04-06T10:30:20.000Z';
const MINUTE = 60_000;
const DAY = 86_400_000;

let s: Segmentum;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock(T0);
  s = await startTestSegmentum({}, clock);
});
afterEach(async () => s.close());

async function api<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object, key = ADMIN_KEY) {
  const res = await s.app.inject({ method, url, headers: { authorization: bearer(key) }, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json<T & Partial<ErrorBody>>(), text: res.body };
}

async function send(batch: object[], key = WRITE_KEY): Promise<void> {
  const res = await s.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(key) }, payload: { batch } });
  expect(res.statusCode, res.body).toBe(200);
}

async function profileIdOf(query: string): Promise<string> {
  const r = await api<{ id: string }>('GET', `/api/profiles?${query}`);
  expect(r.status).toBe(200);
  return r.body.id;
}

describe('GET /api/overview', () => {
  it('counts profiles, identified and anonymous, events per minute over the last hour, and the week’s top events', async () => {
    const t0 = Date.parse(T0);
    await send([
      { type: 'identify', userId: 'u1', traits: { plan: 'pro' }, messageId: 'o-1' },
      { type: 'track', userId: 'u1', event: 'Order Completed', messageId: 'o-2' },
      { type: 'track', anonymousId: 'a1', event: 'Order Completed', messageId: 'o-3' },
      { type: 'track', anonymousId: 'a2', event: 'Product Viewed', messageId: 'o-4' },
      // Eight days old by its timestamp: received now (so in the per-minute count) but not in the week's top events.
      { type: 'track', anonymousId: 'a2', event: 'Old Event', timestamp: new Date(t0 - 8 * DAY).toISOString(), messageId: 'o-5' },
      { type: 'page', anonymousId: 'a1', name: 'Home', messageId: 'o-6' },
      { type: 'track', event: 'No Identity', messageId: 'o-7' },
    ]);
    clock.advance(MINUTE);
    await send([{ type: 'track', userId: 'u2', event: 'Product Viewed', messageId: 'o-8' }]);
    await api('POST', '/api/segments', { name: 'buyers', definition: 'count(event = "Order Completed") >= 1' });

    const r = await api<Overview>('GET', '/api/overview');
    expect(r.status).toBe(200);
    const o = r.body;
    expect(o).toMatchObject({
      at: '2026-04-06T10:31:20.000Z',
      profiles: 4,
      identified: 2,
      anonymous: 2,
      events: 7,
      quarantined: 1,
      duplicates: 0,
      accounts: 0,
      topEventsDays: 7,
    });
    expect(o.topEvents).toEqual([
      { event: 'Order Completed', count: 2 },
      { event: 'Product Viewed', count: 2 },
    ]);
    expect(o.eventsPerMinute).toHaveLength(60);
    expect(o.eventsPerMinute[0]).toEqual({ minute: '2026-04-06T09:32:00.000Z', count: 0 });
    expect(o.eventsPerMinute.slice(-2)).toEqual([
      { minute: '2026-04-06T10:30:00.000Z', count: 6 },
      { minute: '2026-04-06T10:31:00.000Z', count: 1 },
    ]);
    expect(o.eventsPerMinute.reduce((n, m) => n + m.count, 0)).toBe(7);
    expect(o.segments).toEqual([
      {
        id: expect.stringMatching(/^seg_/),
        name: 'buyers',
        kind: 'rule',
        size: 2,
        trend: ['03-31', '04-01', '04-02', '04-03', '04-04', '04-05', '04-06'].map((d) => ({ day: `2026-${d}`, size: d === '04-06' ? 2 : 0 })),
      },
    ]);

    // An hour later the minute buckets have moved on: the events are out of the window.
    clock.advance(60 * MINUTE);
    const later = (await api<Overview>('GET', '/api/overview')).body;
    expect(later.eventsPerMinute.every((m) => m.count === 0)).toBe(true);
    expect(later.eventsPerMinute[59]?.minute).toBe('2026-04-06T11:31:00.000Z');
  });
});

describe('GET /api/segments/trends', () => {
  it('gives the size at the end of each UTC day from the change feed, the same as the overview and the history', async () => {
    const t0 = Date.parse('2026-04-06T10:00:00.000Z');
    clock.set(t0);
    await api('POST', '/api/segments', { name: 'recent', definition: 'count(event = "Ping", within = 2d) >= 1' });
    const track = (userId: string, at: number) => send([{ type: 'track', userId, event: 'Ping', timestamp: new Date(at).toISOString(), messageId: `${userId}-${at}` }]);
    await track('a', t0);
    await track('b', t0);
    clock.advance(DAY);
    await s.tick();
    await track('c', t0 + DAY);
    clock.advance(2 * DAY);
    await s.tick();
    await api('POST', '/api/segments', { name: 'list' });

    const five = await api<Trends>('GET', '/api/segments/trends?days=5');
    expect(five.status).toBe(200);
    const recent = five.body.items[0];
    expect(recent?.trend).toEqual([
      { day: '2026-04-05', size: 0 },
      { day: '2026-04-06', size: 2 },
      { day: '2026-04-07', size: 3 },
      { day: '2026-04-08', size: 1 },
      { day: '2026-04-09', size: 0 },
    ]);
    expect(five.body.items[1]?.trend.map((p) => p.size)).toEqual([0, 0, 0, 0, 0]);

    // A window that starts after the first changes still starts from the size they left.
    const two = await api<Trends>('GET', '/api/segments/trends?days=2');
    expect(two.body.items[0]?.trend).toEqual([
      { day: '2026-04-08', size: 1 },
      { day: '2026-04-09', size: 0 },
    ]);

    await track('d', t0 + 3 * DAY);
    const week = await api<Trends>('GET', '/api/segments/trends');
    expect(week.body.items[0]?.trend.map((p) => p.day)).toEqual(['03', '04', '05', '06', '07', '08', '09'].map((d) => `2026-04-${d}`));
    expect(week.body.items[0]?.trend.map((p) => p.size)).toEqual([0, 0, 0, 2, 3, 1, 1]);
    const overview = (await api<Overview>('GET', '/api/overview')).body;
    expect(overview.segments.map((x) => ({ id: x.id, trend: x.trend }))).toEqual(week.body.items);
    expect(overview.segments[0]?.size).toBe(1);
    const history = await api<{ days: { day: string; size: number }[] }>('GET', `/api/segments/${recent?.id}/history`);
    expect(history.body.days.at(-1)).toMatchObject({ day: '2026-04-09', size: 1 });

    for (const days of ['0', '91', 'x']) {
      const bad = await api('GET', `/api/segments/trends?days=${days}`);
      expect([bad.status, bad.body.error?.code]).toEqual([400, 'request.invalid']);
    }
  });

  it('reserves the name trends, which the endpoint takes', async () => {
    const r = await api('POST', '/api/segments', { name: 'trends', definition: 'trait.plan = "pro"' });
    expect([r.status, r.body.error?.code]).toEqual([400, 'segments.invalid_name']);
  });
});

describe('GET /api/events/recent', () => {
  it('returns the newest events in receive order, then only those received after the cursor', async () => {
    const empty = await api<Recent>('GET', '/api/events/recent');
    expect(empty.status).toBe(200);
    expect(empty.body.events).toEqual([]);
    const c0 = empty.body.cursor;

    await send([
      { type: 'track', userId: 'r1', event: 'First', messageId: 'r-1' },
      { type: 'track', userId: 'r2', event: 'Second', messageId: 'r-2' },
      { type: 'page', anonymousId: 'r3', name: 'Third', messageId: 'r-3' },
    ]);
    const first = await api<Recent>('GET', `/api/events/recent?after=${encodeURIComponent(c0)}`);
    expect(first.body.events.map((e) => e.messageId)).toEqual(['r-3', 'r-2', 'r-1']);
    expect(first.body.events[1]).toMatchObject({ type: 'track', event: 'Second', userId: 'r2', profileId: await profileIdOf('userId=r2') });
    const c1 = first.body.cursor;
    expect(c1).not.toBe(c0);

    const none = await api<Recent>('GET', `/api/events/recent?after=${encodeURIComponent(c1)}`);
    expect(none.body).toEqual({ events: [], cursor: c1 });

    // Receive order, not event time: an event sent late with an old timestamp is the newest received.
    clock.advance(5_000);
    await send([{ type: 'track', userId: 'r1', event: 'Fourth', messageId: 'r-4' }]);
    await send([{ type: 'track', userId: 'r1', event: 'Late', timestamp: '2020-01-01T00:00:00.000Z', messageId: 'r-5' }]);
    const next = await api<Recent>('GET', `/api/events/recent?after=${encodeURIComponent(c1)}`);
    expect(next.body.events.map((e) => e.messageId)).toEqual(['r-5', 'r-4']);

    const latest = await api<Recent>('GET', '/api/events/recent?limit=2');
    expect(latest.body.events.map((e) => e.messageId)).toEqual(['r-5', 'r-4']);
    expect(latest.body.cursor).toBe(next.body.cursor);
    const all = await api<Recent>('GET', '/api/events/recent');
    expect(all.body.events.map((e) => e.messageId)).toEqual(['r-5', 'r-4', 'r-3', 'r-2', 'r-1']);
  });

  it('refuses a cursor it did not give, and a limit out of range', async () => {
    const forged = Buffer.from('seq:abc').toString('base64url');
    for (const after of ['nope', forged, '']) {
      const r = await api('GET', `/api/events/recent?after=${encodeURIComponent(after)}`);
      expect([r.status, r.body.error?.code], after).toEqual([400, 'request.invalid']);
      expect(r.body.error?.path).toBe('querystring.after');
    }
    for (const limit of ['0', '501']) {
      const r = await api('GET', `/api/events/recent?limit=${limit}`);
      expect([r.status, r.body.error?.code]).toEqual([400, 'request.invalid']);
    }
  });
});

describe('API keys and scopes', () => {
  it('lists the configured keys: a write key with its text, the admin key by prefix only', async () => {
    const r = await api<Keys>('GET', '/api/keys');
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      { id: expect.stringMatching(/^key_/), label: 'configured', scopes: ['track'], createdAt: T0, revokedAt: null, prefix: WRITE_KEY.slice(0, 7), key: WRITE_KEY },
      { id: expect.stringMatching(/^key_/), label: 'configured', scopes: ['read', 'manage'], createdAt: T0, revokedAt: null, prefix: ADMIN_KEY.slice(0, 7), key: null },
    ]);
  });

  it('creates a key, which works at once, and refuses it from the request after its revocation', async () => {
    const created = await api<Key>('POST', '/api/keys', { label: '  Reporting  ', scopes: ['read'] });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^rk_[\w-]{32}$/);
    expect(created.body).toMatchObject({ label: 'Reporting', scopes: ['read'], revokedAt: null, prefix: key.slice(0, 7) });
    // Only its hash is stored: the list never shows it again.
    const listed = (await api<Keys>('GET', '/api/keys')).body.items.find((k) => k.id === created.body.id);
    expect(listed).toMatchObject({ key: null, prefix: key.slice(0, 7) });

    expect((await api('GET', '/api/stats', undefined, key)).status).toBe(200);
    const post = await api('POST', '/api/segments', { name: 'x', definition: 'trait.plan = "pro"' }, key);
    expect([post.status, post.body.error?.code]).toEqual([403, 'auth.forbidden_scope']);
    expect(post.body.error?.message).toMatch(/manage scope/);
    expect((await api('POST', '/api/keys', { label: 'more', scopes: ['manage'] }, key)).status).toBe(403);

    clock.advance(MINUTE);
    const revoked = await api<Key>('DELETE', `/api/keys/${created.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: created.body.id, revokedAt: '2026-04-06T10:31:20.000Z', key: null });
    const refused = await api('GET', '/api/stats', undefined, key);
    expect([refused.status, refused.body.error?.code]).toEqual([401, 'auth.revoked_key']);
    expect(refused.body.error?.message).toContain('2026-04-06T10:31:20.000Z');
    // Revoking again changes nothing.
    expect((await api<Key>('DELETE', `/api/keys/${created.body.id}`)).body.revokedAt).toBe('2026-04-06T10:31:20.000Z');
  });

  it('makes write keys that send events only, shown in full, and revoked ones are refused by the tracking API', async () => {
    const created = await api<Key>('POST', '/api/keys', { label: 'Shop site', scopes: ['track'] });
    const key = created.body.key as string;
    expect(key).toMatch(/^wk_/);
    expect((await api<Keys>('GET', '/api/keys')).body.items.find((k) => k.id === created.body.id)?.key).toBe(key);

    await send([{ type: 'track', userId: 'w1', event: 'Hello', messageId: 'w-1' }], key);
    const onApi = await api('GET', '/api/stats', undefined, key);
    expect([onApi.status, onApi.body.error?.code]).toEqual([403, 'auth.forbidden_scope']);
    expect(onApi.body.error?.message).toMatch(/write key/);
    // The admin key is no write key.
    const adminOnV1 = await s.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic(ADMIN_KEY) }, payload: { userId: 'w1', event: 'E' } });
    expect([adminOnV1.statusCode, adminOnV1.json<ErrorBody>().error.code]).toEqual([401, 'auth.invalid_write_key']);

    await api('DELETE', `/api/keys/${created.body.id}`);
    const res = await s.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic(key) }, payload: { userId: 'w1', event: 'Again' } });
    expect([res.statusCode, res.json<ErrorBody>().error.code]).toEqual([401, 'auth.revoked_key']);
    expect((await api<{ events: number }>('GET', '/api/stats')).body.events).toBe(1);
  });

  it('adds read to manage, refuses track with another scope, and refuses to revoke the last manage key', async () => {
    const mixed = await api('POST', '/api/keys', { label: 'bad', scopes: ['track', 'read'] });
    expect([mixed.status, mixed.body.error?.code]).toEqual([400, 'keys.invalid_scopes']);
    for (const body of [{ label: '', scopes: ['read'] }, { label: 'x', scopes: [] }, { label: 'x', scopes: ['admin'] }, { label: 'x'.repeat(101), scopes: ['read'] }]) {
      const r = await api('POST', '/api/keys', body);
      expect([r.status, r.body.error?.code], JSON.stringify(body)).toEqual([400, 'request.invalid']);
    }

    const manager = await api<Key>('POST', '/api/keys', { label: 'Ops', scopes: ['manage'] });
    expect(manager.body.scopes).toEqual(['read', 'manage']);
    expect(manager.body.key).toMatch(/^ak_/);
    const seg = await api('POST', '/api/segments', { name: 'pros', definition: 'trait.plan = "pro"' }, manager.body.key as string);
    expect(seg.status).toBe(201);

    const adminId = (await api<Keys>('GET', '/api/keys')).body.items.find((k) => k.prefix === ADMIN_KEY.slice(0, 7))?.id as string;
    expect((await api('DELETE', `/api/keys/${manager.body.id}`)).status).toBe(200);
    const last = await api('DELETE', `/api/keys/${adminId}`);
    expect([last.status, last.body.error?.code]).toEqual([409, 'keys.last_admin']);
    expect((await api('GET', '/api/keys')).status).toBe(200);

    const unknown = await api('DELETE', '/api/keys/key_nope');
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'keys.not_found']);
  });
});

describe('after a restart', () => {
  it('keeps keys, their scopes and revocations, and continues the live stream after the last cursor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segmentum-dashboard-'));
    try {
      const db = join(dir, 'segmentum.duckdb');
      await s.close();
      s = await startTestSegmentum({ db }, clock);
      const write = (await api<Key>('POST', '/api/keys', { label: 'site', scopes: ['track'] })).body;
      const reader = (await api<Key>('POST', '/api/keys', { label: 'gone', scopes: ['read'] })).body;
      await api('DELETE', `/api/keys/${reader.id}`);
      await send([{ type: 'track', userId: 'p1', event: 'Before', messageId: 'p-1' }], write.key as string);
      const cursor = (await api<Recent>('GET', '/api/events/recent')).body.cursor;
      await s.close();

      s = await startTestSegmentum({ db }, clock);
      const keys = (await api<Keys>('GET', '/api/keys')).body.items;
      expect(keys.find((k) => k.id === write.id)).toEqual({ ...write, createdAt: T0 });
      expect(keys.find((k) => k.id === reader.id)?.revokedAt).toBe(T0);
      expect((await api('GET', '/api/stats', undefined, reader.key as string)).body.error?.code).toBe('auth.revoked_key');
      await send([{ type: 'track', userId: 'p1', event: 'After', messageId: 'p-2' }], write.key as string);
      const next = await api<Recent>('GET', `/api/events/recent?after=${encodeURIComponent(cursor)}`);
      expect(next.body.events.map((e) => e.messageId)).toEqual(['p-2']);
    } finally {
      await s.close();
      s = await startTestSegmentum({}, clock);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('GET /api/profiles/:id/events filters', () => {
  it('keeps one type or one event name, in SQL, and pages through the filtered timeline', async () => {
    const t0 = Date.parse(T0);
    const at = (i: number) => new Date(t0 - i * MINUTE).toISOString();
    await send([
      { type: 'identify', userId: 'f1', traits: { plan: 'pro' }, timestamp: at(1), messageId: 'f-1' },
      { type: 'track', userId: 'f1', event: 'A', timestamp: at(2), messageId: 'f-2' },
      { type: 'track', userId: 'f1', event: 'B', timestamp: at(3), messageId: 'f-3' },
      { type: 'track', userId: 'f1', event: 'A', timestamp: at(4), messageId: 'f-4' },
      { type: 'page', userId: 'f1', name: 'A', timestamp: at(5), messageId: 'f-5' },
    ]);
    const id = await profileIdOf('userId=f1');
    const ids = async (q: string) => {
      const r = await api<Timeline>('GET', `/api/profiles/${id}/events?${q}`);
      expect(r.status, r.text).toBe(200);
      return r.body.events.map((e) => e.messageId);
    };
    expect(await ids('')).toEqual(['f-1', 'f-2', 'f-3', 'f-4', 'f-5']);
    expect(await ids('type=track')).toEqual(['f-2', 'f-3', 'f-4']);
    expect(await ids('event=A')).toEqual(['f-2', 'f-4', 'f-5']);
    expect(await ids('type=track&event=A')).toEqual(['f-2', 'f-4']);
    expect(await ids('type=page')).toEqual(['f-5']);
    expect(await ids('type=group')).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r: { body: Timeline } = await api<Timeline>('GET', `/api/profiles/${id}/events?type=track&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.events.map((e) => e.messageId));
      cursor = r.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(['f-2', 'f-3', 'f-4']);

    const bad = await api('GET', `/api/profiles/${id}/events?type=click`);
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'request.invalid']);
  });
});

describe('GET /api/segments/:id/members search', () => {
  beforeEach(async () => {
    await send([
      { type: 'identify', userId: 'u-alice', traits: { email: 'Alice@Example.fr' }, messageId: 'm-1' },
      { type: 'track', userId: 'u-alice', event: 'Order Completed', messageId: 'm-2' },
      { type: 'track', userId: 'u-bob', event: 'Order Completed', messageId: 'm-3' },
      { type: 'track', anonymousId: 'anon-zed', event: 'Order Completed', messageId: 'm-4' },
    ]);
    expect((await api('POST', '/api/segments', { name: 'buyers', definition: 'count(event = "Order Completed") >= 1' })).status).toBe(201);
  });

  it('gives each member its userId, and finds members by userId, anonymousId, email or part of the profile id', async () => {
    const alice = await profileIdOf('userId=u-alice');
    const bob = await profileIdOf('userId=u-bob');
    const zed = await profileIdOf('anonymousId=anon-zed');
    const all = await api<Members>('GET', '/api/segments/buyers/members');
    expect(all.body.items).toEqual(
      [
        { profileId: alice, since: T0, userId: 'u-alice' },
        { profileId: bob, since: T0, userId: 'u-bob' },
        { profileId: zed, since: T0, userId: null },
      ].sort((a, b) => (a.profileId < b.profileId ? -1 : 1)),
    );

    const found = async (q: string) =>
      (await api<Members>('GET', `/api/segments/buyers/members?q=${encodeURIComponent(q)}`)).body.items.map((m) => m.profileId);
    expect(await found('u-alice')).toEqual([alice]);
    expect(await found('ALICE@example.fr')).toEqual([alice]);
    expect(await found('anon-zed')).toEqual([zed]);
    expect(await found(bob.slice(-10).toUpperCase())).toEqual([bob]);
    expect(await found('u-ali')).toEqual([]);
    expect(await found('nobody')).toEqual([]);
    expect((await api('GET', `/api/segments/buyers/members?q=${'x'.repeat(201)}`)).status).toBe(400);
  });

  it('pages with the cursor under a search, and exports the search as CSV with user ids', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r: { body: Members } = await api<Members>('GET', `/api/segments/buyers/members?q=PROF_&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...r.body.items.map((m) => m.profileId));
      cursor = r.body.nextCursor;
      if (!cursor) break;
    }
    expect(ids).toHaveLength(3);
    expect([...ids].sort()).toEqual(ids);

    const one = await api<Members>('GET', '/api/segments/buyers/members?q=u-bob&limit=1');
    expect(one.body.items).toHaveLength(1);
    const after = await api<Members>('GET', `/api/segments/buyers/members?q=u-bob&limit=1&cursor=${one.body.nextCursor}`);
    expect(after.body).toEqual({ items: [], nextCursor: null });

    const csv = await s.app.inject({ url: '/api/segments/buyers/members?format=csv', headers: { authorization: bearer(ADMIN_KEY) } });
    const lines = csv.body.trimEnd().split('\n');
    expect(lines[0]).toBe('profile_id,since,user_id');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(ids);
    expect(lines).toContain(`${await profileIdOf('userId=u-alice')},${T0},u-alice`);
    expect(lines).toContain(`${await profileIdOf('anonymousId=anon-zed')},${T0},`);
    const bobCsv = await s.app.inject({ url: '/api/segments/buyers/members?format=csv&q=u-bob', headers: { authorization: bearer(ADMIN_KEY) } });
    expect(bobCsv.body).toBe(`profile_id,since,user_id\n${await profileIdOf('userId=u-bob')},${T0},u-bob\n`);
  });
});
