/**
 * Special functions for the likelihoods of the analytics models: log-gamma, a stable log(e^a + e^b), and the
 * Gaussian hypergeometric function 2F1 as a series with a convergence check.
 */

// Lanczos approximation, g = 7, nine coefficients: relative error of Γ below 2e-15 for x >= 0.5.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.9189385332046728;

/**
 * ln Γ(x) for x > 0 (NaN otherwise). Exact enough that differences such as lnΓ(r + x) - lnΓ(r) keep about 14
 * significant digits.
 *
 * ```ts
 * logGamma(0.5); // 0.5723649429247001 = ln √π
 * ```
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x === Infinity) return Infinity;
  // Reflection would need sin(πx); for 0 < x < 0.5 the recurrence Γ(x) = Γ(x + 1) / x is as exact and simpler.
  if (x < 0.5) return logGamma(x + 1) - Math.log(x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ln(e^a + e^b) without overflow or underflow; either side may be -Infinity: `logAddExp(-1000, -1000)` is -999.307. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = a > b ? a : b;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

export interface SeriesValue {
  value: number;
  /** Terms summed. */
  terms: number;
  /** False when the terms had not become negligible within the allowed number of terms. */
  converged: boolean;
}

/**
 * The Gaussian hypergeometric function 2F1(a, b; c; z) = Σ (a)_n (b)_n / ((c)_n n!) z^n for |z| < 1 (c not 0 or a
 * negative integer). Stops when the rest of the series, bounded as a geometric series of the last term ratio, is
 * below `tolerance` times the sum; the number of terms needed grows like 1 / (1 - |z|).
 *
 * ```ts
 * hyp2f1(1, 1, 2, 0.5).value; // 1.3862943611198906 = -ln(1 - z) / z
 * ```
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 1_000_000, tolerance = 1e-15): SeriesValue {
  if (!(Math.abs(z) < 1) || (c <= 0 && Number.isInteger(c))) return { value: Number.NaN, terms: 0, converged: false };
  let term = 1;
  let sum = 1;
  let previous = Infinity;
  for (let n = 0; n < maxTerms; n++) {
    const ratio = ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    term *= ratio;
    sum += term;
    if (term === 0) return { value: sum, terms: n + 1, converged: true };
    // In the tail the ratios tend to z monotonically: from above, so each later ratio is below this one, or from
    // below, so each is below |z|. Once they have stopped growing and are below 1, the rest of the series is at most
    // |term| ρ / (1 - ρ) with ρ = max(|ratio|, |z|).
    const size = Math.abs(ratio);
    const rho = Math.max(size, Math.abs(z));
    if (n > 0 && size < 1 && (size <= previous || size <= Math.abs(z)) && (Math.abs(term) * rho) / (1 - rho) <= tolerance * Math.abs(sum)) {
      return { value: sum, terms: n + 1, converged: true };
    }
    previous = size;
  }
  return { value: sum, terms: maxTerms, converged: false };
}
