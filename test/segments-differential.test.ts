import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileId, SourceId, silentLogger } from '../src/kernel/index.js';
import { compileSegment, evaluate, expandComputed, HistoryFacts, LiveEngine, toSegmentEvent, type ProfileHistory } from '../src/segments/index.js';
import type { Condition } from '../src/segments/index.js';
import { BUILT_IN_COMPUTED_TRAITS } from '../src/segments/index.js';
import { openDuckDbStore, type CommitBatch, type ProfileRow, type SegmentRow, type Store } from '../src/store/index.js';
import { definitionArb, eventArb, NOW, profileArb, timedDefinitionArb, type GeneratedEvent } from './support/segment-scenarios.js';

/**
 * Generated scenarios through the live engine and the SQL compiler: random definitions (three segments, the third
 * may refer to the first two), random profiles, then random steps (events arrive, traits change, time passes). After
 * every step the live members, the SQL members at that instant and the reference evaluator must be the same sets,
 * and the durable members table must equal the live ones (the change feed replays to the same state).
 */

const isPii = (k: string) => k === 'email';
const DAY = 86_400_000;

type Step =
  | { kind: 'events'; profile: number; events: GeneratedEvent[] }
  | { kind: 'traits'; profile: number; traits: Record<string, unknown> }
  | { kind: 'advance'; ms: number }
  | { kind: 'compact' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'compact' as const }),
  fc.record({ kind: fc.constant('events' as const), profile: fc.nat(5), events: fc.array(eventArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({
    kind: fc.constant('traits' as const),
    profile: fc.nat(5),
    traits: fc.dictionary(fc.constantFrom('country', 'plan', 'vip', 'age'), fc.oneof(fc.constantFrom('FR', 'DE', 'premium'), fc.integer({ min: 0, max: 40 }), fc.boolean()), { maxKeys: 2 }),
  }),
  fc.record({
    kind: fc.constant('advance' as const),
    ms: fc.integer({ min: 1, max: 30 }).map((h) => h * 3_600_000),
  }),
  fc.record({
    kind: fc.constant('advance' as const),
    ms: fc.oneof(fc.integer({ min: 1, max: 3 * DAY }), fc.integer({ min: 1, max: 20 }).map((d) => d * DAY), fc.integer({ min: 1, max: 48 }).map((h) => h * 3_600_000)),
  }),
);

async function durableMembers(store: Store, segmentId: string): Promise<string[]> {
  const members = new Set((await store.membersPage(segmentId, { limit: 1000 })).map((m) => m.profileId as string));
  const st = await store.segmentEngineState();
  await store.scanChanges(st.membersSeq, (c) => {
    if (c.segmentId !== segmentId) return;
    if (c.change === 'entered') members.add(c.profileId);
    else members.delete(c.profileId);
  });
  return [...members].sort();
}

const empty = (): CommitBatch => ({
  events: [], quarantine: [], quarantineUpdates: [], identityLinks: [], merges: [], profiles: [], accounts: [], memberships: [], audit: [], duplicates: 0,
});

describe('live engine vs SQL vs reference on generated scenarios', () => {
  it('agree on every member after every step (fast-check, 80 scenarios)', async () => {
    let checks = 0;
    let nonEmpty = 0;
    let timedChanges = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(profileArb, { minLength: 2, maxLength: 6 }),
        // Half the scenarios use definitions driven by time, to exercise the timers.
        fc.oneof(definitionArb(false), timedDefinitionArb),
        fc.oneof(definitionArb(false), timedDefinitionArb),
        fc.oneof(definitionArb(true), timedDefinitionArb),
        fc.array(stepArb, { minLength: 3, maxLength: 10 }),
        async (profiles, base, other, main, steps) => {
          const store: Store = await openDuckDbStore({ path: ':memory:', logger: silentLogger });
          try {
            let now = NOW;
            const histories: ProfileHistory[] = [];
            const rows: ProfileRow[] = [];
            const first = empty();
            profiles.forEach((p, i) => {
              const profileId = ProfileId(`prof_${i}`);
              const times: Record<string, string> = {};
              const traitTimes: Record<string, number> = {};
              for (const k of Object.keys(p.traits)) {
                traitTimes[k] = now - (p.traitAges[k] ?? 0);
                times[k] = new Date(traitTimes[k]).toISOString();
              }
              const pii: ProfileRow['pii'] = p.email === null ? { values: {}, times: {} } : { values: { email: p.email }, times: { email: new Date(now - DAY).toISOString() } };
              if (p.email !== null) traitTimes.email = now - DAY;
              const row: ProfileRow = { profileId, createdAt: new Date(now - 90 * DAY), updatedAt: new Date(now), mergedInto: null, traits: { values: { ...p.traits }, times }, pii };
              rows.push(row);
              first.profiles.push(row);
              histories.push({ profileId, traits: p.email === null ? { ...p.traits } : { ...p.traits, email: p.email }, traitTimes, events: [] });
            });
            let n = 0;
            const addEvents = (batch: CommitBatch, i: number, events: GeneratedEvent[]) => {
              const h = histories[i] as ProfileHistory;
              for (const e of events) {
                const ts = now + e.offset;
                batch.events.push({
                  messageId: `m${n++}`, sourceId: SourceId('t'), profileId: h.profileId as ProfileId, type: e.type, event: e.event, userId: null, anonymousId: 'a',
                  groupId: null, timestamp: new Date(ts), originalTimestamp: null, sentAt: null, receivedAt: new Date(now), messageIdGenerated: false,
                  properties: e.properties, traits: {}, context: {}, integrations: {}, extra: {},
                });
                h.events.push(toSegmentEvent({ type: e.type, event: e.event, ts, properties: e.properties }));
              }
            };
            profiles.forEach((p, i) => addEvents(first, i, p.events));
            await store.commit(first);

            const engine = await LiveEngine.start({ store, isPii, computed: BUILT_IN_COMPUTED_TRAITS, logger: silentLogger }, new Date(now));
            const defs: Record<string, Condition> = { base, other, main };
            for (const name of ['base', 'other', 'main']) {
              const row: SegmentRow = { segmentId: `seg_${name}`, name, description: '', kind: 'rule', definition: defs[name], createdAt: new Date(now), updatedAt: new Date(now) };
              await engine.upsert(row, new Date(now));
              const b = empty();
              engine.prepare(b, new Date(now));
              await store.commit(b);
            }

            const referenceAt = (def: Condition, h: ProfileHistory, at: number): boolean => {
              const inSeg = (name: string): boolean => {
                const d = defs[name];
                return d !== undefined && evaluate(d, new HistoryFacts(h, at, inSeg));
              };
              return evaluate(def, new HistoryFacts(h, at, inSeg));
            };
            let seq = 0;
            let timed = 0;
            /** Changes caused by time passing must happen at the very instant the reference flips. */
            const checkTimedChanges = async (before: ProfileHistory[], label: string) => {
              const changes = await store.changesSince(seq, 10_000);
              for (const c of changes) {
                seq = c.seq;
                if ((c.reason as { trigger?: string }).trigger !== 'time') continue;
                const h = before.find((x) => x.profileId === c.profileId) as ProfileHistory;
                const def = defs[c.segmentId.slice(4)] as Condition;
                const t = c.at.getTime();
                const ctx = `${label}: ${c.change} ${c.segmentId} at ${c.at.toISOString()}: ${JSON.stringify(def)}`;
                expect(referenceAt(def, h, t), ctx).toBe(c.change === 'entered');
                expect(referenceAt(def, h, t - 1), ctx).toBe(c.change !== 'entered');
                timed++;
              }
            };
            const check = async (label: string) => {
              const reference = (def: Condition, h: ProfileHistory): boolean => referenceAt(def, h, now);
              for (const name of ['base', 'other', 'main']) {
                const def = defs[name] as Condition;
                const want = histories.filter((h) => reference(def, h)).map((h) => h.profileId);
                const live = histories.filter((h) => engine.isMember(`seg_${name}`, h.profileId as ProfileId)).map((h) => h.profileId);
                const q = compileSegment(expandComputed(def, BUILT_IN_COMPUTED_TRAITS), {
                  dialect: store.dialect,
                  now: new Date(now),
                  isPii,
                  segment: (x) => (defs[x] ? { kind: 'rule', definition: defs[x] } : null),
                });
                const sql = await store.selectProfileIds(q, {});
                // The durable state: the compacted members plus the feed replayed on top, as a restart reads it.
                const durable = await durableMembers(store, `seg_${name}`);
                const ctx = `${label}, segment ${name}: ${JSON.stringify(def)}`;
                expect(live, `live ${ctx}`).toEqual(want);
                expect(sql, `sql ${ctx}`).toEqual(want);
                expect(durable, `durable ${ctx}`).toEqual(want);
                checks++;
                if (want.length > 0) nonEmpty++;
              }
            };
            await check('after creation');
            seq = (await store.changesSince(0, 100_000)).reduce((m, c) => Math.max(m, c.seq), 0);
            for (const [k, step] of steps.entries()) {
              const before = structuredClone(histories);
              const b = empty();
              if (step.kind === 'compact') engine.compactNextCommit();
              else if (step.kind === 'advance') now += step.ms;
              else if (step.kind === 'events') addEvents(b, step.profile % histories.length, step.events);
              else {
                const i = step.profile % histories.length;
                const row = rows[i] as ProfileRow;
                const h = histories[i] as ProfileHistory;
                for (const [key, v] of Object.entries(step.traits)) {
                  if (JSON.stringify(row.traits.values[key]) === JSON.stringify(v)) continue;
                  row.traits.values[key] = v;
                  row.traits.times[key] = new Date(now).toISOString();
                  h.traits[key] = v;
                  h.traitTimes[key] = now;
                }
                b.profiles.push(row);
              }
              engine.prepare(b, new Date(now));
              await store.commit(b);
              await checkTimedChanges(before, `step ${k + 1} (${step.kind})`);
              await check(`step ${k + 1} (${step.kind})`);
            }
            timedChanges += timed;
            // A second engine started from the store (a restart) holds the same members as the live one.
            const restarted = await LiveEngine.start({ store, isPii, computed: BUILT_IN_COMPUTED_TRAITS, logger: silentLogger }, new Date(now));
            for (const name of ['base', 'other', 'main']) {
              for (const h of histories) {
                const id = h.profileId as ProfileId;
                expect(restarted.isMember(`seg_${name}`, id), `restart: ${name} ${id}`).toBe(engine.isMember(`seg_${name}`, id));
              }
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 80, seed: 4242 },
    );
    expect(checks).toBeGreaterThan(500);
    console.log(`differential: ${checks} checks, ${nonEmpty} non-empty, ${timedChanges} time-driven changes`);
    expect(timedChanges).toBeGreaterThan(20);
    expect(nonEmpty).toBeGreaterThan(100);
  }, 180_000); // 80 generated scenarios, each checked in three ways: minutes on a loaded 2-core machine
});
