import type { KeyPath, RfmField, Window } from './ast.js';
import { durationMs } from './ast.js';
import { matchesFilter, type AggregateOperand, type EventOperand, type Facts, type OccurrenceOperand } from './evaluate.js';
import { distinctKey, eventNameOf, literalMs, numericValue, valueAt } from './values.js';

/** One event as the evaluators see it: its name per docs/segments.md, its time in ms, its properties. */
export interface SegmentEvent {
  name: string | null;
  ts: number;
  properties: Record<string, unknown>;
}

export const toSegmentEvent = (e: { type: string; event: string | null; ts: number; properties: Record<string, unknown> }): SegmentEvent => ({
  name: eventNameOf(e.type, e.event),
  ts: e.ts,
  properties: e.properties,
});

export interface ProfileHistory {
  profileId: string;
  traits: Record<string, unknown>;
  /** Per top-level trait key, when it last changed value (ms). */
  traitTimes: Record<string, number>;
  events: SegmentEvent[];
  scores?: Record<string, number>;
  rfm?: Partial<Record<RfmField, string | number>>;
}

/** Whether an event passes an operand's event name and filter (not its window). */
export function eventMatches(op: EventOperand, e: SegmentEvent): boolean {
  if (op.event !== undefined && e.name !== op.event) return false;
  return op.where === undefined || matchesFilter(op.where, e.properties);
}

/** Whether a timestamp is inside a window at `now`. */
export function inWindow(w: Window | undefined, ts: number, now: number): boolean {
  if (w === undefined) return true;
  if (w.kind === 'rolling') return ts > now - durationMs(w.duration) && ts <= now;
  return (w.from === undefined || ts >= literalMs({ date: w.from })) && (w.to === undefined || ts < literalMs({ date: w.to }));
}

/** Folds matching events into an aggregate's value. */
export class AggregateAcc {
  count = 0;
  sum = 0;
  numeric = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Only for `distinct` operands (a Set per total would weigh on a million profiles). */
  distinct: Set<string> | null = null;

  constructor(private readonly op: AggregateOperand) {}

  add(properties: Record<string, unknown>): void {
    this.addValue(this.op.property === undefined ? undefined : valueAt(properties, this.op.property));
  }

  /** Adds one event whose property (if the operand reads one) holds `v`. */
  addValue(v: unknown): void {
    this.count++;
    if (this.op.property === undefined) return;
    if (this.op.fn === 'distinct') {
      const k = distinctKey(v);
      if (k !== null) (this.distinct ??= new Set()).add(k);
      return;
    }
    const n = numericValue(v);
    if (n === null) return;
    this.numeric++;
    this.sum += n;
    if (n < this.min) this.min = n;
    if (n > this.max) this.max = n;
  }

  value(): number | null {
    switch (this.op.fn) {
      case 'count':
        return this.count;
      case 'sum':
        return this.sum;
      case 'avg':
        return this.numeric === 0 ? null : this.sum / this.numeric;
      case 'min':
        return this.numeric === 0 ? null : this.min;
      case 'max':
        return this.numeric === 0 ? null : this.max;
      case 'distinct':
        return this.distinct?.size ?? 0;
    }
  }
}

/**
 * The reference evaluator's facts: every answer computed from the profile's whole history. Slow and obviously right;
 * explanations use it, and the differential tests hold the SQL compiler and the live engine to it.
 */
export class HistoryFacts implements Facts {
  constructor(
    private readonly h: ProfileHistory,
    readonly now: number,
    private readonly segments: (name: string) => boolean = () => false,
  ) {}

  get profileId(): string {
    return this.h.profileId;
  }
  trait(path: KeyPath): unknown {
    return valueAt(this.h.traits, path);
  }
  traitSince(key: string): number | null {
    return this.h.traitTimes[key] ?? null;
  }
  score(name: string): number | null {
    return this.h.scores?.[name] ?? null;
  }
  rfm(field: RfmField): string | number | null {
    return this.h.rfm?.[field] ?? null;
  }
  aggregate(op: AggregateOperand): number | null {
    const acc = new AggregateAcc(op);
    for (const e of this.h.events) if (eventMatches(op, e) && inWindow(op.window, e.ts, this.now)) acc.add(e.properties);
    return acc.value();
  }
  occurrence(op: OccurrenceOperand): number | null {
    let best: number | null = null;
    for (const e of this.h.events) {
      if (!eventMatches(op, e) || !inWindow(op.window, e.ts, this.now)) continue;
      if (best === null || (op.fn === 'first' ? e.ts < best : e.ts > best)) best = e.ts;
    }
    return best;
  }
  inSegment(name: string): boolean {
    return this.segments(name);
  }
}
