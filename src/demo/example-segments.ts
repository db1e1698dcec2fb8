/**
 * The demo's example segments, taken from the seed documents' use cases: what a French e-commerce marketing team
 * asks for first. Loaded with the demo data (`segmentum demo`, first `npm start`); each is an ordinary segment.
 */
export const EXAMPLE_SEGMENTS: readonly { name: string; description: string; definition: string }[] = [
  {
    name: 'active-buyers',
    description: 'Bought at least twice in the last 90 days.',
    definition: 'count(event = "Order Completed", within = 90d) >= 2',
  },
  {
    name: 'cart-abandoners-48h',
    description: 'Added to cart in the last 48 hours without ordering since: the relaunch email audience.',
    definition: 'count(event = "Product Added", within = 48h) >= 1 and not count(event = "Order Completed", within = 48h) >= 1',
  },
  {
    name: 'idf-recent-buyers',
    description: 'Customers in Île-de-France who ordered in the last 30 days.',
    definition: 'trait.region = "Île-de-France" and count(event = "Order Completed", within = 30d) >= 1',
  },
  {
    name: 'engaged-email-readers',
    description: 'Opened at least three emails and clicked one in the last 30 days.',
    definition: 'count(event = "Email Opened", within = 30d) >= 3 and count(event = "Email Link Clicked", within = 30d) >= 1',
  },
  {
    name: 'highly-engaged',
    description: 'Engagement score in the high tier (above 50 points).',
    definition: 'score.engagement > 50',
  },
  {
    name: 'at-risk-customers',
    description: 'Ordered at least twice, but not in the last 90 days.',
    definition: 'count(event = "Order Completed") >= 2 and not last(event = "Order Completed") within 90d',
  },
  {
    name: 'big-spenders',
    description: 'More than 500 EUR of orders over the last year.',
    definition: 'sum(event = "Order Completed", property = "revenue", within = 365d) > 500',
  },
  {
    name: 'rfm-champions-loyal',
    description: 'RFM champions and loyal customers.',
    definition: 'rfm.segment in ("champions", "loyal")',
  },
  {
    name: 'shoe-browsers',
    description: 'Looked at shoes three times or more in the last 30 days.',
    definition: 'count(event = "Product Viewed" where category = "chaussures", within = 30d) >= 3',
  },
  {
    name: 'new-customers',
    description: 'Signed up in the last 30 days.',
    definition: 'trait.signup_date within 30d',
  },
  {
    name: 'lapsed-newsletter-readers',
    description: 'Used to open emails, none opened in the last 60 days.',
    definition: 'count(event = "Email Opened") >= 1 and not last(event = "Email Opened") within 60d',
  },
  {
    name: 'premium-young-adults',
    description: 'Premium plan for 30 days or more, aged 25 to 34.',
    definition: 'trait.plan = "premium" for 30d and trait.age between 25 and 34',
  },
  {
    name: 'big-spenders-not-engaged',
    description: 'Big spenders whose engagement is not high: a reactivation audience.',
    definition: 'in_segment("big-spenders") and not in_segment("highly-engaged")',
  },
  {
    name: 'holdout-10',
    description: 'A fixed 10 % of profiles kept out of campaigns, to measure their effect.',
    definition: 'random_bucket(10%, seed = "demo-holdout")',
  },
];
