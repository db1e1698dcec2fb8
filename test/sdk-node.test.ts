import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics } from '@segment/analytics-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { Segmentum } from '../src/main.js';
import { ProfileView, StatsView, TimelineView } from '../src/profiles/index.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

/**
 * The official server-side SDKs, unmodified, pointed at Segmentum over a real socket: what they send must be stored
 * once, field for field, and they must see no delivery error.
 */

type Obj = Record<string, unknown>;
type StoredEvent = TimelineView['events'][number];

let s: Segmentum | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A Segmentum on a free local port; `host` is the base URL an SDK is given. */
async function listening(): Promise<{ app: Segmentum['app']; host: string }> {
  s = await startTestSegmentum();
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const address = s.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  return { app: s.app, host: `http://127.0.0.1:${address.port}` };
}

async function adminGet(app: Segmentum['app'], url: string): Promise<unknown> {
  const res = await app.inject({ url, headers: { authorization: bearer(ADMIN_KEY) } });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
}

const profileOf = async (app: Segmentum['app'], query: string) => ProfileView.parse(await adminGet(app, `/api/profiles?${query}`));
const stats = async (app: Segmentum['app']) => StatsView.parse(await adminGet(app, '/api/stats'));

/** The profile's whole timeline, keyed by messageId (each id must appear once). */
async function eventsById(app: Segmentum['app'], profileId: string): Promise<Map<string, StoredEvent>> {
  const timeline = TimelineView.parse(await adminGet(app, `/api/profiles/${profileId}/events?limit=1000`));
  const byId = new Map<string, StoredEvent>();
  for (const e of timeline.events) {
    expect(byId.has(e.messageId), `messageId ${e.messageId} stored twice`).toBe(false);
    byId.set(e.messageId, e);
  }
  return byId;
}

function track(stored: Map<string, StoredEvent>): StoredEvent {
  const t = [...stored.values()].find((e) => e.type === 'track');
  if (!t) throw new Error('no track event stored');
  return t;
}

const sha256 = (v: string): string => createHash('sha256').update(v).digest('hex');
const identityKeys = (p: ProfileView): string[] => p.identities.map((i) => `${i.kind}:${i.value}`).sort();

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
function obj(v: unknown): Obj {
  if (!isObj(v)) throw new Error(`expected an object, got ${JSON.stringify(v)}`);
  return v;
}

/** A batch request body as @segment/analytics-node put it on the wire (read from its `http_request` event). */
interface SentBatch {
  sentAt: string;
  writeKey: string;
  batch: Obj[];
}
function parseSentBatch(body: string): SentBatch {
  const b = obj(JSON.parse(body));
  if (typeof b.sentAt !== 'string' || typeof b.writeKey !== 'string' || !Array.isArray(b.batch)) throw new Error(`unexpected batch body ${body}`);
  return { sentAt: b.sentAt, writeKey: b.writeKey, batch: b.batch.map(obj) };
}

/** Runs @segment/analytics-node against `host`, recording every request, response status and emitted error. */
function segmentClient(host: string, flushAt: number) {
  const analytics = new Analytics({
    writeKey: WRITE_KEY,
    host,
    path: '/v1/batch',
    flushAt,
    // Only flushAt and closeAndFlush send: a timer-driven flush would make the request count depend on speed.
    flushInterval: 60_000,
    // One attempt: a refused batch shows up as an error at once instead of after minutes of back-off.
    maxRetries: 0,
  });
  const errors: unknown[] = [];
  const requests: { headers: Record<string, string>; body: SentBatch }[] = [];
  const statuses: number[] = [];
  analytics.on('error', (e) => errors.push({ code: e.code, reason: String(e.reason) }));
  analytics.on('http_request', (r) => requests.push({ headers: r.headers, body: parseSentBatch(r.body) }));
  analytics.on('http_response', (r) => statuses.push(r.status));
  return { analytics, errors, requests, statuses };
}

const identifyTraits = {
  email: 'Jeanne.Martin@Example.fr',
  firstName: 'Jeanne',
  lastName: 'Martin',
  plan: 'pro',
  seats: 12,
  preferences: { newsletter: true, channels: ['email', 'sms'] },
};
const orderProperties = {
  orderId: 'ord-1001',
  revenue: 129.9,
  quantity: 3,
  discount: 0,
  currency: 'EUR',
  coupon: null,
  products: [
    { sku: 'SKU-1', price: 39.9, quantity: 2, tags: ['new'] },
    { sku: 'SKU-2', price: 50.1, quantity: 1, tags: [] },
  ],
  shipping: { method: 'colissimo', address: { city: 'Lyon', zip: '69003' }, express: false },
};
const groupTraits = { name: 'Acme SAS', industry: 'Retail', employees: 250, address: { city: 'Paris' } };

/** The six calls of the Segment spec, once each, for one person. */
function sendAllCalls(analytics: Analytics): void {
  analytics.identify({ userId: 'user-42', anonymousId: 'anon-42', traits: identifyTraits });
  analytics.track({
    userId: 'user-42',
    anonymousId: 'anon-42',
    event: 'Order Completed',
    properties: orderProperties,
    context: { locale: 'fr-FR', campaign: { name: 'spring', source: 'newsletter', medium: 'email' } },
    integrations: { All: true, Mixpanel: false },
  });
  analytics.page({ userId: 'user-42', category: 'Docs', name: 'Pricing', properties: { path: '/pricing', referrer: '' } });
  analytics.screen({ userId: 'user-42', name: 'Cart', properties: { items: 3, total: 129.9 } });
  analytics.group({ userId: 'user-42', groupId: 'acct-7', traits: groupTraits });
  analytics.alias({ userId: 'user-42', previousId: 'legacy-visitor-9' });
}

describe('@segment/analytics-node', () => {
  it('stores identify, track, page, screen, group and alias field for field, with no SDK error', async () => {
    const { app, host } = await listening();
    const { analytics, errors, requests, statuses } = segmentClient(host, 20);
    const before = Date.now();
    sendAllCalls(analytics);
    await analytics.closeAndFlush({ timeout: 10_000 });
    const after = Date.now();

    expect(errors).toEqual([]);
    expect(statuses).toEqual([200]);
    expect(requests).toHaveLength(1);
    const request = requests[0];
    if (!request) throw new Error('no request');
    // The SDK authenticates with Basic auth (write key as user name) and also puts the key in the body.
    expect(request.headers.Authorization).toBe(basic(WRITE_KEY));
    expect(request.body.writeKey).toBe(WRITE_KEY);
    const sent = request.body.batch;
    expect(sent.map((e) => e.type)).toEqual(['identify', 'track', 'page', 'screen', 'group', 'alias']);

    const profile = await profileOf(app, 'userId=user-42');
    expect(profile.events).toEqual({ total: 6, byType: { identify: 1, track: 1, page: 1, screen: 1, group: 1, alias: 1 } });
    expect(identityKeys(profile)).toEqual(
      [
        'anonymous_id:anon-42',
        // An alias's previousId the graph does not know as a user id is an anonymous id of the same person.
        'anonymous_id:legacy-visitor-9',
        `email:${sha256('jeanne.martin@example.fr')}`,
        'user_id:user-42',
      ].sort(),
    );
    expect((await profileOf(app, 'anonymousId=legacy-visitor-9')).id).toBe(profile.id);
    expect((await profileOf(app, 'email=jeanne.martin@example.fr')).id).toBe(profile.id);
    expect(profile.traits).toEqual({ plan: 'pro', seats: 12, preferences: { newsletter: true, channels: ['email', 'sms'] } });
    expect(profile.personal).toEqual({ email: 'Jeanne.Martin@Example.fr', firstName: 'Jeanne', lastName: 'Martin' });
    expect(profile.accounts.map((a) => ({ id: a.id, traits: a.traits }))).toEqual([{ id: 'acct-7', traits: groupTraits }]);

    const stored = await eventsById(app, profile.id);
    expect(stored.size).toBe(6);
    const expectedProperties: Record<string, Obj> = {
      identify: {},
      track: orderProperties,
      // analytics-node itself copies a page's category into its properties.
      page: { path: '/pricing', referrer: '', category: 'Docs' },
      screen: { items: 3, total: 129.9 },
      group: {},
      alias: {},
    };
    const expectedName: Record<string, string | null> = {
      identify: null,
      track: 'Order Completed',
      page: 'Pricing',
      screen: 'Cart',
      group: null,
      alias: null,
    };
    for (const e of sent) {
      const type = String(e.type);
      const messageId = String(e.messageId);
      // The SDK's own id, not one the server made up.
      expect(messageId).toMatch(/^node-next-\d+-[0-9a-f-]{36}$/);
      const got = stored.get(messageId);
      if (!got) throw new Error(`${type} ${messageId} was not stored`);
      expect(got.messageIdGenerated).toBe(false);
      expect(got.type).toBe(type);
      expect(got.event).toBe(expectedName[type]);
      expect(got.userId).toBe('user-42');
      expect(got.anonymousId).toBe(type === 'identify' || type === 'track' ? 'anon-42' : null);
      expect(got.groupId).toBe(type === 'group' ? 'acct-7' : null);
      expect(got.properties).toEqual(expectedProperties[type]);
      expect(got.properties).toEqual(type === 'track' || type === 'page' || type === 'screen' ? e.properties : {});
      // What the SDK put in context (library, locale, campaign) is kept; the server adds only the client's ip.
      expect(got.context).toEqual({ ...obj(e.context), ip: '127.0.0.1' });
      expect(obj(got.context.library).name).toBe('@segment/analytics-node');
      expect(got.integrations).toEqual(e.integrations);
      // Fields outside the spec (the SDK's _metadata) are kept, not dropped.
      expect(got.extra).toEqual({ _metadata: e._metadata });
      expect(obj(got.extra._metadata).jsRuntime).toBe('node');

      // The SDK's `timestamp` is the client's time of the call; `sentAt` the batch's.
      expect(got.originalTimestamp).toBe(new Date(String(e.timestamp)).toISOString());
      expect(got.sentAt).toBe(new Date(request.body.sentAt).toISOString());
      for (const t of [got.timestamp, got.receivedAt]) {
        expect(Date.parse(t)).toBeGreaterThanOrEqual(before);
        expect(Date.parse(t)).toBeLessThanOrEqual(after);
      }
      expect(Date.parse(got.timestamp)).toBeLessThanOrEqual(Date.parse(got.receivedAt));
    }
    const identify = [...stored.values()].find((e) => e.type === 'identify');
    const group = [...stored.values()].find((e) => e.type === 'group');
    // Personal traits live in the vault only: never in the event row.
    expect(identify?.traits).toEqual({ plan: 'pro', seats: 12, preferences: { newsletter: true, channels: ['email', 'sms'] } });
    // A company's name and address are not a person's data: they stay on the group event.
    expect(group?.traits).toEqual(groupTraits);
    expect(track(stored).context).toMatchObject({ locale: 'fr-FR', campaign: { name: 'spring', source: 'newsletter', medium: 'email' } });
    expect(track(stored).integrations).toEqual({ All: true, Mixpanel: false });
  });

  it.each([
    { flushAt: 1, requests: 6 },
    { flushAt: 20, requests: 1 },
  ])('stores every event exactly once with flushAt $flushAt ($requests request(s))', async ({ flushAt, requests: expectedRequests }) => {
    const { app, host } = await listening();
    const { analytics, errors, requests, statuses } = segmentClient(host, flushAt);
    sendAllCalls(analytics);
    await analytics.closeAndFlush({ timeout: 10_000 });

    expect(errors).toEqual([]);
    expect(requests).toHaveLength(expectedRequests);
    expect(statuses).toEqual(Array.from({ length: expectedRequests }, () => 200));
    const sentIds = requests.flatMap((r) => r.body.batch.map((e) => String(e.messageId))).sort();
    expect(sentIds).toHaveLength(6);
    expect(new Set(sentIds).size).toBe(6);

    const profile = await profileOf(app, 'userId=user-42');
    expect([...(await eventsById(app, profile.id)).keys()].sort()).toEqual(sentIds);
    expect(await stats(app)).toMatchObject({ profiles: 1, events: 6, duplicates: 0, quarantined: 0, accounts: 1 });
  });

  it('stores a batch once when the SDK resends it because the first answer was lost', async () => {
    const { app, host } = await listening();
    let calls = 0;
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host,
      flushAt: 20,
      flushInterval: 60_000,
      maxRetries: 1,
      // The first request reaches the server and is stored, but its answer is lost on the way back (a proxy's 503):
      // the SDK must retry, and the server must take the same messageIds as duplicates.
      httpClient: async (url, init) => {
        const res = await fetch(url, init);
        if (++calls > 1) return res;
        await res.text();
        return new Response('', { status: 503, statusText: 'Service Unavailable' });
      },
    });
    const errors: unknown[] = [];
    const retryHeaders: (string | undefined)[] = [];
    analytics.on('error', (e) => errors.push({ code: e.code, reason: String(e.reason) }));
    analytics.on('http_request', (r) => retryHeaders.push(r.headers['X-Retry-Count']));
    sendAllCalls(analytics);
    await analytics.closeAndFlush({ timeout: 10_000 });

    expect(errors).toEqual([]);
    expect(retryHeaders).toEqual([undefined, '1']);
    expect(await stats(app)).toMatchObject({ events: 6, duplicates: 6, quarantined: 0 });
    const profile = await profileOf(app, 'userId=user-42');
    expect(profile.events.total).toBe(6);
    expect((await eventsById(app, profile.id)).size).toBe(6);
  });
});

describe('@rudderstack/rudder-sdk-node', () => {
  it.each([{ gzip: true }, { gzip: false }])('stores identify and track (gzip: $gzip) with no SDK error', async ({ gzip }) => {
    const { app, host } = await listening();
    const errors: unknown[] = [];
    const client = new RudderAnalytics(WRITE_KEY, {
      dataPlaneUrl: host,
      flushAt: 20,
      flushInterval: 60_000,
      gzip,
      retryCount: 0,
      logLevel: 'error',
      errorHandler: (e: unknown) => errors.push(String(e)),
    });
    const before = Date.now();
    client.identify({ userId: 'rs-user-1', anonymousId: 'rs-anon-1', traits: { email: 'Paul@Example.com', firstName: 'Paul', plan: 'team' } });
    client.track({
      userId: 'rs-user-1',
      event: 'Trial Started',
      properties: { trialDays: 14, source: { medium: 'cpc', terms: ['cdp', 'segments'] }, price: 0.5 },
    });
    // The first call is sent at once on its own; flush sends the rest after it.
    await client.flush();
    const after = Date.now();

    expect(errors).toEqual([]);
    const profile = await profileOf(app, 'userId=rs-user-1');
    expect(profile.events).toEqual({ total: 2, byType: { identify: 1, track: 1 } });
    expect(identityKeys(profile)).toEqual(['anonymous_id:rs-anon-1', `email:${sha256('paul@example.com')}`, 'user_id:rs-user-1'].sort());
    expect(profile.traits).toEqual({ plan: 'team' });
    expect(profile.personal).toEqual({ email: 'Paul@Example.com', firstName: 'Paul' });
    expect(await stats(app)).toMatchObject({ events: 2, duplicates: 0, quarantined: 0 });

    const stored = [...(await eventsById(app, profile.id)).values()];
    const identify = stored.find((e) => e.type === 'identify');
    const tracked = stored.find((e) => e.type === 'track');
    if (!identify || !tracked) throw new Error('identify or track was not stored');
    expect(tracked.event).toBe('Trial Started');
    expect(tracked.properties).toEqual({ trialDays: 14, source: { medium: 'cpc', terms: ['cdp', 'segments'] }, price: 0.5 });
    expect(tracked.userId).toBe('rs-user-1');
    expect(tracked.anonymousId).toBeNull();
    expect(identify.userId).toBe('rs-user-1');
    expect(identify.anonymousId).toBe('rs-anon-1');
    expect(identify.traits).toEqual({ plan: 'team' });
    // rudder-sdk-node copies identify traits into context.traits: the personal ones must not stay there either.
    expect(identify.context.traits).toEqual({ plan: 'team' });
    for (const e of [identify, tracked]) {
      // rudder-sdk-node makes a v4 UUID messageId.
      expect(e.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(e.messageIdGenerated).toBe(false);
      expect(obj(e.context.library)).toEqual({ name: 'analytics-node', version: expect.any(String) });
      expect(e.context.ip).toBe('127.0.0.1');
      // Fields outside the Segment spec are kept.
      expect(e.extra).toMatchObject({ channel: 'server', _metadata: { nodeVersion: process.versions.node } });
      for (const t of [e.timestamp, e.receivedAt, e.originalTimestamp, e.sentAt]) {
        expect(t).not.toBeNull();
        expect(Date.parse(String(t))).toBeGreaterThanOrEqual(before);
        expect(Date.parse(String(t))).toBeLessThanOrEqual(after);
      }
    }
  });
});

describe('gzip request bodies', () => {
  it('stores a batch sent with Content-Encoding: gzip', async () => {
    const { app, host } = await listening();
    const body = {
      batch: [
        { type: 'identify', userId: 'gz-1', messageId: 'gz-m1', traits: { plan: 'basic', email: 'gz@example.org' } },
        { type: 'track', userId: 'gz-1', messageId: 'gz-m2', event: 'Compressed', properties: { bytes: 1234, nested: { ok: true } } },
      ],
    };
    const res = await fetch(`${host}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(body)),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, received: 2, accepted: 2, duplicates: 0, rejected: [], generatedMessageIds: [] });

    const profile = await profileOf(app, 'userId=gz-1');
    expect(profile.traits).toEqual({ plan: 'basic' });
    expect(profile.personal).toEqual({ email: 'gz@example.org' });
    const stored = await eventsById(app, profile.id);
    expect(stored.get('gz-m2')).toMatchObject({ type: 'track', event: 'Compressed', properties: { bytes: 1234, nested: { ok: true } } });
    expect(stored.get('gz-m1')).toMatchObject({ type: 'identify', traits: { plan: 'basic' } });
  });

  it('refuses a body that says gzip but is not, and stores nothing', async () => {
    const { app, host } = await listening();
    const res = await fetch(`${host}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: JSON.stringify({ batch: [{ type: 'track', userId: 'x', event: 'Plain' }] }),
    });
    expect(res.status).toBe(400);
    const error = obj(obj(await res.json()).error);
    expect(typeof error.code).toBe('string');
    expect(await stats(app)).toMatchObject({ events: 0, profiles: 0 });
  });
});
