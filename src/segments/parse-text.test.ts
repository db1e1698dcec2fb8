import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOC_EXAMPLES } from '../../test/support/segment-examples.js';
import { segmentArbitrary } from '../../test/support/segment-arbitrary.js';
import { Condition, type Operand } from './ast.js';
import { parseDefinition, type ParseError } from './parse-text.js';
import { printDefinition } from './print-text.js';

function parse(text: string): Condition {
  const r = parseDefinition(text);
  if (!r.ok) throw new Error(`unexpected parse error: ${r.error.message} (${r.error.hint})`);
  return r.value;
}

function parseError(text: string): ParseError {
  const r = parseDefinition(text);
  if (r.ok) throw new Error(`expected a parse error for ${JSON.stringify(text)}, got ${JSON.stringify(r.value)}`);
  return r.error;
}

const trait = (...path: string[]): Operand => ({ kind: 'trait', path });
const prop = (...path: string[]): Operand => ({ kind: 'property', path });
const days = (value: number) => ({ value, unit: 'd' as const });
const rolling = (value: number, unit: 'd' | 'h' = 'd') => ({ kind: 'rolling' as const, duration: { value, unit } });

const EXAMPLES = DOC_EXAMPLES;

const EXPECTED: Condition[] = [
  {
    kind: 'and',
    of: [
      { kind: 'compare', left: trait('country'), op: '=', value: 'FR' },
      { kind: 'compare', left: { kind: 'aggregate', fn: 'count', event: 'Order Completed', window: rolling(30) }, op: '>=', value: 2 },
    ],
  },
  {
    kind: 'and',
    of: [
      { kind: 'compare', left: { kind: 'aggregate', fn: 'count', event: 'Page Viewed', window: rolling(7) }, op: '>=', value: 3 },
      { kind: 'compare', left: { kind: 'aggregate', fn: 'count', event: 'Order Completed', window: rolling(30) }, op: '>=', value: 1 },
      {
        kind: 'compare',
        left: {
          kind: 'aggregate',
          fn: 'count',
          event: 'Product Viewed',
          where: { kind: 'compare', left: prop('category'), op: '=', value: 'shoes' },
          window: rolling(30),
        },
        op: '>=',
        value: 1,
      },
    ],
  },
  {
    kind: 'or',
    of: [
      {
        kind: 'compare',
        left: { kind: 'aggregate', fn: 'sum', event: 'Order Completed', property: ['revenue'], window: rolling(90) },
        op: '>',
        value: 500,
      },
      { kind: 'in_segment', segment: 'vip' },
    ],
  },
  {
    kind: 'and',
    of: [
      { kind: 'not', of: { kind: 'in_segment', segment: 'churned' } },
      { kind: 'between', left: trait('age'), low: 25, high: 34 },
      { kind: 'compare', left: trait('region'), op: '=', value: 'Île-de-France' },
    ],
  },
  { kind: 'within', left: { kind: 'occurrence', fn: 'last', event: 'Email Opened' }, duration: { value: 48, unit: 'h' } },
  {
    kind: 'and',
    of: [
      { kind: 'compare', left: { kind: 'occurrence', fn: 'first', event: 'Order Completed' }, op: '<', value: { date: '2026-01-01' } },
      { kind: 'exists', left: trait('email') },
    ],
  },
  {
    kind: 'and',
    of: [
      { kind: 'compare', left: { kind: 'score', name: 'engagement' }, op: '>=', value: 50 },
      { kind: 'in', left: { kind: 'rfm', field: 'segment' }, values: ['champions', 'loyal'] },
    ],
  },
  {
    kind: 'and',
    of: [
      { kind: 'within', left: trait('signup_date'), duration: days(30) },
      { kind: 'not', of: { kind: 'compare', left: { kind: 'aggregate', fn: 'count', event: 'Order Completed' }, op: '>=', value: 1 } },
    ],
  },
  { kind: 'random_bucket', percent: 10 },
  { kind: 'for', of: { kind: 'compare', left: trait('plan'), op: '=', value: 'premium' }, duration: days(30) },
  { kind: 'not', of: { kind: 'within', left: { kind: 'occurrence', fn: 'last', event: 'Order Completed' }, duration: days(90) } },
  {
    kind: 'compare',
    left: {
      kind: 'aggregate',
      fn: 'distinct',
      event: 'Product Viewed',
      property: ['category'],
      window: { kind: 'absolute', from: '2026-01-01', to: '2026-02-01' },
    },
    op: '>=',
    value: 3,
  },
];

describe('parseDefinition: the examples of docs/segments.md', () => {
  it.each(EXAMPLES.map((text, i) => [text, EXPECTED[i]] as const))('%s', (text, expected) => {
    const ast = parse(text);
    expect(ast).toStrictEqual(expected);
    expect(Condition.safeParse(ast).success).toBe(true);
    const printed = printDefinition(ast);
    if (text.includes(' before ')) {
      // `before D` has no node of its own: the canonical text uses the operator.
      expect(printed).toBe(text.replace(' before ', ' < '));
    } else {
      expect(printed).toBe(text);
    }
    expect(parse(printed)).toStrictEqual(ast);
  });

  it('keeps this list in step with the documentation', () => {
    const doc = readFileSync(new URL('../../docs/segments.md', import.meta.url), 'utf8');
    const block = /## Examples\s+```\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    expect(block.trim().split('\n')).toEqual([...EXAMPLES]);
  });
});

const A = 'trait.a = 1';
const B = 'trait.b = 2';
const C = 'trait.c = 3';
const D = 'trait.d = 4';
const a = parse(A);
const b = parse(B);
const c = parse(C);
const d = parse(D);

describe('parseDefinition: precedence and grouping', () => {
  it.each<[string, Condition, string]>([
    [`${A} or ${B} and ${C}`, { kind: 'or', of: [a, { kind: 'and', of: [b, c] }] }, `${A} or ${B} and ${C}`],
    [`not ${A} and ${B}`, { kind: 'and', of: [{ kind: 'not', of: a }, b] }, `not ${A} and ${B}`],
    [`${A} and ${B} and ${C}`, { kind: 'and', of: [a, b, c] }, `${A} and ${B} and ${C}`],
    [`(${A} and ${B}) and ${C}`, { kind: 'and', of: [{ kind: 'and', of: [a, b] }, c] }, `(${A} and ${B}) and ${C}`],
    [`${A} and (${B} and ${C})`, { kind: 'and', of: [a, { kind: 'and', of: [b, c] }] }, `${A} and (${B} and ${C})`],
    [`${A} or (${B} or ${C})`, { kind: 'or', of: [a, { kind: 'or', of: [b, c] }] }, `${A} or (${B} or ${C})`],
    [`(${A} or ${B}) and ${C}`, { kind: 'and', of: [{ kind: 'or', of: [a, b] }, c] }, `(${A} or ${B}) and ${C}`],
    [`(${A} and ${B}) or ${C}`, { kind: 'or', of: [{ kind: 'and', of: [a, b] }, c] }, `${A} and ${B} or ${C}`],
    [`${A} and ${B} or ${C} and ${D}`, { kind: 'or', of: [{ kind: 'and', of: [a, b] }, { kind: 'and', of: [c, d] }] }, `${A} and ${B} or ${C} and ${D}`],
    [`((${A}))`, a, A],
    [`not (${A} and ${B})`, { kind: 'not', of: { kind: 'and', of: [a, b] } }, `not (${A} and ${B})`],
    [`not not ${A}`, { kind: 'not', of: { kind: 'not', of: a } }, `not not ${A}`],
    [`not ${A} for 30d`, { kind: 'not', of: { kind: 'for', of: a, duration: days(30) } }, `not (${A} for 30d)`],
    [`(${A} and ${B}) for 2w`, { kind: 'for', of: { kind: 'and', of: [a, b] }, duration: { value: 2, unit: 'w' } }, `(${A} and ${B}) for 2w`],
    [`(not ${A}) for 1d`, { kind: 'for', of: { kind: 'not', of: a }, duration: days(1) }, `(not ${A}) for 1d`],
    [`(${A} for 1d) for 2d`, { kind: 'for', of: { kind: 'for', of: a, duration: days(1) }, duration: days(2) }, `(${A} for 1d) for 2d`],
    [`${A} for 1d and ${B}`, { kind: 'and', of: [{ kind: 'for', of: a, duration: days(1) }, b] }, `${A} for 1d and ${B}`],
    [
      `trait.x between 1 and 2 and ${A}`,
      { kind: 'and', of: [{ kind: 'between', left: trait('x'), low: 1, high: 2 }, a] },
      `trait.x between 1 and 2 and ${A}`,
    ],
  ])('%s', (text, expected, canonical) => {
    const ast = parse(text);
    expect(ast).toStrictEqual(expected);
    expect(printDefinition(ast)).toBe(canonical);
    expect(parse(canonical)).toStrictEqual(expected);
  });

  it('reads and/or chains into one node, with filters ending at a comma', () => {
    const ast = parse('count(where x = 1 or y = 2 and z = 3, within = 7d) >= 1');
    expect(ast).toStrictEqual({
      kind: 'compare',
      left: {
        kind: 'aggregate',
        fn: 'count',
        where: {
          kind: 'or',
          of: [
            { kind: 'compare', left: prop('x'), op: '=', value: 1 },
            {
              kind: 'and',
              of: [
                { kind: 'compare', left: prop('y'), op: '=', value: 2 },
                { kind: 'compare', left: prop('z'), op: '=', value: 3 },
              ],
            },
          ],
        },
        window: rolling(7),
      },
      op: '>=',
      value: 1,
    });
  });
});

describe('parseDefinition: spelling', () => {
  it('reads keywords, functions, prefixes and argument names in any case', () => {
    const upper =
      'TRAIT.country = "FR" AND Count(EVENT = "Order Completed", Within = 30d) >= 2 Or NOT In_Segment("vip") and trait.x BETWEEN 1 AND 2 and trait.y EXISTS and trait.z = TRUE and SCORE.Engagement > 1 and RFM.R = 5';
    expect(printDefinition(parse(upper))).toBe(
      'trait.country = "FR" and count(event = "Order Completed", within = 30d) >= 2 or not in_segment("vip") and trait.x between 1 and 2 and trait.y exists and trait.z = true and score.engagement > 1 and rfm.r = 5',
    );
    expect(parse('RFM.Score = 545')).toStrictEqual({ kind: 'compare', left: { kind: 'rfm', field: 'score' }, op: '=', value: 545 });
    expect(printDefinition(parse('RFM.Score = 545'))).toBe('rfm.score = 545');
    // Keys are names, not keywords: their case is kept.
    expect(parse('trait.Country = "FR"')).toStrictEqual({ kind: 'compare', left: trait('Country'), op: '=', value: 'FR' });
  });

  it('skips comments, line breaks and tabs', () => {
    const text = [
      '# French buyers',
      'trait.country = "FR"   # France only',
      '\tand count(',
      '    event = "Order Completed",  # the # inside "a string" is not a comment',
      '    within = 30d',
      '  ) >= 2\r',
      '# end',
    ].join('\n');
    expect(parse(text)).toStrictEqual(EXPECTED[0]);
    expect(parse('trait.tag = "#1" # comment')).toStrictEqual({ kind: 'compare', left: trait('tag'), op: '=', value: '#1' });
  });

  it('reads quoted keys and prints them back quoted', () => {
    const cases: [string, Condition, string][] = [
      ['trait."Code postal" = "75001"', { kind: 'compare', left: trait('Code postal'), op: '=', value: '75001' }, 'trait."Code postal" = "75001"'],
      ['trait.address."zip.code" exists', { kind: 'exists', left: trait('address', 'zip.code') }, 'trait.address."zip.code" exists'],
      ['trait."say \\"hi\\"" exists', { kind: 'exists', left: trait('say "hi"') }, 'trait."say \\"hi\\"" exists'],
      ['trait.in = 1', { kind: 'compare', left: trait('in'), op: '=', value: 1 }, 'trait."in" = 1'],
      ['trait."1st" exists', { kind: 'exists', left: trait('1st') }, 'trait."1st" exists'],
      ['computed."orders 30d" > 1', { kind: 'compare', left: { kind: 'computed', name: 'orders 30d' }, op: '>', value: 1 }, 'computed."orders 30d" > 1'],
      [
        'count(where "in" = 1 and "Count" = 2 and event = "x") >= 1',
        {
          kind: 'compare',
          left: {
            kind: 'aggregate',
            fn: 'count',
            where: {
              kind: 'and',
              of: [
                { kind: 'compare', left: prop('in'), op: '=', value: 1 },
                { kind: 'compare', left: prop('Count'), op: '=', value: 2 },
                { kind: 'compare', left: prop('event'), op: '=', value: 'x' },
              ],
            },
          },
          op: '>=',
          value: 1,
        },
        'count(where "in" = 1 and "Count" = 2 and event = "x") >= 1',
      ],
    ];
    for (const [text, expected, canonical] of cases) {
      expect(parse(text)).toStrictEqual(expected);
      expect(printDefinition(expected)).toBe(canonical);
    }
  });

  it('reads property paths as a dotted string or as a bare path', () => {
    const property = (text: string) => {
      const ast = parse(`sum(${text}) > 1`);
      return ast.kind === 'compare' && ast.left.kind === 'aggregate' ? ast.left.property : undefined;
    };
    expect(property('property = "revenue"')).toEqual(['revenue']);
    expect(property('property = "shipping.cost"')).toEqual(['shipping', 'cost']);
    expect(property('property = shipping.cost')).toEqual(['shipping', 'cost']);
    expect(property('property = "a b"."c"')).toEqual(['a b', 'c']);
    expect(property('property = "a.b".c')).toEqual(['a.b', 'c']);
    expect(printDefinition(parse('sum(property = shipping.cost) > 1'))).toBe('sum(property = "shipping.cost") > 1');
    expect(printDefinition(parse('sum(property = "a.b".c) > 1'))).toBe('sum(property = "a.b".c) > 1');
  });

  it('reads unicode identifiers', () => {
    expect(parse('trait.région = "Île-de-France" and trait.日本 = 1 and count(where 価格 > 10) >= 1')).toStrictEqual({
      kind: 'and',
      of: [
        { kind: 'compare', left: trait('région'), op: '=', value: 'Île-de-France' },
        { kind: 'compare', left: trait('日本'), op: '=', value: 1 },
        {
          kind: 'compare',
          left: { kind: 'aggregate', fn: 'count', where: { kind: 'compare', left: prop('価格'), op: '>', value: 10 } },
          op: '>=',
          value: 1,
        },
      ],
    });
  });

  it('reads every value and test form', () => {
    expect(parse('trait.x in ("a\\u00e9\\n", -2.5, 1e6, true, false, 2026-03-29T02:30:00+01:00, 2026-01-01T10:30Z)')).toStrictEqual({
      kind: 'in',
      left: trait('x'),
      values: ['aé\n', -2.5, 1e6, true, false, { date: '2026-03-29T02:30:00+01:00' }, { date: '2026-01-01T10:30Z' }],
    });
    expect(parse('trait.x contains "ab" and trait.x starts_with "a" and trait.t after 2026-01-01 and trait.n != -0.5 and trait.n <= 3')).toStrictEqual({
      kind: 'and',
      of: [
        { kind: 'compare', left: trait('x'), op: 'contains', value: 'ab' },
        { kind: 'compare', left: trait('x'), op: 'starts_with', value: 'a' },
        { kind: 'compare', left: trait('t'), op: '>', value: { date: '2026-01-01' } },
        { kind: 'compare', left: trait('n'), op: '!=', value: -0.5 },
        { kind: 'compare', left: trait('n'), op: '<=', value: 3 },
      ],
    });
  });

  it('reads arguments in any order, leaves absent ones out and prints them in canonical order', () => {
    const ast = parse('avg(within = 15m, property = "price", where price > 10) < 3');
    expect(ast).toStrictEqual({
      kind: 'compare',
      left: {
        kind: 'aggregate',
        fn: 'avg',
        where: { kind: 'compare', left: prop('price'), op: '>', value: 10 },
        property: ['price'],
        window: { kind: 'rolling', duration: { value: 15, unit: 'm' } },
      },
      op: '<',
      value: 3,
    });
    expect(printDefinition(ast)).toBe('avg(where price > 10, property = "price", within = 15m) < 3');

    const all = parse('count() >= 1');
    expect(all).toStrictEqual({ kind: 'compare', left: { kind: 'aggregate', fn: 'count' }, op: '>=', value: 1 });
    expect(all.kind === 'compare' ? Object.keys(all.left) : []).toEqual(['kind', 'fn']);

    expect(parse('first(to = 2026-01-01) exists')).toStrictEqual({
      kind: 'exists',
      left: { kind: 'occurrence', fn: 'first', window: { kind: 'absolute', to: '2026-01-01' } },
    });
    expect(parse('max(from = 2026-01-01, property = p) > 1')).toStrictEqual({
      kind: 'compare',
      left: { kind: 'aggregate', fn: 'max', property: ['p'], window: { kind: 'absolute', from: '2026-01-01' } },
      op: '>',
      value: 1,
    });
  });

  it('reads random buckets with a seed', () => {
    expect(parse('random_bucket(12.5%, seed = "holdout-2026")')).toStrictEqual({ kind: 'random_bucket', percent: 12.5, seed: 'holdout-2026' });
    expect(printDefinition({ kind: 'random_bucket', percent: 0.01, seed: 'x' })).toBe('random_bucket(0.01%, seed = "x")');
    expect(parse('random_bucket(100%)')).toStrictEqual({ kind: 'random_bucket', percent: 100 });
  });
});

describe('parseDefinition: mistakes', () => {
  const deep = (n: number): string => `${'('.repeat(n)}${A}${')'.repeat(n)}`;
  const long = `${A}${' or trait.a = 1'.repeat(1400)}`;

  it.each<[string, string, number, number, { expected?: string; hint?: string; found?: string }]>([
    ['unterminated string', 'trait.country = "FR', 1, 17, { expected: '"', hint: 'Close the string' }],
    ['single quotes', "trait.country = 'FR'", 1, 17, { expected: 'STRING', hint: 'Strings use double quotes: "FR"', found: "'FR'" }],
    ['==', 'trait.a == 1', 1, 9, { expected: '=', hint: 'Use = to compare' }],
    ['&&', `${A} && ${B}`, 1, 13, { expected: 'and', hint: 'Use and' }],
    ['||', `${A} || ${B}`, 1, 13, { expected: 'or', hint: 'Use or' }],
    ['missing )', `(${A} and ${B}`, 1, 29, { expected: ')', hint: 'opened at 1:1', found: 'end of input' }],
    ['unknown function', 'total(event = "X") > 1', 1, 1, { expected: 'count', hint: 'count, sum, avg, min, max, distinct, first, last, in_segment, random_bucket' }],
    ['duration without unit', 'trait.signup_date within 30', 1, 26, { expected: 'DURATION', hint: 'Durations need a unit: 30d, 48h, 15m, 90s, 2w' }],
    ['duration with a long unit', 'trait.signup_date within 30days', 1, 26, { hint: 'Durations need a unit' }],
    ['trait missing', 'country = "FR"', 1, 1, { expected: 'trait', hint: 'Prefix trait names with trait. (trait.country)' }],
    ['trait without its dot', 'trait country = "FR"', 1, 7, { expected: '.', hint: 'trait.country' }],
    ['trait inside where', 'count(event = "X" where trait.category = "shoes") >= 1', 1, 25, { hint: 'where category = ...' }],
    ['aggregate inside where', 'count(where count() > 1) >= 1', 1, 13, { hint: 'properties of the event' }],
    ['in_segment inside where', 'count(where in_segment("x")) >= 1', 1, 13, { hint: 'outside the filter' }],
    ['sum without property', 'sum(event = "Order Completed") > 5', 1, 1, { expected: 'property', hint: 'property = "revenue"' }],
    ['count with property', 'count(event = "X", property = "revenue") >= 1', 1, 20, { hint: 'use sum, avg' }],
    ['first with property', 'first(property = "revenue") exists', 1, 7, { hint: 'takes no property' }],
    ['duplicate argument', 'count(event = "A", event = "B") >= 1', 1, 20, { hint: 'at most once' }],
    ['within and from', 'count(within = 30d, from = 2026-01-01) >= 1', 1, 21, { hint: 'either within' }],
    ['unknown argument', 'count(name = "A") >= 1', 1, 7, { expected: 'event' }],
    ['not a calendar date', 'trait.d = 2026-02-30', 1, 11, { expected: 'DATE', found: '2026-02-30' }],
    ['date-time without zone', 'trait.d > 2026-01-01T10:00', 1, 11, { expected: 'DATE', hint: 'Z or an offset' }],
    ['zero duration', 'trait.d within 0d', 1, 16, { expected: 'DURATION', hint: 'at least 1' }],
    ['duration over ten years', 'trait.d within 3651d', 1, 16, { hint: '3650d' }],
    ['percent over 100', 'random_bucket(150%)', 1, 15, { expected: 'PERCENT' }],
    ['percent with three decimals', 'random_bucket(12.345%)', 1, 15, { hint: 'random_bucket(10%)' }],
    ['trailing garbage', `${A} ${B}`, 1, 13, { expected: 'or', hint: 'Join conditions' }],
    ['stray )', `${A})`, 1, 12, { hint: 'Remove this ")"' }],
    ['empty input', '', 1, 1, { found: 'end of input', hint: 'Write a condition' }],
    ['only a comment', '  # nothing\n', 2, 1, { found: 'end of input' }],
    ['score name too long', `score.${'a'.repeat(65)} > 1`, 1, 7, { expected: 'engagement', hint: 'such as score.purchase_30d' }],
    ['unknown RFM field', 'rfm.x > 1', 1, 5, { hint: 'segment, r, f, m, score' }],
    ['unquoted string value', 'trait.country = FR', 1, 17, { expected: 'STRING', hint: 'Strings use double quotes: "FR"' }],
    ['contains a number', 'trait.x contains 5', 1, 18, { expected: 'STRING' }],
    ['missing test', 'count(event = "X")', 1, 19, { expected: '>=', found: 'end of input' }],
    ['keyword where a condition goes', `${A} and or ${B}`, 1, 17, { hint: 'missing before "or"' }],
    ['bad escape', 'trait.x = "a\\qb"', 1, 13, { hint: 'JSON escapes' }],
    ['huge number', 'trait.x = 1e999', 1, 11, { expected: 'NUMBER' }],
    ['unexpected character', 'trait.x = @', 1, 11, { found: '@' }],
    ['too many and', Array.from({ length: 101 }, () => A).join(' and '), 1, 1 + 100 * (A.length + 5) - 4, { hint: 'Group conditions' }],
    ['nesting too deep', deep(65), 1, 65, { hint: 'Simplify' }],
    ['not nested too deep', `${'not '.repeat(65)}${A}`, 1, 257, { hint: 'Simplify' }],
    ['longer than 20,000 characters', long, 1, 20_001, { hint: 'Split' }],
  ])('%s', (_what, text, line, column, { expected, hint, found }) => {
    const e = parseError(text);
    expect(e.code).toBe('segments.parse_error');
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message.startsWith(`${line}:${column}: `)).toBe(true);
    if (expected !== undefined) expect(e.expected).toContain(expected);
    if (hint !== undefined) expect(e.hint).toContain(hint);
    if (found !== undefined) expect(e.found).toBe(found);
  });

  it('says where, what was expected and what was found, across lines', () => {
    const e = parseError(`${A}\n  and trait.b = )`);
    expect(e).toMatchObject({ line: 2, column: 17, offset: 28, found: ')' });
    expect(e.message).toBe('2:17: expected a value (a "string", a number, true, false or a date), found ")"');
    expect(e.expected).toEqual(['STRING', 'NUMBER', 'true', 'false', 'DATE']);
  });

  it('reports the first mistake in the text, lexical or grammatical', () => {
    expect(parseError(`${A} and and ${B} == 1`).column).toBe(17);
    expect(parseError(`trait.a == 1 and and`).column).toBe(9);
  });

  it('accepts 64 levels of nesting and exactly 20,000 characters', () => {
    expect(parse(deep(64))).toStrictEqual(a);
    const text = `${A}${' '.repeat(20_000 - A.length)}`;
    expect(parse(text)).toStrictEqual(a);
    expect(parse(Array.from({ length: 100 }, () => A).join(' and '))).toMatchObject({ kind: 'and' });
  });
});

describe('printDefinition', () => {
  it('round-trips every generated definition', () => {
    fc.assert(
      fc.property(segmentArbitrary, (ast) => {
        expect(Condition.safeParse(ast).success).toBe(true);
        const text = printDefinition(ast);
        fc.pre(text.length <= 20_000);
        expect(text).not.toContain('\n');
        const back = parseDefinition(text);
        if (!back.ok) throw new Error(`${back.error.message} (${back.error.hint}) in ${text}`);
        expect(back.value).toStrictEqual(ast);
        expect(printDefinition(back.value)).toBe(text);
      }),
      { numRuns: 800 },
    );
  });

  it('keeps the sign of -0', () => {
    const ast: Condition = { kind: 'compare', left: trait('x'), op: '=', value: -0 };
    expect(printDefinition(ast)).toBe('trait.x = -0');
    expect(parse(printDefinition(ast))).toStrictEqual(ast);
  });
});

describe('parseDefinition: never throws', () => {
  const check = (text: string): void => {
    const r = parseDefinition(text);
    if (r.ok) {
      expect(Condition.safeParse(r.value).success).toBe(true);
    } else {
      expect(r.error.line).toBeGreaterThanOrEqual(1);
      expect(r.error.column).toBeGreaterThanOrEqual(1);
      expect(r.error.offset).toBeGreaterThanOrEqual(0);
      expect(r.error.offset).toBeLessThanOrEqual(text.length);
      expect(r.error.message.startsWith(`${r.error.line}:${r.error.column}: `)).toBe(true);
      expect(r.error.hint.length).toBeGreaterThan(0);
    }
  };

  const TOKENS = [
    'trait', 'score', 'rfm', 'computed', '.', 'country', 'engagement', 'segment', '"FR"', '"a.b"', '"', "'", 'x', 'é',
    '=', '!=', '<', '<=', '>', '>=', '==', '&&', '||', '!', '(', ')', ',', '%', '#', '\n', '\t',
    'and', 'or', 'not', 'between', 'in', 'exists', 'within', 'before', 'after', 'contains', 'starts_with', 'for',
    'true', 'false', 'where', 'event', 'property', 'from', 'to', 'seed',
    'count', 'sum', 'avg', 'min', 'max', 'distinct', 'first', 'last', 'in_segment', 'random_bucket',
    '30d', '0d', '99999999999999999999d', '3651d', '48h', '10%', '150%', '12.345%', '-1%',
    '2026-01-01', '2026-02-30', '2026-01-01T10:30:00Z', '2026-01-01T10:00', '0000-01-01',
    '12', '-3.5', '1e999', '-', '1x', '"\\u12"', '"\\q"',
  ];

  it('on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), check), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), check), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), check), { numRuns: 500 });
  });

  it('on token soup', () => {
    const soup = fc.tuple(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), fc.constantFrom(' ', '', '\n'));
    fc.assert(fc.property(soup, ([tokens, sep]) => check(tokens.join(sep))), { numRuns: 2000 });
  });

  it('on mangled canonical text', () => {
    const mangled = fc.tuple(segmentArbitrary, fc.nat(), fc.nat(), fc.constantFrom('', ' ', '(', ')', '"', ',', '.', 'and', '=', '#', '\n', "'"));
    fc.assert(
      fc.property(mangled, ([ast, at, cut, insert]) => {
        const text = printDefinition(ast);
        const i = text.length === 0 ? 0 : at % text.length;
        check(`${text.slice(0, i)}${insert}${text.slice(i + (cut % 3))}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('on the length and depth limits', () => {
    check('('.repeat(20_000));
    check('not '.repeat(5_000));
    check(`${'count(where '.repeat(1000)}`);
    check('"'.repeat(20_001));
  });
});
