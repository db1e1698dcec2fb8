/**
 * Customer lifetime value from a transaction log: the per-customer summary (frequency, recency, age, mean spend), the
 * BG/NBD model of purchases and P(alive), the Gamma-Gamma model of spend, discounted CLV and CLV tiers. Pure
 * functions on numbers; docs/clv.md is the user guide.
 *
 * ```ts
 * const log = parseCdnowLog(text);
 * if (log.ok) {
 *   const summary = summarise(log.value, { calibrationEnd: parseDay('1997-09-30', 'auto')!, unit: 'week' });
 *   const fit = fitBgNbd(summary); // fit.params: { r, alpha, a, b }
 * }
 * ```
 */
export {
  parseCdnowLog,
  transactionsFromRows,
  parseDay,
  formatDay,
  TransactionLogBuilder,
  DATE_FORMATS,
  type DateFormat,
  type TransactionLog,
  type TransactionColumns,
  type CsvRow,
} from './transactions.js';
export { summarise, DAYS_PER_UNIT, type RfmSummary, type SummaryOptions, type TimeUnit } from './summary.js';
export {
  bgNbdLogLikelihood,
  bgNbdTotalLogLikelihood,
  fitBgNbd,
  bgNbdExpectedPurchases,
  bgNbdConditionalExpectedPurchases,
  bgNbdProbabilityAlive,
  bgNbdProbabilityOfPurchases,
  type BgNbdParams,
  type BgNbdFit,
  type FitReport,
  type RecencyFrequency,
} from './bg-nbd.js';
export {
  gammaGammaLogLikelihood,
  fitGammaGamma,
  gammaGammaExpectedSpend,
  gammaGammaPopulationMeanSpend,
  type GammaGammaParams,
  type GammaGammaFit,
} from './gamma-gamma.js';
export {
  lifetimeValue,
  assignTiers,
  parseTiers,
  DEFAULT_TIERS,
  DAYS_PER_MONTH,
  type LifetimeValue,
  type LifetimeValueOptions,
  type Tier,
} from './lifetime-value.js';
export { analyse, type AnalysisOptions, type ClvAnalysis, type SpendFit, type TierSummary } from './analyse.js';
export type { ClvProblem } from './problems.js';
