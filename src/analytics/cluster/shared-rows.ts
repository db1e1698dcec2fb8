/**
 * Where a matrix that k-means may cluster is allocated. From WORKER_CELLS cells on, k-means splits its passes
 * between this thread and worker threads (kmeans-passes.ts), and workers can only read shared memory: a matrix in a
 * plain ArrayBuffer is copied for them on every k-means call (about 0.15 s for half of 1,000,000 x 10 rows on the
 * 2-core benchmark machine, paid again by each k of an elbow curve). The scaled matrices the clustering builds are
 * therefore allocated in a SharedArrayBuffer from that size on, and read in place by every thread.
 */

/** Cells (rows x columns) from which k-means starts worker threads ('auto') and matrices are allocated shared. */
export const WORKER_CELLS = 2_000_000;

/** A zeroed n x d row-major matrix buffer: shared memory from WORKER_CELLS cells on, plain memory below. */
export function newRows(n: number, d: number): Float64Array {
  const cells = n * d;
  return cells >= WORKER_CELLS ? new Float64Array(new SharedArrayBuffer(cells * 8)) : new Float64Array(cells);
}
