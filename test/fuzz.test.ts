import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, statusOf, type ErrorCode } from '../src/kernel/index.js';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

/**
 * Hostile and malformed tracking payloads, generated. Whatever arrives, the server answers with a catalogued code
 * (never a 5xx, never a crash), every refused event can be found in quarantine under its code, and the process is
 * still healthy afterwards. One server per property keeps the whole file to seconds.
 */

interface Rejected {
  index: number;
  code: string;
  quarantineId: string;
}
interface TrackingBody {
  received: number;
  accepted: number;
  duplicates: number;
  rejected: Rejected[];
}
interface ErrorBody {
  error: { code: string; message: string; hint: string; quarantineId?: string };
}
/** The part of an inject response the checks read. */
interface Res {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json<T>(): T;
}

const NUM_RUNS = 100;
const CODES = new Set<string>(ERROR_CODES);
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();
const SINGLE_PATHS = ['/v1/identify', '/v1/track', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/i', '/v1/t', '/v1/p', '/v1/s', '/v1/g', '/v1/a'];
const BATCH_PATHS = ['/v1/batch', '/v1/b', '/b'];

const opened: Segmentum[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function start(): Promise<Segmentum> {
  const s = await startTestSegmentum();
  opened.push(s);
  return s;
}

function send(s: Segmentum, url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Res> {
  return s.app.inject({
    method: 'POST',
    url,
    headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json', ...headers },
    payload: body,
  });
}

let probe = 0;

/**
 * What must hold for any answer of the tracking API: no 5xx; an error body carries a catalogued code whose status is
 * the one sent; every refused event (and kept body) is in quarantine under the code the client was told.
 */
async function expectSane(s: Segmentum, res: Res): Promise<TrackingBody | null> {
  expect(res.statusCode, res.body.slice(0, 500)).toBeLessThan(500);
  const kept: { id: string; code: string }[] = [];
  let tracking: TrackingBody | null = null;
  if (res.statusCode === 200) {
    tracking = res.json<TrackingBody>();
    expect(tracking.accepted + tracking.duplicates + tracking.rejected.length).toBe(tracking.received);
    for (const r of tracking.rejected) {
      expect(CODES, r.code).toContain(r.code);
      kept.push({ id: r.quarantineId, code: r.code });
    }
  } else {
    const { error } = res.json<ErrorBody>();
    expect(CODES, error.code).toContain(error.code);
    expect(statusOf(error.code as ErrorCode)).toBe(res.statusCode);
    expect(error.hint.length).toBeGreaterThan(0);
    if (error.quarantineId) kept.push({ id: error.quarantineId, code: error.code });
  }
  for (const { id, code } of kept) {
    const q = await s.app.inject({ url: `/api/quarantine/${encodeURIComponent(id)}`, headers: { authorization: bearer(ADMIN_KEY) } });
    expect(q.statusCode, `quarantine ${id}`).toBe(200);
    expect(q.json<{ code: string; status: string }>()).toMatchObject({ code, status: 'pending' });
  }
  return tracking;
}

/** After a run: the server is up, still takes a valid event, and nothing reached Object.prototype. */
async function expectStillHealthy(s: Segmentum): Promise<void> {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  const health = await s.app.inject({ url: '/healthz' });
  expect(health.statusCode).toBe(200);
  const messageId = `after-fuzz-${++probe}`;
  const res = await send(s, '/v1/track', JSON.stringify({ userId: 'u-after', event: 'Still Alive', messageId }));
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json<TrackingBody>()).toMatchObject({ accepted: 1, rejected: [] });
}

const BASE: Record<string, Record<string, unknown>> = {
  identify: { type: 'identify', userId: 'u1', traits: { plan: 'gold', email: 'a@example.fr' } },
  track: { type: 'track', userId: 'u1', event: 'Viewed', properties: { price: 3 } },
  page: { type: 'page', anonymousId: 'a1', name: 'Home', category: 'Docs', properties: { path: '/' } },
  screen: { type: 'screen', anonymousId: 'a1', name: 'Main', properties: {} },
  group: { type: 'group', userId: 'u1', groupId: 'g1', traits: { employees: 10 } },
  alias: { type: 'alias', userId: 'u2', previousId: 'u1' },
};
const FIELDS = [
  'type', 'messageId', 'userId', 'anonymousId', 'timestamp', 'originalTimestamp', 'sentAt', 'context', 'integrations',
  'properties', 'traits', 'event', 'name', 'category', 'groupId', 'previousId', 'writeKey', 'receivedAt',
];

const garbageTime = fc.constantFrom('yesterday', '2026-13-45T99:99:99Z', '', ' ', '0000-00-00', '1e400', '+275760-09-13T00:00:00.001Z', 'NaN');
const garbageId = fc.constantFrom('null', 'anonymous', '0', '-1', '00000000-0000-0000-0000-000000000000', '[object Object]', ' ', 'NULL');
/** A value of any JSON type, with extra weight on the ones a field of the spec is likely to choke on. */
const wrongValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  garbageTime,
  garbageId,
  fc.constantFrom(1e308, -1e308, 0, -0, 2 ** 53 + 2, 1.5, -1, true, false, null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
/** Any JSON value, including ones built by fc.anything (boxed values, odd keys) once written as JSON. */
const anyJsonText = fc.oneof(
  fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).map((v) => JSON.stringify(v)),
  fc.anything({ maxDepth: 4, withBoxedValues: true, withNullPrototype: true }).map((v) => {
    try {
      return JSON.stringify(v) ?? 'null';
    } catch {
      return 'null';
    }
  }),
);

describe('fuzz: the tracking API never fails on what it is sent', () => {
  it('arbitrary JSON values as events, in batches and single calls', async () => {
    const s = await start();
    await fc.assert(
      fc.asyncProperty(fc.array(anyJsonText, { minLength: 1, maxLength: 5 }), fc.constantFrom(...BATCH_PATHS, ...SINGLE_PATHS), async (items, url) => {
        const body = BATCH_PATHS.includes(url) ? `{"batch":[${items.join(',')}]}` : (items[0] ?? 'null');
        await expectSane(s, await send(s, url, body));
      }),
      { numRuns: NUM_RUNS },
    );
    await expectStillHealthy(s);
  });

  it('wrong types for the known fields of each message and of the batch envelope', async () => {
    const s = await start();
    const mutated = fc
      .record({
        type: fc.constantFrom(...Object.keys(BASE)),
        changes: fc.array(fc.tuple(fc.constantFrom(...FIELDS), wrongValue), { minLength: 1, maxLength: 3 }),
        messageId: fc.uuid(),
      })
      .map(({ type, changes, messageId }) => ({ ...BASE[type], messageId, ...Object.fromEntries(changes) }));
    const envelope = fc.record(
      { context: wrongValue, integrations: wrongValue, sentAt: fc.oneof(wrongValue, garbageTime) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutated, { minLength: 1, maxLength: 4 }), envelope, fc.boolean(), async (events, env, single) => {
        const res = single
          ? await send(s, '/v1/track', JSON.stringify(events[0]))
          : await send(s, '/v1/batch', JSON.stringify({ ...env, batch: events }));
        await expectSane(s, res);
      }),
      { numRuns: NUM_RUNS },
    );
    // The batch itself of the wrong type: the request is refused, not the server.
    await fc.assert(
      fc.asyncProperty(wrongValue, async (batch) => {
        await expectSane(s, await send(s, '/v1/batch', JSON.stringify({ batch })));
      }),
      { numRuns: 50 },
    );
    await expectStillHealthy(s);
  });

  it('huge strings in any field: refused as too large past the event size, never a crash', async () => {
    const s = await start();
    const MAX_EVENT_BYTES = 32 * 1024;
    const where = fc.constantFrom('event', 'userId', 'anonymousId', 'messageId', 'properties.note', 'context.page.url', 'traits.bio', 'name', 'groupId');
    const huge = fc
      .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }), fc.nat({ max: 40_000 }))
      .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));
    await fc.assert(
      fc.asyncProperty(where, huge, fc.constantFrom('identify', 'track', 'page', 'group'), fc.boolean(), async (path, text, type, batch) => {
        const event: Record<string, unknown> = structuredClone(BASE[type] ?? {});
        const keys = path.split('.');
        let at = event;
        for (const k of keys.slice(0, -1)) {
          const next: Record<string, unknown> = {};
          at[k] = next;
          at = next;
        }
        at[keys[keys.length - 1] ?? 'x'] = text;
        const json = JSON.stringify(event);
        const out = await expectSane(s, await send(s, batch ? '/v1/batch' : `/v1/${type}`, batch ? `{"batch":[${json}]}` : json));
        if (Buffer.byteLength(json) > MAX_EVENT_BYTES) {
          expect(out?.accepted ?? 0).toBe(0);
          if (out) expect(out.rejected.map((r) => r.code)).toHaveLength(1);
        }
      }),
      { numRuns: 100 },
    );
    await expectStillHealthy(s);
  });

  it('deep nesting (up to 300 levels) in the event or the batch envelope: refused past the depth limit', async () => {
    const s = await start();
    const MAX_DEPTH = 16;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 300, size: 'max' }),
        fc.constantFrom('properties', 'context', 'integrations', 'envelope.context', 'envelope.integrations'),
        async (levels, where) => {
          // true: an object level, false: an array level; wrapped in {"x": ...} so the field stays an object.
          const nest = `{"x":${levels.map((o) => (o ? '{"k":' : '[')).join('')}0${[...levels].reverse().map((o) => (o ? '}' : ']')).join('')}}`;
          const event = '{"type":"track","event":"Deep","userId":"u-deep"';
          const body = where.startsWith('envelope.')
            ? `{"${where.slice('envelope.'.length)}":${nest},"batch":[${event}}]}`
            : `{"batch":[${event},"${where}":${nest}}]}`;
          const out = await expectSane(s, await send(s, '/v1/batch', body));
          expect(out).not.toBeNull();
          // The field is at depth 1, "x" holds the outermost level at depth 2: the innermost one is at levels + 1.
          if (levels.length + 1 >= MAX_DEPTH) {
            expect(out?.rejected.map((r) => r.code)).toEqual(['event.too_deep']);
          } else {
            expect(out?.accepted).toBe(1);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
    await expectStillHealthy(s);
  });

  it('100,000 levels of nesting as a raw body, anywhere in it', async () => {
    const s = await start();
    const N = 100_000;
    const arrays = `${'['.repeat(N)}0${']'.repeat(N)}`;
    const objects = `${'{"":'.repeat(N)}0${'}'.repeat(N)}`;
    const event = '"type":"track","event":"Deep","userId":"u-deep"';
    const cases: [string, string, string][] = [
      ['the whole body of a single call', '/v1/track', arrays],
      ['the whole body of a batch call', '/v1/batch', arrays],
      ['a batch item', '/v1/batch', `{"batch":[${arrays}]}`],
      ['event properties (arrays)', '/v1/batch', `{"batch":[{${event},"properties":{"x":${arrays}}}]}`],
      ['event properties (objects)', '/v1/track', `{${event},"properties":${objects}}`],
      ['a top-level field of the event', '/v1/track', `{${event},"custom":${arrays}}`],
      ['the batch context', '/v1/batch', `{"context":${objects},"batch":[{${event}}]}`],
      ['the batch integrations', '/v1/batch', `{"integrations":{"x":${arrays}},"batch":[{${event}}]}`],
      ['the batch sentAt', '/v1/batch', `{"sentAt":${arrays},"batch":[{${event}}]}`],
    ];
    for (const [name, url, body] of cases) {
      expect(Buffer.byteLength(body), name).toBeLessThan(500 * 1024);
      const res = await send(s, url, body);
      expect(res.statusCode, `${name}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
      await expectSane(s, res);
      if (res.statusCode === 200) expect(res.json<TrackingBody>().accepted, name).toBe(0);
    }
    await expectStillHealthy(s);
  });

  it('__proto__, constructor and prototype keys anywhere: refused, and Object.prototype untouched', async () => {
    const s = await start();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
        fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }),
        fc.constantFrom('top', 'properties', 'context', 'integrations', 'envelope.context', 'envelope.integrations'),
        fc.jsonValue({ maxDepth: 2 }),
        fc.boolean(),
        async (key, path, where, extra, single) => {
          // Built as text so JSON.parse makes the hostile key an own property, as it would for a real request.
          const payload = JSON.stringify({ polluted: true, isAdmin: true, extra });
          const hostile = `{${JSON.stringify(key)}:${payload}}`;
          const nested = path.reduceRight((inner, k) => `{${JSON.stringify(k)}:${inner}}`, hostile);
          const fields = '"type":"track","event":"Hostile","userId":"u-hostile"';
          let url = '/v1/batch';
          let body: string;
          if (where === 'top') {
            const top = `{${fields},${JSON.stringify(key)}:${path.length > 0 ? nested : payload}}`;
            body = single ? top : `{"batch":[${top}]}`;
            if (single) url = '/v1/track';
          } else if (where.startsWith('envelope.')) {
            body = `{"${where.slice('envelope.'.length)}":${nested},"batch":[{${fields}}]}`;
          } else {
            const ev = `{${fields},"${where}":${nested}}`;
            body = single ? ev : `{"batch":[${ev}]}`;
            if (single) url = '/v1/track';
          }
          const res = await send(s, url, body);
          await expectSane(s, res);
          if (url === '/v1/track') {
            expect(res.statusCode).toBe(400);
            expect(res.json<ErrorBody>().error.code).toBe('event.forbidden_key');
          } else {
            expect(res.json<TrackingBody>().rejected.map((r) => r.code)).toEqual(['event.forbidden_key']);
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
        },
      ),
      { numRuns: NUM_RUNS },
    );
    await expectStillHealthy(s);
  });

  it('random bytes with random content types and encodings (bogus and truncated gzip included)', async () => {
    const s = await start();
    const validBody = fc.constant(Buffer.from(JSON.stringify({ batch: [{ type: 'track', event: 'e', userId: 'u-bytes' }] })));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b)),
          fc.string({ unit: 'binary', maxLength: 500 }).map((t) => Buffer.from(t)),
          anyJsonText.map((t) => Buffer.from(t)),
          validBody,
        ),
        fc.option(
          fc.constantFrom(
            'application/json',
            'text/plain',
            'application/octet-stream',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
            'garbage',
            '*/*',
            'application/json; charset=utf-16',
            'text/plain; charset=latin1',
            ';;;',
          ),
          { nil: undefined },
        ),
        fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-gzip', 'gzip, gzip', 'compress', 'bogus'), { nil: undefined }),
        fc.constantFrom('raw', 'gzip', 'truncated-gzip'),
        fc.constantFrom(...BATCH_PATHS, ...SINGLE_PATHS),
        async (bytes, contentType, encoding, packing, url) => {
          const zipped = packing === 'raw' ? bytes : gzipSync(bytes);
          const body = packing === 'truncated-gzip' ? zipped.subarray(0, Math.floor(zipped.length / 2)) : zipped;
          const headers: Record<string, string> = {};
          if (contentType !== undefined) headers['content-type'] = contentType;
          if (encoding !== undefined) headers['content-encoding'] = encoding;
          const res = await s.app.inject({
            method: 'POST',
            url,
            headers: { authorization: basic(WRITE_KEY), ...headers },
            payload: body,
          });
          await expectSane(s, res);
        },
      ),
      { numRuns: 150 },
    );
    await expectStillHealthy(s);
  });

  it('pixel: any data answers a GIF, with X-Segmentum-Error whenever it is not 200', async () => {
    const s = await start();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          anyJsonText.map((t) => Buffer.from(t).toString('base64')),
          anyJsonText.map((t) => Buffer.from(t).toString('base64url')),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64url')),
        ),
        fc.constantFrom('track', 'page'),
        async (data, type) => {
          const res = await s.app.inject({ url: `/v1/pixel/${type}?${new URLSearchParams({ data, writeKey: WRITE_KEY }).toString()}` });
          expect(res.statusCode, String(res.headers['x-segmentum-error'])).toBeLessThan(500);
          expect(res.headers['content-type']).toContain('image/gif');
          if (res.statusCode !== 200) expect(CODES).toContain(res.headers['x-segmentum-error']);
        },
      ),
      { numRuns: NUM_RUNS },
    );
    await expectStillHealthy(s);
  });
});
