import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/index.js';
import type { Matrix } from './kmeans.js';
import { sqDist } from './kmeans-kernel.js';
import { localPasses, stateOver } from './kmeans-passes.js';
import { blockRows, resetClaims, runJob, trialGroups, type Job, type KState } from './kmeans-ranges.js';

/**
 * The passes split between threads give the same bits as one thread. Worker threads need the built code, so this runs
 * the split within one thread: a worker's view of the state (its own copy of the upper rows, claiming blocks from the
 * top) takes its share of each job, then the main thread's view takes the rest, and every array is compared with a
 * run on a single view. The tolerance is exactly zero. (test/cluster-cli.test.ts runs real workers on the built CLI.)
 */

function overlapping(n: number, d: number, k: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const mid = Array.from({ length: k * d }, () => rng.next() * 8);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng.next() * k);
    for (let j = 0; j < d; j++) data[i * d + j] = mid[c * d + j]! + rng.normal(0, 2);
  }
  return { data, n, d };
}

/** Two views of one set of shared buffers: the main thread's (all rows) and a worker's (rows from block `first`). */
function splitViews(m: Matrix, k: number, trials: number, first: number): { main: KState; worker: KState } {
  const { n, d } = m;
  const size = blockRows(n);
  const blocks = Math.ceil(n / size);
  const buffers = {
    labels: new SharedArrayBuffer(n * 4),
    upper: new SharedArrayBuffer(n * 8),
    lower: new SharedArrayBuffer(n * 8),
    blockVal: new SharedArrayBuffer(trials * blocks * 8),
    blockSums: new SharedArrayBuffer(blocks * Math.max(2, k) * d * 8),
    blockCounts: new SharedArrayBuffer(blocks * k * 8),
    counter: new SharedArrayBuffer(4),
  };
  const dims = { n, d, k, trials };
  const base = first * size;
  const copy = new Float64Array(new SharedArrayBuffer((n - base) * d * 8));
  copy.set(m.data.subarray(base * d));
  return {
    main: stateOver(buffers, dims, { data: m.data, base: 0, fromTop: false, firstBlock: 0 }),
    worker: stateOver(buffers, dims, { data: copy, base, fromTop: true, firstBlock: first }),
  };
}

function snapshot(s: KState): number[][] {
  return [s.labels, s.upper, s.lower, s.blockVal, s.blockSums, s.blockCounts].map((a) => Array.from(a));
}

describe('k-means passes over blocks', () => {
  it('give the same bits whichever thread takes which block', () => {
    const m = overlapping(3000, 4, 6, 5);
    const k = 6;
    const trials = 2 + Math.floor(Math.log(k));
    const single = localPasses(m, k, trials).state;
    const blocks = single.blocks;
    expect(blocks).toBeGreaterThan(20);
    const row = (i: number) => m.data.slice(i * m.d, i * m.d + m.d);
    // Hand-made jobs in the order of a run: the first centre, candidates, commits, the sums, assignments, inertia.
    const cands = (rows: number[]) => {
      const c = new Float64Array(trialGroups(trials) * 4 * m.d);
      rows.forEach((r, t) => c.set(row(r), t * m.d));
      for (let t = rows.length; t < trialGroups(trials) * 4; t++) c.set(row(rows[rows.length - 1]!), t * m.d);
      return c;
    };
    const reachOf = (centers: Float64Array, chosen: number, cs: Float64Array) => {
      const groups = trialGroups(trials);
      const reach = new Float64Array(chosen * trials);
      const skip = new Float64Array(chosen * groups).fill(Number.POSITIVE_INFINITY);
      for (let e = 0; e < chosen; e++) {
        for (let t = 0; t < trials; t++) {
          const h = Math.sqrt(sqDist(centers, e * m.d, cs, t * m.d, m.d)) / 2;
          reach[e * trials + t] = h;
          skip[e * groups + (t >> 2)] = Math.min(skip[e * groups + (t >> 2)]!, h * h);
        }
      }
      return { reach, skip };
    };
    const centers = new Float64Array(k * m.d);
    centers.set(row(7), 0);
    const c1 = cands([100, 2000, 2999]);
    const r1 = reachOf(centers, 1, c1);
    centers.set(row(2000), m.d);
    const c2 = cands([50, 1500, 2500]);
    const r2 = reachOf(centers, 2, c2);
    centers.set(row(50), 2 * m.d);
    const jobs: Job[] = [
      { op: 'first', center: row(7), stats: true },
      { op: 'candidates', commit: null, cands: c1, reach: r1 },
      { op: 'candidates', commit: { center: row(2000), trial: 1, c: 1, ...r1 }, cands: c2, reach: r2 },
      { op: 'finish', commit: { center: row(50), trial: 0, c: 2, ...r2 } },
    ];
    const moved = centers.map((v, i) => v + (i % 3) * 0.3);
    const shift = Float64Array.from({ length: k }, (_, c) => Math.sqrt(sqDist(moved, c * m.d, centers, c * m.d, m.d)));
    const half = Float64Array.from({ length: k }, () => 0.2);
    const assign = { op: 'assign', centers: moved, shift, half, maxShiftC: 1, maxShift: Math.max(...shift), secondShift: Math.max(...shift) } as const;
    // A second assignment from the bounds the first one left: most rows pass Hamerly's test this time.
    jobs.push(assign, { ...assign, shift: shift.map(() => 0), maxShift: 0, secondShift: 0 }, { op: 'inertia', centers: moved });
    for (const first of [1, Math.floor(blocks / 2), blocks - 1]) {
      const single2 = localPasses(m, k, trials).state;
      const { main, worker } = splitViews(m, k, trials, first);
      for (const job of jobs) {
        resetClaims(single2);
        const want = runJob(single2, job);
        resetClaims(main);
        const got = runJob(worker, job) + runJob(main, job);
        expect(got).toBe(want);
        expect(snapshot(main)).toEqual(snapshot(single2));
      }
    }
  });
});
