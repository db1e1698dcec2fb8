import { err, ok, type Result } from '../../kernel/index.js';

/** Longest pattern a rule may carry, in characters. */
export const MAX_PATTERN_LENGTH = 200;
/** Longest value a pattern is run on: a longer value fails the rule without running the regex. */
export const MAX_PATTERN_INPUT = 128;
/** Most quantifiers with a choice of count above one (`*`, `+`, `{2,5}`) that a pattern may hold. */
export const MAX_REPETITIONS = 3;

/**
 * Why a user regex is refused, or null when it is safe to run on untrusted values. JavaScript regexes backtrack, and
 * Node 20 has no linear-time engine without a flag, so a pattern such as `^(a+)+$` takes exponential time on
 * "aaaa...!". The check is deliberately conservative (it refuses some harmless patterns) rather than clever:
 *
 * - the pattern is anchored: it starts with `^`, ends with an unescaped `$`, and has no top-level `|`;
 * - no back-references (`\1`, `\k<name>`) and no look-arounds (`(?=`, `(?!`, `(?<=`, `(?<!`);
 * - a quantifier that repeats (`*`, `+`, `{n}`, `{n,m}` with n or m > 1) never applies to a group that can match a
 *   text in several ways, that is a group holding an alternation or a quantifier with a choice (`(a+)+`, `(a|ab)*`,
 *   `(a?a?){8}`, `(\s?\d{2}){4}`): this star-height-one rule is what safe-regex enforces, extended to alternations
 *   and optional parts, whose overlapping choices backtrack the same way;
 * - at most MAX_REPETITIONS quantifiers with a choice of count above one (`*`, `+`, `{2,5}`), as each adjacent pair
 *   of overlapping ones (`\d*\d*`) multiplies the work on a near miss by the length of the value;
 * - the pattern compiles with the `u` flag (which also refuses the lax escapes of legacy regexes).
 *
 * What remains can still backtrack polynomially, at most in the cube of the length of the value (`^\d*\d*\d*$` on
 * "111...x"); values are capped at MAX_PATTERN_INPUT characters so that this stays in the milliseconds (four such
 * repetitions took 0.2 s on one 128-character value, which is why three is the limit).
 */
export function unsafePatternReason(source: string): string | null {
  if (source.length > MAX_PATTERN_LENGTH) return `the pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  if (!source.startsWith('^')) return 'the pattern must be anchored: start it with ^';
  if (!source.endsWith('$') || trailingBackslashes(source.slice(0, -1)) % 2 === 1) {
    return 'the pattern must be anchored: end it with $';
  }
  try {
    new RegExp(source, 'u');
  } catch (e) {
    return `the pattern does not compile: ${e instanceof Error ? e.message : String(e)}`;
  }
  const counter = { repetitions: 0 };
  const parsed = parseSequence(source, 0, 0, counter);
  if (!parsed.ok) return parsed.error;
  if (counter.repetitions > MAX_REPETITIONS) {
    return `the pattern has ${counter.repetitions} open-ended repetitions (*, +, {n,m}); at most ${MAX_REPETITIONS} are allowed`;
  }
  return null;
}

function trailingBackslashes(text: string): number {
  let n = 0;
  while (n < text.length && text[text.length - 1 - n] === '\\') n++;
  return n;
}

/** Whether a group can match the same text in more than one way: it holds an alternation or a quantifier with a choice. */
interface Parsed {
  readonly end: number;
  readonly varies: boolean;
}

const MAX_DEPTH = 20;

// Parses from `start` to the closing parenthesis of the enclosing group (or the end). The pattern already compiled
// with the `u` flag, so its syntax is known to be well formed; this walk only needs atoms, groups and quantifiers.
function parseSequence(src: string, start: number, depth: number, counter: { repetitions: number }): Result<Parsed, string> {
  if (depth > MAX_DEPTH) return err(`groups nest more than ${MAX_DEPTH} deep`);
  let varies = false;
  let i = start;
  while (i < src.length) {
    const c = src[i];
    if (c === ')') break;
    if (c === '|') {
      if (depth === 0) return err('alternatives at the top level escape the anchors (^a|b$ is ^a or b$): group them, as in ^(?:a|b)$');
      varies = true;
      i++;
      continue;
    }
    let atomVaries = false;
    if (c === '\\') {
      const next = src[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return err('back-references (\\1, \\k<name>) are not allowed');
      i += escapeLength(src, i);
    } else if (c === '[') {
      i = classEnd(src, i);
    } else if (c === '(') {
      if (src.startsWith('(?=', i) || src.startsWith('(?!', i) || src.startsWith('(?<=', i) || src.startsWith('(?<!', i)) {
        return err('look-arounds ((?=, (?!, (?<=, (?<!) are not allowed');
      }
      let inner = i + 1;
      if (src.startsWith('?:', inner)) inner += 2;
      else if (src.startsWith('?<', inner)) inner = src.indexOf('>', inner) + 1;
      const group = parseSequence(src, inner, depth + 1, counter);
      if (!group.ok) return group;
      atomVaries = group.value.varies;
      i = group.value.end + 1;
    } else {
      i++;
    }
    const quantifier = readQuantifier(src, i);
    if (quantifier !== null) {
      // (a+)+, (a|ab)*, (a?a?){8}: a repeated group that can match one text in several ways backtracks
      // exponentially on a near miss. Even an exact count repeats the choice n times.
      if (quantifier.max > 1 && atomVaries) {
        return err(
          'a repeated group holds a repetition, an optional part or an alternation (as in (a+)+ or (a|b)*), which can take ' +
            'exponential time: repeat a character class instead, such as [ab]*, or use a named format',
        );
      }
      if (quantifier.max > quantifier.min) atomVaries = true;
      if (quantifier.max > quantifier.min && quantifier.max > 1) counter.repetitions++;
      i = quantifier.end;
    }
    varies ||= atomVaries;
  }
  return ok({ end: i, varies });
}

function escapeLength(src: string, i: number): number {
  const next = src[i + 1] ?? '';
  // \p{L}, \u{1F600}, \x41, \u0041 and \cX carry more than one character after the backslash.
  if ((next === 'p' || next === 'P' || next === 'u') && src[i + 2] === '{') return src.indexOf('}', i) - i + 1;
  if (next === 'x') return 4;
  if (next === 'u') return 6;
  if (next === 'c') return 3;
  return 2;
}

function classEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === '^') j++;
  while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? escapeLength(src, j) : 1;
  return j + 1;
}

function readQuantifier(src: string, i: number): { min: number; max: number; end: number } | null {
  const c = src[i];
  let min: number;
  let max: number;
  let end: number;
  if (c === '*' || c === '+') {
    min = c === '*' ? 0 : 1;
    max = Infinity;
    end = i + 1;
  } else if (c === '?') {
    min = 0;
    max = 1;
    end = i + 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
    if (m === null) return null;
    min = Number(m[1]);
    max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? Infinity : Number(m[3]);
    end = i + m[0].length;
  } else {
    return null;
  }
  if (src[end] === '?') end++; // lazy quantifiers backtrack the same way
  return { min, max, end };
}
