import { nearestTwo, sqDist } from './kmeans-kernel.js';

/**
 * The passes of k-means over the rows, shared by the main thread and the k-means workers (kmeans-worker.ts). The rows
 * are cut into fixed blocks that depend on n only. Threads claim blocks from a shared counter until none is left, the
 * main thread from the first block up, workers from the last one down, so a slow or busy thread takes fewer blocks.
 * Everything summed over rows (k-means++ potentials, the centres' sums, the inertia, the column statistics) is summed
 * per block, in row order, into a slot of its own, and the main thread adds the slots in block order: results are the
 * same bits whatever the number of threads and whoever took which block.
 */

/** Rows per block: about 256 blocks of 64 to 4096 rows (a function of n only), at most 65,535 blocks. */
export function blockRows(n: number): number {
  return Math.max(Math.min(4096, Math.max(64, Math.ceil(n / 256))), Math.ceil(n / 65535));
}

/** The per-row and per-block state, in shared memory when workers take part. */
export interface KState {
  /** The rows this thread can read: rows base .. base + data.length / d (all of them on the main thread). */
  data: Float64Array;
  base: number;
  n: number;
  d: number;
  k: number;
  /** k-means++ candidates per new centre. */
  trials: number;
  blockRows: number;
  blocks: number;
  /**
   * The main thread claims blocks upwards from 0 and can take any; workers claim downwards from the last one and stop
   * at `firstBlock`, the first block of the rows they can read.
   */
  fromTop: boolean;
  firstBlock: number;
  /** Each row's centre: the nearest chosen one during seeding, then Lloyd's assignment. */
  labels: Int32Array;
  /**
   * During seeding, the squared distance to the nearest chosen centre (the k-means++ weight); from Lloyd on, Hamerly's
   * upper bound on the distance to the row's centre. One array for both: every megabyte of fresh memory costs time.
   */
  upper: Float64Array;
  /** Hamerly's lower bound on the distance to any other centre. */
  lower: Float64Array;
  /** Per block: k-means++ potentials (trials x blocks) or the inertia (first `blocks` slots). */
  blockVal: Float64Array;
  /** Per block: sums of the rows of each centre (blocks x k x d) and their counts (blocks x k). */
  blockSums: Float64Array;
  blockCounts: Float64Array;
  /** [0]: the blocks not yet claimed, [lo, hi), packed as lo + hi * 65536. */
  counter: Uint32Array;
}

/**
 * k-means++ candidates are compared with the rows four at a time (a group); the candidates are padded to a multiple
 * of four with copies of the last one, whose results are not used. A group is skipped for a row that none of its
 * candidates can bring nearer (see the 'candidates' job).
 */
export function trialGroups(trials: number): number {
  return (trials + 3) >> 2;
}

/** How far the candidates reach, for the rows of each chosen centre (see the 'candidates' job). */
export interface Reach {
  /** reach[e * trials + t]: half the distance from chosen centre e to candidate t. */
  reach: Float64Array;
  /** skip[e * groups + g]: the smallest reach of the candidates of group g from centre e, squared. */
  skip: Float64Array;
}

/** A chosen k-means++ candidate, applied to the rows: `center` becomes centre `c`; it was candidate `trial` of `reach`. */
export interface Commit extends Reach {
  center: Float64Array;
  trial: number;
  c: number;
}

/** What every thread is asked to do on the blocks it claims. */
export type Job =
  /**
   * The first k-means++ centre: distances to it. With `stats`, also each block's column sums and sums of squared
   * deviations from the block's column means (into blockSums, 2 x d per block), for the variance of the columns.
   */
  | { op: 'first'; center: Float64Array; stats: boolean }
  /**
   * One pass of k-means++: first the centre chosen last (`commit`, none for the second centre) is applied to each row
   * (nearest centre, distance, bounds), then the next candidates (`cands`, groups x 4 x d, padded) are compared with
   * it, for the potential of each per block. A row whose distance to its centre e is at most the reach of every
   * candidate of a group from e is no nearer any of them (triangle inequality): its potential for them is its current
   * weight, and it is not compared with them.
   */
  | { op: 'candidates'; commit: Commit | null; cands: Float64Array; reach: Reach }
  /**
   * The last pass of k-means++: applies the last centre, adds up the rows of each centre per block (sums and counts),
   * and turns the squared distances into distances (Hamerly's upper bounds).
   */
  | { op: 'finish'; commit: Commit }
  /** The same without a centre to apply (k = 1). */
  | { op: 'sums' }
  /** One assignment pass of Hamerly's method after the centres moved; the per-block sums follow the rows that change centre. */
  | { op: 'assign'; centers: Float64Array; shift: Float64Array; half: Float64Array; maxShiftC: number; maxShift: number; secondShift: number }
  /** The exact inertia per block for the current labels. */
  | { op: 'inertia'; centers: Float64Array };

type Assign = Extract<Job, { op: 'assign' }>;

/*
 * Each pass over a block's rows is one function with one loop, no switch inside it on the kind of pass, and nothing
 * after the loop (results are stored as the loop goes). V8 optimises a long loop while it runs (on-stack replacement)
 * with the type feedback gathered so far: code in the loop that a previous kind of pass never ran, and code after the
 * loop, have none, and V8 leaves the optimised code there (deoptimises), again for every block: that had made the
 * first run in a process up to twice as slow as the next.
 */

function firstRows(s: KState, b: number, from: number, to: number, center: Float64Array): void {
  const { data, d, labels, upper, lower, blockVal } = s;
  let pot = 0;
  for (let i = from, off = (from - s.base) * d; i < to; i++, off += d) {
    const dist = sqDist(data, off, center, 0, d);
    labels[i] = 0;
    upper[i] = dist;
    lower[i] = Number.POSITIVE_INFINITY;
    pot += dist;
    blockVal[b] = pot;
  }
}

/**
 * The k-means++ weight of a row once `commit` is applied (its squared distance to the nearest chosen centre): the
 * same test and the same bits as the passes, so that the main thread can draw the next candidates before the pass
 * that applies the commit.
 */
export function committedWeight(s: KState, i: number, off: number, commit: Commit | null): number {
  const cur = s.upper[i]!;
  if (commit === null) return cur;
  if (cur <= commit.skip[s.labels[i]! * trialGroups(s.trials) + (commit.trial >> 2)]!) return cur;
  return Math.min(sqDist(s.data, off, commit.center, 0, s.d), cur);
}

/**
 * Applies a chosen candidate to the rows of a block. Hamerly's lower bound is kept up during seeding too, so that
 * Lloyd starts from the seeding's labels and bounds without a full assignment pass: a centre the row was compared with
 * bounds it by the distance itself, a skipped one by the triangle inequality (distance between the centres minus the
 * row's distance to its own). The next loop over the block finds its rows in cache.
 */
function commitRows(s: KState, from: number, to: number, commit: Commit): void {
  const { data, d, labels, upper, lower, trials } = s;
  const { center, reach, skip, trial, c } = commit;
  const groups = trialGroups(trials);
  const g = trial >> 2;
  for (let i = from, off = (from - s.base) * d; i < to; i++, off += d) {
    const cur = upper[i]!;
    const lab = labels[i]!;
    const l = lower[i]!;
    if (cur <= skip[lab * groups + g]!) {
      const bound = 2 * reach[lab * trials + trial]! - Math.sqrt(cur);
      if (bound < l) lower[i] = bound;
      continue;
    }
    const dc = sqDist(data, off, center, 0, d);
    if (dc < cur) {
      const u = Math.sqrt(cur);
      if (u < l) lower[i] = u;
      labels[i] = c;
      upper[i] = dc;
    } else {
      const root = Math.sqrt(dc);
      if (root < l) lower[i] = root;
    }
  }
}

/**
 * The potentials of the candidates of group g over a block, into pots[4g .. 4g + 4): four candidates per loop, in
 * local sums, stored as they go (see above: nothing after the loop).
 */
function candidateRows(s: KState, from: number, to: number, cands: Float64Array, skip: Float64Array, g: number, pots: Float64Array): void {
  const { data, d, labels, upper } = s;
  const groups = trialGroups(s.trials);
  const a0 = 4 * g * d;
  const a1 = a0 + d;
  const a2 = a1 + d;
  const a3 = a2 + d;
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  for (let i = from, off = (from - s.base) * d; i < to; i++, off += d) {
    const cur = upper[i]!;
    if (cur <= skip[labels[i]! * groups + g]!) {
      p0 += cur;
      p1 += cur;
      p2 += cur;
      p3 += cur;
      pots[4 * g] = p0;
      pots[4 * g + 1] = p1;
      pots[4 * g + 2] = p2;
      pots[4 * g + 3] = p3;
      continue;
    }
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < d; j++) {
      const x = data[off + j]!;
      const e0 = x - cands[a0 + j]!;
      const e1 = x - cands[a1 + j]!;
      const e2 = x - cands[a2 + j]!;
      const e3 = x - cands[a3 + j]!;
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
    }
    // min(s, cur) without a branch: whether a candidate is nearer is a coin toss from row to row, and a mispredicted
    // branch costs more than the arithmetic (m * s + (1 - m) * cur is exactly s or cur).
    let m = +(s0 < cur);
    p0 += m * s0 + (1 - m) * cur;
    m = +(s1 < cur);
    p1 += m * s1 + (1 - m) * cur;
    m = +(s2 < cur);
    p2 += m * s2 + (1 - m) * cur;
    m = +(s3 < cur);
    p3 += m * s3 + (1 - m) * cur;
    pots[4 * g] = p0;
    pots[4 * g + 1] = p1;
    pots[4 * g + 2] = p2;
    pots[4 * g + 3] = p3;
  }
}

/** The seeding's squared distances turned into distances (Hamerly's upper bounds). */
function rootRows(s: KState, from: number, to: number): void {
  const { upper } = s;
  for (let i = from; i < to; i++) upper[i] = Math.sqrt(upper[i]!);
}

/**
 * Column sums and sums of squared deviations from the block's own means, column by column over the block's rows
 * (still in cache), four rows at a time in separate sums so that the additions do not wait on one another.
 */
function statsRows(s: KState, b: number, from: number, to: number): void {
  const { data, d, k, blockSums } = s;
  const so = b * Math.max(2, k) * d;
  const rows = to - from;
  const start = (from - s.base) * d;
  const end = start + rows * d;
  const step = 4 * d;
  const tail = start + (rows - (rows & 3)) * d;
  for (let j = 0; j < d; j++) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let o = start + j;
    for (; o < tail; o += step) {
      a0 += data[o]!;
      a1 += data[o + d]!;
      a2 += data[o + 2 * d]!;
      a3 += data[o + 3 * d]!;
    }
    for (; o < end; o += d) a0 += data[o]!;
    const sum = a0 + a1 + (a2 + a3);
    const mean = sum / rows;
    let q0 = 0;
    let q1 = 0;
    let q2 = 0;
    let q3 = 0;
    for (o = start + j; o < tail; o += step) {
      const t0 = data[o]! - mean;
      const t1 = data[o + d]! - mean;
      const t2 = data[o + 2 * d]! - mean;
      const t3 = data[o + 3 * d]! - mean;
      q0 += t0 * t0;
      q1 += t1 * t1;
      q2 += t2 * t2;
      q3 += t3 * t3;
    }
    for (; o < end; o += d) {
      const t = data[o]! - mean;
      q0 += t * t;
    }
    blockSums[so + j] = sum;
    blockSums[so + d + j] = q0 + q1 + (q2 + q3);
  }
}

/** The per-block sums and counts of the rows of each centre, from scratch in row order. */
export function countRows(s: KState, b: number, from: number, to: number): void {
  const { data, d, k, labels } = s;
  const so = b * k * d;
  const co = b * k;
  const sums = s.blockSums.fill(0, so, so + k * d);
  const counts = s.blockCounts.fill(0, co, co + k);
  for (let i = from, off = (from - s.base) * d; i < to; i++, off += d) {
    const c = labels[i]!;
    counts[co + c] = counts[co + c]! + 1;
    const base = so + c * d;
    for (let j = 0; j < d; j++) sums[base + j] = sums[base + j]! + data[off + j]!;
  }
}

/** Moves the row at `off` from centre `from` to centre `to` in its block's sums (from `so`) and counts (from `co`). */
function moveRow(s: KState, so: number, co: number, off: number, from: number, to: number): void {
  const { data, d } = s;
  const sums = s.blockSums;
  const counts = s.blockCounts;
  const left = counts[co + from]! - 1;
  counts[co + from] = left;
  counts[co + to] = counts[co + to]! + 1;
  const f0 = so + from * d;
  const t0 = so + to * d;
  for (let j = 0; j < d; j++) {
    const x = data[off + j]!;
    // A centre left with no row of the block has no sum: clear what rounding left of the subtractions.
    sums[f0 + j] = left === 0 ? 0 : sums[f0 + j]! - x;
    sums[t0 + j] = sums[t0 + j]! + x;
  }
}

/** How many rows of the block Hamerly's test sends to a full search. */
function failingRows(s: KState, from: number, to: number, job: Assign): number {
  const { labels, upper, lower } = s;
  const { shift, half, maxShiftC, maxShift, secondShift } = job;
  let failing = 0;
  for (let i = from; i < to; i++) {
    const lab = labels[i]!;
    const l = lower[i]! - (lab === maxShiftC ? secondShift : maxShift);
    const h = half[lab]!;
    failing += +(upper[i]! + shift[lab]! > (h > l ? h : l));
  }
  return failing;
}

/** Every row of the block compared with every centre; returns how many changed centre. */
function denseRows(s: KState, b: number, from: number, to: number, centers: Float64Array, two: Float64Array): number {
  const { data, d, k, labels, upper, lower } = s;
  const so = b * k * d;
  const co = b * k;
  let changed = 0;
  for (let i = from, off = (from - s.base) * d; i < to; i++, off += d) {
    const lab = labels[i]!;
    const best = nearestTwo(data, off, d, centers, k, two);
    upper[i] = Math.sqrt(two[0]!);
    lower[i] = Math.sqrt(two[1]!);
    if (best !== lab) {
      changed++;
      labels[i] = best;
      moveRow(s, so, co, off, lab, best);
    }
  }
  return changed;
}

/** Hamerly's pass over a block: bounds follow the shifts, and only rows they cannot settle are searched; returns how many changed centre. */
function hamerlyRows(s: KState, b: number, from: number, to: number, job: Assign, two: Float64Array): number {
  const { data, d, k, labels, upper, lower } = s;
  const { centers, shift, half, maxShiftC, maxShift, secondShift } = job;
  const so = b * k * d;
  const co = b * k;
  let changed = 0;
  for (let i = from, off = (from - s.base) * d; i < to; i++, off += d) {
    const lab = labels[i]!;
    let u = upper[i]! + shift[lab]!;
    const l = lower[i]! - (lab === maxShiftC ? secondShift : maxShift);
    lower[i] = l;
    const h = half[lab]!;
    const bound = h > l ? h : l;
    if (u <= bound) {
      upper[i] = u;
      continue;
    }
    u = Math.sqrt(sqDist(data, off, centers, lab * d, d));
    upper[i] = u;
    if (u <= bound) continue;
    const best = nearestTwo(data, off, d, centers, k, two);
    upper[i] = Math.sqrt(two[0]!);
    lower[i] = Math.sqrt(two[1]!);
    if (best !== lab) {
      changed++;
      labels[i] = best;
      moveRow(s, so, co, off, lab, best);
    }
  }
  return changed;
}

/**
 * One assignment pass over a block; the block's sums follow the rows that change centre (no second pass over the
 * rows). Hamerly's test first, for the whole block: when it would send three rows in four to the full search anyway
 * (the first iterations on overlapping clusters), the block goes straight to it, which costs less than the test, the
 * own-centre distance and the mispredicted branches. Either way every row ends at its nearest centre, so the choice
 * changes nothing in the result.
 */
function assignBlock(s: KState, b: number, from: number, to: number, job: Assign, two: Float64Array): number {
  if (failingRows(s, from, to, job) * 4 > (to - from) * 3) return denseRows(s, b, from, to, job.centers, two);
  return hamerlyRows(s, b, from, to, job, two);
}

function inertiaRows(s: KState, b: number, from: number, to: number, centers: Float64Array): void {
  const { data, d, labels, blockVal } = s;
  let inertia = 0;
  for (let i = from, off = (from - s.base) * d; i < to; i++, off += d) {
    inertia += sqDist(data, off, centers, labels[i]! * d, d);
    blockVal[b] = inertia;
  }
}

/** The next block for this thread, or -1: upwards from the low end on the main thread, downwards from the high end on workers. */
function claim(s: KState): number {
  const c = s.counter;
  for (;;) {
    const w = Atomics.load(c, 0);
    const lo = w & 0xffff;
    const hi = w >>> 16;
    if (!s.fromTop) {
      if (lo >= hi) return -1;
      if (Atomics.compareExchange(c, 0, w, w + 1) === w) return lo;
    } else {
      if (hi <= lo || hi - 1 < s.firstBlock) return -1;
      if (Atomics.compareExchange(c, 0, w, w - 65536) === w) return hi - 1;
    }
  }
}

/** Makes every block claimable again before a job. */
export function resetClaims(s: KState): void {
  Atomics.store(s.counter, 0, s.blocks * 65536);
}

/** Claims blocks until none is left, running `block` on each; sums its integer results. */
function claimAll(s: KState, block: (b: number, from: number, to: number) => number): number {
  let total = 0;
  for (;;) {
    const b = claim(s);
    if (b < 0) return total;
    const from = b * s.blockRows;
    total += block(b, from, Math.min(s.n, from + s.blockRows));
  }
}

/**
 * This thread's share of a job. Returns the sum of the blocks' integer results (rows that changed centre), which does
 * not depend on the order. One loop per kind of job, so that V8 optimises each with its own type feedback.
 */
export function runJob(s: KState, job: Job): number {
  switch (job.op) {
    case 'first':
      return claimAll(s, (b, from, to) => {
        firstRows(s, b, from, to, job.center);
        if (job.stats) statsRows(s, b, from, to);
        return 0;
      });
    case 'candidates': {
      const { trials, blocks, blockVal } = s;
      const pots = new Float64Array(4 * trialGroups(trials));
      return claimAll(s, (b, from, to) => {
        if (job.commit !== null) commitRows(s, from, to, job.commit);
        for (let g = 0; g < trialGroups(trials); g++) candidateRows(s, from, to, job.cands, job.reach.skip, g, pots);
        for (let t = 0; t < trials; t++) blockVal[t * blocks + b] = pots[t]!;
        return 0;
      });
    }
    case 'finish':
      return claimAll(s, (b, from, to) => {
        commitRows(s, from, to, job.commit);
        rootRows(s, from, to);
        countRows(s, b, from, to);
        return 0;
      });
    case 'sums':
      return claimAll(s, (b, from, to) => {
        rootRows(s, from, to);
        countRows(s, b, from, to);
        return 0;
      });
    case 'assign': {
      const two = new Float64Array(2);
      return claimAll(s, (b, from, to) => assignBlock(s, b, from, to, job, two));
    }
    case 'inertia':
      return claimAll(s, (b, from, to) => {
        inertiaRows(s, b, from, to, job.centers);
        return 0;
      });
  }
}
