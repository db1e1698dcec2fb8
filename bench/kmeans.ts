/**
 * k-means benchmark (issue 6): n rows x d columns from k Gaussian blobs, k-means with k-means++ and the same number of
 * seedings in Segmentum and, when Debian's python3-sklearn is installed, in scikit-learn on the same data in the same
 * run. Reports time, peak memory and inertia of both, and their ratios.
 *
 *   npm run bench:kmeans                                   1,000,000 x 10, k = 8, n-init 1
 *   node dist/bench/kmeans.js --std 5 --n-init 3           overlapping blobs, three seedings
 *   node dist/bench/kmeans.js --rows 200000 --workers 0    another size, this thread only
 *   node dist/bench/kmeans.js --plain                      rows in plain memory, copied for the workers
 *
 * Both run on the same machine one after the other; other work on it slows either, so compare the ratio of one run,
 * and repeat it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { newRows } from '../src/analytics/cluster/shared-rows.js';
import { kmeans } from '../src/analytics/index.js';
import { Rng } from '../src/kernel/index.js';

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    cols: { type: 'string', default: '10' },
    k: { type: 'string', default: '8' },
    'n-init': { type: 'string', default: '1' },
    seed: { type: 'string', default: '42' },
    python: { type: 'string', default: '/usr/bin/python3' },
    std: { type: 'string', default: '1.5' },
    workers: { type: 'string', default: 'auto' },
    // The rows in a plain ArrayBuffer (copied for the workers by every call) instead of where the clustering
    // pipeline puts a scaled matrix of this size (shared memory, read in place: src/analytics/cluster/shared-rows.ts).
    plain: { type: 'boolean', default: false },
  },
});
const n = Number(opts.rows);
const d = Number(opts.cols);
const k = Number(opts.k);
const nInit = Number(opts['n-init']);
const rng = new Rng(Number(opts.seed));

// Blobs: k centres uniform in [-10, 10]^d, rows around them with standard deviation --std (1.5; Box-Muller).
const centres = Array.from({ length: k * d }, () => rng.next() * 20 - 10);
const data = opts.plain ? new Float64Array(n * d) : newRows(n, d);
for (let i = 0; i < n; i++) {
  const c = Math.floor(rng.next() * k);
  for (let j = 0; j < d; j++) {
    const g = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    data[i * d + j] = (centres[c * d + j] as number) + Number(opts.std) * g;
  }
}

const rss0 = process.memoryUsage().rss;
let peak = rss0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const workers = opts.workers === 'auto' ? 'auto' : Number(opts.workers);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const ours = await kmeans({ data, n, d }, k, { seed: 1, nInit, workers });
const oursSeconds = (performance.now() - t0) / 1000;
const cpu1 = process.cpuUsage(cpu0);
// CPU time of all threads, as for scikit-learn below: with other work on the machine, wall time depends on what the
// scheduler gives each run.
const oursCpu = (cpu1.user + cpu1.system) / 1e6;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);

let sk: { seconds: number; cpuSeconds: number; inertia: number; peakMb: number; version: string; iterations: number } | null = null;
const dir = mkdtempSync(join(tmpdir(), 'segmentum-kmeans-'));
try {
  const file = join(dir, 'x.f64');
  writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const script = [
    'import sys, time, resource, numpy as np, sklearn',
    'from sklearn.cluster import KMeans',
    `X = np.fromfile(sys.argv[1], dtype=np.float64).reshape(-1, ${d})`,
    'before = resource.getrusage(resource.RUSAGE_SELF)',
    't = time.perf_counter()',
    `km = KMeans(n_clusters=${k}, n_init=${nInit}, random_state=1).fit(X)`,
    'wall = time.perf_counter() - t',
    'after = resource.getrusage(resource.RUSAGE_SELF)',
    'cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime',
    'print(wall, km.inertia_, after.ru_maxrss / 1024, sklearn.__version__, cpu, km.n_iter_)',
  ].join('\n');
  const r = spawnSync(opts.python as string, ['-c', script, file], { encoding: 'utf8' });
  if (r.status === 0) {
    const [s, inertia, mb, version, cpu, iterations] = r.stdout.trim().split(/\s+/);
    sk = { seconds: Number(s), cpuSeconds: Number(cpu), inertia: Number(inertia), peakMb: Number(mb), version: version ?? '?', iterations: Number(iterations) };
  } else process.stderr.write(`scikit-learn not run (${opts.python}): ${r.stderr.split('\n').slice(-2).join(' ')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const out = {
  rows: n,
  cols: d,
  memory: data.buffer instanceof SharedArrayBuffer ? 'shared' : 'plain',
  k,
  nInit,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  loadAverage: loadavg()[0],
  segmentum: { seconds: oursSeconds, cpuSeconds: oursCpu, inertia: ours.inertia, iterations: ours.iterations, converged: ours.converged, peakRssMb: Math.round(peak / 2 ** 20) },
  sklearn: sk,
  timeRatio: sk ? oursSeconds / sk.seconds : null,
  cpuRatio: sk ? oursCpu / sk.cpuSeconds : null,
  inertiaRatio: sk ? ours.inertia / sk.inertia : null,
};
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
