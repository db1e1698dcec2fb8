import { afterEach, describe, expect, it } from 'vitest';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

let s: Segmentum | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const admin = { authorization: bearer(ADMIN_KEY) };

describe('profile API', () => {
  it('pages a timeline without skipping or repeating events that share a timestamp', async () => {
    s = await startTestSegmentum();
    const batch = Array.from({ length: 7 }, (_, i) => ({ type: 'track', userId: 'pager', event: `E${i}`, messageId: `pg-${i}` }));
    // No timestamps: all seven get the same receivedAt.
    const res = await s.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(WRITE_KEY) }, payload: { batch } });
    expect(res.json().accepted).toBe(7);
    const id = (await s.app.inject({ url: '/api/profiles?userId=pager', headers: admin })).json().id as string;

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const t = await s.app.inject({ url: `/api/profiles/${id}/events?limit=3${q}`, headers: admin });
      expect(t.statusCode).toBe(200);
      const body = t.json();
      seen.push(...body.events.map((e: { messageId: string }) => e.messageId));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual(batch.map((e) => e.messageId).sort());
  });

  it('answers a bad cursor and a missing profile with catalogue codes', async () => {
    s = await startTestSegmentum();
    await s.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic(WRITE_KEY) }, payload: { userId: 'x', event: 'E' } });
    const id = (await s.app.inject({ url: '/api/profiles?userId=x', headers: admin })).json().id as string;
    const bad = await s.app.inject({ url: `/api/profiles/${id}/events?cursor=nope`, headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('request.invalid');
    const missing = await s.app.inject({ url: '/api/profiles/prof_missing', headers: admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'profile.not_found', hint: expect.any(String) });
    const two = await s.app.inject({ url: '/api/profiles?userId=x&anonymousId=y', headers: admin });
    expect(two.statusCode).toBe(400);
    expect(two.json().error.code).toBe('request.invalid');
  });

  it('needs the admin key: none is 401, a wrong one 401, a write key 403', async () => {
    s = await startTestSegmentum();
    expect((await s.app.inject({ url: '/api/stats' })).json().error.code).toBe('auth.missing_admin_key');
    expect((await s.app.inject({ url: '/api/stats', headers: { authorization: 'Bearer nope-nope' } })).json().error.code).toBe('auth.invalid_admin_key');
    const w = await s.app.inject({ url: '/api/stats', headers: { authorization: bearer(WRITE_KEY) } });
    expect(w.statusCode).toBe(403);
  });

  it('serves health, readiness, metrics and an OpenAPI document generated from the schemas', async () => {
    s = await startTestSegmentum();
    expect((await s.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await s.app.inject({ url: '/readyz' })).json()).toMatchObject({ status: 'ready' });
    await s.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic(WRITE_KEY) }, payload: { userId: 'm', event: 'E' } });
    const metrics = (await s.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/segmentum_events_accepted_total\{type="track"\} 1/);
    expect(metrics).toMatch(/segmentum_http_request_duration_seconds_bucket/);
    expect(metrics).toMatch(/segmentum_commit_batch_events_count 1/);
    const doc = (await s.app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/batch', '/v1/track', '/api/profiles/{id}', '/api/quarantine']));
    // The track body schema comes from the zod schema that validates events.
    const track = doc.paths['/v1/track'].post.requestBody.content['application/json'].schema;
    expect(track.required).toEqual(expect.arrayContaining(['type', 'event']));
    expect((await s.app.inject({ url: '/docs/' })).statusCode).toBe(200);
  });
});
