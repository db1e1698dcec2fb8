export * from './normalise/index.js';
export * from './rules/index.js';
export * from './matching/index.js';
export * from './report/index.js';
