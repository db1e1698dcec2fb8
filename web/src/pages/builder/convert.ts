import {
  DATE_LITERAL_RE,
  MAX_DURATION_MS,
  durationMs,
  parseDateLiteral,
  type Condition,
  type Duration,
  type KeyPath,
  type Operand,
  type Value,
  type Window,
} from '../../../../src/segments/ast.js';
import { parseDefinition } from '../../../../src/segments/parse-text.js';
import { printDefinition } from '../../../../src/segments/print-text.js';
import {
  dur,
  emptyGroup,
  fixedType,
  newId,
  newLeaf,
  opsFor,
  type DurDraft,
  type FilterDraft,
  type GroupDraft,
  type LeafDraft,
  type NodeDraft,
  type TestDraft,
  type TextDraft,
  type ValueType,
  type WhereDraft,
  type WindowDraft,
} from './draft.js';

/**
 * Draft <-> AST. A draft becomes a definition when every field reads (otherwise the problems say what is missing,
 * beside the condition concerned); a definition becomes a draft node by node, each checked to convert back to the very
 * same node, so that opening a segment in the visual editor can never change it.
 */

// ---------------------------------------------------------------------------------------------------------------
// Draft -> AST

export type ProblemKey =
  | 'problemEmptyGroup'
  | 'problemKey'
  | 'problemNumber'
  | 'problemDate'
  | 'problemBoolean'
  | 'problemValue'
  | 'problemEmptyList'
  | 'problemDuration'
  | 'problemProperty'
  | 'problemPropertyPath'
  | 'problemSegment'
  | 'problemPercent'
  | 'problemWindow'
  | 'problemComputed'
  | 'problemText'
  | 'problemWhereText';

export interface Problem {
  nodeId: string;
  key: ProblemKey;
  params?: Record<string, string>;
}

class Incomplete extends Error {
  constructor(readonly problem: Omit<Problem, 'nodeId'>) {
    super(problem.key);
  }
}

const fail = (key: ProblemKey, params?: Record<string, string>): never => {
  throw new Incomplete(params ? { key, params } : { key });
};

const NUMBER_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** The text of a value as the form shows it; the inverse of readValue. */
export function valueText(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v.date;
}

export const valueType = (v: Value): ValueType =>
  typeof v === 'object' ? 'date' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'boolean';

function readValue(type: ValueType, text: string): Value {
  if (type !== 'string' && text.trim() === '') return fail('problemValue');
  switch (type) {
    case 'string':
      return text;
    case 'number': {
      const s = text.trim().replace(',', '.');
      const n = Number(s);
      if (!NUMBER_RE.test(s) || !Number.isFinite(n)) return fail('problemNumber', { value: text });
      return n;
    }
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      return fail('problemBoolean');
    case 'date': {
      const s = text.trim();
      if (!DATE_LITERAL_RE.test(s) || !Number.isFinite(parseDateLiteral(s))) return fail('problemDate', { value: text });
      return { date: s };
    }
  }
}

function readDuration(d: DurDraft): Duration {
  const value = Number(d.value.trim());
  const out: Duration = { value, unit: d.unit };
  if (!/^\d+$/.test(d.value.trim()) || value < 1 || durationMs(out) > MAX_DURATION_MS) fail('problemDuration', { value: d.value });
  return out;
}

function readPath(text: string, problem: ProblemKey): KeyPath {
  const parts = text.trim().split('.').map((p) => p.trim());
  if (parts.some((p) => p.length === 0 || p.length > 200) || parts.length > 8) return fail(problem);
  return parts;
}

function readTest(left: Operand, t: TestDraft): Condition {
  switch (t.op) {
    case 'exists':
      return { kind: 'exists', left };
    case 'within':
      return { kind: 'within', left, duration: readDuration(t.duration) };
    case 'between':
      return { kind: 'between', left, low: readValue(t.type, t.values[0] ?? ''), high: readValue(t.type, t.values[1] ?? '') };
    case 'in':
      if (t.values.length === 0) fail('problemEmptyList');
      return { kind: 'in', left, values: t.values.map((v) => readValue(t.type, v)) };
    default:
      return { kind: 'compare', left, op: t.op, value: readValue(t.type, t.values[0] ?? '') };
  }
}

/** Where-filter text is read as the filter of an aggregate, so that bare property names are accepted. */
const WHERE_PREFIX = 'count(where ';
export function parseWhere(text: string): { ok: true; value: Condition } | { ok: false; message: string } {
  const r = parseDefinition(`${WHERE_PREFIX}${text}) >= 0`);
  if (!r.ok) return { ok: false, message: stripPosition(r.error.message) };
  const c = r.value;
  if (c.kind === 'compare' && c.left.kind === 'aggregate' && c.left.where && !c.left.event && !c.left.window) return { ok: true, value: c.left.where };
  return { ok: false, message: 'not a single event filter' };
}

/** The parser's messages start with "line:column: "; the page shows the position on its own. */
export const stripPosition = (message: string): string => message.replace(/^\d+:\d+: /, '');

function readWhere(w: WhereDraft): Condition | undefined {
  if (w.mode === 'text') {
    if (w.text.trim() === '') return undefined;
    const r = parseWhere(w.text);
    if (!r.ok) return fail('problemWhereText', { message: r.message });
    return r.value;
  }
  const parts = w.rows.map((row): Condition => readTest({ kind: 'property', path: readPath(row.path, 'problemPropertyPath') }, row.test));
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { kind: 'and', of: parts };
}

function readDate(text: string): string {
  const v = readValue('date', text);
  return typeof v === 'object' ? v.date : fail('problemDate', { value: text });
}

function readWindow(w: WindowDraft): Window | undefined {
  if (w.kind === 'none') return undefined;
  if (w.kind === 'rolling') return { kind: 'rolling', duration: readDuration(w.duration) };
  const from = w.from.trim();
  const to = w.to.trim();
  if (from === '' && to === '') return fail('problemWindow');
  return { kind: 'absolute', ...(from !== '' ? { from: readDate(from) } : {}), ...(to !== '' ? { to: readDate(to) } : {}) };
}

/** The condition of one leaf, or throws Incomplete. */
function readLeaf(l: LeafDraft): Condition {
  let c: Condition;
  switch (l.subject) {
    case 'trait':
      c = readTest({ kind: 'trait', path: readPath(l.key, 'problemKey') }, l.test);
      break;
    case 'computed':
      if (l.computed.trim() === '') fail('problemComputed');
      c = readTest({ kind: 'computed', name: l.computed.trim() }, l.test);
      break;
    case 'score':
      c = readTest({ kind: 'score', name: 'engagement' }, l.test);
      break;
    case 'rfm':
      c = readTest({ kind: 'rfm', field: l.rfm }, l.test);
      break;
    case 'aggregate':
    case 'occurrence': {
      const event = l.event.trim();
      const where = readWhere(l.where);
      const window = readWindow(l.window);
      // Absent parts are left out, as the parser leaves them out.
      const common = { ...(event !== '' ? { event } : {}), ...(where ? { where } : {}), ...(window ? { window } : {}) };
      let o: Operand;
      if (l.subject === 'occurrence') {
        o = { kind: 'occurrence', fn: l.occ, ...common };
      } else if (l.fn === 'count') {
        o = { kind: 'aggregate', fn: l.fn, ...common };
      } else {
        if (l.property.trim() === '') fail('problemProperty');
        o = { kind: 'aggregate', fn: l.fn, ...common, property: readPath(l.property, 'problemProperty') };
      }
      c = readTest(o, l.test);
      break;
    }
    case 'segment':
      if (l.segment.trim() === '') fail('problemSegment');
      c = { kind: 'in_segment', segment: l.segment };
      break;
    case 'bucket': {
      const p = Number(l.percent.trim().replace(',', '.'));
      if (!NUMBER_RE.test(l.percent.trim().replace(',', '.')) || !(p > 0 && p <= 100) || Math.abs(p * 100 - Math.round(p * 100)) > 1e-9) {
        fail('problemPercent', { value: l.percent });
      }
      c = l.seed !== '' ? { kind: 'random_bucket', percent: p, seed: l.seed } : { kind: 'random_bucket', percent: p };
      break;
    }
  }
  if (l.held) c = { kind: 'for', of: c, duration: readDuration(l.held) };
  return l.negated ? { kind: 'not', of: c } : c;
}

export interface Built {
  /** The definition, when the draft is complete and not empty. */
  ast: Condition | null;
  empty: boolean;
  problems: Problem[];
  /** Where each condition of the draft lands in the AST (`of[1]`), to place the server's issues. */
  paths: Map<string, string>;
}

const sub = (at: string, p: string): string => (at ? `${at}.${p}` : p);

export function buildDefinition(root: GroupDraft): Built {
  const problems: Problem[] = [];
  const paths = new Map<string, string>();

  const node = (n: NodeDraft, at: string): Condition | null => {
    if (n.kind === 'group') return group(n, at);
    paths.set(n.id, at);
    try {
      if (n.kind === 'text') {
        const r = parseDefinition(n.text);
        if (!r.ok) return fail('problemText', { message: stripPosition(r.error.message) });
        return r.value;
      }
      return readLeaf(n);
    } catch (e) {
      if (e instanceof Incomplete) {
        problems.push({ nodeId: n.id, ...e.problem });
        return null;
      }
      throw e;
    }
  };

  const group = (g: GroupDraft, at: string): Condition | null => {
    paths.set(g.id, at);
    const inner = g.negated ? sub(at, 'of') : at;
    if (g.children.length === 0) {
      problems.push({ nodeId: g.id, key: 'problemEmptyGroup' });
      return null;
    }
    let c: Condition | null;
    if (g.children.length === 1) {
      c = node(g.children[0]!, inner);
    } else {
      const of = g.children.map((x, i) => node(x, sub(inner, `of[${i}]`)));
      c = of.every((x): x is Condition => x !== null) ? { kind: g.op, of } : null;
    }
    return c && g.negated ? { kind: 'not', of: c } : c;
  };

  if (root.children.length === 0) return { ast: null, empty: true, problems, paths };
  const ast = group(root, '');
  return { ast: problems.length === 0 ? ast : null, empty: false, problems, paths };
}

// ---------------------------------------------------------------------------------------------------------------
// AST -> draft

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  // Absent and undefined properties are the same (JSON drops both).
  const ea = Object.entries(a).filter(([, v]) => v !== undefined);
  const mb = new Map<string, unknown>(Object.entries(b).filter(([, v]) => v !== undefined));
  return ea.length === mb.size && ea.every(([k, v]) => mb.has(k) && deepEqual(v, mb.get(k)));
}

export const sameDefinition = deepEqual;

function testOf(c: Condition): TestDraft | null {
  const d = dur();
  const typed = (values: Value[]): { type: ValueType; values: string[] } | null => {
    const types = new Set(values.map(valueType));
    if (types.size > 1) return null;
    return { type: values[0] ? valueType(values[0]) : 'string', values: values.map(valueText) };
  };
  switch (c.kind) {
    case 'exists':
      return { op: 'exists', type: 'string', values: [], duration: d };
    case 'within':
      return { op: 'within', type: 'date', values: [], duration: { value: String(c.duration.value), unit: c.duration.unit } };
    case 'between': {
      const v = typed([c.low, c.high]);
      return v && { op: 'between', ...v, duration: d };
    }
    case 'in': {
      const v = typed(c.values);
      return v && { op: 'in', ...v, duration: d };
    }
    case 'compare': {
      const v = typed([c.value]);
      return v && { op: c.op, ...v, duration: d };
    }
    default:
      return null;
  }
}

function whereOf(w: Condition | undefined): WhereDraft {
  if (w === undefined) return { mode: 'rows', rows: [] };
  const parts = w.kind === 'and' ? w.of : [w];
  const rows: FilterDraft[] = [];
  for (const p of parts) {
    const test = 'left' in p && p.left.kind === 'property' && !p.left.path.some((k) => k.includes('.')) ? testOf(p) : null;
    if (!test || !('left' in p) || p.left.kind !== 'property' || !opsFor('filter').includes(test.op)) {
      return { mode: 'text', text: printDefinition(w) };
    }
    rows.push({ id: newId(), path: p.left.path.join('.'), test });
  }
  return { mode: 'rows', rows };
}

function windowOf(w: Window | undefined): WindowDraft {
  if (w === undefined) return { kind: 'none', duration: dur(), from: '', to: '' };
  if (w.kind === 'rolling') return { kind: 'rolling', duration: { value: String(w.duration.value), unit: w.duration.unit }, from: '', to: '' };
  return { kind: 'absolute', duration: dur(), from: w.from ?? '', to: w.to ?? '' };
}

/** Form fields for one condition, or null when they could not give back exactly this condition. */
function leafOf(c: Condition): LeafDraft | null {
  const l = newLeaf();
  let inner = c;
  if (c.kind === 'for') {
    l.held = { value: String(c.duration.value), unit: c.duration.unit };
    inner = c.of;
  }
  switch (inner.kind) {
    case 'in_segment':
      l.subject = 'segment';
      l.segment = inner.segment;
      break;
    case 'random_bucket':
      l.subject = 'bucket';
      l.percent = String(inner.percent);
      l.seed = inner.seed ?? '';
      break;
    case 'compare':
    case 'between':
    case 'in':
    case 'exists':
    case 'within': {
      const test = testOf(inner);
      if (!test) return null;
      const o = inner.left;
      switch (o.kind) {
        case 'trait':
          if (o.path.some((k) => k.includes('.'))) return null;
          l.subject = 'trait';
          l.key = o.path.join('.');
          break;
        case 'computed':
          l.subject = 'computed';
          l.computed = o.name;
          break;
        case 'score':
          l.subject = 'score';
          break;
        case 'rfm':
          l.subject = 'rfm';
          l.rfm = o.field;
          break;
        case 'aggregate':
        case 'occurrence':
          l.subject = o.kind;
          if (o.kind === 'aggregate') l.fn = o.fn;
          else l.occ = o.fn;
          l.event = o.event ?? '';
          l.where = whereOf(o.where);
          if (o.kind === 'aggregate' && o.property) {
            if (o.property.some((k) => k.includes('.'))) return null;
            l.property = o.property.join('.');
          }
          l.window = windowOf(o.window);
          break;
        default:
          return null;
      }
      // An operator the form does not offer for this operand (or a value of the wrong type) stays text: the server
      // explains what is wrong with it.
      if (!opsFor(l).includes(test.op)) return null;
      const fixed = fixedType(l);
      const free = test.op === 'exists' || test.op === 'within';
      if (fixed && !free && test.type !== fixed) return null;
      // exists and within take no value; the type is kept right for when the operator changes.
      l.test = fixed && free ? { ...test, type: fixed } : test;
      break;
    }
    default:
      return null;
  }
  if (l.held && l.subject !== 'trait') return null;
  try {
    return deepEqual(readLeaf(l), c) ? l : null;
  } catch {
    return null;
  }
}

const textNode = (c: Condition): TextDraft => ({ id: newId(), kind: 'text', text: printDefinition(c) });

export function nodeOf(c: Condition): NodeDraft {
  if (c.kind === 'and' || c.kind === 'or') return { id: newId(), kind: 'group', op: c.kind, negated: false, children: c.of.map(nodeOf) };
  if (c.kind === 'not') {
    const inner = c.of;
    if (inner.kind === 'and' || inner.kind === 'or') {
      const g = nodeOf(inner);
      return g.kind === 'group' ? { ...g, negated: true } : textNode(c);
    }
    if (inner.kind === 'not') return textNode(c);
    const leaf = leafOf(inner);
    return leaf ? { ...leaf, negated: true } : textNode(c);
  }
  return leafOf(c) ?? textNode(c);
}

/** The draft of a definition: its top-level and/or is the root group; anything else is the root's only child. */
export function draftOf(c: Condition | null): GroupDraft {
  if (c === null) return emptyGroup();
  const n = nodeOf(c);
  return n.kind === 'group' ? n : { ...emptyGroup(), children: [n] };
}

/** A text node back to form fields, when it can be one. */
export function formOf(text: string): NodeDraft | null {
  const r = parseDefinition(text);
  if (!r.ok) return null;
  const n = nodeOf(r.value);
  return n.kind === 'text' ? null : n;
}

/** The text of a leaf, for "edit as text". */
export function leafText(l: LeafDraft): string | null {
  try {
    return printDefinition(readLeaf(l));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Text

/**
 * The canonical text (printDefinition), with each part of a top-level and/or on its own line, which is easier to
 * read and edit. Line breaks are spaces in the language; the layout is kept only when it reads back as the same tree.
 */
export function definitionText(c: Condition): string {
  const flat = printDefinition(c);
  if (c.kind !== 'and' && c.kind !== 'or') return flat;
  const paren = (x: Condition): boolean => (c.kind === 'and' ? x.kind === 'and' || x.kind === 'or' : x.kind === 'or');
  const text = c.of.map((x) => (paren(x) ? `(${printDefinition(x)})` : printDefinition(x))).join(`\n${c.kind} `);
  const back = parseDefinition(text);
  return back.ok && deepEqual(back.value, c) ? text : flat;
}
