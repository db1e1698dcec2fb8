import { parentPort, workerData } from 'node:worker_threads';
import { stateOver, type WorkerInit, type WorkerRows } from './kmeans-passes.js';
import { runJob, type Job, type KState } from './kmeans-ranges.js';

/**
 * A k-means worker: maps the shared state, then the rows it can read (its first message), then claims blocks of each
 * job it is sent.
 */
const init: WorkerInit = workerData;
let state: KState | null = null;
parentPort?.on('message', (msg: WorkerRows | Job) => {
  if ('op' in msg) {
    if (state === null) throw new Error('k-means worker: a job came before the rows');
    parentPort?.postMessage(runJob(state, msg));
    return;
  }
  const data = new Float64Array(msg.data, msg.dataOffset, msg.dataRows * init.d);
  state = stateOver(init, init, { data, base: msg.base, fromTop: true, firstBlock: msg.firstBlock });
});
