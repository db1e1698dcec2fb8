/**
 * Pure numeric code: no I/O, no clock. Depends on kernel only.
 *
 * - `clv/`: customer lifetime value (BG/NBD, Gamma-Gamma, discounted CLV, tiers); see docs/clv.md.
 * - `numeric/`: special functions (log-gamma, 2F1) and a Nelder-Mead optimiser.
 *
 * ```ts
 * import { fitBgNbd, summarise } from '../analytics/index.js';
 * ```
 */
export * from './clv/index.js';
export { logGamma, logAddExp, hyp2f1, type SeriesValue } from './numeric/special.js';
export { nelderMead, numericGradient, type Minimum, type NelderMeadOptions } from './numeric/nelder-mead.js';
export * from './cluster/index.js';
export * from './features/index.js';
export * from './personas/index.js';
export * from './model/index.js';
