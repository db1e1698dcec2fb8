import type { IterativeState, IterativeStep } from './types.js';

/**
 * Round-robin regression imputation (MICE without the sampling), as scikit-learn's IterativeImputer with
 * `estimator=Ridge(alpha)`, `sample_posterior=False`, `imputation_order='ascending'`, `initial_strategy='mean'`:
 * 1. every gap starts at its feature's training mean;
 * 2. each round visits the features from the fewest gaps to the most (ties in column order) and, for each, fits a
 *    ridge regression of the feature on all the others over the rows where it was observed, then replaces its gaps by
 *    the predictions (features with no gap are fitted too and predict nothing, as scikit-learn does);
 * 3. it stops after `maxIter` rounds, or earlier when a round changes no row by more than `tol` x the largest
 *    |observed value| (the change of a row being the sum of its absolute changes: numpy's matrix infinity norm).
 * scikit-learn's default estimator is BayesianRidge, which learns its penalty from the data; a fixed ridge penalty is
 * used here because it is deterministic, has a closed form, and, with alpha small against the n x variance of the
 * columns, is close to it (the penalty only matters for collinear features). The penalty is on unscaled columns, as
 * scikit-learn's Ridge.
 *
 * The fitted regressions are kept in order and replayed on new rows, which is what IterativeImputer.transform does:
 * new rows are imputed with the training means and regressions, never with statistics of their own.
 */

export interface IterativeOptions {
  alpha: number;
  maxIter: number;
  tol: number;
}

/** Solves the symmetric positive definite system a x = b (q x q, row-major) by Cholesky; a and b are overwritten. */
function solveSpd(a: Float64Array, b: Float64Array, q: number): Float64Array {
  for (let j = 0; j < q; j++) {
    let s = a[j * q + j] as number;
    for (let t = 0; t < j; t++) s -= (a[j * q + t] as number) ** 2;
    if (!(s > 0)) throw new RangeError('iterative imputation: the regression is singular (use a larger ridge alpha)');
    const l = Math.sqrt(s);
    a[j * q + j] = l;
    for (let i = j + 1; i < q; i++) {
      let v = a[i * q + j] as number;
      for (let t = 0; t < j; t++) v -= (a[i * q + t] as number) * (a[j * q + t] as number);
      a[i * q + j] = v / l;
    }
  }
  for (let i = 0; i < q; i++) {
    let v = b[i] as number;
    for (let t = 0; t < i; t++) v -= (a[i * q + t] as number) * (b[t] as number);
    b[i] = v / (a[i * q + i] as number);
  }
  for (let i = q - 1; i >= 0; i--) {
    let v = b[i] as number;
    for (let t = i + 1; t < q; t++) v -= (a[t * q + i] as number) * (b[t] as number);
    b[i] = v / (a[i * q + i] as number);
  }
  return b;
}

/** Ridge regression of column f on the other columns over the given rows, with an unpenalised intercept (scikit-learn's Ridge). */
function ridge(x: Float64Array, p: number, f: number, rows: readonly number[], alpha: number): IterativeStep {
  const others: number[] = [];
  for (let j = 0; j < p; j++) if (j !== f) others.push(j);
  const q = others.length;
  const m = rows.length;
  // Centring removes the intercept from the penalised problem, as scikit-learn's _preprocess_data does.
  const xMean = new Float64Array(q);
  let yMean = 0;
  for (const i of rows) {
    yMean += x[i * p + f] as number;
    others.forEach((j, t) => (xMean[t] = (xMean[t] as number) + (x[i * p + j] as number)));
  }
  yMean /= m;
  for (let t = 0; t < q; t++) xMean[t] = (xMean[t] as number) / m;
  const a = new Float64Array(q * q);
  const b = new Float64Array(q);
  const xc = new Float64Array(q);
  for (const i of rows) {
    for (let t = 0; t < q; t++) xc[t] = (x[i * p + (others[t] as number)] as number) - (xMean[t] as number);
    const yc = (x[i * p + f] as number) - yMean;
    for (let s = 0; s < q; s++) {
      b[s] = (b[s] as number) + (xc[s] as number) * yc;
      for (let t = 0; t <= s; t++) a[s * q + t] = (a[s * q + t] as number) + (xc[s] as number) * (xc[t] as number);
    }
  }
  for (let s = 0; s < q; s++) {
    for (let t = 0; t < s; t++) a[t * q + s] = a[s * q + t] as number;
    a[s * q + s] = (a[s * q + s] as number) + alpha;
  }
  const w = solveSpd(a, b, q);
  const coef = new Array<number>(p).fill(0);
  let intercept = yMean;
  others.forEach((j, t) => {
    coef[j] = w[t] as number;
    intercept -= (xMean[t] as number) * (w[t] as number);
  });
  return { feature: f, coef, intercept };
}

/** Fills the gaps of one feature (per the mask) with the step's predictions; the one place predictions are made. */
function predictInto(x: Float64Array, mask: Uint8Array, p: number, step: IterativeStep): void {
  const n = x.length / p;
  const f = step.feature;
  for (let i = 0; i < n; i++) {
    if (mask[i * p + f] === 0) continue;
    let s = 0;
    for (let j = 0; j < p; j++) if (j !== f) s += (step.coef[j] as number) * (x[i * p + j] as number);
    x[i * p + f] = s + step.intercept;
  }
}

function initialFill(data: Float64Array, means: readonly number[]): { x: Float64Array; mask: Uint8Array } {
  const p = means.length;
  const x = Float64Array.from(data);
  const mask = new Uint8Array(data.length);
  for (let idx = 0; idx < data.length; idx++) {
    if (Number.isNaN(data[idx] as number)) {
      mask[idx] = 1;
      x[idx] = means[idx % p] as number;
    }
  }
  return { x, mask };
}

/** Learns the imputer on the training rows (row-major, NaN = missing) and returns it with the imputed rows. */
export function fitIterative(features: string[], data: Float64Array, o: IterativeOptions): { state: IterativeState; imputed: Float64Array } {
  if (!(o.alpha > 0) || !Number.isFinite(o.alpha)) throw new RangeError(`iterative.alpha must be a positive number, got ${o.alpha}`);
  if (!Number.isInteger(o.maxIter) || o.maxIter < 0) throw new RangeError(`iterative.maxIter must be a whole number >= 0, got ${o.maxIter}`);
  if (!(o.tol >= 0)) throw new RangeError(`iterative.tol must be >= 0, got ${o.tol}`);
  const p = features.length;
  const n = p === 0 ? 0 : data.length / p;
  const means: number[] = [];
  const missing = new Float64Array(p);
  let maxAbs = 0;
  for (let j = 0; j < p; j++) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * p + j] as number;
      if (Number.isNaN(v)) missing[j] = (missing[j] as number) + 1;
      else {
        s += v;
        c++;
        maxAbs = Math.max(maxAbs, Math.abs(v));
      }
    }
    if (c === 0) throw new RangeError(`feature '${features[j]}': no value to impute from (every training row is missing it)`);
    means.push(s / c);
  }
  const { x, mask } = initialFill(data, means);
  const sequence: IterativeStep[] = [];
  let rounds = 0;
  let converged = false;
  const anyMissing = missing.some((c) => c > 0);
  // One feature has nothing to regress on; with no gap there is nothing to do (scikit-learn stops at once too).
  if (p > 1 && anyMissing && o.maxIter > 0) {
    const order = Array.from({ length: p }, (_, j) => j).sort((a, b) => (missing[a] as number) - (missing[b] as number) || a - b);
    const observedRows = order.map(() => [] as number[]);
    order.forEach((f, t) => {
      for (let i = 0; i < n; i++) if (mask[i * p + f] === 0) (observedRows[t] as number[]).push(i);
    });
    const tolAbs = o.tol * maxAbs;
    const previous = Float64Array.from(x);
    for (let round = 1; round <= o.maxIter; round++) {
      rounds = round;
      order.forEach((f, t) => {
        const step = ridge(x, p, f, observedRows[t] as number[], o.alpha);
        predictInto(x, mask, p, step);
        sequence.push(step);
      });
      let change = 0;
      for (let i = 0; i < n; i++) {
        let rowChange = 0;
        for (let j = 0; j < p; j++) rowChange += Math.abs((x[i * p + j] as number) - (previous[i * p + j] as number));
        change = Math.max(change, rowChange);
      }
      if (change < tolAbs) {
        converged = true;
        break;
      }
      previous.set(x);
    }
  }
  return { state: { features: [...features], means, sequence, rounds, converged }, imputed: x };
}

/**
 * The rows of `data` (row-major, the state's features in order, NaN = missing) imputed with the learnt regressions:
 * training means first, then every fitted regression in its order. On the training rows this gives back exactly what
 * fitIterative returned.
 */
export function imputeIterative(state: IterativeState, data: Float64Array): Float64Array {
  const p = state.features.length;
  const { x, mask } = initialFill(data, state.means);
  for (const step of state.sequence) predictInto(x, mask, p, step);
  return x;
}
