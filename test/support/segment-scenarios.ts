import fc from 'fast-check';
import type { Condition, Duration, Operand, Value, Window } from '../../src/segments/ast.js';

/**
 * Generators for differential tests: definitions and profiles drawn from one small vocabulary, so that generated
 * conditions actually meet the generated data (random names would make nearly every segment empty).
 */

export const EVENT_NAMES = ['Order Completed', 'Page Viewed', 'Product Viewed', 'Email Opened'] as const;
export const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Evaluation instants around NOW, often on whole days and hours so that window edges are met exactly. */
export const shiftArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: -3, max: 3 }).map((d) => d * DAY),
  fc.integer({ min: -48, max: 48 }).map((h) => h * HOUR),
  fc.integer({ min: -3 * DAY, max: 3 * DAY }),
);

const durations: fc.Arbitrary<Duration> = fc.oneof(
  fc.record({ value: fc.integer({ min: 1, max: 40 }), unit: fc.constant('d' as const) }),
  fc.record({ value: fc.integer({ min: 1, max: 72 }), unit: fc.constant('h' as const) }),
  fc.record({ value: fc.integer({ min: 1, max: 5 }), unit: fc.constant('w' as const) }),
);

const dates = fc.constantFrom('2026-05-01', '2026-06-01', '2026-06-10T08:00:00Z', '2026-06-14T23:30:00+02:00', '2025-12-31');

const windows: fc.Arbitrary<Window | undefined> = fc.oneof(
  fc.constant(undefined),
  durations.map((duration): Window => ({ kind: 'rolling', duration })),
  fc
    .record({ from: fc.option(dates, { nil: undefined }), to: fc.option(dates, { nil: undefined }) })
    .filter((w) => w.from !== undefined || w.to !== undefined)
    .map((w): Window => ({ kind: 'absolute', ...(w.from ? { from: w.from } : {}), ...(w.to ? { to: w.to } : {}) })),
);

// Small, repeated values so that equalities and boundaries are hit, not only the open ranges between them.
const numbers = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 30, 42.25, 250),
  fc.integer({ min: -5, max: 400 }),
  fc.integer({ min: 0, max: 1600 }).map((n) => n / 4),
);
const strings = fc.constantFrom('FR', 'DE', 'fr', 'shoes', 'books', 'premium', 'free', 'Île-de-France', '', '30');
const values: fc.Arbitrary<Value> = fc.oneof(strings, numbers, fc.boolean(), dates.map((date) => ({ date })));

const propertyPaths: fc.Arbitrary<string[]> = fc.constantFrom(['category'], ['revenue'], ['price'], ['meta', 'source']);
const traitPaths: fc.Arbitrary<string[]> = fc.constantFrom(['country'], ['age'], ['signup_date'], ['plan'], ['address', 'city'], ['email'], ['vip']);

function leafOn(left: fc.Arbitrary<Operand>, numeric: boolean, time: boolean): fc.Arbitrary<Condition> {
  const small = fc.oneof(fc.integer({ min: 0, max: 4 }), numbers);
  const vals: fc.Arbitrary<Value> = numeric ? small : time ? dates.map((date) => ({ date })) : values;
  const ops = fc.constantFrom('=', '!=', '<', '<=', '>', '>=' as const);
  const options: fc.Arbitrary<Condition>[] = [
    fc.record({ kind: fc.constant('compare' as const), left, op: ops, value: vals }),
    fc.record({ kind: fc.constant('between' as const), left, low: vals, high: vals }),
    fc.record({ kind: fc.constant('in' as const), left, values: fc.array(vals, { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('exists' as const), left }),
  ];
  if (!numeric && !time) {
    options.push(fc.record({ kind: fc.constant('compare' as const), left, op: fc.constantFrom('contains', 'starts_with' as const), value: strings }));
  }
  if (!numeric) options.push(fc.record({ kind: fc.constant('within' as const), left, duration: durations }));
  return fc.oneof(...options);
}

const filterArb: fc.Arbitrary<Condition> = fc.letrec<{ f: Condition }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafOn(propertyPaths.map((path): Operand => ({ kind: 'property', path })), false, false).filter((c) => c.kind !== 'within'),
    fc.record({ kind: fc.constant('not' as const), of: tie('f') }),
    fc.record({ kind: fc.constantFrom('and', 'or' as const), of: fc.array(tie('f'), { minLength: 2, maxLength: 3 }) }),
  ),
})).f;

const eventName = fc.option(fc.constantFrom(...EVENT_NAMES), { nil: undefined, freq: 5 });
const maybeFilter = fc.option(filterArb, { nil: undefined, freq: 2 });

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const aggregates: fc.Arbitrary<Operand> = fc
  .record({
    fn: fc.constantFrom('count', 'sum', 'avg', 'min', 'max', 'distinct' as const),
    event: eventName,
    where: maybeFilter,
    property: propertyPaths,
    window: windows,
  })
  .map((a): Operand => clean({ kind: 'aggregate', ...a, property: a.fn === 'count' ? undefined : a.property }));

const occurrences: fc.Arbitrary<Operand> = fc
  .record({ fn: fc.constantFrom('first', 'last' as const), event: eventName, where: maybeFilter, window: windows })
  .map((o): Operand => clean({ kind: 'occurrence', ...o }));

const traitLeaf = leafOn(traitPaths.map((path): Operand => ({ kind: 'trait', path })), false, false);

export const SEGMENT_NAMES = ['base', 'other'] as const;

/** Definitions over the vocabulary; `in_segment` refers to SEGMENT_NAMES only when `refs` is true. */
export function definitionArb(refs: boolean): fc.Arbitrary<Condition> {
  const leaves: fc.Arbitrary<Condition>[] = [
    traitLeaf,
    leafOn(aggregates, true, false),
    leafOn(aggregates, true, false),
    leafOn(occurrences, false, true),
    fc.record({ kind: fc.constant('for' as const), of: traitLeaf.filter((c) => c.kind !== 'within'), duration: durations }),
    fc.record({ kind: fc.constant('random_bucket' as const), percent: fc.integer({ min: 1, max: 10000 }).map((n) => n / 100) }),
    fc
      .record({ percent: fc.integer({ min: 1, max: 100 }), seed: fc.constantFrom('a', 'holdout') })
      .map((r): Condition => ({ kind: 'random_bucket', ...r })),
  ];
  if (refs) leaves.push(fc.record({ kind: fc.constant('in_segment' as const), segment: fc.constantFrom(...SEGMENT_NAMES) }));
  return fc.letrec<{ c: Condition }>((tie) => ({
    // Leaves weigh more than branches: deep random trees mask what each leaf decides.
    c: fc.oneof(
      { maxDepth: 3, withCrossShrink: true },
      { arbitrary: fc.oneof(...leaves), weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant('not' as const), of: tie('c') }), weight: 1 },
      {
        arbitrary: fc.record({ kind: fc.constantFrom('and', 'or' as const), of: fc.array(tie('c'), { minLength: 2, maxLength: 3 }) }),
        weight: 2,
      },
    ),
  })).c;
}

export interface GeneratedEvent {
  type: 'track' | 'page';
  event: string | null;
  /** Offset from NOW in ms (negative: in the past). */
  offset: number;
  properties: Record<string, unknown>;
}

export interface GeneratedProfile {
  traits: Record<string, unknown>;
  /** Offsets from NOW (ms) of when each trait last changed. */
  traitAges: Record<string, number>;
  email: string | null;
  events: GeneratedEvent[];
}

const propValue = fc.oneof(strings, numbers, fc.boolean(), fc.constant(null), dates);

export const eventArb: fc.Arbitrary<GeneratedEvent> = fc
  .record({
    name: fc.constantFrom(...EVENT_NAMES),
    offset: fc.oneof(
      fc.integer({ min: -45 * DAY, max: DAY }),
      fc.integer({ min: -45, max: 1 }).map((d) => d * DAY),
      fc.integer({ min: -72, max: 2 }).map((h) => h * HOUR),
    ),
    category: fc.option(fc.oneof(fc.constantFrom('shoes', 'books'), propValue), { nil: undefined }),
    revenue: fc.option(fc.oneof(numbers, propValue), { nil: undefined }),
    price: fc.option(numbers, { nil: undefined }),
    source: fc.option(strings, { nil: undefined }),
  })
  .map((r) => {
    const properties: Record<string, unknown> = {};
    if (r.category !== undefined) properties.category = r.category;
    if (r.revenue !== undefined) properties.revenue = r.revenue;
    if (r.price !== undefined) properties.price = r.price;
    if (r.source !== undefined) properties.meta = { source: r.source };
    return r.name === 'Page Viewed'
      ? { type: 'page' as const, event: 'Accueil', offset: r.offset, properties }
      : { type: 'track' as const, event: r.name, offset: r.offset, properties };
  });

const traitValue = fc.oneof(strings, numbers, fc.boolean(), dates, fc.constantFrom('2026-06-01 10:00', '2026-02-30', '2026-13-01', '2026-06-14T10:00:00.5Z'));

export const profileArb: fc.Arbitrary<GeneratedProfile> = fc.record({
  traits: fc.dictionary(fc.constantFrom('country', 'age', 'signup_date', 'plan', 'vip'), traitValue, { maxKeys: 5 }).chain((t) =>
    fc.option(fc.constantFrom('Paris', 'Lyon', 3), { nil: undefined }).map((city) => (city === undefined ? t : { ...t, address: { city } })),
  ),
  traitAges: fc.dictionary(fc.constantFrom('country', 'age', 'signup_date', 'plan', 'vip', 'address'), fc.integer({ min: 0, max: 60 * DAY })),
  email: fc.option(fc.constantFrom('a@example.fr', 'b@example.com'), { nil: null }),
  events: fc.array(eventArb, { maxLength: 12 }),
});

/** Definitions whose truth mostly moves with time: rolling windows and `within`, to exercise the timers. */
export const timedDefinitionArb: fc.Arbitrary<Condition> = (() => {
  const rolling = durations.map((duration): Window => ({ kind: 'rolling', duration }));
  const agg = fc
    .record({ fn: fc.constantFrom('count', 'sum', 'max' as const), event: eventName, property: propertyPaths, window: rolling })
    .map((a): Operand => clean({ kind: 'aggregate', ...a, property: a.fn === 'count' ? undefined : a.property }));
  const occ = fc
    .record({ fn: fc.constantFrom('first', 'last' as const), event: eventName, window: fc.option(rolling, { nil: undefined }) })
    .map((o): Operand => clean({ kind: 'occurrence', ...o }));
  const leaf = fc.oneof(
    fc.record({ kind: fc.constant('compare' as const), left: agg, op: fc.constantFrom('>=', '<', '=' as const), value: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('within' as const), left: occ, duration: durations }),
    fc.record({ kind: fc.constant('exists' as const), left: occ }),
  );
  return fc.oneof(
    { arbitrary: leaf, weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('not' as const), of: leaf }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constantFrom('and', 'or' as const), of: fc.array(leaf, { minLength: 2, maxLength: 3 }) }), weight: 2 },
  );
})();
