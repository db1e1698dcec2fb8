import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { brentMinimize } from './brent.js';
import { boxcox, boxcoxLambda, yeojohnson, yeojohnsonLambda } from './power.js';

/**
 * Box-Cox and Yeo-Johnson against scipy 1.10 (scipy.stats.boxcox / yeojohnson / scipy.special.boxcox) on the observed
 * values of test/fixtures/sklearn/features.csv; references in feature-refs.json (make_feature_refs.py).
 */

const FIXTURES = new URL('../../../test/fixtures/sklearn/', import.meta.url);
const refs = JSON.parse(readFileSync(new URL('feature-refs.json', FIXTURES), 'utf8')) as {
  boxcox: { observed: number[] };
  yeojohnson: { observed: number[] };
  forward: { x: number[]; boxcox: Record<string, number[]>; yeojohnson: Record<string, number[]> };
};
const rows = readFileSync(new URL('features.csv', FIXTURES), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const observed = [0, 1, 2, 3].map((j) => Float64Array.from(rows.filter((r) => r[j] !== ''), (r) => Number(r[j])));

describe('power transforms against scipy', () => {
  it('Box-Cox lambda by maximum likelihood within 1e-4 of scipy.stats.boxcox on each column', () => {
    observed.forEach((v, j) => expect(Math.abs(boxcoxLambda(v) - (refs.boxcox.observed[j] as number))).toBeLessThan(1e-4));
  });

  it('Yeo-Johnson lambda within 1e-4 of scipy.stats.yeojohnson on each column', () => {
    observed.forEach((v, j) => expect(Math.abs(yeojohnsonLambda(v) - (refs.yeojohnson.observed[j] as number))).toBeLessThan(1e-4));
  });

  it('forward formulas at fixed lambdas (-1, 0, 0.5, 2) agree with scipy to 1e-12 relative, including negative inputs', () => {
    for (const l of ['-1.0', '0.0', '0.5', '2.0']) {
      refs.forward.x.forEach((x, i) => {
        const bc = refs.forward.boxcox[l]?.[i] as number;
        const yj = refs.forward.yeojohnson[l]?.[i] as number;
        expect(Math.abs(boxcox(x, Number(l)) / bc - 1)).toBeLessThan(1e-12);
        // The Yeo-Johnson references are at x - 150: some of these are negative.
        expect(Math.abs(yeojohnson(x - 150, Number(l)) / yj - 1)).toBeLessThan(1e-12);
      });
    }
    expect(refs.forward.x.some((x) => x < 150)).toBe(true);
  });

  it('recovers the lambda that undoes a known power (exp -> lambda near 0, square -> lambda near 0.5), within 0.05', () => {
    // Evenly spaced quantiles of a logistic distribution: symmetric and close to normal in shape, so the most likely
    // lambda is the one that undoes the skew put in below.
    const z = Array.from({ length: 199 }, (_, i) => {
      const p = (i + 1) / 200;
      return Math.log(p / (1 - p)) / 1.7;
    });
    const lambda = boxcoxLambda(Float64Array.from(z, Math.exp));
    expect(Math.abs(lambda)).toBeLessThan(0.05);
    const squared = boxcoxLambda(Float64Array.from(z, (v) => (1 + 0.1 * v) ** 2));
    expect(Math.abs(squared - 0.5)).toBeLessThan(0.05);
  });

  it('refuses constant columns and non-positive values for Box-Cox', () => {
    expect(() => boxcoxLambda(Float64Array.from([2, 2, 2]))).toThrow(/not all equal/);
    expect(() => boxcoxLambda(Float64Array.from([1, 0, 2]), "feature 'x'")).toThrow(/feature 'x' needs positive values/);
  });

  it('Brent finds the minimum of a parabola and of a function whose minimum is outside the first bracket', () => {
    expect(brentMinimize((x) => (x - 0.3) ** 2, -2, 2)).toBeCloseTo(0.3, 7);
    expect(brentMinimize((x) => Math.cosh(x - 40), -2, 2)).toBeCloseTo(40, 6);
  });
});
