export * from './result.js';
export * from './assert-never.js';
export * from './ids.js';
export * from './clock.js';
export * from './rng.js';
export * from './errors.js';
export * from './logger.js';
