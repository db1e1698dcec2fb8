import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../src/config/index.js';
import { ManualClock } from '../src/kernel/index.js';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

/** Response shapes the SDKs and operators rely on, written out so a renamed field fails here. */
interface Rejected {
  index: number;
  messageId: string | null;
  code: string;
  message: string;
  path: string | null;
  quarantineId: string;
}
interface TrackingBody {
  ok: boolean;
  received: number;
  accepted: number;
  duplicates: number;
  rejected: Rejected[];
  generatedMessageIds: { index: number; messageId: string }[];
}
interface ErrorBody {
  error: { code: string; message: string; hint: string; path?: string; quarantineId?: string };
}
interface QuarantineItem {
  id: string;
  receivedAt: string;
  sourceId: string;
  code: string;
  message: string;
  path: string | null;
  messageId: string | null;
  raw: string;
  status: 'pending' | 'replayed';
  replayCount: number;
  lastReplayAt: string | null;
}
interface ReplayBody {
  replayed: number;
  stillRejected: number;
  duplicates: number;
  results: { id: string; outcome: 'accepted' | 'duplicate' | 'rejected'; code?: string; message?: string }[];
}
interface StoredEvent {
  messageId: string;
  sourceId: string;
  type: string;
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  groupId: string | null;
  timestamp: string;
  originalTimestamp: string | null;
  sentAt: string | null;
  receivedAt: string;
  messageIdGenerated: boolean;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  integrations: Record<string, unknown>;
  extra: Record<string, unknown>;
}
interface Stats {
  profiles: number;
  events: number;
  quarantined: number;
  duplicates: number;
  accounts: number;
}

type Headers = Record<string, string>;

const opened: Segmentum[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function start(overrides: ConfigInput = {}, clock?: ManualClock): Promise<Segmentum> {
  const s = await startTestSegmentum(overrides, clock);
  opened.push(s);
  return s;
}

const writeAuth: Headers = { authorization: basic(WRITE_KEY), 'content-type': 'application/json' };

function post(s: Segmentum, url: string, payload: unknown, headers: Headers = writeAuth) {
  return s.app.inject({
    method: 'POST',
    url,
    headers,
    payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
  });
}

async function adminGet<T>(s: Segmentum, url: string): Promise<T> {
  const res = await s.app.inject({ url, headers: { authorization: bearer(ADMIN_KEY) } });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json<T>();
}

async function adminPost<T>(s: Segmentum, url: string, payload: unknown): Promise<T> {
  const res = await s.app.inject({ method: 'POST', url, headers: { authorization: bearer(ADMIN_KEY) }, payload: payload as object });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json<T>();
}

/** The stored events of the profile holding this userId (the timeline's order: newest first, ties by messageId). */
async function eventsOfUser(s: Segmentum, userId: string): Promise<StoredEvent[]> {
  const profile = await adminGet<{ id: string }>(s, `/api/profiles?userId=${encodeURIComponent(userId)}`);
  const timeline = await adminGet<{ events: StoredEvent[] }>(s, `/api/profiles/${profile.id}/events?limit=1000`);
  return timeline.events;
}

async function eventsById(s: Segmentum, userId: string): Promise<Map<string, StoredEvent>> {
  return new Map((await eventsOfUser(s, userId)).map((e) => [e.messageId, e]));
}

async function storedIds(s: Segmentum, userId: string): Promise<string[]> {
  return (await eventsOfUser(s, userId)).map((e) => e.messageId).sort();
}

const stats = (s: Segmentum): Promise<Stats> => adminGet<Stats>(s, '/api/stats');
const quarantined = (s: Segmentum, id: string): Promise<QuarantineItem> => adminGet<QuarantineItem>(s, `/api/quarantine/${id}`);

const track = (userId: string, messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Order Completed',
  userId,
  messageId,
  ...extra,
});

describe('write key', () => {
  const styles: [string, (body: Record<string, unknown>) => { url: string; headers: Headers; body: Record<string, unknown> }][] = [
    ['Basic auth with a colon', (body) => ({ url: '/v1/track', headers: { authorization: basic(WRITE_KEY) }, body })],
    [
      'Basic auth without a colon',
      (body) => ({ url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(WRITE_KEY).toString('base64')}` }, body }),
    ],
    ['X-Write-Key header', (body) => ({ url: '/v1/track', headers: { 'x-write-key': WRITE_KEY }, body })],
    ['?writeKey= query', (body) => ({ url: `/v1/track?writeKey=${WRITE_KEY}`, headers: {}, body })],
    ['writeKey in the body', (body) => ({ url: '/v1/track', headers: {}, body: { ...body, writeKey: WRITE_KEY } })],
  ];

  it.each(styles)('is accepted as %s', async (_name, build) => {
    const s = await start();
    const req = build(track('u-auth', 'm-auth'));
    const res = await post(s, req.url, req.body, { ...req.headers, 'content-type': 'application/json' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<TrackingBody>()).toMatchObject({ ok: true, received: 1, accepted: 1 });
    const [stored] = await eventsOfUser(s, 'u-auth');
    expect(stored?.messageId).toBe('m-auth');
  });

  it('is read from the top of a batch body and from its first event', async () => {
    const s = await start();
    const top = await post(s, '/v1/batch', { writeKey: WRITE_KEY, batch: [track('u1', 'm1')] }, { 'content-type': 'application/json' });
    expect(top.statusCode, top.body).toBe(200);
    const first = await post(s, '/v1/batch', { batch: [{ ...track('u1', 'm2'), writeKey: WRITE_KEY }] }, { 'content-type': 'application/json' });
    expect(first.statusCode, first.body).toBe(200);
    expect((await stats(s)).events).toBe(2);
  });

  it('refuses an unknown key with 401 auth.invalid_write_key and stores nothing', async () => {
    const s = await start();
    const wrong: Headers[] = [{ authorization: basic('not-the-key') }, { 'x-write-key': 'not-the-key' }];
    for (const headers of wrong) {
      const res = await post(s, '/v1/track', track('u1', 'm1'), { ...headers, 'content-type': 'application/json' });
      expect(res.statusCode).toBe(401);
      expect(res.json<ErrorBody>().error).toMatchObject({ code: 'auth.invalid_write_key', hint: expect.any(String) });
    }
    expect(await stats(s)).toMatchObject({ events: 0, quarantined: 0 });
  });

  it('refuses a request without any key with 401 auth.missing_write_key', async () => {
    const s = await start();
    const res = await post(s, '/v1/batch', { batch: [track('u1', 'm1')] }, { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(401);
    expect(res.json<ErrorBody>().error.code).toBe('auth.missing_write_key');
    expect((await stats(s)).events).toBe(0);
  });

  it('refuses the admin key as a write key with 401', async () => {
    const s = await start();
    const res = await post(s, '/v1/track', track('u1', 'm1'), { authorization: basic(ADMIN_KEY), 'content-type': 'application/json' });
    expect(res.statusCode).toBe(401);
    expect(res.json<ErrorBody>().error.code).toBe('auth.invalid_write_key');
    expect((await stats(s)).events).toBe(0);
  });

  it('cannot read or manage data through /api (403 auth.forbidden_scope)', async () => {
    const s = await start();
    for (const [method, url] of [
      ['GET', '/api/stats'],
      ['GET', '/api/quarantine'],
      ['POST', '/api/quarantine/replay'],
    ] as const) {
      const res = await s.app.inject({ method, url, headers: { authorization: bearer(WRITE_KEY) }, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, url).toBe(403);
      expect(res.json<ErrorBody>().error.code).toBe('auth.forbidden_scope');
    }
  });
});

describe('request bodies', () => {
  it('reads JSON sent as application/json, with a charset, and as text/plain (analytics.js)', async () => {
    const s = await start();
    const types = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'text/plain;charset=UTF-8'];
    for (const [i, contentType] of types.entries()) {
      const res = await post(s, '/v1/batch', { batch: [track('u-ct', `m-ct-${i}`)] }, { authorization: basic(WRITE_KEY), 'content-type': contentType });
      expect(res.statusCode, `${contentType}: ${res.body}`).toBe(200);
      expect(res.json<TrackingBody>().accepted).toBe(1);
    }
    expect(await storedIds(s, 'u-ct')).toEqual(types.map((_t, i) => `m-ct-${i}`).sort());
  });

  it('reads a gzip body sent with Content-Encoding: gzip (any case, or x-gzip)', async () => {
    const s = await start();
    const encodings = ['gzip', 'GZIP', 'x-gzip'];
    for (const [i, encoding] of encodings.entries()) {
      const body = gzipSync(JSON.stringify({ batch: [track('u-gz', `m-gz-${i}-a`), track('u-gz', `m-gz-${i}-b`)] }));
      const res = await post(s, '/v1/batch', body, { ...writeAuth, 'content-encoding': encoding });
      expect(res.statusCode, `${encoding}: ${res.body}`).toBe(200);
      expect(res.json<TrackingBody>()).toMatchObject({ received: 2, accepted: 2 });
    }
    expect(await storedIds(s, 'u-gz')).toEqual(encodings.flatMap((_e, i) => [`m-gz-${i}-a`, `m-gz-${i}-b`]).sort());
  });

  it('answers 400 request.bad_encoding for a body that is not gzip and for an unknown encoding', async () => {
    const s = await start();
    const notGzip = await post(s, '/v1/batch', JSON.stringify({ batch: [track('u', 'm')] }), { ...writeAuth, 'content-encoding': 'gzip' });
    expect(notGzip.statusCode).toBe(400);
    expect(notGzip.json<ErrorBody>().error.code).toBe('request.bad_encoding');
    const brotli = await post(s, '/v1/batch', { batch: [track('u', 'm')] }, { ...writeAuth, 'content-encoding': 'br' });
    expect(brotli.statusCode).toBe(400);
    expect(brotli.json<ErrorBody>().error.code).toBe('request.bad_encoding');
    expect((await stats(s)).events).toBe(0);
  });

  it('answers a CORS preflight from any origin, and tracking responses carry the CORS header', async () => {
    const s = await start();
    const pre = await s.app.inject({
      method: 'OPTIONS',
      url: '/v1/batch',
      headers: {
        origin: 'https://shop.example.fr',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(pre.statusCode).toBeLessThan(300);
    expect(pre.headers['access-control-allow-origin']).toBe('https://shop.example.fr');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(pre.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    const res = await post(s, '/v1/t', track('u', 'm'), { ...writeAuth, origin: 'https://shop.example.fr' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.fr');
  });
});

describe('normalisation', () => {
  it('applies the batch context, integrations and sentAt to each event, the event’s own values winning', async () => {
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    const s = await start({}, clock);
    const res = await post(s, '/v1/batch', {
      context: { locale: 'fr-FR', library: { name: 'analytics-node', version: '3.0.0' } },
      integrations: { All: false, Mixpanel: true },
      sentAt: '2026-03-01T11:00:10.000Z',
      batch: [
        track('u-env', 'm-env-1', { timestamp: '2026-03-01T11:00:00.000Z' }),
        track('u-env', 'm-env-2', {
          timestamp: '2026-03-01T11:00:00.000Z',
          sentAt: '2026-03-01T11:00:30.000Z',
          context: { locale: 'en-GB', page: { path: '/cart' } },
          integrations: { Mixpanel: false },
        }),
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const byId = await eventsById(s, 'u-env');
    const a = byId.get('m-env-1');
    const b = byId.get('m-env-2');
    expect(a?.context).toMatchObject({ locale: 'fr-FR', library: { name: 'analytics-node', version: '3.0.0' } });
    expect(a?.integrations).toEqual({ All: false, Mixpanel: true });
    expect(a?.sentAt).toBe('2026-03-01T11:00:10.000Z');
    expect(b?.context).toMatchObject({ locale: 'en-GB', page: { path: '/cart' }, library: { name: 'analytics-node' } });
    expect(b?.integrations).toEqual({ All: false, Mixpanel: false });
    expect(b?.sentAt).toBe('2026-03-01T11:00:30.000Z');
  });

  it('sets receivedAt and context.ip on the server, keeping an ip the client gave', async () => {
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    const s = await start({}, clock);
    const res = await s.app.inject({
      method: 'POST',
      url: '/v1/batch',
      remoteAddress: '203.0.113.7',
      headers: writeAuth,
      payload: JSON.stringify({ batch: [track('u-ip', 'm-ip-1'), track('u-ip', 'm-ip-2', { context: { ip: '198.51.100.1' } })] }),
    });
    expect(res.statusCode, res.body).toBe(200);
    const byId = await eventsById(s, 'u-ip');
    const a = byId.get('m-ip-1');
    const b = byId.get('m-ip-2');
    expect(a?.receivedAt).toBe('2026-03-01T12:00:00.000Z');
    expect(a?.context.ip).toBe('203.0.113.7');
    expect(b?.context.ip).toBe('198.51.100.1');
  });

  it('fills a missing messageId, lists it in generatedMessageIds and marks the stored event', async () => {
    const s = await start();
    const { messageId: _omit, ...noId } = track('u-gen', 'x');
    const res = await post(s, '/v1/batch', { batch: [track('u-gen', 'given-1'), noId, { ...noId, messageId: '' }] });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<TrackingBody>();
    expect(body.accepted).toBe(3);
    expect(body.generatedMessageIds.map((g) => g.index)).toEqual([1, 2]);
    const [g1, g2] = body.generatedMessageIds.map((g) => g.messageId);
    expect(g1).toBeTruthy();
    expect(g1).not.toBe(g2);
    const byId = await eventsById(s, 'u-gen');
    expect(byId.size).toBe(3);
    expect(byId.get('given-1')?.messageIdGenerated).toBe(false);
    expect(byId.get(g1 ?? '')?.messageIdGenerated).toBe(true);
    expect(byId.get(g2 ?? '')?.messageIdGenerated).toBe(true);
  });

  it('corrects the client clock skew exactly: timestamp = receivedAt - (sentAt - originalTimestamp)', async () => {
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    const s = await start({}, clock);
    // The device clock is 1 h behind; the event happened 5 s before the SDK sent it.
    const res = await post(s, '/v1/batch', {
      sentAt: '2026-03-01T11:00:05.000Z',
      batch: [
        track('u-skew', 'm-skew-1', { originalTimestamp: '2026-03-01T11:00:00.000Z' }),
        track('u-skew', 'm-skew-2', { timestamp: '2026-03-01T11:00:02.500Z' }),
        track('u-skew', 'm-skew-3', { timestamp: '2026-03-01T11:00:02.500Z', sentAt: null }),
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const byId = await eventsById(s, 'u-skew');
    expect(byId.get('m-skew-1')?.timestamp).toBe('2026-03-01T11:59:55.000Z');
    expect(byId.get('m-skew-1')?.originalTimestamp).toBe('2026-03-01T11:00:00.000Z');
    expect(byId.get('m-skew-2')?.timestamp).toBe('2026-03-01T11:59:57.500Z');
    // An explicit null sentAt on the event: nothing to correct with, the client time is kept.
    expect(byId.get('m-skew-3')?.timestamp).toBe('2026-03-01T11:00:02.500Z');
  });

  it('keeps the client timestamp when no sentAt is given, and receivedAt when there is no timestamp', async () => {
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    const s = await start({}, clock);
    await post(s, '/v1/t', track('u-ts', 'm-ts-1', { timestamp: '2026-02-28T08:00:00.000Z' }));
    await post(s, '/v1/t', track('u-ts', 'm-ts-2'));
    const byId = await eventsById(s, 'u-ts');
    expect(byId.get('m-ts-1')?.timestamp).toBe('2026-02-28T08:00:00.000Z');
    expect(byId.get('m-ts-2')?.timestamp).toBe('2026-03-01T12:00:00.000Z');
  });
});

describe('paths', () => {
  const calls: [string, string, Record<string, unknown>][] = [
    ['identify', 'i', { traits: { plan: 'gold' } }],
    ['track', 't', { event: 'Viewed' }],
    ['page', 'p', { name: 'Home' }],
    ['screen', 's', { name: 'Main' }],
    ['group', 'g', { groupId: 'acme' }],
    ['alias', 'a', { previousId: 'old-id' }],
  ];

  it.each(calls)('stores a %s sent to the long and the short path, the type taken from the path', async (type, short, fields) => {
    const s = await start();
    for (const url of [`/v1/${type}`, `/v1/${short}`]) {
      const res = await post(s, url, { userId: 'u-path', messageId: url, ...fields });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      expect(res.json<TrackingBody>()).toMatchObject({ ok: true, accepted: 1 });
    }
    const byId = await eventsById(s, 'u-path');
    expect(byId.get(`/v1/${type}`)?.type).toBe(type);
    expect(byId.get(`/v1/${short}`)?.type).toBe(type);
  });

  it('takes batches on /v1/batch, /v1/b and /b', async () => {
    const s = await start();
    for (const url of ['/v1/batch', '/v1/b', '/b']) {
      const res = await post(s, url, { batch: [track('u-b', url)] });
      expect(res.statusCode, url).toBe(200);
    }
    expect(await storedIds(s, 'u-b')).toEqual(['/v1/batch', '/v1/b', '/b'].sort());
  });

  it('answers 400 with the event’s code for a refused single event', async () => {
    const s = await start();
    const res = await post(s, '/v1/track', { event: 'x', messageId: 'm-noid' });
    expect(res.statusCode).toBe(400);
    const { error } = res.json<ErrorBody>();
    expect(error).toMatchObject({ code: 'event.missing_identity', path: 'userId', hint: expect.any(String) });
    expect((await quarantined(s, error.quarantineId ?? '')).code).toBe('event.missing_identity');
  });

  it('serves the settings analytics.js loads, for a known write key only', async () => {
    const s = await start();
    const res = await s.app.inject({ url: `/v1/projects/${WRITE_KEY}/settings` });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ integrations: Record<string, { apiKey: string; apiHost: string }> }>();
    expect(body.integrations['Segment.io']?.apiKey).toBe(WRITE_KEY);
    expect(body.integrations['Segment.io']?.apiHost).toMatch(/\/v1$/);
    const unknown = await s.app.inject({ url: '/v1/projects/not-a-key/settings' });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json<ErrorBody>().error.code).toBe('auth.invalid_write_key');
  });
});

describe('pixel', () => {
  const GIF_MAGIC = 'GIF89a';

  it('records a track event from base64 data and answers a GIF', async () => {
    const s = await start();
    const data = Buffer.from(JSON.stringify({ userId: 'u-px', event: 'Email Opened', messageId: 'm-px-1', properties: { campaign: 'c1' } })).toString('base64');
    const res = await s.app.inject({ url: `/v1/pixel/track?writeKey=${WRITE_KEY}&data=${encodeURIComponent(data)}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('image/gif');
    expect(res.rawPayload.subarray(0, 6).toString('latin1')).toBe(GIF_MAGIC);
    expect(res.headers['x-segmentum-error']).toBeUndefined();
    const [stored] = await eventsOfUser(s, 'u-px');
    expect(stored).toMatchObject({ type: 'track', event: 'Email Opened', messageId: 'm-px-1', properties: { campaign: 'c1' } });
  });

  it('records a page event from base64url data without padding', async () => {
    const s = await start();
    // '???>>>' makes base64 use '/' and '+', so base64url has '_' and '-' to translate back.
    const event = { userId: 'u-px', name: 'Landing', messageId: 'm-px-2', properties: { q: '???>>>', url: 'https://example.fr/?a=1' } };
    const data = Buffer.from(JSON.stringify(event)).toString('base64url');
    expect(data).toMatch(/[-_]/);
    expect(data).not.toContain('=');
    const res = await s.app.inject({ url: `/v1/pixel/page?writeKey=${WRITE_KEY}&data=${data}` });
    expect(res.statusCode, res.headers['x-segmentum-error'] as string | undefined).toBe(200);
    expect(res.headers['content-type']).toContain('image/gif');
    const [stored] = await eventsOfUser(s, 'u-px');
    expect(stored).toMatchObject({ type: 'page', event: 'Landing', messageId: 'm-px-2', properties: { q: '???>>>' } });
  });

  it('answers a GIF with the status and X-Segmentum-Error of a failure', async () => {
    const s = await start();
    const ok = Buffer.from(JSON.stringify({ userId: 'u', event: 'e' })).toString('base64');
    const badKey = await s.app.inject({ url: `/v1/pixel/track?writeKey=nope-nope&data=${encodeURIComponent(ok)}` });
    expect(badKey.statusCode).toBe(401);
    expect(badKey.headers['content-type']).toContain('image/gif');
    expect(badKey.headers['x-segmentum-error']).toBe('auth.invalid_write_key');

    const noIdentity = Buffer.from(JSON.stringify({ event: 'e' })).toString('base64');
    const refused = await s.app.inject({ url: `/v1/pixel/track?writeKey=${WRITE_KEY}&data=${encodeURIComponent(noIdentity)}` });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toContain('image/gif');
    expect(refused.headers['x-segmentum-error']).toBe('event.missing_identity');

    const garbage = await s.app.inject({ url: `/v1/pixel/track?writeKey=${WRITE_KEY}&data=${Buffer.from('{nope').toString('base64')}` });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.headers['x-segmentum-error']).toBe('request.malformed_json');
  });
});

describe('limits', () => {
  it('answers 413 request.body_too_large for a body over 500 KB, and for a gzip body that inflates past it', async () => {
    const s = await start();
    const big = JSON.stringify({ batch: [track('u', 'm', { properties: { pad: 'x'.repeat(510 * 1024) } })] });
    const res = await post(s, '/v1/batch', big);
    expect(res.statusCode).toBe(413);
    expect(res.json<ErrorBody>().error.code).toBe('request.body_too_large');
    const bomb = gzipSync(big);
    expect(bomb.length).toBeLessThan(10 * 1024);
    const zipped = await post(s, '/v1/batch', bomb, { ...writeAuth, 'content-encoding': 'gzip' });
    expect(zipped.statusCode).toBe(413);
    expect(zipped.json<ErrorBody>().error.code).toBe('request.body_too_large');
    expect((await stats(s)).events).toBe(0);
  });

  it('honours a configured body limit', async () => {
    const s = await start({ limits: { maxBatchBytes: 2000 } });
    const small = await post(s, '/v1/batch', { batch: [track('u', 'm1')] });
    expect(small.statusCode).toBe(200);
    const big = await post(s, '/v1/batch', { batch: [track('u', 'm2', { properties: { pad: 'x'.repeat(2000) } })] });
    expect(big.statusCode).toBe(413);
    expect(big.json<ErrorBody>().error.code).toBe('request.body_too_large');
  });

  it('answers 413 request.too_many_events past 2,500 events and keeps the body in quarantine', async () => {
    const s = await start();
    const batch = Array.from({ length: 2501 }, (_v, i) => ({ type: 'track', event: 'e', userId: 'u', messageId: `m${i}` }));
    const res = await post(s, '/v1/batch', { batch });
    expect(res.statusCode).toBe(413);
    const { error } = res.json<ErrorBody>();
    expect(error.code).toBe('request.too_many_events');
    expect((await quarantined(s, error.quarantineId ?? '')).code).toBe('request.too_many_events');
    expect((await stats(s)).events).toBe(0);
    const atLimit = await post(s, '/v1/batch', { batch: batch.slice(0, 2500) });
    expect(atLimit.statusCode).toBe(200);
    expect(atLimit.json<TrackingBody>().accepted).toBe(2500);
  });

  it('honours a configured event count limit', async () => {
    const s = await start({ limits: { maxBatchEvents: 10 } });
    const batch = Array.from({ length: 11 }, (_v, i) => track('u', `m${i}`));
    expect((await post(s, '/v1/batch', { batch })).statusCode).toBe(413);
    expect((await post(s, '/v1/batch', { batch: batch.slice(1) })).statusCode).toBe(200);
  });

  it('refuses each bad event with its own code, keeps the good ones, and quarantines each raw', async () => {
    const s = await start();
    const nest = (levels: number): Record<string, unknown> => {
      let v: Record<string, unknown> = { leaf: 1 };
      for (let i = 1; i < levels; i++) v = { n: v };
      return v;
    };
    const manyKeys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_v, i) => [`k${i}`, i]));
    // track() gives 5 top-level keys; properties add theirs.
    const cases: { event: Record<string, unknown> | string; code: string | null; messageId: string }[] = [
      { event: track('u-lim', 'ok-1'), code: null, messageId: 'ok-1' },
      { event: track('u-lim', 'big', { properties: { pad: 'x'.repeat(40 * 1024) } }), code: 'event.too_large', messageId: 'big' },
      { event: track('u-lim', 'fits', { properties: { pad: 'x'.repeat(20 * 1024) } }), code: null, messageId: 'fits' },
      { event: track('u-lim', 'i'.repeat(101)), code: 'event.message_id_too_long', messageId: 'i'.repeat(101) },
      { event: track('u-lim', 'i'.repeat(100)), code: null, messageId: 'i'.repeat(100) },
      { event: track('u-lim', 'deep', { properties: nest(16) }), code: 'event.too_deep', messageId: 'deep' },
      { event: track('u-lim', 'deep-ok', { properties: nest(15) }), code: null, messageId: 'deep-ok' },
      { event: track('u-lim', 'keys', { properties: manyKeys(996) }), code: 'event.too_many_keys', messageId: 'keys' },
      { event: track('u-lim', 'keys-ok', { properties: manyKeys(995) }), code: null, messageId: 'keys-ok' },
      { event: '{"type":"track","event":"e","userId":"u-lim","messageId":"proto","properties":{"__proto__":{"admin":true}}}', code: 'event.forbidden_key', messageId: 'proto' },
      { event: '{"type":"track","event":"e","userId":"u-lim","messageId":"ctor","constructor":{"prototype":{"x":1}}}', code: 'event.forbidden_key', messageId: 'ctor' },
      { event: '{"type":"track","event":"e","userId":"u-lim","messageId":"proto2","context":{"prototype":1}}', code: 'event.forbidden_key', messageId: 'proto2' },
      { event: track('null', 'blocked-1', { anonymousId: 'anonymous' }), code: 'event.blocked_identity', messageId: 'blocked-1' },
      { event: track('00000000-0000-0000-0000-000000000000', 'blocked-2'), code: 'event.blocked_identity', messageId: 'blocked-2' },
      { event: track('0', 'blocked-3'), code: 'event.blocked_identity', messageId: 'blocked-3' },
      { event: { type: 'track', event: 'e', messageId: 'noid' }, code: 'event.missing_identity', messageId: 'noid' },
      { event: track('u-lim', 'bad-ts', { timestamp: 'yesterday-ish' }), code: 'event.invalid_timestamp', messageId: 'bad-ts' },
      { event: { ...track('u-lim', 'bad-type'), type: 'purchase' }, code: 'event.unknown_type', messageId: 'bad-type' },
    ];
    const body = `{"batch":[${cases.map((c) => (typeof c.event === 'string' ? c.event : JSON.stringify(c.event))).join(',')}]}`;
    const res = await post(s, '/v1/batch', body);
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json<TrackingBody>();
    const refused = cases.filter((c) => c.code !== null);
    expect(out).toMatchObject({ ok: false, received: cases.length, accepted: cases.length - refused.length, duplicates: 0 });
    expect(out.rejected.map((r) => [r.index, r.code])).toEqual(cases.flatMap((c, i) => (c.code === null ? [] : [[i, c.code]])));

    for (const r of out.rejected) {
      const c = cases[r.index];
      expect(r.messageId).toBe(c?.messageId);
      const row = await quarantined(s, r.quarantineId);
      expect(row).toMatchObject({ code: r.code, status: 'pending', messageId: c?.messageId });
      // raw is the event itself (not the whole batch), readable as JSON for a fix and replay.
      expect(JSON.parse(row.raw)).toMatchObject({ messageId: c?.messageId });
      const listed = await adminGet<{ items: QuarantineItem[] }>(s, `/api/quarantine?code=${r.code}`);
      expect(listed.items.map((i) => i.id)).toContain(r.quarantineId);
    }
    expect(await storedIds(s, 'u-lim')).toEqual(cases.filter((c) => c.code === null).map((c) => c.messageId).sort());
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('holds the batch envelope to the same limits, since its context becomes part of each event', async () => {
    const s = await start();
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { n: deep };
    const cases: [string, string][] = [
      [JSON.stringify({ context: { page: deep }, batch: [track('u-envlim', 'm-deep')] }), 'event.too_deep'],
      [`{"context":{"__proto__":{"polluted":true}},"batch":[${JSON.stringify(track('u-envlim', 'm-proto'))}]}`, 'event.forbidden_key'],
      [`{"integrations":{"constructor":{"prototype":{"x":1}}},"batch":[${JSON.stringify(track('u-envlim', 'm-ctor'))}]}`, 'event.forbidden_key'],
      [JSON.stringify({ context: Object.fromEntries(Array.from({ length: 1000 }, (_v, i) => [`k${i}`, i])), batch: [track('u-envlim', 'm-keys')] }), 'event.too_many_keys'],
    ];
    for (const [body, code] of cases) {
      const res = await post(s, '/v1/batch', body);
      expect(res.statusCode, res.body).toBe(200);
      const out = res.json<TrackingBody>();
      expect(out.accepted).toBe(0);
      expect(out.rejected.map((r) => r.code)).toEqual([code]);
      // The event is kept as sent, without the envelope that made it fail: replayed as is, it is accepted.
      const id = out.rejected[0]?.quarantineId ?? '';
      expect((await quarantined(s, id)).code).toBe(code);
      expect((await adminPost<ReplayBody>(s, `/api/quarantine/${id}/replay`, {})).replayed).toBe(1);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await stats(s)).events).toBe(cases.length);
  });

  it('answers 400 request.malformed_json and keeps the raw body in quarantine', async () => {
    const s = await start();
    for (const url of ['/v1/batch', '/v1/track']) {
      const raw = '{"batch": [{"type":"track","userId":"u1", oops';
      const res = await post(s, url, raw);
      expect(res.statusCode).toBe(400);
      const { error } = res.json<ErrorBody>();
      expect(error.code).toBe('request.malformed_json');
      const row = await quarantined(s, error.quarantineId ?? '');
      expect(row).toMatchObject({ code: 'request.malformed_json', raw, status: 'pending' });
    }
  });
});

describe('deduplication', () => {
  it('stores a messageId once within a request and across requests, counting the duplicates', async () => {
    const s = await start();
    const first = await post(s, '/v1/batch', { batch: [track('u-dup', 'same'), track('u-dup', 'same'), track('u-dup', 'other')] });
    expect(first.json<TrackingBody>()).toMatchObject({ ok: true, received: 3, accepted: 2, duplicates: 1 });
    const again = await post(s, '/v1/batch', { batch: [track('u-dup', 'same'), track('u-dup', 'new')] });
    expect(again.json<TrackingBody>()).toMatchObject({ ok: true, received: 2, accepted: 1, duplicates: 1 });
    const single = await post(s, '/v1/track', track('u-dup', 'other'));
    expect(single.statusCode).toBe(200);
    expect(single.json<TrackingBody>()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await storedIds(s, 'u-dup')).toEqual(['new', 'other', 'same']);
    expect(await stats(s)).toMatchObject({ events: 3, duplicates: 3 });
  });

  it('stores the same messageId from two write keys (sources) as two events', async () => {
    // KeyRing takes one configured write key per start, but keeps the keys of earlier starts: two starts on one
    // database file give a server with two write keys.
    const dir = mkdtempSync(join(tmpdir(), 'segmentum-dedup-'));
    try {
      const db = join(dir, 'two-sources.duckdb');
      const first = await startTestSegmentum({ db });
      await first.close();
      const SECOND_KEY = 'second-write-key-4321';
      const s = await startTestSegmentum({ db, writeKey: SECOND_KEY });
      opened.push(s);
      const a = await post(s, '/v1/track', track('u-src', 'shared-id'), { ...writeAuth, authorization: basic(WRITE_KEY) });
      const b = await post(s, '/v1/track', track('u-src', 'shared-id'), { ...writeAuth, authorization: basic(SECOND_KEY) });
      expect(a.json<TrackingBody>()).toMatchObject({ accepted: 1, duplicates: 0 });
      expect(b.json<TrackingBody>()).toMatchObject({ accepted: 1, duplicates: 0 });
      const again = await post(s, '/v1/track', track('u-src', 'shared-id'), { ...writeAuth, authorization: basic(SECOND_KEY) });
      expect(again.json<TrackingBody>()).toMatchObject({ accepted: 0, duplicates: 1 });
      const stored = await eventsOfUser(s, 'u-src');
      expect(stored.map((e) => e.messageId)).toEqual(['shared-id', 'shared-id']);
      expect(new Set(stored.map((e) => e.sourceId)).size).toBe(2);
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('quarantine replay', () => {
  it('accepts a too-large event once replayed with a corrected payload, and marks the row replayed', async () => {
    const s = await start();
    const res = await post(s, '/v1/batch', { batch: [track('u-rp', 'm-big', { properties: { pad: 'x'.repeat(40 * 1024) } })] });
    const [r] = res.json<TrackingBody>().rejected;
    expect(r?.code).toBe('event.too_large');
    const id = r?.quarantineId ?? '';

    // Replaying it unchanged fails again and leaves it pending.
    const same = await adminPost<ReplayBody>(s, `/api/quarantine/${id}/replay`, {});
    expect(same).toMatchObject({ replayed: 0, stillRejected: 1, results: [{ id, outcome: 'rejected', code: 'event.too_large' }] });
    expect((await quarantined(s, id)).status).toBe('pending');

    const fixed = await adminPost<ReplayBody>(s, `/api/quarantine/${id}/replay`, {
      event: track('u-rp', 'm-big', { properties: { pad: 'x'.repeat(100) } }),
    });
    expect(fixed).toMatchObject({ replayed: 1, stillRejected: 0, results: [{ id, outcome: 'accepted' }] });
    const row = await quarantined(s, id);
    expect(row.status).toBe('replayed');
    expect(row.replayCount).toBeGreaterThanOrEqual(1);
    const [stored] = await eventsOfUser(s, 'u-rp');
    expect(stored).toMatchObject({ messageId: 'm-big', properties: { pad: 'x'.repeat(100) } });

    // A replayed row is not replayed twice.
    const twice = await adminPost<ReplayBody>(s, `/api/quarantine/${id}/replay`, { event: track('u-rp', 'm-big') });
    expect(twice.replayed).toBe(0);
    expect((await stats(s)).events).toBe(1);
  });

  it('accepts a blocked-identity event once replayed with a real userId', async () => {
    const s = await start();
    const res = await post(s, '/v1/identify', { type: 'identify', userId: 'anonymous', messageId: 'm-anon', traits: { plan: 'pro' } });
    expect(res.statusCode).toBe(400);
    const { error } = res.json<ErrorBody>();
    expect(error.code).toBe('event.blocked_identity');
    const id = error.quarantineId ?? '';
    const row = await quarantined(s, id);
    const event = JSON.parse(row.raw) as Record<string, unknown>;
    const report = await adminPost<ReplayBody>(s, `/api/quarantine/${id}/replay`, { event: { ...event, userId: 'u-real' } });
    expect(report).toMatchObject({ replayed: 1, results: [{ outcome: 'accepted' }] });
    expect((await quarantined(s, id)).status).toBe('replayed');
    const profile = await adminGet<{ traits: Record<string, unknown> }>(s, '/api/profiles?userId=u-real');
    expect(profile.traits).toMatchObject({ plan: 'pro' });
  });

  it('replays by code: a batch refused for too many events is stored, other codes stay pending', async () => {
    const s = await start({ limits: { maxBatchEvents: 3 } });
    const batch = Array.from({ length: 4 }, (_v, i) => track('u-code', `m-code-${i}`));
    const big = await post(s, '/v1/batch', { batch });
    expect(big.statusCode).toBe(413);
    const bodyRow = big.json<ErrorBody>().error.quarantineId ?? '';
    const blocked = await post(s, '/v1/track', track('null', 'm-blocked'));
    const blockedRow = blocked.json<ErrorBody>().error.quarantineId ?? '';

    const report = await adminPost<ReplayBody>(s, '/api/quarantine/replay', { code: 'request.too_many_events' });
    expect(report).toMatchObject({ replayed: 1, stillRejected: 0, results: [{ id: bodyRow, outcome: 'accepted' }] });
    expect(await storedIds(s, 'u-code')).toEqual(batch.map((e) => e.messageId).sort());
    expect((await quarantined(s, bodyRow)).status).toBe('replayed');
    expect((await quarantined(s, blockedRow)).status).toBe('pending');
  });
});

describe('overload', () => {
  it('answers 503 with Retry-After, never a 4xx, and stores every acknowledged event', async () => {
    const s = await start({ commit: { maxQueuedEvents: 5 } });
    const N = 60;
    const responses = await Promise.all(
      Array.from({ length: N }, (_v, i) => post(s, '/v1/batch', { batch: [track('u-load', `m-load-${i}-a`), track('u-load', `m-load-${i}-b`)] })),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((c) => c !== 200 && c !== 503)).toEqual([]);
    const refused = responses.filter((r) => r.statusCode === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.json<ErrorBody>().error.code).toBe('server.overloaded');
    }
    const acked = responses.flatMap((r, i) => (r.statusCode === 200 ? [`m-load-${i}-a`, `m-load-${i}-b`] : []));
    expect(acked.length).toBeGreaterThan(0);
    expect(await storedIds(s, 'u-load')).toEqual(acked.sort());
  });
});
