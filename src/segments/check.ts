import { forEachNode, isDateValue, type Condition, type Operand, type Value } from './ast.js';
import type { EventOperand } from './evaluate.js';
import { heldTraitKey } from './evaluate.js';

/**
 * Checks that go beyond the schema: where each operand may appear, which literals each operand can be compared with,
 * and references to computed traits. Every problem is reported (not only the first), with where it is in the tree.
 */
export interface DefinitionIssue {
  /** Where in the definition, as a path through the tree (`of[1].left`). */
  path: string;
  message: string;
}

/** Named computed traits, expanded into their event aggregate before anything evaluates a definition. */
export type ComputedTraits = ReadonlyMap<string, EventOperand>;

export function checkDefinition(c: Condition, computed: ComputedTraits): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  walk(c, '', false, computed, issues);
  return issues;
}

function litType(v: Value): 'string' | 'number' | 'boolean' | 'date' {
  if (isDateValue(v)) return 'date';
  return typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'boolean';
}

function describe(o: Operand): string {
  switch (o.kind) {
    case 'aggregate':
      return `${o.fn}(...)`;
    case 'occurrence':
      return `${o.fn}(...)`;
    case 'score':
      return `score.${o.name}`;
    case 'rfm':
      return `rfm.${o.field}`;
    default:
      return o.kind;
  }
}

function walk(c: Condition, at: string, inFilter: boolean, computed: ComputedTraits, issues: DefinitionIssue[]): void {
  const add = (path: string, message: string) => issues.push({ path: path || '(root)', message });
  const sub = (p: string) => (at ? `${at}.${p}` : p);
  switch (c.kind) {
    case 'and':
    case 'or':
      c.of.forEach((x, i) => walk(x, sub(`of[${i}]`), inFilter, computed, issues));
      return;
    case 'not':
      walk(c.of, sub('of'), inFilter, computed, issues);
      return;
    case 'for':
      if (inFilter) add(at, '`for` cannot be used in an event filter.');
      else if (heldTraitKey(c.of) === null) add(at, '`for` applies to one condition on a trait, e.g. trait.plan = "premium" for 30d.');
      walk(c.of, sub('of'), inFilter, computed, issues);
      return;
    case 'in_segment':
    case 'random_bucket':
      if (inFilter) add(at, `${c.kind} cannot be used in an event filter.`);
      return;
    default:
      break;
  }
  const left = c.left;
  const here = sub('left');
  if (inFilter && left.kind !== 'property') {
    add(here, `An event filter compares event properties (where category = "shoes"), not ${describe(left)}.`);
    return;
  }
  if (!inFilter && left.kind === 'property') {
    add(here, 'A bare property name only makes sense in an event filter; for a profile trait write trait.<name>.');
    return;
  }
  let kind = left.kind;
  let ev: EventOperand | null = left.kind === 'aggregate' || left.kind === 'occurrence' ? left : null;
  if (left.kind === 'computed') {
    const def = computed.get(left.name);
    if (def === undefined) {
      add(here, `Unknown computed trait "${left.name}"; known: ${[...computed.keys()].join(', ') || 'none'}.`);
      return;
    }
    ev = def;
    kind = def.kind;
  }
  if (ev !== null) {
    if (ev.kind === 'aggregate') {
      if (ev.fn === 'count' && ev.property !== undefined) add(here, 'count(...) counts events and takes no property.');
      if (ev.fn !== 'count' && ev.property === undefined) add(here, `${ev.fn}(...) needs property = "<name>".`);
    }
    if (ev.where !== undefined) walk(ev.where, `${here}.where`, true, computed, issues);
  }
  // Which literal types each operand can ever match: a comparison that can never be true is a mistake worth reporting.
  const accepts: ReadonlySet<string> =
    kind === 'aggregate' || kind === 'score' || (kind === 'rfm' && left.kind === 'rfm' && left.field !== 'segment')
      ? new Set(['number'])
      : kind === 'occurrence'
        ? new Set(['date'])
        : kind === 'rfm'
          ? new Set(['string'])
          : new Set(['string', 'number', 'boolean', 'date']);
  const values = c.kind === 'compare' ? [c.value] : c.kind === 'between' ? [c.low, c.high] : c.kind === 'in' ? c.values : [];
  for (const v of values) {
    if (!accepts.has(litType(v))) {
      add(sub(c.kind === 'compare' ? 'value' : 'values'), `${describe(left)} is compared with a ${litType(v)}; it takes a ${[...accepts].join(' or ')}.`);
    }
  }
  if (c.kind === 'compare' && (c.op === 'contains' || c.op === 'starts_with') && typeof c.value !== 'string') {
    add(sub('value'), `${c.op} takes a string.`);
  }
  if (c.kind === 'within') {
    if (inFilter) add(at, '`within` cannot be used in an event filter: filters do not depend on the time.');
    else if (kind !== 'trait' && kind !== 'occurrence') add(at, '`within` applies to first(...), last(...) or a trait holding a date.');
  }
}

/** Replaces `computed.NAME` operands by their definitions, so evaluators and the SQL compiler never see them. */
export function expandComputed(c: Condition, computed: ComputedTraits): Condition {
  const op = (o: Operand): Operand => {
    if (o.kind === 'computed') {
      const d = computed.get(o.name);
      return d ?? o;
    }
    return o;
  };
  switch (c.kind) {
    case 'and':
    case 'or':
      return { ...c, of: c.of.map((x) => expandComputed(x, computed)) };
    case 'not':
    case 'for':
      return { ...c, of: expandComputed(c.of, computed) };
    case 'in_segment':
    case 'random_bucket':
      return c;
    default:
      return { ...c, left: op(c.left) };
  }
}

/** What a definition reads: which segments it refers to, and the event operands it aggregates. */
export interface Dependencies {
  segments: Set<string>;
  events: EventOperand[];
  traitKeys: Set<string>;
  scores: boolean;
  /** Whether the passing of time alone can change the result. */
  timed: boolean;
}

export function dependenciesOf(c: Condition): Dependencies {
  const d: Dependencies = { segments: new Set(), events: [], traitKeys: new Set(), scores: false, timed: false };
  forEachNode(c, (x) => {
    if (x.kind === 'for' || x.kind === 'within') d.timed = true;
    if (x.kind === 'in_segment') d.segments.add(x.segment);
    if (!('left' in x)) return;
    const o = x.left;
    if (o.kind === 'trait') {
      d.traitKeys.add(o.path[0] as string);
    } else if (o.kind === 'score' || o.kind === 'rfm') {
      d.scores = true;
    } else if (o.kind === 'aggregate' || o.kind === 'occurrence') {
      d.events.push(o);
      if (o.window?.kind === 'rolling') d.timed = true;
    }
  });
  return d;
}
