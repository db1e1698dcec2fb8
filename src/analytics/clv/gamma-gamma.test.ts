import { describe, expect, it } from 'vitest';
import { logGamma } from '../numeric/special.js';
import { gammaGammaExpectedSpend, gammaGammaLogLikelihood, gammaGammaPopulationMeanSpend } from './gamma-gamma.js';

// Hardie's note 025: the CDNOW estimates.
const CDNOW = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('Gamma-Gamma', () => {
  it('population mean spend p gamma / (q - 1), and infinity when q <= 1', () => {
    expect(gammaGammaPopulationMeanSpend(CDNOW)).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
    expect(gammaGammaPopulationMeanSpend({ ...CDNOW, q: 1 })).toBe(Infinity);
  });

  it("expected spend: the population mean without history, moving to the customer's own mean as x grows", () => {
    const population = gammaGammaPopulationMeanSpend(CDNOW);
    expect(gammaGammaExpectedSpend(CDNOW, 0, 0)).toBeCloseTo(population, 12);
    // A weighted mean: (q - 1) / (px + q - 1) on the population mean, px / (px + q - 1) on m_x.
    const w = (6.25 * 2) / (6.25 * 2 + 2.74);
    expect(gammaGammaExpectedSpend(CDNOW, 2, 30)).toBeCloseTo((1 - w) * population + w * 30, 12);
    expect(gammaGammaExpectedSpend(CDNOW, 2, 30)).toBeCloseTo(30.938, 3);
    expect(Math.abs(gammaGammaExpectedSpend(CDNOW, 1000, 80) - 80)).toBeLessThan(0.05);
  });

  it('log-likelihood: the density of the mean of x Gamma(p, ν) spends, ν ~ Gamma(q, gamma), integrates to 1 over m', () => {
    // ∫ f(m) dm over (0, ∞) by the midpoint rule on a fine grid in log m.
    for (const x of [1, 3]) {
      let total = 0;
      const steps = 20_000;
      const lo = Math.log(1e-3);
      const hi = Math.log(1e5);
      const h = (hi - lo) / steps;
      for (let k = 0; k < steps; k++) {
        const m = Math.exp(lo + (k + 0.5) * h);
        total += Math.exp(gammaGammaLogLikelihood(CDNOW, x, m)) * m * h;
      }
      expect(total, `x = ${x}`).toBeCloseTo(1, 6);
    }
  });

  it('log-likelihood for one transaction is the compound Gamma density written out', () => {
    // x = 1: f(m) = Γ(p + q) / (Γ(p) Γ(q)) gamma^q m^(p-1) / (gamma + m)^(p+q).
    const { p, q, gamma } = CDNOW;
    const m = 27.5;
    const direct = logGamma(p + q) - logGamma(p) - logGamma(q) + q * Math.log(gamma) + (p - 1) * Math.log(m) - (p + q) * Math.log(gamma + m);
    expect(gammaGammaLogLikelihood(CDNOW, 1, m)).toBeCloseTo(direct, 12);
  });
});
