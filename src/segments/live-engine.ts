import type { Logger, ProfileId } from '../kernel/index.js';
import type { CommitBatch, Compaction, MembershipChangeRow, ProfileRow, ScoreRow, SegmentRow, SegmentStore } from '../store/index.js';
import { Condition } from './ast.js';
import { dependenciesOf, expandComputed, type ComputedTraits, type Dependencies } from './check.js';
import { evaluate } from './evaluate.js';
import { toSegmentEvent } from './history-facts.js';
import { addEvent, LeafRegistry, LiveFacts, mergeState, nextEdge, ProfileState, prune, timedItems, type Refill, type TimedItem } from './live-state.js';
import { Memberships } from './memberships.js';
import { MinHeap } from './min-heap.js';
import { callTypeNamed } from './values.js';
import { printDefinition } from './print-text.js';

/**
 * The real-time evaluator. It runs inside the single writer: before each commit it sees the batch (events, merges,
 * trait changes), updates per-profile state, re-evaluates only the segments the batch can affect, and adds the
 * membership changes to the same transaction, so the change feed holds a change the moment its event is
 * acknowledged. Time-driven changes come from a timer queue keyed by the exact instant a window edge passes; they are
 * stamped with that instant, also when processed late (after a restart). State is derived from the database and
 * rebuilt on start; memberships and the watermark are durable, so nothing is emitted twice or missed.
 */

export interface LiveSegment {
  row: SegmentRow;
  /** Its time edges (shared with other segments where equal). */
  timed: TimedItem[];
  /** This segment and every segment that refers to it, directly or not, in dependency order. */
  closure: LiveSegment[];
  /** The definition with computed traits expanded; null for manual lists. */
  definition: Condition | null;
  deps: Dependencies;
  /** Printed text of the parts whose flips explain a change: the root's children, or the root. */
  parts: { condition: Condition; text: string }[];
}

export interface ChangeReason {
  trigger: 'event' | 'time' | 'merge' | 'unmerge' | 'segment_created' | 'segment_updated' | 'segment_deleted' | 'recomputed' | 'manual' | 'scores';
  event?: string | undefined;
  messageId?: string | undefined;
  mergedInto?: string | undefined;
  /** The parts of the definition that flipped (all parts, with their truth, when the earlier truth is unknown). */
  conditions?: { condition: string; was?: boolean | undefined; now: boolean }[] | undefined;
}

/**
 * Scores kept up to date inside the engine (engagement): segments only read the scores, the scorer says how events
 * and the passing of days change them. Implemented in scoring/, wired by main.ts.
 */
export interface LiveScorer {
  /** Folds an event into a profile's scoring state. */
  onEvent(state: unknown, eventName: string | null, ts: number, now: number): unknown;
  merge(a: unknown, b: unknown, now: number): unknown;
  /** The scores the state gives at `now`, merged over the profile's other scores. */
  values(state: unknown, now: number): Record<string, unknown>;
  /** The next instant after `t` at which every profile's scores are refreshed (decay, inactivity). */
  nextRefresh(t: number): number;
}

export interface LiveEngineOptions {
  scorer?: LiveScorer | undefined;
  store: SegmentStore;
  isPii(key: string): boolean;
  computed: ComputedTraits;
  logger: Logger;
  /** Called when the earliest timer changes; the host arranges to run a commit at that instant. */
  onWake?: (at: number) => void;
}

const HOUR = 3_600_000;
const BULK_TRIGGERS = new Set<ChangeReason['trigger']>(['segment_created', 'segment_updated', 'recomputed']);

export class LiveEngine {
  private segments = new Map<string, LiveSegment>();
  private byName = new Map<string, LiveSegment>();
  private ordered: LiveSegment[] = [];
  private reg = new LeafRegistry();
  private profiles = new Map<ProfileId, ProfileState>();
  private heap = new MinHeap<ProfileState>();
  private traitKeys = new Set<string>();
  private lastSeq = 0;
  private watermark = 0;
  /** Changes decided outside a commit (reconciliation on start), written with the next commit. */
  private pending: MembershipChangeRow[] = [];
  private upserts: SegmentRow[] = [];
  private deletes: string[] = [];
  /** Score rows to append to the log with the next commit. */
  private scoreRows = new Map<ProfileId, ScoreRow>();
  private scoreLogN = 0;
  private nextRefresh = Number.POSITIVE_INFINITY;
  private readonly members = new Memberships();
  /** Scores changed since the last compaction. */
  private dirtyScores = new Set<ProfileState>();
  private lastCompaction = 0;
  private compactSoon = false;
  /**
   * A compaction is written once this many rows are waiting, or this long after the previous one. It rewrites the
   * touched rows of segment_members with one join over that table (a second or so with tens of millions of rows),
   * inside a commit that events wait for: rare is better, and a restart replays at most this many changes.
   */
  static readonly COMPACT_ROWS = 250_000;
  static readonly COMPACT_MS = 300_000;

  private constructor(private readonly o: LiveEngineOptions) {}

  private get scorer(): LiveScorer | undefined {
    return this.o.scorer;
  }

  static async start(o: LiveEngineOptions, now: Date): Promise<LiveEngine> {
    const e = new LiveEngine(o);
    await e.load(now.getTime());
    return e;
  }

  get profileCount(): number {
    return this.profiles.size;
  }

  list(): LiveSegment[] {
    return this.ordered;
  }

  byId(id: string): LiveSegment | undefined {
    return this.segments.get(id);
  }

  named(name: string): LiveSegment | undefined {
    return this.byName.get(name);
  }

  /** The earliest instant at which a timer is due, or Infinity. */
  nextWake(): number {
    return this.heap.peekKey();
  }

  // ------------------------------------------------------------------ loading

  /** Forgets everything and rebuilds from the store (on start, and after a failed commit). */
  async load(nowMs: number): Promise<void> {
    const started = Date.now();
    this.segments.clear();
    this.byName.clear();
    this.ordered = [];
    this.reg = new LeafRegistry();
    this.profiles.clear();
    this.heap.clear();
    this.traitKeys.clear();
    this.pending = [];
    this.upserts = [];
    this.deletes = [];
    this.fedCache.clear();
    this.items.clear();
    this.members.clear();
    this.dirtyScores.clear();
    this.compactSoon = false;
    const st = await this.o.store.segmentEngineState();
    this.lastSeq = st.lastSeq;
    this.watermark = st.watermark?.getTime() ?? nowMs;
    this.lastCompaction = this.watermark;
    for (const row of await this.o.store.listSegments()) this.install(row);
    this.order();
    await this.o.store.scanProfiles((p) => this.applyProfileRow(this.stateOf(p.profileId), p));
    await this.o.store.scanScores((r) => {
      const s = this.profiles.get(r.profileId);
      if (!s) return;
      s.scores = r.scores;
      s.scoreState = r.state;
      this.dirtyScores.add(s);
    });
    this.dirtyScores.clear();
    this.scoreRows.clear();
    this.scoreLogN = 0;
    this.nextRefresh = this.o.scorer ? this.o.scorer.nextRefresh(this.watermark) : Number.POSITIVE_INFINITY;
    await this.loadHistory(null);
    for (const id of this.segments.keys()) this.members.ensure(id);
    await this.o.store.loadMemberships((segmentId, profileId, since) => {
      if (this.segments.has(segmentId)) this.members.enter(this.stateOf(profileId), segmentId, since.getTime());
    });
    this.members.forgetChanges();
    // Changes after the last compaction are replayed from the feed, in order.
    await this.o.store.scanChanges(st.membersSeq, (c) => {
      if (!this.segments.has(c.segmentId)) return;
      const s = this.stateOf(c.profileId);
      if (c.change === 'entered') this.members.enter(s, c.segmentId, c.at.getTime());
      else this.members.exit(s, c.segmentId);
    });
    // Replayed changes and the score log are folded into the tables by the first commit.
    this.compactSoon = true;
    // The state now stands as it was at the watermark: any disagreement with the stored members is corrected, and
    // timers from the watermark on are queued (those already due run with the next commit, stamped on time).
    const at = this.watermark;
    for (const s of this.profiles.values()) {
      this.evaluateProfile(s, null, at, { trigger: 'recomputed' }, this.pending, null);
      this.schedule(s, at);
    }
    this.o.logger.info(
      { segments: this.segments.size, profiles: this.profiles.size, ms: Date.now() - started, corrected: this.pending.length },
      'live segment state loaded',
    );
  }

  private stateOf(id: ProfileId): ProfileState {
    let s = this.profiles.get(id);
    if (!s) {
      s = new ProfileState(id);
      this.profiles.set(id, s);
    }
    return s;
  }

  private applyProfileRow(s: ProfileState, p: ProfileRow): Set<string> {
    const changed = new Set<string>();
    for (const key of this.traitKeys) {
      const pii = this.o.isPii(key);
      const src = pii ? p.pii : p.traits;
      const v = src.values[key];
      const time = src.times[key];
      if (JSON.stringify(v) !== JSON.stringify(s.traits[key])) changed.add(key);
      if (v === undefined) {
        if (key in s.traits) delete s.ownTraits()[key];
      } else s.ownTraits()[key] = v;
      if (time === undefined) {
        if (key in s.traitTimes) delete s.ownTraitTimes()[key];
      } else s.ownTraitTimes()[key] = Date.parse(time);
    }
    return changed;
  }

  /** Loads event history into the lists and totals named by `only` (everything when null). */
  private async loadHistory(only: Refill | null): Promise<void> {
    const streams = only === null ? this.reg.streams : this.reg.streams.filter((s) => only.lists.has(s.id) || s.totals.some((l) => only.totals.has(l.id)));
    if (streams.length === 0) return;
    const anyName = streams.some((s) => s.event === undefined);
    const names = [...new Set(streams.map((s) => s.event).filter((n): n is string => n !== undefined))];
    const callTypes = names.map(callTypeNamed).filter((t): t is string => t !== null);
    // Streams that only feed rolling windows need no event older than their longest window.
    const since = streams.every((s) => s.windowed && !s.keepAll && s.totals.length === 0)
      ? new Date(this.watermark - Math.max(...streams.map((s) => s.keepMs)) - HOUR)
      : null;
    await this.o.store.scanEvents({ kinds: anyName ? null : { trackEvents: names, callTypes }, since }, (e) => {
      addEvent(this.reg, this.stateOf(e.profileId), toSegmentEvent(e), only ?? undefined);
    });
  }

  /** Registers a segment's leaves; returns what history must be loaded for it. */
  private install(row: SegmentRow): Refill {
    const lists = new Set<number>();
    const totals = new Set<number>();
    let definition: Condition | null = null;
    if (row.kind === 'rule') {
      const parsed = Condition.safeParse(row.definition);
      if (!parsed.success) {
        this.o.logger.error({ segment: row.segmentId }, 'stored segment definition does not parse; it is skipped');
        return { lists, totals };
      }
      definition = expandComputed(parsed.data, this.o.computed);
    }
    const deps = definition === null ? dependenciesOf({ kind: 'random_bucket', percent: 100 }) : dependenciesOf(definition);
    if (definition === null) deps.segments.clear();
    for (const op of deps.events) {
      const { leaf, fresh, reload } = this.reg.register(op);
      if (!fresh) continue;
      if (op.window === undefined) totals.add(leaf.id);
      else if (reload) lists.add(leaf.stream.id);
    }
    for (const k of deps.traitKeys) this.traitKeys.add(k);
    const root = definition;
    const parts =
      root === null ? [] : (root.kind === 'and' || root.kind === 'or' ? root.of : [root]).map((c) => ({ condition: c, text: printDefinition(c) }));
    const timed = definition === null ? [] : timedItems(definition).map((item) => this.sharedItem(item));
    const seg: LiveSegment = { row, definition, deps, parts, timed: [...new Set(timed)], closure: [] };
    const old = this.segments.get(row.segmentId);
    if (old) this.byName.delete(old.row.name);
    this.segments.set(row.segmentId, seg);
    this.byName.set(row.name, seg);
    return { lists, totals };
  }

  private items = new Map<string, TimedItem>();
  /** One object per distinct time edge, so each is computed once per profile whatever the number of segments. */
  private sharedItem(item: TimedItem): TimedItem {
    const key = JSON.stringify(item);
    const known = this.items.get(key);
    if (known) return known;
    if (item.kind === 'window') this.reg.register(item.op);
    this.items.set(key, item);
    return item;
  }

  /** Every distinct time edge of the live segments. */
  private liveItems: TimedItem[] = [];

  /** Topological order: a segment comes after the segments it refers to. */
  private order(): void {
    const out: LiveSegment[] = [];
    const seen = new Set<string>();
    const visit = (s: LiveSegment) => {
      if (seen.has(s.row.segmentId)) return;
      seen.add(s.row.segmentId);
      for (const name of s.deps.segments) {
        const d = this.byName.get(name);
        if (d) visit(d);
      }
      out.push(s);
    };
    for (const s of this.segments.values()) visit(s);
    this.ordered = out;
    // Dependents, precomputed: a change of one segment re-evaluates exactly these.
    for (const seg of out) {
      const inClosure = new Set<LiveSegment>([seg]);
      for (const other of out) {
        if ([...other.deps.segments].some((n) => { const d = this.byName.get(n); return d !== undefined && inClosure.has(d); })) inClosure.add(other);
      }
      seg.closure = out.filter((x) => inClosure.has(x));
    }
    this.liveItems = [...new Set(out.flatMap((x) => x.timed))];
  }

  // ------------------------------------------------------------------ evaluation

  private facts(s: ProfileState, at: number): LiveFacts {
    return new LiveFacts(this.reg, s, at, (name) => {
      const seg = this.byName.get(name);
      return seg !== undefined && this.members.has(seg.row.segmentId, s);
    });
  }

  /**
   * Re-evaluates `only` (all when null) and the segments depending on them, in dependency order, and records every
   * membership that flips. `before` holds each part's truth before the batch, to name the conditions that flipped.
   */
  private evaluateProfile(
    s: ProfileState,
    only: Set<LiveSegment> | LiveSegment[] | null,
    at: number,
    reason: ChangeReason,
    out: MembershipChangeRow[],
    before: Map<string, boolean[]> | null,
  ): void {
    const f = this.facts(s, at);
    const todo: LiveSegment[] = only === null ? this.ordered : Array.isArray(only) ? only : this.closureOf(only);
    for (const seg of todo) {
      if (seg.definition === null) continue;
      const id = seg.row.segmentId;
      const now = evaluate(seg.definition, f);
      const was = this.members.has(id, s);
      if (now === was) continue;
      if (now) this.members.enter(s, id, at);
      else this.members.exit(s, id);
      // Bulk changes (a segment created over a million profiles) say why once, in the trigger; others name the flips.
      if (before === null && BULK_TRIGGERS.has(reason.trigger)) {
        out.push({ seq: 0, segmentId: id, profileId: s.profileId, change: now ? 'entered' : 'exited', at: new Date(at), reason });
        continue;
      }
      const prev = before?.get(id);
      const parts = seg.parts.map((p, i) => ({ condition: p.text, was: prev?.[i], now: evaluate(p.condition, f) }));
      const flipped = parts.filter((p) => p.was !== undefined && p.was !== p.now);
      out.push({
        seq: 0,
        segmentId: id,
        profileId: s.profileId,
        change: now ? 'entered' : 'exited',
        at: new Date(at),
        reason: { ...reason, conditions: flipped.length > 0 ? flipped : parts },
      });
    }
  }

  /** The segments to re-evaluate when `segs` may have changed: them and their dependents, in order. */
  private closureOf(segs: Set<LiveSegment>): LiveSegment[] {
    if (segs.size === 1) return (segs.values().next().value as LiveSegment).closure;
    const set = new Set<LiveSegment>();
    for (const x of segs) for (const c of x.closure) set.add(c);
    return this.ordered.filter((x) => set.has(x));
  }

  private partTruths(s: ProfileState, segs: Iterable<LiveSegment>, at: number): Map<string, boolean[]> {
    const f = this.facts(s, at);
    const m = new Map<string, boolean[]>();
    for (const seg of segs) m.set(seg.row.segmentId, seg.parts.map((p) => evaluate(p.condition, f)));
    return m;
  }

  /** Sets the profile's timer to the next edge of `items` (all live ones by default), or earlier if `keep`. */
  private schedule(s: ProfileState, at: number, items: TimedItem[] = this.liveItems, keep = false): void {
    prune(this.reg, s, at);
    let next = keep ? s.wake : Number.POSITIVE_INFINITY;
    if (items.length > 0) {
      const f = this.facts(s, at);
      for (const item of items) {
        const t = nextEdge(item, f);
        if (t < next) next = t;
      }
    }
    if (next !== s.wake) {
      s.wake = next;
      if (Number.isFinite(next)) this.heap.push(next, s);
    }
  }

  /** Runs every timer due at or before `until`, each at its own instant, and the daily score refreshes among them. */
  private runTimers(until: number, out: MembershipChangeRow[]): void {
    const timedSet = new Set(this.ordered.filter((s) => s.deps.timed));
    const timed = this.closureOf(timedSet);
    for (;;) {
      if (this.nextRefresh <= until && this.nextRefresh <= this.heap.peekKey()) {
        this.refreshScores(this.nextRefresh, out);
        this.nextRefresh = this.o.scorer ? this.o.scorer.nextRefresh(this.nextRefresh) : Number.POSITIVE_INFINITY;
        continue;
      }
      if (this.heap.peekKey() > until) break;
      const { key, item: s } = this.heap.pop() as { key: number; item: ProfileState };
      if (s.wake !== key || !this.profiles.has(s.profileId)) continue;
      s.wake = Number.POSITIVE_INFINITY;
      const before = this.partTruths(s, timedSet, key - 1);
      this.evaluateProfile(s, timed, key, { trigger: 'time' }, out, before);
      this.schedule(s, key);
    }
  }

  private noteScores(s: ProfileState, at: number): void {
    this.scoreRows.set(s.profileId, { profileId: s.profileId, scores: s.scores, state: s.scoreState, at: new Date(at) });
    this.dirtyScores.add(s);
  }

  private scoreSegments(): LiveSegment[] {
    return this.ordered.filter((x) => x.deps.scores);
  }

  /** Recomputes every profile's live scores at `at` (decay); segments on scores follow, stamped at `at`. */
  private refreshScores(at: number, out: MembershipChangeRow[]): void {
    const scorer = this.o.scorer;
    if (!scorer) return;
    const segs = this.scoreSegments();
    for (const s of this.profiles.values()) {
      if (s.scoreState === null) continue;
      const next = { ...s.scores, ...scorer.values(s.scoreState, at) };
      if (JSON.stringify(next) === JSON.stringify(s.scores)) continue;
      const before = segs.length > 0 ? this.partTruths(s, segs, at) : null;
      s.scores = next;
      this.noteScores(s, at);
      if (segs.length > 0) this.evaluateProfile(s, new Set(segs), at, { trigger: 'scores' }, out, before);
    }
  }

  // ------------------------------------------------------------------ the commit hook

  /** Before a commit: timers due by `now`, then the batch's merges, trait changes and events. */
  prepare(batch: CommitBatch, nowDate: Date): void {
    const now = Math.max(nowDate.getTime(), this.watermark);
    const out: MembershipChangeRow[] = this.pending;
    this.pending = [];
    this.runTimers(now, out);

    const all = new Set(this.ordered);
    const scored = new Set<ProfileState>();
    const scoreSegs = this.scorer ? this.scoreSegments() : [];
    const affected = new Map<ProfileState, { segs: Set<LiveSegment>; reason: ChangeReason; before: Map<string, boolean[]> | null }>();
    const touch = (s: ProfileState, segs: Iterable<LiveSegment>, reason: ChangeReason) => {
      let a = affected.get(s);
      if (!a) {
        a = { segs: new Set(), reason, before: null };
        affected.set(s, a);
      }
      let f: LiveFacts | null = null;
      for (const x of segs) {
        if (a.segs.has(x)) continue;
        a.segs.add(x);
        // Truth of the parts before this batch changed anything, to say which ones flipped.
        f ??= this.facts(s, now);
        const facts = f;
        (a.before ??= new Map()).set(x.row.segmentId, x.parts.map((p) => evaluate(p.condition, facts)));
      }
      a.reason = reason;
    };

    for (const m of batch.merges) {
      const loser = this.profiles.get(m.loser);
      const winner = this.stateOf(m.winner);
      if (!loser) continue;
      touch(winner, all, { trigger: 'merge' });
      for (const [segmentId] of this.members.of(loser)) {
        this.members.exit(loser, segmentId);
        out.push({ seq: 0, segmentId, profileId: loser.profileId, change: 'exited', at: new Date(now), reason: { trigger: 'merge', mergedInto: m.winner } });
      }
      mergeState(winner, loser);
      if (this.o.scorer && loser.scoreState !== null) {
        winner.scoreState = winner.scoreState === null ? loser.scoreState : this.o.scorer.merge(winner.scoreState, loser.scoreState, now);
        scored.add(winner);
      }
      if (loser.scoreState !== null || Object.keys(loser.scores).length > 0) {
        loser.scores = {};
        loser.scoreState = null;
        this.noteScores(loser, now);
      }
      this.profiles.delete(m.loser);
      affected.delete(loser);
    }
    const traitSegs = this.ordered.filter((seg) => seg.deps.traitKeys.size > 0);
    for (const row of batch.profiles) {
      if (row.mergedInto !== null) continue;
      const fresh = !this.profiles.has(row.profileId);
      const s = this.stateOf(row.profileId);
      // A new profile may match at once (`not count(...) >= 1`); a known one only where its traits matter.
      touch(s, fresh ? all : traitSegs, { trigger: 'event' });
      this.applyProfileRow(s, row);
    }
    for (const e of batch.events) {
      const s = this.stateOf(e.profileId);
      const ev = toSegmentEvent({ type: e.type, event: e.event, ts: e.timestamp.getTime(), properties: e.properties });
      // Before-truths are taken before the event lands, so they must be recorded first.
      const segs = this.segmentsFed(ev.name);
      const reason: ChangeReason = { trigger: 'event', event: ev.name ?? e.type, messageId: e.messageId };
      touch(s, segs, reason);
      addEvent(this.reg, s, ev);
      if (this.scorer) {
        touch(s, scoreSegs, reason);
        s.scoreState = this.scorer.onEvent(s.scoreState, ev.name, ev.ts, now);
        scored.add(s);
      }
    }
    for (const s of scored) {
      if (!this.profiles.has(s.profileId) || !this.scorer) continue;
      s.scores = { ...s.scores, ...this.scorer.values(s.scoreState, now) };
      this.noteScores(s, now);
    }
    for (const [s, a] of affected) {
      this.evaluateProfile(s, a.segs, now, a.reason, out, a.before);
      this.schedule(s, now);
    }
    for (const c of out) c.seq = ++this.lastSeq;
    const scoreLog = [...this.scoreRows.values()].map((r) => ({ ...r, n: ++this.scoreLogN }));
    const compaction = this.takeCompaction(now);
    batch.segments = { upserts: this.upserts, deletes: this.deletes, changes: out, scoreLog, compaction, watermark: new Date(now) };
    this.upserts = [];
    this.deletes = [];
    this.scoreRows = new Map();
    this.watermark = now;
    if (this.o.onWake && Number.isFinite(this.heap.peekKey())) this.o.onWake(this.heap.peekKey());
  }

  /** Net changes to fold into the current-state tables, when enough have gathered (or a manual list changed). */
  private takeCompaction(now: number): Compaction | null {
    const waiting = this.members.pendingChanges + this.dirtyScores.size;
    const due = this.compactSoon || waiting >= LiveEngine.COMPACT_ROWS || (waiting > 0 && now - this.lastCompaction >= LiveEngine.COMPACT_MS);
    if (!due) return null;
    const c: Compaction = {
      members: this.members
        .takeChanges()
        .filter((m) => this.segments.has(m.segmentId))
        .map((m) => ({ segmentId: m.segmentId, profileId: m.profileId, since: m.since === null ? null : new Date(m.since) })),
      membersSeq: this.lastSeq,
      scores: [...this.dirtyScores].map((s) => ({ profileId: s.profileId, scores: s.scores, state: s.scoreState, at: new Date(now) })),
    };
    this.dirtyScores.clear();
    this.lastCompaction = now;
    this.compactSoon = false;
    this.scoreLogN = 0;
    return c;
  }

  /** Asks for a compaction with the next commit (tests, shutdown, manual lists read by SQL). */
  compactNextCommit(): void {
    this.compactSoon = true;
  }

  private fedCache = new Map<string | null, LiveSegment[]>();
  /** Segments with an operand fed by events of this name. */
  private segmentsFed(name: string | null): LiveSegment[] {
    let segs = this.fedCache.get(name);
    if (!segs) {
      const streams = new Set(this.reg.streamsFor(name));
      segs = this.ordered.filter((seg) => seg.deps.events.some((op) => streams.has(this.reg.leafOf(op).stream)));
      this.fedCache.set(name, segs);
    }
    return segs;
  }

  // ------------------------------------------------------------------ segment changes (run as committer tasks)

  /**
   * Rebuilds these profiles from the store (an unmerge moved events and traits between them): their event history,
   * live scores and traits, then every segment for each. The changes go with the next commit.
   */
  async reloadProfiles(rows: readonly ProfileRow[], nowDate: Date): Promise<void> {
    const now = Math.max(nowDate.getTime(), this.watermark);
    const states = new Map<ProfileId, ProfileState>();
    for (const row of rows) {
      const s = this.stateOf(row.profileId);
      s.resetFacts();
      this.applyProfileRow(s, row);
      states.set(row.profileId, s);
    }
    const events: { s: ProfileState; ev: ReturnType<typeof toSegmentEvent> }[] = [];
    await this.o.store.scanEvents({ kinds: null, since: null, profileIds: [...states.keys()] }, (e) => {
      const s = states.get(e.profileId);
      if (s) events.push({ s, ev: toSegmentEvent(e) });
    });
    events.sort((a, b) => a.ev.ts - b.ev.ts);
    for (const { s, ev } of events) {
      addEvent(this.reg, s, ev);
      if (this.scorer) s.scoreState = this.scorer.onEvent(s.scoreState, ev.name, ev.ts, now);
    }
    for (const s of states.values()) {
      if (this.scorer && s.scoreState !== null) {
        s.scores = { ...s.scores, ...this.scorer.values(s.scoreState, now) };
        this.noteScores(s, now);
      }
      this.evaluateProfile(s, null, now, { trigger: 'unmerge' }, this.pending, null);
      this.schedule(s, now);
    }
  }

  /** Adds or replaces a segment: loads any history its operands need, then evaluates it for every profile. */
  async upsert(row: SegmentRow, nowDate: Date): Promise<void> {
    const now = Math.max(nowDate.getTime(), this.watermark);
    const existed = this.segments.has(row.segmentId);
    const keysBefore = new Set(this.traitKeys);
    const refill = this.install(row);
    this.order();
    this.fedCache.clear();
    // A stream whose list gains a longer window is reloaded whole; new totals start from zero.
    for (const s of this.profiles.values()) {
      for (const id of refill.lists) s.setList(id, undefined);
      for (const id of refill.totals) s.setAcc(id, undefined);
    }
    if (refill.lists.size > 0 || refill.totals.size > 0) await this.loadHistory(refill);
    const seg = this.segments.get(row.segmentId) as LiveSegment;
    // Traits are kept only for keys some segment reads: a new key means reading it for every profile.
    if (keysBefore.size < this.traitKeys.size) {
      await this.o.store.scanProfiles((p) => {
        const s = this.profiles.get(p.profileId);
        if (s) this.applyProfileRow(s, p);
      });
    }
    this.upserts.push(row);
    const out = this.pending;
    const reason: ChangeReason = { trigger: existed ? 'segment_updated' : 'segment_created' };
    const only = new Set([seg]);
    // Existing timers stay right for the other segments: only this one's edges can come sooner.
    const items = [...new Set(seg.closure.flatMap((x) => x.timed))];
    for (const s of this.profiles.values()) {
      this.evaluateProfile(s, only, now, reason, out, null);
      this.schedule(s, now, items, true);
    }
  }

  /** Removes a segment; its members exit. */
  remove(segmentId: string, nowDate: Date): void {
    const seg = this.segments.get(segmentId);
    if (!seg) return;
    const now = Math.max(nowDate.getTime(), this.watermark);
    for (const s of this.members.membersOf(segmentId)) {
      this.members.exit(s, segmentId);
      this.pending.push({ seq: 0, segmentId, profileId: s.profileId, change: 'exited', at: new Date(now), reason: { trigger: 'segment_deleted' } });
    }
    this.members.drop(segmentId);
    this.segments.delete(segmentId);
    this.byName.delete(seg.row.name);
    this.order();
    this.fedCache.clear();
    this.deletes.push(segmentId);
  }

  /** Sets the members of a manual list (replace) or adds to them (append). */
  setManualMembers(segmentId: string, ids: ProfileId[], mode: 'replace' | 'append', nowDate: Date): { added: number; removed: number; unknown: number } {
    const now = Math.max(nowDate.getTime(), this.watermark);
    const want = new Set<ProfileId>();
    let unknown = 0;
    for (const id of ids) {
      if (this.profiles.has(id)) want.add(id);
      else unknown++;
    }
    let added = 0;
    let removed = 0;
    const touched: ProfileState[] = [];
    for (const s of this.profiles.values()) {
      const has = this.members.has(segmentId, s);
      const should = want.has(s.profileId) || (mode === 'append' && has);
      if (has === should) continue;
      if (should) {
        this.members.enter(s, segmentId, now);
        added++;
      } else {
        this.members.exit(s, segmentId);
        removed++;
      }
      touched.push(s);
      this.pending.push({ seq: 0, segmentId, profileId: s.profileId, change: should ? 'entered' : 'exited', at: new Date(now), reason: { trigger: 'manual' } });
    }
    const seg = this.segments.get(segmentId);
    if (seg) for (const s of touched) this.evaluateProfile(s, new Set([seg]), now, { trigger: 'manual' }, this.pending, null);
    // SQL reads manual lists from segment_members (in_segment of a list in a preview): write it at once.
    this.compactSoon = true;
    return { added, removed, unknown };
  }

  /**
   * Replaces one key of every profile's scores (RFM after a recomputation): profiles absent from `values` lose it.
   * Segments on scores follow at once.
   */
  setScoreKey(key: string, values: ReadonlyMap<string, unknown>, nowDate: Date): number {
    const now = Math.max(nowDate.getTime(), this.watermark);
    const segs = this.scoreSegments();
    let changed = 0;
    for (const s of this.profiles.values()) {
      const v = values.get(s.profileId);
      if (JSON.stringify(v) === JSON.stringify(s.scores[key])) continue;
      const before = segs.length > 0 ? this.partTruths(s, segs, now) : null;
      const next = { ...s.scores };
      if (v === undefined) delete next[key];
      else next[key] = v;
      s.scores = next;
      changed++;
      this.noteScores(s, now);
      if (segs.length > 0) this.evaluateProfile(s, new Set(segs), now, { trigger: 'scores' }, this.pending, before);
    }
    return changed;
  }

  /**
   * Sets one key of the scores of the profiles in `values` only (others keep theirs): a model rescoring the profiles
   * that just changed. Segments on scores follow at once.
   */
  updateScoreKey(key: string, values: ReadonlyMap<string, unknown>, nowDate: Date): number {
    const now = Math.max(nowDate.getTime(), this.watermark);
    const segs = this.scoreSegments();
    let changed = 0;
    for (const [id, v] of values) {
      const s = this.profiles.get(id as ProfileId);
      if (!s || JSON.stringify(v) === JSON.stringify(s.scores[key])) continue;
      const before = segs.length > 0 ? this.partTruths(s, segs, now) : null;
      s.scores = { ...s.scores, [key]: v };
      changed++;
      this.noteScores(s, now);
      if (segs.length > 0) this.evaluateProfile(s, new Set(segs), now, { trigger: 'scores' }, this.pending, before);
    }
    return changed;
  }

  /** A profile's current scores (engagement, RFM), as segments see them. */
  scoresOf(profileId: ProfileId): Record<string, unknown> | null {
    return this.profiles.get(profileId)?.scores ?? null;
  }

  /** The live answer for one profile (for explain): facts at `at`. */
  factsFor(profileId: ProfileId, at: number): LiveFacts | null {
    const s = this.profiles.get(profileId);
    return s ? this.facts(s, at) : null;
  }

  size(segmentId: string): number {
    return this.members.size(segmentId);
  }

  /** Members ordered by profile id, after `after`; with `keep`, only those it accepts. */
  membersPage(segmentId: string, after: string | undefined, limit: number, keep?: (id: ProfileId) => boolean): { profileId: ProfileId; since: Date }[] {
    return this.members.page(segmentId, after, limit, keep);
  }

  /** The segments a profile is in, with the time it entered each. */
  segmentsOf(profileId: ProfileId): { segmentId: string; since: Date }[] {
    const s = this.profiles.get(profileId);
    if (!s) return [];
    return this.members
      .of(s)
      .map(([segmentId, since]) => ({ segmentId, since: new Date(since) }))
      .sort((a, b) => a.since.getTime() - b.since.getTime());
  }

  isMember(segmentId: string, profileId: ProfileId): boolean {
    const s = this.profiles.get(profileId);
    return s !== undefined && this.members.has(segmentId, s);
  }
}
