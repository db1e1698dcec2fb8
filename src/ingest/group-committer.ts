import type { IdentityConfig } from '../config/index.js';
import { randomUUID } from 'node:crypto';
import { AccountId, AppError, type Clock, type Logger, type ProfileId, type QuarantineId } from '../kernel/index.js';
import { IdentityGraph, type Identifier } from '../identity/index.js';
import { applyTraits, emptyTraits, mergeTraits, type GraphTask } from '../profiles/index.js';
import type { AccountRow, CommitBatch, EventRow, IngestStore, MergeEdgeRow, ProfileRow, ProfileSnapshot, QuarantineRow, QuarantineUpdate } from '../store/index.js';
import { DedupIndex } from './dedup.js';
import type { NormalizedEvent } from './normalize.js';

/** Counters the committer reports to; main.ts backs them with Prometheus metrics. */
export interface IngestMetrics {
  accepted(type: string, n: number): void;
  rejected(code: string, n: number): void;
  duplicates(n: number): void;
  committed(events: number, seconds: number): void;
}

export const noMetrics: IngestMetrics = { accepted: () => {}, rejected: () => {}, duplicates: () => {}, committed: () => {} };

/** One request's share of a commit. */
export interface Work {
  events: NormalizedEvent[];
  quarantine: QuarantineRow[];
  quarantineUpdates: QuarantineUpdate[];
  /** For replays: the quarantine row each event came from, by position in `events`. */
  replayOf?: (QuarantineId | undefined)[];
  actor: string;
}

export interface WorkOutcome {
  /** For each event of the work, in order: stored, or a duplicate of one stored before. */
  results: ('accepted' | 'duplicate')[];
}

interface Pending {
  work: Work;
  size: number;
  resolve: (o: WorkOutcome) => void;
  reject: (e: unknown) => void;
  /** A task that runs alone between commits, its effects written by the commit that follows it. */
  task?: (now: Date, batch: CommitBatch) => Promise<unknown>;
  /** A task that changes the identity graph: rebuilt from the store when it fails. */
  graphTask?: boolean;
  taskResolve?: (v: unknown) => void;
}

/**
 * Sees every batch just before it is written and may add to it (the live segment engine adds the membership changes
 * the batch causes, so they land in the same transaction). Runs on the writer's loop: nothing else commits meanwhile.
 */
export interface CommitObserver {
  prepare(batch: CommitBatch, now: Date): void;
  /** The commit failed after `prepare`: state derived from the batch must be rebuilt from the store. */
  failed(now: Date): Promise<void>;
  /**
   * These profiles were rewritten outside a batch (an unmerge moved events between them): state derived from them
   * is rebuilt from the store; changes it causes go with the next commit.
   */
  reloadProfiles?(rows: ProfileRow[], now: Date): Promise<void>;
}


const EMPTY_WORK: Work = { events: [], quarantine: [], quarantineUpdates: [], actor: 'system' };

export interface GroupCommitterOptions {
  store: IngestStore;
  identity: IdentityConfig;
  clock: Clock;
  logger: Logger;
  metrics: IngestMetrics;
  maxQueuedEvents: number;
  maxEventsPerCommit: number;
  dedupWindowDays: number;
}

/**
 * The single writer of the ingest path. Requests queue their validated events; one loop takes everything queued
 * (up to maxEventsPerCommit), resolves identities, folds traits and writes it all in one transaction, then answers
 * every request of the group. Many requests share one fsync (group commit), and no request is answered before its
 * events are durable.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private running = false;
  private closing = false;
  private idle: (() => void)[] = [];
  private graph!: IdentityGraph;
  private readonly dedup: DedupIndex;
  /**
   * Profiles as last committed, so identify-heavy traffic does not read back what it just wrote. The committer is
   * the only writer, which keeps the cache exact; a failed commit clears it.
   */
  private readonly profileCache = new Map<ProfileId, ProfileRow>();
  private static readonly MAX_CACHED_PROFILES = 100_000;
  private observer: CommitObserver | null = null;

  /** Registers the one observer of commits (main.ts wires the live segment engine here). */
  observe(o: CommitObserver): void {
    this.observer = o;
  }

  /**
   * Runs `fn` alone on the writer's loop, then commits whatever the observer adds (a segment created, a timer due).
   * Resolves with fn's value once that commit is durable.
   */
  runTask<T>(fn: (now: Date) => Promise<T>): Promise<T> {
    return this.enqueueTask((now) => fn(now), false);
  }

  /**
   * Runs `fn` alone on the writer's loop with the identity graph (merges and unmerges by an administrator or a
   * match). Merges it puts in the batch are folded like an event's; everything is committed together.
   */
  runGraphTask<T>(fn: (ctx: GraphTask) => Promise<T>): Promise<T> {
    return this.enqueueTask(async (now, batch) => {
      const value = await fn({
        now,
        graph: this.graph,
        batch,
        profilesRewritten: async (rows) => {
          for (const r of rows) this.profileCache.delete(r.profileId);
          await this.observer?.reloadProfiles?.(rows, now);
        },
      });
      if (batch.merges.length > 0) {
        const touched = new Set<ProfileId>(batch.merges.flatMap((m) => [m.winner, m.loser]));
        await this.foldProfiles(batch, touched, new Set(), [], now);
      }
      return value;
    }, true);
  }

  /** Queues a task for the writer's loop; `graphTask`: the identity graph is rebuilt from the store if it fails. */
  private enqueueTask<T>(task: (now: Date, batch: CommitBatch) => Promise<T>, graphTask: boolean): Promise<T> {
    if (this.closing) throw new AppError('server.shutting_down', 'The server is shutting down.', { retryAfterSeconds: 5 });
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        work: EMPTY_WORK,
        size: 0,
        resolve: () => undefined,
        reject,
        graphTask,
        task,
        taskResolve: (v) => resolve(v as T),
      });
      if (!this.running) void this.loop();
    });
  }

  /** Commits nothing but what the observer has due (timers): the host calls this when a timer's instant comes. */
  tick(): Promise<void> {
    if (this.closing) return Promise.resolve();
    return this.runTask(async () => undefined);
  }

  private constructor(private readonly o: GroupCommitterOptions) {
    this.dedup = new DedupIndex(o.dedupWindowDays);
  }

  static async start(o: GroupCommitterOptions): Promise<GroupCommitter> {
    const c = new GroupCommitter(o);
    await c.reload();
    return c;
  }

  /** Rebuilds the in-memory identity graph and dedup index from the store. */
  private async reload(): Promise<void> {
    this.profileCache.clear();
    this.graph = IdentityGraph.fromSnapshot(this.o.identity, await this.o.store.loadIdentitySnapshot());
    const now = this.o.clock.now();
    const since = new Date(now.getTime() - (Math.ceil(this.o.dedupWindowDays) + 1) * 86_400_000);
    await this.o.store.loadRecentMessageIds(since, (s, m, at) => this.dedup.add(DedupIndex.key(s, m), at));
    this.dedup.expire(now);
  }

  get pendingEvents(): number {
    return this.queuedEvents;
  }

  /** Queues a request's events; resolves once they are durable. Throws AppError when the queue is full. */
  submit(work: Work): Promise<WorkOutcome> {
    if (this.closing) throw new AppError('server.shutting_down', 'The server is shutting down.', { retryAfterSeconds: 5 });
    const size = work.events.length + work.quarantine.length;
    if (this.queuedEvents > 0 && this.queuedEvents + size > this.o.maxQueuedEvents) {
      throw new AppError('server.overloaded', `${this.queuedEvents} events are waiting to be written.`, { retryAfterSeconds: 1 });
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ work, size, resolve, reject });
      this.queuedEvents += size;
      if (!this.running) void this.loop();
    });
  }

  /** Stops taking work and waits until everything queued is written. */
  async drain(): Promise<void> {
    this.closing = true;
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((r) => this.idle.push(r));
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        if (this.queue[0]?.task) {
          await this.commitTask(this.queue.shift() as Pending);
          continue;
        }
        const group: Pending[] = [];
        let n = 0;
        while (
          this.queue.length > 0 &&
          !this.queue[0]?.task &&
          (group.length === 0 || n + (this.queue[0]?.size ?? 0) <= this.o.maxEventsPerCommit)
        ) {
          const p = this.queue.shift() as Pending;
          group.push(p);
          n += p.size;
        }
        await this.commitGroup(group);
        this.queuedEvents -= n;
      }
    } finally {
      this.running = false;
      for (const r of this.idle.splice(0)) r();
    }
  }

  private async commitTask(p: Pending): Promise<void> {
    const now = this.o.clock.now();
    const batch = emptyBatch();
    let value: unknown;
    try {
      value = await (p.task as (now: Date, batch: CommitBatch) => Promise<unknown>)(now, batch);
      this.observer?.prepare(batch, now);
      // A timer run that changed nothing writes nothing: no transaction, no fsync.
      if (!isEmpty(batch)) await this.o.store.commit(batch);
      for (const row of batch.profiles) this.profileCache.set(row.profileId, row);
    } catch (cause) {
      this.o.logger.error({ err: cause }, 'task commit failed');
      if (p.graphTask) {
        this.profileCache.clear();
        await this.reload().catch((e: unknown) => this.o.logger.error({ err: e }, 'identity graph reload failed'));
      }
      await this.observer?.failed(now).catch((e: unknown) => this.o.logger.error({ err: e }, 'observer reload failed'));
      p.reject(cause);
      return;
    }
    p.taskResolve?.(value);
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    const started = process.hrtime.bigint();
    const now = this.o.clock.now();
    const batch = emptyBatch();
    const seen = new Set<string>();
    const replayed = new Set<string>();
    const outcomes: WorkOutcome[] = [];
    const traitWrites: { profileId: ProfileId; traits: Record<string, unknown>; pii: Record<string, unknown>; at: Date }[] = [];
    const accountWrites: { accountId: AccountId; traits: Record<string, unknown>; at: Date }[] = [];
    const created = new Set<ProfileId>();
    const touched = new Set<ProfileId>();
    const acceptedByType = new Map<string, number>();

    try {
      for (const { work } of group) {
        batch.quarantine.push(...work.quarantine);
        batch.quarantineUpdates.push(...work.quarantineUpdates);
        const results: WorkOutcome['results'] = [];
        work.events.forEach((e, i) => {
          const key = DedupIndex.key(e.sourceId, e.messageId);
          const replayId = work.replayOf?.[i];
          if (replayId && !replayed.has(replayId)) {
            replayed.add(replayId);
            batch.quarantineUpdates.push({ id: replayId, status: 'replayed', code: 'replayed', message: 'Replayed and stored.', path: null, at: now });
          }
          if (seen.has(key) || this.dedup.has(key)) {
            results.push('duplicate');
            batch.duplicates++;
            return;
          }
          seen.add(key);
          results.push('accepted');
          acceptedByType.set(e.type, (acceptedByType.get(e.type) ?? 0) + 1);

          const ids = this.identifiersOf(e);
          const res = this.graph.resolve(ids, {
            at: e.timestamp < now ? e.timestamp : now,
            actor: work.actor,
            messageId: e.messageId,
          });
          // Only profiles that are new, merged or given traits are rewritten; plain events touch no profile row.
          if (res.created) {
            created.add(res.profileId);
            touched.add(res.profileId);
          }
          batch.identityLinks.push(...res.links);
          batch.merges.push(...res.merges);
          batch.audit.push(...res.audit);
          for (const m of res.merges) {
            touched.add(m.winner);
            touched.add(m.loser);
          }
          const plain = e.type === 'identify' ? e.traits : NO_TRAITS;
          if (hasKeys(plain) || hasKeys(e.personal)) {
            traitWrites.push({ profileId: res.profileId, traits: plain, pii: e.personal, at: e.timestamp });
            touched.add(res.profileId);
          }
          if (e.type === 'group' && e.groupId !== null) {
            const accountId = AccountId(e.groupId);
            accountWrites.push({ accountId, traits: e.traits, at: e.timestamp });
            batch.memberships.push({ accountId, profileId: res.profileId, at: e.timestamp });
          }
          batch.events.push(toRow(e, res.profileId));
        });
        outcomes.push({ results });
      }

      // Rows written in this batch already carry the profile that survived any merge made later in the batch.
      if (batch.merges.length > 0) for (const row of batch.events) row.profileId = this.graph.canonical(row.profileId);
      await this.foldProfiles(batch, touched, created, traitWrites, now);
      await this.foldAccounts(batch, accountWrites, now);
      this.observer?.prepare(batch, now);
      await this.o.store.commit(batch);
    } catch (cause) {
      // The graph may hold changes that were never written: rebuild it from what the store has.
      this.o.logger.error({ err: cause, events: batch.events.length }, 'commit failed');
      const error = new AppError('server.store_unavailable', 'The events could not be written; nothing of this request was stored.', {
        cause,
        retryAfterSeconds: 2,
      });
      for (const p of group) p.reject(error);
      await this.reload().catch((e: unknown) => this.o.logger.error({ err: e }, 'identity graph reload failed'));
      await this.observer?.failed(now).catch((e: unknown) => this.o.logger.error({ err: e }, 'observer reload failed'));
      return;
    }

    for (const e of batch.events) this.dedup.add(DedupIndex.key(e.sourceId, e.messageId), e.receivedAt);
    for (const row of batch.profiles) {
      this.profileCache.delete(row.profileId);
      this.profileCache.set(row.profileId, row);
    }
    for (const id of this.profileCache.keys()) {
      if (this.profileCache.size <= GroupCommitter.MAX_CACHED_PROFILES) break;
      this.profileCache.delete(id);
    }
    this.dedup.expire(now);
    for (const [type, n] of acceptedByType) this.o.metrics.accepted(type, n);
    if (batch.duplicates > 0) this.o.metrics.duplicates(batch.duplicates);
    for (const q of batch.quarantine) this.o.metrics.rejected(q.code, 1);
    this.o.metrics.committed(batch.events.length + batch.quarantine.length, Number(process.hrtime.bigint() - started) / 1e9);
    group.forEach((p, i) => p.resolve(outcomes[i] as WorkOutcome));
  }

  /** An alias's previousId names a user_id the graph knows, or else an anonymous id. */
  private identifiersOf(e: NormalizedEvent): Identifier[] {
    if (e.previousId === null) return e.identifiers;
    const asUser: Identifier = { kind: 'user_id', value: e.previousId };
    const prev: Identifier = this.graph.lookup(asUser) ? asUser : { kind: 'anonymous_id', value: e.previousId };
    return [...e.identifiers, prev];
  }

  private async foldProfiles(
    batch: CommitBatch,
    touched: Set<ProfileId>,
    created: Set<ProfileId>,
    writes: { profileId: ProfileId; traits: Record<string, unknown>; pii: Record<string, unknown>; at: Date }[],
    now: Date,
  ): Promise<void> {
    const rule = this.o.identity.traitMergeRule;
    const existing = await this.o.store.loadProfiles([...touched].filter((p) => !created.has(p) && !this.profileCache.has(p)));
    const rows = new Map<ProfileId, ProfileRow>();
    for (const id of touched) {
      const row = this.profileCache.get(id) ?? existing.get(id);
      rows.set(
        id,
        row ?? {
          profileId: id,
          createdAt: this.graph.createdAt(id) ?? now,
          updatedAt: now,
          mergedInto: null,
          traits: emptyTraits(),
          pii: emptyTraits(),
        },
      );
    }
    // Only rows that are new, merged or whose traits really changed are written back.
    const changed = new Set<ProfileId>(created);
    const strategies = this.o.identity.traitStrategies;
    const edges: MergeEdgeRow[] = (batch.mergeEdges ??= []);
    for (const m of batch.merges) {
      changed.add(m.winner);
      changed.add(m.loser);
      const w = rows.get(m.winner);
      const l = rows.get(m.loser);
      if (!w || !l) throw new Error('merge of a profile that was not loaded');
      edges.push({
        mergeId: `mrg_${randomUUID().replaceAll('-', '')}`,
        at: now,
        winner: m.winner,
        loser: m.loser,
        cause: m.cause,
        evidence: m.evidence,
        actor: m.actor,
        messageId: m.messageId,
        winnerBefore: snapshotOf(w, m.winnerIds),
        loserBefore: snapshotOf(l, m.loserIds),
        status: 'active',
        undoneAt: null,
        undoneBy: null,
      });
      mergeTraits(w.traits, l.traits, rule, strategies);
      mergeTraits(w.pii, l.pii, rule, strategies);
      if (l.createdAt < w.createdAt) w.createdAt = l.createdAt;
      l.mergedInto = m.winner;
      l.traits = emptyTraits();
      l.pii = emptyTraits();
      l.updatedAt = now;
    }
    for (const wr of writes) {
      const row = rows.get(this.graph.canonical(wr.profileId));
      if (!row) throw new Error('trait write to a profile that was not loaded');
      const a = applyTraits(row.traits, wr.traits, wr.at, rule);
      const b = applyTraits(row.pii, wr.pii, wr.at, rule);
      if (a || b) changed.add(row.profileId);
    }
    for (const row of rows.values()) {
      if (!changed.has(row.profileId)) continue;
      row.updatedAt = now;
      batch.profiles.push(row);
    }
  }

  private async foldAccounts(
    batch: CommitBatch,
    writes: { accountId: AccountId; traits: Record<string, unknown>; at: Date }[],
    now: Date,
  ): Promise<void> {
    if (writes.length === 0) return;
    const ids = [...new Set(writes.map((w) => w.accountId))];
    const existing = await this.o.store.loadAccounts(ids);
    const rows = new Map<AccountId, AccountRow>();
    for (const id of ids) {
      rows.set(id, existing.get(id) ?? { accountId: id, createdAt: now, updatedAt: now, traits: emptyTraits() });
    }
    for (const w of writes) {
      const row = rows.get(w.accountId);
      if (!row) continue;
      applyTraits(row.traits, w.traits, w.at, this.o.identity.traitMergeRule);
      if (w.at < row.createdAt) row.createdAt = w.at;
      row.updatedAt = now;
    }
    batch.accounts.push(...rows.values());
    // Memberships follow the profile a merge kept.
    for (const m of batch.memberships) m.profileId = this.graph.canonical(m.profileId);
  }
}

const NO_TRAITS: Record<string, unknown> = Object.freeze({});

function isEmpty(b: CommitBatch): boolean {
  const s = b.segments;
  const segmentsEmpty =
    s === undefined || (s.upserts.length === 0 && s.deletes.length === 0 && s.changes.length === 0 && s.scoreLog.length === 0 && s.compaction === null);
  return (
    segmentsEmpty &&
    b.events.length === 0 &&
    b.quarantine.length === 0 &&
    b.quarantineUpdates.length === 0 &&
    b.profiles.length === 0 &&
    b.accounts.length === 0 &&
    b.merges.length === 0 &&
    b.audit.length === 0 &&
    b.duplicates === 0
  );
}

function emptyBatch(): CommitBatch {
  return {
    events: [],
    quarantine: [],
    quarantineUpdates: [],
    identityLinks: [],
    merges: [],
    profiles: [],
    accounts: [],
    memberships: [],
    audit: [],
    duplicates: 0,
  };
}

function hasKeys(o: Record<string, unknown>): boolean {
  for (const _ in o) return true;
  return false;
}

function snapshotOf(row: ProfileRow, identities: ProfileSnapshot['identities']): ProfileSnapshot {
  return {
    createdAt: row.createdAt.toISOString(),
    traits: structuredClone(row.traits),
    pii: structuredClone(row.pii),
    identities: identities.map((i) => ({ kind: i.kind, value: i.value })),
  };
}

function toRow(e: NormalizedEvent, profileId: ProfileId): EventRow {
  return {
    messageId: e.messageId,
    sourceId: e.sourceId,
    profileId,
    originProfileId: profileId,
    type: e.type,
    event: e.event,
    userId: e.userId,
    anonymousId: e.anonymousId,
    groupId: e.groupId,
    timestamp: e.timestamp,
    originalTimestamp: e.originalTimestamp,
    sentAt: e.sentAt,
    receivedAt: e.receivedAt,
    messageIdGenerated: e.messageIdGenerated,
    properties: e.properties,
    traits: e.traits,
    context: e.context,
    integrations: e.integrations,
    extra: e.extra,
  };
}
