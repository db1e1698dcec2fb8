/**
 * The demo audience: a deterministic French e-commerce population (customers, anonymous visitors, business
 * accounts, email engagement and a little dirty data) as Segment messages, for `serve --demo`, tests and benchmarks.
 */
export { generateDemo, estimateDemoMessages } from './generate.js';
export type { DemoOptions, DemoMessage } from './generate.js';
export { EXAMPLE_SEGMENTS } from './example-segments.js';
