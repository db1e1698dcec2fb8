import { err, ok, type Result } from '../../kernel/index.js';
import type { NelderMeadOptions } from '../numeric/nelder-mead.js';
import {
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdProbabilityAlive,
  bgNbdProbabilityOfPurchases,
  fitBgNbd,
  type BgNbdFit,
} from './bg-nbd.js';
import { fitGammaGamma, gammaGammaExpectedSpend, gammaGammaPopulationMeanSpend, type GammaGammaFit } from './gamma-gamma.js';
import { assignTiers, DEFAULT_TIERS, lifetimeValue, type LifetimeValueOptions, type Tier } from './lifetime-value.js';
import type { ClvProblem } from './problems.js';
import { DAYS_PER_UNIT, type RfmSummary } from './summary.js';

/**
 * Both models fitted on a summary, and what follows per customer (P(alive), expected purchases and spend, CLV, tier)
 * and for the whole base.
 */

export interface AnalysisOptions {
  /** The CLV horizon, its period and discount rate. */
  lifetime: LifetimeValueOptions;
  /** Length of the window of the purchase forecast, in the summary's unit (such as 52 weeks). */
  forecast: number;
  tiers?: readonly Tier[];
  optimiser?: NelderMeadOptions;
}

export interface SpendFit extends GammaGammaFit {
  /** Repeat customers left out of the fit because their mean repeat spend is not positive. */
  readonly excluded: number;
  /** Pearson correlation of x and mean spend over the customers fitted: the model assumes they are independent. */
  readonly frequencySpendCorrelation: number;
  /** Expected spend per purchase of a customer chosen at random, p gamma / (q - 1). */
  readonly populationMeanSpend: number;
}

export interface TierSummary {
  readonly name: string;
  readonly share: number;
  readonly customers: number;
  readonly minClv: number | null;
  readonly maxClv: number | null;
  /** Share of the total CLV held by the tier's customers. */
  readonly clvShare: number;
}

export interface ClvAnalysis {
  readonly bgNbd: BgNbdFit;
  readonly gammaGamma: SpendFit;
  /** Per customer, in the summary's order. */
  readonly perCustomer: {
    readonly probabilityAlive: Float64Array;
    /** Purchases expected over the forecast window. */
    readonly forecastPurchases: Float64Array;
    /** Purchases expected over the CLV horizon. */
    readonly horizonPurchases: Float64Array;
    /** Expected spend per purchase (Gamma-Gamma; the population mean for customers without usable spend). */
    readonly expectedSpend: Float64Array;
    readonly clv: Float64Array;
    /** Index into `tiers`. */
    readonly tier: Uint8Array;
  };
  readonly tiers: readonly TierSummary[];
  readonly figures: {
    readonly customers: number;
    readonly repeatCustomers: number;
    readonly meanProbabilityAlive: number;
    /** Sum over the customers of the purchases expected in the forecast window. */
    readonly forecastPurchases: number;
    /** A new customer over the forecast window: expected purchases and the chance of none. */
    readonly newCustomerExpectedPurchases: number;
    readonly newCustomerNoPurchase: number;
    readonly horizonPurchases: number;
    readonly totalClv: number;
    readonly meanClv: number;
    readonly medianClv: number;
  };
  /** Actual and expected purchase days after the calibration end, when the summary counted a holdout period. */
  readonly holdout: { readonly length: number; readonly actual: number; readonly expected: number } | null;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]! / n;
    mb += b[i]! / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

function median(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * ```ts
 * const a = analyse(summary, { lifetime: { periods: 12, periodLength: DAYS_PER_MONTH / 7, discountRate: 0.01 }, forecast: 52 });
 * if (a.ok) a.value.bgNbd.params; // { r, alpha, a, b }
 * ```
 */
export function analyse(s: RfmSummary, o: AnalysisOptions): Result<ClvAnalysis, ClvProblem> {
  const n = s.ids.length;
  if (n === 0) {
    return err({ code: 'clv.no_customers', message: 'no customer made a purchase on or before the calibration end' });
  }
  let repeat = 0;
  for (let i = 0; i < n; i++) if (s.x[i]! > 0) repeat++;
  if (repeat === 0) {
    return err({
      code: 'clv.no_repeat_customers',
      message: `none of the ${n} customers made a repeat purchase on another day before the calibration end: there is nothing to fit`,
    });
  }
  const bg = fitBgNbd(s, o.optimiser);

  const spendX: number[] = [];
  const spendM: number[] = [];
  for (let i = 0; i < n; i++) {
    if (s.x[i]! > 0 && s.monetary[i]! > 0) {
      spendX.push(s.x[i]!);
      spendM.push(s.monetary[i]!);
    }
  }
  if (spendX.length === 0) {
    return err({ code: 'clv.no_repeat_customers', message: `none of the ${repeat} repeat customers has a positive mean repeat spend: the spend model cannot be fitted` });
  }
  const gx = Float64Array.from(spendX);
  const gm = Float64Array.from(spendM);
  const gg = fitGammaGamma(gx, gm, o.optimiser);
  const populationMeanSpend = gammaGammaPopulationMeanSpend(gg.params);
  if (!Number.isFinite(populationMeanSpend)) {
    return err({
      code: 'clv.unbounded_spend',
      message: `the spend model's q is ${gg.params.q.toPrecision(4)} (at most 1): the expected spend per purchase is infinite`,
      q: gg.params.q,
    });
  }

  const p = bg.params;
  const probabilityAlive = new Float64Array(n);
  const forecastPurchases = new Float64Array(n);
  const horizonPurchases = new Float64Array(n);
  const expectedSpend = new Float64Array(n);
  const clv = new Float64Array(n);
  let holdoutExpected = 0;
  let holdoutActual = 0;
  const holdoutLength = s.holdout ? (s.holdout.end - s.calibrationEnd) / DAYS_PER_UNIT[s.unit] : 0;
  for (let i = 0; i < n; i++) {
    const x = s.x[i]!;
    const tx = s.tx[i]!;
    const T = s.T[i]!;
    probabilityAlive[i] = bgNbdProbabilityAlive(p, x, tx, T);
    forecastPurchases[i] = bgNbdConditionalExpectedPurchases(p, o.forecast, x, tx, T);
    expectedSpend[i] = x > 0 && s.monetary[i]! > 0 ? gammaGammaExpectedSpend(gg.params, x, s.monetary[i]!) : populationMeanSpend;
    const v = lifetimeValue(p, x, tx, T, expectedSpend[i]!, o.lifetime);
    clv[i] = v.value;
    horizonPurchases[i] = v.purchases;
    if (s.holdout) {
      holdoutActual += s.holdout.purchases[i]!;
      holdoutExpected += bgNbdConditionalExpectedPurchases(p, holdoutLength, x, tx, T);
    }
  }
  const tiers = o.tiers ?? DEFAULT_TIERS;
  const tier = assignTiers(clv, tiers);
  const sum = (v: Float64Array): number => v.reduce((t, y) => t + y, 0);
  const totalClv = sum(clv);
  const tierSummaries = tiers.map((t, k) => {
    let count = 0;
    let min = Infinity;
    let max = -Infinity;
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (tier[i] !== k) continue;
      count++;
      min = Math.min(min, clv[i]!);
      max = Math.max(max, clv[i]!);
      total += clv[i]!;
    }
    return {
      name: t.name,
      share: t.share,
      customers: count,
      minClv: count > 0 ? min : null,
      maxClv: count > 0 ? max : null,
      clvShare: totalClv !== 0 ? total / totalClv : 0,
    };
  });
  return ok({
    bgNbd: bg,
    gammaGamma: { ...gg, excluded: repeat - spendX.length, frequencySpendCorrelation: correlation(gx, gm), populationMeanSpend },
    perCustomer: { probabilityAlive, forecastPurchases, horizonPurchases, expectedSpend, clv, tier },
    tiers: tierSummaries,
    figures: {
      customers: n,
      repeatCustomers: repeat,
      meanProbabilityAlive: sum(probabilityAlive) / n,
      forecastPurchases: sum(forecastPurchases),
      newCustomerExpectedPurchases: bgNbdExpectedPurchases(p, o.forecast),
      newCustomerNoPurchase: bgNbdProbabilityOfPurchases(p, o.forecast, 0),
      horizonPurchases: sum(horizonPurchases),
      totalClv,
      meanClv: totalClv / n,
      medianClv: median(clv),
    },
    holdout: s.holdout ? { length: holdoutLength, actual: holdoutActual, expected: holdoutExpected } : null,
  });
}
