import fc from 'fast-check';
import {
  AGGREGATE_FNS,
  COMPARE_OPS,
  DURATION_UNITS,
  RFM_FIELDS,
  SCORE_NAMES,
  type Condition,
  type Duration,
  type DurationUnit,
  type KeyPath,
  type Operand,
  type Value,
  type Window,
} from '../../src/segments/ast.js';

/**
 * Generated segment definitions (ASTs) that the schema accepts and that the text form can express: property operands
 * only inside `where`, no trait/score/rfm/computed/aggregate/first/last/in_segment/random_bucket inside it, count
 * without a property and sum/avg/min/max/distinct with one, contains/starts_with with a string. Keys and strings
 * lean on what breaks printers: keywords in any case, quotes, backslashes, dots, astral and lone-surrogate characters.
 */

// Plain objects, like the ASTs parsed from text or JSON (fast-check may otherwise drop the prototype).
const NOPROTO = { noNullPrototype: true };

const MAX_VALUE: Record<DurationUnit, number> = { s: 315_360_000, m: 5_256_000, h: 87_600, d: 3650, w: 521 };

const awkwardChars = fc.constantFrom('a', 'Z', '.', '"', '\\', '\n', '\t', ' ', 'é', '𝒜', '\ud800', '#', '(', ',', '0', '_', '-');

/** 1..~24 UTF-16 units: plain identifiers, reserved words, and strings that need quoting. */
export const keyArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/),
  fc.constantFrom(
    'and', 'OR', 'Not', 'in', 'exists', 'Within', 'where', 'for', 'true', 'FALSE', 'between', 'starts_with', 'contains',
    'count', 'Sum', 'first', 'last', 'in_segment', 'random_bucket', 'trait', 'Score', 'rfm', 'computed',
    'event', 'property', 'from', 'to', 'seed', 'Code postal', 'région', 'a.b', 'say "hi"', 'back\\slash', '1st', '-',
    '日本', '𝒜x', 'İstanbul', '_', 'x1', 'ÉTÉ',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }),
  fc.string({ unit: awkwardChars, minLength: 1, maxLength: 8 }),
);

export const keyPathArbitrary: fc.Arbitrary<KeyPath> = fc.array(keyArbitrary, { minLength: 1, maxLength: 4 });

/** A lone key with a dot has no text form: `"a.b"` after `property =` is read as two keys. */
const propertyPathArbitrary: fc.Arbitrary<KeyPath> = keyPathArbitrary.filter((p) => !(p.length === 1 && (p[0] ?? '').includes('.')));

const nameArbitrary: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('Order Completed', 'Page Viewed', 'vip'), keyArbitrary);

const stringValueArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.string({ unit: awkwardChars, maxLength: 8 }),
  fc.constantFrom('', 'FR', 'Île-de-France', 'and', '2026-01-01'),
);

const numberArbitrary: fc.Arbitrary<number> = fc
  .oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, 0.5, -2.5, 1e6, 1e21, 1e-7, -1e-300, Number.MAX_VALUE, -Number.MIN_VALUE, 2026),
  )
  .filter((n) => !Object.is(n, -0));

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const zoneArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constant('Z'),
  fc
    .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45))
    .map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`),
);

const timeArbitrary: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 59 }),
    fc.option(fc.tuple(fc.integer({ min: 0, max: 59 }), fc.option(fc.stringMatching(/^\d{1,3}$/), { nil: undefined })), { nil: undefined }),
    zoneArbitrary,
  )
  .map(([h, m, s, zone]) => {
    const seconds = s === undefined ? '' : `:${pad(s[0])}${s[1] === undefined ? '' : `.${s[1]}`}`;
    return `T${pad(h)}:${pad(m)}${seconds}${zone}`;
  });

/** Real calendar dates, alone or with a time and a zone. */
export const dateArbitrary: fc.Arbitrary<string> = fc
  .tuple(
    fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2999, 11, 31)), noInvalidDate: true }),
    fc.option(timeArbitrary, { nil: undefined }),
  )
  .map(([d, time]) => `${d.toISOString().slice(0, 10)}${time ?? ''}`);

export const valueArbitrary: fc.Arbitrary<Value> = fc.oneof(
  stringValueArbitrary,
  numberArbitrary,
  fc.boolean(),
  dateArbitrary.map((date) => ({ date })),
);

export const durationArbitrary: fc.Arbitrary<Duration> = fc
  .constantFrom(...DURATION_UNITS)
  .chain((unit) => fc.integer({ min: 1, max: MAX_VALUE[unit] }).map((value) => ({ value, unit })));

export const windowArbitrary: fc.Arbitrary<Window> = fc.oneof(
  durationArbitrary.map((duration): Window => ({ kind: 'rolling', duration })),
  dateArbitrary.map((from): Window => ({ kind: 'absolute', from })),
  dateArbitrary.map((to): Window => ({ kind: 'absolute', to })),
  fc.tuple(dateArbitrary, dateArbitrary).map(([from, to]): Window => ({ kind: 'absolute', from, to })),
);

/** Event-side arguments shared by aggregates and first/last; absent keys are absent, not undefined. */
const eventArgsArbitrary = (where: fc.Arbitrary<Condition>) =>
  fc.record({ event: nameArbitrary, where, window: windowArbitrary }, { requiredKeys: [], ...NOPROTO });

function predicates(operand: fc.Arbitrary<Operand>): fc.Arbitrary<Condition>[] {
  const textOps = COMPARE_OPS.filter((op) => op === 'contains' || op === 'starts_with');
  const valueOps = COMPARE_OPS.filter((op) => op !== 'contains' && op !== 'starts_with');
  return [
    fc.record({ kind: fc.constant('compare'), left: operand, op: fc.constantFrom(...valueOps), value: valueArbitrary }, NOPROTO),
    fc.record({ kind: fc.constant('compare'), left: operand, op: fc.constantFrom(...textOps), value: stringValueArbitrary }, NOPROTO),
    fc.record({ kind: fc.constant('between'), left: operand, low: valueArbitrary, high: valueArbitrary }, NOPROTO),
    fc.record({ kind: fc.constant('in'), left: operand, values: fc.array(valueArbitrary, { minLength: 1, maxLength: 4 }) }, NOPROTO),
    fc.record({ kind: fc.constant('exists'), left: operand }, NOPROTO),
    fc.record({ kind: fc.constant('within'), left: operand, duration: durationArbitrary }, NOPROTO),
  ];
}

/** and / or / not / for over `leaf`, at most `maxDepth` levels deep. */
function tree(leaf: fc.Arbitrary<Condition>, maxDepth: number): fc.Arbitrary<Condition> {
  return fc.letrec<{ node: Condition }>((tie) => ({
    node: fc.oneof(
      { maxDepth, depthSize: 'small' },
      leaf,
      fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((of): Condition => ({ kind: 'and', of })),
      fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((of): Condition => ({ kind: 'or', of })),
      tie('node').map((of): Condition => ({ kind: 'not', of })),
      fc.tuple(tie('node'), durationArbitrary).map(([of, duration]): Condition => ({ kind: 'for', of, duration })),
    ),
  })).node;
}

/** A `where` filter: conditions on the event's own properties. */
export const whereArbitrary: fc.Arbitrary<Condition> = tree(
  fc.oneof(...predicates(keyPathArbitrary.map((path): Operand => ({ kind: 'property', path })))),
  2,
);

export const operandArbitrary: fc.Arbitrary<Operand> = fc.oneof(
  keyPathArbitrary.map((path): Operand => ({ kind: 'trait', path })),
  fc.constantFrom(...SCORE_NAMES).map((name): Operand => ({ kind: 'score', name })),
  fc.constantFrom(...RFM_FIELDS).map((field): Operand => ({ kind: 'rfm', field })),
  keyArbitrary.map((name): Operand => ({ kind: 'computed', name })),
  eventArgsArbitrary(whereArbitrary).map((args): Operand => ({ kind: 'aggregate', fn: 'count', ...args })),
  fc
    .tuple(
      fc.constantFrom(...AGGREGATE_FNS.filter((f) => f !== 'count')),
      eventArgsArbitrary(whereArbitrary),
      propertyPathArbitrary,
    )
    .map(([fn, args, property]): Operand => ({ kind: 'aggregate', fn, ...args, property })),
  fc
    .tuple(fc.constantFrom('first' as const, 'last' as const), eventArgsArbitrary(whereArbitrary))
    .map(([fn, args]): Operand => ({ kind: 'occurrence', fn, ...args })),
);

const percentArbitrary: fc.Arbitrary<number> = fc.integer({ min: 1, max: 10_000 }).map((n) => n / 100);

/** A whole definition, covering every node and operand kind. */
export const segmentArbitrary: fc.Arbitrary<Condition> = tree(
  fc.oneof(
    ...predicates(operandArbitrary),
    nameArbitrary.map((segment): Condition => ({ kind: 'in_segment', segment })),
    fc.record(
      { kind: fc.constant('random_bucket'), percent: percentArbitrary, seed: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }) },
      { requiredKeys: ['kind', 'percent'], ...NOPROTO },
    ),
  ),
  3,
);
