import { logGamma } from '../numeric/special.js';
import { nelderMead, numericGradient, type NelderMeadOptions } from '../numeric/nelder-mead.js';
import type { FitReport } from './bg-nbd.js';

/**
 * Parameters are searched as logs within ±15 (3e-7 to 3e6), gamma relative to the mean spend so that the currency does
 * not matter: beyond, the fit is running away to a limit of the model, such as q and gamma infinite when every
 * customer has the same mean spend.
 */
const LOG_BOUND = 15;

/**
 * The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for
 * customer base analysis", Journal of Marketing Research 42(4); Hardie's note 025, "The Gamma-Gamma model of monetary
 * value"). A customer's transaction values are Gamma(p, ν) around the customer's own mean p / ν, and ν ~ Gamma(q,
 * gamma) across customers. It assumes spend is independent of purchase frequency, and is fitted on customers with at
 * least one repeat transaction and a positive mean spend.
 */

export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
}

/**
 * ln f(m_x | p, q, gamma, x): the log-density of a customer's mean spend m_x over x transactions (as `lifetimes`
 * writes it, with the x^(px) of the change of variable from the sum to the mean).
 *
 * ```ts
 * gammaGammaLogLikelihood({ p: 6.25, q: 3.74, gamma: 15.44 }, 2, 22.35);
 * ```
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, x: number, m: number): number {
  const { p, q, gamma } = params;
  const px = p * x;
  return (
    logGamma(px + q) - logGamma(px) - logGamma(q) + q * Math.log(gamma) + (px - 1) * Math.log(m) + px * Math.log(x) - (px + q) * Math.log(gamma + x * m)
  );
}

export interface GammaGammaFit extends FitReport {
  readonly params: GammaGammaParams;
}

/**
 * Maximum-likelihood fit of p, q, gamma on the customers given (each with x > 0 and m > 0), on the logs of p, q and
 * gamma / (mean spend) with Nelder-Mead and restarts, from p = q = 1 and gamma = the mean spend.
 *
 * ```ts
 * const fit = fitGammaGamma(x, m); // on CDNOW's 946 repeat customers: p 6.25, q 3.74, gamma 15.44
 * ```
 */
export function fitGammaGamma(x: Float64Array, m: Float64Array, options: NelderMeadOptions = {}): GammaGammaFit {
  const n = x.length;
  // Terms that depend on x alone are computed once per distinct x.
  const distinct = [...new Set(x)];
  const slot = new Map(distinct.map((v, i) => [v, i]));
  const which = Int32Array.from(x, (v) => slot.get(v)!);
  const logM = Float64Array.from(m, Math.log);
  const logX = Float64Array.from(x, Math.log);
  const perX = new Float64Array(distinct.length);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += m[i]! / n;
  const scale = mean > 0 ? mean : 1;
  const ll = (v: Float64Array): number => {
    const p = Math.exp(v[0]!);
    const q = Math.exp(v[1]!);
    const gamma = scale * Math.exp(v[2]!);
    const base = -logGamma(q) + q * Math.log(gamma);
    for (let k = 0; k < distinct.length; k++) perX[k] = logGamma(p * distinct[k]! + q) - logGamma(p * distinct[k]!) + base;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const px = p * x[i]!;
      total += perX[which[i]!]! + (px - 1) * logM[i]! + px * logX[i]! - (px + q) * Math.log(gamma + x[i]! * m[i]!);
    }
    return total;
  };
  const objective = (v: Float64Array): number => -ll(v) / n;
  const fit = nelderMead(objective, Float64Array.of(0, 0, 0), { bound: LOG_BOUND, ...options });
  const gradient = numericGradient(objective, fit.x);
  return {
    params: { p: Math.exp(fit.x[0]!), q: Math.exp(fit.x[1]!), gamma: scale * Math.exp(fit.x[2]!) },
    logLikelihood: -fit.value * n,
    converged: fit.converged,
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    restarts: fit.restarts,
    diverged: fit.diverged,
    gradientMax: Math.max(...Array.from(gradient, Math.abs)),
    customers: n,
  };
}

/** The mean spend per transaction across customers, p gamma / (q - 1); infinite when q <= 1 (35.17 on CDNOW). */
export function gammaGammaPopulationMeanSpend({ p, q, gamma }: GammaGammaParams): number {
  return q > 1 ? (p * gamma) / (q - 1) : Infinity;
}

/**
 * E[M | p, q, gamma, m_x, x]: the expected spend per transaction of a customer whose x transactions averaged m_x, a
 * weighted mean of the population mean and m_x whose weight on m_x grows with x. With x = 0 it is the population mean.
 *
 * ```ts
 * gammaGammaExpectedSpend({ p: 6.25, q: 3.74, gamma: 15.44 }, 2, 30); // 30.94
 * ```
 */
export function gammaGammaExpectedSpend(params: GammaGammaParams, x: number, m: number): number {
  const { p, q, gamma } = params;
  if (q <= 1) return Infinity;
  return (p * (gamma + x * m)) / (p * x + q - 1);
}
