import { describe, expect, it } from 'vitest';
import { nelderMead, numericGradient } from './nelder-mead.js';

const rosenbrock = (p: Float64Array): number => 100 * (p[1]! - p[0]! ** 2) ** 2 + (1 - p[0]!) ** 2;

describe('nelderMead', () => {
  it('finds the minimum of the Rosenbrock valley at (1, 1) and says it converged', () => {
    const m = nelderMead(rosenbrock, Float64Array.of(-1.2, 1));
    expect(m.converged).toBe(true);
    expect(m.x[0]).toBeCloseTo(1, 5);
    expect(m.x[1]).toBeCloseTo(1, 5);
    expect(m.value).toBeLessThan(1e-10);
    expect(m.restarts).toBeGreaterThanOrEqual(1);
  });

  it('minimises a 4-dimensional quadratic with correlated axes', () => {
    const c = [1, -2, 3, 0.5];
    const f = (p: Float64Array): number => {
      let s = 0;
      for (let i = 0; i < 4; i++) s += (i + 1) * (p[i]! - c[i]!) ** 2;
      return s + 0.9 * (p[0]! - c[0]!) * (p[1]! - c[1]!);
    };
    const m = nelderMead(f, new Float64Array(4));
    expect(m.converged).toBe(true);
    for (let i = 0; i < 4; i++) expect(m.x[i]).toBeCloseTo(c[i]!, 5);
  });

  it('restarts until a restart finds nothing better: two narrow wells that only fresh simplexes step into', () => {
    // x² + y², with wells at (0.5, 0) and (1, 0) half a step from where the previous run ends.
    const well = (p: Float64Array, cx: number): boolean => Math.abs(p[0]! - cx) < 1e-6 && Math.abs(p[1]!) < 1e-6;
    const f = (p: Float64Array): number => p[0]! ** 2 + p[1]! ** 2 - (well(p, 0.5) ? 10 : 0) - (well(p, 1) ? 20 : 0);
    const m = nelderMead(f, Float64Array.of(-3, 2));
    expect(m.converged).toBe(true);
    expect(m.restarts).toBe(3);
    expect(m.value).toBeCloseTo(-19, 5);
  });

  it('does not claim convergence when the evaluations run out', () => {
    const m = nelderMead(rosenbrock, Float64Array.of(-1.2, 1), { maxEvaluations: 30, maxRestarts: 1 });
    expect(m.converged).toBe(false);
  });

  it('stops a search that runs away to infinity at the bound, as diverged', () => {
    const m = nelderMead((p) => Math.exp(-p[0]!) + (p[1]! - 1) ** 2, Float64Array.of(0, 0), { bound: 20 });
    expect(m).toMatchObject({ converged: false, diverged: true });
    expect(m.x[0]).toBeGreaterThan(20);
    expect(m.evaluations).toBeLessThan(1000);
  });

  it('treats NaN as worse than any value, so a search stays inside the domain', () => {
    const m = nelderMead((p) => (p[0]! < 0 ? Number.NaN : (p[0]! - 0.1) ** 2), Float64Array.of(2));
    expect(m.converged).toBe(true);
    expect(m.x[0]).toBeCloseTo(0.1, 6);
  });
});

describe('numericGradient', () => {
  it('is the gradient of a smooth function', () => {
    const g = numericGradient((p) => p[0]! ** 2 + 3 * p[0]! * p[1]!, Float64Array.of(1, 2));
    expect(g[0]).toBeCloseTo(2 + 6, 6);
    expect(g[1]).toBeCloseTo(3, 6);
  });
});
