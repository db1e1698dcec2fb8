/** The definitions the segment language was specified with (the list; docs/segments.md, "Examples"). */
export const SPEC_EXAMPLES = [
  'trait.country = "FR" and count(event = "Order Completed", within = 30d) >= 2',
  'count(event = "Page Viewed", within = 7d) >= 3 and count(event = "Order Completed", within = 30d) >= 1 and count(event = "Product Viewed" where category = "shoes", within = 30d) >= 1',
  'sum(event = "Order Completed", property = "revenue", within = 90d) > 500 or in_segment("vip")',
  'not in_segment("churned") and trait.age between 25 and 34 and trait.region = "Île-de-France"',
  'last(event = "Email Opened") within 48h',
  'first(event = "Order Completed") before 2026-01-01 and trait.email exists',
  'score.engagement >= 50 and rfm.segment in ("champions", "loyal")',
  'trait.signup_date within 30d and not count(event = "Order Completed") >= 1',
  'random_bucket(10%)',
] as const;

/** The examples of docs/segments.md: the specification's, then three more (held for a while, not performed, dates). */
export const DOC_EXAMPLES = [
  ...SPEC_EXAMPLES,
  'trait.plan = "premium" for 30d',
  'not last(event = "Order Completed") within 90d',
  'distinct(event = "Product Viewed", property = "category", from = 2026-01-01, to = 2026-02-01) >= 3',
] as const;
