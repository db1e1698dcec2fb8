import { parentPort } from 'node:worker_threads';
import { compareRange, type ComparableTable } from './compare.js';

/** A comparison worker: levels for the pairs it is sent, sent back as a transferred buffer (no copy). */
parentPort?.once('message', (job: { table: ComparableTable; a: Int32Array; b: Int32Array }) => {
  const out = new Uint8Array(job.a.length * job.table.fields.length);
  compareRange(job.table, job.a, job.b, 0, job.a.length, out);
  parentPort?.postMessage(out, [out.buffer]);
});
