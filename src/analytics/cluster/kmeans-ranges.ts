/**
 * The passes of k-means over a range of rows, shared by the main thread and the k-means worker (kmeans-worker.ts):
 * each thread runs the same code on its own rows of the same shared arrays, so one thread and two give the same
 * result.
 */

/** Distances to a k-means++ candidate (the smaller of it and `closest`) into `out`; returns their sum. */
export function candidateRange(data: Float64Array, d: number, from: number, to: number, cand: Float64Array, closest: Float64Array, out: Float64Array): number {
  let p = 0;
  for (let i = from, off = from * d; i < to; i++, off += d) {
    let s2 = 0;
    for (let j = 0; j < d; j++) {
      const t = (data[off + j] as number) - (cand[j] as number);
      s2 += t * t;
    }
    const cur = closest[i] as number;
    const dist = s2 < cur ? s2 : cur;
    out[i] = dist;
    p += dist;
  }
  return p;
}

/**
 * The nearest centre of the row at `off` (returned) and the squared distances to the nearest and second-nearest
 * (written to `out[0]`, `out[1]`).
 */
function nearestTwo(data: Float64Array, off: number, d: number, centers: Float64Array, k: number, out: Float64Array): number {
  let b1 = Number.POSITIVE_INFINITY;
  let b2 = Number.POSITIVE_INFINITY;
  let best = 0;
  for (let c = 0, co = 0; c < k; c++, co += d) {
    let s2 = 0;
    for (let j = 0; j < d; j++) {
      const t = (data[off + j] as number) - (centers[co + j] as number);
      s2 += t * t;
    }
    if (s2 < b1) {
      b2 = b1;
      b1 = s2;
      best = c;
    } else if (s2 < b2) b2 = s2;
  }
  out[0] = b1;
  out[1] = b2;
  return best;
}

/** Nearest and second-nearest centre of every row: labels, and the bounds of Hamerly's method (distances, not squared). */
export function assignExactRange(
  data: Float64Array,
  d: number,
  centers: Float64Array,
  k: number,
  from: number,
  to: number,
  labels: Int32Array,
  upper: Float64Array,
  lower: Float64Array,
): number {
  let inertia = 0;
  const two = new Float64Array(2);
  for (let i = from, off = from * d; i < to; i++, off += d) {
    labels[i] = nearestTwo(data, off, d, centers, k, two);
    upper[i] = Math.sqrt(two[0] as number);
    lower[i] = Math.sqrt(two[1] as number);
    inertia += two[0] as number;
  }
  return inertia;
}

/** Per-cluster sums of the rows and their counts (into `sums`, k x d, and `counts`, zeroed by the caller). */
export function sumsRange(data: Float64Array, d: number, labels: Int32Array, from: number, to: number, sums: Float64Array, counts: Float64Array): void {
  for (let i = from, off = from * d; i < to; i++, off += d) {
    const c = labels[i] as number;
    counts[c] = (counts[c] as number) + 1;
    const so = c * d;
    for (let j = 0; j < d; j++) sums[so + j] = (sums[so + j] as number) + (data[off + j] as number);
  }
}

/**
 * One assignment pass of Hamerly's method after the centres moved: bounds follow the shifts, rows whose bounds prove
 * their centre is still the nearest are skipped, the others are compared with every centre. Returns how many rows
 * changed centre.
 */
export function hamerlyRange(
  data: Float64Array,
  d: number,
  centers: Float64Array,
  k: number,
  from: number,
  to: number,
  labels: Int32Array,
  upper: Float64Array,
  lower: Float64Array,
  shift: Float64Array,
  half: Float64Array,
  maxShiftC: number,
  maxShift: number,
  secondShift: number,
): number {
  let changed = 0;
  const two = new Float64Array(2);
  for (let i = from, off = from * d; i < to; i++, off += d) {
    const lab = labels[i] as number;
    let u = (upper[i] as number) + (shift[lab] as number);
    const l = (lower[i] as number) - (lab === maxShiftC ? secondShift : maxShift);
    lower[i] = l;
    const bound = Math.max(half[lab] as number, l);
    if (u <= bound) {
      upper[i] = u;
      continue;
    }
    let s2 = 0;
    const lo = lab * d;
    for (let j = 0; j < d; j++) {
      const t = (data[off + j] as number) - (centers[lo + j] as number);
      s2 += t * t;
    }
    u = Math.sqrt(s2);
    upper[i] = u;
    if (u <= bound) continue;
    const best = nearestTwo(data, off, d, centers, k, two);
    if (best !== lab) changed++;
    labels[i] = best;
    upper[i] = Math.sqrt(two[0] as number);
    lower[i] = Math.sqrt(two[1] as number);
  }
  return changed;
}

/** The sum of squared distances of the rows to their own centre. */
export function ownInertiaRange(data: Float64Array, d: number, centers: Float64Array, labels: Int32Array, from: number, to: number): number {
  let inertia = 0;
  for (let i = from, off = from * d; i < to; i++, off += d) {
    const co = (labels[i] as number) * d;
    for (let j = 0; j < d; j++) {
      const t = (data[off + j] as number) - (centers[co + j] as number);
      inertia += t * t;
    }
  }
  return inertia;
}
