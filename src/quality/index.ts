export * from './normalise/index.js';
