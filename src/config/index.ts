export * from './config.js';
export { loadConfig } from './load-config.js';
