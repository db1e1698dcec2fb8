import { AGGREGATE_FNS, RFM_FIELDS, type AggregateFn, type CompareOp, type DurationUnit, type RfmField } from '../../../../src/segments/ast.js';

/**
 * The visual editor's model. The AST cannot hold what a person has half-typed (an empty group, a value field that
 * reads "1e", a trait with no name yet), so the editor edits this draft tree of strings and converts it to an AST
 * whenever it is complete (convert.ts). Every node the draft cannot represent exactly stays a small text node, so that
 * any valid definition can be shown: a node is only turned into form fields when converting it back gives the very
 * same tree.
 */

export type Op = CompareOp | 'in' | 'between' | 'exists' | 'within';
export type ValueType = 'string' | 'number' | 'boolean' | 'date';
export type Subject = 'trait' | 'aggregate' | 'occurrence' | 'score' | 'rfm' | 'computed' | 'segment' | 'bucket';
export type WindowKind = 'none' | 'rolling' | 'absolute';

export const SUBJECTS: readonly Subject[] = ['trait', 'aggregate', 'occurrence', 'score', 'rfm', 'computed', 'segment', 'bucket'];
export const UNITS: readonly DurationUnit[] = ['s', 'm', 'h', 'd', 'w'];
export const VALUE_TYPES: readonly ValueType[] = ['string', 'number', 'boolean', 'date'];
export const WINDOW_KINDS: readonly WindowKind[] = ['none', 'rolling', 'absolute'];
export const OCCURRENCE_FNS = ['first', 'last'] as const;
export const JUNCTIONS = ['and', 'or'] as const;

/** The option of a select that `value` names (a select only offers these, so the fallback is never used in practice). */
export const oneOf = <T extends string>(options: readonly T[], value: string, fallback: T): T => options.find((o) => o === value) ?? fallback;
export { AGGREGATE_FNS, RFM_FIELDS };

export interface DurDraft {
  value: string;
  unit: DurationUnit;
}

/** The right-hand side of a comparison: `values` holds one text for a comparison, two for between, n for in. */
export interface TestDraft {
  op: Op;
  type: ValueType;
  values: string[];
  duration: DurDraft;
}

export interface FilterDraft {
  id: string;
  path: string;
  test: TestDraft;
}

export type WhereDraft = { mode: 'rows'; rows: FilterDraft[] } | { mode: 'text'; text: string };

export interface WindowDraft {
  kind: WindowKind;
  duration: DurDraft;
  from: string;
  to: string;
}

export interface LeafDraft {
  id: string;
  kind: 'leaf';
  negated: boolean;
  subject: Subject;
  /** Trait path, dotted (`address.city`). */
  key: string;
  computed: string;
  fn: AggregateFn;
  occ: 'first' | 'last';
  /** Empty: any event. */
  event: string;
  property: string;
  where: WhereDraft;
  window: WindowDraft;
  rfm: RfmField;
  segment: string;
  percent: string;
  seed: string;
  test: TestDraft;
  /** `P for 30d` (trait conditions only). */
  held: DurDraft | null;
}

export interface GroupDraft {
  id: string;
  kind: 'group';
  op: 'and' | 'or';
  negated: boolean;
  children: NodeDraft[];
}

/** A node kept in the text form (negation included in its text). */
export interface TextDraft {
  id: string;
  kind: 'text';
  text: string;
}

export type NodeDraft = GroupDraft | LeafDraft | TextDraft;

let counter = 0;
export const newId = (): string => `n${++counter}`;

export const dur = (value = '30', unit: DurationUnit = 'd'): DurDraft => ({ value, unit });

export const emptyGroup = (op: 'and' | 'or' = 'and'): GroupDraft => ({ id: newId(), kind: 'group', op, negated: false, children: [] });

export function newLeaf(): LeafDraft {
  return {
    id: newId(),
    kind: 'leaf',
    negated: false,
    subject: 'trait',
    key: '',
    computed: '',
    fn: 'count',
    occ: 'last',
    event: '',
    property: '',
    where: { mode: 'rows', rows: [] },
    window: { kind: 'none', duration: dur(), from: '', to: '' },
    rfm: 'segment',
    segment: '',
    percent: '10',
    seed: '',
    test: { op: '=', type: 'string', values: [''], duration: dur() },
    held: null,
  };
}

export const newFilter = (): FilterDraft => ({ id: newId(), path: '', test: { op: '=', type: 'string', values: [''], duration: dur() } });

// ---------------------------------------------------------------------------------------------------------------
// What each kind of condition accepts

const ANY_OPS: readonly Op[] = ['=', '!=', '<', '<=', '>', '>=', 'contains', 'starts_with', 'in', 'between', 'exists', 'within'];
const FILTER_OPS: readonly Op[] = ['=', '!=', '<', '<=', '>', '>=', 'contains', 'starts_with', 'in', 'between', 'exists'];
const NUMBER_OPS: readonly Op[] = ['>=', '>', '=', '!=', '<=', '<', 'between', 'in', 'exists'];
const STRING_OPS: readonly Op[] = ['=', '!=', 'in', 'contains', 'starts_with', 'exists'];
const TIME_OPS: readonly Op[] = ['within', '<', '>', '<=', '>=', 'between', '=', '!=', 'exists'];

/** The value type the operand imposes, or null when the user picks it (traits, properties). */
export function fixedType(l: LeafDraft): ValueType | null {
  switch (l.subject) {
    case 'aggregate':
    case 'score':
      return 'number';
    case 'rfm':
      return l.rfm === 'segment' ? 'string' : 'number';
    case 'occurrence':
      return 'date';
    default:
      return null;
  }
}

export function opsFor(l: LeafDraft | 'filter'): readonly Op[] {
  if (l === 'filter') return FILTER_OPS;
  switch (l.subject) {
    case 'aggregate':
    case 'score':
      return NUMBER_OPS;
    case 'rfm':
      return l.rfm === 'segment' ? STRING_OPS : NUMBER_OPS;
    case 'occurrence':
      return TIME_OPS;
    case 'trait':
    case 'computed':
      return ANY_OPS;
    default:
      return [];
  }
}

/** How many value fields an operator takes (null: a list). */
export function valueCount(op: Op): number | null {
  if (op === 'exists' || op === 'within') return 0;
  if (op === 'between') return 2;
  if (op === 'in') return null;
  return 1;
}

/** Keeps the values that still make sense when the operator changes. */
export function withOp(t: TestDraft, op: Op): TestDraft {
  const n = valueCount(op);
  const first = t.values[0] ?? '';
  let values = t.values;
  if (n === 1) values = [first];
  else if (n === 2) values = [first, t.values[1] ?? ''];
  else if (n === null) values = t.values.length > 0 ? t.values : [''];
  const type = (op === 'contains' || op === 'starts_with') && t.type !== 'string' ? 'string' : t.type;
  return { ...t, op, type, values };
}

/** A leaf switched to another kind of condition, with defaults that make it complete where possible. */
export function withSubject(l: LeafDraft, subject: Subject): LeafDraft {
  const base: LeafDraft = { ...l, subject, held: subject === 'trait' ? l.held : null };
  const test = (op: Op, type: ValueType, values: string[]): TestDraft => ({ op, type, values, duration: l.test.duration });
  switch (subject) {
    case 'trait':
      return { ...base, test: test('=', 'string', ['']) };
    case 'aggregate':
      return { ...base, test: test('>=', 'number', ['1']) };
    case 'occurrence':
      return { ...base, test: test('within', 'date', []) };
    case 'score':
      return { ...base, test: test('>=', 'number', ['50']) };
    case 'rfm':
      return { ...base, rfm: 'segment', test: test('in', 'string', ['champions', 'loyal']) };
    case 'computed':
      return { ...base, computed: l.computed || 'orders_30d', test: test('>=', 'number', ['1']) };
    case 'segment':
    case 'bucket':
      return base;
  }
}

export function withRfmField(l: LeafDraft, field: RfmField): LeafDraft {
  if ((field === 'segment') === (l.rfm === 'segment')) return { ...l, rfm: field };
  return field === 'segment'
    ? { ...l, rfm: field, test: { ...l.test, op: '=', type: 'string', values: ['champions'] } }
    : { ...l, rfm: field, test: { ...l.test, op: '>=', type: 'number', values: ['4'] } };
}

// ---------------------------------------------------------------------------------------------------------------
// Tree edits (immutable; ids are kept so that focus stays where it is)

export function mapNode(root: GroupDraft, id: string, fn: (n: NodeDraft) => NodeDraft): GroupDraft {
  const walk = (n: NodeDraft): NodeDraft => {
    if (n.id === id) return fn(n);
    if (n.kind !== 'group') return n;
    let changed = false;
    const children = n.children.map((c) => {
      const x = walk(c);
      if (x !== c) changed = true;
      return x;
    });
    return changed ? { ...n, children } : n;
  };
  const out = walk(root);
  return out.kind === 'group' ? out : root;
}

/** mapNode for a group (other nodes with that id are left alone). */
export function mapGroup(root: GroupDraft, id: string, fn: (g: GroupDraft) => GroupDraft): GroupDraft {
  return mapNode(root, id, (n) => (n.kind === 'group' ? fn(n) : n));
}

export function parentOf(root: GroupDraft, id: string): GroupDraft | null {
  for (const c of root.children) {
    if (c.id === id) return root;
    if (c.kind === 'group') {
      const p = parentOf(c, id);
      if (p) return p;
    }
  }
  return null;
}

export function removeNode(root: GroupDraft, id: string): GroupDraft {
  const parent = parentOf(root, id);
  if (!parent) return root;
  return mapGroup(root, parent.id, (g) => ({ ...g, children: g.children.filter((c) => c.id !== id) }));
}

export function moveNode(root: GroupDraft, id: string, delta: -1 | 1): GroupDraft {
  const parent = parentOf(root, id);
  if (!parent) return root;
  const i = parent.children.findIndex((c) => c.id === id);
  const j = i + delta;
  if (j < 0 || j >= parent.children.length) return root;
  return mapGroup(root, parent.id, (g) => {
    const children = [...g.children];
    [children[i], children[j]] = [children[j]!, children[i]!];
    return { ...g, children };
  });
}

export function addChild(root: GroupDraft, groupId: string, child: NodeDraft): GroupDraft {
  return mapGroup(root, groupId, (g) => ({ ...g, children: [...g.children, child] }));
}

/** Numbers shown to the user and used in labels: conditions (leaves and text) and groups, in reading order. */
export function numbering(root: GroupDraft): Map<string, number> {
  const out = new Map<string, number>();
  let conditions = 0;
  let groups = 0;
  const walk = (n: NodeDraft) => {
    if (n.kind === 'group') {
      out.set(n.id, ++groups);
      n.children.forEach(walk);
    } else {
      out.set(n.id, ++conditions);
    }
  };
  walk(root);
  return out;
}
