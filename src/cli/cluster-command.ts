import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { clusterTable, dbscanTable, hierarchicalTable, MAX_HIERARCHICAL_ROWS, projection2d, type ClusterRun, type DbscanRun, type HierarchicalRun, type ScaleMethod } from '../analytics/index.js';
import { isBadRow, openImportFile } from '../imports/index.js';
import { AppError } from '../kernel/index.js';
import type { BackendOptions } from './backend.js';
import { clusterProfiles } from './cluster-profiles.js';
import { columns, table, type Io } from './output.js';

/**
 * `segmentum cluster --input FILE`: k-means on the numeric columns of a file (CSV, NDJSON, JSON or Parquet), with the
 * elbow curve and its knee when --k is auto, silhouette, Calinski-Harabasz and Davies-Bouldin; --out writes one label
 * per row. Clustering profiles (features from traits and scores) comes with the rest of issue 6.
 */

export interface ClusterOptions extends BackendOptions {
  input?: string;
  name?: string;
  population: string;
  impute: string;
  transform: string;
  clip?: string;
  features?: string;
  idColumn?: string;
  method: string;
  k: string;
  kMax: string;
  scale: string;
  seed: string;
  nInit: string;
  workers: string;
  eps: string;
  minSamples: string;
  linkage: string;
  height?: string;
  projection?: boolean;
  out?: string;
  json?: boolean;
}

const SCALES: readonly ScaleMethod[] = ['zscore', 'minmax', 'robust', 'none'];

export function registerClusterCommand(program: Command, readOptions: (c: Command) => Command, io: Io): void {
  readOptions(
    program
      .command('cluster')
      .description('Cluster profiles, or the rows of a file (--input): k-means, DBSCAN or agglomerative, with diagnostics and personas (docs/clustering.md)'),
  )
    .option('--input <file>', 'a table to cluster (CSV with a header, NDJSON, JSON array or Parquet); without it, profiles')
    .option('--features <cols>', 'comma-separated numeric columns (default: every all-numeric column), or profile features (docs/clustering.md)')
    .option('--id-column <col>', 'a column naming the rows, written with the labels (--out) and never a feature')
    .option('--method <method>', 'kmeans, dbscan or hierarchical', 'kmeans')
    .option('--k <k>', 'number of clusters, or auto (the knee of the elbow curve)', 'auto')
    .option('--k-max <n>', 'largest k tried with --k auto', '10')
    .option('--scale <method>', 'zscore, minmax, robust or none', 'zscore')
    .option('--seed <n>', 'random seed: same seed, same clusters', '0')
    .option('--n-init <n>', 'k-means++ seedings tried, the best kept', '10')
    .option('--workers <n>', 'worker threads besides this one, or auto (from 2 million cells)', 'auto')
    .option('--eps <d>', 'dbscan: neighbourhood radius in scaled units, or auto (the knee of the k-distance curve)', 'auto')
    .option('--min-samples <n>', 'dbscan: rows within eps, the row itself included, that make a core row', '5')
    .option('--linkage <linkage>', 'hierarchical: ward, complete, average or single', 'ward')
    .option('--height <h>', 'hierarchical: cut the dendrogram at this height instead of into --k clusters')
    .option('--projection', 'add each row\'s first two principal components (pc1, pc2) to --out, for plots')
    .option('--out <file>', 'write the label of every row as CSV (row or id, label; -1 is noise for dbscan)')
    .option('--name <name>', 'profiles: the name the clustering is stored under (default clusters)')
    .option('--population <who>', 'profiles: customers (an order) or seen (any event)', 'customers')
    .option('--impute <how>', 'profiles: missing numbers: median, mean, knn, iterative or drop', 'median')
    .option('--transform <how>', 'profiles: none, log, boxcox or yeojohnson before scaling', 'none')
    .option('--clip <q>', 'profiles: winsorise at the q and 1-q quantiles, e.g. 0.01')
    .action((o: ClusterOptions) => (o.input ? clusterCommand(o, io) : clusterProfiles(o, io)));
}

function whole(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new AppError('config.invalid', `--${name} must be a whole number from ${min} to ${max}, got "${v}".`);
  return n;
}

function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

const blank = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** The rows of the file as a matrix of the features; rows with a blank feature are left out (and counted). */
async function readTable(
  path: string,
  o: ClusterOptions,
): Promise<{ data: Float64Array; n: number; features: string[]; ids: string[]; skipped: number }> {
  let file;
  try {
    file = await openImportFile(path);
  } catch (cause) {
    if (cause instanceof AppError) throw new AppError('cluster.unreadable_file', cause.message, { cause });
    throw cause;
  }
  const all: Record<string, unknown>[] = [];
  const lines: number[] = [];
  for await (const r of file.rows()) {
    if (isBadRow(r)) throw new AppError('cluster.invalid_value', `${path}, line ${r.line}: ${r.message}`, { path: `line ${r.line}` });
    all.push(r.values);
    lines.push(r.line);
  }
  const cols = file.info.columns.filter((c) => c !== o.idColumn);
  let features: string[];
  if (o.features) {
    features = o.features.split(',').map((f) => f.trim()).filter((f) => f !== '');
    const unknown = features.filter((f) => !file.info.columns.includes(f));
    if (unknown.length > 0) throw new AppError('cluster.no_features', `${path} has no column ${unknown.map((u) => `"${u}"`).join(', ')} (columns: ${file.info.columns.join(', ')}).`);
  } else {
    features = cols.filter((c) => all.some((r) => !blank(r[c])) && all.every((r) => blank(r[c]) || numberOf(r[c]) !== null));
  }
  if (features.length === 0) throw new AppError('cluster.no_features', `${path} has no all-numeric column to cluster on (columns: ${file.info.columns.join(', ')}).`);
  const data: number[] = [];
  const ids: string[] = [];
  let skipped = 0;
  all.forEach((r, i) => {
    if (features.some((f) => blank(r[f]))) {
      skipped++;
      return;
    }
    for (const f of features) {
      const x = numberOf(r[f]);
      if (x === null) {
        throw new AppError('cluster.invalid_value', `${path}, line ${lines[i]}, column ${f}: ${JSON.stringify(r[f])} is not a number.`, { path: `line ${lines[i]}.${f}` });
      }
      data.push(x);
    }
    ids.push(o.idColumn ? String(r[o.idColumn] ?? '') : String(i + 1));
  });
  return { data: Float64Array.from(data), n: ids.length, features, ids, skipped };
}

export async function clusterCommand(o: ClusterOptions, io: Io): Promise<void> {
  if (o.method !== 'kmeans' && o.method !== 'dbscan' && o.method !== 'hierarchical') {
    throw new AppError('config.invalid', `--method takes kmeans, dbscan or hierarchical, got "${o.method}".`);
  }
  const linkage = (['ward', 'complete', 'average', 'single'] as const).find((x) => x === o.linkage);
  if (!linkage) throw new AppError('config.invalid', `--linkage takes ward, complete, average or single, got "${o.linkage}".`);
  let height: number | undefined;
  if (o.height !== undefined) {
    height = Number(o.height);
    if (!(height >= 0) || !Number.isFinite(height)) throw new AppError('config.invalid', `--height must be a number >= 0, got "${o.height}".`);
  }
  const scale = SCALES.find((s) => s === o.scale);
  if (!scale) throw new AppError('config.invalid', `--scale must be zscore, minmax, robust or none, got "${o.scale}".`);
  const kMax = whole('k-max', o.kMax, 2, 100);
  const k = o.k === 'auto' ? 'auto' : whole('k', o.k, 1, 1000);
  const seed = whole('seed', o.seed, 0, 2 ** 31);
  const nInit = whole('n-init', o.nInit, 1, 100);
  const workers = o.workers === 'auto' ? 'auto' : whole('workers', o.workers, 0, 16);
  const minSamples = whole('min-samples', o.minSamples, 1, 10_000);
  let eps: number | 'auto' = 'auto';
  if (o.eps !== 'auto') {
    eps = Number(o.eps);
    if (!(eps > 0) || !Number.isFinite(eps)) throw new AppError('config.invalid', `--eps must be a positive number or auto, got "${o.eps}".`);
  }
  const t = await readTable(o.input as string, o);
  const needed = o.method === 'dbscan' ? 2 : k === 'auto' ? 2 : k;
  if (t.n < needed) throw new AppError('cluster.too_few_rows', `${t.n} complete row(s) (${t.skipped} left out for a blank feature); ${o.method === 'dbscan' ? 'dbscan' : `k = ${needed}`} needs at least ${needed}.`);
  const started = performance.now();
  const m = { data: t.data, n: t.n, d: t.features.length };
  let run: ClusterRun | DbscanRun | HierarchicalRun;
  if (o.method === 'hierarchical') {
    if (t.n > MAX_HIERARCHICAL_ROWS) throw new AppError('cluster.too_many_rows', `${t.n} rows: hierarchical clustering keeps n^2 distances in memory, at most ${MAX_HIERARCHICAL_ROWS} rows.`);
    run = hierarchicalTable(m, t.features, { linkage, scale, cut: height !== undefined ? { height } : { k, kMax } });
  } else if (o.method === 'dbscan') {
    try {
      run = dbscanTable(m, t.features, { eps, minSamples, scale });
    } catch (e) {
      if (e instanceof RangeError) throw new AppError('config.invalid', `${e.message}.`);
      throw e;
    }
  } else run = await clusterTable(m, t.features, { k, kMax, scale, seed, nInit, workers });
  const projection = o.projection ? projection2d(m, scale) : null;
  const seconds = (performance.now() - started) / 1000;
  if (o.out) {
    const head = `${o.idColumn ?? 'row'},label${projection ? ',pc1,pc2' : ''}`;
    const lines = [
      head,
      ...t.ids.map((id, i) => {
        const name = /[",\n]/.test(id) ? `"${id.replaceAll('"', '""')}"` : id;
        const pc = projection ? `,${projection.points[i * 2]},${projection.points[i * 2 + 1]}` : '';
        return `${name},${run.labels[i]}${pc}`;
      }),
    ];
    writeFileSync(o.out, `${lines.join('\n')}\n`);
  }
  const { labels: _labels, ...summary } = run;
  const doc = { input: o.input, skippedRows: t.skipped, seconds, ...summary, ...(projection ? { projection: { explainedVarianceRatio: projection.explainedVarianceRatio } } : {}) };
  if (o.json) return io.out(JSON.stringify(doc));
  if (run.method === 'dbscan') printDbscan(io, run, t.skipped, seconds);
  else if (run.method === 'hierarchical') printHierarchical(io, run, t.skipped, seconds);
  else printRun(io, run, t.skipped, seconds);
}

function printHierarchical(io: Io, r: HierarchicalRun, skipped: number, seconds: number): void {
  io.out(
    table([
      ['rows', `${r.rows}${skipped > 0 ? ` (${skipped} left out: a blank feature)` : ''}`],
      ['features', `${r.features.join(', ')} (scaled: ${r.scale})`],
      ['linkage', r.linkage],
      ['k', r.k],
      ['cut at height', r.cutHeight.toFixed(4)],
      ['silhouette', r.silhouette ? r.silhouette.score.toFixed(4) : '-'],
      ['seconds', seconds.toFixed(2)],
    ]),
  );
  io.out('');
  io.out(columns(['last merges', 'height', 'rows'], r.dendrogram.slice(-10).map((mg) => [`${mg.a} + ${mg.b}`, mg.height.toFixed(4), mg.size])));
  io.out('');
  io.out(columns(['cluster', 'rows', ...r.features], r.centers.map((c, i) => [i, r.sizes[i], ...r.features.map((f) => (c[f] ?? 0).toFixed(3))])));
}

function printDbscan(io: Io, r: DbscanRun, skipped: number, seconds: number): void {
  io.out(
    table([
      ['rows', `${r.rows}${skipped > 0 ? ` (${skipped} left out: a blank feature)` : ''}`],
      ['features', `${r.features.join(', ')} (scaled: ${r.scale})`],
      ['eps', `${r.eps.toFixed(4)}${r.suggestedEps !== null && r.eps === r.suggestedEps ? ' (the knee of the k-distance curve)' : ''}`],
      ['min samples', r.minSamples],
      ['clusters', r.clusters],
      ['noise', `${r.noise} rows`],
      ['core rows', r.core],
      ['silhouette', r.silhouette ? `${r.silhouette.score.toFixed(4)} (noise left out)` : '- (fewer than 2 clusters)'],
      ['seconds', seconds.toFixed(2)],
    ]),
  );
  io.out('');
  io.out(columns(['cluster', 'rows', ...r.features], r.centers.map((c, i) => [i, r.sizes[i], ...r.features.map((f) => (c[f] ?? 0).toFixed(3))])));
}

function printRun(io: Io, r: ClusterRun, skipped: number, seconds: number): void {
  const s = r.silhouette;
  io.out(
    table([
      ['rows', `${r.rows}${skipped > 0 ? ` (${skipped} left out: a blank feature)` : ''}`],
      ['features', `${r.features.join(', ')} (scaled: ${r.scale})`],
      ['k', `${r.k}${r.knee !== null ? ' (the knee of the elbow curve)' : r.elbow ? ' (no clear knee: 2)' : ''}`],
      ['inertia', r.inertia.toFixed(3)],
      ['silhouette', `${s.score.toFixed(4)}${s.sampled ? ` (on a sample of ${s.scored} rows)` : ''}`],
      ['Calinski-Harabasz', r.calinskiHarabasz.toFixed(2)],
      ['Davies-Bouldin', r.daviesBouldin.toFixed(4)],
      ['iterations', `${r.iterations}${r.converged ? '' : ' (not converged: raise --n-init or check the data)'}`],
      ['seconds', seconds.toFixed(2)],
    ]),
  );
  if (r.elbow) {
    io.out('');
    io.out(columns(['k', 'inertia'], r.elbow.map((e) => [e.k === r.knee ? `${e.k} <- knee` : e.k, e.inertia.toFixed(3)])));
  }
  io.out('');
  io.out(
    columns(
      ['cluster', 'rows', 'silhouette', ...r.features],
      r.centers.map((c, i) => [i, r.sizes[i], (s.perCluster[i] ?? 0).toFixed(3), ...r.features.map((f) => (c[f] ?? 0).toFixed(3))]),
    ),
  );
}
