import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../src/analytics/index.js';
import { runCli } from './support/cli-process.js';

/**
 * `segmentum cluster --input FILE` as analysts run it (the built command), on the scikit-learn fixture
 * (test/fixtures/sklearn: blobs.csv and the values scikit-learn 1.2.1 computed on it, cluster-refs.json).
 */

const FIXTURES = fileURLToPath(new URL('./fixtures/sklearn/', import.meta.url));
const BLOBS = join(FIXTURES, 'blobs.csv');
const refs = JSON.parse(readFileSync(join(FIXTURES, 'cluster-refs.json'), 'utf8')) as {
  k4: { inertia: number; labels: number[]; silhouette: number };
  dbscanBlobs: { eps: number; minSamples: number; labels: number[] };
  pca: { explainedVarianceRatio: number[] };
};
const dir = mkdtempSync(join(tmpdir(), 'segmentum-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segmentum cluster', () => {
  it('finds k = 4 at the knee, with scikit-learn inertia (0.1 %) and silhouette (1e-6), and writes one label per row', async () => {
    const out = join(dir, 'labels.csv');
    const run = await runCli('cluster', '--input', BLOBS, '--features', 'x1,x2,x3', '--scale', 'none', '--seed', '3', '--out', out, '--json');
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { k: number; knee: number; inertia: number; silhouette: { score: number; sampled: boolean }; elbow: { k: number }[]; centers: Record<string, number>[]; rows: number };
    expect(doc).toMatchObject({ k: 4, knee: 4, rows: 600 });
    expect(doc.elbow.map((e) => e.k)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Math.abs(doc.inertia - refs.k4.inertia) / refs.k4.inertia).toBeLessThan(0.001);
    expect(doc.silhouette.score).toBeCloseTo(refs.k4.silhouette, 6);
    const labels = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    expect(labels).toHaveLength(600);
    expect(adjustedRandIndex(labels, refs.k4.labels)).toBeCloseTo(1, 10);
  });

  it('gives the same clusters on worker threads as on one thread (the threads split the rows, not the result)', async () => {
    const runs = [];
    for (const workers of ['0', '1', '2']) {
      const out = join(dir, `w${workers}.csv`);
      const r = await runCli('cluster', '--input', BLOBS, '--features', 'x1,x2,x3', '--k', '5', '--seed', '9', '--n-init', '3', '--workers', workers, '--out', out, '--json');
      expect(r.code, r.stderr).toBe(0);
      runs.push({ inertia: (JSON.parse(r.stdout) as { inertia: number }).inertia, labels: readFileSync(out, 'utf8') });
    }
    // The same labels; the inertia up to the order of the floating-point additions of each thread's partial sum.
    for (const r of runs.slice(1)) {
      expect(r.labels).toBe(runs[0]?.labels);
      expect(Math.abs(r.inertia - (runs[0]?.inertia ?? 0)) / r.inertia).toBeLessThan(1e-12);
    }
  });

  it('reads a matrix in shared memory in place on worker threads, with the result of one thread', () => {
    // The built module (workers exist only there). scaleColumns allocates large scaled matrices in shared memory
    // (src/analytics/cluster/shared-rows.ts) so that the workers skip the copy of the rows; the result must not change.
    const script = `
      const { kmeans, scaleColumns } = await import(${JSON.stringify(new URL('../dist/src/analytics/index.js', import.meta.url).href)});
      const n = 3000, d = 4;
      const rows = new Float64Array(new SharedArrayBuffer(n * d * 8));
      for (let i = 0; i < rows.length; i++) rows[i] = Math.sin(i * 12.9898) * 43758.5453 % 1 + (i % (d * 5) < d ? 3 : 0);
      const big = scaleColumns({ data: new Float64Array(1_000_000 * 2), n: 1_000_000, d: 2 }, 'none');
      const one = await kmeans({ data: rows, n, d }, 5, { seed: 4, nInit: 2, workers: 0 });
      const two = await kmeans({ data: rows, n, d }, 5, { seed: 4, nInit: 2, workers: 2 });
      console.log(JSON.stringify({ bigShared: big.matrix.data.buffer instanceof SharedArrayBuffer, same: one.labels.every((l, i) => l === two.labels[i]), inertia: [one.inertia, two.inertia], sizes: [one.sizes, two.sizes] }));`;
    const file = join(dir, 'shared.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { bigShared: boolean; same: boolean; inertia: number[]; sizes: number[][] };
    expect(doc.bigShared).toBe(true);
    expect(doc.same).toBe(true);
    expect(doc.sizes[1]).toEqual(doc.sizes[0]);
    // Per-block sums added in block order: the same bits whichever thread took which block.
    expect(doc.inertia[1]).toBe(doc.inertia[0]);
  });

  it('runs DBSCAN with scikit-learn labels for a given eps, suggests eps from the k-distance curve, and writes 2-D projections', async () => {
    const out = join(dir, 'db.csv');
    const run = await runCli('cluster', '--input', BLOBS, '--features', 'x1,x2,x3', '--scale', 'none', '--method', 'dbscan', '--eps', '1.5', '--min-samples', '8', '--projection', '--out', out, '--json');
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { clusters: number; noise: number; suggestedEps: number; projection: { explainedVarianceRatio: number[] } };
    expect(doc).toMatchObject({ clusters: 4, noise: refs.dbscanBlobs.labels.filter((l) => l === -1).length });
    refs.pca.explainedVarianceRatio.slice(0, 2).forEach((v, i) => expect(doc.projection.explainedVarianceRatio[i]).toBeCloseTo(v, 9));
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('row,label,pc1,pc2');
    expect(lines.slice(1).map((l) => Number(l.split(',')[1]))).toEqual(refs.dbscanBlobs.labels);
    const auto = JSON.parse((await runCli('cluster', '--input', BLOBS, '--features', 'x1,x2,x3', '--method', 'dbscan', '--min-samples', '8', '--json')).stdout) as { eps: number; suggestedEps: number; clusters: number };
    expect(auto.eps).toBe(auto.suggestedEps);
    expect(auto.clusters).toBe(4);
  });

  it('cuts a ward dendrogram into the same four blobs, with k auto (the widest gap) or a height', async () => {
    const out = join(dir, 'h.csv');
    const run = await runCli('cluster', '--input', BLOBS, '--features', 'x1,x2,x3', '--scale', 'none', '--method', 'hierarchical', '--k', 'auto', '--out', out, '--json');
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { k: number; cutHeight: number; dendrogram: { height: number; size: number }[]; sizes: number[] };
    expect(doc.k).toBe(4);
    expect(doc.dendrogram.at(-1)?.size).toBe(600);
    const labels = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    expect(adjustedRandIndex(labels, refs.k4.labels)).toBeCloseTo(1, 10);
    const byHeight = JSON.parse((await runCli('cluster', '--input', BLOBS, '--features', 'x1,x2,x3', '--scale', 'none', '--method', 'hierarchical', '--height', String(doc.cutHeight), '--json')).stdout) as { k: number };
    expect(byHeight.k).toBe(4);
  });

  it('uses every all-numeric column by default, leaves the id column out, and scales by default', async () => {
    const csv = join(dir, 'people.csv');
    writeFileSync(csv, 'id,name,age,spend\nc1,Ana,25,100\nc2,Bob,27,120\nc3,Cid,60,900\nc4,Dan,62,950\nc5,Eve,,300\n');
    const run = await runCli('cluster', '--input', csv, '--id-column', 'id', '--k', '2', '--json', '--out', join(dir, 'p.csv'));
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { features: string[]; scale: string; rows: number; skippedRows: number; sizes: number[] };
    expect(doc).toMatchObject({ features: ['age', 'spend'], scale: 'zscore', rows: 4, skippedRows: 1 });
    expect(doc.sizes.sort()).toEqual([2, 2]);
    const lines = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,label');
    const label = Object.fromEntries(lines.slice(1).map((l) => l.split(',')));
    expect(label.c1).toBe(label.c2);
    expect(label.c3).toBe(label.c4);
    expect(label.c1).not.toBe(label.c3);
  });

  it('says what is wrong: a cell that is not a number (with its line), an unknown column, too few rows', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,2\n3,x\n');
    const r1 = await runCli('cluster', '--input', bad, '--features', 'a,b', '--k', '2');
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain('cluster.invalid_value');
    expect(r1.stderr).toContain('line 3, column b');
    const r2 = await runCli('cluster', '--input', bad, '--features', 'c', '--k', '2');
    expect(r2.stderr).toContain('cluster.no_features');
    const few = join(dir, 'few.csv');
    writeFileSync(few, 'a\n1\n2\n');
    const r3 = await runCli('cluster', '--input', few, '--k', '3');
    expect(r3.stderr).toContain('cluster.too_few_rows');
    const r4 = await runCli('cluster', '--input', join(dir, 'nope.csv'));
    expect(r4.stderr).toContain('cluster.unreadable_file');
  });
});
