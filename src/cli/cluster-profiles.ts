import type { Command } from 'commander';
import { AppError } from '../kernel/index.js';
import type { ClusterSpecInput, ClusterSummary } from '../scoring/index.js';
import type { AnalyticsApi } from './analytics-backend.js';
import { openBackend, type BackendOptions } from './backend.js';
import type { ClusterOptions } from './cluster-command.js';
import { columns, table, type Io } from './output.js';

/**
 * `segmentum cluster` without --input: profiles, clustered on features of their events and traits, read as personas
 * and stored (on the database file, or through a running server with --url). `segmentum clusters` lists the stored
 * clusterings, shows one, and turns a cluster into a segment.
 */

const invalid = (message: string): never => {
  throw new AppError('config.invalid', message);
};

function whole(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) invalid(`--${flag} must be a whole number, got "${v}".`);
  return n;
}

export async function clusterProfiles(o: ClusterOptions, io: Io): Promise<void> {
  if (o.out || o.projection || o.idColumn) invalid('--out, --projection and --id-column apply to --input files; a clustering of profiles is stored with its projection (see `segmentum clusters show`).');
  let clip: { lower: number; upper: number } | null = null;
  if (o.clip !== undefined) {
    const q = Number(o.clip);
    if (!(q > 0 && q < 0.5)) invalid(`--clip takes a quantile between 0 and 0.5 (0.01 clips at the 1st and 99th percentiles), got "${o.clip}".`);
    clip = { lower: q, upper: 1 - q };
  }
  const spec: ClusterSpecInput = {
    ...(o.name ? { name: o.name } : {}),
    ...(o.features ? { features: o.features.split(',').map((f) => f.trim()).filter((f) => f !== '') } : {}),
    population: o.population as 'seen' | 'customers',
    method: o.method as 'kmeans' | 'dbscan' | 'hierarchical',
    k: o.k === 'auto' ? 'auto' : whole('k', o.k),
    kMax: whole('k-max', o.kMax),
    eps: o.eps === 'auto' ? 'auto' : Number(o.eps),
    minSamples: whole('min-samples', o.minSamples),
    linkage: o.linkage as 'ward',
    scale: o.scale as 'zscore',
    impute: o.impute as 'median',
    transform: o.transform as 'none',
    clip,
    seed: whole('seed', o.seed),
    nInit: whole('n-init', o.nInit),
  };
  await withApi(o, async (a) => {
    const r = await a.clusterRun(spec);
    if (o.json) return io.out(JSON.stringify(r));
    printClustering(io, r);
  });
}

async function withApi(o: BackendOptions, f: (a: AnalyticsApi) => Promise<void>): Promise<void> {
  const b = await openBackend(o);
  try {
    await f(b.analytics());
  } finally {
    await b.close();
  }
}

export function printClustering(io: Io, r: ClusterSummary): void {
  io.out(
    table([
      ['clustering', `${r.name} v${r.version} (${r.at})`],
      ['method', r.method],
      ['profiles', `${r.rows}${r.leftOut > 0 ? ` (${r.leftOut} left out: a missing feature)` : ''}`],
      ['features', r.features.join(', ')],
      ['k', `${r.k}${r.knee !== null ? ' (the knee of the elbow curve)' : ''}`],
      ...(r.inertia !== null ? [['inertia', r.inertia.toFixed(3)] as [string, string]] : []),
      ...(r.noiseRows !== null ? [['noise', `${r.noiseRows} profiles`] as [string, string]] : []),
      ['silhouette', r.silhouette ? `${r.silhouette.score.toFixed(4)}${r.silhouette.sampled ? ` (on a sample of ${r.silhouette.scored})` : ''}` : '-'],
      ...(r.calinskiHarabasz !== null ? [['Calinski-Harabasz', r.calinskiHarabasz.toFixed(2)] as [string, string]] : []),
      ...(r.daviesBouldin !== null ? [['Davies-Bouldin', r.daviesBouldin.toFixed(4)] as [string, string]] : []),
      ['seconds', r.seconds.toFixed(2)],
    ]),
  );
  if (r.elbow) {
    io.out('');
    io.out(columns(['k', 'inertia'], r.elbow.map((e) => [e.k === r.knee ? `${e.k} <- knee` : e.k, e.inertia.toFixed(3)])));
  }
  io.out('');
  io.out(
    columns(
      ['cluster', 'profiles', 'share', 'priority', 'persona', 'distinguishing traits'],
      r.personas.map((p) => [p.cluster, p.size, `${(p.share * 100).toFixed(1)}%`, `${p.grid.quadrant} (${p.grid.score.toFixed(2)})`, p.name.en, p.traits.slice(0, 3).map((t) => t.phrase.en).join('; ')]),
    ),
  );
  io.out('');
  for (const p of r.personas) io.out(`${p.cluster}. ${p.name.en} / ${p.name.fr}\n   ${p.description.en}\n   ${p.description.fr}`);
}

export function registerClustersCommands(program: Command, readOptions: (c: Command) => Command, io: Io): void {
  const c = program.command('clusters').description('Stored clusterings of profiles: list, show, turn a cluster into a segment');
  readOptions(c.command('list').description('The stored clusterings, latest version of each')).action((o: BackendOptions & { json?: boolean }) =>
    withApi(o, async (a) => {
      const items = await a.clusterList();
      if (o.json) return io.out(JSON.stringify({ items }));
      if (items.length === 0) return io.out('No clustering yet: `segmentum cluster --k auto`.');
      io.out(columns(['name', 'version', 'method', 'profiles', 'k', 'silhouette', 'at'], items.map((r) => [r.name, r.version, r.method, r.rows, r.k, r.silhouette ? r.silhouette.score.toFixed(3) : '-', r.at])));
    }),
  );
  readOptions(c.command('show <name>').description('A clustering: diagnostics and personas').option('--version <n>', 'a version (default: the latest)')).action(
    (name: string, o: BackendOptions & { json?: boolean; version?: string }) =>
      withApi(o, async (a) => {
        const r = await a.clusterGet(name, o.version === undefined ? undefined : whole('version', o.version));
        if (o.json) return io.out(JSON.stringify(r));
        printClustering(io, r);
      }),
  );
  readOptions(
    c
      .command('segment <name> <cluster>')
      .description('Make a segment of a cluster: a snapshot of its members (default), or --live (nearest centroid, rescored on schedule)')
      .option('--live', 'a rule segment on score.cluster_NAME that new profiles join')
      .option('--segment-name <name>', 'the segment name (default: the clustering, cluster and persona)'),
  ).action((name: string, cluster: string, o: BackendOptions & { json?: boolean; live?: boolean; segmentName?: string }) =>
    withApi(o, async (a) => {
      const r = await a.clusterSegment(name, { cluster: whole('cluster', cluster), mode: o.live ? 'live' : 'snapshot', name: o.segmentName });
      if (o.json) return io.out(JSON.stringify(r));
      io.out(`Segment "${r.segmentName}" (${r.segmentId}): ${r.members} members now${o.live ? `, live on score.cluster_${name}` : ' (a snapshot list)'}.`);
    }),
  );
}
