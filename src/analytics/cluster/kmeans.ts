import { Rng } from '../../kernel/index.js';
import { localPasses, workerPasses, type Passes } from './kmeans-passes.js';

/**
 * k-means on a dense row-major matrix (n rows of d numbers in one Float64Array): k-means++ seeding as scikit-learn
 * does it (greedy, 2 + floor(ln k) candidates per new centre, each drawn with probability proportional to its squared
 * distance to the nearest centre), then Lloyd iterations with Hamerly's bounds, which skip the distance computations
 * that cannot change a row's centre and give the same result as plain Lloyd. Several seedings; the lowest inertia
 * wins. Deterministic for a seed. The passes over the rows run on worker threads too for large tables
 * (kmeans-passes.ts).
 */

export interface Matrix {
  /** Row-major: row i is data[i*d .. i*d + d). */
  data: Float64Array;
  n: number;
  d: number;
}

export interface KMeansOptions {
  seed?: number;
  /** Seedings tried; the lowest inertia is kept (default 10, as scikit-learn 1.2). */
  nInit?: number;
  maxIter?: number;
  /** Relative tolerance: stop when the centres move (sum of squared shifts) by less than tol x the mean variance of the columns. */
  tol?: number;
  /**
   * Worker threads besides this one for the passes over the rows: a number, or 'auto' (one less than the CPUs, at
   * most 3, when there are at least 2 million cells; 0 otherwise). Results do not depend on it.
   */
  workers?: number | 'auto';
}

export interface KMeansResult {
  k: number;
  /** k x d, row-major. */
  centers: Float64Array;
  labels: Int32Array;
  /** Sum of squared distances of the rows to their centre. */
  inertia: number;
  /** Iterations of the kept run, and whether it converged (else it stopped at maxIter). */
  iterations: number;
  converged: boolean;
  /** Rows per cluster. */
  sizes: number[];
}

/** Mean over the columns of their variance: scales the tolerance, as scikit-learn does. */
function meanVariance(m: Matrix): number {
  const { data, n, d } = m;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + j] as number;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const t = (data[i * d + j] as number) - mean;
      v += t * t;
    }
    total += v / n;
  }
  return total / d;
}

const sqDistC = (a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number => {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = (a[ai + j] as number) - (b[bi + j] as number);
    s += t * t;
  }
  return s;
};

/** Greedy k-means++ (scikit-learn's _kmeans_plusplus): returns k x d centres. */
async function seed(p: Passes, m: Matrix, k: number, rng: Rng): Promise<Float64Array> {
  const { data, n, d } = m;
  const centers = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.min(n - 1, Math.floor(rng.next() * n));
  centers.set(data.subarray(first * d, first * d + d), 0);
  const closest = p.closest;
  closest.fill(Number.POSITIVE_INFINITY);
  let pot = await p.candidate(centers.slice(0, d), 0);
  await p.commit(0);
  for (let c = 1; c < k; c++) {
    let bestPot = Number.POSITIVE_INFINITY;
    let bestIdx = 0;
    let bestTrial = 0;
    for (let t = 0; t < trials; t++) {
      // Sample a row with probability closest[i] / pot (a linear search of the cumulative sum).
      const target = rng.next() * pot;
      let acc = 0;
      let idx = n - 1;
      for (let i = 0; i < n; i++) {
        acc += closest[i] as number;
        if (acc > target) {
          idx = i;
          break;
        }
      }
      const pt = await p.candidate(data.slice(idx * d, idx * d + d), t);
      if (pt < bestPot) {
        bestPot = pt;
        bestIdx = idx;
        bestTrial = t;
      }
    }
    centers.set(data.subarray(bestIdx * d, bestIdx * d + d), c * d);
    await p.commit(bestTrial);
    pot = bestPot;
  }
  return centers;
}

/** Greedy k-means++ on one thread (exported for tests and callers that only want seeds). */
export async function kmeansPlusPlus(m: Matrix, k: number, rng: Rng): Promise<Float64Array> {
  return seed(localPasses(m, 2 + Math.floor(Math.log(k))), m, k, rng);
}

/** One run of Lloyd's algorithm with Hamerly's bounds, from the given centres (changed in place). */
async function lloyd(p: Passes, m: Matrix, centers: Float64Array, k: number, maxIter: number, tolAbs: number): Promise<Omit<KMeansResult, 'k' | 'sizes'>> {
  const { data, n, d } = m;
  const { labels } = p;
  const shift = new Float64Array(k);
  const half = new Float64Array(k);
  await p.assignExact(centers, k);
  let iterations = 0;
  let converged = false;
  let exact = false;
  const old = new Float64Array(k * d);
  for (let iter = 0; iter < maxIter; iter++) {
    iterations = iter + 1;
    // New centres: means of their rows; an empty cluster takes the row farthest from its centre.
    const { sums, counts } = await p.sums(k);
    old.set(centers);
    for (let c = 0; c < k; c++) {
      if ((counts[c] as number) === 0) {
        let far = 0;
        let farDist = -1;
        for (let i = 0; i < n; i++) {
          const dist = sqDistC(data, i * d, centers, (labels[i] as number) * d, d);
          if (dist > farDist) {
            farDist = dist;
            far = i;
          }
        }
        centers.set(data.subarray(far * d, far * d + d), c * d);
        labels[far] = c;
        p.upper[far] = 0;
        continue;
      }
      for (let j = 0; j < d; j++) centers[c * d + j] = (sums[c * d + j] as number) / (counts[c] as number);
    }
    let totalShift = 0;
    let maxShift = 0;
    let secondShift = 0;
    let maxShiftC = -1;
    for (let c = 0; c < k; c++) {
      const s2 = sqDistC(centers, c * d, old, c * d, d);
      totalShift += s2;
      const s = Math.sqrt(s2);
      shift[c] = s;
      if (s > maxShift) {
        secondShift = maxShift;
        maxShift = s;
        maxShiftC = c;
      } else if (s > secondShift) secondShift = s;
    }
    if (totalShift <= tolAbs) {
      converged = true;
      break;
    }
    for (let c = 0; c < k; c++) {
      let nearest = Number.POSITIVE_INFINITY;
      for (let o = 0; o < k; o++) if (o !== c) nearest = Math.min(nearest, sqDistC(centers, c * d, centers, o * d, d));
      half[c] = Math.sqrt(nearest) / 2;
    }
    const changed = await p.hamerly(centers, k, shift, half, maxShiftC, maxShift, secondShift);
    if (changed === 0 && iter > 0) {
      // No row changed its centre: the centres are the means of their rows already (the next update moves nothing),
      // and every label is the nearest centre (rows the bounds skipped cannot be nearer another one).
      converged = true;
      exact = true;
      break;
    }
  }
  // The inertia; when the run stopped on the tolerance, labels are first made exact for the final centres.
  const inertia = exact ? await p.ownInertia(centers) : await p.assignExact(centers, k);
  return { centers, labels: Int32Array.from(labels), inertia, iterations, converged };
}

export async function kmeans(m: Matrix, k: number, opts: KMeansOptions = {}): Promise<KMeansResult> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive whole number, got ${k}`);
  if (m.n < k) throw new RangeError(`k-means needs at least k = ${k} rows, got ${m.n}`);
  const rng = new Rng(opts.seed ?? 0);
  const nInit = opts.nInit ?? 10;
  const tolAbs = (opts.tol ?? 1e-4) * meanVariance(m);
  const trials = 2 + Math.floor(Math.log(k));
  const p = await workerPasses(m, trials, opts.workers ?? 'auto');
  try {
    let best: Omit<KMeansResult, 'k' | 'sizes'> | null = null;
    for (let run = 0; run < nInit; run++) {
      const r = await lloyd(p, m, await seed(p, m, k, rng), k, opts.maxIter ?? 300, tolAbs);
      if (best === null || r.inertia < best.inertia) best = r;
    }
    const b = best as Omit<KMeansResult, 'k' | 'sizes'>;
    const sizes = new Array<number>(k).fill(0);
    for (const l of b.labels) sizes[l] = (sizes[l] as number) + 1;
    return { ...b, k, sizes };
  } finally {
    await p.close();
  }
}
