// Kernel modules by file, not through its index (whose ids use node:crypto): the dashboard bundles this parser.
import { err, ok, type Result } from '../kernel/result.js';
import {
  AGGREGATE_FNS,
  Condition,
  MAX_DURATION_MS,
  RFM_FIELDS,
  SCORE_NAMES,
  SCORE_NAME_PATTERN,
  durationMs,
  parseDateLiteral,
  type CompareOp,
  type Duration,
  type KeyPath,
  type Operand,
  type Value,
  type Window,
} from './ast.js';
import { CALL_NAMES, DATE_HINT, DURATION_HINT, KEYWORDS, lex, type Punct, type Token } from './lex-text.js';

/**
 * The text form of a segment definition (grammar: docs/segments.md) read into the AST of ast.ts. A recursive
 * descent over the tokens of lex-text.ts; every limit of the zod schema is checked where its token is, so that the
 * user is told the line and column of the mistake rather than a schema path.
 */

export interface ParseError {
  code: 'segments.parse_error';
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like `offset`. */
  column: number;
  offset: number;
  /** The grammar terminals that would have been accepted: `=`, `)`, `and`, `STRING`, `DURATION`... */
  expected: string[];
  /** The text of the offending token, or `end of input`. */
  found: string;
  hint: string;
}

export const MAX_DEFINITION_LENGTH = 20_000;
export const MAX_NESTING = 64;
const MAX_CHILDREN = 100;
const MAX_IN_VALUES = 1000;
const MAX_STRING = 1000;
const MAX_NAME = 200;
const MAX_SEED = 100;
const MAX_PATH = 8;

const EXAMPLE_HINT = 'Write a condition, for example trait.country = "FR" or count(event = "Order Completed", within = 30d) >= 1.';
const QUOTE_KEY_HINT = 'A name that is a keyword, starts with a digit or holds spaces or punctuation is written in double quotes: "Code postal"';
const SPLIT_HINT = 'Split a long definition into segments joined with in_segment("...").';
const FUNCTIONS_HINT = `Known functions: ${CALL_NAMES.join(', ')}`;
const VALUE_EXPECTED = ['STRING', 'NUMBER', 'true', 'false', 'DATE'];
const VALUE_PHRASE = 'a value (a "string", a number, true, false or a date)';
const COMPARE_PUNCTS = ['=', '!=', '<', '<=', '>', '>='] as const satisfies readonly Punct[];
const TEST_WORDS = ['between', 'in', 'contains', 'starts_with', 'exists', 'within', 'before', 'after'];
const START_EXPECTED = ['not', '(', 'trait', 'score', 'rfm', 'computed', ...CALL_NAMES];
const WHERE_START_EXPECTED = ['not', '(', 'IDENT', 'STRING'];
const ARG_NAMES = ['event', 'where', 'property', 'within', 'from', 'to'];

type Aggregate = Extract<Operand, { kind: 'aggregate' }>;
type Occurrence = Extract<Operand, { kind: 'occurrence' }>;

/** Thrown inside the parser only; parseDefinition turns it into the returned error. */
class ParseFailure extends Error {
  constructor(readonly error: ParseError) {
    super(error.message);
  }
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const shorten = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of input';
  if (t.kind === 'string') return `the string ${shorten(t.text)}`;
  return JSON.stringify(shorten(t.text));
}

function makeError(text: string, offset: number, body: string, expected: string[], found: string, hint: string): ParseError {
  const { line, column } = position(text, offset);
  return { code: 'segments.parse_error', message: `${line}:${column}: ${body}`, line, column, offset, expected, found, hint };
}

const isKw = (t: Token, word: string): boolean => t.kind === 'ident' && t.lower === word;
const isPunct = (t: Token, p: Punct): boolean => t.kind === 'punct' && t.punct === p;

class Parser {
  private pos = 0;
  private depth = 0;
  /** Inside a `where` filter bare paths are event properties and profile-level operands are refused. */
  private inWhere = false;
  private readonly last: Token;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {
    this.last = tokens[tokens.length - 1] ?? { kind: 'eof', offset: text.length, text: '' };
  }

  definition(): Condition {
    const first = this.peek();
    if (first.kind === 'eof') this.fail(first, 'a condition', START_EXPECTED, EXAMPLE_HINT);
    const c = this.or();
    const end = this.peek();
    if (end.kind !== 'eof') {
      const hint = isPunct(end, ')')
        ? 'Remove this ")" or add the "(" it closes.'
        : 'Join conditions with and / or; a test takes one value (use in (...) for several).';
      this.fail(end, 'and, or or the end of the input', ['and', 'or', 'EOF'], hint);
    }
    return c;
  }

  // ---- tokens and errors

  private at(i: number): Token {
    return this.tokens[i] ?? this.last;
  }

  /** The next token; a lexical error is reported once the parser reaches it, so the first mistake in the text wins. */
  private peek(): Token {
    const t = this.at(this.pos);
    if (t.kind === 'error') throw new ParseFailure(makeError(this.text, t.offset, t.message, t.expected, shorten(t.text), t.hint));
    return t;
  }

  private advance(): void {
    if (this.pos < this.tokens.length - 1) this.pos++;
  }

  private fail(t: Token, phrase: string, expected: string[], hint: string): never {
    this.failWith(t, `expected ${phrase}, found ${describe(t)}`, expected, hint);
  }

  private failWith(t: Token, body: string, expected: string[], hint: string): never {
    const found = t.kind === 'eof' ? 'end of input' : shorten(t.text);
    throw new ParseFailure(makeError(this.text, t.offset, body, expected, found, hint));
  }

  private expectPunct(p: Punct, hint: string, phrase = `"${p}"`): void {
    const t = this.peek();
    if (!isPunct(t, p)) this.fail(t, phrase, [p], hint);
    this.advance();
  }

  private enter(t: Token): void {
    this.depth++;
    if (this.depth > MAX_NESTING) {
      this.failWith(t, `nesting deeper than ${MAX_NESTING} levels`, [], `Simplify the definition (a and b and c needs no parentheses). ${SPLIT_HINT}`);
    }
  }

  // ---- conditions

  private or(): Condition {
    return this.chain('or', () => this.and());
  }

  private and(): Condition {
    return this.chain('and', () => this.not());
  }

  /** One node for a whole `a and b and c`; a parenthesised part comes back from `part` whole, so it stays nested. */
  private chain(word: 'and' | 'or', part: () => Condition): Condition {
    const first = part();
    if (!isKw(this.peek(), word)) return first;
    const of = [first];
    while (isKw(this.peek(), word)) {
      if (of.length === MAX_CHILDREN) {
        this.failWith(this.peek(), `one ${word} may join at most ${MAX_CHILDREN} conditions`, [], `Group conditions with parentheses. ${SPLIT_HINT}`);
      }
      this.advance();
      of.push(part());
    }
    return word === 'and' ? { kind: 'and', of } : { kind: 'or', of };
  }

  private not(): Condition {
    const t = this.peek();
    if (!isKw(t, 'not')) return this.primary();
    this.advance();
    this.enter(t);
    const of = this.not();
    this.depth--;
    return { kind: 'not', of };
  }

  private primary(): Condition {
    const open = this.peek();
    let c: Condition;
    if (isPunct(open, '(')) {
      this.advance();
      this.enter(open);
      c = this.or();
      const { line, column } = position(this.text, open.offset);
      const close = this.peek();
      if (!isPunct(close, ')')) this.fail(close, '")"', [')', 'and', 'or'], `Close the "(" opened at ${line}:${column}.`);
      this.advance();
      this.depth--;
    } else {
      c = this.predicate();
    }
    if (isKw(this.peek(), 'for')) {
      this.advance();
      c = { kind: 'for', of: c, duration: this.duration() };
    }
    return c;
  }

  private predicate(): Condition {
    const t = this.peek();
    if (t.kind === 'ident' && (t.lower === 'in_segment' || t.lower === 'random_bucket')) {
      this.refuseInWhere(t);
      this.advance();
      return t.lower === 'in_segment' ? this.inSegment() : this.randomBucket();
    }
    return this.test(this.operand());
  }

  private inSegment(): Condition {
    this.expectPunct('(', 'Write in_segment("vip").');
    const segment = this.name('a segment name', MAX_NAME, 'Write in_segment("vip").');
    this.expectPunct(')', 'Write in_segment("vip").');
    return { kind: 'in_segment', segment };
  }

  private randomBucket(): Condition {
    const hint = 'Write random_bucket(10%) or random_bucket(12.5%, seed = "holdout-2026").';
    this.expectPunct('(', hint);
    const p = this.peek();
    if (p.kind !== 'percent') this.fail(p, 'a percentage', ['PERCENT'], hint);
    const v = p.value;
    if (!(v > 0 && v <= 100 && Math.abs(v * 100 - Math.round(v * 100)) < 1e-9)) {
      this.failWith(p, `random_bucket takes a percentage in (0%, 100%] with at most two decimals, found ${p.text}`, ['PERCENT'], hint);
    }
    this.advance();
    let seed: string | undefined;
    if (isPunct(this.peek(), ',')) {
      this.advance();
      const s = this.peek();
      if (!isKw(s, 'seed')) this.fail(s, '"seed"', ['seed'], hint);
      this.advance();
      this.expectPunct('=', hint);
      seed = this.name('a seed', MAX_SEED, hint);
    }
    this.expectPunct(')', hint, seed === undefined ? '"," or ")"' : '")"');
    return seed === undefined ? { kind: 'random_bucket', percent: v } : { kind: 'random_bucket', percent: v, seed };
  }

  private refuseInWhere(t: Token): void {
    if (!this.inWhere) return;
    const hint = 'A where filter tests the properties of the event itself (where category = "shoes"); move this test outside the filter.';
    this.failWith(t, `${t.text} cannot be used inside where`, WHERE_START_EXPECTED, hint);
  }

  // ---- operands

  private operand(): Operand {
    const t = this.peek();
    if (t.kind === 'string') return this.barePath(t);
    if (t.kind !== 'ident') this.failNoOperand(t);
    const w = t.lower;
    if (w === 'trait' && this.inWhere) {
      const key = this.at(this.pos + 2);
      const name = isPunct(this.at(this.pos + 1), '.') && (key.kind === 'ident' || key.kind === 'string') ? key.text : 'category';
      this.failWith(t, 'trait cannot be used inside where', WHERE_START_EXPECTED, `Filters apply to event properties: drop the trait. prefix (where ${name} = ...)`);
    }
    if (w === 'trait' || w === 'score' || w === 'rfm' || w === 'computed') {
      this.refuseInWhere(t);
      this.advance();
      this.expectPunct('.', `Write ${w}.${w === 'trait' ? 'country' : w === 'score' ? 'engagement' : w === 'rfm' ? 'segment' : 'orders_30d'}.`);
      return this.prefixed(w);
    }
    const aggregate = AGGREGATE_FNS.find((f) => f === w);
    if (aggregate !== undefined || w === 'first' || w === 'last') {
      this.refuseInWhere(t);
      this.advance();
      return this.call(t, aggregate);
    }
    if (KEYWORDS.some((k) => k === w)) this.failNoOperand(t);
    if (isPunct(this.at(this.pos + 1), '(')) {
      this.failWith(t, `unknown function ${JSON.stringify(t.text)}`, [...CALL_NAMES], FUNCTIONS_HINT);
    }
    return this.barePath(t);
  }

  private failNoOperand(t: Token): never {
    if (this.inWhere) {
      this.fail(t, 'a condition on an event property', WHERE_START_EXPECTED, QUOTE_KEY_HINT);
    }
    const hint =
      t.kind === 'ident' && (t.lower === 'and' || t.lower === 'or')
        ? `A condition is missing before "${t.text}".`
        : t.kind === 'ident'
          ? `"${t.text}" is a keyword; ${EXAMPLE_HINT}`
          : EXAMPLE_HINT;
    this.fail(t, 'a condition', START_EXPECTED, hint);
  }

  private barePath(t: Token): Operand {
    if (!this.inWhere) {
      this.fail(t, 'a condition', START_EXPECTED, `Prefix trait names with trait. (trait.${t.text})`);
    }
    return { kind: 'property', path: this.path() };
  }

  private prefixed(prefix: 'trait' | 'score' | 'rfm' | 'computed'): Operand {
    if (prefix === 'trait') return { kind: 'trait', path: this.path() };
    const t = this.peek();
    const name = this.key();
    if (prefix === 'computed') return { kind: 'computed', name };
    const lower = name.toLowerCase();
    if (prefix === 'score') {
      if (!SCORE_NAME_PATTERN.test(lower)) {
        this.failWith(t, `invalid score name ${JSON.stringify(name)}`, [...SCORE_NAMES], `Scores are engagement or a model's name (lower-case letters, digits and _), such as score.purchase_30d`);
      }
      return { kind: 'score', name: lower };
    }
    const field = RFM_FIELDS.find((f) => f === lower);
    if (field === undefined) this.failWith(t, `unknown RFM field ${JSON.stringify(name)}`, [...RFM_FIELDS], `Known RFM fields: ${RFM_FIELDS.join(', ')}`);
    return { kind: 'rfm', field };
  }

  private path(first?: string): KeyPath {
    const keys = first === undefined ? [this.key()] : [first];
    while (isPunct(this.peek(), '.')) {
      this.advance();
      const t = this.peek();
      if (keys.length === MAX_PATH) this.failWith(t, `a path may have at most ${MAX_PATH} keys`, [], 'Shorten the path.');
      keys.push(this.key());
    }
    return keys;
  }

  /** After a dot any word is a key (trait.in is unambiguous); quotes are needed only for other characters. */
  private key(): string {
    const t = this.peek();
    if (t.kind !== 'ident' && t.kind !== 'string') this.fail(t, 'a name (a key or a "quoted key")', ['IDENT', 'STRING'], QUOTE_KEY_HINT);
    const value = t.kind === 'string' ? t.value : t.text;
    this.checkKey(t, value);
    this.advance();
    return value;
  }

  private checkKey(t: Token, key: string): void {
    if (key.length === 0) this.failWith(t, 'a key may not be empty', ['IDENT', 'STRING'], 'Give the key a name: trait.country');
    if (key.length > MAX_NAME) this.failWith(t, `a key may have at most ${MAX_NAME} characters`, [], 'Shorten the key.');
  }

  /** `count(...)`, `sum(...)` ... when `aggregate` is set, else `first(...)` / `last(...)`. */
  private call(fnTok: Token, aggregate: Aggregate['fn'] | undefined): Operand {
    const fn = fnTok.text.toLowerCase();
    const example = `${fn}(event = "Order Completed"${aggregate !== undefined && aggregate !== 'count' ? ', property = "revenue"' : ''}, within = 30d)`;
    const takesProperty = aggregate !== undefined && aggregate !== 'count';
    const allowed = ARG_NAMES.filter((a) => takesProperty || a !== 'property');
    this.expectPunct('(', `Write ${example}.`);
    const seen = new Set<string>();
    const see = (t: Token, name: string): void => {
      if (seen.has(name)) this.failWith(t, `${name} is given twice`, [], 'Give each argument at most once.');
      if ((name === 'within' && (seen.has('from') || seen.has('to'))) || ((name === 'from' || name === 'to') && seen.has('within'))) {
        this.failWith(t, 'within cannot be combined with from or to', [], 'Use either within = 30d (the last 30 days) or from = / to = (fixed dates).');
      }
      seen.add(name);
    };
    let event: string | undefined;
    let where: Condition | undefined;
    let property: KeyPath | undefined;
    let within: Duration | undefined;
    let from: string | undefined;
    let to: string | undefined;
    let t = this.peek();
    while (!isPunct(t, ')') || seen.size > 0) {
      const name = t.kind === 'ident' ? t.lower : '';
      if (name === 'property' && !takesProperty) {
        const hint =
          fn === 'count'
            ? 'count counts events and takes no property; use sum, avg, min, max or distinct to aggregate a property.'
            : `${fn} gives the time of an event and takes no property.`;
        this.failWith(t, `${fn} takes no property`, allowed, hint);
      }
      if (!allowed.includes(name)) {
        this.fail(t, `an argument of ${fn} (${allowed.join(', ')})`, allowed, `The arguments of ${fn} are ${allowed.join(', ')}: ${example}`);
      }
      see(t, name);
      this.advance();
      if (name === 'where') {
        where = this.where(t);
      } else {
        this.expectPunct('=', `Write ${name} = ...: ${example}`);
        if (name === 'event') {
          event = this.name('an event name', MAX_NAME, `Write ${example}.`);
          const w = this.peek();
          if (isKw(w, 'where')) {
            see(w, 'where');
            this.advance();
            where = this.where(w);
          }
        } else if (name === 'property') {
          property = this.propertyPath();
        } else if (name === 'within') {
          within = this.duration();
        } else if (name === 'from') {
          from = this.date();
        } else {
          to = this.date();
        }
      }
      t = this.peek();
      if (isPunct(t, ')')) break;
      this.expectPunct(',', `Separate the arguments with commas: ${example}`, '"," or ")"');
      t = this.peek();
    }
    this.advance();
    if (takesProperty && property === undefined) {
      this.failWith(fnTok, `${fn} needs a property`, ['property'], `Name the property to aggregate: ${example}`);
    }
    let window: Window | undefined;
    if (within !== undefined) window = { kind: 'rolling', duration: within };
    else if (from !== undefined || to !== undefined) {
      window = { kind: 'absolute' };
      if (from !== undefined) window.from = from;
      if (to !== undefined) window.to = to;
    }
    const op: Aggregate | Occurrence =
      aggregate !== undefined ? { kind: 'aggregate', fn: aggregate } : { kind: 'occurrence', fn: fn === 'first' ? 'first' : 'last' };
    if (event !== undefined) op.event = event;
    if (where !== undefined) op.where = where;
    if (property !== undefined && op.kind === 'aggregate') op.property = property;
    if (window !== undefined) op.window = window;
    return op;
  }

  private where(whereTok: Token): Condition {
    this.enter(whereTok);
    const outer = this.inWhere;
    this.inWhere = true;
    const c = this.or();
    this.inWhere = outer;
    this.depth--;
    return c;
  }

  /** `"shipping.cost"` splits at its dots; a bare path (`shipping.cost`, `"a.b"."c"`) is taken key by key. */
  private propertyPath(): KeyPath {
    const t = this.peek();
    if (t.kind !== 'string') return this.path();
    if (isPunct(this.at(this.pos + 1), '.')) {
      this.checkKey(t, t.value);
      this.advance();
      return this.path(t.value);
    }
    const keys = t.value.split('.');
    if (keys.some((k) => k.length === 0)) {
      this.failWith(t, `empty key in the property path ${shorten(t.text)}`, [], 'Write property = "revenue" or "shipping.cost", without empty parts.');
    }
    for (const k of keys) this.checkKey(t, k);
    if (keys.length > MAX_PATH) this.failWith(t, `a path may have at most ${MAX_PATH} keys`, [], 'Shorten the path.');
    this.advance();
    return keys;
  }

  // ---- tests and values

  private test(left: Operand): Condition {
    const t = this.peek();
    if (t.kind === 'punct') {
      const op = COMPARE_PUNCTS.find((p) => p === t.punct);
      if (op !== undefined) {
        this.advance();
        return { kind: 'compare', left, op, value: this.value() };
      }
    }
    const word = t.kind === 'ident' ? t.lower : '';
    if (TEST_WORDS.includes(word)) this.advance();
    switch (word) {
      case 'between': {
        const low = this.value();
        const a = this.peek();
        if (!isKw(a, 'and')) this.fail(a, '"and"', ['and'], 'Write between 25 and 34.');
        this.advance();
        return { kind: 'between', left, low, high: this.value() };
      }
      case 'in': {
        this.expectPunct('(', 'Write in ("a", "b").');
        const values = [this.value()];
        while (isPunct(this.peek(), ',')) {
          this.advance();
          if (values.length === MAX_IN_VALUES) this.failWith(this.peek(), `in takes at most ${MAX_IN_VALUES} values`, [], 'Split the list.');
          values.push(this.value());
        }
        this.expectPunct(')', 'Write in ("a", "b").', '"," or ")"');
        return { kind: 'in', left, values };
      }
      case 'exists':
        return { kind: 'exists', left };
      case 'within':
        return { kind: 'within', left, duration: this.duration() };
      case 'before':
      case 'after':
        return { kind: 'compare', left, op: word === 'before' ? '<' : '>', value: { date: this.date() } };
      case 'contains':
      case 'starts_with': {
        const op: CompareOp = word === 'contains' ? 'contains' : 'starts_with';
        return { kind: 'compare', left, op, value: this.name('a "string"', MAX_STRING, `${word} takes a string: ${word} "abc"`, 0) };
      }
    }
    this.fail(
      t,
      'a test (=, !=, <, <=, >, >=, between, in, contains, starts_with, exists, within, before or after)',
      [...COMPARE_PUNCTS, ...TEST_WORDS],
      'Compare the operand, for example trait.age >= 18, trait.email exists or count(...) >= 1.',
    );
  }

  private value(): Value {
    const t = this.peek();
    if (t.kind === 'string') {
      if (t.value.length > MAX_STRING) this.failWith(t, `a string may have at most ${MAX_STRING} characters`, [], 'Shorten the string.');
      this.advance();
      return t.value;
    }
    if (t.kind === 'number') {
      if (!Number.isFinite(t.value)) this.failWith(t, `the number ${shorten(t.text)} is too large`, ['NUMBER'], 'Use a number below 1.7e308.');
      this.advance();
      return t.value;
    }
    if (t.kind === 'date') return { date: this.date() };
    if (isKw(t, 'true') || isKw(t, 'false')) {
      this.advance();
      return isKw(t, 'true');
    }
    const hint =
      t.kind === 'ident'
        ? `Strings use double quotes: ${JSON.stringify(t.text)}`
        : t.kind === 'duration'
          ? 'A duration goes with within (trait.signup_date within 30d), not with a comparison.'
          : 'Write a value: "FR", 42, true or 2026-01-01.';
    this.fail(t, VALUE_PHRASE, VALUE_EXPECTED, hint);
  }

  /** A double-quoted string of min..max characters. */
  private name(phrase: string, max: number, hint: string, min = 1): string {
    const t = this.peek();
    if (t.kind !== 'string') this.fail(t, phrase, ['STRING'], t.kind === 'ident' ? `Strings use double quotes: ${JSON.stringify(t.text)}` : hint);
    if (t.value.length < min) this.failWith(t, `${phrase} may not be empty`, ['STRING'], hint);
    if (t.value.length > max) this.failWith(t, `${phrase} may have at most ${max} characters`, ['STRING'], hint);
    this.advance();
    return t.value;
  }

  private duration(): Duration {
    const t = this.peek();
    if (t.kind !== 'duration') this.fail(t, 'a duration', ['DURATION'], DURATION_HINT);
    if (!Number.isSafeInteger(t.value) || t.value < 1) {
      this.failWith(t, `a duration must be a positive whole number, found ${shorten(t.text)}`, ['DURATION'], 'Durations are at least 1: 1d, 30d, 48h');
    }
    const d: Duration = { value: t.value, unit: t.unit };
    if (durationMs(d) > MAX_DURATION_MS) {
      this.failWith(t, `a duration may not exceed 3650 days, found ${shorten(t.text)}`, ['DURATION'], 'Use at most 3650d (521w, 87600h).');
    }
    this.advance();
    return d;
  }

  private date(): string {
    const t = this.peek();
    if (t.kind !== 'date') this.fail(t, 'a date', ['DATE'], DATE_HINT);
    if (!Number.isFinite(parseDateLiteral(t.text))) this.failWith(t, `${t.text} is not a calendar date`, ['DATE'], DATE_HINT);
    this.advance();
    return t.text;
  }
}

/**
 * Reads the text form of a segment definition. Never throws: every mistake comes back as a ParseError with its
 * line and column and a hint, e.g. `parseDefinition('trait.country = "FR" and count(event = "Order Completed") >= 1')`.
 */
export function parseDefinition(text: string): Result<Condition, ParseError> {
  if (text.length > MAX_DEFINITION_LENGTH) {
    const body = `the definition is longer than ${MAX_DEFINITION_LENGTH} characters (${text.length})`;
    return err(makeError(text, MAX_DEFINITION_LENGTH, body, [], `${text.length} characters`, SPLIT_HINT));
  }
  let ast: Condition;
  try {
    ast = new Parser(text, lex(text)).definition();
  } catch (e) {
    if (e instanceof ParseFailure) return err(e.error);
    throw e;
  }
  // The checks above mirror the schema; this keeps a gap between the two from ever producing an AST that can't be stored.
  const checked = Condition.safeParse(ast);
  if (!checked.success) {
    const message = checked.error.issues[0]?.message ?? 'invalid definition';
    return err(makeError(text, 0, message, [], '', 'This definition cannot be stored; please report it.'));
  }
  return ok(checked.data);
}
