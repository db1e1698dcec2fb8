import { err, ok, type Result } from '../kernel/index.js';
import type { EventOperand } from './evaluate.js';
import { checkDefinition, type ComputedTraits } from './check.js';
import { parseDefinition } from './parse-text.js';

const ORDER = 'Order Completed';
const d = (value: number) => ({ kind: 'rolling' as const, duration: { value, unit: 'd' as const } });

/**
 * Built-in computed traits: named event aggregates, usable in definitions as `computed.NAME` and shown on profiles.
 * They expand into their aggregate before evaluation, so the live engine and the SQL compiler need nothing special.
 */
export const BUILT_IN_COMPUTED_TRAITS: ComputedTraits = new Map<string, EventOperand>([
  ['orders_30d', { kind: 'aggregate', fn: 'count', event: ORDER, window: d(30) }],
  ['orders_90d', { kind: 'aggregate', fn: 'count', event: ORDER, window: d(90) }],
  ['orders_total', { kind: 'aggregate', fn: 'count', event: ORDER }],
  ['revenue_total', { kind: 'aggregate', fn: 'sum', event: ORDER, property: ['revenue'] }],
  ['revenue_90d', { kind: 'aggregate', fn: 'sum', event: ORDER, property: ['revenue'], window: d(90) }],
  ['average_order_value', { kind: 'aggregate', fn: 'avg', event: ORDER, property: ['revenue'] }],
  ['last_order', { kind: 'occurrence', fn: 'last', event: ORDER }],
  ['first_order', { kind: 'occurrence', fn: 'first', event: ORDER }],
  ['first_seen', { kind: 'occurrence', fn: 'first' }],
  ['last_seen', { kind: 'occurrence', fn: 'last' }],
  ['page_views_30d', { kind: 'aggregate', fn: 'count', event: 'Page Viewed', window: d(30) }],
  ['product_views_30d', { kind: 'aggregate', fn: 'count', event: 'Product Viewed', window: d(30) }],
  ['email_opens_30d', { kind: 'aggregate', fn: 'count', event: 'Email Opened', window: d(30) }],
  ['email_clicks_30d', { kind: 'aggregate', fn: 'count', event: 'Email Link Clicked', window: d(30) }],
  ['categories_viewed_30d', { kind: 'aggregate', fn: 'distinct', event: 'Product Viewed', property: ['category'], window: d(30) }],
]);

/** A computed trait shown on profiles only: the most frequent value of a property (ties: the smallest value). */
export interface MostFrequentTrait {
  name: string;
  event: string;
  property: string[];
  withinDays?: number | undefined;
}

export const BUILT_IN_MOST_FREQUENT: readonly MostFrequentTrait[] = [
  { name: 'favourite_category_90d', event: 'Product Viewed', property: ['category'], withinDays: 90 },
];

export type ComputedTraitSpec =
  | { name: string; definition: string }
  | { name: string; mostFrequent: { event: string; property: string; withinDays?: number | undefined } };

/**
 * The built-in computed traits plus a deployment's own (configuration `computedTraits`). A definition is the text
 * of one aggregate or first/last operand (`count(event = "Order Completed", within = 7d)`); errors name the trait.
 */
export function computedTraitsFrom(specs: readonly ComputedTraitSpec[]): Result<{ computed: ComputedTraits; mostFrequent: MostFrequentTrait[] }, string> {
  const computed = new Map(BUILT_IN_COMPUTED_TRAITS);
  const mostFrequent = [...BUILT_IN_MOST_FREQUENT];
  for (const spec of specs) {
    if (computed.has(spec.name) || mostFrequent.some((m) => m.name === spec.name)) return err(`computed trait ${spec.name} is defined twice (or is built in).`);
    if ('mostFrequent' in spec) {
      mostFrequent.push({ name: spec.name, event: spec.mostFrequent.event, property: spec.mostFrequent.property.split('.'), withinDays: spec.mostFrequent.withinDays });
      continue;
    }
    // An operand is read as the left side of a test, then taken back out.
    const parsed = parseDefinition(`${spec.definition} exists`);
    if (!parsed.ok) return err(`computed trait ${spec.name}: ${parsed.error.message} (${parsed.error.hint})`);
    const c = parsed.value;
    if (c.kind !== 'exists' || (c.left.kind !== 'aggregate' && c.left.kind !== 'occurrence')) {
      return err(`computed trait ${spec.name}: write one count/sum/avg/min/max/distinct(...) or first/last(...).`);
    }
    const issues = checkDefinition(c, computed);
    if (issues.length > 0) return err(`computed trait ${spec.name}: ${issues.map((i) => i.message).join(' ')}`);
    computed.set(spec.name, c.left);
  }
  return ok({ computed, mostFrequent });
}
