import type { Matrix } from './kmeans.js';

/**
 * Agglomerative clustering with the nearest-neighbour chain algorithm (O(n^2) time and memory; ward, complete,
 * average and single are reducible linkages, for which it gives the same merges as the naive algorithm), merge
 * distances updated by the Lance-Williams formulas as scipy's `linkage` does (ward on Euclidean distances, R's
 * "ward.D2"). The result is the dendrogram: n - 1 merges sorted by height, in scipy's numbering (rows 0..n-1, the
 * cluster made by merge i is n + i).
 */

export type Linkage = 'ward' | 'complete' | 'average' | 'single';

export interface Merge {
  a: number;
  b: number;
  height: number;
  /** Rows in the merged cluster. */
  size: number;
}

/** Largest table this in-memory method takes (n^2 / 2 distances). */
export const MAX_HIERARCHICAL_ROWS = 20_000;

export function hierarchical(m: Matrix, method: Linkage): Merge[] {
  const { data, n, d } = m;
  if (n > MAX_HIERARCHICAL_ROWS) throw new RangeError(`hierarchical clustering keeps n^2 distances: at most ${MAX_HIERARCHICAL_ROWS} rows, got ${n}`);
  if (n < 2) return [];
  // Condensed distance matrix: pair (i < j) at i * n - i * (i + 1) / 2 + (j - i - 1).
  const at = (i: number, j: number): number => (i < j ? i * n - (i * (i + 1)) / 2 + (j - i - 1) : j * n - (j * (j + 1)) / 2 + (i - j - 1));
  const dist = new Float64Array((n * (n - 1)) / 2);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = (data[i * d + k] as number) - (data[j * d + k] as number);
        s += t * t;
      }
      dist[at(i, j)] = Math.sqrt(s);
    }
  }
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const raw: { a: number; b: number; height: number }[] = [];
  const chain: number[] = [];
  let remaining = n;
  while (remaining > 1) {
    if (chain.length === 0) {
      let first = 0;
      while (!active[first]) first++;
      chain.push(first);
    }
    for (;;) {
      const x = chain[chain.length - 1] as number;
      const prev = chain.length >= 2 ? (chain[chain.length - 2] as number) : -1;
      // The nearest active cluster to x; ties go to the previous element of the chain, so the chain ends.
      let y = prev;
      let best = prev >= 0 ? (dist[at(x, prev)] as number) : Number.POSITIVE_INFINITY;
      for (let o = 0; o < n; o++) {
        if (!active[o] || o === x) continue;
        const v = dist[at(x, o)] as number;
        if (v < best) {
          best = v;
          y = o;
        }
      }
      if (y === prev) {
        // x and y are reciprocal nearest neighbours: merge them (into the slot of the smaller index).
        chain.pop();
        chain.pop();
        const [i, j] = x < y ? [x, y] : [y, x];
        raw.push({ a: i, b: j, height: best });
        const ni = size[i] as number;
        const nj = size[j] as number;
        for (let k = 0; k < n; k++) {
          if (!active[k] || k === i || k === j) continue;
          const dik = dist[at(i, k)] as number;
          const djk = dist[at(j, k)] as number;
          const nk = size[k] as number;
          let v: number;
          switch (method) {
            case 'single':
              v = Math.min(dik, djk);
              break;
            case 'complete':
              v = Math.max(dik, djk);
              break;
            case 'average':
              v = (ni * dik + nj * djk) / (ni + nj);
              break;
            case 'ward':
              v = Math.sqrt(((ni + nk) * dik * dik + (nj + nk) * djk * djk - nk * best * best) / (ni + nj + nk));
              break;
          }
          dist[at(i, k)] = v;
        }
        active[j] = 0;
        size[i] = ni + nj;
        remaining--;
        break;
      }
      chain.push(y);
    }
  }
  // Sort by height (stable) and number the clusters as scipy does: the cluster made by the t-th merge is n + t.
  const order = raw.map((r, t) => ({ ...r, t })).sort((p, q) => p.height - q.height || p.t - q.t);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[x] !== r) {
      const nx = parent[x] as number;
      parent[x] = r;
      x = nx;
    }
    return r;
  };
  const label = Int32Array.from({ length: n }, (_, i) => i); // union-find root -> current cluster number
  const count = new Int32Array(n).fill(1);
  return order.map((r, t) => {
    const ra = find(r.a);
    const rb = find(r.b);
    const [ca, cb] = [label[ra] as number, label[rb] as number];
    parent[rb] = ra;
    count[ra] = (count[ra] as number) + (count[rb] as number);
    label[ra] = n + t;
    return { a: Math.min(ca, cb), b: Math.max(ca, cb), height: r.height, size: count[ra] as number };
  });
}

/** Labels 0..k-1 of the rows for a cut of the dendrogram into `k` clusters (or at `height`: merges above it undone). */
export function cut(merges: readonly Merge[], n: number, by: { k: number } | { height: number }): Int32Array {
  const keep = 'k' in by ? Math.max(0, n - Math.max(1, by.k)) : merges.filter((mg) => mg.height <= by.height).length;
  const parent = Int32Array.from({ length: 2 * n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] as number;
    return x;
  };
  merges.slice(0, keep).forEach((mg, t) => {
    parent[find(mg.a)] = n + t;
    parent[find(mg.b)] = n + t;
  });
  // Numbered in the order their first row comes.
  const names = new Map<number, number>();
  return Int32Array.from({ length: n }, (_, i) => {
    const r = find(i);
    let l = names.get(r);
    if (l === undefined) {
      l = names.size;
      names.set(r, l);
    }
    return l;
  });
}
