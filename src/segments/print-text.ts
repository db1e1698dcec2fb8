// By file, not through the kernel index: the dashboard bundles this printer (see parse-text.ts).
import { assertNever } from '../kernel/assert-never.js';
import type { Condition, Duration, KeyPath, Operand, Value, Window } from './ast.js';
import { isPlainKey } from './lex-text.js';

/**
 * The canonical text of a definition: one line, lower-case keywords, and only the parentheses the grammar needs
 * (plus around `not (a for 30d)`, for the reader), so that parseDefinition(printDefinition(ast)) gives back `ast`.
 * A few trees the schema accepts have no text form (a property path of one key holding a dot, contains with a
 * non-string value, nesting past the parser's limits); they are printed as best they can be and do not read back.
 */

const key = (k: string): string => (isPlainKey(k) ? k : JSON.stringify(k));
const path = (p: KeyPath): string => p.map(key).join('.');
const duration = (d: Duration): string => `${d.value}${d.unit}`;
// String(-0) is "0"; writing the sign keeps the round trip exact.
const num = (n: number): string => (Object.is(n, -0) ? '-0' : String(n));

function value(v: Value): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v.date;
}

/** A single key holding a dot can't be written: both `"a.b"` forms read back as two keys. */
function propertyArg(p: KeyPath): string {
  return p.some((k) => k.includes('.')) ? `property = ${path(p)}` : `property = ${JSON.stringify(p.join('.'))}`;
}

function windowArgs(w: Window): string[] {
  if (w.kind === 'rolling') return [`within = ${duration(w.duration)}`];
  const args: string[] = [];
  if (w.from !== undefined) args.push(`from = ${w.from}`);
  if (w.to !== undefined) args.push(`to = ${w.to}`);
  return args;
}

function operand(o: Operand): string {
  switch (o.kind) {
    case 'trait':
      return `trait.${path(o.path)}`;
    case 'property':
      return path(o.path);
    case 'score':
      return `score.${key(o.name)}`;
    case 'rfm':
      return `rfm.${o.field}`;
    case 'computed':
      return `computed.${key(o.name)}`;
    case 'aggregate':
    case 'occurrence': {
      const args: string[] = [];
      if (o.event !== undefined) {
        args.push(`event = ${JSON.stringify(o.event)}${o.where !== undefined ? ` where ${condition(o.where)}` : ''}`);
      } else if (o.where !== undefined) {
        args.push(`where ${condition(o.where)}`);
      }
      if (o.kind === 'aggregate' && o.property !== undefined) args.push(propertyArg(o.property));
      if (o.window !== undefined) args.push(...windowArgs(o.window));
      return `${o.fn}(${args.join(', ')})`;
    }
    default:
      return assertNever(o);
  }
}

const isJunction = (c: Condition): boolean => c.kind === 'and' || c.kind === 'or';
const group = (c: Condition, needed: boolean): string => (needed ? `(${condition(c)})` : condition(c));

function condition(c: Condition): string {
  switch (c.kind) {
    case 'and':
      // A nested and keeps its parentheses so that it is not flattened into this one when read back.
      return c.of.map((x) => group(x, isJunction(x))).join(' and ');
    case 'or':
      return c.of.map((x) => group(x, x.kind === 'or')).join(' or ');
    case 'not':
      return `not ${group(c.of, isJunction(c.of) || c.of.kind === 'for')}`;
    case 'for':
      return `${group(c.of, isJunction(c.of) || c.of.kind === 'not' || c.of.kind === 'for')} for ${duration(c.duration)}`;
    case 'compare':
      return `${operand(c.left)} ${c.op} ${value(c.value)}`;
    case 'between':
      return `${operand(c.left)} between ${value(c.low)} and ${value(c.high)}`;
    case 'in':
      return `${operand(c.left)} in (${c.values.map(value).join(', ')})`;
    case 'exists':
      return `${operand(c.left)} exists`;
    case 'within':
      return `${operand(c.left)} within ${duration(c.duration)}`;
    case 'in_segment':
      return `in_segment(${JSON.stringify(c.segment)})`;
    case 'random_bucket':
      return `random_bucket(${num(c.percent)}%${c.seed !== undefined ? `, seed = ${JSON.stringify(c.seed)}` : ''})`;
    default:
      return assertNever(c);
  }
}

/** The canonical text of a definition, e.g. `trait.country = "FR" and count(event = "Order Completed", within = 30d) >= 2`. */
export function printDefinition(c: Condition): string {
  return condition(c);
}
