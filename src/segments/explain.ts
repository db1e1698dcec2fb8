import type { Condition } from './ast.js';
import { evaluate, operandValue, type Facts } from './evaluate.js';
import { printDefinition } from './print-text.js';

/** One condition of a definition with its truth for a profile, and the value its operand had. */
export interface ExplainNode {
  condition: string;
  result: boolean;
  /** The operand's value: a trait, a count, a time (ISO), a bucket; absent for and/or/not. */
  value?: unknown;
  children?: ExplainNode[];
}

/** Explains "why is this profile in (or out)?": every node evaluated with the same facts the engine used. */
export function explain(c: Condition, f: Facts): ExplainNode {
  const node: ExplainNode = { condition: printDefinition(c), result: evaluate(c, f) };
  switch (c.kind) {
    case 'and':
    case 'or':
      node.children = c.of.map((x) => explain(x, f));
      return node;
    case 'not':
    case 'for':
      node.children = [explain(c.of, f)];
      return node;
    case 'in_segment':
    case 'random_bucket':
      return node;
    default: {
      const v = operandValue(c.left, f);
      node.value = v.type === 'time' && v.value !== null ? new Date(v.value).toISOString() : (v.value ?? null);
      return node;
    }
  }
}
