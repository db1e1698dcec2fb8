export * from './normalise/index.js';
export * from './rules/index.js';
