import { z } from 'zod';

/**
 * The segment definition language as data. A definition is a tree of these nodes, stored as JSON and checked with
 * these schemas whenever it is read back; nothing in it is ever executed or pasted into SQL. The text form
 * (`parse-text.ts` / `print-text.ts`) is only another way to write the same tree. Semantics: docs/segments.md.
 */

export const DURATION_UNITS = ['s', 'm', 'h', 'd', 'w'] as const;
export const DurationUnit = z.enum(DURATION_UNITS);
export type DurationUnit = z.infer<typeof DurationUnit>;

const UNIT_MS: Record<DurationUnit, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** Ten years: long enough for any marketing window, short enough that times stay far inside Date's range. */
export const MAX_DURATION_MS = 3650 * UNIT_MS.d;

export const Duration = z
  .object({ value: z.number().int().positive(), unit: DurationUnit })
  .strict()
  .refine((d) => d.value * UNIT_MS[d.unit] <= MAX_DURATION_MS, { message: 'A duration may not exceed 3650 days.' });
export type Duration = z.infer<typeof Duration>;

export const durationMs = (d: Duration): number => d.value * UNIT_MS[d.unit];

/** `2026-01-01` (midnight UTC) or `2026-01-01T10:30:00Z` / with an offset / fraction of a second. */
export const DATE_LITERAL_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
export const DateLiteral = z
  .string()
  .regex(DATE_LITERAL_RE, 'A date is written 2026-01-31 or 2026-01-31T10:30:00Z.')
  .refine((s) => Number.isFinite(parseDateLiteral(s)), { message: 'Not a calendar date.' });

/** Milliseconds since the epoch, or NaN when the text is not a real date (2026-02-30). */
export function parseDateLiteral(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return Number.NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.UTC maps years below 100 to 19xx; no marketing date is that old, so years before 1000 are refused.
  if (y < 1000) return Number.NaN;
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return Number.NaN;
  return s.length === 10 ? day.getTime() : Date.parse(s);
}

export const Value = z.union([
  z.string().max(1000),
  z.number().finite(),
  z.boolean(),
  z.object({ date: DateLiteral }).strict(),
]);
export type Value = z.infer<typeof Value>;
export type DateValue = { date: string };
export const isDateValue = (v: Value): v is DateValue => typeof v === 'object';

/** A key path into a JSON object: `trait.address.city` is ['address', 'city']. */
export const KeyPath = z.array(z.string().min(1).max(200)).min(1).max(8);
export type KeyPath = z.infer<typeof KeyPath>;

export const Window = z.discriminatedUnion('kind', [
  /** Events with now - duration < timestamp <= now. */
  z.object({ kind: z.literal('rolling'), duration: Duration }).strict(),
  /** Events with from <= timestamp < to; either end may be open. */
  z
    .object({ kind: z.literal('absolute'), from: DateLiteral.optional(), to: DateLiteral.optional() })
    .strict()
    .refine((w) => w.from !== undefined || w.to !== undefined, { message: 'An absolute window needs from, to or both.' }),
]);
export type Window = z.infer<typeof Window>;

export const AGGREGATE_FNS = ['count', 'sum', 'avg', 'min', 'max', 'distinct'] as const;
export type AggregateFn = (typeof AGGREGATE_FNS)[number];
/** Scores every installation has; models add theirs (`score.purchase_30d`, `score.clv`): any lower-case identifier. */
export const SCORE_NAMES = ['engagement'] as const;
export const SCORE_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const RFM_FIELDS = ['segment', 'r', 'f', 'm', 'score'] as const;
export type RfmField = (typeof RFM_FIELDS)[number];

export const COMPARE_OPS = ['=', '!=', '<', '<=', '>', '>=', 'contains', 'starts_with'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export type Operand =
  | { kind: 'trait'; path: KeyPath }
  | { kind: 'property'; path: KeyPath }
  | { kind: 'score'; name: string }
  | { kind: 'rfm'; field: RfmField }
  | { kind: 'computed'; name: string }
  | {
      kind: 'aggregate';
      fn: AggregateFn;
      event?: string | undefined;
      where?: Condition | undefined;
      property?: KeyPath | undefined;
      window?: Window | undefined;
    }
  | { kind: 'occurrence'; fn: 'first' | 'last'; event?: string | undefined; where?: Condition | undefined; window?: Window | undefined };

export type Condition =
  | { kind: 'and'; of: Condition[] }
  | { kind: 'or'; of: Condition[] }
  | { kind: 'not'; of: Condition }
  | { kind: 'compare'; left: Operand; op: CompareOp; value: Value }
  | { kind: 'between'; left: Operand; low: Value; high: Value }
  | { kind: 'in'; left: Operand; values: Value[] }
  | { kind: 'exists'; left: Operand }
  | { kind: 'within'; left: Operand; duration: Duration }
  | { kind: 'for'; of: Condition; duration: Duration }
  | { kind: 'in_segment'; segment: string }
  | { kind: 'random_bucket'; percent: number; seed?: string | undefined };

const Name = z.string().min(1).max(200);

export const Operand: z.ZodType<Operand> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('trait'), path: KeyPath }).strict(),
    z.object({ kind: z.literal('property'), path: KeyPath }).strict(),
    z.object({ kind: z.literal('score'), name: z.string().regex(SCORE_NAME_PATTERN, 'A score name is lower-case letters, digits and _ (engagement, or a model such as purchase_30d).') }).strict(),
    z.object({ kind: z.literal('rfm'), field: z.enum(RFM_FIELDS) }).strict(),
    z.object({ kind: z.literal('computed'), name: Name }).strict(),
    z
      .object({
        kind: z.literal('aggregate'),
        fn: z.enum(AGGREGATE_FNS),
        event: Name.optional(),
        where: Condition.optional(),
        property: KeyPath.optional(),
        window: Window.optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('occurrence'),
        fn: z.enum(['first', 'last']),
        event: Name.optional(),
        where: Condition.optional(),
        window: Window.optional(),
      })
      .strict(),
  ]),
);

export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('and'), of: z.array(Condition).min(2).max(100) }).strict(),
    z.object({ kind: z.literal('or'), of: z.array(Condition).min(2).max(100) }).strict(),
    z.object({ kind: z.literal('not'), of: Condition }).strict(),
    z.object({ kind: z.literal('compare'), left: Operand, op: z.enum(COMPARE_OPS), value: Value }).strict(),
    z.object({ kind: z.literal('between'), left: Operand, low: Value, high: Value }).strict(),
    z.object({ kind: z.literal('in'), left: Operand, values: z.array(Value).min(1).max(1000) }).strict(),
    z.object({ kind: z.literal('exists'), left: Operand }).strict(),
    z.object({ kind: z.literal('within'), left: Operand, duration: Duration }).strict(),
    z.object({ kind: z.literal('for'), of: Condition, duration: Duration }).strict(),
    z.object({ kind: z.literal('in_segment'), segment: Name }).strict(),
    z
      .object({
        kind: z.literal('random_bucket'),
        percent: z
          .number()
          .gt(0)
          .max(100)
          .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-9, { message: 'Use at most two decimals (12.25%).' }),
        seed: z.string().min(1).max(100).optional(),
      })
      .strict(),
  ]),
);

/**
 * Calls `fn` on every node of a definition, parents before children. Event filters (`where`) are not entered:
 * they are part of their operand.
 */
export function forEachNode(c: Condition, fn: (x: Condition) => void): void {
  fn(c);
  if (c.kind === 'and' || c.kind === 'or') for (const x of c.of) forEachNode(x, fn);
  else if (c.kind === 'not' || c.kind === 'for') forEachNode(c.of, fn);
}

/** The type of value an operand yields, which decides the comparisons it accepts. */
export type OperandType = 'any' | 'number' | 'time' | 'string';

export function operandType(o: Operand): OperandType {
  switch (o.kind) {
    case 'trait':
    case 'property':
    case 'computed':
      return 'any';
    case 'score':
      return 'number';
    case 'rfm':
      return o.field === 'segment' ? 'string' : 'number';
    case 'aggregate':
      return 'number';
    case 'occurrence':
      return 'time';
  }
}
