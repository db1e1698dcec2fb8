import { Rng } from '../../kernel/index.js';
import { classWeights } from './imbalance.js';
import {
  activationCode,
  adamStep,
  backprop,
  expit,
  forward,
  forwardRow,
  gatherRows,
  gatherTargets,
  gatherWeights,
  gaussLegendre,
  inputGradient,
  makeNet,
  makePathScratch,
  makeTransposed,
  makeWorkspace,
  reluBreakpoints,
  transposeWeights,
  IDENTITY,
  RELU,
  type Activation,
  type Adam,
  type Net,
  type PathScratch,
} from './mlp-kernel.js';
import { copyRows, stratifiedSplit } from './split.js';
import type { BinaryClassifier, Contributions, Dataset } from './types.js';

/**
 * A multi-layer perceptron for a binary target, trained as scikit-learn 1.2's MLPClassifier with solver='adam':
 * hidden layers with one activation, one logistic output unit, the clipped binary log-loss averaged over each
 * minibatch plus 0.5 alpha sum(W^2) / batch size (intercepts not penalised), backpropagation, Adam with
 * scikit-learn's bias-correction form, and its epoch loop: the epoch loss is the batch-size-weighted mean of the batch
 * losses, and training stops when it has not improved by tol for more than nIterNoChange epochs in a row (or, with
 * earlyStopping, the validation accuracy has not), else after maxIter epochs with `converged: false` (scikit-learn
 * warns ConvergenceWarning; here the flag says it, and it is never passed off as converged).
 *
 * From the same initial weights (`init`) and without shuffling, a fit reproduces scikit-learn's weights, loss curve
 * and probabilities to about 1e-14 relative (mlp.test.ts). Random initialisation is Glorot-uniform as scikit-learn's, drawn
 * from Segmentum's seeded Rng, and the shuffles and the early-stopping split come from it too: the same seed gives
 * the same model here, but not numpy's numbers.
 *
 * Sample weights (scikit-learn 1.2's MLP has none): row i's loss and gradient terms are multiplied by w_i, and a
 * batch's sums are divided by its weight sum instead of its row count, the L2 term included (0.5 alpha sum(W^2) /
 * weight sum). All-ones weights then give scikit-learn's numbers exactly, and integer weights act as duplicated rows
 * (weight 2 on every row halves the penalty, as the data twice would). A batch whose rows all weigh 0 is skipped.
 * The early-stopping score is the weighted accuracy.
 *
 * Features are taken as given: the caller z-scores them (as for logistic regression), and NaN is refused.
 */

export interface MlpSettings {
  /**
   * Units per hidden layer (default [32]). scikit-learn's default is [100]; propensity tables have tens of features,
   * and there 32 units come close (test AUC 0.939 against 0.942 on 100,000 x 20 benchmark rows after 20 epochs) at
   * half the training time.
   */
  hiddenLayerSizes: number[];
  /** Hidden-layer activation (default 'relu'). */
  activation: Activation;
  /** Only Adam (scikit-learn's default solver). */
  solver: 'adam';
  /** L2 penalty on the weights (default 1e-4). */
  alpha: number;
  /** Rows per minibatch; null: min(200, rows), as scikit-learn's 'auto'. Clipped to [1, rows]. */
  batchSize: number | null;
  learningRateInit: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Epochs at most (default 200). */
  maxIter: number;
  /** Improvement of the epoch loss (or validation accuracy) that counts (default 1e-4). */
  tol: number;
  /** Stop after more than this many epochs in a row without such an improvement (default 10). */
  nIterNoChange: number;
  /** Shuffle the rows before each epoch (default true). */
  shuffle: boolean;
  /** Seeds the initial weights, the early-stopping split and the shuffles (default 0). */
  seed: number;
  /** Hold out a stratified validationFraction of the rows, stop on their accuracy and keep the best epoch's weights. */
  earlyStopping: boolean;
  validationFraction: number;
  /** 'balanced' multiplies each row's weight by n / (2 x count(its class)), as class_weight='balanced'. */
  classWeight: 'balanced' | null;
}

/** Weights and intercepts per layer, as scikit-learn's coefs_ (fan_in x fan_out, row-major) and intercepts_. */
export interface MlpWeights {
  coefs: ArrayLike<number>[];
  intercepts: ArrayLike<number>[];
}

/** What `onEpoch` sees after each epoch. The weights are views into the live network: copy them to keep them. */
export interface MlpEpoch {
  epoch: number;
  loss: number;
  validationScore: number | null;
  weights: { coefs: Float64Array[]; intercepts: Float64Array[] };
}

export interface MlpOptions extends Partial<MlpSettings> {
  /** Initial weights (a warm start, e.g. `model.weights()`, or a fixed start); Adam starts afresh. */
  init?: MlpWeights;
  /** Called after each epoch (progress reporting; the tests check early stopping with it). */
  onEpoch?: (epoch: MlpEpoch) => void;
}

/** The JSON form of a fitted model (`toJSON`), read back by `mlpFromJSON`. */
export interface MlpJSON {
  algorithm: 'mlp';
  version: 1;
  features: string[];
  options: MlpSettings;
  coefs: number[][];
  intercepts: number[][];
  /** Training means of the features: the baseline of the explanations. */
  mean: number[];
  lossCurve: number[];
  validationScores: number[] | null;
  converged: boolean;
  iterations: number;
}

/** Gauss-Legendre nodes for the integrated gradients of smooth activations (tanh, logistic). */
const IG_NODES = 32;
const GL = gaussLegendre(IG_NODES);
/** Rows per block of a prediction pass. */
const BLOCK = 256;

export class MlpModel implements BinaryClassifier {
  readonly algorithm = 'mlp' as const;
  private readonly net: Net;

  constructor(
    readonly features: string[],
    readonly options: MlpSettings,
    /** All parameters: every layer's coefficients, then every layer's intercepts (see weights()). */
    params: Float64Array,
    /** Training mean per feature (unweighted): the baseline of contributions(). */
    readonly mean: Float64Array,
    /** Epoch losses (scikit-learn's loss_curve_). */
    readonly lossCurve: number[],
    /** Validation accuracy per epoch with earlyStopping, else null. */
    readonly validationScores: number[] | null,
    /** Whether training stopped by the no-improvement rule before maxIter epochs. */
    readonly converged: boolean,
    /** Epochs run (scikit-learn's n_iter_). */
    readonly iterations: number,
    /** The held-out rows (indices into the training data) with earlyStopping; null otherwise and after fromJSON. */
    readonly validationRows: Uint32Array | null = null,
  ) {
    this.net = makeNet([features.length, ...options.hiddenLayerSizes, 1], activationCode(options.activation), params);
  }

  /** A copy of the weights, as scikit-learn's coefs_ and intercepts_ (usable as `init` for a warm start). */
  weights(): { coefs: Float64Array[]; intercepts: Float64Array[] } {
    return { coefs: this.net.coefs.map((c) => Float64Array.from(c)), intercepts: this.net.intercepts.map((b) => Float64Array.from(b)) };
  }

  /** Log-odds (the output unit's input) per row. */
  decisionFunction(x: Float64Array, n: number): Float64Array {
    const d = this.features.length;
    checkRows(x, n, d, this.features);
    const sizes = this.net.sizes;
    const outs = sizes.slice(1).map((u) => new Float64Array(Math.min(BLOCK, n) * u));
    const wt = makeTransposed(sizes);
    transposeWeights(this.net, wt);
    const logit = new Float64Array(n);
    for (let i0 = 0; i0 < n; i0 += BLOCK) {
      const rows = Math.min(BLOCK, n - i0);
      forward(this.net, wt, x, i0 * d, rows, outs);
      logit.set(outs[outs.length - 1]!.subarray(0, rows), i0);
    }
    return logit;
  }

  predictProba(x: Float64Array, n: number): Float64Array {
    const z = this.decisionFunction(x, n);
    for (let i = 0; i < n; i++) z[i] = expit(z[i]!);
    return z;
  }

  /**
   * Integrated gradients (Sundararajan, Taly and Yan 2017) on the log-odds, from the training means: value_ij =
   * (x_ij - mean_j) x the average over the straight path from the means to the row of d logit / d x_j, and base =
   * the logit at the means. These are integrated gradients, not exact Shapley values (they coincide with them, and
   * with logistic regression's centred terms, only where the net is additive in the features).
   *
   * Completeness (base + sum_j value_ij = the row's logit) holds up to the error of the path integral. With ReLU (and
   * identity) the net is piecewise affine along the path: the integral is taken exactly, interval by interval between
   * the points where some unit switches (mlp-kernel.ts, reluBreakpoints), so the gap is rounding only. With tanh or
   * logistic units the integrand is smooth (analytic) and the integral is a 32-node Gauss-Legendre quadrature, whose
   * error falls geometrically with the nodes rather than as 1/steps^2 for a midpoint rule (below 1e-15 on the tests'
   * nets, which allow 1e-8). Cost per row: one forward and one backward pass per interval or node (at most
   * units + 1 intervals for one ReLU layer).
   */
  contributions(x: Float64Array, n: number): Contributions {
    const d = this.features.length;
    checkRows(x, n, d, this.features);
    const net = this.net;
    const s = makePathScratch(net);
    const base = forwardRow(net, this.mean, s);
    const values = new Float64Array(n * d);
    const delta = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) delta[j] = x[i * d + j]! - this.mean[j]!;
      s.acc.fill(0);
      if (net.act === RELU) {
        const pts = reluBreakpoints(net, this.mean, delta, s);
        for (let q = 0; q + 1 < pts.length; q++) addGradient(net, this.mean, delta, (pts[q]! + pts[q + 1]!) / 2, pts[q + 1]! - pts[q]!, s);
      } else if (net.act === IDENTITY) {
        addGradient(net, this.mean, delta, 0.5, 1, s);
      } else {
        for (let q = 0; q < IG_NODES; q++) addGradient(net, this.mean, delta, GL.nodes[q]!, GL.weights[q]!, s);
      }
      for (let j = 0; j < d; j++) values[i * d + j] = delta[j]! * s.acc[j]!;
    }
    return { base, values, scale: 'log-odds' };
  }

  toJSON(): MlpJSON {
    return {
      algorithm: 'mlp',
      version: 1,
      features: [...this.features],
      options: { ...this.options, hiddenLayerSizes: [...this.options.hiddenLayerSizes] },
      coefs: this.net.coefs.map((c) => Array.from(c)),
      intercepts: this.net.intercepts.map((b) => Array.from(b)),
      mean: Array.from(this.mean),
      lossCurve: [...this.lossCurve],
      validationScores: this.validationScores ? [...this.validationScores] : null,
      converged: this.converged,
      iterations: this.iterations,
    };
  }
}

/** Adds weight x d logit / d x at base + alpha delta into s.acc. */
function addGradient(net: Net, base: Float64Array, delta: Float64Array, alpha: number, weight: number, s: PathScratch): void {
  for (let j = 0; j < base.length; j++) s.point[j] = base[j]! + alpha * delta[j]!;
  forwardRow(net, s.point, s);
  inputGradient(net, s);
  for (let j = 0; j < base.length; j++) s.acc[j] = s.acc[j]! + weight * s.inGrad[j]!;
}

/**
 * Fits the network (no NaN: impute first; z-score the features first, as for logistic regression). Throws a
 * RangeError naming the feature and row of the first missing or infinite value, on a target that is not 0/1 or has
 * a single class, and on options out of range.
 *
 * ```ts
 * const model = fitMlp(train, { hiddenLayerSizes: [32], earlyStopping: true, seed: 7 });
 * if (!model.converged) console.warn(`no convergence after ${model.iterations} epochs`);
 * const p = model.predictProba(test.x, test.n);
 * const why = model.contributions(test.x.subarray(0, test.d), 1); // integrated gradients, log-odds
 * ```
 */
export function fitMlp(data: Dataset, opts: MlpOptions = {}): MlpModel {
  const o = resolveSettings(opts);
  const { x, n, d, y } = data;
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1)) throw new RangeError(`need at least one row and one column (got ${n} x ${d})`);
  if (data.features.length !== d) throw new RangeError(`${data.features.length} feature names for ${d} columns`);
  if (y.length !== n) throw new RangeError(`y has ${y.length} entries for ${n} rows`);
  checkRows(x, n, d, data.features);
  const w = rowWeights(data, o.classWeight);

  const sizes = [d, ...o.hiddenLayerSizes, 1];
  const act = activationCode(o.activation);
  const net = makeNet(sizes, act);
  const rng = new Rng(o.seed);
  if (opts.init) setWeights(net, opts.init);
  else glorot(net, o.activation, rng);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / n;

  // The training rows (all, or those left by the validation split), contiguous.
  let xT = x;
  let yT = Float64Array.from(y);
  let wT = w;
  let val: { x: Float64Array; y: Uint8Array; w: Float64Array | null; n: number; rows: Uint32Array } | null = null;
  if (o.earlyStopping) {
    // After the initial weights, as scikit-learn draws its split from the same random state.
    const split = stratifiedSplit(y, o.validationFraction, rng.uint32());
    xT = copyRows(x, d, split.train);
    yT = Float64Array.from(split.train, (i) => y[i]!);
    wT = w ? Float64Array.from(split.train, (i) => w[i]!) : null;
    val = { x: copyRows(x, d, split.test), y: Uint8Array.from(split.test, (i) => y[i]!), w: w ? Float64Array.from(split.test, (i) => w[i]!) : null, n: split.test.length, rows: split.test };
  }
  const nT = yT.length;
  let totalWeight = nT;
  if (wT) {
    totalWeight = 0;
    for (let i = 0; i < nT; i++) totalWeight += wT[i]!;
    if (!(totalWeight > 0)) throw new RangeError('the training rows (after the validation split) carry no weight');
  }

  const batch = o.batchSize === null ? Math.min(200, nT) : Math.max(1, Math.min(o.batchSize, nT));
  const ws = makeWorkspace(sizes, act, batch);
  const adam: Adam = { m: new Float64Array(net.params.length), v: new Float64Array(net.params.length), t: 0, lr: o.learningRateInit, beta1: o.beta1, beta2: o.beta2, eps: o.epsilon };
  const xb = new Float64Array(batch * d);
  const yb = new Float64Array(batch);
  const wb = new Float64Array(batch);
  const order = new Uint32Array(nT);
  for (let i = 0; i < nT; i++) order[i] = i;

  const lossCurve: number[] = [];
  const scores: number[] | null = val ? [] : null;
  const best = val ? Float64Array.from(net.params) : null;
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestScore = Number.NEGATIVE_INFINITY;
  let noImprovement = 0;
  let converged = false;
  let epoch = 0;
  while (epoch < o.maxIter) {
    if (o.shuffle) shuffleInPlace(order, rng);
    let accumulated = 0;
    for (let start = 0; start < nT; start += batch) {
      const rows = Math.min(batch, nT - start);
      let norm = rows;
      if (wT) norm = gatherWeights(order, start, rows, wT, wb);
      if (!(norm > 0)) continue;
      gatherTargets(order, start, rows, yT, yb);
      if (o.shuffle) gatherRows(order, start, rows, xT, d, xb);
      const loss = backprop(net, o.shuffle ? xb : xT, o.shuffle ? 0 : start * d, rows, yb, wT ? wb : null, norm, o.alpha, ws);
      accumulated += loss * norm;
      adamStep(adam, net.params, ws.grads.params);
    }
    epoch++;
    const loss = accumulated / totalWeight;
    lossCurve.push(loss);
    let score: number | null = null;
    if (val && scores && best) {
      // scikit-learn's _update_no_improvement_count with early stopping: accuracy, best weights kept.
      transposeWeights(net, ws.wt);
      score = accuracy(net, ws.wt, val.x, val.y, val.w, val.n, ws.outs, batch);
      scores.push(score);
      noImprovement = score < bestScore + o.tol ? noImprovement + 1 : 0;
      if (score > bestScore) {
        bestScore = score;
        best.set(net.params);
      }
    } else {
      noImprovement = loss > bestLoss - o.tol ? noImprovement + 1 : 0;
      if (loss < bestLoss) bestLoss = loss;
    }
    opts.onEpoch?.({ epoch, loss, validationScore: score, weights: { coefs: net.coefs, intercepts: net.intercepts } });
    if (noImprovement > o.nIterNoChange) {
      converged = true;
      break;
    }
  }
  if (best) net.params.set(best);
  for (let q = 0; q < net.params.length; q++) {
    if (!Number.isFinite(net.params[q]!)) throw new RangeError('the neural network produced non-finite weights: the features may hold large values (z-score them) or learningRateInit is too large');
  }
  return new MlpModel([...data.features], o, net.params, mean, lossCurve, scores, converged, epoch, val ? val.rows : null);
}

/** Rebuilds a model from its `toJSON()` form (as read back from storage); throws a TypeError on a malformed one. */
export function mlpFromJSON(json: unknown): MlpModel {
  const o = record(json, 'mlp model');
  if (o.algorithm !== 'mlp' || o.version !== 1) throw new TypeError('mlp model: algorithm must be "mlp" and version 1');
  const features = o.features;
  if (!Array.isArray(features) || features.length === 0 || !features.every((f: unknown) => typeof f === 'string')) throw new TypeError('mlp model: features must be a non-empty array of strings');
  const names = features.map(String);
  let settings: MlpSettings;
  try {
    settings = resolveSettings(settingsFromJSON(o.options));
  } catch (e) {
    throw new TypeError(`mlp model: options: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const sizes = [names.length, ...settings.hiddenLayerSizes, 1];
  const net = makeNet(sizes, activationCode(settings.activation));
  const layers = (key: string, len: (l: number) => number): number[][] => {
    const v = o[key];
    if (!Array.isArray(v) || v.length !== sizes.length - 1) throw new TypeError(`mlp model: ${key} must hold ${sizes.length - 1} layers`);
    return v.map((layer: unknown, l) => finiteArray(layer, len(l), `${key}[${l}]`));
  };
  // layers() checks every length and value, so setWeights() has nothing left to refuse.
  setWeights(net, { coefs: layers('coefs', (l) => sizes[l]! * sizes[l + 1]!), intercepts: layers('intercepts', (l) => sizes[l + 1]!) });
  const mean = Float64Array.from(finiteArray(o.mean, names.length, 'mean'));
  const lossCurve = finiteArray(o.lossCurve, -1, 'lossCurve');
  const validationScores = o.validationScores === null ? null : finiteArray(o.validationScores, -1, 'validationScores');
  if (typeof o.converged !== 'boolean') throw new TypeError('mlp model: converged must be a boolean');
  const iterations = o.iterations;
  if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 0) throw new TypeError('mlp model: iterations must be a whole number');
  return new MlpModel(names, settings, net.params, mean, lossCurve, validationScores, o.converged, iterations);
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`${what}: expected an object`);
  return { ...v };
}

/** An array of finite numbers (of the given length unless it is -1). */
function finiteArray(v: unknown, length: number, key: string): number[] {
  if (!Array.isArray(v) || (length >= 0 && v.length !== length)) throw new TypeError(`mlp model: ${key} must be ${length >= 0 ? length : 'an array of'} finite numbers`);
  return v.map((e: unknown) => {
    if (typeof e !== 'number' || !Number.isFinite(e)) throw new TypeError(`mlp model: ${key} must hold finite numbers`);
    return e;
  });
}

/** The stored options, type-checked field by field (ranges are checked by resolveSettings). */
function settingsFromJSON(v: unknown): Partial<MlpSettings> {
  const o = record(v, 'options');
  const num = (k: keyof MlpSettings): number => {
    const e = o[k];
    if (typeof e !== 'number') throw new TypeError(`${k} must be a number`);
    return e;
  };
  const bool = (k: keyof MlpSettings): boolean => {
    const e = o[k];
    if (typeof e !== 'boolean') throw new TypeError(`${k} must be a boolean`);
    return e;
  };
  const h = o.hiddenLayerSizes;
  if (!Array.isArray(h) || !h.every((u: unknown) => typeof u === 'number')) throw new TypeError('hiddenLayerSizes must be an array of numbers');
  const activation = ACTIVATIONS.find((a) => a === o.activation);
  if (!activation) throw new TypeError(`activation must be one of ${ACTIVATIONS.join(', ')}`);
  if (o.solver !== 'adam') throw new TypeError('solver must be "adam"');
  if (o.classWeight !== null && o.classWeight !== 'balanced') throw new TypeError('classWeight must be "balanced" or null');
  if (o.batchSize !== null && typeof o.batchSize !== 'number') throw new TypeError('batchSize must be a number or null');
  return {
    hiddenLayerSizes: h.map(Number),
    activation,
    solver: 'adam',
    alpha: num('alpha'),
    batchSize: o.batchSize === null ? null : num('batchSize'),
    learningRateInit: num('learningRateInit'),
    beta1: num('beta1'),
    beta2: num('beta2'),
    epsilon: num('epsilon'),
    maxIter: num('maxIter'),
    tol: num('tol'),
    nIterNoChange: num('nIterNoChange'),
    shuffle: bool('shuffle'),
    seed: num('seed'),
    earlyStopping: bool('earlyStopping'),
    validationFraction: num('validationFraction'),
    classWeight: o.classWeight === 'balanced' ? 'balanced' : null,
  };
}

const ACTIVATIONS: readonly Activation[] = ['identity', 'relu', 'tanh', 'logistic'];

/** Defaults filled in and every option range-checked (RangeError naming the option). */
function resolveSettings(opts: Partial<MlpSettings>): MlpSettings {
  const s: MlpSettings = {
    hiddenLayerSizes: [...(opts.hiddenLayerSizes ?? [32])],
    activation: opts.activation ?? 'relu',
    solver: opts.solver ?? 'adam',
    alpha: opts.alpha ?? 1e-4,
    batchSize: opts.batchSize ?? null,
    learningRateInit: opts.learningRateInit ?? 1e-3,
    beta1: opts.beta1 ?? 0.9,
    beta2: opts.beta2 ?? 0.999,
    epsilon: opts.epsilon ?? 1e-8,
    maxIter: opts.maxIter ?? 200,
    tol: opts.tol ?? 1e-4,
    nIterNoChange: opts.nIterNoChange ?? 10,
    shuffle: opts.shuffle ?? true,
    seed: opts.seed ?? 0,
    earlyStopping: opts.earlyStopping ?? false,
    validationFraction: opts.validationFraction ?? 0.1,
    classWeight: opts.classWeight ?? null,
  };
  const wholeAtLeast = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;
  if (s.hiddenLayerSizes.length === 0 || !s.hiddenLayerSizes.every((u) => wholeAtLeast(u, 1))) throw new RangeError(`hiddenLayerSizes must be one or more whole numbers >= 1 (got [${s.hiddenLayerSizes.join(', ')}])`);
  if (!ACTIVATIONS.includes(s.activation)) throw new RangeError(`activation must be one of ${ACTIVATIONS.join(', ')} (got ${String(s.activation)})`);
  if (s.solver !== 'adam') throw new RangeError(`solver must be 'adam' (got ${String(s.solver)})`);
  if (!(s.alpha >= 0 && Number.isFinite(s.alpha))) throw new RangeError(`alpha must be finite and >= 0 (got ${s.alpha})`);
  if (s.batchSize !== null && !wholeAtLeast(s.batchSize, 1)) throw new RangeError(`batchSize must be a whole number >= 1 or null (got ${s.batchSize})`);
  if (!(s.learningRateInit > 0 && Number.isFinite(s.learningRateInit))) throw new RangeError(`learningRateInit must be positive (got ${s.learningRateInit})`);
  if (!(s.beta1 >= 0 && s.beta1 < 1)) throw new RangeError(`beta1 must be in [0, 1) (got ${s.beta1})`);
  if (!(s.beta2 >= 0 && s.beta2 < 1)) throw new RangeError(`beta2 must be in [0, 1) (got ${s.beta2})`);
  if (!(s.epsilon > 0)) throw new RangeError(`epsilon must be positive (got ${s.epsilon})`);
  if (!wholeAtLeast(s.maxIter, 1)) throw new RangeError(`maxIter must be a whole number >= 1 (got ${s.maxIter})`);
  if (!(s.tol >= 0)) throw new RangeError(`tol must be >= 0 (got ${s.tol})`);
  if (!wholeAtLeast(s.nIterNoChange, 1)) throw new RangeError(`nIterNoChange must be a whole number >= 1 (got ${s.nIterNoChange})`);
  if (!Number.isInteger(s.seed)) throw new RangeError(`seed must be a whole number (got ${s.seed})`);
  if (!(s.validationFraction > 0 && s.validationFraction < 1)) throw new RangeError(`validationFraction must be in (0, 1) (got ${s.validationFraction})`);
  if (s.classWeight !== null && s.classWeight !== 'balanced') throw new RangeError(`classWeight must be 'balanced' or null (got ${String(s.classWeight)})`);
  return s;
}

/** Glorot-uniform as scikit-learn's _init_coef: per layer, weights then intercepts in [-bound, bound]. */
function glorot(net: Net, activation: Activation, rng: Rng): void {
  const factor = activation === 'logistic' ? 2 : 6;
  for (let l = 0; l < net.coefs.length; l++) {
    const bound = Math.sqrt(factor / (net.sizes[l]! + net.sizes[l + 1]!));
    for (const a of [net.coefs[l]!, net.intercepts[l]!]) for (let q = 0; q < a.length; q++) a[q] = -bound + 2 * bound * rng.next();
  }
}

function setWeights(net: Net, init: MlpWeights): void {
  const L = net.coefs.length;
  if (init.coefs.length !== L || init.intercepts.length !== L) throw new RangeError(`init must hold ${L} layers of coefs and intercepts`);
  for (let l = 0; l < L; l++) {
    for (const [src, dst, what] of [
      [init.coefs[l]!, net.coefs[l]!, 'coefs'],
      [init.intercepts[l]!, net.intercepts[l]!, 'intercepts'],
    ] as const) {
      if (src.length !== dst.length) throw new RangeError(`init ${what}[${l}] has ${src.length} values, expected ${dst.length}`);
      for (let q = 0; q < dst.length; q++) {
        const v = src[q]!;
        if (!Number.isFinite(v)) throw new RangeError(`init ${what}[${l}] holds a non-finite value`);
        dst[q] = v;
      }
    }
  }
}

/** Sample weights times class weights, checked; null when every row weighs 1. Both classes need positive weight. */
function rowWeights(data: Dataset, classWeight: 'balanced' | null): Float64Array | null {
  const { n, y } = data;
  if (data.weights && data.weights.length !== n) throw new RangeError(`weights has ${data.weights.length} entries for ${n} rows`);
  let w: Float64Array | null = data.weights ? Float64Array.from(data.weights) : null;
  const sums = [0, 0];
  for (let i = 0; i < n; i++) {
    const yi = y[i]!;
    if (yi !== 0 && yi !== 1) throw new RangeError(`y must be 0 or 1 (row ${i} has ${yi})`);
    const wi = w ? w[i]! : 1;
    if (!(wi >= 0 && Number.isFinite(wi))) throw new RangeError(`weight of row ${i} must be finite and >= 0 (got ${wi})`);
    sums[yi] = sums[yi]! + wi;
  }
  if (!(sums[0]! > 0 && sums[1]! > 0)) throw new RangeError('the target needs both classes (with positive weight) to fit a classifier');
  if (classWeight === 'balanced') {
    const cw = classWeights(y, 'balanced');
    if (w) for (let i = 0; i < n; i++) cw[i] = cw[i]! * w[i]!;
    w = cw;
  }
  return w;
}

/** Throws a RangeError naming the feature and row of the first NaN or infinite value, or on a wrong shape. */
function checkRows(x: Float64Array, n: number, d: number, features: string[]): void {
  if (!(Number.isInteger(n) && n >= 0) || x.length !== n * d) throw new RangeError(`x has ${x.length} values, expected n * d = ${n} * ${d}`);
  for (let q = 0; q < x.length; q++) {
    const v = x[q]!;
    if (v - v !== 0) {
      const j = q % d;
      throw new RangeError(`feature "${features[j] ?? j}" is ${Number.isNaN(v) ? 'missing (NaN)' : v} in row ${(q - j) / d}: the neural network needs complete rows (impute first)`);
    }
  }
}

/** Fisher-Yates with the seeded generator (scikit-learn reshuffles its current order too). */
function shuffleInPlace(a: Uint32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/**
 * The (weighted) share of rows whose predicted class, P(y = 1) > 0.5 as scikit-learn's predict, equals y: the
 * validation score of early stopping. Forward passes in blocks of the batch size, in the training buffers.
 */
function accuracy(net: Net, wt: Float64Array[], x: Float64Array, y: Uint8Array, w: Float64Array | null, n: number, outs: Float64Array[], block: number): number {
  const d = net.sizes[0]!;
  const logit = outs[outs.length - 1]!;
  let right = 0;
  let total = 0;
  for (let i0 = 0; i0 < n; i0 += block) {
    const rows = Math.min(block, n - i0);
    forward(net, wt, x, i0 * d, rows, outs);
    for (let k = 0; k < rows; k++) {
      const wi = w === null ? 1 : w[i0 + k]!;
      const predicted = expit(logit[k]!) > 0.5 ? 1 : 0;
      if (predicted === y[i0 + k]!) right += wi;
      total += wi;
    }
  }
  if (!(total > 0)) throw new RangeError('the early-stopping validation rows carry no weight');
  return right / total;
}
