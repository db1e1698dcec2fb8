import type { BuilderKey } from './messages.js';

/** One-click starting points on an empty builder: the questions a marketing team asks first (see src/demo). */
export const STARTERS: readonly { label: BuilderKey; text: string }[] = [
  { label: 'starterBought30', text: 'count(event = "Order Completed", within = 30d) >= 1' },
  { label: 'starterCart', text: 'count(event = "Product Added", within = 48h) >= 1 and not count(event = "Order Completed", within = 48h) >= 1' },
  { label: 'starterBigSpenders', text: 'sum(event = "Order Completed", property = "revenue", within = 365d) > 500' },
  { label: 'starterLapsed', text: 'count(event = "Order Completed") >= 1 and not last(event = "Order Completed") within 90d' },
  { label: 'starterEmail', text: 'count(event = "Email Opened", within = 30d) >= 3' },
  { label: 'starterRegion', text: 'trait.region = "Île-de-France"' },
  { label: 'starterHoldout', text: 'random_bucket(10%)' },
];

/** Suggestions for the datalists; the demo's events are there even before the overview answers. */
export const KNOWN_EVENTS = ['Order Completed', 'Product Viewed', 'Product Added', 'Checkout Started', 'Email Opened', 'Email Link Clicked', 'Page Viewed', 'Signed Up'];
export const KNOWN_TRAITS = [
  'region',
  'city',
  'postal_code',
  'age',
  'gender',
  'plan',
  'loyalty_tier',
  'signup_date',
  'acquisition_channel',
  'newsletter_opt_in',
  'email',
  'phone',
  'firstName',
  'lastName',
  'address.city',
  'company.name',
];
export const KNOWN_PROPERTIES = ['revenue', 'total', 'subtotal', 'shipping', 'tax', 'discount', 'coupon', 'currency', 'category', 'brand', 'price', 'product_id', 'sku', 'order_id', 'payment_method'];
export const COMPUTED_TRAITS = [
  'orders_30d',
  'orders_90d',
  'orders_total',
  'revenue_total',
  'revenue_90d',
  'average_order_value',
  'first_order',
  'last_order',
  'first_seen',
  'last_seen',
  'page_views_30d',
  'product_views_30d',
  'email_opens_30d',
  'email_clicks_30d',
  'categories_viewed_30d',
];
export const RFM_SEGMENTS = ['champions', 'loyal', 'potential_loyalist', 'new', 'promising', 'need_attention', 'about_to_sleep', 'at_risk', 'cant_lose', 'hibernating', 'lost'];
