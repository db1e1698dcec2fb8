import { Rng } from '../../kernel/rng.js';
import type { Dataset } from './types.js';

/**
 * Two answers to rare positives (a few percent of customers order in the next 30 days): weight the rare class up, or
 * grow synthetic rows of it (SMOTE). Weighting is usually enough for logistic regression and boosting and changes
 * no data; SMOTE is there for models that cannot take weights, and for comparison.
 */

/**
 * Per-row weights that give both classes the same total weight. 'balanced' is scikit-learn's class_weight='balanced':
 * w = n / (k * count(class)), k the number of classes present; a record gives the weight of each class directly.
 * Multiply them into existing sample weights rather than replacing those.
 *
 * ```ts
 * classWeights(Uint8Array.from([0, 0, 0, 1]), 'balanced'); // [0.667, 0.667, 0.667, 2]
 * ```
 */
export function classWeights(y: Uint8Array, mode: 'balanced' | { 0: number; 1: number }): Float64Array {
  let pos = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (v !== 0 && v !== 1) throw new RangeError(`y must be 0 or 1 (row ${i} has ${v})`);
    pos += v;
  }
  const neg = y.length - pos;
  let w0: number;
  let w1: number;
  if (mode === 'balanced') {
    const k = (pos > 0 ? 1 : 0) + (neg > 0 ? 1 : 0);
    w0 = neg > 0 ? y.length / (k * neg) : 0;
    w1 = pos > 0 ? y.length / (k * pos) : 0;
  } else {
    w0 = mode[0];
    w1 = mode[1];
    if (!(w0 >= 0 && w1 >= 0 && Number.isFinite(w0) && Number.isFinite(w1))) throw new RangeError('class weights must be finite and >= 0');
  }
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] === 1 ? w1 : w0;
  return out;
}

export interface SmoteOptions {
  /** Neighbours among the minority rows to interpolate towards (default 5, as imbalanced-learn). */
  k?: number;
  /**
   * Wanted minority / majority row ratio after resampling, in (0, 1] (default 1: as many rows of each class), as
   * imbalanced-learn's float sampling_strategy: int(ratio * n_majority - n_minority) rows are added.
   */
  ratio?: number;
  seed?: number;
}

/**
 * SMOTE (Chawla et al. 2002, as imbalanced-learn's `SMOTE`): each synthetic row is a minority row plus a uniform
 * fraction of the way to one of its k nearest minority neighbours (Euclidean, on the columns as given: scale them
 * first if their units differ). The base row is drawn uniformly with replacement, then the neighbour uniformly.
 *
 * For TRAINING data only: resample after the train/test split (and inside each cross-validation fold), never the
 * rows that a model is evaluated on, or the synthetic points leak neighbours of the test rows into training and the
 * scores come out optimistic.
 *
 * Returns a new dataset: the original rows first, in order, then the synthetic ones. Synthetic rows carry the weight
 * of the row they were grown from when the data has weights. NaN is refused (no distance to a missing value). The
 * neighbour search is brute force, O(m^2 d) for m minority rows: a second or so at m = 10,000 and d = 20.
 *
 * ```ts
 * const balanced = smote(train, { k: 5, ratio: 1, seed: 7 });
 * ```
 */
export function smote(data: Dataset, opts: SmoteOptions = {}): Dataset {
  const k = opts.k ?? 5;
  const ratio = opts.ratio ?? 1;
  const { n, d, x, y } = data;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k must be a positive integer (got ${k})`);
  if (!(ratio > 0 && ratio <= 1)) throw new RangeError(`ratio must be in (0, 1] (got ${ratio})`);
  if (x.length !== n * d || y.length !== n) throw new RangeError('x must hold n * d values and y n labels');
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i] as number;
  const minority = pos <= n - pos ? 1 : 0;
  const nMin = minority === 1 ? pos : n - pos;
  const nMaj = n - nMin;
  const nNew = Math.trunc(ratio * nMaj - nMin);
  if (nNew < 0) throw new RangeError(`ratio ${ratio} asks for fewer minority rows than there are (${nMin} of ${nMaj}); SMOTE only adds rows`);
  if (nNew === 0) return copyDataset(data, 0);
  if (nMin <= k) throw new RangeError(`SMOTE with k = ${k} needs more than ${k} minority rows (there are ${nMin})`);

  // The minority rows, packed, and their indices in the data.
  const rows = new Int32Array(nMin);
  for (let i = 0, m = 0; i < n; i++) if (y[i] === minority) rows[m++] = i;
  const xm = new Float64Array(nMin * d);
  for (let m = 0; m < nMin; m++) {
    for (let j = 0; j < d; j++) {
      const v = x[(rows[m] as number) * d + j] as number;
      if (!Number.isFinite(v)) throw new RangeError(`feature "${data.features[j] ?? j}" is ${Number.isNaN(v) ? 'missing (NaN)' : v} in row ${rows[m]}: SMOTE needs complete rows (impute first)`);
      xm[m * d + j] = v;
    }
  }
  const nn = minorityNeighbours(xm, nMin, d, k);

  const out = copyDataset(data, nNew);
  const rng = new Rng(opts.seed ?? 0);
  for (let s = 0; s < nNew; s++) {
    const pick = Math.floor(rng.next() * nMin * k);
    const a = Math.floor(pick / k);
    const b = nn[pick] as number;
    const step = rng.next();
    const off = (n + s) * d;
    for (let j = 0; j < d; j++) {
      const va = xm[a * d + j] as number;
      out.x[off + j] = va + step * ((xm[b * d + j] as number) - va);
    }
    out.y[n + s] = minority;
    if (out.weights && data.weights) out.weights[n + s] = data.weights[rows[a] as number] as number;
  }
  return out;
}

/**
 * The k nearest other minority rows of each minority row (m x k, nearest first; ties to the lower index). Each pair's
 * distance is computed once and offered to both rows' lists.
 */
function minorityNeighbours(xm: Float64Array, m: number, d: number, k: number): Int32Array {
  const idx = new Int32Array(m * k).fill(-1);
  const dist = new Float64Array(m * k).fill(Number.POSITIVE_INFINITY);
  const offer = (a: number, b: number, dd: number): void => {
    const base = a * k;
    if (!(dd < (dist[base + k - 1] as number))) return;
    let p = k - 1;
    while (p > 0 && dd < (dist[base + p - 1] as number)) {
      dist[base + p] = dist[base + p - 1] as number;
      idx[base + p] = idx[base + p - 1] as number;
      p--;
    }
    dist[base + p] = dd;
    idx[base + p] = b;
  };
  for (let a = 0; a < m; a++) {
    const oa = a * d;
    for (let b = a + 1; b < m; b++) {
      const ob = b * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = (xm[oa + j] as number) - (xm[ob + j] as number);
        s += t * t;
      }
      offer(a, b, s);
      offer(b, a, s);
    }
  }
  return idx;
}

function copyDataset(data: Dataset, extra: number): Dataset {
  const { n, d } = data;
  const x = new Float64Array((n + extra) * d);
  x.set(data.x.subarray(0, n * d));
  const y = new Uint8Array(n + extra);
  y.set(data.y.subarray(0, n));
  const out: Dataset = { x, n: n + extra, d, y, features: [...data.features] };
  if (data.weights) {
    const w = new Float64Array(n + extra);
    w.set(data.weights.subarray(0, n));
    out.weights = w;
  }
  return out;
}
