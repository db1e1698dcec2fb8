import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileId, SourceId, silentLogger } from '../kernel/index.js';
import { openDuckDbStore, type CommitBatch, type EventRow, type ProfileRow, type Store } from '../store/index.js';
import { definitionArb, NOW, profileArb, shiftArb, type GeneratedProfile } from '../../test/support/segment-scenarios.js';
import type { Condition } from './ast.js';
import { compileSegment, type CompileContext } from './compile-sql.js';
import { evaluate } from './evaluate.js';
import { HistoryFacts, toSegmentEvent, type ProfileHistory } from './history-facts.js';

/**
 * Differential test of the batch evaluator: the SQL compiled from a definition must select exactly the profiles
 * that the reference evaluator (history-facts.ts, a direct reading of docs/segments.md) accepts.
 */

const isPii = (k: string) => k === 'email';

function batchOf(profiles: GeneratedProfile[]): { batch: CommitBatch; histories: ProfileHistory[] } {
  const batch: CommitBatch = {
    events: [], quarantine: [], quarantineUpdates: [], identityLinks: [], merges: [], profiles: [], accounts: [], memberships: [], audit: [], duplicates: 0,
  };
  const histories: ProfileHistory[] = [];
  profiles.forEach((p, i) => {
    const profileId = ProfileId(`prof_${String(i).padStart(3, '0')}`);
    const times: Record<string, string> = {};
    const traitTimes: Record<string, number> = {};
    for (const k of Object.keys(p.traits)) {
      const t = NOW - (p.traitAges[k] ?? 0);
      times[k] = new Date(t).toISOString();
      traitTimes[k] = t;
    }
    const pii: ProfileRow['pii'] = p.email === null ? { values: {}, times: {} } : { values: { email: p.email }, times: { email: new Date(NOW - 86_400_000).toISOString() } };
    if (p.email !== null) traitTimes.email = NOW - 86_400_000;
    const row: ProfileRow = { profileId, createdAt: new Date(NOW - 90 * 86_400_000), updatedAt: new Date(NOW), mergedInto: null, traits: { values: p.traits, times }, pii };
    batch.profiles.push(row);
    p.events.forEach((e, j) => {
      const ev: EventRow = {
        messageId: `m${i}-${j}`, sourceId: SourceId('test'), profileId, type: e.type, event: e.event, userId: null, anonymousId: `a${i}`, groupId: null,
        timestamp: new Date(NOW + e.offset), originalTimestamp: null, sentAt: null, receivedAt: new Date(NOW), messageIdGenerated: false,
        properties: e.properties, traits: {}, context: {}, integrations: {}, extra: {},
      };
      batch.events.push(ev);
    });
    histories.push({
      profileId,
      traits: p.email === null ? p.traits : { ...p.traits, email: p.email },
      traitTimes,
      events: p.events.map((e) => toSegmentEvent({ type: e.type, event: e.event, ts: NOW + e.offset, properties: e.properties })),
    });
  });
  return { batch, histories };
}

function reference(def: Condition, h: ProfileHistory, defs: Record<string, Condition>, now: number): boolean {
  const inSegment = (name: string): boolean => {
    const d = defs[name];
    return d !== undefined && evaluate(d, new HistoryFacts(h, now, inSegment));
  };
  return evaluate(def, new HistoryFacts(h, now, inSegment));
}

describe('SQL compiler vs reference evaluator', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openDuckDbStore({ path: ':memory:', logger: silentLogger });
  });
  afterAll(async () => store.close());

  it('selects the same profiles for generated definitions and profiles (fast-check, 150 data sets x 3 definitions)', async () => {
    let nonEmpty = 0;
    let notAll = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(profileArb, { minLength: 1, maxLength: 6 }),
        definitionArb(false),
        definitionArb(false),
        definitionArb(true),
        shiftArb,
        async (profiles, base, other, main, shift) => {
          const s = await openDuckDbStore({ path: ':memory:', logger: silentLogger });
          try {
            const { batch, histories } = batchOf(profiles);
            await s.commit(batch);
            const now = NOW + shift;
            const defs = { base, other };
            const ctx: CompileContext = {
              dialect: s.dialect,
              now: new Date(now),
              isPii,
              segment: (name) => (name === 'base' ? { kind: 'rule', definition: base } : name === 'other' ? { kind: 'rule', definition: other } : null),
            };
            for (const def of [base, other, main]) {
              const got = await s.selectProfileIds(compileSegment(def, ctx), {});
              const want = histories.filter((h) => reference(def, h, defs, now)).map((h) => h.profileId);
              expect(got, JSON.stringify(def)).toEqual(want);
              if (want.length > 0) nonEmpty++;
              if (want.length < histories.length) notAll++;
            }
          } finally {
            await s.close();
          }
        },
      ),
      { numRuns: 150, seed: 20261123 },
    );
    // The generators must produce segments that select some profiles and not others, or the test proves little.
    expect(nonEmpty).toBeGreaterThan(100);
    expect(notAll).toBeGreaterThan(100);
  });

  it('binds every value: hostile names and values stay data', async () => {
    const hostile = `x'); DROP TABLE events; --`;
    const def: Condition = {
      kind: 'and',
      of: [
        { kind: 'compare', left: { kind: 'trait', path: [hostile, '"quoted"'] }, op: '=', value: hostile },
        { kind: 'exists', left: { kind: 'aggregate', fn: 'sum', event: hostile, property: [hostile], where: { kind: 'compare', left: { kind: 'property', path: ['a/b~c'] }, op: 'contains', value: `'; --` } } },
      ],
    };
    const q = compileSegment(def, { dialect: store.dialect, now: new Date(NOW), isPii, segment: () => null });
    expect(q.sql).not.toContain(hostile);
    expect(q.sql).not.toContain('DROP');
    expect(q.params).toContain(hostile);
    await expect(store.selectProfileIds(q, {})).resolves.toEqual([]);
    expect((await store.stats()).events).toBe(0);
  });
});
