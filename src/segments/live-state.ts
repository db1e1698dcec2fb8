import type { ProfileId } from '../kernel/index.js';
import { durationMs, forEachNode, type Condition, type Duration, type KeyPath, type Operand, type RfmField } from './ast.js';
import { heldTraitKey, matchesFilter, operandValue, type AggregateOperand, type EventOperand, type Facts, type OccurrenceOperand } from './evaluate.js';
import { AggregateAcc, inWindow, type SegmentEvent } from './history-facts.js';
import { storedDateMs, valueAt } from './values.js';

/**
 * The live engine's per-profile state. Events are sorted into streams (an event name and a property filter: decided
 * once, when the event arrives); a stream keeps the (time, values) of its events while some windowed operand may
 * still need them, and operands without a window keep running totals instead of events.
 */

export interface StreamDef {
  id: number;
  event: string | undefined;
  where: Condition | undefined;
  /** The property paths its windowed operands read (JSON text, and parsed), in the order of an event's values. */
  paths: string[];
  keyPaths: KeyPath[];
  /** Longest rolling window of its operands (ms); events older than that are dropped. */
  keepMs: number;
  /** Whether an absolute window needs old events: then nothing is dropped. */
  keepAll: boolean;
  windowed: boolean;
  /** Its operands without a window, which keep running totals. */
  totals: LeafDef[];
}

export interface LeafDef {
  id: number;
  op: EventOperand;
  stream: StreamDef;
  /** Index into the stream's paths for the operand's property, or -1. */
  pathIndex: number;
}

/**
 * One stream's events for one profile, in time order. Times sit in a plain number array (stored unboxed by V8) and
 * the property values the operands read in one flat array, `stride` per event: no object per event, since a
 * million profiles hold millions of them.
 */
export class EventList {
  readonly ts: number[] = [];
  readonly vals: unknown[] = [];
  constructor(readonly stride: number) {}

  get length(): number {
    return this.ts.length;
  }

  /** The value of path `k` for event `i`. */
  value(i: number, k: number): unknown {
    return this.vals[i * this.stride + k];
  }

  /** Adds an event; events mostly arrive in time order, so it is appended unless it is older than the last. */
  insert(t: number, values: unknown[]): void {
    const ts = this.ts;
    let i = ts.length;
    while (i > 0 && (ts[i - 1] as number) > t) i--;
    if (i === ts.length) {
      ts.push(t);
      for (const v of values) this.vals.push(v);
    } else {
      ts.splice(i, 0, t);
      this.vals.splice(i * this.stride, 0, ...values);
    }
  }

  /** Drops the events at or before `cut`. */
  dropThrough(cut: number): void {
    let i = 0;
    while (i < this.ts.length && (this.ts[i] as number) <= cut) i++;
    if (i === 0) return;
    this.ts.splice(0, i);
    this.vals.splice(0, i * this.stride);
  }

  static merge(a: EventList, b: EventList): EventList {
    const out = new EventList(a.stride);
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const takeA = j >= b.length || (i < a.length && (a.ts[i] as number) <= (b.ts[j] as number));
      const src = takeA ? a : b;
      const k = takeA ? i++ : j++;
      out.ts.push(src.ts[k] as number);
      for (let x = 0; x < src.stride; x++) out.vals.push(src.vals[k * src.stride + x]);
    }
    return out;
  }
}

const NO_VALUES: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NO_TIMES: Record<string, number> = Object.freeze({}) as Record<string, number>;

/**
 * A profile's live state. A million of these stay in memory, so everything starts shared and empty and is made
 * the profile's own on first write; arrays are indexed by stream or leaf id and stay sparse.
 */
export class ProfileState {
  traits: Record<string, unknown> = NO_VALUES;
  traitTimes: Record<string, number> = NO_TIMES;
  /** Replaced as a whole on change, never written in place. */
  scores: Record<string, unknown> = NO_VALUES;
  /** What the live scorer keeps to update the scores (opaque here). */
  scoreState: unknown = null;
  /**
   * Event lists by stream id and totals by leaf id, as small keyed arrays: a profile has a few of each, while ids
   * run to the hundreds, so arrays indexed by id would be mostly holes (and cost their length each).
   */
  private listKeys: number[] | null = null;
  private listVals: EventList[] | null = null;
  private accKeys: number[] | null = null;
  private accVals: (AggregateAcc | OccurrenceAcc)[] | null = null;
  wake = Number.POSITIVE_INFINITY;

  constructor(readonly profileId: ProfileId) {}

  /** Forgets traits, event lists, totals and the scoring state (to rebuild them); scores and memberships stay. */
  resetFacts(): void {
    this.traits = NO_VALUES;
    this.traitTimes = NO_TIMES;
    this.scoreState = null;
    this.listKeys = null;
    this.listVals = null;
    this.accKeys = null;
    this.accVals = null;
  }

  ownTraits(): Record<string, unknown> {
    if (this.traits === NO_VALUES) this.traits = {};
    return this.traits;
  }
  ownTraitTimes(): Record<string, number> {
    if (this.traitTimes === NO_TIMES) this.traitTimes = {};
    return this.traitTimes;
  }
  list(id: number): EventList | undefined {
    const i = this.listKeys === null ? -1 : this.listKeys.indexOf(id);
    return i < 0 ? undefined : this.listVals?.[i];
  }
  setList(id: number, l: EventList | undefined): void {
    const i = this.listKeys === null ? -1 : this.listKeys.indexOf(id);
    if (l === undefined) {
      if (i >= 0) {
        this.listKeys?.splice(i, 1);
        this.listVals?.splice(i, 1);
      }
      return;
    }
    if (i >= 0) (this.listVals as EventList[])[i] = l;
    else {
      // Copied rather than pushed: a pushed array reserves room for 16 more, and there are a million of them.
      this.listKeys = this.listKeys === null ? [id] : [...this.listKeys, id];
      this.listVals = this.listVals === null ? [l] : [...this.listVals, l];
    }
  }
  hasLists(): boolean {
    return this.listKeys !== null && this.listKeys.length > 0;
  }
  eachList(fn: (id: number, l: EventList) => void): void {
    this.listKeys?.forEach((id, i) => fn(id, (this.listVals as EventList[])[i] as EventList));
  }
  acc(id: number): AggregateAcc | OccurrenceAcc | undefined {
    const i = this.accKeys === null ? -1 : this.accKeys.indexOf(id);
    return i < 0 ? undefined : this.accVals?.[i];
  }
  setAcc(id: number, a: AggregateAcc | OccurrenceAcc | undefined): void {
    const i = this.accKeys === null ? -1 : this.accKeys.indexOf(id);
    if (a === undefined) {
      if (i >= 0) {
        this.accKeys?.splice(i, 1);
        this.accVals?.splice(i, 1);
      }
      return;
    }
    if (i >= 0) (this.accVals as (AggregateAcc | OccurrenceAcc)[])[i] = a;
    else {
      this.accKeys = this.accKeys === null ? [id] : [...this.accKeys, id];
      this.accVals = this.accVals === null ? [a] : [...this.accVals, a];
    }
  }
  eachAcc(fn: (id: number, a: AggregateAcc | OccurrenceAcc) => void): void {
    this.accKeys?.forEach((id, i) => fn(id, (this.accVals as (AggregateAcc | OccurrenceAcc)[])[i] as AggregateAcc | OccurrenceAcc));
  }
}

export class OccurrenceAcc {
  first = Number.POSITIVE_INFINITY;
  last = Number.NEGATIVE_INFINITY;
  add(ts: number): void {
    if (ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
  }
  value(fn: 'first' | 'last'): number | null {
    const v = fn === 'first' ? this.first : this.last;
    return Number.isFinite(v) ? v : null;
  }
  mergeFrom(o: OccurrenceAcc): void {
    this.add(o.first);
    this.add(o.last);
  }
}

function mergeAcc(into: AggregateAcc, from: AggregateAcc): void {
  into.count += from.count;
  into.sum += from.sum;
  into.numeric += from.numeric;
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
  for (const k of from.distinct ?? []) (into.distinct ??= new Set()).add(k);
}

/** Registry of streams and leaves shared by all live segments; the same operand text shares one leaf. */
export class LeafRegistry {
  readonly streams: StreamDef[] = [];
  readonly leaves: LeafDef[] = [];
  private readonly streamByKey = new Map<string, StreamDef>();
  private readonly leafByKey = new Map<string, LeafDef>();
  private readonly leafByOp = new WeakMap<EventOperand, LeafDef>();
  /** Streams by event name; streams without a name match every event. */
  private readonly byName = new Map<string, StreamDef[]>();
  private readonly anyName: StreamDef[] = [];

  /** Registers an operand; returns the leaf and whether its stream or leaf is new (its history must be loaded). */
  /**
   * Registers an operand. `fresh`: the leaf is new; `reload`: its stream's event lists no longer hold what the
   * stream's operands need (a new stream, a longer window, a new property) and must be read again from history.
   */
  register(op: EventOperand): { leaf: LeafDef; fresh: boolean; reload: boolean } {
    const key = JSON.stringify(op);
    const known = this.leafByKey.get(key);
    if (known) {
      this.leafByOp.set(op, known);
      return { leaf: known, fresh: false, reload: false };
    }
    const sKey = JSON.stringify([op.event ?? null, op.where ?? null]);
    let stream = this.streamByKey.get(sKey);
    if (!stream) {
      stream = { id: this.streams.length, event: op.event, where: op.where, paths: [], keepMs: 0, keepAll: false, windowed: false, totals: [], keyPaths: [] };
      this.streams.push(stream);
      this.streamByKey.set(sKey, stream);
      if (op.event === undefined) this.anyName.push(stream);
      else this.byName.set(op.event, [...(this.byName.get(op.event) ?? []), stream]);
    }
    let pathIndex = -1;
    let reload = false;
    if (op.window !== undefined) {
      if (!stream.windowed) reload = true;
      stream.windowed = true;
      if (op.window.kind === 'rolling') {
        const d = durationMs(op.window.duration);
        if (d > stream.keepMs && !stream.keepAll) reload = true;
        stream.keepMs = Math.max(stream.keepMs, d);
      } else {
        if (!stream.keepAll) reload = true;
        stream.keepAll = true;
      }
      if (op.kind === 'aggregate' && op.property !== undefined) {
        const p = JSON.stringify(op.property);
        pathIndex = stream.paths.indexOf(p);
        if (pathIndex < 0) {
          pathIndex = stream.paths.push(p) - 1;
          stream.keyPaths.push(op.property);
          reload = true;
        }
      }
    }
    const leaf: LeafDef = { id: this.leaves.length, op, stream, pathIndex };
    this.leaves.push(leaf);
    if (op.window === undefined) stream.totals.push(leaf);
    this.leafByKey.set(key, leaf);
    this.leafByOp.set(op, leaf);
    return { leaf, fresh: true, reload };
  }

  leafOf(op: EventOperand): LeafDef {
    const l = this.leafByOp.get(op);
    if (!l) throw new Error('Operand was not registered with the live engine.');
    return l;
  }

  streamsFor(name: string | null): StreamDef[] {
    const named = name === null ? undefined : this.byName.get(name);
    return named ? [...named, ...this.anyName] : this.anyName;
  }

  /** Leaves that keep running totals (no window). */
  totalsOf(stream: StreamDef): LeafDef[] {
    return stream.totals;
  }
}

/** Which parts of the state a history scan refills: the event lists of some streams, the totals of some leaves. */
export interface Refill {
  lists: ReadonlySet<number>;
  totals: ReadonlySet<number>;
}

/** Adds one event to a profile's state (only to the parts being refilled, when `only` is given). */
export function addEvent(reg: LeafRegistry, s: ProfileState, e: SegmentEvent, only?: Refill): StreamDef[] {
  const hit: StreamDef[] = [];
  for (const stream of reg.streamsFor(e.name)) {
    if (only !== undefined && !only.lists.has(stream.id) && !reg.totalsOf(stream).some((l) => only.totals.has(l.id))) continue;
    if (stream.where !== undefined && !matchesFilter(stream.where, e.properties)) continue;
    hit.push(stream);
    if (stream.windowed && (only === undefined || only.lists.has(stream.id))) {
      let list = s.list(stream.id);
      if (list === undefined) {
        list = new EventList(stream.paths.length);
        s.setList(stream.id, list);
      }
      list.insert(e.ts, stream.keyPaths.map((p) => valueAt(e.properties, p)));
    }
    for (const leaf of reg.totalsOf(stream)) {
      if (only !== undefined && !only.totals.has(leaf.id)) continue;
      let acc = s.acc(leaf.id);
      if (acc === undefined) {
        acc = leaf.op.kind === 'aggregate' ? new AggregateAcc(leaf.op) : new OccurrenceAcc();
        s.setAcc(leaf.id, acc);
      }
      if (acc instanceof AggregateAcc) acc.add(e.properties);
      else acc.add(e.ts);
    }
  }
  return hit;
}

/** Drops events no windowed operand can need again at `now` or later. */
export function prune(reg: LeafRegistry, s: ProfileState, now: number): void {
  if (!s.hasLists()) return;
  for (const stream of reg.streams) {
    const list = s.list(stream.id);
    if (!list || stream.keepAll || list.length === 0) continue;
    list.dropThrough(now - stream.keepMs);
    if (list.length === 0) s.setList(stream.id, undefined);
  }
}

/** Moves everything `from` knows into `into` (a merge of two profiles). */
export function mergeState(into: ProfileState, from: ProfileState): void {
  from.eachList((id, l) => {
    const mine = into.list(id);
    into.setList(id, mine ? EventList.merge(mine, l) : l);
  });
  from.eachAcc((id, a) => {
    const mine = into.acc(id);
    if (!mine) into.setAcc(id, a);
    else if (mine instanceof AggregateAcc && a instanceof AggregateAcc) mergeAcc(mine, a);
    else if (mine instanceof OccurrenceAcc && a instanceof OccurrenceAcc) mine.mergeFrom(a);
  });
}

/** Facts read from the live state. */
export class LiveFacts implements Facts {
  constructor(
    private readonly reg: LeafRegistry,
    private readonly s: ProfileState,
    readonly now: number,
    private readonly member: (name: string) => boolean,
  ) {}

  get profileId(): string {
    return this.s.profileId;
  }
  trait(path: KeyPath): unknown {
    return valueAt(this.s.traits, path);
  }
  traitSince(key: string): number | null {
    return this.s.traitTimes[key] ?? null;
  }
  score(name: string): number | null {
    const v = this.s.scores[name];
    return typeof v === 'number' ? v : null;
  }
  rfm(field: RfmField): string | number | null {
    const v = valueAt(this.s.scores, ['rfm', field]);
    return typeof v === 'number' || typeof v === 'string' ? v : null;
  }
  aggregate(op: AggregateOperand): number | null {
    const leaf = this.reg.leafOf(op);
    if (op.window === undefined) {
      const acc = this.s.acc(leaf.id);
      return acc instanceof AggregateAcc ? acc.value() : new AggregateAcc(op).value();
    }
    const list = this.s.list(leaf.stream.id);
    if (op.fn === 'count') {
      let n = 0;
      if (list) for (const t of list.ts) if (inWindow(op.window, t, this.now)) n++;
      return n;
    }
    const acc = new AggregateAcc(op);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        if (!inWindow(op.window, list.ts[i] as number, this.now)) continue;
        acc.addValue(leaf.pathIndex < 0 ? undefined : list.value(i, leaf.pathIndex));
      }
    }
    return acc.value();
  }
  occurrence(op: OccurrenceOperand): number | null {
    const leaf = this.reg.leafOf(op);
    if (op.window === undefined) {
      const acc = this.s.acc(leaf.id);
      return acc instanceof OccurrenceAcc ? acc.value(op.fn) : null;
    }
    let best: number | null = null;
    for (const t of this.s.list(leaf.stream.id)?.ts ?? []) {
      if (!inWindow(op.window, t, this.now)) continue;
      if (best === null || (op.fn === 'first' ? t < best : t > best)) best = t;
    }
    return best;
  }
  inSegment(name: string): boolean {
    return this.member(name);
  }

  /** The earliest instant after `now` at which the windowed operand's set of events changes, or Infinity. */
  nextWindowChange(op: EventOperand): number {
    if (op.window?.kind !== 'rolling') return Number.POSITIVE_INFINITY;
    const list = this.s.list(this.reg.leafOf(op).stream.id)?.ts;
    if (list === undefined || list.length === 0) return Number.POSITIVE_INFINITY;
    const d = durationMs(op.window.duration);
    const now = this.now;
    // The list is in time order: the first event still inside the window leaves it first (at ts + d), and the
    // first event stamped in the future enters it first (at ts).
    let next = Number.POSITIVE_INFINITY;
    for (const t of list) {
      if (t > now) {
        if (t < next) next = t;
        break;
      }
      if (t + d > now) {
        next = t + d;
        // Later entries leave later; only a future entry could come sooner.
        for (let i = list.length - 1; i >= 0 && (list[i] as number) > now; i--) if ((list[i] as number) < next) next = list[i] as number;
        break;
      }
    }
    return next;
  }
}

/**
 * What can change a definition's truth with no new event: rolling windows (an event enters at its time and leaves
 * at its time plus the window), `within` tests (a date enters and leaves the range), and `for` thresholds. The
 * engine collects these once per definition, shares equal ones between segments, and asks each for its next edge.
 */
export type TimedItem =
  | { kind: 'window'; op: EventOperand }
  | { kind: 'within'; left: Operand; duration: Duration }
  | { kind: 'for'; key: string; duration: Duration };

export function timedItems(c: Condition): TimedItem[] {
  const out: TimedItem[] = [];
  forEachNode(c, (x) => {
    if (x.kind === 'for') {
      const key = heldTraitKey(x.of);
      if (key !== null) out.push({ kind: 'for', key, duration: x.duration });
      return;
    }
    if (!('left' in x)) return;
    const o = x.left;
    if ((o.kind === 'aggregate' || o.kind === 'occurrence') && o.window?.kind === 'rolling') out.push({ kind: 'window', op: o });
    if (x.kind === 'within') out.push({ kind: 'within', left: o, duration: x.duration });
  });
  return out;
}

/** The item's next edge strictly after `f.now`, or Infinity. */
export function nextEdge(item: TimedItem, f: LiveFacts): number {
  switch (item.kind) {
    case 'window':
      return f.nextWindowChange(item.op);
    case 'for': {
      const since = f.traitSince(item.key);
      const t = since === null ? Number.POSITIVE_INFINITY : since + durationMs(item.duration);
      return t > f.now ? t : Number.POSITIVE_INFINITY;
    }
    case 'within': {
      const v = operandValue(item.left, f);
      const t = v.type === 'time' ? v.value : v.type === 'stored' ? storedDateMs(v.value) : null;
      if (t === null) return Number.POSITIVE_INFINITY;
      if (t > f.now) return t;
      const end = t + durationMs(item.duration);
      return end > f.now ? end : Number.POSITIVE_INFINITY;
    }
  }
}

/** The earliest instant after `f.now` at which the truth of `c` could change with no new event (Infinity if none). */
export function nextChange(c: Condition, f: LiveFacts): number {
  let next = Number.POSITIVE_INFINITY;
  for (const item of timedItems(c)) {
    const t = nextEdge(item, f);
    if (t < next) next = t;
  }
  return next;
}
