import { AppError } from '../../kernel/index.js';
import { hyp2f1, logAddExp, logGamma } from '../numeric/special.js';
import { nelderMead, numericGradient, type NelderMeadOptions } from '../numeric/nelder-mead.js';

/**
 * The BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005, "Counting your customers the easy way: an
 * alternative to the Pareto/NBD model", Marketing Science 24(2)). While alive, a customer buys as a Poisson process
 * of rate λ, λ ~ Gamma(r, alpha) across customers; after each purchase the customer drops out with probability p,
 * p ~ Beta(a, b). Times are in the summary's unit (days or weeks).
 */

export interface BgNbdParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

/** Frequency, recency and age of each customer, as `summarise` computes them. */
export interface RecencyFrequency {
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
}

/**
 * ln L(r, alpha, a, b | x, t_x, T) of one customer, written as in Hardie's note 027 ("Overcoming the BG/NBD model's
 * #NUM! error problem") so that it stays finite for large x: log-gammas instead of gamma ratios, and the two terms of
 * the likelihood added with log-sum-exp.
 *
 * ```ts
 * bgNbdLogLikelihood({ r: 0.25, alpha: 4, a: 0.8, b: 2.5 }, 0, 0, 40); // -0.59947382
 * ```
 */
export function bgNbdLogLikelihood(p: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  const a1 = logGamma(r + x) - logGamma(r) + r * Math.log(alpha);
  const a2 = logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x);
  const a3 = -(r + x) * Math.log(alpha + T);
  const a4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return a1 + a2 + logAddExp(a3, a4);
}

/** The log-likelihood of a whole summary: `bgNbdTotalLogLikelihood(fit.params, summary)` is -9582.43 on CDNOW. */
export function bgNbdTotalLogLikelihood(p: BgNbdParams, data: RecencyFrequency): number {
  return makeLogLikelihood(data)(p);
}

/**
 * The log-likelihood as a function of the parameters. Customers with the same (x, t_x, T) are one term with a weight
 * (a base counted in days or weeks repeats them often), and the terms that depend on x alone are computed once per
 * distinct x, which makes each evaluation a pass of logs over the distinct histories.
 */
function makeLogLikelihood(data: RecencyFrequency): (p: BgNbdParams) => number {
  const rows = new Map<string, number>();
  const hx: number[] = [];
  const htx: number[] = [];
  const hT: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < data.x.length; i++) {
    const key = `${data.x[i]} ${data.tx[i]} ${data.T[i]}`;
    const k = rows.get(key);
    if (k !== undefined) weight[k]!++;
    else {
      rows.set(key, weight.length);
      hx.push(data.x[i]!);
      htx.push(data.tx[i]!);
      hT.push(data.T[i]!);
      weight.push(1);
    }
  }
  const n = weight.length;
  const distinct = [...new Set(hx)];
  const slot = new Map(distinct.map((v, i) => [v, i]));
  const which = Int32Array.from(hx, (v) => slot.get(v)!);
  const shared = new Float64Array(distinct.length);
  const dropout = new Float64Array(distinct.length);
  return ({ r, alpha, a, b }) => {
    const lgR = logGamma(r);
    const lgB = logGamma(b);
    const lgAB = logGamma(a + b);
    const logAlpha = Math.log(alpha);
    const logA = Math.log(a);
    for (let k = 0; k < distinct.length; k++) {
      const x = distinct[k]!;
      shared[k] = logGamma(r + x) - lgR + r * logAlpha + lgAB + logGamma(b + x) - lgB - logGamma(a + b + x);
      dropout[k] = x > 0 ? logA - Math.log(b + x - 1) : -Infinity;
    }
    let total = 0;
    for (let i = 0; i < n; i++) {
      const k = which[i]!;
      const x = hx[i]!;
      const rx = r + x;
      const alive = -rx * Math.log(alpha + hT[i]!);
      const dropped = x > 0 ? dropout[k]! - rx * Math.log(alpha + htx[i]!) : -Infinity;
      total += weight[i]! * (shared[k]! + logAddExp(alive, dropped));
    }
    return total;
  };
}

export interface FitReport {
  readonly logLikelihood: number;
  /** True when the optimiser met its tolerances and a restart from the result found nothing better. */
  readonly converged: boolean;
  readonly iterations: number;
  readonly evaluations: number;
  readonly restarts: number;
  /** Largest component of the gradient of the mean log-likelihood in log-parameters at the result (near 0 at a maximum). */
  readonly gradientMax: number;
  /**
   * True when a parameter grew without bound: the likelihood keeps rising towards a limit of the model, such as a and
   * b both infinite when every customer has the same dropout probability.
   */
  readonly diverged: boolean;
  readonly customers: number;
}

export interface BgNbdFit extends FitReport {
  readonly params: BgNbdParams;
}

/**
 * BG/NBD parameters are searched as logs within ±15 (3e-7 to 3e6; alpha relative to the mean age): beyond, the fit is
 * running away to a limit of the model.
 */
const LOG_BOUND = 15;

/** The search runs on logs of r, alpha / timeScale, a, b: alpha relative to the ages, so that days and weeks alike start near 0. */
const fromLogs = (v: Float64Array, timeScale: number): BgNbdParams => ({
  r: Math.exp(v[0]!),
  alpha: timeScale * Math.exp(v[1]!),
  a: Math.exp(v[2]!),
  b: Math.exp(v[3]!),
});

/**
 * Maximum-likelihood fit of r, alpha, a, b. The search runs on the logs of the parameters, which keeps them positive,
 * and minimises the mean negative log-likelihood per customer with Nelder-Mead and restarts (see nelderMead for the
 * convergence criterion). The start is r = a = b = 1 and alpha = the mean age T, so that it is sensible in days as in
 * weeks; alpha is searched relative to that mean.
 *
 * ```ts
 * const fit = fitBgNbd(summary); // on CDNOW in weeks: r 0.243, alpha 4.414, a 0.793, b 2.426
 * ```
 */
export function fitBgNbd(data: RecencyFrequency, options: NelderMeadOptions = {}): BgNbdFit {
  const n = data.x.length;
  const ll = makeLogLikelihood(data);
  let meanT = 0;
  for (let i = 0; i < n; i++) meanT += data.T[i]! / n;
  const timeScale = meanT > 0 ? meanT : 1;
  const objective = (v: Float64Array): number => -ll(fromLogs(v, timeScale)) / n;
  const m = nelderMead(objective, Float64Array.of(0, 0, 0, 0), { bound: LOG_BOUND, ...options });
  const gradient = numericGradient(objective, m.x);
  return {
    params: fromLogs(m.x, timeScale),
    logLikelihood: -m.value * n,
    converged: m.converged,
    iterations: m.iterations,
    evaluations: m.evaluations,
    restarts: m.restarts,
    diverged: m.diverged,
    gradientMax: Math.max(...Array.from(gradient, Math.abs)),
    customers: n,
  };
}

/** 2F1 of the model's expectations; z < 1 always, but the series needs about 1 / (1 - z) terms. */
function series(a: number, b: number, c: number, z: number): number {
  const s = hyp2f1(a, b, c, z);
  if (!s.converged) {
    throw new AppError('clv.series_not_converged', `the hypergeometric series 2F1(${a}, ${b}; ${c}; ${z}) did not converge in ${s.terms} terms`, {
      details: { a, b, c, z, terms: s.terms },
    });
  }
  return s.value;
}

/**
 * E[X(t)]: the expected number of purchases in a period of length t of a customer chosen at random, from the
 * paper. Needs a != 1.
 *
 * ```ts
 * bgNbdExpectedPurchases(fit.params, 78); // about 1.858 on CDNOW (weeks)
 * ```
 */
export function bgNbdExpectedPurchases(p: BgNbdParams, t: number): number {
  const { r, alpha, a, b } = p;
  if (t <= 0) return 0;
  const hyp = series(r, b, a + b - 1, t / (alpha + t));
  return ((a + b - 1) / (a - 1)) * (1 - Math.exp(r * Math.log(alpha / (alpha + t))) * hyp);
}

/**
 * log of the odds term a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x) shared by P(alive) and the conditional
 * expectation: the posterior odds that the customer dropped out after the last purchase. -Infinity when x = 0.
 */
function logDropoutOdds(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x <= 0) return -Infinity;
  return Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx));
}

/**
 * P(alive | x, t_x, T): the probability that the customer has not dropped out by T (Fader, Hardie & Lee,
 * "Computing P(alive) using the BG/NBD model"). 1 for a customer with no repeat purchase, by the model's
 * assumption that dropping out happens only right after a purchase.
 *
 * ```ts
 * bgNbdProbabilityAlive(fit.params, 2, 30.43, 38.86); // 0.727 on CDNOW (weeks)
 * ```
 */
export function bgNbdProbabilityAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  const lo = logDropoutOdds(p, x, tx, T);
  return lo === -Infinity ? 1 : 1 / (1 + Math.exp(lo));
}

/**
 * E[Y(t) | x, t_x, T]: the expected number of purchases in the next period of length t of a customer with that
 * history, from the paper. Needs a != 1.
 *
 * ```ts
 * bgNbdConditionalExpectedPurchases(fit.params, 39, 2, 30.43, 38.86); // 1.226 on CDNOW (weeks)
 * ```
 */
export function bgNbdConditionalExpectedPurchases(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  if (t <= 0) return 0;
  const hyp = series(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  const head = ((a + b + x - 1) / (a - 1)) * (1 - Math.exp((r + x) * Math.log((alpha + T) / (alpha + T + t))) * hyp);
  const lo = logDropoutOdds(p, x, tx, T);
  return head / (1 + (lo === -Infinity ? 0 : Math.exp(lo)));
}

/**
 * P(X(t) = n): the probability that a customer chosen at random makes exactly n purchases in a period of length t
 * (from the paper). For n = 0 it is (alpha / (alpha + t))^r.
 *
 * ```ts
 * bgNbdProbabilityOfPurchases({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 39, 0); // 0.5737864
 * ```
 */
export function bgNbdProbabilityOfPurchases(p: BgNbdParams, t: number, n: number): number {
  const { r, alpha, a, b } = p;
  const logShare = Math.log(alpha / (alpha + t));
  const logRest = Math.log(t / (alpha + t));
  const logBeta = (u: number, v: number): number => logGamma(u) + logGamma(v) - logGamma(u + v);
  const lbAB = logBeta(a, b);
  // Still alive after n purchases and buying exactly n: NBD(n) weighted by B(a, b + n) / B(a, b).
  const nbd = (j: number): number => logGamma(r + j) - logGamma(r) - logGamma(j + 1) + r * logShare + (j > 0 ? j * logRest : 0);
  const first = Math.exp(logBeta(a, b + n) - lbAB + nbd(n));
  if (n === 0) return first;
  // Dropped out right after the n-th purchase, having made at least n: 1 - P(NBD < n).
  let below = 0;
  for (let j = 0; j < n; j++) below += Math.exp(nbd(j));
  return first + Math.exp(logBeta(a + 1, b + n - 1) - lbAB) * (1 - below);
}
