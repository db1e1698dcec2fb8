import type { DurationUnit } from './ast.js';

/**
 * The lexer of the segment text form (docs/segments.md, "Tokens"). It never fails: a character it cannot read
 * becomes an `error` token that ends the stream, so that the parser reports whichever problem comes first in the
 * text, a lexical one or a grammatical one.
 */

export type Punct = '(' | ')' | ',' | '.' | '=' | '!=' | '<' | '<=' | '>' | '>=';

interface Span {
  /** UTF-16 index of the first character. */
  offset: number;
  /** The token as written. */
  text: string;
}

export type Token =
  | (Span & { kind: 'ident'; lower: string })
  | (Span & { kind: 'string'; value: string })
  | (Span & { kind: 'number'; value: number })
  | (Span & { kind: 'date' })
  | (Span & { kind: 'duration'; value: number; unit: DurationUnit })
  | (Span & { kind: 'percent'; value: number })
  | (Span & { kind: 'punct'; punct: Punct })
  | (Span & { kind: 'eof' })
  | (Span & { kind: 'error'; message: string; expected: string[]; hint: string });

export const KEYWORDS = [
  'and',
  'or',
  'not',
  'between',
  'in',
  'exists',
  'within',
  'before',
  'after',
  'contains',
  'starts_with',
  'true',
  'false',
  'for',
  'where',
] as const;
export const CALL_NAMES = [
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'distinct',
  'first',
  'last',
  'in_segment',
  'random_bucket',
] as const;
export const PREFIXES = ['trait', 'score', 'rfm', 'computed'] as const;

/** Words that cannot start a bare property path, so a key spelled like one is printed in quotes. */
const RESERVED: ReadonlySet<string> = new Set<string>([...KEYWORDS, ...CALL_NAMES, ...PREFIXES]);
const isReserved = (word: string): boolean => RESERVED.has(word.toLowerCase());

const IDENT_WHOLE_RE = /^[\p{L}_][\p{L}\p{N}_]*$/u;
/** A key that can be written without quotes and read back as the same key. */
export const isPlainKey = (key: string): boolean => IDENT_WHOLE_RE.test(key) && !isReserved(key);

// Sticky copies of the token forms; DATE is DATE_LITERAL_RE from ast.ts without its anchors.
const DATE_RE = /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?/y;
const DATE_START_RE = /\d{4}-\d/y;
const DATE_JUNK_RE = /[0-9A-Za-z:.+-]*/y;
const DURATION_RE = /(\d+)([smhdw])/y;
const NUMBER_RE = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENT_RE = /[\p{L}_][\p{L}\p{N}_]*/uy;
const IDENT_CHAR_RE = /[\p{L}\p{N}_]/uy;
const IDENT_CHARS_RE = /[\p{L}\p{N}_]*/uy;
const SPACE_RE = /\s/;
const HEX4_RE = /^[0-9a-fA-F]{4}$/;

export const DURATION_HINT = 'Durations need a unit: 30d, 48h, 15m, 90s, 2w';
export const DATE_HINT = 'A date is written 2026-01-31, or 2026-01-31T10:30:00Z with a time (Z or an offset such as +01:00).';
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function stickyMatch(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const identCharAt = (text: string, at: number): boolean => stickyMatch(IDENT_CHAR_RE, text, at) !== null;

function skipBlank(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '#') {
      while (i < text.length && text.charAt(i) !== '\n') i++;
    } else if (SPACE_RE.test(c)) {
      i++;
    } else {
      break;
    }
  }
  return i;
}

function errorToken(text: string, offset: number, end: number, message: string, expected: string[], hint: string): Token {
  return { kind: 'error', offset, text: text.slice(offset, end), message, expected, hint };
}

function lexString(text: string, start: number): Token {
  let value = '';
  let i = start + 1;
  let chunkStart = i;
  for (;;) {
    const c = text.charAt(i);
    // A string may not run past its line: an unclosed quote would otherwise swallow the rest of the definition.
    if (i >= text.length || c === '\n') {
      return errorToken(text, start, i, 'unterminated string', ['"'], 'Close the string with " on the same line (write a line break as \\n).');
    }
    if (c === '"') {
      value += text.slice(chunkStart, i);
      return { kind: 'string', offset: start, text: text.slice(start, i + 1), value };
    }
    if (c !== '\\') {
      i++;
      continue;
    }
    value += text.slice(chunkStart, i);
    const e = text.charAt(i + 1);
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (e === 'u' && HEX4_RE.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      return errorToken(text, i, i + 2, `invalid escape "\\${e}" in a string`, [], 'Strings use JSON escapes: \\" \\\\ \\n \\t \\u00e9.');
    }
    chunkStart = i;
  }
}

function lexSingleQuoted(text: string, start: number): Token {
  const close = text.indexOf("'", start + 1);
  const newline = text.indexOf('\n', start + 1);
  const closed = close > start && (newline < 0 || close < newline);
  const end = closed ? close + 1 : start + 1;
  const example = closed ? JSON.stringify(text.slice(start + 1, close)) : '"FR"';
  const found = text.slice(start, end);
  return errorToken(text, start, end, `expected a "string" in double quotes, found ${found}`, ['STRING'], `Strings use double quotes: ${example}`);
}

/** DATE, then DURATION, then PERCENT, then NUMBER, as the token table orders them. */
function lexNumeric(text: string, start: number): Token {
  const date = stickyMatch(DATE_RE, text, start);
  if (date && !identCharAt(text, start + date[0].length)) {
    return { kind: 'date', offset: start, text: date[0] };
  }
  if (stickyMatch(DATE_START_RE, text, start)) {
    const junk = stickyMatch(DATE_JUNK_RE, text, start);
    const end = start + (junk ? junk[0].length : 4);
    return errorToken(text, start, end, `malformed date "${text.slice(start, end)}"`, ['DATE'], DATE_HINT);
  }
  const duration = stickyMatch(DURATION_RE, text, start);
  if (duration && !identCharAt(text, start + duration[0].length)) {
    const unit = duration[2];
    if (unit === 's' || unit === 'm' || unit === 'h' || unit === 'd' || unit === 'w') {
      return { kind: 'duration', offset: start, text: duration[0], value: Number(duration[1]), unit };
    }
  }
  const num = stickyMatch(NUMBER_RE, text, start);
  const numText = num ? num[0] : text.charAt(start);
  const end = start + numText.length;
  if (text.charAt(end) === '%') {
    return { kind: 'percent', offset: start, text: text.slice(start, end + 1), value: Number(numText) };
  }
  if (identCharAt(text, end)) {
    const rest = stickyMatch(IDENT_CHARS_RE, text, end);
    const stop = end + (rest ? rest[0].length : 0);
    return errorToken(text, start, stop, `malformed number or duration "${text.slice(start, stop)}"`, ['NUMBER', 'DURATION'], DURATION_HINT);
  }
  return { kind: 'number', offset: start, text: numText, value: Number(numText) };
}

function lexSymbol(text: string, i: number): Token {
  const c = text.charAt(i);
  const two = text.slice(i, i + 2);
  const punct = (p: Punct): Token => ({ kind: 'punct', offset: i, text: p, punct: p });
  switch (c) {
    case '(':
    case ')':
    case ',':
    case '.':
      return punct(c);
    case '=':
      if (two === '==') return errorToken(text, i, i + 2, 'expected "=", found "=="', ['='], 'Use = to compare');
      if (two === '=>') return errorToken(text, i, i + 2, 'expected ">=", found "=>"', ['>='], 'Use >= for "at least"');
      if (two === '=<') return errorToken(text, i, i + 2, 'expected "<=", found "=<"', ['<='], 'Use <= for "at most"');
      return punct('=');
    case '!':
      return two === '!=' ? punct('!=') : errorToken(text, i, i + 1, 'expected not or "!=", found "!"', ['not', '!='], 'Use not to negate a condition, != for "differs from"');
    case '<':
      if (two === '<>') return errorToken(text, i, i + 2, 'expected "!=", found "<>"', ['!='], 'Use != for "differs from"');
      return two === '<=' ? punct('<=') : punct('<');
    case '>':
      return two === '>=' ? punct('>=') : punct('>');
    case '&':
      return errorToken(text, i, two === '&&' ? i + 2 : i + 1, `expected "and", found "${two === '&&' ? '&&' : '&'}"`, ['and'], 'Use and');
    case '|':
      return errorToken(text, i, two === '||' ? i + 2 : i + 1, `expected "or", found "${two === '||' ? '||' : '|'}"`, ['or'], 'Use or');
    default: {
      const cp = text.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      return errorToken(
        text,
        i,
        i + ch.length,
        `unexpected character ${JSON.stringify(ch)}`,
        [],
        'Remove it; a name with spaces or punctuation is written in double quotes: trait."Code postal"',
      );
    }
  }
}

/** The tokens of `text`, ending with one `eof` or one `error` token. */
export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    i = skipBlank(text, i);
    if (i >= text.length) {
      tokens.push({ kind: 'eof', offset: text.length, text: '' });
      return tokens;
    }
    const c = text.charAt(i);
    let token: Token;
    if (c === '"') {
      token = lexString(text, i);
    } else if (c === "'") {
      token = lexSingleQuoted(text, i);
    } else if (isDigit(c) || (c === '-' && isDigit(text.charAt(i + 1)))) {
      token = lexNumeric(text, i);
    } else {
      const ident = stickyMatch(IDENT_RE, text, i);
      token = ident ? { kind: 'ident', offset: i, text: ident[0], lower: ident[0].toLowerCase() } : lexSymbol(text, i);
    }
    tokens.push(token);
    if (token.kind === 'error') return tokens;
    i = token.offset + token.text.length;
  }
}
