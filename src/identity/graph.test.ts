import { describe, expect, it } from 'vitest';
import { IdentityConfig } from '../config/index.js';
import type { ProfileId } from '../kernel/index.js';
import { IdentityGraph } from './graph.js';
import type { Identifier } from './identifiers.js';

const config = IdentityConfig.parse({});
const ctx = (t: number) => ({ at: new Date(Date.UTC(2026, 0, 1) + t * 1000), actor: 'test', messageId: null });
const u = (v: string): Identifier => ({ kind: 'user_id', value: v });
const a = (v: string): Identifier => ({ kind: 'anonymous_id', value: v });

describe('IdentityGraph', () => {
  it('creates a profile for new identifiers and finds it again by any of them', () => {
    const g = new IdentityGraph(config);
    const r1 = g.resolve([a('anon-1')], ctx(0));
    expect(r1.created).toBe(true);
    const r2 = g.resolve([a('anon-1'), u('user-1')], ctx(1));
    expect(r2.created).toBe(false);
    expect(r2.profileId).toBe(r1.profileId);
    expect(r2.links).toEqual([expect.objectContaining({ kind: 'user_id', value: 'user-1' })]);
    expect(g.resolve([u('user-1')], ctx(2)).profileId).toBe(r1.profileId);
  });

  it('merges two profiles into the older one when one event links them', () => {
    const g = new IdentityGraph(config);
    const older = g.resolve([a('phone')], ctx(0)).profileId;
    const younger = g.resolve([u('jean')], ctx(10)).profileId;
    const r = g.resolve([u('jean'), a('phone')], ctx(20));
    expect(r.merges).toEqual([
      expect.objectContaining({
        winner: older,
        loser: younger,
        cause: 'event',
        loserIds: [{ kind: 'user_id', value: 'jean' }],
        winnerIds: [{ kind: 'anonymous_id', value: 'phone' }],
        evidence: expect.objectContaining({ identifiers: ['user_id:jean', 'anonymous_id:phone'] }),
      }),
    ]);
    expect(r.profileId).toBe(older);
    expect(r.audit[0]).toMatchObject({ action: 'merge', profileId: older, otherProfileId: younger });
    expect(g.canonical(younger)).toBe(older);
    expect(g.lookup(u('jean'))).toBe(older);
  });

  it('unmerges: the loser gets its identifiers back and events no longer merge the pair; an explicit merge still does', () => {
    const g = new IdentityGraph(config);
    const older = g.resolve([a('phone')], ctx(0)).profileId;
    const younger = g.resolve([u('jean'), a('laptop')], ctx(10)).profileId;
    const m = g.resolve([u('jean'), a('phone')], ctx(20)).merges[0];
    if (!m) throw new Error('no merge');
    const given = g.unmerge(older, younger, m.loserIds, ctx(10).at);
    expect(given).toEqual([u('jean'), a('laptop')]);
    expect(g.lookup(u('jean'))).toBe(younger);
    expect(g.lookup(a('phone'))).toBe(older);
    expect(g.canonical(younger)).toBe(younger);
    expect(g.identifiersOf(older)).toEqual([a('phone')]);
    const again = g.resolve([u('jean'), a('phone')], ctx(30));
    expect(again.merges).toEqual([]);
    expect(again.audit).toEqual([expect.objectContaining({ action: 'merge_refused', reason: expect.stringContaining('unmerge') })]);
    const forced = g.mergePair(younger, older, 'manual', {}, ctx(40));
    expect(forced).toMatchObject({ ok: true, merge: { winner: older, loser: younger, cause: 'manual' } });
    expect(g.lookup(u('jean'))).toBe(older);
  });

  it('refuses an explicit merge of one profile with itself or past the identifier limits', () => {
    const g = new IdentityGraph(config);
    const p1 = g.resolve([u('a')], ctx(0)).profileId;
    const p2 = g.resolve([u('b')], ctx(1)).profileId;
    expect(g.mergePair(p1, p2, 'manual', {}, ctx(2))).toMatchObject({ ok: false, code: 'identity.merge_refused' });
    expect(g.mergePair(p1, p1, 'manual', {}, ctx(2))).toMatchObject({ ok: false, code: 'identity.same_profile' });
    expect(g.mergePair(p1, 'prof_x' as ProfileId, 'manual', {}, ctx(2))).toMatchObject({ ok: false, code: 'identity.unknown_profile' });
  });

  it('refuses a merge that would give one profile two userIds, and records why', () => {
    const g = new IdentityGraph(config);
    const p1 = g.resolve([u('alice'), a('shared-device')], ctx(0)).profileId;
    const p2 = g.resolve([u('bob')], ctx(1)).profileId;
    const r = g.resolve([u('bob'), a('shared-device')], ctx(2));
    expect(r.merges).toEqual([]);
    expect(r.profileId).toBe(p2); // the userId decides
    expect(r.audit).toEqual([expect.objectContaining({ action: 'merge_refused', profileId: p2, otherProfileId: p1 })]);
    expect(g.lookup(a('shared-device'))).toBe(p1);
  });

  it('gives a new userId its own profile when its other ids belong to another user', () => {
    const g = new IdentityGraph(config);
    const alice = g.resolve([u('alice'), a('family-tablet')], ctx(0)).profileId;
    const r = g.resolve([u('bob'), a('family-tablet')], ctx(1));
    expect(r.created).toBe(true);
    expect(r.profileId).not.toBe(alice);
    expect(r.links).toEqual([expect.objectContaining({ kind: 'user_id', value: 'bob' })]);
    expect(r.audit).toEqual([expect.objectContaining({ action: 'merge_refused', otherProfileId: alice })]);
    expect(g.lookup(a('family-tablet'))).toBe(alice);
  });

  it('stops linking anonymous ids past the per-kind limit, so one bad id cannot collapse many profiles', () => {
    const g = new IdentityGraph(IdentityConfig.parse({ maxIdsPerKind: { anonymous_id: 2, email: 5 } }));
    const p = g.resolve([u('u'), a('a1')], ctx(0)).profileId;
    g.resolve([u('u'), a('a2')], ctx(1));
    const r = g.resolve([u('u'), a('a3')], ctx(2));
    expect(r.profileId).toBe(p);
    expect(r.links).toEqual([]);
    expect(r.audit[0]).toMatchObject({ action: 'link_refused', ids: ['anonymous_id:a3'] });
    expect(g.lookup(a('a3'))).toBeUndefined();
  });

  it('rebuilds the same answers from a snapshot', () => {
    const g = new IdentityGraph(config);
    const p = g.resolve([u('x'), a('y')], ctx(0)).profileId;
    const g2 = IdentityGraph.fromSnapshot(config, {
      profiles: [{ profileId: p, createdAt: ctx(0).at }],
      links: [
        { kind: 'user_id', value: 'x', profileId: p },
        { kind: 'anonymous_id', value: 'y', profileId: p },
      ],
      mergedInto: [{ loser: 'prof_old' as ProfileId, winner: p }],
      blockedPairs: [],
    });
    expect(g2.lookup(a('y'))).toBe(p);
    expect(g2.canonical('prof_old' as ProfileId)).toBe(p);
  });
});
