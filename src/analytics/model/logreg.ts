import type { BinaryClassifier, Contributions, Dataset } from './types.js';

/**
 * Binary logistic regression with an L2 penalty and an unpenalised intercept: the minimiser of
 *
 *   sum_i w_i * logloss(y_i, sigmoid(b + x_i . beta)) + 0.5 / C * ||beta||^2
 *
 * which is scikit-learn's `LogisticRegression(penalty='l2', C=C, fit_intercept=True)` objective, with sample weights
 * (class weights multiply into them). The solver is Newton's method with a Cholesky solve of the (d + 1) x (d + 1)
 * Hessian and a backtracking line search: propensity features number in the tens, so one Hessian pass per iteration
 * is affordable and the quadratic convergence gives scikit-learn's optimum to many digits in a handful of iterations.
 * The Hessian pass (O(n d^2)) is most of the cost: on many rows, the first iterations take the Hessian of a sample
 * of the rows (see `newton`). The solver reads the rows as given (no standardised copy of the matrix).
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
  const sw = data.weights ?? null;
  if (sw) {
    if (sw.length !== n) throw new RangeError(`weights has ${sw.length} entries for ${n} rows`);
    const bad = sw.findIndex((v) => !(v >= 0 && v < Number.POSITIVE_INFINITY));
    if (bad >= 0) throw new RangeError(`weight of row ${bad} must be finite and >= 0 (got ${sw[bad]})`);
  }
  // Row i weighs sw_i * cw[y_i]: class weights as a two-entry table, not a copy per row.
  const totals = new Float64Array(3);
  const badY = targetTotals(y, sw, totals);
  if (badY >= 0) throw new RangeError(`y must be 0 or 1 (row ${badY} has ${y[badY]})`);
  const nPos = totals[2] as number;
  // classWeights(y, 'balanced'): n / (2 count(class)), both classes being present (checked below).
  const cw = opts.classWeight === 'balanced' && nPos > 0 && nPos < n ? Float64Array.of(n / (2 * (n - nPos)), n / (2 * nPos)) : Float64Array.of(1, 1);
  const wPos = (cw[1] as number) * (totals[1] as number);
  const wSum = (cw[0] as number) * (totals[0] as number) + wPos;
  if (!(wPos > 0 && wPos < wSum)) throw new RangeError('the target needs both classes (with positive weight) to fit a classifier');

  // The solver works on x as given, centring (and scaling) each value as it reads it: no standardised copy of the
  // matrix. Centring always (the intercept is unpenalised, so it changes nothing but the conditioning); scaling on
  // request.
  const prior = wPos / wSum;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  // The first pass also gives the gradient at the start (beta = 0, intercept the prior's log-odds), where every row's
  // residual w_i (p_i - y_i) is (sw_i) x cw[y_i] (prior - y_i): the solver's first iteration needs no pass of its own.
  const g0 = new Float64Array(d + 1);
  const rq = Float64Array.of((cw[0] as number) * prior, (cw[1] as number) * (prior - 1));
  startSums(x, n, d, y, sw, rq, new Float64Array(BLOCK), new Float64Array(BLOCK).fill(1), mean, g0);
  for (let j = 0; j < d; j++) {
    if (!Number.isFinite(mean[j] as number)) refuseRow(x, firstNonFinite(x, d, 0, n), d, data.features);
    mean[j] = (mean[j] as number) / n;
  }
  centredSquares(x, n, d, mean, sd);
  const invScale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    // A constant column is left centred, not divided by zero (as StandardScaler does).
    const s = Math.sqrt((sd[j] as number) / n);
    sd[j] = s > 0 ? s : 1;
    invScale[j] = standardize ? 1 / (sd[j] as number) : 1;
  }

  const fit = newton({ x, n, d, mean, invScale, y, sw, cw, wSum, lambda: 1 / C }, prior, g0, tol, maxIter);
  // Fold the centring (and scaling) back into original units.
  const coef = new Float64Array(d);
  let intercept = fit.beta[d] as number;
  for (let j = 0; j < d; j++) {
    coef[j] = (fit.beta[j] as number) * (invScale[j] as number);
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

/**
 * One fit's objective, f(beta) = (1/wSum) [sum_i w_i logloss_i + lambda/2 ||beta_{0..d-1}||^2], on the standardised
 * design (x_ij - mean_j) * invScale_j, read from the row-major x. Row i weighs (sw ? sw_i : 1) * cw[y_i].
 */
interface Problem {
  x: Float64Array;
  n: number;
  d: number;
  mean: Float64Array;
  invScale: Float64Array;
  y: Uint8Array;
  sw: Float64Array | null;
  cw: Float64Array;
  wSum: number;
  lambda: number;
}

/** Rows of the sample whose Hessian stands in for the full one far from the optimum (used from 4 x as many rows). */
const SAMPLE_ROWS = 10_000;
/** The sampled Hessian serves while max |gradient| > SAMPLE_UNTIL x tol: the last steps take the exact one. */
const SAMPLE_UNTIL = 100;
/** Rows per block of a pass: a block of rows stays in cache while its columns are summed. */
const BLOCK = 128;

/**
 * Newton's method with an Armijo line search from beta = 0 and the prior's log-odds (g0: the gradient there, as
 * evaluate() leaves it). Each line-search trial is one O(n d) pass giving the objective and the gradient, so the
 * gradient of the next iteration is ready, and convergence is checked before any O(n d^2 / 2) Hessian pass.
 *
 * On many rows, the iterations far from the optimum (max |gradient| > SAMPLE_UNTIL x tol) take the Hessian of a fixed
 * systematic sample of about SAMPLE_ROWS rows, scaled to the total weight: within a few percent of the exact one, at
 * an eighth or less of the cost, while the exact gradient keeps every step a descent towards the exact optimum. The
 * last steps take the exact Hessian, so the fit ends in Newton's quadratic convergence, well below tol. A sampled
 * step that needs backtracking or cuts the gradient less than twofold hands over to the exact Hessian for good.
 */
function newton(p: Problem, prior: number, g0: Float64Array, tol: number, maxIter: number): { beta: Float64Array; converged: boolean; iterations: number; maxGradient: number } {
  const { x, n, d, mean, invScale, y, sw, cw, lambda } = p;
  const D = d + 1;
  const inv = 1 / p.wSum;
  const b0 = Math.log(prior / (1 - prior));
  const beta = new Float64Array(D);
  beta[d] = b0;
  const betaTry = new Float64Array(D);
  const c = new Float64Array(d);
  let g = Float64Array.from(g0);
  let gTry = new Float64Array(D);
  const grad = new Float64Array(D);
  const hess = new Float64Array(D * D);
  const chol = new Float64Array(D * D);
  const delta = new Float64Array(D);
  const hk = new Float64Array(BLOCK);
  const rk = new Float64Array(BLOCK);
  // The sample: rows 0, stride, 2 stride, ...; its Hessian is scaled by the total weight over the sample's.
  const stride = Math.floor(n / SAMPLE_ROWS);
  const sampleRows = Math.ceil(n / stride);
  const sampleWeight = stride >= 4 ? weightSum(y, sw, cw, stride) : 0;
  let useSample = sampleWeight > 0;
  // The objective at the start: softplus(b0) - y_i b0 on every row, no penalty.
  let f = Math.max(b0, 0) + Math.log1p(Math.exp(-Math.abs(b0))) - prior * b0;
  let iterations = 0;
  let sampled = false;
  let lastFullStep = false;
  let lastMaxGradient = Number.POSITIVE_INFINITY;
  for (;;) {
    let maxGradient = 0;
    for (let a = 0; a < D; a++) {
      // g holds sum_i r_i x_ij: centred here, (g_j - mean_j sum_i r_i), then scaled.
      const ga = a < d ? (((g[a] as number) - (mean[a] as number) * (g[d] as number)) * (invScale[a] as number) + lambda * (beta[a] as number)) * inv : (g[d] as number) * inv;
      grad[a] = ga;
      maxGradient = Math.max(maxGradient, Math.abs(ga));
    }
    if (maxGradient <= tol) return { beta, converged: true, iterations, maxGradient };
    if (iterations >= maxIter) return { beta, converged: false, iterations, maxGradient };
    iterations++;
    if (sampled && !(lastFullStep && maxGradient <= 0.5 * lastMaxGradient)) useSample = false;
    lastMaxGradient = maxGradient;

    sampled = useSample && maxGradient > SAMPLE_UNTIL * tol;
    hess.fill(0);
    const c0 = fold(beta, mean, invScale, c);
    hessianPass(x, d, mean, y, sw, cw, c, c0, sampled ? stride : 1, sampled ? sampleRows : n, hk, rk, hess);
    const s = sampled ? p.wSum / sampleWeight : 1;
    for (let a = 0; a < D; a++) {
      for (let b = a; b < D; b++) {
        // Centre the other side (see hessianPass), scale, add the penalty, normalise; mirror into the lower half.
        let v = hess[a * D + b] as number;
        if (b < d) v = (v - (mean[b] as number) * (hess[a * D + d] as number)) * (invScale[a] as number) * (invScale[b] as number) + (a === b ? lambda / s : 0);
        else if (a < d) v *= invScale[a] as number;
        hess[a * D + b] = v * s * inv;
        hess[b * D + a] = v * s * inv;
      }
    }
    factorSpd(hess, D, chol);
    solveCholesky(chol, grad, D, delta);
    // Armijo backtracking: the full Newton step is taken near the optimum (quadratic convergence); far from it, or
    // on (nearly) separable data without penalty, the step is halved until the objective decreases enough.
    let slope = 0;
    for (let a = 0; a < D; a++) slope += (grad[a] as number) * (delta[a] as number);
    let t = 1;
    let accepted = false;
    for (let k = 0; k < 50; k++) {
      for (let a = 0; a < D; a++) betaTry[a] = (beta[a] as number) - t * (delta[a] as number);
      gTry.fill(0);
      const penalty = 0.5 * lambda * betaTry.subarray(0, d).reduce((sq, v) => sq + v * v, 0);
      const fTry = (evaluate(x, n, d, y, sw, cw, c, fold(betaTry, mean, invScale, c), rk, gTry) + penalty) * inv;
      if (fTry <= f - 1e-4 * t * slope) {
        accepted = true;
        f = fTry;
        break;
      }
      t /= 2;
    }
    lastFullStep = accepted && t === 1;
    if (accepted) {
      beta.set(betaTry);
      [g, gTry] = [gTry, g];
    } else if (!sampled) {
      // No decrease at all along the Newton direction: the objective is flat to machine precision. The gradient
      // check above decides whether that counts as converged; another iteration would only repeat this one.
      return { beta, converged: false, iterations, maxGradient };
    }
  }
}

/**
 * The coefficients of beta (standardised units) on the rows as given: c_j = beta_j invScale_j, and the returned
 * intercept beta_d - sum_j mean_j c_j, so that z_i = intercept + x_i . c.
 */
function fold(beta: Float64Array, mean: Float64Array, invScale: Float64Array, c: Float64Array): number {
  let c0 = beta[c.length] as number;
  for (let j = 0; j < c.length; j++) {
    c[j] = (beta[j] as number) * (invScale[j] as number);
    c0 -= (mean[j] as number) * (c[j] as number);
  }
  return c0;
}

/**
 * Factors a symmetric positive (semi-)definite H = L L^T into L (Cholesky). Without penalty, a constant or duplicated
 * column makes H singular: a tiny ridge, grown tenfold until the factorisation succeeds, picks the minimum-norm-like
 * step instead of failing.
 */
function factorSpd(h: Float64Array, D: number, L: Float64Array): void {
  let maxDiag = 0;
  for (let a = 0; a < D; a++) maxDiag = Math.max(maxDiag, h[a * D + a] as number);
  for (let jitter = 0; ; jitter = jitter === 0 ? 1e-12 * maxDiag : jitter * 10) {
    if (cholesky(h, D, jitter, L)) return;
    if (jitter > maxDiag) throw new RangeError('logistic regression: the Hessian is not positive definite (features with NaN or infinite values?)');
  }
}

/** Solves L L^T x = g into out. */
function solveCholesky(L: Float64Array, g: Float64Array, D: number, out: Float64Array): void {
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

/*
 * The passes over the rows: small functions that are little more than their loops. V8 compiles a hot loop with the
 * type feedback gathered so far, and code that had none (after the loop, or run before the feedback existed) sends it
 * back to the interpreter, so the next call starts slow again: no work outside the loops, results stored as they come.
 */

/**
 * Adds into totals[0] and totals[1] the sample weights (1 without) of the negatives and of the positives, into
 * totals[2] the number of positives. Returns the first row whose y is not 0/1, or -1.
 */
function targetTotals(y: Uint8Array, sw: Float64Array | null, totals: Float64Array): number {
  for (let i = 0; i < y.length; i++) {
    const yi = y[i] as number;
    if (yi > 1) return i;
    totals[yi] = (totals[yi] as number) + (sw === null ? 1 : (sw[i] as number));
    totals[2] = (totals[2] as number) + yi;
  }
  return -1;
}

/** The weight of the rows 0, stride, 2 stride, ... */
function weightSum(y: Uint8Array, sw: Float64Array | null, cw: Float64Array, stride: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i += stride) s += (sw === null ? 1 : (sw[i] as number)) * (cw[y[i] as number] as number);
  return s;
}

/**
 * Adds into sum each column's sum (a NaN or infinity anywhere in a column makes it non-finite), and into g the sums
 * g_j = sum_i r_i x_ij and g_d = sum_i r_i for residuals that depend on the class only: r_i = (sw_i) x rq[y_i].
 */
function startSums(x: Float64Array, n: number, d: number, y: Uint8Array, sw: Float64Array | null, rq: Float64Array, rb: Float64Array, ones: Float64Array, sum: Float64Array, g: Float64Array): void {
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const len = Math.min(BLOCK, n - i0);
    let rSum = 0;
    for (let k = 0; k < len; k++) {
      const r = (sw === null ? 1 : (sw[i0 + k] as number)) * (rq[y[i0 + k] as number] as number);
      rb[k] = r;
      rSum += r;
    }
    addWeightedRows(x, i0 * d, d, d, len, rb, g, 0);
    addWeightedRows(x, i0 * d, d, d, len, ones, sum, 0);
    g[d] = (g[d] as number) + rSum;
  }
}

/** Adds each column's sum of squared deviations from its mean into out. */
function centredSquares(x: Float64Array, n: number, d: number, mean: Float64Array, out: Float64Array): void {
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const len = Math.min(BLOCK, n - i0);
    for (let j = 0; j < d; j++) {
      const m = mean[j] as number;
      let s = 0;
      for (let k = 0, at = i0 * d + j; k < len; k++, at += d) {
        const c = (x[at] as number) - m;
        s += c * c;
      }
      out[j] = (out[j] as number) + s;
    }
  }
}

/**
 * Adds sum_k r_k m[at + k stride + j] into g[gAt + j] for j = 0 .. width - 1: weighted column sums over len rows of
 * a row-major block (in cache), four columns at a time so that each r_k loaded serves four products.
 */
function addWeightedRows(m: Float64Array, at: number, stride: number, width: number, len: number, r: Float64Array, g: Float64Array, gAt: number): void {
  let j = 0;
  for (; j + 3 < width; j += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0, q = at + j; k < len; k++, q += stride) {
      const rk = r[k] as number;
      s0 += rk * (m[q] as number);
      s1 += rk * (m[q + 1] as number);
      s2 += rk * (m[q + 2] as number);
      s3 += rk * (m[q + 3] as number);
    }
    g[gAt + j] = (g[gAt + j] as number) + s0;
    g[gAt + j + 1] = (g[gAt + j + 1] as number) + s1;
    g[gAt + j + 2] = (g[gAt + j + 2] as number) + s2;
    g[gAt + j + 3] = (g[gAt + j + 3] as number) + s3;
  }
  for (; j < width; j++) {
    let s = 0;
    for (let k = 0, q = at + j; k < len; k++, q += stride) s += (r[k] as number) * (m[q] as number);
    g[gAt + j] = (g[gAt + j] as number) + s;
  }
}

/** x_i . c over the d columns of the row starting at x[row], four partial sums so that the additions pipeline. */
function rowDot(x: Float64Array, row: number, c: Float64Array, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += (x[row + j] as number) * (c[j] as number);
    s1 += (x[row + j + 1] as number) * (c[j + 1] as number);
    s2 += (x[row + j + 2] as number) * (c[j + 2] as number);
    s3 += (x[row + j + 3] as number) * (c[j + 3] as number);
  }
  for (; j < d; j++) s0 += (x[row + j] as number) * (c[j] as number);
  return s0 + s1 + (s2 + s3);
}

/**
 * At z_i = c0 + x_i . c over the n rows: returns the weighted log-loss sum_i w_i (softplus(z_i) - y_i z_i) and adds
 * into g the sums g_j = sum_i r_i x_ij and g_d = sum_i r_i, with r_i = w_i (p_i - y_i). One exp and one log1p per
 * row, from e = exp(-|z|) so that nothing overflows. By blocks of BLOCK rows: the residuals of a block go to rb, then
 * its rows, still in cache, are summed.
 */
function evaluate(x: Float64Array, n: number, d: number, y: Uint8Array, sw: Float64Array | null, cw: Float64Array, c: Float64Array, c0: number, rb: Float64Array, g: Float64Array): number {
  let loss = 0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const len = Math.min(BLOCK, n - i0);
    let rSum = 0;
    for (let k = 0; k < len; k++) {
      const i = i0 + k;
      const zi = c0 + rowDot(x, i * d, c, d);
      const e = Math.exp(-Math.abs(zi));
      const q = 1 / (1 + e);
      const p = zi >= 0 ? q : e * q;
      const yi = y[i] as number;
      const wi = (sw === null ? 1 : (sw[i] as number)) * (cw[yi] as number);
      loss += wi * ((zi > 0 ? zi : 0) + Math.log1p(e) - yi * zi);
      const ri = wi * (p - yi);
      rSum += ri;
      rb[k] = ri;
    }
    addWeightedRows(x, i0 * d, d, d, len, rb, g, 0);
    g[d] = (g[d] as number) + rSum;
  }
  return loss;
}

/**
 * Adds over `count` rows 0, step, 2 step, ..., with h_i = w_i p_i (1 - p_i) at z_i = c0 + x_i . c, the sums that give
 * the Hessian on the centred columns (scaling is left to the caller): into the upper triangle of hess (D x D,
 * D = d + 1), M_ab = sum_i h_i (x_ia - mean_a) x_ib for a <= b < d, S_a = sum_i h_i (x_ia - mean_a) in column d, and
 * sum_i h_i at (d, d). The centred entry is then M_ab - mean_b S_a: centring one side keeps the rounding error
 * relative to the spread of the columns, not to their means. By blocks of BLOCK rows, in cache while each row a of
 * the triangle is summed.
 */
function hessianPass(x: Float64Array, d: number, mean: Float64Array, y: Uint8Array, sw: Float64Array | null, cw: Float64Array, c: Float64Array, c0: number, step: number, count: number, hk: Float64Array, rk: Float64Array, hess: Float64Array): void {
  for (let k0 = 0; k0 < count; k0 += BLOCK) {
    const D = d + 1;
    const len = Math.min(BLOCK, count - k0);
    let hSum = 0;
    for (let k = 0; k < len; k++) {
      const i = (k0 + k) * step;
      const zi = c0 + rowDot(x, i * d, c, d);
      const e = Math.exp(-Math.abs(zi));
      const q = 1 / (1 + e);
      const h = (sw === null ? 1 : (sw[i] as number)) * (cw[y[i] as number] as number) * e * q * q;
      hk[k] = h;
      hSum += h;
    }
    for (let a = 0; a < d; a++) {
      const m = mean[a] as number;
      let rSum = 0;
      for (let k = 0, q = k0 * step * d + a; k < len; k++, q += step * d) {
        const r = (hk[k] as number) * ((x[q] as number) - m);
        rk[k] = r;
        rSum += r;
      }
      addWeightedRows(x, k0 * step * d + a, step * d, d - a, len, rk, hess, a * D + a);
      hess[a * D + d] = (hess[a * D + d] as number) + rSum;
    }
    hess[d * D + d] = (hess[d * D + d] as number) + hSum;
  }
}
