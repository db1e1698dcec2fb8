export { generateDemo, estimateDemoMessages } from './generate.js';
export type { DemoOptions, DemoMessage } from './generate.js';
