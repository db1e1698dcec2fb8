import { classWeights } from './imbalance.js';
import type { BinaryClassifier, Contributions, Dataset } from './types.js';

/**
 * Binary logistic regression with an L2 penalty and an unpenalised intercept: the minimiser of
 *
 *   sum_i w_i * logloss(y_i, sigmoid(b + x_i . beta)) + 0.5 / C * ||beta||^2
 *
 * which is scikit-learn's `LogisticRegression(penalty='l2', C=C, fit_intercept=True)` objective, with sample weights
 * (class weights multiply into them). The solver is Newton's method with a Cholesky solve of the (d + 1) x (d + 1)
 * Hessian and a backtracking line search: propensity features number in the tens, so one Hessian pass per iteration
 * is cheap and the quadratic convergence gives scikit-learn's optimum to many digits in a handful of iterations.
 *
 * Convergence is checked as scikit-learn's newton-cholesky solver does, on the objective divided by the total weight
 * (so `tol` does not depend on the number of rows): max |gradient| <= tol. A fit that reaches maxIter first says so
 * (`converged: false`); it is never passed off as converged.
 */

export interface LogRegOptions {
  /** Inverse penalty strength, as scikit-learn's C (default 1). `Infinity` fits without penalty. */
  C?: number;
  /**
   * Fit on z-scored features (mean 0, population standard deviation 1, unweighted, as scikit-learn's StandardScaler),
   * so that the penalty treats every feature alike whatever its unit (default true). The coefficients are folded
   * back: the model predicts from original units. Equivalent to a Pipeline(StandardScaler(), LogisticRegression()).
   */
  standardize?: boolean;
  /** 'balanced' multiplies each row's weight by n / (2 * count(its class)), as class_weight='balanced'. */
  classWeight?: 'balanced' | null;
  /** Gradient tolerance on the weight-normalised objective (default 1e-6). */
  tol?: number;
  /** Newton iterations at most (default 100). */
  maxIter?: number;
}

/** The JSON form of a fitted model (`toJSON`), read back by `logRegFromJSON`. */
export interface LogRegJSON {
  algorithm: 'logreg';
  version: 1;
  features: string[];
  /** Coefficients in original units and the intercept: logit = intercept + sum_j coef_j * x_j. */
  coef: number[];
  intercept: number;
  /** Training means and standard deviations of the features (contributions are centred on the means). */
  mean: number[];
  scale: number[];
  C: number | null;
  standardize: boolean;
  converged: boolean;
  iterations: number;
}

export class LogisticRegressionModel implements BinaryClassifier {
  readonly algorithm = 'logreg' as const;

  constructor(
    readonly features: string[],
    /** Per feature, in original units. */
    readonly coef: Float64Array,
    readonly intercept: number,
    /** Training mean and (population) standard deviation per feature; a constant feature has scale 1. */
    readonly mean: Float64Array,
    readonly scale: Float64Array,
    readonly C: number,
    readonly standardize: boolean,
    /** Whether the gradient fell below tol within maxIter. */
    readonly converged: boolean,
    /** Newton iterations taken. */
    readonly iterations: number,
    /** max |gradient| of the weight-normalised objective at the returned coefficients (NaN after fromJSON). */
    readonly maxGradient = Number.NaN,
  ) {}

  /** The change in log-odds per standard deviation of each feature: comparable across features. */
  get coefStandardized(): Float64Array {
    return this.coef.map((c, j) => c * (this.scale[j] as number));
  }

  /** The log-odds at the training means (the intercept of the standardised fit). */
  get interceptStandardized(): number {
    return this.base();
  }

  /** Log-odds (logit) per row. */
  decisionFunction(x: Float64Array, n: number): Float64Array {
    const d = this.features.length;
    checkShape(x, n, d);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z = this.intercept;
      const off = i * d;
      for (let j = 0; j < d; j++) z += (this.coef[j] as number) * (x[off + j] as number);
      if (!Number.isFinite(z)) refuseRow(x, i, d, this.features);
      out[i] = z;
    }
    return out;
  }

  predictProba(x: Float64Array, n: number): Float64Array {
    const z = this.decisionFunction(x, n);
    for (let i = 0; i < n; i++) z[i] = sigmoid(z[i] as number);
    return z;
  }

  /**
   * Linear terms centred on the training means: value_ij = coef_j * (x_ij - mean_j) and base = intercept +
   * coef . mean (the log-odds of an average customer), so base + sum_j value_ij is the row's logit. Centring makes a
   * contribution read as "how much this feature moves this customer away from the average one".
   */
  contributions(x: Float64Array, n: number): Contributions {
    const d = this.features.length;
    checkShape(x, n, d);
    const values = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const v = x[i * d + j] as number;
        if (!Number.isFinite(v)) refuseRow(x, i, d, this.features);
        values[i * d + j] = (this.coef[j] as number) * (v - (this.mean[j] as number));
      }
    }
    return { base: this.base(), values, scale: 'log-odds' };
  }

  toJSON(): LogRegJSON {
    return {
      algorithm: 'logreg',
      version: 1,
      features: [...this.features],
      coef: Array.from(this.coef),
      intercept: this.intercept,
      mean: Array.from(this.mean),
      scale: Array.from(this.scale),
      // JSON has no Infinity: an unpenalised fit is stored as null.
      C: Number.isFinite(this.C) ? this.C : null,
      standardize: this.standardize,
      converged: this.converged,
      iterations: this.iterations,
    };
  }

  private base(): number {
    let b = this.intercept;
    for (let j = 0; j < this.coef.length; j++) b += (this.coef[j] as number) * (this.mean[j] as number);
    return b;
  }
}

/**
 * Fits the model on a dataset (no NaN: impute first). Throws a RangeError naming the feature and row of the first
 * missing or infinite value, and on a target that is not 0/1 or has a single class.
 *
 * ```ts
 * const model = fitLogReg(train, { C: 1, classWeight: 'balanced' });
 * if (!model.converged) console.warn(`no convergence after ${model.iterations} iterations`);
 * const p = model.predictProba(test.x, test.n);
 * ```
 */
export function fitLogReg(data: Dataset, opts: LogRegOptions = {}): LogisticRegressionModel {
  const C = opts.C ?? 1;
  const standardize = opts.standardize ?? true;
  const tol = opts.tol ?? 1e-6;
  const maxIter = opts.maxIter ?? 100;
  if (!(C > 0)) throw new RangeError(`C must be positive (got ${C})`);
  if (!(tol > 0)) throw new RangeError(`tol must be positive (got ${tol})`);
  if (!(Number.isInteger(maxIter) && maxIter >= 0)) throw new RangeError(`maxIter must be a non-negative integer (got ${maxIter})`);
  const { n, d, x, y } = data;
  checkShape(x, n, d);
  if (data.features.length !== d) throw new RangeError(`${data.features.length} feature names for ${d} columns`);
  if (y.length !== n) throw new RangeError(`y has ${y.length} entries for ${n} rows`);

  const w = rowWeights(data, opts.classWeight ?? null);
  let wSum = 0;
  let wPos = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i] as number;
    if (yi !== 0 && yi !== 1) throw new RangeError(`y must be 0 or 1 (row ${i} has ${yi})`);
    wSum += w[i] as number;
    if (yi === 1) wPos += w[i] as number;
  }
  if (!(wPos > 0 && wPos < wSum)) throw new RangeError('the target needs both classes (with positive weight) to fit a classifier');

  // Centre always (the intercept is unpenalised, so centring changes nothing but the conditioning); scale on request.
  // The working copy is column-major: every pass of the solver is then a set of contiguous dot products.
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  const xs = new Float64Array(n * d);
  // Transposed by blocks of rows that stay in cache (whole-column strided reads would sweep the matrix d times).
  for (let i0 = 0; i0 < n; i0 += 256) {
    const i1 = Math.min(n, i0 + 256);
    for (let j = 0; j < d; j++) {
      let m = 0;
      for (let i = i0; i < i1; i++) {
        const v = x[i * d + j] as number;
        if (!Number.isFinite(v)) refuseRow(x, firstNonFinite(x, d, i0, i1), d, data.features);
        xs[j * n + i] = v;
        m += v;
      }
      mean[j] = (mean[j] as number) + m;
    }
  }
  for (let j = 0; j < d; j++) {
    const col = xs.subarray(j * n, (j + 1) * n);
    const m = (mean[j] as number) / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const c = (col[i] as number) - m;
      col[i] = c;
      ss += c * c;
    }
    // A constant column is left centred, not divided by zero (as StandardScaler does).
    const sdj = Math.sqrt(ss / n);
    const s = sdj > 0 ? sdj : 1;
    mean[j] = m;
    sd[j] = s;
    if (standardize) for (let i = 0; i < n; i++) col[i] = (col[i] as number) / s;
  }

  const prior = wPos / wSum;
  const fit = newton(xs, n, d, y, w, wSum, 1 / C, Math.log(prior / (1 - prior)), tol, maxIter);
  // Fold the centring (and scaling) back into original units.
  const coef = new Float64Array(d);
  let intercept = fit.beta[d] as number;
  for (let j = 0; j < d; j++) {
    coef[j] = (fit.beta[j] as number) / (standardize ? (sd[j] as number) : 1);
    intercept -= (coef[j] as number) * (mean[j] as number);
  }
  return new LogisticRegressionModel([...data.features], coef, intercept, mean, sd, C, standardize, fit.converged, fit.iterations, fit.maxGradient);
}

/** Rebuilds a model from its `toJSON()` form (as read back from storage); throws a TypeError on a malformed one. */
export function logRegFromJSON(json: unknown): LogisticRegressionModel {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TypeError('logreg model: expected an object');
  const o: Record<string, unknown> = { ...json };
  if (o.algorithm !== 'logreg' || o.version !== 1) throw new TypeError('logreg model: algorithm must be "logreg" and version 1');
  const features: unknown = o.features;
  if (!Array.isArray(features)) throw new TypeError('logreg model: features must be an array of strings');
  const names = features.map((f: unknown) => {
    if (typeof f !== 'string') throw new TypeError('logreg model: features must be an array of strings');
    return f;
  });
  const d = names.length;
  const vector = (key: string): Float64Array => {
    const v: unknown = o[key];
    if (!Array.isArray(v) || v.length !== d) throw new TypeError(`logreg model: ${key} must be ${d} finite numbers`);
    return Float64Array.from(v, (e: unknown) => {
      if (typeof e !== 'number' || !Number.isFinite(e)) throw new TypeError(`logreg model: ${key} must be ${d} finite numbers`);
      return e;
    });
  };
  const finite = (key: string): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`logreg model: ${key} must be a finite number`);
    return v;
  };
  const C = o.C === null ? Number.POSITIVE_INFINITY : finite('C');
  if (typeof o.standardize !== 'boolean' || typeof o.converged !== 'boolean') throw new TypeError('logreg model: standardize and converged must be booleans');
  return new LogisticRegressionModel(names, vector('coef'), finite('intercept'), vector('mean'), vector('scale'), C, o.standardize, o.converged, finite('iterations'));
}

interface NewtonResult {
  beta: Float64Array;
  converged: boolean;
  iterations: number;
  maxGradient: number;
}

/**
 * Newton's method on f(beta) = (1/W) [sum_i w_i (softplus(z_i) - y_i z_i) + lambda/2 ||beta_{0..d-1}||^2], z = X beta
 * + intercept, X column-major (n rows, d columns). Each iteration computes the gradient (d dot products), checks
 * convergence, and only then builds the Hessian (one blocked pass, O(n d^2 / 2)). The line search needs X.delta once
 * and then O(n) per trial step.
 */
function newton(xs: Float64Array, n: number, d: number, y: Uint8Array, w: Float64Array, wSum: number, lambda: number, b0: number, tol: number, maxIter: number): NewtonResult {
  const D = d + 1;
  const cols: Float64Array[] = [];
  for (let j = 0; j < d; j++) cols.push(xs.subarray(j * n, (j + 1) * n));
  const beta = new Float64Array(D);
  beta[d] = b0;
  const z = new Float64Array(n);
  const zDir = new Float64Array(n);
  const zTry = new Float64Array(n);
  const r = new Float64Array(n);
  const h = new Float64Array(n);
  const hx = new Float64Array(HESSIAN_BLOCK);
  const grad = new Float64Array(D);
  const hess = new Float64Array(D * D);
  const inv = 1 / wSum;
  computeZ(cols, n, beta, z);
  let f = objective(z, y, w, beta, d, lambda, inv);
  let iterations = 0;
  for (;;) {
    // Residuals r = w (p - y) and curvatures h = w p (1 - p).
    let rSum = 0;
    let hSum = 0;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(z[i] as number);
      const wi = w[i] as number;
      const ri = wi * (p - (y[i] as number));
      const hi = wi * p * (1 - p);
      r[i] = ri;
      h[i] = hi;
      rSum += ri;
      hSum += hi;
    }
    let maxGradient = 0;
    for (let a = 0; a < D; a++) {
      const g = a < d ? (dot(cols[a] as Float64Array, r, n) + lambda * (beta[a] as number)) * inv : rSum * inv;
      grad[a] = g;
      maxGradient = Math.max(maxGradient, Math.abs(g));
    }
    if (maxGradient <= tol) return { beta, converged: true, iterations, maxGradient };
    if (iterations >= maxIter) return { beta, converged: false, iterations, maxGradient };
    iterations++;

    hess.fill(0);
    accumulateHessian(cols, h, n, d, hx, hess);
    for (let a = 0; a < d; a++) hess[a * D + a] = (hess[a * D + a] as number) + lambda;
    hess[d * D + d] = hSum;
    for (let a = 0; a < D; a++) {
      for (let b = a; b < D; b++) {
        const v = (hess[a * D + b] as number) * inv;
        hess[a * D + b] = v;
        hess[b * D + a] = v;
      }
    }

    const delta = solveSpd(hess, grad, D);
    computeZ(cols, n, delta, zDir);
    // Armijo backtracking: the full Newton step is taken near the optimum (quadratic convergence); far from it, or
    // on (nearly) separable data without penalty, the step is halved until the objective decreases enough.
    let slope = 0;
    for (let a = 0; a < D; a++) slope += (grad[a] as number) * (delta[a] as number);
    let t = 1;
    let accepted = false;
    const betaTry = new Float64Array(D);
    for (let k = 0; k < 50; k++) {
      for (let i = 0; i < n; i++) zTry[i] = (z[i] as number) - t * (zDir[i] as number);
      for (let a = 0; a < D; a++) betaTry[a] = (beta[a] as number) - t * (delta[a] as number);
      const fTry = objective(zTry, y, w, betaTry, d, lambda, inv);
      if (fTry <= f - 1e-4 * t * slope) {
        beta.set(betaTry);
        z.set(zTry);
        f = fTry;
        accepted = true;
        break;
      }
      t /= 2;
    }
    // No decrease at all along the Newton direction: the objective is flat to machine precision. The gradient check
    // above decides whether that counts as converged; another iteration would only repeat this one.
    if (!accepted) return { beta, converged: false, iterations, maxGradient };
  }
}

/** Rows per block of the Hessian pass: a block of every column stays in cache while all pairs are summed over it. */
const HESSIAN_BLOCK = 512;

/**
 * Adds X^T diag(h) [X 1] into the upper triangle of hess ((d + 1) x (d + 1), row-major), block of rows by block of
 * rows, and four columns b at a time so that each h_i x_ia loaded serves four products.
 */
function accumulateHessian(cols: Float64Array[], h: Float64Array, n: number, d: number, hx: Float64Array, hess: Float64Array): void {
  const D = d + 1;
  for (let i0 = 0; i0 < n; i0 += HESSIAN_BLOCK) {
    const len = Math.min(HESSIAN_BLOCK, n - i0);
    for (let a = 0; a < d; a++) {
      const ca = cols[a] as Float64Array;
      let sa = 0;
      for (let i = 0; i < len; i++) {
        const v = (h[i0 + i] as number) * (ca[i0 + i] as number);
        hx[i] = v;
        sa += v;
      }
      hess[a * D + d] = (hess[a * D + d] as number) + sa;
      let b = a;
      for (; b + 3 < d; b += 4) {
        const c0 = cols[b] as Float64Array;
        const c1 = cols[b + 1] as Float64Array;
        const c2 = cols[b + 2] as Float64Array;
        const c3 = cols[b + 3] as Float64Array;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = 0; i < len; i++) {
          const v = hx[i] as number;
          const k = i0 + i;
          s0 += v * (c0[k] as number);
          s1 += v * (c1[k] as number);
          s2 += v * (c2[k] as number);
          s3 += v * (c3[k] as number);
        }
        const base = a * D + b;
        hess[base] = (hess[base] as number) + s0;
        hess[base + 1] = (hess[base + 1] as number) + s1;
        hess[base + 2] = (hess[base + 2] as number) + s2;
        hess[base + 3] = (hess[base + 3] as number) + s3;
      }
      for (; b < d; b++) {
        const cb = cols[b] as Float64Array;
        let s0 = 0;
        for (let i = 0; i < len; i++) s0 += (hx[i] as number) * (cb[i0 + i] as number);
        hess[a * D + b] = (hess[a * D + b] as number) + s0;
      }
    }
  }
}

/** x . y over n entries, four accumulators so that the additions pipeline. */
function dot(x: Float64Array, y: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += (x[i] as number) * (y[i] as number);
    s1 += (x[i + 1] as number) * (y[i + 1] as number);
    s2 += (x[i + 2] as number) * (y[i + 2] as number);
    s3 += (x[i + 3] as number) * (y[i + 3] as number);
  }
  for (; i < n; i++) s0 += (x[i] as number) * (y[i] as number);
  return s0 + s1 + (s2 + s3);
}

function computeZ(cols: Float64Array[], n: number, beta: Float64Array, out: Float64Array): void {
  const d = cols.length;
  out.fill(beta[d] as number);
  for (let j = 0; j < d; j++) {
    const c = cols[j] as Float64Array;
    const bj = beta[j] as number;
    for (let i = 0; i < n; i++) out[i] = (out[i] as number) + bj * (c[i] as number);
  }
}

function objective(z: Float64Array, y: Uint8Array, w: Float64Array, beta: Float64Array, d: number, lambda: number, inv: number): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i] as number;
    // softplus(z) - y z, without overflow for large |z|.
    const sp = zi > 0 ? zi + Math.log1p(Math.exp(-zi)) : Math.log1p(Math.exp(zi));
    s += (w[i] as number) * (sp - (y[i] as number) * zi);
  }
  let pen = 0;
  for (let j = 0; j < d; j++) pen += (beta[j] as number) ** 2;
  return (s + 0.5 * lambda * pen) * inv;
}

/**
 * Solves H x = g for a symmetric positive (semi-)definite H by Cholesky. Without penalty, a constant or duplicated
 * column makes H singular: a tiny ridge, grown tenfold until the factorisation succeeds, picks the minimum-norm-like
 * step instead of failing.
 */
function solveSpd(h: Float64Array, g: Float64Array, D: number): Float64Array {
  let maxDiag = 0;
  for (let a = 0; a < D; a++) maxDiag = Math.max(maxDiag, h[a * D + a] as number);
  const L = new Float64Array(D * D);
  for (let jitter = 0; ; jitter = jitter === 0 ? 1e-12 * maxDiag : jitter * 10) {
    if (cholesky(h, D, jitter, L)) break;
    if (jitter > maxDiag) throw new RangeError('logistic regression: the Hessian is not positive definite (features with NaN or infinite values?)');
  }
  const out = new Float64Array(D);
  for (let a = 0; a < D; a++) {
    let s = g[a] as number;
    for (let k = 0; k < a; k++) s -= (L[a * D + k] as number) * (out[k] as number);
    out[a] = s / (L[a * D + a] as number);
  }
  for (let a = D - 1; a >= 0; a--) {
    let s = out[a] as number;
    for (let k = a + 1; k < D; k++) s -= (L[k * D + a] as number) * (out[k] as number);
    out[a] = s / (L[a * D + a] as number);
  }
  return out;
}

function cholesky(h: Float64Array, D: number, jitter: number, L: Float64Array): boolean {
  L.fill(0);
  for (let a = 0; a < D; a++) {
    for (let b = 0; b <= a; b++) {
      let s = (h[a * D + b] as number) + (a === b ? jitter : 0);
      for (let k = 0; k < b; k++) s -= (L[a * D + k] as number) * (L[b * D + k] as number);
      if (a === b) {
        if (!(s > 0)) return false;
        L[a * D + a] = Math.sqrt(s);
      } else {
        L[a * D + b] = s / (L[b * D + b] as number);
      }
    }
  }
  return true;
}

function rowWeights(data: Dataset, classWeight: 'balanced' | null): Float64Array {
  const w = data.weights ? Float64Array.from(data.weights) : new Float64Array(data.n).fill(1);
  if (w.length !== data.n) throw new RangeError(`weights has ${w.length} entries for ${data.n} rows`);
  for (let i = 0; i < data.n; i++) if (!((w[i] as number) >= 0 && Number.isFinite(w[i] as number))) throw new RangeError(`weight of row ${i} must be finite and >= 0 (got ${w[i]})`);
  if (classWeight === 'balanced') {
    const cw = classWeights(data.y, 'balanced');
    for (let i = 0; i < data.n; i++) w[i] = (w[i] as number) * (cw[i] as number);
  }
  return w;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function checkShape(x: Float64Array, n: number, d: number): void {
  if (!(Number.isInteger(n) && n >= 0) || x.length !== n * d) throw new RangeError(`x has ${x.length} values, expected n * d = ${n} * ${d}`);
}

/** The first row in [i0, i1) holding a non-finite value, so that the error names the first bad row. */
function firstNonFinite(x: Float64Array, d: number, i0: number, i1: number): number {
  for (let i = i0; i < i1; i++) for (let j = 0; j < d; j++) if (!Number.isFinite(x[i * d + j] as number)) return i;
  return i0;
}

function refuseRow(x: Float64Array, i: number, d: number, features: string[]): never {
  for (let j = 0; j < d; j++) {
    const v = x[i * d + j] as number;
    if (!Number.isFinite(v)) {
      throw new RangeError(`feature "${features[j] ?? j}" is ${Number.isNaN(v) ? 'missing (NaN)' : v} in row ${i}: logistic regression needs complete rows (impute first)`);
    }
  }
  throw new RangeError(`row ${i} gives a non-finite log-odds`);
}
