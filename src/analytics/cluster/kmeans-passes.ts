import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Matrix } from './kmeans.js';
import { assignExactRange, candidateRange, hamerlyRange, ownInertiaRange, sumsRange } from './kmeans-ranges.js';

/**
 * The passes of k-means over all rows, on this thread or split across worker threads. The per-row state (labels,
 * Hamerly's bounds, k-means++ distances) lives in shared memory; each thread works on its own range of rows with the
 * same code (kmeans-ranges.ts), so the result does not depend on the number of threads (sums of distances only up to
 * the order of their floating-point additions).
 */
export interface Passes {
  labels: Int32Array;
  upper: Float64Array;
  lower: Float64Array;
  /** k-means++: each row's squared distance to its nearest chosen centre. */
  closest: Float64Array;
  /** Distances to candidate `trial` into its buffer; returns their sum. */
  candidate(cand: Float64Array, trial: number): Promise<number>;
  /** The chosen candidate's distances become `closest`. */
  commit(trial: number): Promise<void>;
  /** Exact labels and bounds; returns the inertia. */
  assignExact(centers: Float64Array, k: number): Promise<number>;
  sums(k: number): Promise<{ sums: Float64Array; counts: Float64Array }>;
  hamerly(centers: Float64Array, k: number, shift: Float64Array, half: Float64Array, maxShiftC: number, maxShift: number, secondShift: number): Promise<number>;
  ownInertia(centers: Float64Array): Promise<number>;
  close(): Promise<void>;
}

interface State {
  data: Float64Array;
  n: number;
  d: number;
  labels: Int32Array;
  upper: Float64Array;
  lower: Float64Array;
  closest: Float64Array;
  trialOut: Float64Array[];
}

/** What a worker is asked to do on its range (the same operations as Passes). */
export type RangeJob =
  | { op: 'candidate'; cand: Float64Array; trial: number }
  | { op: 'commit'; trial: number }
  | { op: 'assignExact'; centers: Float64Array; k: number }
  | { op: 'sums'; k: number }
  | { op: 'hamerly'; centers: Float64Array; k: number; shift: Float64Array; half: Float64Array; maxShiftC: number; maxShift: number; secondShift: number }
  | { op: 'ownInertia'; centers: Float64Array };

/** Runs one job on rows [from, to) of the state; returns a number, or the partial sums for 'sums'. */
export function runRange(s: State, from: number, to: number, job: RangeJob): number | { sums: Float64Array; counts: Float64Array } {
  switch (job.op) {
    case 'candidate':
      return candidateRange(s.data, s.d, from, to, job.cand, s.closest, s.trialOut[job.trial] as Float64Array);
    case 'commit':
      s.closest.set((s.trialOut[job.trial] as Float64Array).subarray(from, to), from);
      return 0;
    case 'assignExact':
      return assignExactRange(s.data, s.d, job.centers, job.k, from, to, s.labels, s.upper, s.lower);
    case 'sums': {
      const sums = new Float64Array(job.k * s.d);
      const counts = new Float64Array(job.k);
      sumsRange(s.data, s.d, s.labels, from, to, sums, counts);
      return { sums, counts };
    }
    case 'hamerly':
      return hamerlyRange(s.data, s.d, job.centers, job.k, from, to, s.labels, s.upper, s.lower, job.shift, job.half, job.maxShiftC, job.maxShift, job.secondShift);
    case 'ownInertia':
      return ownInertiaRange(s.data, s.d, job.centers, s.labels, from, to);
  }
}

/** The shared buffers a worker maps (its range comes with them). */
export interface WorkerInit {
  data: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  upper: SharedArrayBuffer;
  lower: SharedArrayBuffer;
  closest: SharedArrayBuffer;
  trialOut: SharedArrayBuffer[];
  n: number;
  d: number;
  from: number;
  to: number;
}

function makeState(m: Matrix, trials: number, shared: boolean): { state: State; buffers: Omit<WorkerInit, 'from' | 'to' | 'n' | 'd'> | null } {
  const { n, d } = m;
  const alloc = (bytes: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const dataBuf = shared ? new SharedArrayBuffer(n * d * 8) : null;
  const data = dataBuf ? new Float64Array(dataBuf) : m.data;
  if (dataBuf) data.set(m.data);
  const labelsBuf = alloc(n * 4);
  const upperBuf = alloc(n * 8);
  const lowerBuf = alloc(n * 8);
  const closestBuf = alloc(n * 8);
  const trialBufs = Array.from({ length: trials }, () => alloc(n * 8));
  const state: State = {
    data,
    n,
    d,
    labels: new Int32Array(labelsBuf),
    upper: new Float64Array(upperBuf),
    lower: new Float64Array(lowerBuf),
    closest: new Float64Array(closestBuf),
    trialOut: trialBufs.map((b) => new Float64Array(b)),
  };
  const buffers = shared
    ? {
        data: dataBuf as SharedArrayBuffer,
        labels: labelsBuf as SharedArrayBuffer,
        upper: upperBuf as SharedArrayBuffer,
        lower: lowerBuf as SharedArrayBuffer,
        closest: closestBuf as SharedArrayBuffer,
        trialOut: trialBufs as SharedArrayBuffer[],
      }
    : null;
  return { state, buffers };
}

function passesOver(state: State, run: (job: RangeJob) => Promise<(number | { sums: Float64Array; counts: Float64Array })[]>, close: () => Promise<void>): Passes {
  const total = async (job: RangeJob): Promise<number> => (await run(job)).reduce<number>((a, b) => a + (b as number), 0);
  return {
    labels: state.labels,
    upper: state.upper,
    lower: state.lower,
    closest: state.closest,
    candidate: (cand, trial) => total({ op: 'candidate', cand, trial }),
    commit: async (trial) => {
      await run({ op: 'commit', trial });
    },
    assignExact: (centers, k) => total({ op: 'assignExact', centers, k }),
    sums: async (k) => {
      const parts = (await run({ op: 'sums', k })) as { sums: Float64Array; counts: Float64Array }[];
      const sums = new Float64Array(k * state.d);
      const counts = new Float64Array(k);
      for (const p of parts) {
        for (let i = 0; i < sums.length; i++) sums[i] = (sums[i] as number) + (p.sums[i] as number);
        for (let i = 0; i < k; i++) counts[i] = (counts[i] as number) + (p.counts[i] as number);
      }
      return { sums, counts };
    },
    hamerly: (centers, k, shift, half, maxShiftC, maxShift, secondShift) => total({ op: 'hamerly', centers, k, shift, half, maxShiftC, maxShift, secondShift }),
    ownInertia: (centers) => total({ op: 'ownInertia', centers }),
    close,
  };
}

/** All passes on this thread. */
export function localPasses(m: Matrix, trials: number): Passes {
  const { state } = makeState(m, trials, false);
  return passesOver(state, async (job) => [runRange(state, 0, m.n, job)], async () => undefined);
}

/** Where the built worker is; absent when running from the TypeScript sources (tests), which then use one thread. */
const WORKER_URL = new URL('./kmeans-worker.js', import.meta.url);
const workerFileExists = (): boolean => WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));

/** Worker threads for `workers` ('auto': one less than the CPUs, at most 3, from 2 million cells). */
export function workerCount(m: Matrix, workers: number | 'auto'): number {
  if (!workerFileExists()) return 0;
  if (workers !== 'auto') return Math.max(0, Math.floor(workers));
  return m.n * m.d >= 2_000_000 ? Math.min(3, Math.max(0, availableParallelism() - 1)) : 0;
}

/** The passes split between this thread and worker threads (or all here when none are worth starting). */
export async function workerPasses(m: Matrix, trials: number, workers: number | 'auto'): Promise<Passes> {
  const count = workerCount(m, workers);
  if (count === 0) return localPasses(m, trials);
  const { state, buffers } = makeState(m, trials, true);
  const threads = count + 1;
  const share = Math.ceil(m.n / threads);
  const ranges = Array.from({ length: threads }, (_, t) => [Math.min(m.n, t * share), Math.min(m.n, (t + 1) * share)] as const);
  const pool: Worker[] = [];
  try {
    for (let w = 1; w < threads; w++) {
      const [from, to] = ranges[w] as readonly [number, number];
      const worker = new Worker(WORKER_URL, { workerData: { ...(buffers as Omit<WorkerInit, 'from' | 'to' | 'n' | 'd'>), n: m.n, d: m.d, from, to } satisfies WorkerInit });
      pool.push(worker);
    }
  } catch (e) {
    await Promise.all(pool.map((w) => w.terminate()));
    throw e;
  }
  const ask = (worker: Worker, job: RangeJob): Promise<number | { sums: Float64Array; counts: Float64Array }> =>
    new Promise((resolve, reject) => {
      const onError = (e: unknown) => {
        worker.off('message', onMessage);
        reject(e);
      };
      const onMessage = (v: number | { sums: Float64Array; counts: Float64Array }) => {
        worker.off('error', onError);
        resolve(v);
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.postMessage(job);
    });
  const [own0, own1] = ranges[0] as readonly [number, number];
  return passesOver(
    state,
    async (job) => {
      const others = pool.map((w) => ask(w, job));
      const mine = runRange(state, own0, own1, job);
      return [mine, ...(await Promise.all(others))];
    },
    async () => {
      await Promise.all(pool.map((w) => w.terminate()));
    },
  );
}
