import { Rng } from '../../kernel/index.js';
import { sqDist } from './kmeans-kernel.js';
import { localPasses, workerPasses, type Passes } from './kmeans-passes.js';
import { committedWeight, countRows, trialGroups, type Commit, type KState, type Reach } from './kmeans-ranges.js';

/**
 * k-means on a dense row-major matrix (n rows of d numbers in one Float64Array): k-means++ seeding as scikit-learn
 * does it (greedy, 2 + floor(ln k) candidates per new centre, each drawn with probability proportional to its squared
 * distance to the nearest centre), then Lloyd iterations with Hamerly's bounds, which skip the distance computations
 * that cannot change a row's centre: the same labels as plain Lloyd, the centres up to rounding. Several seedings;
 * the lowest inertia wins. Deterministic for a seed, and the same bits whatever the number of worker threads
 * (kmeans-ranges.ts says how).
 *
 * What keeps the time down (1,000,000 x 10, k = 8; docs/BENCHMARKS.md):
 * - one pass over the rows per k-means++ centre: it applies the centre chosen last and compares the rows with all the
 *   candidates of the next one, four at a time; the triangle inequality skips the rows no candidate can bring nearer;
 * - the seeding leaves each row its nearest centre and Hamerly's bounds, so Lloyd starts without an assignment pass;
 * - one pass per Lloyd iteration: the per-block sums of the centres follow the rows that change centre;
 * - little fresh memory (the first touch of a page is slow: about 3 ms per MB on the benchmark machine): the workers
 *   get a copy of half the rows only, the seeding's squared distances share Hamerly's upper-bound array, and the
 *   labels are not copied when the last seeding wins;
 * - pass code that V8 optimises once and keeps (kmeans-ranges.ts), and the distance kernels (kmeans-kernel.ts).
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

type Run = Omit<KMeansResult, 'k' | 'sizes'>;

/**
 * Mean over the columns of their variance (scales the tolerance, as scikit-learn does), from the per-block column
 * sums and sums of squared deviations of the first seeding pass, merged in block order (Chan, Golub and LeVeque's
 * pairwise update, which keeps the precision of the two-pass formula).
 */
function meanVariance(s: KState): number {
  const { d, n, blocks, blockRows } = s;
  const stride = Math.max(2, s.k) * d;
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  let rows = 0;
  for (let b = 0; b < blocks; b++) {
    const nb = Math.min(n, (b + 1) * blockRows) - b * blockRows;
    const total = rows + nb;
    for (let j = 0; j < d; j++) {
      const mb = s.blockSums[b * stride + j]! / nb;
      const delta = mb - mean[j]!;
      mean[j] = mean[j]! + (delta * nb) / total;
      m2[j] = m2[j]! + s.blockSums[b * stride + d + j]! + (delta * delta * rows * nb) / total;
    }
    rows = total;
  }
  let sum = 0;
  for (let j = 0; j < d; j++) sum += m2[j]! / n;
  return sum / d;
}

/** Sum of slots [from, to) in order (the per-block partial results). */
function sumSlots(a: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s;
}

/**
 * A row drawn with probability weight / total, the weights being the squared distances to the nearest chosen centre
 * once `pending` is applied (committedWeight), and `blockWeights` their per-block sums: the block first, then the row
 * within it, each the first whose running sum passes `target`.
 */
function sample(s: KState, blockWeights: Float64Array, target: number, pending: Commit | null): number {
  let acc = 0;
  for (let b = 0; b < s.blocks; b++) {
    const next = acc + blockWeights[b]!;
    if (next > target) {
      const from = b * s.blockRows;
      const to = Math.min(s.n, from + s.blockRows);
      let last = to - 1;
      for (let i = from, off = from * s.d; i < to; i++, off += s.d) {
        const w = committedWeight(s, i, off, pending);
        if (w > 0) last = i;
        acc += w;
        if (acc > target) return i;
      }
      // The block's sum and the running sum inside it round differently: the target fell in between.
      return last;
    }
    acc = next;
  }
  return s.n - 1;
}

/** How far the candidates reach from the c centres chosen so far (the triangle-inequality test of the 'candidates' pass). */
function reachOf(centers: Float64Array, c: number, cands: Float64Array, trials: number, d: number): Reach {
  const groups = trialGroups(trials);
  const reach = new Float64Array(c * trials);
  const skip = new Float64Array(c * groups).fill(Number.POSITIVE_INFINITY);
  for (let e = 0; e < c; e++) {
    for (let t = 0; t < trials; t++) {
      const h = Math.sqrt(sqDist(centers, e * d, cands, t * d, d)) / 2;
      reach[e * trials + t] = h;
      const g = e * groups + (t >> 2);
      skip[g] = Math.min(skip[g]!, h * h);
    }
  }
  return { reach, skip };
}

/**
 * Greedy k-means++ (scikit-learn's _kmeans_plusplus): returns k x d centres, and leaves in the state what Lloyd starts
 * from: each row's nearest centre, Hamerly's bounds, and the per-block sums of the centres. One pass over the rows per
 * centre: it applies the centre chosen last and compares the rows with the next candidates, which are drawn before
 * the pass from the weights that centre leaves (computed here for the one block each draw falls in).
 */
async function seed(p: Passes, k: number, rng: Rng, stats = false): Promise<{ centers: Float64Array; meanVariance: number }> {
  const s = p.state;
  const { data, n, d, trials, blocks } = s;
  const centers = new Float64Array(k * d);
  const first = Math.min(n - 1, Math.floor(rng.next() * n));
  centers.set(data.subarray(first * d, first * d + d), 0);
  await p.run({ op: 'first', center: centers.slice(0, d), stats });
  // Read before the seeding's last pass reuses blockSums.
  const variance = stats ? meanVariance(s) : Number.NaN;
  let weights = s.blockVal.slice(0, blocks);
  let pot = sumSlots(weights, 0, blocks);
  let pending: Commit | null = null;
  for (let c = 1; c < k; c++) {
    // All candidates are drawn from the same distribution (as scikit-learn does), so one pass compares them all.
    // Padded to groups of four with copies of the last candidate (kmeans-ranges.ts).
    const cands = new Float64Array(trialGroups(trials) * 4 * d);
    for (let t = 0; t < trials; t++) {
      const idx = sample(s, weights, rng.next() * pot, pending);
      cands.set(data.subarray(idx * d, idx * d + d), t * d);
    }
    for (let t = trials; t < trialGroups(trials) * 4; t++) cands.copyWithin(t * d, (trials - 1) * d, trials * d);
    const reach = reachOf(centers, c, cands, trials, d);
    await p.run({ op: 'candidates', commit: pending, cands, reach });
    let best = 0;
    let bestPot = Number.POSITIVE_INFINITY;
    for (let t = 0; t < trials; t++) {
      const pt = sumSlots(s.blockVal, t * blocks, (t + 1) * blocks);
      if (pt < bestPot) {
        bestPot = pt;
        best = t;
      }
    }
    weights = s.blockVal.slice(best * blocks, (best + 1) * blocks);
    const center = cands.slice(best * d, best * d + d);
    centers.set(center, c * d);
    pending = { center, trial: best, c, ...reach };
    pot = bestPot;
  }
  await p.run(pending === null ? { op: 'sums' } : { op: 'finish', commit: pending });
  return { centers, meanVariance: variance };
}

/** Greedy k-means++ on one thread (exported for tests and callers that only want seeds). */
export async function kmeansPlusPlus(m: Matrix, k: number, rng: Rng): Promise<Float64Array> {
  return (await seed(localPasses(m, k, 2 + Math.floor(Math.log(k))), k, rng)).centers;
}

/** The per-block sums and counts added in block order. */
function totals(s: KState, sums: Float64Array, counts: Float64Array): void {
  const { k, d, blocks } = s;
  sums.fill(0);
  counts.fill(0);
  for (let b = 0; b < blocks; b++) {
    const so = b * k * d;
    for (let i = 0; i < k * d; i++) sums[i] = sums[i]! + s.blockSums[so + i]!;
    for (let c = 0; c < k; c++) counts[c] = counts[c]! + s.blockCounts[b * k + c]!;
  }
}

/**
 * An empty cluster takes the row farthest from its centre (as scikit-learn does), from a cluster that keeps at least
 * one row. Rare: one exact pass over the rows on this thread.
 */
function relocateEmpty(s: KState, centers: Float64Array, counts: Float64Array): void {
  const { data, n, d, k, labels } = s;
  const far = new Float64Array(n);
  for (let i = 0; i < n; i++) far[i] = sqDist(data, i * d, centers, labels[i]! * d, d);
  for (let c = 0; c < k; c++) {
    if (counts[c]! > 0) continue;
    let pick = -1;
    for (let i = 0; i < n; i++) if (counts[labels[i]!]! > 1 && (pick < 0 || far[i]! > far[pick]!)) pick = i;
    if (pick < 0) return;
    const old = labels[pick]!;
    labels[pick] = c;
    const b = Math.floor(pick / s.blockRows);
    countRows(s, b, b * s.blockRows, Math.min(n, (b + 1) * s.blockRows));
    counts[old] = counts[old]! - 1;
    counts[c] = counts[c]! + 1;
    far[pick] = -1;
    // Its bounds no longer hold: the next pass compares it with every centre.
    s.upper[pick] = Number.POSITIVE_INFINITY;
    s.lower[pick] = 0;
  }
}

/** Half the distance from each centre to the nearest other one (Hamerly's test). */
function halves(centers: Float64Array, k: number, d: number, half: Float64Array): void {
  for (let c = 0; c < k; c++) {
    let nearest = Number.POSITIVE_INFINITY;
    for (let o = 0; o < k; o++) if (o !== c) nearest = Math.min(nearest, sqDist(centers, c * d, centers, o * d, d));
    half[c] = Math.sqrt(nearest) / 2;
  }
}

/** One run of Lloyd's algorithm with Hamerly's bounds from the seeding's centres (changed in place), labels and bounds. */
async function lloyd(p: Passes, centers: Float64Array, maxIter: number, tolAbs: number): Promise<Omit<Run, 'labels'>> {
  const s = p.state;
  const { k, d, blocks } = s;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const shift = new Float64Array(k);
  const half = new Float64Array(k);
  const old = new Float64Array(k * d);
  let iterations = 0;
  let converged = false;
  // Whether the labels are the nearest centres of `centers` (true after an assignment pass).
  let fresh = true;
  let moves = { maxShiftC: -1, maxShift: 0, secondShift: 0 };
  for (let iter = 0; iter < maxIter; iter++) {
    iterations = iter + 1;
    totals(s, sums, counts);
    if (counts.includes(0)) {
      relocateEmpty(s, centers, counts);
      totals(s, sums, counts);
    }
    old.set(centers);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j] = sums[c * d + j]! / counts[c]!;
    fresh = false;
    let totalShift = 0;
    moves = { maxShiftC: -1, maxShift: 0, secondShift: 0 };
    for (let c = 0; c < k; c++) {
      const s2 = sqDist(centers, c * d, old, c * d, d);
      totalShift += s2;
      const sh = Math.sqrt(s2);
      shift[c] = sh;
      if (sh > moves.maxShift) moves = { maxShiftC: c, maxShift: sh, secondShift: moves.maxShift };
      else if (sh > moves.secondShift) moves.secondShift = sh;
    }
    if (totalShift <= tolAbs) {
      converged = true;
      break;
    }
    halves(centers, k, d, half);
    const changed = await p.run({ op: 'assign', centers, shift, half, ...moves });
    fresh = true;
    if (changed === 0) {
      // No row changed its centre: the centres are the means of their rows already (the next update moves nothing),
      // and every label is the nearest centre (rows the bounds skipped cannot be nearer another one).
      converged = true;
      break;
    }
  }
  // The inertia, exact (each row's squared distance to its centre); after a stop on the tolerance the labels are first
  // brought up to the final centres.
  if (!fresh) {
    halves(centers, k, d, half);
    await p.run({ op: 'assign', centers, shift, half, ...moves });
  }
  await p.run({ op: 'inertia', centers });
  const inertia = sumSlots(s.blockVal, 0, blocks);
  return { centers, inertia, iterations, converged };
}

/** Whether two labellings are the same partition, the clusters possibly numbered otherwise (scikit-learn's _is_same_clustering). */
function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const map = new Int32Array(k).fill(-1);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (map[x] === -1) map[x] = b[i]!;
    else if (map[x] !== b[i]) return false;
  }
  return true;
}

export async function kmeans(m: Matrix, k: number, opts: KMeansOptions = {}): Promise<KMeansResult> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive whole number, got ${k}`);
  if (m.n < k) throw new RangeError(`k-means needs at least k = ${k} rows, got ${m.n}`);
  const nInit = opts.nInit ?? 10;
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`nInit must be a positive whole number, got ${nInit}`);
  const rng = new Rng(opts.seed ?? 0);
  const trials = 2 + Math.floor(Math.log(k));
  const p = await workerPasses(m, k, trials, opts.workers ?? 'auto');
  try {
    let best: Omit<Run, 'labels'> | null = null;
    let bestRun = -1;
    let tolAbs = 0;
    // The labels of the best run so far, copied only when a later run would overwrite them (fresh memory is slow).
    let kept: Int32Array | null = null;
    for (let run = 0; run < nInit; run++) {
      const seeded = await seed(p, k, rng, run === 0);
      if (run === 0) tolAbs = (opts.tol ?? 1e-4) * seeded.meanVariance;
      const r = await lloyd(p, seeded.centers, opts.maxIter ?? 300, tolAbs);
      // As scikit-learn: a seeding that ends in the partition already kept, numbered otherwise, does not replace it
      // even if rounding makes its inertia a hair lower (the result would change with the last bit of the data).
      if (best === null || (r.inertia < best.inertia && !(kept !== null && sameClustering(p.state.labels, kept, k)))) {
        best = r;
        bestRun = run;
        if (run < nInit - 1) (kept ??= new Int32Array(m.n)).set(p.state.labels);
      }
    }
    if (best === null) throw new RangeError('k-means ran no seeding');
    // The state's own array when the last run won and it is not shared with workers; a plain copy otherwise.
    const own = p.state.labels;
    const labels = bestRun === nInit - 1 ? (own.buffer instanceof ArrayBuffer ? own : own.slice()) : (kept ?? own.slice());
    const sizes = new Array<number>(k).fill(0);
    for (const l of labels) sizes[l] = sizes[l]! + 1;
    return { ...best, labels, k, sizes };
  } finally {
    await p.close();
  }
}
