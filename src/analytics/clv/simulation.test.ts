import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/index.js';
import { bgNbdConditionalExpectedPurchases, bgNbdProbabilityAlive, bgNbdTotalLogLikelihood, fitBgNbd } from './bg-nbd.js';
import { fitGammaGamma, gammaGammaExpectedSpend, gammaGammaLogLikelihood } from './gamma-gamma.js';

/**
 * The models against data drawn from their own stories with a seeded generator: an independent check of the
 * closed forms (P(alive), the conditional expectation) and of the fits. Tolerances are about three standard errors
 * of the simulated quantity.
 */

/** Gamma(shape, rate) by Marsaglia & Tsang (2000), boosted for shape < 1. */
function gamma(rng: Rng, shape: number, rate: number): number {
  if (shape < 1) return gamma(rng, shape + 1, rate) * rng.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = rng.normal();
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = rng.next();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

const beta = (rng: Rng, a: number, b: number): number => {
  const x = gamma(rng, a, 1);
  return x / (x + gamma(rng, b, 1));
};

const TRUE = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/** Customers who made a first purchase at time 0, each watched for T and then for a further `holdout`. */
function simulate(rng: Rng, n: number, holdout: number) {
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const aliveAtT = new Uint8Array(n);
  const later = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lambda = gamma(rng, TRUE.r, TRUE.alpha);
    const p = beta(rng, TRUE.a, TRUE.b);
    T[i] = 27 + 12 * rng.next();
    let t = 0;
    let alive = true;
    for (;;) {
      t += rng.exponential(1 / lambda);
      if (t > T[i]! + holdout) break;
      if (t <= T[i]!) {
        x[i]!++;
        tx[i] = t;
      } else later[i]!++;
      // Dropping out happens right after a repeat purchase, with probability p.
      if (rng.chance(p)) {
        alive = t > T[i]!;
        break;
      }
    }
    aliveAtT[i] = alive ? 1 : 0;
  }
  return { x, tx, T, aliveAtT, later };
}

describe('BG/NBD on simulated customers', () => {
  const rng = new Rng(20_050_401);
  const n = 20_000;
  const sim = simulate(rng, n, 39);

  it('P(alive) averages to the share of customers really alive at T', () => {
    let expected = 0;
    let actual = 0;
    for (let i = 0; i < n; i++) {
      expected += bgNbdProbabilityAlive(TRUE, sim.x[i]!, sim.tx[i]!, sim.T[i]!);
      actual += sim.aliveAtT[i]!;
    }
    // A share near 0.8 over 20,000 customers: standard error 0.003.
    expect(Math.abs(expected / n - actual / n)).toBeLessThan(0.01);
  });

  it('the conditional expectations add up to the purchases really made in the next 39 periods', () => {
    let expected = 0;
    let actual = 0;
    for (let i = 0; i < n; i++) {
      expected += bgNbdConditionalExpectedPurchases(TRUE, 39, sim.x[i]!, sim.tx[i]!, sim.T[i]!);
      actual += sim.later[i]!;
    }
    // Heavy-tailed counts: the total's relative standard error here is about 2%.
    expect(Math.abs(expected - actual) / actual).toBeLessThan(0.06);
  });

  it('the fit recovers the parameters, at a likelihood no lower than the true parameters give', () => {
    const fit = fitBgNbd(sim);
    expect(fit.converged).toBe(true);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgNbdTotalLogLikelihood(TRUE, sim));
    expect(Math.abs(fit.params.r / TRUE.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.alpha / TRUE.alpha - 1)).toBeLessThan(0.15);
    // a and b are told apart only by the few customers with many purchases: wider.
    expect(Math.abs(fit.params.a / TRUE.a - 1)).toBeLessThan(0.25);
    expect(Math.abs(fit.params.b / TRUE.b - 1)).toBeLessThan(0.3);
  });
});

describe('Gamma-Gamma on simulated customers', () => {
  const SPEND = { p: 6.25, q: 3.74, gamma: 15.44 };
  const rng = new Rng(2005);
  const n = 5000;
  const x = new Float64Array(n);
  const m = new Float64Array(n);
  const truth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const nu = gamma(rng, SPEND.q, SPEND.gamma);
    truth[i] = SPEND.p / nu;
    x[i] = 1 + rng.poisson(2.5);
    let total = 0;
    for (let k = 0; k < x[i]!; k++) total += gamma(rng, SPEND.p, nu);
    m[i] = total / x[i]!;
  }

  it('the fit recovers p, q, gamma, at a likelihood no lower than the true parameters give', () => {
    const fit = fitGammaGamma(x, m);
    let atTruth = 0;
    for (let i = 0; i < n; i++) atTruth += gammaGammaLogLikelihood(SPEND, x[i]!, m[i]!);
    expect(fit.converged).toBe(true);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(atTruth);
    expect(Math.abs(fit.params.p / SPEND.p - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.q / SPEND.q - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.gamma / SPEND.gamma - 1)).toBeLessThan(0.15);
  });

  it("the expected spend is closer to each customer's true mean than the observed mean is", () => {
    let shrunk = 0;
    let raw = 0;
    for (let i = 0; i < n; i++) {
      shrunk += (gammaGammaExpectedSpend(SPEND, x[i]!, m[i]!) - truth[i]!) ** 2;
      raw += (m[i]! - truth[i]!) ** 2;
    }
    expect(shrunk).toBeLessThan(raw);
  });
});
