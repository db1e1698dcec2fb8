import { afterEach, describe, expect, it } from 'vitest';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

/** Scenario tests of identity resolution through the public HTTP API. */

let s: Segmentum | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

let seq = 0;
async function send(app: Segmentum['app'], events: Record<string, unknown>[]): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: basic(WRITE_KEY) },
    payload: { batch: events.map((e) => ({ messageId: `m-${++seq}`, ...e })) },
  });
  expect(res.statusCode).toBe(200);
  expect(res.json().rejected).toEqual([]);
}

async function profileBy(app: Segmentum['app'], query: string) {
  const res = await app.inject({ url: `/api/profiles?${query}`, headers: { authorization: bearer(ADMIN_KEY) } });
  return { status: res.statusCode, body: res.json() };
}

describe('identity resolution', () => {
  it('stitches anonymous browsing to the user who later identifies', async () => {
    s = await startTestSegmentum();
    await send(s.app, [
      { type: 'page', anonymousId: 'anon-1', name: 'Home', timestamp: '2026-03-01T10:00:00Z' },
      { type: 'track', anonymousId: 'anon-1', event: 'Product Viewed', timestamp: '2026-03-01T10:01:00Z' },
    ]);
    await send(s.app, [{ type: 'identify', anonymousId: 'anon-1', userId: 'jean', traits: { plan: 'free' }, timestamp: '2026-03-01T10:02:00Z' }]);
    await send(s.app, [{ type: 'track', userId: 'jean', event: 'Order Completed', timestamp: '2026-03-01T10:05:00Z' }]);
    const { status, body } = await profileBy(s.app, 'anonymousId=anon-1');
    expect(status).toBe(200);
    expect(body.events.total).toBe(4);
    expect(body.events.byType).toEqual({ page: 1, track: 2, identify: 1 });
    expect(body.firstSeen).toBe('2026-03-01T10:00:00.000Z');
    expect(body.lastSeen).toBe('2026-03-01T10:05:00.000Z');
    expect(body.identities.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`).sort()).toEqual([
      'anonymous_id:anon-1',
      'user_id:jean',
    ]);
    expect((await profileBy(s.app, 'userId=jean')).body.id).toBe(body.id);
  });

  it('merges two known profiles, re-attributes events, keeps the newest trait values and audits the merge', async () => {
    s = await startTestSegmentum();
    await send(s.app, [
      { type: 'identify', anonymousId: 'laptop', traits: { plan: 'free', city: 'Lyon' }, timestamp: '2026-03-01T09:00:00Z' },
      { type: 'track', anonymousId: 'laptop', event: 'Product Viewed', timestamp: '2026-03-01T09:01:00Z' },
    ]);
    await send(s.app, [
      { type: 'identify', userId: 'marie', traits: { plan: 'gold', email: 'marie@example.fr' }, timestamp: '2026-03-02T09:00:00Z' },
      { type: 'track', userId: 'marie', event: 'Order Completed', timestamp: '2026-03-02T09:05:00Z' },
    ]);
    const before = (await profileBy(s.app, 'anonymousId=laptop')).body.id as string;
    const marie = (await profileBy(s.app, 'userId=marie')).body.id as string;
    expect(before).not.toBe(marie);

    await send(s.app, [{ type: 'track', userId: 'marie', anonymousId: 'laptop', event: 'Cart Viewed', timestamp: '2026-03-03T09:00:00Z' }]);
    const merged = (await profileBy(s.app, 'userId=marie')).body;
    expect(merged.id).toBe(before); // the older profile survives
    expect(merged.events.total).toBe(5);
    expect(merged.traits).toEqual({ plan: 'gold', city: 'Lyon' });
    expect(merged.personal).toEqual({ email: 'marie@example.fr' });
    expect(merged.merges).toEqual([
      expect.objectContaining({ action: 'merge', profileId: before, otherProfileId: marie, actor: expect.stringMatching(/^source:/) }),
    ]);

    // The merged-away id still answers, with the surviving profile.
    const old = await s.app.inject({ url: `/api/profiles/${marie}`, headers: { authorization: bearer(ADMIN_KEY) } });
    expect(old.json()).toMatchObject({ id: before, mergedFrom: marie });
    const stats = await s.app.inject({ url: '/api/stats', headers: { authorization: bearer(ADMIN_KEY) } });
    expect(stats.json().profiles).toBe(1);
  });

  it('links profiles by email and refuses a merge that would join two userIds', async () => {
    s = await startTestSegmentum();
    await send(s.app, [{ type: 'identify', userId: 'u-1', traits: { email: 'Same@Example.fr' } }]);
    await send(s.app, [{ type: 'identify', anonymousId: 'a-9', traits: { email: ' same@example.fr ' } }]);
    expect((await profileBy(s.app, 'anonymousId=a-9')).body.id).toBe((await profileBy(s.app, 'userId=u-1')).body.id);

    await send(s.app, [{ type: 'identify', userId: 'u-2', traits: { email: 'same@example.fr' } }]);
    const u1 = (await profileBy(s.app, 'userId=u-1')).body;
    const u2 = (await profileBy(s.app, 'userId=u-2')).body;
    expect(u2.id).not.toBe(u1.id);
    expect(u2.merges).toEqual([expect.objectContaining({ action: 'merge_refused', reason: expect.stringContaining('user_id') })]);
  });

  it('ignores blocked identifier values instead of collapsing everyone into one profile', async () => {
    s = await startTestSegmentum();
    const placeholders = ['null', 'undefined', 'anonymous', '0', '-1', '00000000-0000-0000-0000-000000000000', 'NULL'];
    await send(
      s.app,
      placeholders.map((bad, i) => ({ type: 'track', userId: bad, anonymousId: `device-${i}`, event: 'Page Viewed' })),
    );
    const stats = await s.app.inject({ url: '/api/stats', headers: { authorization: bearer(ADMIN_KEY) } });
    expect(stats.json().profiles).toBe(placeholders.length);
    expect((await profileBy(s.app, 'userId=null')).status).toBe(404);

    const only = await s.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: basic(WRITE_KEY) },
      payload: { userId: 'undefined', event: 'x' },
    });
    expect(only.statusCode).toBe(400);
    expect(only.json().error.code).toBe('event.blocked_identity');
  });

  it('keeps a userId on one profile: a second userId never joins it', async () => {
    s = await startTestSegmentum();
    await send(s.app, [{ type: 'identify', userId: 'first', anonymousId: 'shared' }]);
    await send(s.app, [{ type: 'identify', userId: 'second', anonymousId: 'shared' }]);
    const a = (await profileBy(s.app, 'userId=first')).body;
    const b = (await profileBy(s.app, 'userId=second')).body;
    expect(a.id).not.toBe(b.id);
    expect(a.identities.filter((i: { kind: string }) => i.kind === 'user_id')).toHaveLength(1);
  });

  it('alias links a previous id to the user id', async () => {
    s = await startTestSegmentum();
    await send(s.app, [{ type: 'track', anonymousId: 'old-anon', event: 'Signed Up' }]);
    await send(s.app, [{ type: 'alias', previousId: 'old-anon', userId: 'new-user' }]);
    expect((await profileBy(s.app, 'userId=new-user')).body.id).toBe((await profileBy(s.app, 'anonymousId=old-anon')).body.id);
  });

  it('group calls create accounts with traits and link the profile', async () => {
    s = await startTestSegmentum();
    await send(s.app, [
      { type: 'group', userId: 'pro-1', groupId: 'acme', traits: { name: 'Acme SAS', siren: '732829320', employees: 120 }, timestamp: '2026-01-01T00:00:00Z' },
      { type: 'group', userId: 'pro-1', groupId: 'acme', traits: { employees: 150 }, timestamp: '2026-02-01T00:00:00Z' },
    ]);
    const p = (await profileBy(s.app, 'userId=pro-1')).body;
    expect(p.accounts).toEqual([expect.objectContaining({ id: 'acme', traits: { name: 'Acme SAS', siren: '732829320', employees: 150 } })]);
    const stats = await s.app.inject({ url: '/api/stats', headers: { authorization: bearer(ADMIN_KEY) } });
    expect(stats.json().accounts).toBe(1);
  });

  it('keeps personal data in the vault and out of behaviour data', async () => {
    s = await startTestSegmentum({ piiTraits: ['loyaltyCard'] });
    await send(s.app, [
      {
        type: 'identify',
        userId: 'p-1',
        traits: { email: 'p@example.fr', phone: '+33 6 12 34 56 78', firstName: 'Paul', birthday: '1990-05-01', loyaltyCard: 'LC-1', plan: 'gold' },
        context: { traits: { email: 'p@example.fr', plan: 'gold' } },
      },
    ]);
    const p = (await profileBy(s.app, 'userId=p-1')).body;
    expect(p.traits).toEqual({ plan: 'gold' });
    expect(p.personal).toEqual({ email: 'p@example.fr', phone: '+33 6 12 34 56 78', firstName: 'Paul', birthday: '1990-05-01', loyaltyCard: 'LC-1' });
    const tl = await s.app.inject({ url: `/api/profiles/${p.id}/events`, headers: { authorization: bearer(ADMIN_KEY) } });
    const stored = JSON.stringify(tl.json().events);
    expect(stored).not.toContain('p@example.fr');
    expect(stored).not.toContain('Paul');
    expect(stored).not.toContain('LC-1');
    expect(p.identities.find((i: { kind: string }) => i.kind === 'email').value).toMatch(/^[0-9a-f]{64}$/);
  });
});
