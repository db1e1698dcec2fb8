import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileId } from '../src/kernel/index.js';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

/**
 * Merge and unmerge through the running system (HTTP ingest, the identity service, the live segment engine): the
 * round trip restores both profiles exactly, events included, and segments follow.
 */

let s: Segmentum | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await s?.close();
  s = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let seq = 0;
async function send(app: Segmentum['app'], events: Record<string, unknown>[]): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: basic(WRITE_KEY) },
    payload: { batch: events.map((e) => ({ messageId: `u-${++seq}`, ...e })) },
  });
  expect(res.statusCode).toBe(200);
  expect(res.json().rejected).toEqual([]);
}

async function idOf(app: Segmentum['app'], query: string): Promise<string> {
  const res = await app.inject({ url: `/api/profiles?${query}`, headers: { authorization: bearer(ADMIN_KEY) } });
  expect(res.statusCode).toBe(200);
  return res.json().id as string;
}

/** Everything a user sees of a profile: the view, its whole timeline and its segments. */
async function snapshot(sg: Segmentum, id: string) {
  const view = await sg.profiles.get(ProfileId(id));
  if (!view.ok) throw new Error(`no profile ${id}`);
  const { merges: _audit, updatedAt: _u, ...rest } = view.value;
  const timeline = await sg.profiles.timeline(ProfileId(id), { limit: 1000 });
  if (!timeline.ok) throw new Error('no timeline');
  const segments = (await sg.segments.segmentsOf(ProfileId(id))).map((x) => x.name).sort();
  return {
    ...rest,
    identities: [...rest.identities].sort((a, b) => `${a.kind}:${a.value}`.localeCompare(`${b.kind}:${b.value}`)),
    timeline: timeline.value.events.map((e) => `${e.messageId}:${e.type}:${e.event ?? ''}`).sort(),
    segments,
  };
}

async function twoPeople(sg: Segmentum): Promise<{ claire: string; paul: string }> {
  await send(sg.app, [
    {
      type: 'identify',
      userId: 'claire',
      anonymousId: 'anon-claire',
      traits: { plan: 'gold', city: 'Lyon', email: 'claire@example.fr', firstName: 'Claire' },
      timestamp: '2026-03-01T09:00:00Z',
    },
    { type: 'track', userId: 'claire', event: 'Order Completed', properties: { revenue: 120 }, timestamp: '2026-03-01T09:05:00Z' },
    { type: 'group', userId: 'claire', groupId: 'acme', traits: { name: 'Acme' }, timestamp: '2026-03-01T09:06:00Z' },
  ]);
  await send(sg.app, [
    {
      type: 'identify',
      anonymousId: 'anon-paul',
      traits: { plan: 'free', city: 'Nantes', email: 'paul@example.fr', phone: '+33612345678' },
      timestamp: '2026-03-02T09:00:00Z',
    },
    { type: 'page', anonymousId: 'anon-paul', name: 'Tarifs', timestamp: '2026-03-02T09:01:00Z' },
    { type: 'track', anonymousId: 'anon-paul', event: 'Product Viewed', timestamp: '2026-03-02T09:02:00Z' },
  ]);
  return { claire: await idOf(sg.app, 'userId=claire'), paul: await idOf(sg.app, 'anonymousId=anon-paul') };
}

async function createSegments(sg: Segmentum): Promise<void> {
  for (const [name, definition] of [
    ['gold', 'trait.plan = "gold"'],
    ['buyers', 'count(event = "Order Completed") >= 1'],
    ['browsers', 'count(event = "Product Viewed") >= 1'],
  ] as const) {
    const r = await sg.segments.create({ name, definition });
    expect(r.ok).toBe(true);
  }
}

describe('unmerge', () => {
  it('restores both profiles exactly after a manual merge: traits, personal data, identities, events, accounts, segments', async () => {
    s = await startTestSegmentum();
    const { claire, paul } = await twoPeople(s);
    await createSegments(s);
    const beforeClaire = await snapshot(s, claire);
    const beforePaul = await snapshot(s, paul);
    expect(beforeClaire.segments).toEqual(['buyers', 'gold']);
    expect(beforePaul.segments).toEqual(['browsers']);

    const merged = await s.identity.merge(ProfileId(claire), ProfileId(paul), { actor: 'admin', cause: 'manual', evidence: { reason: 'same person' } });
    if (!merged.ok) throw new Error(merged.error.message);
    expect(merged.value.edge).toMatchObject({ winner: claire, loser: paul, cause: 'manual', status: 'active' });
    const one = await snapshot(s, claire);
    expect(one.timeline).toHaveLength(beforeClaire.timeline.length + beforePaul.timeline.length);
    expect(one.segments).toEqual(['browsers', 'buyers']); // Paul's plan is the more recent
    expect(one.traits).toEqual({ plan: 'free', city: 'Nantes' }); // most recent wins
    expect(one.personal).toEqual({ email: 'paul@example.fr', phone: '+33612345678', firstName: 'Claire' });
    expect((await s.profiles.get(ProfileId(paul))).ok && (await snapshot(s, paul)).id).toBe(claire);

    const undone = await s.identity.unmerge(merged.value.edge.mergeId, { actor: 'admin', reason: 'two people' });
    if (!undone.ok) throw new Error(undone.error.message);
    expect(undone.value).toMatchObject({ survivor: claire, restored: paul, events: beforePaul.timeline.length });
    await s.tick();

    expect(await snapshot(s, claire)).toEqual(beforeClaire);
    expect(await snapshot(s, paul)).toEqual(beforePaul);
    expect((await s.profiles.stats()).profiles).toBe(2);

    // Both operations are in the audit log of both profiles.
    const audit = await s.store.auditOf(ProfileId(paul));
    expect(audit.map((a) => a.action)).toEqual(['merge', 'unmerge']);
    expect(audit[1]).toMatchObject({ actor: 'admin', reason: 'two people', profileId: claire, otherProfileId: paul });
    // The membership feed says why each changed.
    const changes = await s.segments.changes(0, 1000);
    const name = new Map(s.segments.list().map((x) => [x.id, x.name]));
    const byUnmerge = changes.filter((c) => (c.reason as { trigger?: string }).trigger === 'unmerge');
    expect(byUnmerge.map((c) => `${c.profileId === claire ? 'claire' : 'paul'} ${c.change} ${name.get(c.segmentId)}`).sort()).toEqual([
      'claire entered gold',
      'claire exited browsers',
      'paul entered browsers',
    ]);
  });

  it('undoes a merge caused by an event; the merging event stays with the survivor, later events of the other side go back', async () => {
    s = await startTestSegmentum();
    const { claire, paul } = await twoPeople(s);
    // A shared computer: Paul's browser sends an identify for claire.
    await send(s.app, [{ type: 'identify', userId: 'claire', anonymousId: 'anon-paul', timestamp: '2026-03-03T09:00:00Z' }]);
    expect(await idOf(s.app, 'anonymousId=anon-paul')).toBe(claire);
    // After the merge, more browsing under Paul's anonymous id, and a purchase by claire.
    await send(s.app, [
      { type: 'track', anonymousId: 'anon-paul', event: 'Product Viewed', timestamp: '2026-03-04T09:00:00Z' },
      { type: 'identify', anonymousId: 'anon-paul', traits: { city: 'Angers' }, timestamp: '2026-03-04T09:01:00Z' },
      { type: 'track', userId: 'claire', event: 'Order Completed', timestamp: '2026-03-04T10:00:00Z' },
    ]);
    const edges = await s.identity.mergesOf(ProfileId(paul));
    expect(edges).toHaveLength(1);
    expect(edges[0]).toMatchObject({ cause: 'event', winner: claire, loser: paul, messageId: expect.any(String) });
    expect(edges[0]?.evidence.identifiers).toEqual(expect.arrayContaining(['user_id:claire', 'anonymous_id:anon-paul']));

    const r = await s.identity.unmerge(edges[0]?.mergeId ?? '', { actor: 'admin' });
    if (!r.ok) throw new Error(r.error.message);
    const p = await snapshot(s, paul);
    const c = await snapshot(s, claire);
    // Paul: his 3 events, plus the 2 sent later under his anonymous id only.
    expect(p.events.total).toBe(5);
    expect(p.traits).toEqual({ plan: 'free', city: 'Angers' });
    expect(p.personal).toEqual({ email: 'paul@example.fr', phone: '+33612345678' });
    expect(p.identities.map((i) => i.kind)).toEqual(['anonymous_id', 'email']);
    // Claire: her 3, the identify that linked the two (it names claire), her later order.
    expect(c.events.total).toBe(5);
    expect(c.traits).toEqual({ plan: 'gold', city: 'Lyon' });
    expect(c.personal).toEqual({ email: 'claire@example.fr', firstName: 'Claire' });
    expect(c.identities.map((i) => `${i.kind}:${i.value}`)).toEqual(expect.not.arrayContaining(['anonymous_id:anon-paul']));

    // The next event carrying both identifiers does not merge them again; the refusal is audited.
    await send(s.app, [{ type: 'track', userId: 'claire', anonymousId: 'anon-paul', event: 'Cart Viewed', timestamp: '2026-03-05T09:00:00Z' }]);
    expect(await idOf(s.app, 'anonymousId=anon-paul')).toBe(paul);
    const audit = await s.store.auditOf(ProfileId(paul));
    expect(audit.filter((a) => a.action === 'merge_refused')).toEqual([expect.objectContaining({ reason: expect.stringContaining('unmerge') })]);
    // An administrator still can.
    const again = await s.identity.merge(ProfileId(paul), ProfileId(claire), { actor: 'admin', cause: 'manual', evidence: {} });
    expect(again.ok).toBe(true);
    expect(await idOf(s.app, 'anonymousId=anon-paul')).toBe(claire);
  });

  it('refuses merges that break the identifier limits, and unmerges that are done or unknown, each with its code', async () => {
    s = await startTestSegmentum();
    await send(s.app, [{ type: 'identify', userId: 'ana', traits: { plan: 'a' }, timestamp: '2026-03-01T09:00:00Z' }]);
    await send(s.app, [{ type: 'identify', userId: 'bob', traits: { plan: 'b' }, timestamp: '2026-03-02T09:00:00Z' }]);
    const [ana, bob] = [await idOf(s.app, 'userId=ana'), await idOf(s.app, 'userId=bob')];
    const refused = await s.identity.merge(ProfileId(ana), ProfileId(bob), { actor: 'admin', cause: 'manual', evidence: {} });
    expect(refused).toMatchObject({ ok: false, error: { code: 'identity.merge_refused', message: expect.stringContaining('user_id') } });
    expect(await s.identity.merge(ProfileId(ana), ProfileId(ana), { actor: 'admin', cause: 'manual', evidence: {} })).toMatchObject({
      ok: false,
      error: { code: 'identity.same_profile' },
    });
    expect(await s.identity.merge(ProfileId(ana), ProfileId('prof_nope'), { actor: 'admin', cause: 'manual', evidence: {} })).toMatchObject({
      ok: false,
      error: { code: 'identity.unknown_profile' },
    });
    await send(s.app, [{ type: 'page', anonymousId: 'cid', name: 'Home', timestamp: '2026-03-03T09:00:00Z' }]);
    const cid = await idOf(s.app, 'anonymousId=cid');
    const m = await s.identity.merge(ProfileId(bob), ProfileId(cid), { actor: 'admin', cause: 'manual', evidence: {} });
    if (!m.ok) throw new Error(m.error.message);
    expect((await s.identity.unmerge(m.value.edge.mergeId, { actor: 'admin' })).ok).toBe(true);
    expect(await s.identity.unmerge(m.value.edge.mergeId, { actor: 'admin' })).toMatchObject({ ok: false, error: { code: 'identity.already_undone' } });
    expect(await s.identity.unmerge('mrg_nope', { actor: 'admin' })).toMatchObject({ ok: false, error: { code: 'identity.merge_not_found' } });
    expect((await snapshot(s, bob)).traits).toEqual({ plan: 'b' });
  });

  it('refuses to undo a merge whose survivor was merged later, naming the merge to undo first', async () => {
    s = await startTestSegmentum();
    await send(s.app, [{ type: 'page', anonymousId: 'x', name: 'A', timestamp: '2026-03-01T09:00:00Z' }]);
    await send(s.app, [{ type: 'page', anonymousId: 'y', name: 'B', timestamp: '2026-03-02T09:00:00Z' }]);
    await send(s.app, [{ type: 'page', anonymousId: 'z', name: 'C', timestamp: '2026-03-03T09:00:00Z' }]);
    const [x, y, z] = [await idOf(s.app, 'anonymousId=x'), await idOf(s.app, 'anonymousId=y'), await idOf(s.app, 'anonymousId=z')];
    const yz = await s.identity.merge(ProfileId(y), ProfileId(z), { actor: 'admin', cause: 'manual', evidence: {} });
    const xy = await s.identity.merge(ProfileId(x), ProfileId(y), { actor: 'admin', cause: 'manual', evidence: {} });
    if (!yz.ok || !xy.ok) throw new Error('merge failed');
    const blocked = await s.identity.unmerge(yz.value.edge.mergeId, { actor: 'admin' });
    expect(blocked).toMatchObject({ ok: false, error: { code: 'identity.unmerge_blocked', message: expect.stringContaining(xy.value.edge.mergeId) } });
    // Newest first: y comes back holding z, then z comes back.
    expect((await s.identity.unmerge(xy.value.edge.mergeId, { actor: 'admin' })).ok).toBe(true);
    expect((await snapshot(s, y)).events.total).toBe(2);
    expect((await s.identity.unmerge(yz.value.edge.mergeId, { actor: 'admin' })).ok).toBe(true);
    for (const id of [x, y, z]) expect((await snapshot(s, id)).events.total).toBe(1);
    expect((await s.profiles.stats()).profiles).toBe(3);
  });

  it('keeps the split after a restart: edges, the block on automatic re-merge and both profiles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segmentum-unmerge-'));
    dirs.push(dir);
    const db = join(dir, 'db.duckdb');
    s = await startTestSegmentum({ db });
    const { claire, paul } = await twoPeople(s);
    await createSegments(s);
    const beforePaul = await snapshot(s, paul);
    const m = await s.identity.merge(ProfileId(claire), ProfileId(paul), { actor: 'admin', cause: 'manual', evidence: {} });
    if (!m.ok) throw new Error('merge failed');
    expect((await s.identity.unmerge(m.value.edge.mergeId, { actor: 'admin' })).ok).toBe(true);
    await s.close();
    s = await startTestSegmentum({ db });
    expect(await snapshot(s, paul)).toEqual(beforePaul);
    expect((await s.identity.mergesOf(ProfileId(paul)))[0]).toMatchObject({ status: 'undone', undoneBy: 'admin' });
    await send(s.app, [{ type: 'track', userId: 'claire', anonymousId: 'anon-paul', event: 'Cart Viewed', timestamp: '2026-03-05T09:00:00Z' }]);
    expect(await idOf(s.app, 'anonymousId=anon-paul')).toBe(paul);
  });
});

describe('identity API', () => {
  it('shows, merges and unmerges over HTTP, with the key as actor, stable error codes and scopes enforced', async () => {
    s = await startTestSegmentum();
    const { claire, paul } = await twoPeople(s);
    const admin = { authorization: bearer(ADMIN_KEY) };
    const merge = await s.app.inject({ method: 'POST', url: '/api/identity/merges', headers: admin, payload: { profileIds: [paul, claire], reason: 'same household' } });
    expect(merge.statusCode).toBe(201);
    const edge = merge.json();
    expect(edge).toMatchObject({ survivor: claire, merged: paul, cause: 'manual', status: 'active', evidence: { reason: 'same household' } });
    expect(edge.actor).toMatch(/^key:/);
    expect(edge.mergedIdentities).toEqual(expect.arrayContaining(['anonymous_id:anon-paul']));
    // No trait value, personal or not, in the edge.
    expect(JSON.stringify(edge)).not.toContain('paul@example.fr');

    const shown = await s.app.inject({ url: `/api/identity/profiles/${paul}`, headers: admin });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({ profileId: claire, mergedFrom: paul, merges: [{ id: edge.id, status: 'active' }] });
    expect((await s.app.inject({ url: `/api/identity/merges/${edge.id}`, headers: admin })).json()).toEqual(edge);

    // A key that may only read cannot merge or unmerge.
    const created = await s.app.inject({ method: 'POST', url: '/api/keys', headers: admin, payload: { label: 'analyst', scopes: ['read'] } });
    const reader = { authorization: bearer(created.json().key as string) };
    const denied = await s.app.inject({ method: 'POST', url: `/api/identity/merges/${edge.id}/unmerge`, headers: reader, payload: {} });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('auth.forbidden_scope');

    const undo = await s.app.inject({ method: 'POST', url: `/api/identity/merges/${edge.id}/unmerge`, headers: admin, payload: { reason: 'not the same' } });
    expect(undo.statusCode).toBe(200);
    expect(undo.json()).toMatchObject({ survivor: claire, restored: paul, events: 3 });
    const again = await s.app.inject({ method: 'POST', url: `/api/identity/merges/${edge.id}/unmerge`, headers: admin, payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'identity.already_undone', hint: expect.any(String) });
    const missing = await s.app.inject({ url: '/api/identity/merges/mrg_unknown', headers: admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('identity.merge_not_found');
    const same = await s.app.inject({ method: 'POST', url: '/api/identity/merges', headers: admin, payload: { profileIds: [claire, claire] } });
    expect(same.statusCode).toBe(409);
    expect(same.json().error.code).toBe('identity.same_profile');
    const bad = await s.app.inject({ method: 'POST', url: '/api/identity/merges', headers: admin, payload: { profileIds: [claire] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('request.invalid');
    const shownAfter = (await s.app.inject({ url: `/api/identity/profiles/${paul}`, headers: admin })).json();
    expect(shownAfter.profileId).toBe(paul);
    expect(shownAfter.audit.map((a: { action: string }) => a.action)).toEqual(['merge', 'unmerge']);
  });
});
