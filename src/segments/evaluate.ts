import { AppError } from '../kernel/index.js';
import { durationMs, type Condition, type KeyPath, type Operand, type RfmField, type Value } from './ast.js';
import {
  bucketIn,
  bucketOf,
  compareNumber,
  compareStored,
  compareTime,
  storedDateMs,
  valueAt,
} from './values.js';

export type AggregateOperand = Extract<Operand, { kind: 'aggregate' }>;
export type OccurrenceOperand = Extract<Operand, { kind: 'occurrence' }>;
export type EventOperand = AggregateOperand | OccurrenceOperand;

/**
 * What a condition can ask about one profile at one instant. The live engine answers from its incremental state,
 * the reference evaluator from the full event history; the condition logic below is the same for both.
 */
export interface Facts {
  readonly now: number;
  readonly profileId: string;
  /** The trait's value (PII vault included), or undefined. */
  trait(path: KeyPath): unknown;
  /** When the trait's top-level key last changed value (ms), or null when unknown. */
  traitSince(key: string): number | null;
  score(name: string): number | null;
  rfm(field: RfmField): string | number | null;
  aggregate(op: AggregateOperand): number | null;
  occurrence(op: OccurrenceOperand): number | null;
  inSegment(name: string): boolean;
}

/** Whether the profile described by `f` satisfies `c` at `f.now`. */
export function evaluate(c: Condition, f: Facts): boolean {
  switch (c.kind) {
    case 'and':
      return c.of.every((x) => evaluate(x, f));
    case 'or':
      return c.of.some((x) => evaluate(x, f));
    case 'not':
      return !evaluate(c.of, f);
    case 'in_segment':
      return f.inSegment(c.segment);
    case 'random_bucket':
      return bucketIn(bucketOf(f.profileId, c.seed), c.percent);
    case 'for': {
      if (!evaluate(c.of, f)) return false;
      const key = heldTraitKey(c.of);
      const since = key === null ? null : f.traitSince(key);
      return since !== null && since <= f.now - durationMs(c.duration);
    }
    default:
      return test(c, operandValue(c.left, f), f.now);
  }
}

/** The trait a `for` condition watches. */
export function heldTraitKey(c: Condition): string | null {
  if (c.kind === 'compare' || c.kind === 'between' || c.kind === 'in' || c.kind === 'exists') {
    return c.left.kind === 'trait' ? (c.left.path[0] ?? null) : null;
  }
  return null;
}

/** An operand's value, tagged so the comparison knows which rules apply. */
export type OperandValue =
  | { type: 'stored'; value: unknown }
  | { type: 'number'; value: number | null }
  | { type: 'time'; value: number | null };

export function operandValue(o: Operand, f: Facts): OperandValue {
  switch (o.kind) {
    case 'trait':
      return { type: 'stored', value: f.trait(o.path) };
    case 'property':
      throw new AppError('server.internal', 'A property operand outside an event filter reached the evaluator.');
    case 'computed':
      throw new AppError('server.internal', `Computed trait ${o.name} was not expanded before evaluation.`);
    case 'score':
      return { type: 'number', value: f.score(o.name) };
    case 'rfm': {
      const v = f.rfm(o.field);
      return o.field === 'segment' ? { type: 'stored', value: v } : { type: 'number', value: typeof v === 'number' ? v : null };
    }
    case 'aggregate':
      return { type: 'number', value: f.aggregate(o) };
    case 'occurrence':
      return { type: 'time', value: f.occurrence(o) };
  }
}

type Leaf = Extract<Condition, { kind: 'compare' | 'between' | 'in' | 'exists' | 'within' }>;

function cmp(v: OperandValue, op: Extract<Leaf, { kind: 'compare' }>['op'], lit: Value): boolean {
  switch (v.type) {
    case 'stored':
      return compareStored(v.value, op, lit);
    case 'number':
      return compareNumber(v.value, op, lit);
    case 'time':
      return compareTime(v.value, op, lit);
  }
}

/** A leaf test on an operand value; `now` only matters for `within`. */
export function test(c: Leaf, v: OperandValue, now: number): boolean {
  switch (c.kind) {
    case 'compare':
      return cmp(v, c.op, c.value);
    case 'between':
      return cmp(v, '>=', c.low) && cmp(v, '<=', c.high);
    case 'in':
      return c.values.some((x) => cmp(v, '=', x));
    case 'exists':
      return v.value !== undefined && v.value !== null;
    case 'within': {
      const t = v.type === 'time' ? v.value : v.type === 'stored' ? storedDateMs(v.value) : null;
      return t !== null && t > now - durationMs(c.duration) && t <= now;
    }
  }
}

/** Whether an event's properties pass a `where` filter (filters hold no time and no profile facts). */
export function matchesFilter(c: Condition, properties: Record<string, unknown>): boolean {
  switch (c.kind) {
    case 'and':
      return c.of.every((x) => matchesFilter(x, properties));
    case 'or':
      return c.of.some((x) => matchesFilter(x, properties));
    case 'not':
      return !matchesFilter(c.of, properties);
    case 'compare':
    case 'between':
    case 'in':
    case 'exists':
      if (c.left.kind !== 'property') break;
      return test(c, { type: 'stored', value: valueAt(properties, c.left.path) }, 0);
    default:
      break;
  }
  throw new AppError('server.internal', `A ${c.kind} condition reached an event filter.`);
}
