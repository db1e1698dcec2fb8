import type { EventOperand } from './evaluate.js';
import type { ComputedTraits } from './check.js';

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
