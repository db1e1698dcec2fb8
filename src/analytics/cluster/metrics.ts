import { Rng } from '../../kernel/index.js';
import type { Matrix } from './kmeans.js';

/**
 * Cluster quality measures, as scikit-learn defines them: silhouette (exact, or on a stated sample), Calinski-Harabasz,
 * Davies-Bouldin; the adjusted Rand index to compare two labellings; the elbow curve's knee (Kneedle).
 */

const dist = (a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number => {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = (a[ai + j] as number) - (b[bi + j] as number);
    s += t * t;
  }
  return Math.sqrt(s);
};

function labelCount(labels: Int32Array): number {
  let k = 0;
  for (const l of labels) if (l + 1 > k) k = l + 1;
  return k;
}

/**
 * Silhouette of each row in `rows` (all rows by default): s = (b - a) / max(a, b), a the mean distance to the other
 * members of its cluster, b the smallest mean distance to another cluster; 0 for a member of a singleton cluster.
 * Distances to every row are computed: O(n x rows) time, O(k) memory.
 */
export function silhouetteSamples(m: Matrix, labels: Int32Array, rows?: readonly number[]): Float64Array {
  const { data, n, d } = m;
  const k = labelCount(labels);
  const size = new Float64Array(k);
  for (const l of labels) size[l] = (size[l] as number) + 1;
  const idx = rows ?? Array.from({ length: n }, (_, i) => i);
  const out = new Float64Array(idx.length);
  const sums = new Float64Array(k);
  idx.forEach((i, r) => {
    sums.fill(0);
    for (let o = 0; o < n; o++) {
      if (o === i) continue;
      const l = labels[o] as number;
      sums[l] = (sums[l] as number) + dist(data, i * d, data, o * d, d);
    }
    const own = labels[i] as number;
    if ((size[own] as number) <= 1) {
      out[r] = 0;
      return;
    }
    const a = (sums[own] as number) / ((size[own] as number) - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) if (c !== own && (size[c] as number) > 0) b = Math.min(b, (sums[c] as number) / (size[c] as number));
    out[r] = b === Number.POSITIVE_INFINITY ? 0 : (b - a) / Math.max(a, b);
  });
  return out;
}

export interface SilhouetteSummary {
  /** Mean silhouette. */
  score: number;
  /** Mean silhouette per cluster (of the rows scored). */
  perCluster: number[];
  /** Rows scored: all of them up to `maxExact`, else a seeded random sample of `sampleSize`. */
  scored: number;
  sampled: boolean;
}

/**
 * The silhouette: exact up to `maxExact` rows (10,000), else the silhouette of a seeded random sample of `sampleSize`
 * rows (5,000) computed within the sample, as scikit-learn's `silhouette_score(X, labels, sample_size=...)`: each
 * sampled row's mean distances to the clusters are estimated from the other sampled rows. The cost stays that of
 * 5,000 x 5,000 distances however many rows there are (the sampled rows against all rows would cost 5,000 x n:
 * minutes on a million profiles).
 */
export function silhouette(m: Matrix, labels: Int32Array, opts: { maxExact?: number; sampleSize?: number; seed?: number } = {}): SilhouetteSummary {
  const maxExact = opts.maxExact ?? 10_000;
  let rows: number[] | undefined;
  let s: Float64Array;
  if (m.n > maxExact) {
    const rng = new Rng(opts.seed ?? 0);
    const want = Math.min(m.n, opts.sampleSize ?? 5_000);
    const all = Array.from({ length: m.n }, (_, i) => i);
    for (let i = 0; i < want; i++) {
      const j = i + Math.floor(rng.next() * (m.n - i));
      [all[i], all[j]] = [all[j] as number, all[i] as number];
    }
    rows = all.slice(0, want);
    const { d } = m;
    const sub = new Float64Array(want * d);
    rows.forEach((i, r) => sub.set(m.data.subarray(i * d, i * d + d), r * d));
    s = silhouetteSamples({ data: sub, n: want, d }, Int32Array.from(rows, (i) => labels[i] as number));
  } else s = silhouetteSamples(m, labels);
  const k = labelCount(labels);
  const sum = new Float64Array(k);
  const cnt = new Float64Array(k);
  const idx = rows ?? Array.from({ length: m.n }, (_, i) => i);
  let total = 0;
  idx.forEach((i, r) => {
    const l = labels[i] as number;
    sum[l] = (sum[l] as number) + (s[r] as number);
    cnt[l] = (cnt[l] as number) + 1;
    total += s[r] as number;
  });
  return {
    score: idx.length === 0 ? 0 : total / idx.length,
    perCluster: Array.from(sum, (x, c) => ((cnt[c] as number) === 0 ? 0 : x / (cnt[c] as number))),
    scored: idx.length,
    sampled: rows !== undefined,
  };
}

function centroids(m: Matrix, labels: Int32Array, k: number): { centers: Float64Array; size: Float64Array } {
  const { data, n, d } = m;
  const centers = new Float64Array(k * d);
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const l = labels[i] as number;
    size[l] = (size[l] as number) + 1;
    for (let j = 0; j < d; j++) centers[l * d + j] = (centers[l * d + j] as number) + (data[i * d + j] as number);
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) if ((size[c] as number) > 0) centers[c * d + j] = (centers[c * d + j] as number) / (size[c] as number);
  return { centers, size };
}

/** Calinski-Harabasz: between-cluster dispersion over within-cluster dispersion, times (n - k) / (k - 1). */
export function calinskiHarabasz(m: Matrix, labels: Int32Array): number {
  const { data, n, d } = m;
  const k = labelCount(labels);
  if (k < 2) return 0;
  const { centers, size } = centroids(m, labels, k);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (data[i * d + j] as number) / n;
  let between = 0;
  let within = 0;
  for (let c = 0; c < k; c++) between += (size[c] as number) * dist(centers, c * d, mean, 0, d) ** 2;
  for (let i = 0; i < n; i++) within += dist(data, i * d, centers, (labels[i] as number) * d, d) ** 2;
  return within === 0 ? 1 : (between * (n - k)) / (within * (k - 1));
}

/** Davies-Bouldin: mean over clusters of the worst (s_i + s_j) / d(c_i, c_j); lower is better. */
export function daviesBouldin(m: Matrix, labels: Int32Array): number {
  const { data, n, d } = m;
  const k = labelCount(labels);
  if (k < 2) return 0;
  const { centers, size } = centroids(m, labels, k);
  const spread = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const l = labels[i] as number;
    spread[l] = (spread[l] as number) + dist(data, i * d, centers, l * d, d) / (size[l] as number);
  }
  let total = 0;
  for (let c = 0; c < k; c++) {
    let worst = 0;
    for (let o = 0; o < k; o++) {
      if (o === c) continue;
      const sep = dist(centers, c * d, centers, o * d, d);
      const r = sep === 0 ? Number.POSITIVE_INFINITY : ((spread[c] as number) + (spread[o] as number)) / sep;
      if (r > worst) worst = r;
    }
    total += worst;
  }
  return total / k;
}

/** Adjusted Rand index of two labellings of the same rows (1: the same partition, about 0: chance). */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const table = new Map<string, number>();
  const ra = new Map<number, number>();
  const rb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    table.set(`${x}|${y}`, (table.get(`${x}|${y}`) ?? 0) + 1);
    ra.set(x, (ra.get(x) ?? 0) + 1);
    rb.set(y, (rb.get(y) ?? 0) + 1);
  }
  const c2 = (v: number) => (v * (v - 1)) / 2;
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0;
  for (const v of ra.values()) sa += c2(v);
  let sb = 0;
  for (const v of rb.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/**
 * The knee of a decreasing, convex curve (inertia against k), by Kneedle (Satopää et al. 2011): both axes scaled to
 * [0, 1], the point farthest below the straight line from the first point to the last. Null with fewer than 3 points.
 */
export function knee(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 3) return null;
  const x0 = xs[0] as number;
  const x1 = xs[xs.length - 1] as number;
  const yMax = Math.max(...ys);
  const yMin = Math.min(...ys);
  if (x1 === x0 || yMax === yMin) return null;
  let best = -Infinity;
  let at: number | null = null;
  xs.forEach((x, i) => {
    const nx = (x - x0) / (x1 - x0);
    const ny = ((ys[i] as number) - yMin) / (yMax - yMin);
    // For a decreasing curve, the line runs from (0, 1) to (1, 0): the distance below it is 1 - nx - ny.
    const diff = 1 - nx - ny;
    if (diff > best) {
      best = diff;
      at = x;
    }
  });
  return best > 0 ? at : null;
}
