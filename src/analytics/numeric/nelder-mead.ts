/**
 * Nelder-Mead minimisation with restarts, for the small smooth likelihoods of the analytics models (three or four
 * parameters, no gradient needed).
 *
 * Coefficients adapt to the dimension (Gao & Han 2012, "Implementing the Nelder-Mead simplex algorithm with adaptive
 * parameters"), as scipy's `adaptive` option does. A run stops, as scipy's does, when every vertex is within `xTolerance`
 * of the best one in every coordinate and their values within `fTolerance` of its value. The simplex can collapse
 * before it reaches a minimum, so the search restarts from the best point with a fresh simplex; it has converged when
 * a run ends on its tolerances and the restart that follows improves the value by no more than `fTolerance`.
 */

export interface NelderMeadOptions {
  /** Largest spread of the simplex, per coordinate, at the end of a run (default 1e-7). */
  xTolerance?: number;
  /** Largest spread of the function values over the simplex at the end of a run (default 1e-11). */
  fTolerance?: number;
  /** Step of the initial simplex along each axis (default 0.5). */
  initialStep?: number;
  /** Function evaluations allowed over all runs (default 20,000). */
  maxEvaluations?: number;
  /** Restarts allowed after the first run (default 20). */
  maxRestarts?: number;
  /**
   * Largest |x_j| of the search (default Infinity): a search that goes past it is running away towards a minimum at
   * infinity, and stops there, not converged, with `diverged` set.
   */
  bound?: number;
}

export interface Minimum {
  x: Float64Array;
  value: number;
  /** True when the tolerances were met and a restart from the result found nothing better. */
  converged: boolean;
  /** Simplex iterations over all runs. */
  iterations: number;
  evaluations: number;
  restarts: number;
  /** True when the search went past `bound`: the function keeps decreasing towards infinity along some direction. */
  diverged: boolean;
}

interface Run {
  x: Float64Array;
  value: number;
  withinTolerance: boolean;
  diverged: boolean;
  iterations: number;
  evaluations: number;
}

function runOnce(f: (x: Float64Array) => number, start: Float64Array, o: Required<NelderMeadOptions>, budget: number): Run {
  const n = start.length;
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;
  let evaluations = 0;
  const value = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    // A point outside the function's domain ranks last instead of poisoning the comparisons.
    return Number.isNaN(v) ? Infinity : v;
  };
  const points: Float64Array[] = [Float64Array.from(start)];
  for (let i = 0; i < n; i++) {
    const p = Float64Array.from(start);
    p[i] = p[i]! + o.initialStep;
    points.push(p);
  }
  const values = points.map(value);
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const along = (t: number): Float64Array => {
    const worst = points[order[n]!]!;
    const p = new Float64Array(n);
    for (let j = 0; j < n; j++) p[j] = centroid[j]! + t * (centroid[j]! - worst[j]!);
    return p;
  };
  let iterations = 0;
  for (;;) {
    order.sort((i, j) => values[i]! - values[j]!);
    const best = points[order[0]!]!;
    const fBest = values[order[0]!]!;
    let xSpread = 0;
    let fSpread = 0;
    for (let k = 1; k <= n; k++) {
      const p = points[order[k]!]!;
      for (let j = 0; j < n; j++) xSpread = Math.max(xSpread, Math.abs(p[j]! - best[j]!));
      fSpread = Math.max(fSpread, Math.abs(values[order[k]!]! - fBest));
    }
    if (xSpread <= o.xTolerance && fSpread <= o.fTolerance) {
      return { x: Float64Array.from(best), value: fBest, withinTolerance: true, diverged: false, iterations, evaluations };
    }
    const diverged = best.some((v) => Math.abs(v) > o.bound);
    if (diverged || evaluations >= budget) {
      return { x: Float64Array.from(best), value: fBest, withinTolerance: false, diverged, iterations, evaluations };
    }
    iterations++;
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const p = points[order[k]!]!;
      for (let j = 0; j < n; j++) centroid[j] = centroid[j]! + p[j]! / n;
    }
    const worst = order[n]!;
    const secondWorst = values[order[n - 1]!]!;
    const reflected = along(alpha);
    const fr = value(reflected);
    if (fr < fBest) {
      const expanded = along(alpha * beta);
      const fe = value(expanded);
      if (fe < fr) {
        points[worst] = expanded;
        values[worst] = fe;
      } else {
        points[worst] = reflected;
        values[worst] = fr;
      }
      continue;
    }
    if (fr < secondWorst) {
      points[worst] = reflected;
      values[worst] = fr;
      continue;
    }
    // Contraction: outside when the reflected point is better than the worst, inside otherwise.
    const outside = fr < values[worst]!;
    const contracted = along(outside ? alpha * gamma : -gamma);
    const fc = value(contracted);
    if (fc < (outside ? fr : values[worst]!)) {
      points[worst] = contracted;
      values[worst] = fc;
      continue;
    }
    // Shrink every vertex towards the best one.
    for (let k = 1; k <= n; k++) {
      const i = order[k]!;
      const p = points[i]!;
      for (let j = 0; j < n; j++) p[j] = best[j]! + delta * (p[j]! - best[j]!);
      values[i] = value(p);
    }
  }
}

/**
 * Minimises `f` from `start`.
 *
 * ```ts
 * const m = nelderMead((p) => (p[0]! - 1) ** 2 + (p[1]! + 2) ** 2, Float64Array.of(0, 0));
 * // m.x ≈ [1, -2], m.converged === true
 * ```
 */
export function nelderMead(f: (x: Float64Array) => number, start: Float64Array, options: NelderMeadOptions = {}): Minimum {
  const o: Required<NelderMeadOptions> = {
    xTolerance: options.xTolerance ?? 1e-7,
    fTolerance: options.fTolerance ?? 1e-11,
    initialStep: options.initialStep ?? 0.5,
    maxEvaluations: options.maxEvaluations ?? 20_000,
    maxRestarts: options.maxRestarts ?? 20,
    bound: options.bound ?? Infinity,
  };
  let run = runOnce(f, start, o, o.maxEvaluations);
  let iterations = run.iterations;
  let evaluations = run.evaluations;
  let restarts = 0;
  const done = (converged: boolean): Minimum => ({ x: run.x, value: run.value, converged, iterations, evaluations, restarts, diverged: run.diverged });
  while (restarts < o.maxRestarts && !run.diverged && evaluations < o.maxEvaluations) {
    restarts++;
    const next = runOnce(f, run.x, o, o.maxEvaluations - evaluations);
    iterations += next.iterations;
    evaluations += next.evaluations;
    const improvement = run.value - next.value;
    const settled = run.withinTolerance && next.withinTolerance && improvement <= o.fTolerance;
    if (next.value <= run.value) run = next;
    if (settled) return done(true);
  }
  return done(false);
}

/**
 * Central-difference gradient of `f` at `x` with step `h`: a check that a minimum found is a stationary point.
 *
 * ```ts
 * numericGradient((p) => p[0]! ** 2, Float64Array.of(3)); // ≈ [6]
 * ```
 */
export function numericGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  const p = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    p[i] = x[i]! + h;
    const up = f(p);
    p[i] = x[i]! - h;
    const down = f(p);
    p[i] = x[i]!;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}
