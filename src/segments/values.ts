import { createHash } from 'node:crypto';
import { isDateValue, parseDateLiteral, type CompareOp, type KeyPath, type Value } from './ast.js';

/**
 * Comparison semantics shared by both evaluators. The SQL compiler (`compile-sql.ts`) implements the same rules in
 * the database; the differential tests hold the two together. The rules are strict by JSON type so that both sides
 * can agree exactly: see docs/segments.md, "Meaning".
 */

/**
 * ISO 8601 strings a trait or property may hold to count as a date: the date, optionally a time to the millisecond,
 * optionally a zone (none means UTC). Anything else is not a date (both evaluators use this same pattern).
 */
export const STORED_DATE_PATTERN =
  '^[1-9]\\d{3}-\\d{2}-\\d{2}([T ]([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,3})?)?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)?)?$';
const STORED_DATE_RE = new RegExp(STORED_DATE_PATTERN);
const PARTS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|([+-])(\d{2}):(\d{2}))?)?$/;

/** Milliseconds since the epoch for a stored date string, or null when it is not one (2026-02-30, 25:00). */
export function storedDateMs(v: unknown): number | null {
  if (typeof v !== 'string' || !STORED_DATE_RE.test(v)) return null;
  const m = PARTS_RE.exec(v);
  if (!m) return null;
  const n = (i: number): number => Number(m[i] ?? 0);
  const [y, mo, d, h, mi, s] = [n(1), n(2), n(3), n(4), n(5), n(6)];
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  if (h > 23 || mi > 59 || s > 59 || y < 1000) return null;
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  let t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (m[9] !== undefined) {
    const off = (Number(m[10]) * 60 + Number(m[11])) * 60_000;
    t -= m[9] === '+' ? off : -off;
  }
  return t;
}

/** Compares strings by Unicode code point, as databases order UTF-8 text (JavaScript's `<` uses UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function ordered(c: number, op: CompareOp): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case 'contains':
    case 'starts_with':
      return false;
  }
}

const cmpNum = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** Compares a stored JSON value (trait or property) with a literal, by the literal's type. */
export function compareStored(actual: unknown, op: CompareOp, lit: Value): boolean {
  if (typeof lit === 'string') {
    if (typeof actual !== 'string') return false;
    if (op === 'contains') return actual.includes(lit);
    if (op === 'starts_with') return actual.startsWith(lit);
    return ordered(compareCodePoints(actual, lit), op);
  }
  if (op === 'contains' || op === 'starts_with') return false;
  if (typeof lit === 'number') return typeof actual === 'number' && Number.isFinite(actual) && ordered(cmpNum(actual, lit), op);
  if (typeof lit === 'boolean') return typeof actual === 'boolean' && ordered(cmpNum(Number(actual), Number(lit)), op);
  const t = storedDateMs(actual);
  return t !== null && ordered(cmpNum(t, literalMs(lit)), op);
}

/** Compares a computed number (aggregate, score) with a literal: only number literals can match. */
export function compareNumber(actual: number | null, op: CompareOp, lit: Value): boolean {
  if (actual === null || typeof lit !== 'number') return false;
  return ordered(cmpNum(actual, lit), op);
}

/** Compares a time (first/last occurrence, in ms) with a literal: only date literals can match. */
export function compareTime(actual: number | null, op: CompareOp, lit: Value): boolean {
  if (actual === null || !isDateValue(lit)) return false;
  return ordered(cmpNum(actual, literalMs(lit)), op);
}

export function literalMs(lit: { date: string }): number {
  return parseDateLiteral(lit.date);
}

/** A value at a key path of a JSON object, or undefined. */
export function valueAt(obj: unknown, path: KeyPath): unknown {
  let cur: unknown = obj;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = Object.prototype.hasOwnProperty.call(cur, k) ? (cur as Record<string, unknown>)[k] : undefined;
  }
  return cur;
}

/** A JSON number as a finite number, or null (strings are not numbers here, "12" included). */
export function numericValue(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The key under which `distinct` counts a value: its JSON type and value; objects, arrays and null are skipped. */
export function distinctKey(v: unknown): string | null {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number' && Number.isFinite(v)) return `n${v}`;
  if (typeof v === 'boolean') return `b${v}`;
  return null;
}

export const BUCKETS = 10_000;

/** The profile's random bucket in [0, 10000): MD5 of the seed and id, first 32 bits, modulo 10000. */
export function bucketOf(profileId: string, seed: string | undefined): number {
  const h = createHash('md5').update(bucketKey(profileId, seed)).digest();
  return h.readUInt32BE(0) % BUCKETS;
}

export const bucketKey = (profileId: string, seed: string | undefined): string => (seed === undefined ? profileId : `${seed}:${profileId}`);

/** Whether a bucket falls in a percentage: 10% keeps buckets 0..999. */
export const bucketIn = (bucket: number, percent: number): boolean => bucket < Math.round(percent * 100);

/** Names events by kind: track calls by their own name, the other calls by a fixed one (docs/segments.md). */
export function eventNameOf(type: string, event: string | null): string | null {
  switch (type) {
    case 'track':
      return event;
    case 'page':
      return 'Page Viewed';
    case 'screen':
      return 'Screen Viewed';
    case 'identify':
      return 'Identify';
    case 'group':
      return 'Group';
    case 'alias':
      return 'Alias';
    default:
      return null;
  }
}

/** The call type that a fixed event name stands for, if any. */
export function callTypeNamed(name: string): string | null {
  switch (name) {
    case 'Page Viewed':
      return 'page';
    case 'Screen Viewed':
      return 'screen';
    case 'Identify':
      return 'identify';
    case 'Group':
      return 'group';
    case 'Alias':
      return 'alias';
    default:
      return null;
  }
}
