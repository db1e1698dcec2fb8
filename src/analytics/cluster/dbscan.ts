import type { Matrix } from './kmeans.js';
import { knee } from './metrics.js';

/**
 * DBSCAN as scikit-learn defines it (a row is a core row when at least `minSamples` rows, itself included, lie within
 * `eps`; clusters grow from core rows in row order; rows reached by no core row are noise, label -1), on a k-d tree so
 * that each neighbourhood query visits only the nearby rows. The k-distance curve (each row's distance to its
 * minSamples-th nearest row, itself included, sorted) and its knee suggest an eps.
 */

interface KdTree {
  /** Row indexes, permuted so that each node covers a contiguous slice. */
  idx: Int32Array;
  /** Per node: [start, end) of its slice, split dimension (-1: leaf), split value, children. */
  start: Int32Array;
  end: Int32Array;
  dim: Int32Array;
  split: Float64Array;
  left: Int32Array;
  right: Int32Array;
  nodes: number;
}

const LEAF = 16;

function buildTree(m: Matrix): KdTree {
  const { data, n, d } = m;
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const cap = Math.max(1, 2 * Math.ceil(n / LEAF) * 2);
  const t: KdTree = {
    idx,
    start: new Int32Array(cap),
    end: new Int32Array(cap),
    dim: new Int32Array(cap),
    split: new Float64Array(cap),
    left: new Int32Array(cap),
    right: new Int32Array(cap),
    nodes: 0,
  };
  const build = (s: number, e: number): number => {
    const node = t.nodes++;
    t.start[node] = s;
    t.end[node] = e;
    t.dim[node] = -1;
    if (e - s <= LEAF) return node;
    // Split on the widest dimension, at the median (sorting the slice on it).
    let best = 0;
    let width = -1;
    for (let j = 0; j < d; j++) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let i = s; i < e; i++) {
        const v = data[(idx[i] as number) * d + j] as number;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi - lo > width) {
        width = hi - lo;
        best = j;
      }
    }
    if (width <= 0) return node;
    const slice = Array.from(idx.subarray(s, e)).sort((a, b) => (data[a * d + best] as number) - (data[b * d + best] as number));
    idx.set(slice, s);
    const mid = s + ((e - s) >> 1);
    t.dim[node] = best;
    t.split[node] = data[(idx[mid] as number) * d + best] as number;
    t.left[node] = build(s, mid);
    t.right[node] = build(mid, e);
    return node;
  };
  build(0, n);
  return t;
}

/** Rows within `eps` of row `q` (itself included), appended to `out`. */
function radius(m: Matrix, t: KdTree, q: number, eps: number, out: number[]): void {
  const { data, d } = m;
  const e2 = eps * eps;
  const qo = q * d;
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop() as number;
    const dim = t.dim[node] as number;
    if (dim < 0) {
      for (let i = t.start[node] as number; i < (t.end[node] as number); i++) {
        const r = t.idx[i] as number;
        let s = 0;
        for (let j = 0; j < d && s <= e2; j++) {
          const x = (data[r * d + j] as number) - (data[qo + j] as number);
          s += x * x;
        }
        if (s <= e2) out.push(r);
      }
      continue;
    }
    const diff = (data[qo + dim] as number) - (t.split[node] as number);
    // Rows left of the split have values <= split on dim; right ones >= split (the median row belongs to the right).
    if (diff <= eps) stack.push(t.left[node] as number);
    if (diff >= -eps) stack.push(t.right[node] as number);
  }
}

/** Distance from row q to its k-th nearest row (itself counted as the first). */
function kthDistance(m: Matrix, t: KdTree, q: number, k: number): number {
  const { data, d } = m;
  const qo = q * d;
  // A max-heap of the k best squared distances.
  const heap: number[] = [];
  const push = (v: number) => {
    if (heap.length < k) {
      heap.push(v);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if ((heap[p] as number) >= (heap[i] as number)) break;
        [heap[p], heap[i]] = [heap[i] as number, heap[p] as number];
        i = p;
      }
    } else if (v < (heap[0] as number)) {
      heap[0] = v;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let big = i;
        if (l < heap.length && (heap[l] as number) > (heap[big] as number)) big = l;
        if (r < heap.length && (heap[r] as number) > (heap[big] as number)) big = r;
        if (big === i) break;
        [heap[big], heap[i]] = [heap[i] as number, heap[big] as number];
        i = big;
      }
    }
  };
  const worst = () => (heap.length < k ? Number.POSITIVE_INFINITY : (heap[0] as number));
  const visit = (node: number): void => {
    const dim = t.dim[node] as number;
    if (dim < 0) {
      for (let i = t.start[node] as number; i < (t.end[node] as number); i++) {
        const r = t.idx[i] as number;
        let s = 0;
        for (let j = 0; j < d; j++) {
          const x = (data[r * d + j] as number) - (data[qo + j] as number);
          s += x * x;
        }
        push(s);
      }
      return;
    }
    const diff = (data[qo + dim] as number) - (t.split[node] as number);
    const [near, far] = diff <= 0 ? [t.left[node] as number, t.right[node] as number] : [t.right[node] as number, t.left[node] as number];
    visit(near);
    if (diff * diff <= worst()) visit(far);
  };
  visit(0);
  return Math.sqrt(heap[0] ?? 0);
}

export interface DbscanResult {
  /** Cluster per row (0, 1, ...), -1 for noise. */
  labels: Int32Array;
  clusters: number;
  noise: number;
  core: number;
}

export function dbscan(m: Matrix, eps: number, minSamples: number): DbscanResult {
  if (!(eps > 0)) throw new RangeError(`eps must be positive, got ${eps}`);
  if (!Number.isInteger(minSamples) || minSamples < 1) throw new RangeError(`minSamples must be a positive whole number, got ${minSamples}`);
  const { n } = m;
  const t = buildTree(m);
  const neighbours: number[][] = [];
  const isCore = new Uint8Array(n);
  let core = 0;
  for (let i = 0; i < n; i++) {
    const out: number[] = [];
    radius(m, t, i, eps, out);
    neighbours.push(out);
    if (out.length >= minSamples) {
      isCore[i] = 1;
      core++;
    }
  }
  const labels = new Int32Array(n).fill(-1);
  let cluster = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -1 || !isCore[i]) continue;
    // Breadth-first from a core row not yet in a cluster: every row it reaches joins; core rows keep reaching.
    labels[i] = cluster;
    const queue = [i];
    for (let h = 0; h < queue.length; h++) {
      const r = queue[h] as number;
      if (!isCore[r]) continue;
      for (const o of neighbours[r] as number[]) {
        if (labels[o] !== -1) continue;
        labels[o] = cluster;
        queue.push(o);
      }
    }
    cluster++;
  }
  let noise = 0;
  for (const l of labels) if (l === -1) noise++;
  return { labels, clusters: cluster, noise, core };
}

/**
 * The k-distance curve (each row's distance to its minSamples-th nearest row, itself included, ascending) and the
 * eps it suggests: the curve's knee, where distances start to climb.
 */
export function kDistance(m: Matrix, minSamples: number): { distances: Float64Array; suggestedEps: number | null } {
  const t = buildTree(m);
  const distances = Float64Array.from({ length: m.n }, (_, i) => kthDistance(m, t, i, Math.min(minSamples, m.n))).sort();
  // Kneedle on an increasing convex curve: mirrored (x -> -x) it is a decreasing convex one, whose knee is the point
  // farthest below the line from its first point to its last.
  const xs = Array.from(distances, (_, i) => -i).reverse();
  const ys = Array.from(distances).reverse();
  const at = knee(xs, ys);
  const suggestedEps = at === null ? null : (distances[-at] ?? null);
  return { distances, suggestedEps };
}
