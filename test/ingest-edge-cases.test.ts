import { afterEach, describe, expect, it } from 'vitest';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

let s: Segmentum | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const post = (app: Segmentum['app'], url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { authorization: basic(WRITE_KEY), ...headers }, payload: payload as Record<string, unknown> });
const profile = async (app: Segmentum['app'], q: string) => (await app.inject({ url: `/api/profiles?${q}`, headers: { authorization: bearer(ADMIN_KEY) } })).json();

describe('ingest edge cases', () => {
  it('vaults the personal part of context.traits sent with any call, and keeps it out of the event', async () => {
    s = await startTestSegmentum();
    const res = await post(s.app, '/v1/track', { userId: 'ctx-1', event: 'Viewed', context: { traits: { email: 'zoe@example.fr', firstName: 'Zoé', plan: 'pro' } } });
    expect(res.statusCode).toBe(200);
    const p = await profile(s.app, 'userId=ctx-1');
    expect(p.personal).toEqual({ email: 'zoe@example.fr', firstName: 'Zoé' });
    expect(p.traits).toEqual({}); // context.traits never sets behaviour traits; identify does
    expect((await profile(s.app, 'email=zoe@example.fr')).id).toBe(p.id);
    const tl = (await s.app.inject({ url: `/api/profiles/${p.id}/events`, headers: { authorization: bearer(ADMIN_KEY) } })).json();
    expect(tl.events[0].context.traits).toEqual({ plan: 'pro' });
  });

  it('lets the path name the event type whatever the body says', async () => {
    s = await startTestSegmentum();
    const res = await post(s.app, '/v1/track', { type: 'identify', userId: 'path-1', event: 'Clicked', traits: { plan: 'x' } });
    expect(res.statusCode).toBe(200);
    expect((await profile(s.app, 'userId=path-1')).events.byType).toEqual({ track: 1 });
  });

  it('does not link a blocked alias previousId', async () => {
    s = await startTestSegmentum();
    await post(s.app, '/v1/alias', { userId: 'alias-a', previousId: 'anonymous' });
    await post(s.app, '/v1/alias', { userId: 'alias-b', previousId: 'anonymous' });
    const a = await profile(s.app, 'userId=alias-a');
    const b = await profile(s.app, 'userId=alias-b');
    expect(a.id).not.toBe(b.id);
    expect(a.identities.map((i: { kind: string }) => i.kind)).toEqual(['user_id']);
  });

  it('ignores X-Forwarded-For unless trustProxy is set', async () => {
    s = await startTestSegmentum();
    await post(s.app, '/v1/track', { userId: 'ip-1', event: 'E' }, { 'x-forwarded-for': '198.51.100.7' });
    const id = (await profile(s.app, 'userId=ip-1')).id;
    const ev = (await s.app.inject({ url: `/api/profiles/${id}/events`, headers: { authorization: bearer(ADMIN_KEY) } })).json().events[0];
    expect(ev.context.ip).not.toBe('198.51.100.7');
    await s.close();

    s = await startTestSegmentum({ trustProxy: true });
    await post(s.app, '/v1/track', { userId: 'ip-2', event: 'E' }, { 'x-forwarded-for': '198.51.100.7' });
    const id2 = (await profile(s.app, 'userId=ip-2')).id;
    const ev2 = (await s.app.inject({ url: `/api/profiles/${id2}/events`, headers: { authorization: bearer(ADMIN_KEY) } })).json().events[0];
    expect(ev2.context.ip).toBe('198.51.100.7');
  });
});

describe('oversize bodies', () => {
  it('keeps a body over the batch limit in quarantine, answers 413, and stores its events on replay', async () => {
    s = await startTestSegmentum({ limits: { maxBatchBytes: 4000 } });
    const batch = Array.from({ length: 80 }, (_, i) => ({ type: 'track', userId: 'big-1', event: 'Viewed', messageId: `big-${i}`, properties: { i } }));
    const res = await post(s.app, '/v1/batch', { batch });
    expect(res.statusCode).toBe(413);
    const { code, quarantineId } = res.json().error;
    expect(code).toBe('request.body_too_large');
    const kept = await s.app.inject({ url: `/api/quarantine/${quarantineId}`, headers: { authorization: bearer(ADMIN_KEY) } });
    expect(JSON.parse(kept.json().raw).batch).toHaveLength(80);

    const replay = await s.app.inject({ method: 'POST', url: `/api/quarantine/${quarantineId}/replay`, headers: { authorization: bearer(ADMIN_KEY) } });
    expect(replay.statusCode).toBe(200);
    expect((await profile(s.app, 'userId=big-1')).events.total).toBe(80);
  });

  it('refuses unread a body past the hard cap', async () => {
    s = await startTestSegmentum({ limits: { maxBatchBytes: 1000, maxKeptBodyBytes: 2000 } });
    const res = await post(s.app, '/v1/batch', { batch: [{ type: 'track', userId: 'x', event: 'E', properties: { pad: 'x'.repeat(3000) } }] });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.quarantineId).toBeUndefined();
  });
});

describe('configured blocked values', () => {
  it('adds extraBlockedValues to the defaults', async () => {
    s = await startTestSegmentum({ identity: { extraBlockedValues: ['guest'] } });
    const guest = await post(s.app, '/v1/track', { userId: 'GUEST', event: 'E' });
    expect(guest.json().error.code).toBe('event.blocked_identity');
    const nul = await post(s.app, '/v1/track', { userId: 'null', event: 'E' });
    expect(nul.json().error.code).toBe('event.blocked_identity');
  });
});
