import { parentPort, workerData } from 'node:worker_threads';
import { runRange, type RangeJob, type WorkerInit } from './kmeans-passes.js';

/** A k-means worker: maps the shared rows and state once, then runs each job on its own range of rows. */
const init = workerData as WorkerInit;
const state = {
  data: new Float64Array(init.data),
  n: init.n,
  d: init.d,
  labels: new Int32Array(init.labels),
  upper: new Float64Array(init.upper),
  lower: new Float64Array(init.lower),
  closest: new Float64Array(init.closest),
  trialOut: init.trialOut.map((b) => new Float64Array(b)),
};
parentPort?.on('message', (job: RangeJob) => {
  parentPort?.postMessage(runRange(state, init.from, init.to, job));
});
