/**
 * The arithmetic of the multi-layer perceptron (mlp.ts): forward and backward passes over a minibatch, Adam, and the
 * path integral behind integrated gradients. Everything works on preallocated Float64Arrays, row-major (row i of a
 * layer with u units is [i*u, i*u + u)), so that a training step allocates nothing. Weights are stored as
 * scikit-learn's coefs_ (fan_in x fan_out, row-major); the forward pass reads a transposed copy (fan_out x fan_in,
 * rebuilt each step: fan_in x fan_out values against a batch's rows x fan_in x fan_out products), so that every unit's
 * sum is a dot product of two contiguous rows. The two products that carry the cost (layer outputs, X^T delta) are
 * computed in register blocks of sums, so that each value loaded serves several products.
 *
 * The order of the operations follows scikit-learn 1.2's _backprop and AdamOptimizer wherever it decides the
 * rounding (e.g. (a^T delta + alpha W) / n, -lr_t m / (sqrt(v) + eps)), so that a fit from the same initial weights
 * agrees with scikit-learn to about the last digits; only the summation order inside the matrix products differs
 * (BLAS versus these loops).
 */

export type Activation = 'identity' | 'relu' | 'tanh' | 'logistic';

/** Activation codes for the inner loops (a switch on a small integer, not a function call per value). */
export const IDENTITY = 0;
export const RELU = 1;
export const TANH = 2;
export const LOGISTIC = 3;

export function activationCode(a: Activation): number {
  switch (a) {
    case 'identity':
      return IDENTITY;
    case 'relu':
      return RELU;
    case 'tanh':
      return TANH;
    case 'logistic':
      return LOGISTIC;
  }
}

/**
 * A network's weights. sizes = [inputs, hidden..., 1]; layer l maps sizes[l] units to sizes[l + 1]. All parameters
 * sit in one array, every layer's coefficients first and then every layer's intercepts (scikit-learn's order,
 * coefs_ + intercepts_), so that Adam and the best-weights copy of early stopping are single loops; coefs[l] and
 * intercepts[l] are views into it.
 */
export interface Net {
  sizes: number[];
  act: number;
  params: Float64Array;
  coefs: Float64Array[];
  intercepts: Float64Array[];
}

export function makeNet(sizes: number[], act: number, params?: Float64Array): Net {
  let total = 0;
  for (let l = 0; l + 1 < sizes.length; l++) total += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
  const p = params ?? new Float64Array(total);
  if (p.length !== total) throw new RangeError(`expected ${total} parameters, got ${p.length}`);
  const coefs: Float64Array[] = [];
  const intercepts: Float64Array[] = [];
  let at = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    coefs.push(p.subarray(at, at + sizes[l]! * sizes[l + 1]!));
    at += sizes[l]! * sizes[l + 1]!;
  }
  for (let l = 0; l + 1 < sizes.length; l++) {
    intercepts.push(p.subarray(at, at + sizes[l + 1]!));
    at += sizes[l + 1]!;
  }
  return { sizes, act, params: p, coefs, intercepts };
}

/** 1 / (1 + e^-z), the formula of scipy's expit (scikit-learn's output activation), so probabilities agree to the bit. */
export function expit(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** The coefficients of every layer transposed (fo x fi, row-major), for dense(): rebuilt after each update. */
export function transposeWeights(net: Net, wt: Float64Array[]): void {
  for (let l = 0; l < net.coefs.length; l++) {
    const w = net.coefs[l]!;
    const t = wt[l]!;
    const fi = net.sizes[l]!;
    const fo = net.sizes[l + 1]!;
    for (let k = 0, q = 0; k < fi; k++) for (let j = 0; j < fo; j++, q++) t[j * fi + k] = w[q]!;
  }
}

export function makeTransposed(sizes: number[]): Float64Array[] {
  const wt: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) wt.push(new Float64Array(sizes[l]! * sizes[l + 1]!));
  return wt;
}

/**
 * out[i, j] = sum_k inp[inAt + i*fi + k] wt[j, k] + b[j] for `rows` rows, wt being the layer's coefficients
 * transposed. Each sum runs over k in order from 0 and the intercept comes last, as scikit-learn's dot-then-add.
 * Blocks of 2 rows x 4 units: the 8 sums stay in registers and each value loaded serves 2 or 4 products, where a
 * row-times-matrix loop would load and store an output for every product.
 */
export function dense(inp: Float64Array, inAt: number, rows: number, fi: number, wt: Float64Array, b: Float64Array, fo: number, out: Float64Array): void {
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const a0 = inAt + i * fi;
    const a1 = a0 + fi;
    const o0 = i * fo;
    const o1 = o0 + fo;
    let j = 0;
    for (; j + 3 < fo; j += 4) {
      const w0 = j * fi;
      const w1 = w0 + fi;
      const w2 = w1 + fi;
      const w3 = w2 + fi;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let k = 0; k < fi; k++) {
        const x0 = inp[a0 + k]!;
        const x1 = inp[a1 + k]!;
        const v0 = wt[w0 + k]!;
        const v1 = wt[w1 + k]!;
        const v2 = wt[w2 + k]!;
        const v3 = wt[w3 + k]!;
        s00 += x0 * v0;
        s01 += x0 * v1;
        s02 += x0 * v2;
        s03 += x0 * v3;
        s10 += x1 * v0;
        s11 += x1 * v1;
        s12 += x1 * v2;
        s13 += x1 * v3;
      }
      out[o0 + j] = s00 + b[j]!;
      out[o0 + j + 1] = s01 + b[j + 1]!;
      out[o0 + j + 2] = s02 + b[j + 2]!;
      out[o0 + j + 3] = s03 + b[j + 3]!;
      out[o1 + j] = s10 + b[j]!;
      out[o1 + j + 1] = s11 + b[j + 1]!;
      out[o1 + j + 2] = s12 + b[j + 2]!;
      out[o1 + j + 3] = s13 + b[j + 3]!;
    }
    for (; j < fo; j++) {
      const w0 = j * fi;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < fi; k++) {
        const v = wt[w0 + k]!;
        s0 += inp[a0 + k]! * v;
        s1 += inp[a1 + k]! * v;
      }
      out[o0 + j] = s0 + b[j]!;
      out[o1 + j] = s1 + b[j]!;
    }
  }
  if (i < rows) {
    const a0 = inAt + i * fi;
    const o0 = i * fo;
    for (let j = 0; j < fo; j++) {
      const w0 = j * fi;
      let s0 = 0;
      for (let k = 0; k < fi; k++) s0 += inp[a0 + k]! * wt[w0 + k]!;
      out[o0 + j] = s0 + b[j]!;
    }
  }
}

/**
 * Applies the hidden activation in place to the first len values (tanh and expit as numpy's/scipy's). The ReLU is
 * v x (v > 0), without a branch: half the units are off, at random, and a mispredicted branch per value cost more
 * than the rest of the pass (a negative v gives -0, which the sums treat as 0).
 */
export function activate(z: Float64Array, len: number, act: number): void {
  if (act === RELU) {
    for (let i = 0; i < len; i++) {
      const v = z[i]!;
      z[i] = v * +(v > 0);
    }
  } else if (act === TANH) {
    for (let i = 0; i < len; i++) z[i] = Math.tanh(z[i]!);
  } else if (act === LOGISTIC) {
    for (let i = 0; i < len; i++) z[i] = 1 / (1 + Math.exp(-z[i]!));
  }
}

/**
 * The forward pass of `rows` rows read from inp at inAt (row-major, sizes[0] wide), wt the transposed coefficients
 * (transposeWeights): outs[l] receives layer l + 1's activations, the last one the logit (before the output sigmoid).
 */
export function forward(net: Net, wt: Float64Array[], inp: Float64Array, inAt: number, rows: number, outs: Float64Array[]): void {
  const L = net.sizes.length - 1;
  let src = inp;
  let at = inAt;
  for (let l = 0; l < L; l++) {
    const out = outs[l]!;
    const fo = net.sizes[l + 1]!;
    dense(src, at, rows, net.sizes[l]!, wt[l]!, net.intercepts[l]!, fo, out);
    if (l + 1 < L) activate(out, rows * fo, net.act);
    src = out;
    at = 0;
  }
}

/** Machine epsilon of float64: scikit-learn clips probabilities to [eps, 1 - eps] in binary_log_loss. */
const EPS = 2.220446049250313e-16;

/**
 * At the output layer: delta_i = w_i (p_i - y_i) with p_i = expit(logit_i) (unclipped, as scikit-learn's
 * activations[-1] - y), and returns the weighted log-loss sum -sum_i w_i [y_i log p_i + (1 - y_i) log(1 - p_i)] with
 * p clipped as binary_log_loss does. w null: every row weighs 1 (then exactly scikit-learn's numbers).
 */
export function outputDelta(logit: Float64Array, rows: number, y: Float64Array, w: Float64Array | null, delta: Float64Array): number {
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < rows; i++) {
    const p = 1 / (1 + Math.exp(-logit[i]!));
    const pc = p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
    const yi = y[i]!;
    const wi = w === null ? 1 : w[i]!;
    if (yi === 1) pos += wi * Math.log(pc);
    else neg += wi * Math.log(1 - pc);
    delta[i] = w === null ? p - yi : wi * (p - yi);
  }
  return -(pos + neg);
}

/**
 * g[k, j] = (sum_i inp[i, k] delta[i, j] + alpha w[k, j]) / norm and gb[j] = sum_i delta[i, j] / norm, as
 * scikit-learn's _compute_loss_grad with norm = the batch size (here the batch's weight sum). Each sum runs over the
 * rows in order. Blocks of 4 inputs x 4 units: 16 sums in registers, 8 loads per 16 products (measured 20 % faster
 * than 2 x 4 here, where 4 x 4 did not pay in dense()).
 */
export function layerGrad(inp: Float64Array, inAt: number, rows: number, fi: number, delta: Float64Array, fo: number, w: Float64Array, alpha: number, norm: number, g: Float64Array, gb: Float64Array): void {
  for (let j = 0; j < fo; j++) {
    let s = 0;
    for (let i = 0, o = j; i < rows; i++, o += fo) s += delta[o]!;
    gb[j] = s / norm;
  }
  let k = 0;
  for (; k + 3 < fi; k += 4) {
    let j = 0;
    for (; j + 3 < fo; j += 4) {
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      let s20 = 0;
      let s21 = 0;
      let s22 = 0;
      let s23 = 0;
      let s30 = 0;
      let s31 = 0;
      let s32 = 0;
      let s33 = 0;
      for (let i = 0, a = inAt + k, o = j; i < rows; i++, a += fi, o += fo) {
        const x0 = inp[a]!;
        const x1 = inp[a + 1]!;
        const x2 = inp[a + 2]!;
        const x3 = inp[a + 3]!;
        const d0 = delta[o]!;
        const d1 = delta[o + 1]!;
        const d2 = delta[o + 2]!;
        const d3 = delta[o + 3]!;
        s00 += x0 * d0;
        s01 += x0 * d1;
        s02 += x0 * d2;
        s03 += x0 * d3;
        s10 += x1 * d0;
        s11 += x1 * d1;
        s12 += x1 * d2;
        s13 += x1 * d3;
        s20 += x2 * d0;
        s21 += x2 * d1;
        s22 += x2 * d2;
        s23 += x2 * d3;
        s30 += x3 * d0;
        s31 += x3 * d1;
        s32 += x3 * d2;
        s33 += x3 * d3;
      }
      const g0 = k * fo + j;
      const g1 = g0 + fo;
      const g2 = g1 + fo;
      const g3 = g2 + fo;
      g[g0] = s00;
      g[g0 + 1] = s01;
      g[g0 + 2] = s02;
      g[g0 + 3] = s03;
      g[g1] = s10;
      g[g1 + 1] = s11;
      g[g1 + 2] = s12;
      g[g1 + 3] = s13;
      g[g2] = s20;
      g[g2 + 1] = s21;
      g[g2 + 2] = s22;
      g[g2 + 3] = s23;
      g[g3] = s30;
      g[g3 + 1] = s31;
      g[g3 + 2] = s32;
      g[g3 + 3] = s33;
    }
    for (; j < fo; j++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0, a = inAt + k, o = j; i < rows; i++, a += fi, o += fo) {
        const dv = delta[o]!;
        s0 += inp[a]! * dv;
        s1 += inp[a + 1]! * dv;
        s2 += inp[a + 2]! * dv;
        s3 += inp[a + 3]! * dv;
      }
      g[k * fo + j] = s0;
      g[(k + 1) * fo + j] = s1;
      g[(k + 2) * fo + j] = s2;
      g[(k + 3) * fo + j] = s3;
    }
  }
  for (; k < fi; k++) {
    for (let j = 0; j < fo; j++) {
      let s0 = 0;
      for (let i = 0, a = inAt + k, o = j; i < rows; i++, a += fi, o += fo) s0 += inp[a]! * delta[o]!;
      g[k * fo + j] = s0;
    }
  }
  const len = fi * fo;
  for (let q = 0; q < len; q++) g[q] = (g[q]! + alpha * w[q]!) / norm;
}

/**
 * prev[i, k] = (sum_j delta[i, j] w[k, j]) f'(a[i, k]), with f' from the activation's output a, as scikit-learn's
 * inplace derivatives: 1 where a ReLU is positive and 0 where its output is 0 (a multiplication by (a > 0), no branch:
 * see activate()), 1 - a^2 for tanh, a (1 - a) for the logistic. One output unit (fo = 1) is a product per value.
 */
export function backDelta(delta: Float64Array, rows: number, fo: number, w: Float64Array, a: Float64Array, fi: number, act: number, prev: Float64Array): void {
  if (fo === 1) {
    for (let i = 0, p = 0; i < rows; i++, p += fi) {
      const di = delta[i]!;
      if (act === RELU) {
        for (let k = 0; k < fi; k++) prev[p + k] = di * w[k]! * +(a[p + k]! > 0);
      } else if (act === TANH) {
        for (let k = 0; k < fi; k++) {
          const ak = a[p + k]!;
          prev[p + k] = di * w[k]! * (1 - ak * ak);
        }
      } else if (act === LOGISTIC) {
        for (let k = 0; k < fi; k++) {
          const ak = a[p + k]!;
          prev[p + k] = di * w[k]! * ak * (1 - ak);
        }
      } else {
        for (let k = 0; k < fi; k++) prev[p + k] = di * w[k]!;
      }
    }
    return;
  }
  for (let i = 0, o = 0, p = 0; i < rows; i++, o += fo, p += fi) {
    for (let k = 0, wk = 0; k < fi; k++, wk += fo) {
      const ak = a[p + k]!;
      let s = 0;
      for (let j = 0; j < fo; j++) s += delta[o + j]! * w[wk + j]!;
      if (act === RELU) s *= +(ak > 0);
      else if (act === TANH) s *= 1 - ak * ak;
      else if (act === LOGISTIC) s = s * ak * (1 - ak);
      prev[p + k] = s;
    }
  }
}

/** Per-batch buffers of a training run: activations and deltas per layer, gradients laid out as Net.params. */
export interface Workspace {
  wt: Float64Array[];
  outs: Float64Array[];
  deltas: Float64Array[];
  grads: Net;
}

export function makeWorkspace(sizes: number[], act: number, batch: number): Workspace {
  const outs: Float64Array[] = [];
  const deltas: Float64Array[] = [];
  for (let l = 1; l < sizes.length; l++) {
    outs.push(new Float64Array(batch * sizes[l]!));
    deltas.push(new Float64Array(batch * sizes[l]!));
  }
  return { wt: makeTransposed(sizes), outs, deltas, grads: makeNet(sizes, act) };
}

/**
 * One minibatch: forward pass, loss, backpropagation into ws.grads (scikit-learn's _backprop). Returns the batch loss
 * as scikit-learn defines it: weighted log-loss / norm + 0.5 alpha sum(W^2) / norm, norm being the batch's weight sum
 * (the row count when unweighted).
 */
export function backprop(net: Net, inp: Float64Array, inAt: number, rows: number, y: Float64Array, w: Float64Array | null, norm: number, alpha: number, ws: Workspace): number {
  const L = net.sizes.length - 1;
  transposeWeights(net, ws.wt);
  forward(net, ws.wt, inp, inAt, rows, ws.outs);
  let loss = outputDelta(ws.outs[L - 1]!, rows, y, w, ws.deltas[L - 1]!) / norm;
  let squares = 0;
  for (let l = 0; l < L; l++) {
    const c = net.coefs[l]!;
    for (let q = 0; q < c.length; q++) squares += c[q]! * c[q]!;
  }
  loss += (0.5 * alpha * squares) / norm;
  for (let l = L - 1; l >= 0; l--) {
    const fi = net.sizes[l]!;
    const fo = net.sizes[l + 1]!;
    const src = l === 0 ? inp : ws.outs[l - 1]!;
    layerGrad(src, l === 0 ? inAt : 0, rows, fi, ws.deltas[l]!, fo, net.coefs[l]!, alpha, norm, ws.grads.coefs[l]!, ws.grads.intercepts[l]!);
    if (l > 0) backDelta(ws.deltas[l]!, rows, fo, net.coefs[l]!, ws.outs[l - 1]!, fi, net.act, ws.deltas[l - 1]!);
  }
  return loss;
}

/**
 * The batch's rows of x, copied contiguous into xb. The rows lie anywhere in the matrix (cache misses): a first pass
 * copies each row's first and last values, so that the misses of the whole batch are in flight together instead of a
 * few rows at a time behind the copy loop; the second pass copies the rest, from cache.
 */
export function gatherRows(order: Uint32Array, start: number, rows: number, x: Float64Array, d: number, xb: Float64Array): void {
  for (let k = 0, o = 0; k < rows; k++, o += d) {
    const src = order[start + k]! * d;
    xb[o] = x[src]!;
    xb[o + d - 1] = x[src + d - 1]!;
  }
  for (let k = 0, o = 0; k < rows; k++, o += d) {
    const src = order[start + k]! * d;
    for (let j = 1; j < d - 1; j++) xb[o + j] = x[src + j]!;
  }
}

export function gatherTargets(order: Uint32Array, start: number, rows: number, y: Float64Array, yb: Float64Array): void {
  for (let k = 0; k < rows; k++) yb[k] = y[order[start + k]!]!;
}

/** The batch's weights into wb; returns their sum. */
export function gatherWeights(order: Uint32Array, start: number, rows: number, w: Float64Array, wb: Float64Array): number {
  let s = 0;
  for (let k = 0; k < rows; k++) {
    const v = w[order[start + k]!]!;
    wb[k] = v;
    s += v;
  }
  return s;
}

/** Adam's state: first and second moments per parameter, and the step count t (minibatches since the start). */
export interface Adam {
  m: Float64Array;
  v: Float64Array;
  t: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/**
 * One Adam step as scikit-learn's AdamOptimizer: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 * lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), param += -lr_t m / (sqrt(v) + eps) (the bias correction folded into the
 * learning rate, which is not quite the paper's eps placement: kept so that the steps agree).
 */
export function adamStep(opt: Adam, params: Float64Array, g: Float64Array): void {
  opt.t++;
  const { m, v, beta1, beta2, eps } = opt;
  const lrT = (opt.lr * Math.sqrt(1 - beta2 ** opt.t)) / (1 - beta1 ** opt.t);
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let q = 0; q < params.length; q++) {
    const gq = g[q]!;
    const mq = beta1 * m[q]! + c1 * gq;
    const vq = beta2 * v[q]! + c2 * (gq * gq);
    m[q] = mq;
    v[q] = vq;
    params[q] = params[q]! + (-lrT * mq) / (Math.sqrt(vq) + eps);
  }
}

/*
 * Integrated gradients. Along the straight path from the baseline b to the row x, point(alpha) = b + alpha (x - b),
 * the contribution of feature j is (x_j - b_j) times the integral over alpha in [0, 1] of d logit / d x_j at the
 * point; the contributions sum to logit(x) - logit(b) (completeness) when the integral is exact.
 */

/** Gauss-Legendre nodes on [0, 1] and their weights (Newton iterations on the Legendre polynomial from the usual cosine guesses). */
export function gaussLegendre(count: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(count);
  const weights = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (count + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= count; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (count * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / dp;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = (1 + x) / 2;
    weights[i] = 1 / ((1 - x * x) * dp * dp);
  }
  return { nodes, weights };
}

/** Buffers for the explanation of one row at a time. */
export interface PathScratch {
  wt: Float64Array[];
  point: Float64Array;
  pre: Float64Array[];
  post: Float64Array[];
  grad: Float64Array[];
  acc: Float64Array;
  inGrad: Float64Array;
}

export function makePathScratch(net: Net): PathScratch {
  const sizes = net.sizes;
  const pre: Float64Array[] = [];
  const post: Float64Array[] = [];
  const grad: Float64Array[] = [];
  for (let l = 1; l < sizes.length; l++) {
    pre.push(new Float64Array(sizes[l]!));
    post.push(new Float64Array(sizes[l]!));
    grad.push(new Float64Array(sizes[l]!));
  }
  const wt = makeTransposed(sizes);
  transposeWeights(net, wt);
  return { wt, point: new Float64Array(sizes[0]!), pre, post, grad, acc: new Float64Array(sizes[0]!), inGrad: new Float64Array(sizes[0]!) };
}

/** One row's forward pass keeping every layer's pre-activations (pre) and activations (post). Returns the logit. */
export function forwardRow(net: Net, x: Float64Array, s: PathScratch): number {
  const L = net.sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const src = l === 0 ? x : s.post[l - 1]!;
    dense(src, 0, 1, net.sizes[l]!, s.wt[l]!, net.intercepts[l]!, net.sizes[l + 1]!, s.pre[l]!);
    s.post[l]!.set(s.pre[l]!);
    if (l + 1 < L) activate(s.post[l]!, net.sizes[l + 1]!, net.act);
  }
  return s.pre[L - 1]![0]!;
}

/** d logit / d x at the point forwardRow last saw, into s.inGrad (the ReLU's derivative at 0 taken as 0). */
export function inputGradient(net: Net, s: PathScratch): void {
  const L = net.sizes.length - 1;
  s.grad[L - 1]![0] = 1;
  for (let l = L - 1; l >= 0; l--) {
    const fi = net.sizes[l]!;
    const fo = net.sizes[l + 1]!;
    const target = l === 0 ? s.inGrad : s.grad[l - 1]!;
    // Through W only for the inputs (IDENTITY: no derivative), through W and f' for a hidden layer.
    backDelta(s.grad[l]!, 1, fo, net.coefs[l]!, l === 0 ? s.point : s.post[l - 1]!, fi, l === 0 ? IDENTITY : net.act, target);
  }
}

/**
 * The points where a ReLU net's gradient may jump along the path, as sorted alphas in [0, 1] with 0 and 1 included.
 * Layer by layer: between two consecutive points found so far, the earlier layers keep their on/off pattern, so this
 * layer's pre-activations are affine in alpha, and a unit changes sign at most once there, where linear interpolation
 * between the two ends puts it. Between consecutive returned points the whole net is affine in alpha, so its gradient
 * is constant: integrating it as (length x gradient at the midpoint) is exact.
 */
export function reluBreakpoints(net: Net, base: Float64Array, delta: Float64Array, s: PathScratch): number[] {
  const d = net.sizes[0]!;
  let points = [0, 1];
  for (let l = 0; l + 2 < net.sizes.length; l++) {
    const units = net.sizes[l + 1]!;
    const preAt = points.map((alpha) => {
      for (let j = 0; j < d; j++) s.point[j] = base[j]! + alpha * delta[j]!;
      forwardRow(net, s.point, s);
      return Float64Array.from(s.pre[l]!);
    });
    const found: number[] = [];
    for (let q = 0; q + 1 < points.length; q++) {
      const a = points[q]!;
      const b = points[q + 1]!;
      const za = preAt[q]!;
      const zb = preAt[q + 1]!;
      for (let u = 0; u < units; u++) {
        const ua = za[u]!;
        const ub = zb[u]!;
        if ((ua < 0 && ub > 0) || (ua > 0 && ub < 0)) {
          const t = a + (b - a) * (ua / (ua - ub));
          if (t > a && t < b) found.push(t);
        }
      }
    }
    if (found.length > 0) points = [...new Set([...points, ...found])].sort((p, q) => p - q);
  }
  return points;
}
