import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Matrix } from './kmeans.js';
import { WORKER_CELLS } from './shared-rows.js';
import { blockRows, resetClaims, runJob, type Job, type KState } from './kmeans-ranges.js';

/**
 * The passes of k-means over all rows, on this thread alone or with worker threads. The per-row and per-block state
 * lives in shared memory; every thread runs the same code on the blocks it claims (kmeans-ranges.ts), so the result is
 * the same whatever the number of threads.
 *
 * The rows themselves are not all copied: this thread reads the caller's array, and the workers a shared copy of the
 * upper part of the rows only (all of them, without a copy, when the caller's array is already in shared memory).
 * Fresh memory is slow to touch the first time (about 3 ms per MB on the 2-core benchmark machine: copying all the
 * rows costs as much as several Lloyd passes over them), so the copy is kept to the rows the workers can be expected
 * to take.
 */
export interface Passes {
  state: KState;
  /** Runs a job over every block; returns the sum of the threads' integer results. */
  run(job: Job): Promise<number>;
  close(): Promise<void>;
}

/** The shared state a worker maps (its `workerData`). */
export interface WorkerInit {
  labels: SharedArrayBuffer;
  upper: SharedArrayBuffer;
  lower: SharedArrayBuffer;
  blockVal: SharedArrayBuffer;
  blockSums: SharedArrayBuffer;
  blockCounts: SharedArrayBuffer;
  counter: SharedArrayBuffer;
  n: number;
  d: number;
  k: number;
  trials: number;
}

/** The rows a worker reads (its first message): rows base .. base + dataRows, as float64 from byte `dataOffset`. */
export interface WorkerRows {
  data: SharedArrayBuffer;
  dataOffset: number;
  dataRows: number;
  base: number;
  firstBlock: number;
}

type StateBuffers = Omit<WorkerInit, 'n' | 'd' | 'k' | 'trials'>;

/** Sizes of the state arrays of k-means on n x d rows, in bytes. */
function stateSizes(n: number, d: number, k: number, trials: number): Record<keyof StateBuffers, number> {
  const blocks = Math.ceil(n / blockRows(n));
  // blockSums also holds the column statistics of the first pass (2 x d per block).
  return { labels: n * 4, upper: n * 8, lower: n * 8, blockVal: Math.max(1, trials) * blocks * 8, blockSums: blocks * Math.max(2, k) * d * 8, blockCounts: blocks * k * 8, counter: 4 };
}

function sharedStateBuffers(n: number, d: number, k: number, trials: number): StateBuffers {
  const z = stateSizes(n, d, k, trials);
  const a = (bytes: number) => new SharedArrayBuffer(bytes);
  return { labels: a(z.labels), upper: a(z.upper), lower: a(z.lower), blockVal: a(z.blockVal), blockSums: a(z.blockSums), blockCounts: a(z.blockCounts), counter: a(z.counter) };
}

function plainStateBuffers(n: number, d: number, k: number, trials: number): Record<keyof StateBuffers, ArrayBuffer> {
  const z = stateSizes(n, d, k, trials);
  const a = (bytes: number) => new ArrayBuffer(bytes);
  return { labels: a(z.labels), upper: a(z.upper), lower: a(z.lower), blockVal: a(z.blockVal), blockSums: a(z.blockSums), blockCounts: a(z.blockCounts), counter: a(z.counter) };
}

/** The typed arrays over a set of buffers (every thread builds the same view of the same memory). */
export function stateOver(
  b: Record<keyof StateBuffers, ArrayBufferLike>,
  dims: { n: number; d: number; k: number; trials: number },
  rows: { data: Float64Array; base: number; fromTop: boolean; firstBlock: number },
): KState {
  const size = blockRows(dims.n);
  return {
    ...dims,
    ...rows,
    blockRows: size,
    blocks: Math.ceil(dims.n / size),
    labels: new Int32Array(b.labels),
    upper: new Float64Array(b.upper),
    lower: new Float64Array(b.lower),
    blockVal: new Float64Array(b.blockVal),
    blockSums: new Float64Array(b.blockSums),
    blockCounts: new Float64Array(b.blockCounts),
    counter: new Uint32Array(b.counter),
  };
}

/** All passes on this thread, over the caller's rows (no copy). */
export function localPasses(m: Matrix, k: number, trials: number): Passes {
  const { n, d } = m;
  const state = stateOver(plainStateBuffers(n, d, k, trials), { n, d, k, trials }, { data: m.data, base: 0, fromTop: false, firstBlock: 0 });
  return {
    state,
    run: async (job) => {
      resetClaims(state);
      return runJob(state, job);
    },
    close: async () => undefined,
  };
}

/** Where the built worker is; absent when running from the TypeScript sources (tests), which then use one thread. */
const WORKER_URL = new URL('./kmeans-worker.js', import.meta.url);
const workerFileExists = (): boolean => WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));

/** Worker threads for `workers` ('auto': one less than the CPUs, at most 3, from 2 million cells). */
export function workerCount(m: Matrix, workers: number | 'auto'): number {
  if (!workerFileExists()) return 0;
  if (workers !== 'auto') return Math.max(0, Math.floor(workers));
  return m.n * m.d >= WORKER_CELLS ? Math.min(3, Math.max(0, availableParallelism() - 1)) : 0;
}

/** A job for one worker: resolves with its integer result, rejects if the worker fails. */
function ask(worker: Worker, job: Job): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: unknown) => {
      worker.off('message', onMessage);
      reject(e);
    };
    const onMessage = (v: number) => {
      worker.off('error', onError);
      resolve(v);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(job);
  });
}

/**
 * The rows the workers read: the caller's shared memory as it is, or a shared copy of the blocks from `firstBlock` on,
 * which leaves this thread about one share in (workers + 1) of its own plus whatever the workers do not get to.
 */
function workerRows(m: Matrix, workers: number): WorkerRows {
  const { n, d } = m;
  if (m.data.buffer instanceof SharedArrayBuffer) return { data: m.data.buffer, dataOffset: m.data.byteOffset, dataRows: n, base: 0, firstBlock: 0 };
  const size = blockRows(n);
  const blocks = Math.ceil(n / size);
  const firstBlock = Math.min(blocks - 1, Math.floor(blocks / (workers + 1)));
  const base = firstBlock * size;
  const data = new SharedArrayBuffer((n - base) * d * 8);
  new Float64Array(data).set(m.data.subarray(base * d, n * d));
  return { data, dataOffset: 0, dataRows: n - base, base, firstBlock };
}

/**
 * The passes split between this thread and worker threads (or all here when none are worth starting). The workers
 * are told about a job first; this thread then claims blocks like them, so the blocks a late-starting worker does not
 * take are done here.
 */
export async function workerPasses(m: Matrix, k: number, trials: number, workers: number | 'auto'): Promise<Passes> {
  const count = workerCount(m, workers);
  if (count === 0) return localPasses(m, k, trials);
  const { n, d } = m;
  const buffers = sharedStateBuffers(n, d, k, trials);
  const state = stateOver(buffers, { n, d, k, trials }, { data: m.data, base: 0, fromTop: false, firstBlock: 0 });
  const pool: Worker[] = [];
  try {
    // Started first: a worker takes tens of milliseconds to load, which the copy of its rows overlaps.
    const init: WorkerInit = { ...buffers, n, d, k, trials };
    for (let w = 0; w < count; w++) pool.push(new Worker(WORKER_URL, { workerData: init }));
    const rows = workerRows(m, count);
    for (const w of pool) w.postMessage(rows);
  } catch (e) {
    await Promise.all(pool.map((w) => w.terminate()));
    throw e;
  }
  return {
    state,
    run: async (job) => {
      resetClaims(state);
      const others = pool.map((w) => ask(w, job));
      let total = runJob(state, job);
      for (const v of await Promise.all(others)) total += v;
      return total;
    },
    close: async () => {
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}
