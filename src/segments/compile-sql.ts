import { AppError } from '../kernel/index.js';
import type { SqlDialect, SqlQuery } from '../store/index.js';
import { durationMs, isDateValue, type CompareOp, type Condition, type KeyPath, type Operand, type Value, type Window } from './ast.js';
import type { EventOperand } from './evaluate.js';
import { heldTraitKey, test } from './evaluate.js';
import { BUCKETS, callTypeNamed, literalMs, STORED_DATE_PATTERN } from './values.js';

/**
 * Compiles a definition into one SQL query selecting the `profile_id` of every member at `now`: the batch evaluator
 * (backfill, preview, recompute). One scan of the events table computes every event aggregate of the definition
 * (and of the segments it refers to) as FILTER aggregates, grouped by profile; the condition is then a WHERE over
 * profiles joined with those aggregates. Identifiers come from the dialect, values are bound parameters, and every
 * leaf is wrapped so that a missing value is false rather than NULL (`not` must see false, not unknown).
 */
export interface CompileContext {
  dialect: SqlDialect;
  now: Date;
  /** Whether a top-level trait key lives in the PII vault. */
  isPii(key: string): boolean;
  /** The definition of a rule segment by name, or 'manual' with its id for lists, or null when unknown. */
  segment(name: string): { kind: 'rule'; definition: Condition } | { kind: 'manual'; segmentId: string } | null;
}

const TRAIT_TIMES_PATTERN = STORED_DATE_PATTERN;

class Builder {
  readonly params: (string | number | boolean)[] = [];
  readonly aggregates: { expr: string; match: string }[] = [];
  usesVault = false;
  usesScores = false;
  /** Whether the condition reads the profiles row (traits, trait times). */
  usesProfile = false;

  constructor(
    readonly ctx: CompileContext,
    /** The expression naming the profile id where the condition is evaluated. */
    readonly pid: string,
  ) {}

  param(v: string | number | boolean): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }
}

/** A JSON pointer (RFC 6901) for a key path: keys travel as one bound parameter. */
export function jsonPointer(path: KeyPath): string {
  return path.map((k) => `/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export function compileSegment(c: Condition, ctx: CompileContext): SqlQuery {
  // A condition that no profile without matching events can meet is evaluated over the grouped events alone: no
  // pass over every profile (what a hand-written GROUP BY ... HAVING does). Otherwise profiles lead.
  if (requiresEvents(c, ctx, [])) {
    const b = new Builder(ctx, 'agg.profile_id');
    const where = cond(c, b, []);
    if (!b.usesProfile && !b.usesVault && !b.usesScores && b.aggregates.length > 0) {
      const t = ctx.dialect.tables;
      const sql =
        `${aggregatesCte(b, t.events)}SELECT agg.profile_id AS profile_id FROM agg\n` +
        `WHERE (${where}) AND agg.profile_id NOT IN (SELECT m.profile_id FROM ${t.profiles} m WHERE m.merged_into IS NOT NULL)`;
      return { sql, params: b.params };
    }
  }
  const b = new Builder(ctx, 'p.profile_id');
  const where = cond(c, b, []);
  const d = ctx.dialect;
  const t = d.tables;
  const joins: string[] = [];
  if (b.usesVault) joins.push(`LEFT JOIN ${t.vault} v ON v.profile_id = p.profile_id`);
  if (b.usesScores) joins.push(`LEFT JOIN ${t.scores} s ON s.profile_id = p.profile_id`);
  let cte = '';
  if (b.aggregates.length > 0) {
    cte = aggregatesCte(b, t.events);
    joins.push('LEFT JOIN agg ON agg.profile_id = p.profile_id');
  }
  const sql = `${cte}SELECT p.profile_id AS profile_id FROM ${t.profiles} p\n${joins.join('\n')}\nWHERE p.merged_into IS NULL AND (${where})`;
  return { sql, params: b.params };
}

/** One scan of the events: every aggregate of the definition as a FILTER aggregate, grouped by profile. */
function aggregatesCte(b: Builder, events: string): string {
  const cols = b.aggregates.map((a, i) => `${a.expr} FILTER (WHERE ${a.match}) AS a${i}`).join(',\n    ');
  const any = b.aggregates.map((a) => `(${a.match})`).join(' OR ');
  return `WITH agg AS (\n  SELECT profile_id,\n    ${cols}\n  FROM ${events} e\n  WHERE ${any}\n  GROUP BY profile_id\n)\n`;
}

/** The value an event operand has for a profile with no matching event. */
function emptyValue(o: Operand): { type: 'number' | 'time'; value: number | null } | null {
  if (o.kind === 'aggregate') return { type: 'number', value: o.fn === 'count' || o.fn === 'sum' || o.fn === 'distinct' ? 0 : null };
  if (o.kind === 'occurrence') return { type: 'time', value: null };
  return null;
}

/**
 * Whether the condition is false for every profile without any event matching its operands (so the profiles with
 * none need not be looked at). Conservative: `not` and anything on traits say no.
 */
function requiresEvents(c: Condition, ctx: CompileContext, stack: string[]): boolean {
  switch (c.kind) {
    case 'and':
      return c.of.some((x) => requiresEvents(x, ctx, stack));
    case 'or':
      return c.of.every((x) => requiresEvents(x, ctx, stack));
    case 'in_segment': {
      if (stack.includes(c.segment)) return false;
      const s = ctx.segment(c.segment);
      return s?.kind === 'rule' ? requiresEvents(s.definition, ctx, [...stack, c.segment]) : false;
    }
    case 'not':
    case 'for':
    case 'random_bucket':
      return false;
    default: {
      const empty = emptyValue(c.left);
      return empty !== null && !test(c, empty, ctx.now.getTime());
    }
  }
}

function cond(c: Condition, b: Builder, stack: string[]): string {
  switch (c.kind) {
    case 'and':
      return c.of.map((x) => `(${cond(x, b, stack)})`).join(' AND ');
    case 'or':
      return c.of.map((x) => `(${cond(x, b, stack)})`).join(' OR ');
    case 'not':
      return `NOT (${cond(c.of, b, stack)})`;
    case 'in_segment': {
      if (stack.includes(c.segment)) {
        throw new AppError('segments.cycle', `Segment references form a cycle: ${[...stack, c.segment].join(' -> ')}.`);
      }
      const s = b.ctx.segment(c.segment);
      if (s === null) return 'false';
      if (s.kind === 'rule') return `(${cond(s.definition, b, [...stack, c.segment])})`;
      return `EXISTS (SELECT 1 FROM ${b.ctx.dialect.tables.members} m WHERE m.segment_id = ${b.param(s.segmentId)} AND m.profile_id = ${b.pid})`;
    }
    case 'random_bucket': {
      const key = c.seed === undefined ? b.pid : `${b.param(`${c.seed}:`)} || ${b.pid}`;
      return `(${b.ctx.dialect.md5Bucket(key)} % ${BUCKETS}) < ${b.param(Math.round(c.percent * 100))}`;
    }
    case 'for': {
      const key = heldTraitKey(c.of);
      if (key === null || c.of.kind === 'and' || c.of.kind === 'or' || c.of.kind === 'not' || c.of.kind === 'for') return 'false';
      const inner = cond(c.of, b, stack);
      const times = b.ctx.isPii(key) ? 'v.data_times' : 'p.trait_times';
      if (b.ctx.isPii(key)) b.usesVault = true;
      else b.usesProfile = true;
      const since = b.ctx.dialect.jsonDate(times, b.param(jsonPointer([key])), b.param(TRAIT_TIMES_PATTERN));
      const cut = b.ctx.dialect.timestamp(b.param(new Date(b.ctx.now.getTime() - durationMs(c.duration)).toISOString()));
      return `(${inner}) AND coalesce(${since} <= ${cut}, false)`;
    }
    default:
      return `coalesce(${leaf(c, b)}, false)`;
  }
}

type Leaf = Extract<Condition, { kind: 'compare' | 'between' | 'in' | 'exists' | 'within' }>;

/** How an operand reads in SQL, per literal type it may be compared with. */
interface SqlOperand {
  /** The expression for a literal type, or null when such a literal can never match. */
  as(t: 'string' | 'number' | 'boolean' | 'date'): string | null;
  present: string;
}

function sqlOperand(o: Operand, b: Builder, json: { traits: string; props: string }): SqlOperand {
  const d = b.ctx.dialect;
  const stored = (doc: string, path: KeyPath): SqlOperand => {
    const p = b.param(jsonPointer(path));
    return {
      as: (t) =>
        t === 'string' ? d.jsonString(doc, p) : t === 'number' ? d.jsonNumber(doc, p) : t === 'boolean' ? d.jsonBoolean(doc, p) : d.jsonDate(doc, p, b.param(STORED_DATE_PATTERN)),
      present: d.jsonPresent(doc, p),
    };
  };
  switch (o.kind) {
    case 'trait': {
      const pii = b.ctx.isPii(o.path[0] as string);
      if (pii) b.usesVault = true;
      else b.usesProfile = true;
      return stored(pii ? 'v.data' : json.traits, o.path);
    }
    case 'property':
      return stored(json.props, o.path);
    case 'score':
    case 'rfm': {
      b.usesScores = true;
      const path = o.kind === 'score' ? [o.name] : ['rfm', o.field];
      const s = stored('s.scores', path);
      const numeric = o.kind === 'score' || o.field !== 'segment';
      return { as: (t) => (numeric ? (t === 'number' ? s.as('number') : null) : t === 'string' ? s.as('string') : null), present: s.present };
    }
    case 'computed':
      throw new AppError('server.internal', `Computed trait ${o.name} was not expanded before compiling.`);
    case 'aggregate':
    case 'occurrence': {
      const i = addAggregate(o, b);
      const col = `agg.a${i}`;
      const zero = o.kind === 'aggregate' && (o.fn === 'count' || o.fn === 'sum' || o.fn === 'distinct');
      const expr = zero ? `coalesce(${col}, 0)` : col;
      return {
        as: (t) => (o.kind === 'aggregate' ? (t === 'number' ? expr : null) : t === 'date' ? expr : null),
        present: `${expr} IS NOT NULL`,
      };
    }
  }
}

function addAggregate(o: EventOperand, b: Builder): number {
  const d = b.ctx.dialect;
  const parts: string[] = [];
  if (o.event !== undefined) {
    const name = b.param(o.event);
    const type = callTypeNamed(o.event);
    parts.push(type === null ? `(e.type = 'track' AND e.event = ${name})` : `(e.type = ${b.param(type)} OR (e.type = 'track' AND e.event = ${name}))`);
  }
  if (o.where !== undefined) parts.push(`(${filter(o.where, b)})`);
  const w = windowSql(o.window, b);
  if (w !== null) parts.push(w);
  const match = parts.length === 0 ? 'true' : parts.join(' AND ');
  let expr: string;
  if (o.kind === 'occurrence') {
    expr = o.fn === 'first' ? 'min(e.ts)' : 'max(e.ts)';
  } else if (o.fn === 'count') {
    expr = 'count(*)';
  } else {
    const p = b.param(jsonPointer(o.property ?? []));
    if (o.fn === 'distinct') expr = `count(DISTINCT ${d.jsonDistinctKey('e.properties', p)})`;
    else expr = `${o.fn}(${d.jsonNumber('e.properties', p)})`;
  }
  b.aggregates.push({ expr, match });
  return b.aggregates.length - 1;
}

function windowSql(w: Window | undefined, b: Builder): string | null {
  if (w === undefined) return null;
  const ts = (ms: number) => b.ctx.dialect.timestamp(b.param(new Date(ms).toISOString()));
  if (w.kind === 'rolling') {
    const now = b.ctx.now.getTime();
    return `e.ts > ${ts(now - durationMs(w.duration))} AND e.ts <= ${ts(now)}`;
  }
  const parts: string[] = [];
  if (w.from !== undefined) parts.push(`e.ts >= ${ts(literalMs({ date: w.from }))}`);
  if (w.to !== undefined) parts.push(`e.ts < ${ts(literalMs({ date: w.to }))}`);
  return parts.join(' AND ');
}

function filter(c: Condition, b: Builder): string {
  switch (c.kind) {
    case 'and':
      return c.of.map((x) => `(${filter(x, b)})`).join(' AND ');
    case 'or':
      return c.of.map((x) => `(${filter(x, b)})`).join(' OR ');
    case 'not':
      return `NOT (${filter(c.of, b)})`;
    case 'compare':
    case 'between':
    case 'in':
    case 'exists':
      return `coalesce(${leaf(c, b)}, false)`;
    default:
      throw new AppError('server.internal', `A ${c.kind} condition reached an event filter.`);
  }
}

const litType = (v: Value): 'string' | 'number' | 'boolean' | 'date' =>
  isDateValue(v) ? 'date' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'boolean';

function literal(v: Value, b: Builder): string {
  if (isDateValue(v)) return b.ctx.dialect.timestamp(b.param(new Date(literalMs(v)).toISOString()));
  return b.param(v);
}

const SQL_OPS: Record<Exclude<CompareOp, 'contains' | 'starts_with'>, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

function compare(o: SqlOperand, op: CompareOp, v: Value, b: Builder): string {
  const t = litType(v);
  const e = o.as(t);
  if (e === null) return 'false';
  if (op === 'contains' || op === 'starts_with') {
    if (t !== 'string') return 'false';
    return op === 'contains' ? b.ctx.dialect.contains(e, b.param(v as string)) : b.ctx.dialect.startsWith(e, b.param(v as string));
  }
  // Booleans order false < true in SQL as in the reference evaluator.
  return `${e} ${SQL_OPS[op]} ${literal(v, b)}`;
}

function leaf(c: Leaf, b: Builder): string {
  const o = sqlOperand(c.left, b, { traits: 'p.traits', props: 'e.properties' });
  switch (c.kind) {
    case 'compare':
      return compare(o, c.op, c.value, b);
    case 'between':
      return `coalesce(${compare(o, '>=', c.low, b)}, false) AND coalesce(${compare(o, '<=', c.high, b)}, false)`;
    case 'in':
      return c.values.map((v) => `coalesce(${compare(o, '=', v, b)}, false)`).join(' OR ');
    case 'exists':
      return o.present;
    case 'within': {
      const t = o.as('date');
      if (t === null) return 'false';
      const now = b.ctx.now.getTime();
      const ts = (ms: number) => b.ctx.dialect.timestamp(b.param(new Date(ms).toISOString()));
      return `${t} > ${ts(now - durationMs(c.duration))} AND ${t} <= ${ts(now)}`;
    }
  }
}
