import type { Condition } from './ast.js';
import { evaluate, operandValue, type Facts } from './evaluate.js';
import { printDefinition } from './print-text.js';

/** One condition of a definition with its truth for a profile, and the value its operand had. */
export interface ExplainNode {
  kind: Condition['kind'];
  condition: string;
  result: boolean;
  /** The operand's value: a trait, a count, a time (ISO), a bucket; absent for and/or/not. */
  value?: unknown;
  children?: ExplainNode[];
}

/** Shown instead of a personal trait's value: explanations say whether it matched, never what it is. */
export const PERSONAL_VALUE = '(personal data)';

/**
 * Explains "why is this profile in (or out)?": every node evaluated with the same facts the engine used. Values of
 * personal traits (the PII vault) are not shown.
 */
export function explain(c: Condition, f: Facts, isPii: (key: string) => boolean = () => false): ExplainNode {
  const node: ExplainNode = { kind: c.kind, condition: printDefinition(c), result: evaluate(c, f) };
  switch (c.kind) {
    case 'and':
    case 'or':
      node.children = c.of.map((x) => explain(x, f, isPii));
      return node;
    case 'not':
    case 'for':
      node.children = [explain(c.of, f, isPii)];
      return node;
    case 'in_segment':
    case 'random_bucket':
      return node;
    default: {
      const v = operandValue(c.left, f);
      if (c.left.kind === 'trait' && isPii(c.left.path[0] as string) && v.value !== undefined && v.value !== null) node.value = PERSONAL_VALUE;
      else node.value = v.type === 'time' && v.value !== null ? new Date(v.value).toISOString() : (v.value ?? null);
      return node;
    }
  }
}
