import { describe, expect, it } from 'vitest';
import { hyp2f1, logAddExp, logGamma } from './special.js';

describe('logGamma', () => {
  it('matches closed forms and factorials to 1e-13 relative', () => {
    const cases: [number, number][] = [
      [0.5, 0.5 * Math.log(Math.PI)], // Γ(1/2) = √π
      [1, 0],
      [2, 0],
      [1.5, Math.log(Math.sqrt(Math.PI) / 2)],
      [10, Math.log(362_880)], // 9!
      [0.25, Math.log(3.625609908221908)], // Γ(1/4), A&S table 6.1
      [1e-8, Math.log(99_999_999.42278434)], // Γ(x) ≈ 1/x - γ for small x
    ];
    for (const [x, want] of cases) expect(Math.abs(logGamma(x) - want), `x = ${x}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want)));
  });

  it('follows lnΓ(x + 1) = lnΓ(x) + ln x far from the table, and Stirling for large x', () => {
    // The difference of two large logs loses what they carry beyond 16 digits: the tolerance scales with lnΓ(x + 1).
    for (const x of [0.01, 0.3, 2.7, 17.5, 250.25, 1e4]) {
      const tolerance = 1e-14 * Math.max(1, Math.abs(logGamma(x + 1)));
      expect(Math.abs(logGamma(x + 1) - logGamma(x) - Math.log(x)), `x = ${x}`).toBeLessThanOrEqual(tolerance);
    }
    const x = 1e6;
    const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x);
    expect(Math.abs(logGamma(x) - stirling) / stirling).toBeLessThan(1e-14);
  });

  it('is NaN outside x > 0', () => {
    expect(logGamma(0)).toBeNaN();
    expect(logGamma(-1.5)).toBeNaN();
  });
});

describe('logAddExp', () => {
  it('adds in log space without overflow', () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logAddExp(-1000, -1000)).toBeCloseTo(-1000 + Math.log(2), 12);
    expect(logAddExp(800, 0)).toBe(800);
    expect(logAddExp(-Infinity, -3)).toBe(-3);
  });
});

describe('hyp2f1', () => {
  it('matches closed forms', () => {
    for (const z of [0.1, 0.5, 0.9, 0.99, -0.5]) {
      // 2F1(1, 1; 2; z) = -ln(1 - z) / z
      expect(hyp2f1(1, 1, 2, z).value).toBeCloseTo(-Math.log(1 - z) / z, 11);
      // 2F1(a, b; b; z) = (1 - z)^-a
      expect(hyp2f1(0.7, 3.2, 3.2, z).value).toBeCloseTo((1 - z) ** -0.7, 11);
    }
    // 2F1(1/2, 1/2; 3/2; z²) = arcsin(z) / z
    expect(hyp2f1(0.5, 0.5, 1.5, 0.25).value).toBeCloseTo(Math.PI / 3, 14);
  });

  it('matches scipy.special.hyp2f1 (scipy 1.17.1) at the arguments of the BG/NBD expectations', () => {
    // E[X(78)] on CDNOW: 2F1(r, b; a + b - 1; 78 / (alpha + 78)) with r 0.243, alpha 4.414, a 0.793, b 2.426.
    const e = hyp2f1(0.243, 2.426, 0.793 + 2.426 - 1, 78 / (4.414 + 78));
    expect(e.converged).toBe(true);
    expect(Math.abs(e.value - 2.3900055962688564) / 2.3900055962688564).toBeLessThan(1e-12);
    // A large-x conditional expectation: terms first grow by orders of magnitude.
    const big = hyp2f1(12.243, 14.426, 14.219, 0.9);
    expect(Math.abs(big.value - 2739492583390.164) / 2739492583390.164).toBeLessThan(1e-12);
  });

  it('reports when the series has not converged within the terms allowed, and refuses |z| >= 1', () => {
    const cut = hyp2f1(1, 1, 2, 0.999, 100);
    expect(cut).toMatchObject({ converged: false, terms: 100 });
    expect(hyp2f1(1, 1, 2, 1).converged).toBe(false);
    expect(hyp2f1(1, 1, -2, 0.5).value).toBeNaN();
  });
});
