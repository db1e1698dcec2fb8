import { brentMinimize } from './brent.js';

/**
 * Power transforms that make skewed amounts (spend, basket size, days since the last order) closer to normal before
 * scaling, so that a few big spenders do not stretch a z-scored axis and hide everyone else. The lambda is the one
 * scipy.stats.boxcox / scipy.stats.yeojohnson pick by default: the maximum of the profile log-likelihood, found by
 * Brent's method from the bracket (-2, 2). The forward formulas are scipy.special.boxcox and scipy's Yeo-Johnson.
 */

/** Population variance (numpy's np.var): the likelihoods below are written with it. */
function variance(v: Float64Array): number {
  let mean = 0;
  for (const x of v) mean += x;
  mean /= v.length;
  let s = 0;
  for (const x of v) s += (x - mean) * (x - mean);
  return s / v.length;
}

function assertUsable(values: Float64Array, what: string): void {
  if (values.length < 2) throw new RangeError(`${what} needs at least 2 values, got ${values.length}`);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of values) {
    if (!Number.isFinite(x)) throw new RangeError(`${what} needs finite values, got ${x}`);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  // A constant column has no shape to correct and an infinite likelihood (scipy refuses it too).
  if (lo === hi) throw new RangeError(`${what} needs values that are not all equal`);
}

/**
 * The Box-Cox profile log-likelihood as a function of lambda (scipy.stats.boxcox_llf), with the logs computed once:
 * the optimiser evaluates it some 40 times. The offset 1/lambda is left out, it does not change the variance.
 */
function boxcoxLikelihood(values: Float64Array): (lambda: number) => number {
  const n = values.length;
  const logs = values.map(Math.log);
  let sumLog = 0;
  for (const l of logs) sumLog += l;
  const t = new Float64Array(n);
  return (lambda) => {
    if (lambda === 0) t.set(logs);
    else for (let i = 0; i < n; i++) t[i] = Math.exp(lambda * (logs[i] as number)) / lambda;
    return (lambda - 1) * sumLog - (n / 2) * Math.log(variance(t));
  };
}

/** Box-Cox profile log-likelihood of positive values at one lambda (scipy.stats.boxcox_llf). */
export function boxcoxLogLikelihood(lambda: number, values: Float64Array): number {
  return boxcoxLikelihood(values)(lambda);
}

/**
 * The maximum-likelihood Box-Cox lambda of positive values, as scipy.stats.boxcox(x)[1].
 *
 * ```ts
 * boxcoxLambda(Float64Array.from([1, 2, 4, 8, 16])); // close to 0: these are log-uniform
 * ```
 */
export function boxcoxLambda(values: Float64Array, what = 'Box-Cox'): number {
  assertUsable(values, what);
  for (const x of values) if (!(x > 0)) throw new RangeError(`${what} needs positive values, got ${x}`);
  const likelihood = boxcoxLikelihood(values);
  return brentMinimize((l) => {
    const ll = likelihood(l);
    // Past the range where x^lambda is representable the likelihood is lost; treat it as the worst value.
    return Number.isFinite(ll) ? -ll : Number.POSITIVE_INFINITY;
  }, -2, 2);
}

/** Box-Cox of one value (scipy.special.boxcox): log(x) at lambda 0, else (x^lambda - 1) / lambda through expm1 for precision. */
export function boxcox(x: number, lambda: number): number {
  return Math.abs(lambda) < 1e-19 ? Math.log(x) : Math.expm1(lambda * Math.log(x)) / lambda;
}

/** Yeo-Johnson of one value: Box-Cox of x + 1 for x >= 0, mirrored with 2 - lambda for x < 0. */
export function yeojohnson(x: number, lambda: number): number {
  if (x >= 0) return Math.abs(lambda) < Number.EPSILON ? Math.log1p(x) : Math.expm1(lambda * Math.log1p(x)) / lambda;
  return Math.abs(lambda - 2) > Number.EPSILON ? -Math.expm1((2 - lambda) * Math.log1p(-x)) / (2 - lambda) : -Math.log1p(-x);
}

/** The Yeo-Johnson profile log-likelihood as a function of lambda (scipy.stats.yeojohnson_llf), logs computed once. */
function yeojohnsonLikelihood(values: Float64Array): (lambda: number) => number {
  const n = values.length;
  const logs = values.map((x) => Math.log1p(Math.abs(x)));
  let s = 0;
  values.forEach((x, i) => (s += Math.sign(x) * (logs[i] as number)));
  const t = new Float64Array(n);
  return (lambda) => {
    const pos = Math.abs(lambda) < Number.EPSILON ? 0 : lambda;
    const neg = Math.abs(lambda - 2) > Number.EPSILON ? 2 - lambda : 0;
    for (let i = 0; i < n; i++) {
      const l = logs[i] as number;
      // The same formulas as yeojohnson() below, on the precomputed log1p(|x|).
      if ((values[i] as number) >= 0) t[i] = pos === 0 ? l : Math.expm1(pos * l) / pos;
      else t[i] = neg === 0 ? -l : -Math.expm1(neg * l) / neg;
    }
    const v = variance(t);
    // scipy: a variance below the smallest normal double gives an infinite likelihood, which its optimiser then rejects.
    if (v < 2.2250738585072014e-308) return Number.POSITIVE_INFINITY;
    return -(n / 2) * Math.log(v) + (lambda - 1) * s;
  };
}

/** Yeo-Johnson profile log-likelihood of finite values at one lambda (scipy.stats.yeojohnson_llf). */
export function yeojohnsonLogLikelihood(lambda: number, values: Float64Array): number {
  return yeojohnsonLikelihood(values)(lambda);
}

/** The maximum-likelihood Yeo-Johnson lambda, as scipy.stats.yeojohnson(x)[1]; any finite values. */
export function yeojohnsonLambda(values: Float64Array, what = 'Yeo-Johnson'): number {
  assertUsable(values, what);
  const likelihood = yeojohnsonLikelihood(values);
  return brentMinimize((l) => {
    const ll = likelihood(l);
    return Number.isFinite(ll) ? -ll : Number.POSITIVE_INFINITY;
  }, -2, 2);
}
