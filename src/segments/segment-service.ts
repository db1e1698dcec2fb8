import { randomUUID } from 'node:crypto';
import { emailIdentityValue } from '../identity/index.js';
import { err, ok, type Clock, type ProfileId, type Result } from '../kernel/index.js';
import type { MembershipChangeRow, SegmentRow, Store } from '../store/index.js';
import { Condition } from './ast.js';
import { checkDefinition, dependenciesOf, expandComputed, type ComputedTraits, type DefinitionIssue } from './check.js';
import { compileSegment, type CompileContext } from './compile-sql.js';
import { explain, type ExplainNode } from './explain.js';
import { HistoryFacts, toSegmentEvent, type ProfileHistory } from './history-facts.js';
import type { MostFrequentTrait } from './computed-traits.js';
import { compareCodePoints, distinctKey, valueAt } from './values.js';
import type { LiveEngine } from './live-engine.js';
import { parseDefinition, type ParseError } from './parse-text.js';
import { printDefinition } from './print-text.js';
import { fillTrend, trendDays, trendRange, type TrendPoint } from './segment-trends.js';

export type SegmentError =
  | ParseError
  | { code: 'segments.invalid_definition'; message: string; issues: DefinitionIssue[] }
  | { code: 'segments.not_found'; message: string }
  | { code: 'segments.name_taken'; message: string }
  | { code: 'segments.unknown_reference'; message: string; names: string[] }
  | { code: 'segments.cycle'; message: string; cycle: string[] }
  | { code: 'segments.in_use'; message: string; usedBy: string[] }
  | { code: 'segments.invalid_name'; message: string }
  | { code: 'segments.not_manual'; message: string }
  | { code: 'profile.not_found'; message: string };

export interface SegmentInput {
  /** Required to create; kept when absent on update. */
  name?: string | undefined;
  description?: string | undefined;
  /** The text form or the AST (checked here); absent for a manual list. */
  definition?: string | object | undefined;
}

export interface SegmentSummary {
  id: string;
  name: string;
  description: string;
  kind: 'rule' | 'manual';
  /** The text form (null for manual lists). */
  text: string | null;
  definition: Condition | null;
  createdAt: string;
  updatedAt: string;
}

export interface SegmentMember {
  profileId: ProfileId;
  since: Date;
  /** The profile's user id (the first seen when it has several), or null. */
  userId: string | null;
}

export interface Preview {
  size: number;
  sample: ProfileId[];
  at: string;
  text: string;
}

/** Runs work on the single writer (the group committer): segment changes are written with the changes they cause. */
export interface WriterLoop {
  runTask<T>(fn: (now: Date) => Promise<T>): Promise<T>;
}

export interface SegmentServiceOptions {
  store: Store;
  engine: LiveEngine;
  writer: WriterLoop;
  clock: Clock;
  computed: ComputedTraits;
  /** Shown on profiles: the most frequent value of a property. */
  mostFrequent?: readonly MostFrequentTrait[] | undefined;
  isPii(key: string): boolean;
}

/**
 * Segments as users see them: definitions checked and saved, members listed, explained and previewed, and the
 * change feed. Writes go through the writer loop so the live engine sees each definition at one instant.
 */
export class SegmentService {
  constructor(private readonly o: SegmentServiceOptions) {}

  /** Reads a definition from text or JSON and checks it; errors say where and what to do. */
  readDefinition(input: string | unknown): Result<Condition, SegmentError> {
    let def: Condition;
    if (typeof input === 'string') {
      const parsed = parseDefinition(input);
      if (!parsed.ok) return parsed;
      def = parsed.value;
    } else {
      const parsed = Condition.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
        return err({ code: 'segments.invalid_definition', message: 'The definition does not match the segment language.', issues });
      }
      def = parsed.data;
    }
    const issues = checkDefinition(def, this.o.computed);
    if (issues.length > 0) {
      return err({ code: 'segments.invalid_definition', message: issues.map((i) => `${i.path}: ${i.message}`).join(' '), issues });
    }
    return ok(def);
  }

  list(): SegmentSummary[] {
    return this.o.engine.list().map((s) => summary(s.row));
  }

  get(idOrName: string): Result<SegmentSummary, SegmentError> {
    const s = this.o.engine.byId(idOrName) ?? this.o.engine.named(idOrName);
    return s ? ok(summary(s.row)) : err(notFound(idOrName));
  }

  async size(id: string): Promise<number> {
    return this.o.engine.size(id);
  }

  async create(input: SegmentInput): Promise<Result<SegmentSummary, SegmentError>> {
    return this.save(null, input);
  }

  async update(idOrName: string, input: SegmentInput): Promise<Result<SegmentSummary, SegmentError>> {
    const s = this.o.engine.byId(idOrName) ?? this.o.engine.named(idOrName);
    if (!s) return err(notFound(idOrName));
    return this.save(s.row, input);
  }

  private async save(existing: SegmentRow | null, input: SegmentInput): Promise<Result<SegmentSummary, SegmentError>> {
    const name = (input.name ?? existing?.name ?? '').trim();
    const bad = nameProblem(name);
    if (bad) return err({ code: 'segments.invalid_name', message: bad });
    input = { ...input, name };
    let def: Condition | null = null;
    if (input.definition !== undefined) {
      const r = this.readDefinition(input.definition);
      if (!r.ok) return r;
      def = r.value;
    } else if (existing?.kind === 'rule') {
      def = Condition.parse(existing.definition);
    }
    const other = this.o.engine.named(name);
    if (other && other.row.segmentId !== existing?.segmentId) {
      return err({ code: 'segments.name_taken', message: `A segment named "${input.name}" already exists (${other.row.segmentId}).` });
    }
    if (existing && existing.name !== name && this.usersOf(existing.name).length > 0) {
      const usedBy = this.usersOf(existing.name);
      return err({ code: 'segments.in_use', message: `Renaming would break in_segment("${existing.name}") in: ${usedBy.join(', ')}.`, usedBy });
    }
    if (def !== null) {
      const refs = refsOf(def);
      const missing = [...refs].filter((n) => n !== name && !this.o.engine.named(n));
      if (missing.length > 0) {
        return err({ code: 'segments.unknown_reference', message: `No segment is named ${missing.map((m) => `"${m}"`).join(', ')}.`, names: missing });
      }
      const cycle = this.cycleThrough(name, def);
      if (cycle) return err({ code: 'segments.cycle', message: `Segment references form a cycle: ${cycle.join(' -> ')}.`, cycle });
    }
    const now = this.o.clock.now();
    const row: SegmentRow = {
      segmentId: existing?.segmentId ?? `seg_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
      name,
      description: input.description ?? existing?.description ?? '',
      kind: def === null ? 'manual' : 'rule',
      definition: def,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.o.writer.runTask((at) => this.o.engine.upsert(row, at));
    return ok(summary(row));
  }

  async remove(idOrName: string): Promise<Result<SegmentSummary, SegmentError>> {
    const s = this.o.engine.byId(idOrName) ?? this.o.engine.named(idOrName);
    if (!s) return err(notFound(idOrName));
    const usedBy = this.usersOf(s.row.name);
    if (usedBy.length > 0) {
      return err({ code: 'segments.in_use', message: `in_segment("${s.row.name}") is used by: ${usedBy.join(', ')}.`, usedBy });
    }
    await this.o.writer.runTask(async (at) => this.o.engine.remove(s.row.segmentId, at));
    return ok(summary(s.row));
  }

  /** Replaces or extends a manual list's members. */
  async setMembers(
    idOrName: string,
    ids: ProfileId[],
    mode: 'replace' | 'append',
  ): Promise<Result<{ added: number; removed: number; unknown: number }, SegmentError>> {
    const s = this.o.engine.byId(idOrName) ?? this.o.engine.named(idOrName);
    if (!s) return err(notFound(idOrName));
    if (s.row.kind !== 'manual') {
      return err({ code: 'segments.not_manual', message: `${s.row.name} is a rule segment: its members follow its definition.` });
    }
    return ok(await this.o.writer.runTask(async (at) => this.o.engine.setManualMembers(s.row.segmentId, ids, mode, at)));
  }

  /** Size and a sample of a definition at `at` (now by default), computed in SQL over the whole history. */
  async preview(input: string | unknown, at?: Date): Promise<Result<Preview, SegmentError>> {
    const r = this.readDefinition(input);
    if (!r.ok) return r;
    const refs = [...refsOf(r.value)].filter((n) => !this.o.engine.named(n));
    if (refs.length > 0) return err({ code: 'segments.unknown_reference', message: `No segment is named ${refs.map((m) => `"${m}"`).join(', ')}.`, names: refs });
    const when = at ?? this.o.clock.now();
    const q = compileSegment(expandComputed(r.value, this.o.computed), this.compileContext(when));
    const [size, sample] = await this.o.store.readSnapshot(async () => [
      await this.o.store.countProfiles(q),
      await this.o.store.selectProfileIds(q, { limit: 10 }),
    ]);
    return ok({ size, sample, at: when.toISOString(), text: printDefinition(r.value) });
  }

  /** The batch evaluator's members of a saved segment, at `at`: what a recomputation over history gives. */
  async recompute(idOrName: string, at?: Date): Promise<Result<ProfileId[], SegmentError>> {
    const s = this.o.engine.byId(idOrName) ?? this.o.engine.named(idOrName);
    if (!s) return err(notFound(idOrName));
    if (s.definition === null) return ok(this.o.engine.membersPage(s.row.segmentId, undefined, Number.MAX_SAFE_INTEGER).map((m) => m.profileId));
    const q = compileSegment(s.definition, this.compileContext(at ?? this.o.clock.now()));
    return ok(await this.o.store.selectProfileIds(q, {}));
  }

  compileContext(now: Date): CompileContext {
    return {
      dialect: this.o.store.dialect,
      now,
      isPii: (k) => this.o.isPii(k),
      segment: (name) => {
        const s = this.o.engine.named(name);
        if (!s) return null;
        return s.definition === null ? { kind: 'manual', segmentId: s.row.segmentId } : { kind: 'rule', definition: s.definition };
      },
    };
  }

  /**
   * A page of members ordered by profile id, each with its user id. With `q`, only members whose profile id contains
   * it (any case), or whose userId, anonymousId or email is exactly it; the cursor works the same with or without.
   * @example await segments.members('buyers', { limit: 50, q: 'jean.dupont@example.fr' })
   */
  async members(
    idOrName: string,
    opts: { cursor?: string | undefined; limit: number; q?: string | undefined },
  ): Promise<Result<{ items: SegmentMember[]; nextCursor: string | null }, SegmentError>> {
    const s = this.o.engine.byId(idOrName) ?? this.o.engine.named(idOrName);
    if (!s) return err(notFound(idOrName));
    let keep: ((id: ProfileId) => boolean) | undefined;
    if (opts.q !== undefined) {
      const q = opts.q;
      const lower = q.toLowerCase();
      const holders = new Set(
        await this.o.store.profilesWithIdentity([
          { kind: 'user_id', value: q },
          { kind: 'anonymous_id', value: q },
          { kind: 'email', value: emailIdentityValue(q) },
        ]),
      );
      keep = (id) => holders.has(id) || id.toLowerCase().includes(lower);
    }
    const page = this.o.engine.membersPage(s.row.segmentId, opts.cursor, opts.limit, keep);
    const userIds = await this.o.store.userIdsOf(page.map((m) => m.profileId));
    const items = page.map((m) => ({ ...m, userId: userIds.get(m.profileId) ?? null }));
    const last = items[items.length - 1];
    return ok({ items, nextCursor: items.length === opts.limit && last ? last.profileId : null });
  }

  /**
   * The size of every segment at the end of each of the last `days` UTC days, today (up to now) last, from the change
   * feed; days before a segment's first member show 0.
   * @example await segments.trends(7) // [{ id: 'seg_...', trend: [{ day: '2026-04-01', size: 0 }, ...] }]
   */
  async trends(days: number, now: Date = this.o.clock.now()): Promise<{ id: string; trend: TrendPoint[] }[]> {
    const list = trendDays(now, days);
    const { from, to } = trendRange(list);
    const bySegment = new Map<string, TrendPoint[]>();
    for (const r of await this.o.store.dailySizes(from, to)) {
      const points = bySegment.get(r.segmentId) ?? [];
      points.push({ day: r.day, size: r.size });
      bySegment.set(r.segmentId, points);
    }
    return this.o.engine.list().map((s) => ({ id: s.row.segmentId, trend: fillTrend(list, bySegment.get(s.row.segmentId) ?? []) }));
  }

  /** Each condition of the definition with its value and truth for one profile, as the live engine sees it now. */
  explain(idOrName: string, profileId: ProfileId): Result<{ segment: SegmentSummary; member: boolean; at: string; tree: ExplainNode | null }, SegmentError> {
    const s = this.o.engine.byId(idOrName) ?? this.o.engine.named(idOrName);
    if (!s) return err(notFound(idOrName));
    const now = this.o.clock.now();
    const f = this.o.engine.factsFor(profileId, now.getTime());
    if (!f) return err({ code: 'profile.not_found', message: `No live profile ${profileId}.` });
    return ok({
      segment: summary(s.row),
      member: this.o.engine.isMember(s.row.segmentId, profileId),
      at: now.toISOString(),
      tree: s.definition === null ? null : explain(s.definition, f, (k) => this.o.isPii(k)),
    });
  }

  /** Entries, exits and size per day, from the change feed. */
  async history(idOrName: string): Promise<Result<{ day: string; entered: number; exited: number; size: number }[], SegmentError>> {
    const s = this.o.engine.byId(idOrName) ?? this.o.engine.named(idOrName);
    if (!s) return err(notFound(idOrName));
    return ok(await this.o.store.sizeHistory(s.row.segmentId));
  }

  /**
   * Recomputes a segment over the whole history in SQL and compares with the live members: the two evaluators'
   * agreement, checked on demand on real data. Differences are reported, not applied.
   */
  async verify(idOrName: string): Promise<Result<{ at: string; live: number; recomputed: number; onlyLive: ProfileId[]; onlyRecomputed: ProfileId[] }, SegmentError>> {
    const s = this.o.engine.byId(idOrName) ?? this.o.engine.named(idOrName);
    if (!s) return err(notFound(idOrName));
    const at = this.o.clock.now();
    const sql = await this.recompute(s.row.segmentId, at);
    if (!sql.ok) return sql;
    const live = new Set(this.o.engine.membersPage(s.row.segmentId, undefined, Number.MAX_SAFE_INTEGER).map((m) => m.profileId));
    const batch = new Set(sql.value);
    return ok({
      at: at.toISOString(),
      live: live.size,
      recomputed: batch.size,
      onlyLive: [...live].filter((p) => !batch.has(p)).slice(0, 100),
      onlyRecomputed: [...batch].filter((p) => !live.has(p)).slice(0, 100),
    });
  }

  /** The feed after `since`; `segment` is an id (also of a deleted segment) or the name of a current one. */
  changes(since: number, limit: number, segment?: string): Promise<MembershipChangeRow[]> {
    const id = segment === undefined ? undefined : (this.o.engine.named(segment)?.row.segmentId ?? segment);
    return this.o.store.changesSince(since, limit, id);
  }

  async segmentsOf(profileId: ProfileId): Promise<{ id: string; name: string; since: string }[]> {
    const rows = this.o.engine.segmentsOf(profileId);
    return rows.flatMap((r) => {
      const s = this.o.engine.byId(r.segmentId);
      return s ? [{ id: r.segmentId, name: s.row.name, since: r.since.toISOString() }] : [];
    });
  }

  /** Computed traits of one profile from its history (up to its latest 10,000 events), at `at`. */
  async computedTraitsOf(profileId: ProfileId, at?: Date): Promise<Record<string, unknown>> {
    const now = (at ?? this.o.clock.now()).getTime();
    const events = await this.o.store.eventsOf(profileId, { limit: 10_000 });
    const h: ProfileHistory = {
      profileId,
      traits: {},
      traitTimes: {},
      events: events.map((e) => toSegmentEvent({ type: e.type, event: e.event, ts: Date.parse(e.timestamp), properties: e.properties })),
    };
    const f = new HistoryFacts(h, now);
    const out: Record<string, unknown> = {};
    for (const [name, op] of this.o.computed) {
      if (op.kind === 'aggregate') out[name] = f.aggregate(op);
      else {
        const t = f.occurrence(op);
        out[name] = t === null ? null : new Date(t).toISOString();
      }
    }
    const DAY = 86_400_000;
    const last = typeof out.last_order === 'string' ? Date.parse(out.last_order) : null;
    const first = typeof out.first_seen === 'string' ? Date.parse(out.first_seen) : null;
    out.days_since_last_order = last === null ? null : Math.floor((now - last) / DAY);
    out.tenure_days = first === null ? null : Math.floor((now - first) / DAY);
    const orders30 = typeof out.orders_30d === 'number' ? out.orders_30d : 0;
    out.purchase_frequency_30d = Math.round((orders30 / 30) * 1000) / 1000;
    for (const m of this.o.mostFrequent ?? []) {
      const counts = new Map<string, { n: number; v: unknown }>();
      for (const e of h.events) {
        if (e.name !== m.event || e.ts > now || (m.withinDays !== undefined && e.ts <= now - m.withinDays * DAY)) continue;
        const v = valueAt(e.properties, m.property);
        const k = distinctKey(v);
        if (k === null) continue;
        const c = counts.get(k) ?? { n: 0, v };
        c.n++;
        counts.set(k, c);
      }
      let best: [string, { n: number; v: unknown }] | null = null;
      for (const entry of counts) {
        if (best === null || entry[1].n > best[1].n || (entry[1].n === best[1].n && compareCodePoints(entry[0], best[0]) < 0)) best = entry;
      }
      out[m.name] = best === null ? null : best[1].v;
    }
    // Interest per product category: views decayed with a 30-day half-life, so recent interest weighs more.
    const interests: Record<string, number> = {};
    for (const e of h.events) {
      const c = e.properties.category;
      if (e.name !== 'Product Viewed' || typeof c !== 'string' || e.ts > now) continue;
      interests[c] = (interests[c] ?? 0) + Math.pow(2, -(now - e.ts) / (30 * DAY));
    }
    out.interests = Object.fromEntries(
      Object.entries(interests)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, Math.round(v * 100) / 100]),
    );
    return out;
  }

  private usersOf(name: string): string[] {
    return this.o.engine
      .list()
      .filter((s) => s.deps.segments.has(name))
      .map((s) => s.row.name);
  }

  /** The cycle `name` would close if it had definition `def`, or null. */
  private cycleThrough(name: string, def: Condition): string[] | null {
    const refs = (n: string): Set<string> => {
      if (n === name) return refsOf(def);
      const s = this.o.engine.named(n);
      return s?.definition ? refsOf(s.definition) : new Set();
    };
    const path: string[] = [name];
    const seen = new Set<string>();
    const dfs = (n: string): string[] | null => {
      for (const r of refs(n)) {
        if (r === name) return [...path, r];
        if (seen.has(r)) continue;
        seen.add(r);
        path.push(r);
        const c = dfs(r);
        if (c) return c;
        path.pop();
      }
      return null;
    };
    return dfs(name);
  }
}

const refsOf = (c: Condition): Set<string> => dependenciesOf(c).segments;

/** Names appear in URLs and in in_segment("..."): printable, and not a word the API uses after /api/segments/. */
const RESERVED_NAMES = new Set(['changes', 'preview', 'trends']);
function nameProblem(name: string): string | null {
  if (name.length === 0 || name.length > 200) return 'A segment name has 1 to 200 characters.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/]/.test(name)) return 'A segment name may not hold control characters or "/".';
  if (RESERVED_NAMES.has(name.toLowerCase())) return `"${name}" is reserved by the API (/api/segments/${name}); pick another name.`;
  return null;
}

const notFound = (id: string): SegmentError => ({ code: 'segments.not_found', message: `No segment with id or name "${id}".` });

function summary(row: SegmentRow): SegmentSummary {
  const def = row.kind === 'rule' ? Condition.parse(row.definition) : null;
  return {
    id: row.segmentId,
    name: row.name,
    description: row.description,
    kind: row.kind,
    text: def === null ? null : printDefinition(def),
    definition: def,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
