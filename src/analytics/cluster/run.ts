import { dbscan, kDistance } from './dbscan.js';
import { cut, hierarchical, type Linkage, type Merge } from './hierarchical.js';
import { kmeans, type KMeansResult, type Matrix } from './kmeans.js';
import { pca, project } from './pca.js';
import { calinskiHarabasz, daviesBouldin, knee, silhouette, type SilhouetteSummary } from './metrics.js';
import { scaleColumns, unscale, type ScaleMethod } from './scale.js';

/** One clustering of a table: the elbow when k is chosen automatically, the model, its diagnostics. */

export interface ClusterOptions {
  /** A number, or 'auto': the knee of the elbow curve over 1..kMax. */
  k: number | 'auto';
  kMax?: number;
  scale?: ScaleMethod;
  seed?: number;
  nInit?: number;
  workers?: number | 'auto';
}

export interface ClusterRun {
  method: 'kmeans';
  rows: number;
  features: string[];
  scale: ScaleMethod;
  seed: number;
  k: number;
  /** The elbow curve (inertia in scaled units) when k was 'auto', and the knee found on it. */
  elbow: { k: number; inertia: number }[] | null;
  knee: number | null;
  inertia: number;
  iterations: number;
  converged: boolean;
  sizes: number[];
  /** Per cluster, the centre in the original units of the features. */
  centers: Record<string, number>[];
  silhouette: SilhouetteSummary;
  calinskiHarabasz: number;
  daviesBouldin: number;
  labels: Int32Array;
}

export async function clusterTable(m: Matrix, features: string[], opts: ClusterOptions): Promise<ClusterRun> {
  const scaleMethod = opts.scale ?? 'zscore';
  const seed = opts.seed ?? 0;
  const scaled = scaleColumns(m, scaleMethod);
  let k: number;
  let elbow: ClusterRun['elbow'] = null;
  let kneeAt: number | null = null;
  // The elbow's runs are the runs of each k with the same seed: the chosen k's is kept, not computed again.
  const runs: KMeansResult[] = [];
  if (opts.k === 'auto') {
    const kMax = Math.min(opts.kMax ?? 10, m.n);
    elbow = [];
    for (let c = 1; c <= kMax; c++) {
      const r = await kmeans(scaled.matrix, c, { seed, nInit: opts.nInit, workers: opts.workers });
      runs.push(r);
      elbow.push({ k: c, inertia: r.inertia });
    }
    kneeAt = knee(
      elbow.map((e) => e.k),
      elbow.map((e) => e.inertia),
    );
    k = kneeAt ?? Math.min(2, kMax);
  } else k = opts.k;
  const model = runs[k - 1] ?? (await kmeans(scaled.matrix, k, { seed, nInit: opts.nInit, workers: opts.workers }));
  const centers = unscale(model.centers, scaled);
  const d = m.d;
  return {
    method: 'kmeans',
    rows: m.n,
    features,
    scale: scaleMethod,
    seed,
    k,
    elbow,
    knee: kneeAt,
    inertia: model.inertia,
    iterations: model.iterations,
    converged: model.converged,
    sizes: model.sizes,
    centers: Array.from({ length: k }, (_, c) => Object.fromEntries(features.map((f, j) => [f, centers[c * d + j] as number]))),
    silhouette: silhouette(scaled.matrix, model.labels, { seed }),
    calinskiHarabasz: calinskiHarabasz(scaled.matrix, model.labels),
    daviesBouldin: daviesBouldin(scaled.matrix, model.labels),
    labels: model.labels,
  };
}

export interface DbscanOptions {
  /** A distance in scaled units, or 'auto': the knee of the k-distance curve. */
  eps: number | 'auto';
  minSamples: number;
  scale?: ScaleMethod;
}

export interface DbscanRun {
  method: 'dbscan';
  rows: number;
  features: string[];
  scale: ScaleMethod;
  eps: number;
  /** The knee of the k-distance curve (what 'auto' uses), and the curve at 20 evenly spaced ranks. */
  suggestedEps: number | null;
  kDistance: { rank: number; distance: number }[];
  minSamples: number;
  clusters: number;
  noise: number;
  core: number;
  sizes: number[];
  centers: Record<string, number>[];
  /** On the rows that are not noise; null with fewer than 2 clusters. */
  silhouette: SilhouetteSummary | null;
  labels: Int32Array;
}

export function dbscanTable(m: Matrix, features: string[], opts: DbscanOptions): DbscanRun {
  const scaleMethod = opts.scale ?? 'zscore';
  const scaled = scaleColumns(m, scaleMethod);
  const curve = kDistance(scaled.matrix, opts.minSamples);
  const eps = opts.eps === 'auto' ? curve.suggestedEps : opts.eps;
  if (eps === null || !(eps > 0)) throw new RangeError('the k-distance curve has no knee to suggest an eps: give --eps');
  const r = dbscan(scaled.matrix, eps, opts.minSamples);
  const d = m.d;
  const { sizes, centers } = clusterMeans(m, r.labels, r.clusters, features);
  const kept = Array.from(r.labels.keys()).filter((i) => (r.labels[i] as number) >= 0);
  let sil: SilhouetteSummary | null = null;
  if (r.clusters >= 2) {
    const sub: Matrix = { data: new Float64Array(kept.length * d), n: kept.length, d };
    kept.forEach((i, o) => sub.data.set(scaled.matrix.data.subarray(i * d, i * d + d), o * d));
    sil = silhouette(sub, Int32Array.from(kept, (i) => r.labels[i] as number));
  }
  const n = curve.distances.length;
  return {
    method: 'dbscan',
    rows: m.n,
    features,
    scale: scaleMethod,
    eps,
    suggestedEps: curve.suggestedEps,
    kDistance: Array.from({ length: Math.min(20, n) }, (_, i) => {
      const rank = Math.round((i * (n - 1)) / Math.max(1, Math.min(20, n) - 1));
      return { rank, distance: curve.distances[rank] as number };
    }),
    minSamples: opts.minSamples,
    clusters: r.clusters,
    noise: r.noise,
    core: r.core,
    sizes,
    centers,
    silhouette: sil,
    labels: r.labels,
  };
}

/** The first two principal components of the scaled rows (for plots), and the share of variance each explains. */
export function projection2d(m: Matrix, scale: ScaleMethod): { points: Float64Array; explainedVarianceRatio: number[] } {
  const scaled = scaleColumns(m, scale);
  const p = pca(scaled.matrix, 2);
  return { points: project(scaled.matrix, p, 2), explainedVarianceRatio: p.explainedVarianceRatio };
}

export interface HierarchicalOptions {
  linkage: Linkage;
  /** A number of clusters, 'auto' (the largest jump in merge height among the last kMax merges), or a height. */
  cut: { k: number | 'auto'; kMax?: number } | { height: number };
  scale?: ScaleMethod;
}

export interface HierarchicalRun {
  method: 'hierarchical';
  linkage: Linkage;
  rows: number;
  features: string[];
  scale: ScaleMethod;
  k: number;
  /** The height the dendrogram was cut at (between the last merge kept and the first undone). */
  cutHeight: number;
  /** The last (highest) merges of the dendrogram, up to 50, in scipy's numbering: enough to draw its top. */
  dendrogram: Merge[];
  sizes: number[];
  centers: Record<string, number>[];
  silhouette: SilhouetteSummary | null;
  labels: Int32Array;
}

export function hierarchicalTable(m: Matrix, features: string[], opts: HierarchicalOptions): HierarchicalRun {
  const scaleMethod = opts.scale ?? 'zscore';
  const scaled = scaleColumns(m, scaleMethod);
  const merges = hierarchical(scaled.matrix, opts.linkage);
  const n = m.n;
  let k: number;
  if ('height' in opts.cut) k = n - merges.filter((mg) => mg.height <= (opts.cut as { height: number }).height).length;
  else if (opts.cut.k === 'auto') {
    // The widest gap between successive merge heights among the last kMax merges: cut inside it.
    const kMax = Math.min(opts.cut.kMax ?? 10, n);
    let bestGap = -1;
    k = 2;
    for (let c = 2; c <= kMax; c++) {
      const above = merges[n - c];
      const below = merges[n - c - 1];
      if (!above || !below) continue;
      const gap = above.height - below.height;
      if (gap > bestGap) {
        bestGap = gap;
        k = c;
      }
    }
  } else k = Math.min(n, opts.cut.k);
  const labels = cut(merges, n, { k });
  const kept = merges[n - k - 1];
  const undone = merges[n - k];
  const cutHeight = undone ? (kept ? (kept.height + undone.height) / 2 : undone.height / 2) : (kept?.height ?? 0);
  const { sizes, centers } = clusterMeans(m, labels, k, features);
  return {
    method: 'hierarchical',
    linkage: opts.linkage,
    rows: n,
    features,
    scale: scaleMethod,
    k,
    cutHeight,
    dendrogram: merges.slice(Math.max(0, merges.length - 50)),
    sizes,
    centers,
    silhouette: k >= 2 && k < n ? silhouette(scaled.matrix, labels) : null,
    labels,
  };
}

/** Rows per cluster and each cluster's mean in original units (rows labelled -1, noise, left out). */
function clusterMeans(m: Matrix, labels: Int32Array, k: number, features: string[]): { sizes: number[]; centers: Record<string, number>[] } {
  const d = m.d;
  const sizes = new Array<number>(k).fill(0);
  const sums = new Float64Array(k * d);
  labels.forEach((l, i) => {
    if (l < 0) return;
    sizes[l] = (sizes[l] as number) + 1;
    for (let j = 0; j < d; j++) sums[l * d + j] = (sums[l * d + j] as number) + (m.data[i * d + j] as number);
  });
  return { sizes, centers: sizes.map((size, c) => Object.fromEntries(features.map((f, j) => [f, (sums[c * d + j] as number) / size]))) };
}
