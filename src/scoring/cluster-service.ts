import { z } from 'zod';
import {
  applyFeatures,
  calinskiHarabasz,
  clusterTable,
  daviesBouldin,
  dbscanTable,
  fitFeatures,
  hierarchicalTable,
  MAX_HIERARCHICAL_ROWS,
  projection2d,
  type FeatureTransform,
  type PersonaReport,
  type Matrix,
} from '../analytics/index.js';
import { AppError, ProfileId } from '../kernel/index.js';
import { buildProfileTable, type AnalyticsDeps, DEFAULT_CLUSTER_FEATURES, FeatureName, type ProfileTable } from './profile-table.js';
import { personasOf, PersonaOptions, type PersonaView } from './personas.js';

/**
 * Clustering profiles: features from events and traits (profile-table.ts), prepared by the analytics feature pipeline
 * (imputation, clipping, transforms, scaling, one-hot), clustered by k-means, DBSCAN or agglomerative clustering,
 * read as personas, and stored in the model registry with the diagnostics the dashboard draws (elbow, silhouette per
 * cluster, a 2-D projection, the dendrogram's top). A cluster becomes a segment as a snapshot (a list of its members
 * now) or live (the rule `score.cluster_<name> = c`, where every profile's nearest centroid on the stored model is
 * written as a score, refreshed with the other model scores: a new profile joins at the next refresh).
 */

export const ModelName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,40}$/, 'A name is lower-case letters, digits and _, starting with a letter (at most 41 characters).');

export const ClusterSpec = z
  .object({
    name: ModelName.default('clusters'),
    features: z.array(FeatureName).min(1).max(50).default([...DEFAULT_CLUSTER_FEATURES]),
    population: z.enum(['seen', 'customers']).default('customers'),
    method: z.enum(['kmeans', 'dbscan', 'hierarchical']).default('kmeans'),
    k: z.union([z.number().int().min(1).max(50), z.literal('auto')]).default('auto'),
    kMax: z.number().int().min(2).max(30).default(10),
    eps: z.union([z.number().positive(), z.literal('auto')]).default('auto'),
    minSamples: z.number().int().min(1).max(1000).default(5),
    linkage: z.enum(['ward', 'complete', 'average', 'single']).default('ward'),
    scale: z.enum(['zscore', 'minmax', 'robust', 'none']).default('zscore'),
    impute: z.enum(['median', 'mean', 'knn', 'iterative', 'drop']).default('median'),
    transform: z.enum(['none', 'log', 'boxcox', 'yeojohnson']).default('none'),
    clip: z.object({ lower: z.number().min(0).max(0.5), upper: z.number().min(0.5).max(1) }).nullable().default(null),
    maxLevels: z.number().int().min(1).max(100).default(10),
    seed: z.number().int().min(0).max(2 ** 31).default(0),
    nInit: z.number().int().min(1).max(100).default(10),
    personas: PersonaOptions.default({}),
  })
  .strict();
export type ClusterSpec = z.infer<typeof ClusterSpec>;
export type ClusterSpecInput = z.input<typeof ClusterSpec>;

const MAX_PROJECTION_POINTS = 2000;

export type ClusterSummary = {
  name: string;
  version: number;
  at: string;
  method: ClusterSpec['method'];
  rows: number;
  /** Profiles of the population left out (a missing feature with impute 'drop'). */
  leftOut: number;
  features: string[];
  /** The matrix columns after one-hot encoding. */
  columns: string[];
  k: number;
  sizes: number[];
  noiseRows: number | null;
  inertia: number | null;
  silhouette: { score: number; perCluster: number[]; scored: number; sampled: boolean } | null;
  calinskiHarabasz: number | null;
  daviesBouldin: number | null;
  elbow: { k: number; inertia: number }[] | null;
  knee: number | null;
  kDistance: { rank: number; distance: number }[] | null;
  eps: number | null;
  dendrogram: { a: number; b: number; height: number; size: number }[] | null;
  cutHeight: number | null;
  projection: { explainedVarianceRatio: number[]; points: { x: number; y: number; cluster: number }[] };
  /** Ranked by priority score. */
  personas: PersonaView[];
  /** DBSCAN's noise profiles, described apart (never a persona). */
  noise: PersonaReport['noise'];
  priority: { weights: { relevance: number; impact: number }; impactBasis: PersonaReport['impactBasis'] };
  seconds: number;
};

/** What is stored to replay the clustering: the feature transform, the centroids in its space, the members then. */
interface ClusterModel {
  transform: FeatureTransform;
  /** k x d centroids in the transformed, scaled space, row-major. */
  centers: number[];
  d: number;
  profileIds: string[];
  labels: number[];
}

export class ClusterService {
  constructor(
    private readonly o: AnalyticsDeps,
  ) {}

  private table(spec: Pick<ClusterSpec, 'features' | 'population'>, asOf: Date): Promise<ProfileTable> {
    return buildProfileTable(this.o.store, { asOf, features: spec.features, orderEvent: this.o.orderEvent, revenueProperty: this.o.revenueProperty, population: spec.population });
  }

  async run(input: ClusterSpecInput): Promise<ClusterSummary> {
    const parsed = ClusterSpec.safeParse(input);
    if (!parsed.success) throw new AppError('model.invalid_spec', parsed.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`).join(' '));
    const spec = parsed.data;
    const now = this.o.clock.now();
    const started = performance.now();
    const table = await this.table(spec, now);
    if (table.profileIds.length < 2) {
      throw new AppError('cluster.no_profiles', `${table.profileIds.length} profile(s) in the population "${spec.population}": clustering needs at least 2.`);
    }
    let fitted;
    try {
      fitted = fitFeatures(table.columns, { impute: spec.impute, transform: spec.transform, clip: spec.clip, maxLevels: spec.maxLevels, scale: spec.scale });
    } catch (e) {
      if (e instanceof RangeError) throw new AppError('model.invalid_spec', e.message);
      throw e;
    }
    const m = fitted.matrix;
    const rows = fitted.rows;
    const needed = spec.method === 'kmeans' && spec.k !== 'auto' ? spec.k : 2;
    if (m.n < needed) throw new AppError('cluster.too_few_rows', `${m.n} profile(s) with the features filled in; k = ${needed} needs at least ${needed}.`);
    const names = fitted.names;
    let labels: Int32Array;
    let part: Pick<ClusterSummary, 'k' | 'sizes' | 'noiseRows' | 'inertia' | 'silhouette' | 'calinskiHarabasz' | 'daviesBouldin' | 'elbow' | 'knee' | 'kDistance' | 'eps' | 'dendrogram' | 'cutHeight'>;
    const none = { noiseRows: null, inertia: null, calinskiHarabasz: null, daviesBouldin: null, elbow: null, knee: null, kDistance: null, eps: null, dendrogram: null, cutHeight: null };
    if (spec.method === 'kmeans') {
      const r = await clusterTable(m, names, { k: spec.k, kMax: spec.kMax, scale: 'none', seed: spec.seed, nInit: spec.nInit });
      labels = r.labels;
      part = { ...none, k: r.k, sizes: r.sizes, inertia: r.inertia, silhouette: r.silhouette, calinskiHarabasz: r.calinskiHarabasz, daviesBouldin: r.daviesBouldin, elbow: r.elbow, knee: r.knee };
    } else if (spec.method === 'dbscan') {
      let r;
      try {
        r = dbscanTable(m, names, { eps: spec.eps, minSamples: spec.minSamples, scale: 'none' });
      } catch (e) {
        if (e instanceof RangeError) throw new AppError('model.invalid_spec', `${e.message}.`);
        throw e;
      }
      labels = r.labels;
      part = { ...none, k: r.clusters, sizes: r.sizes, noiseRows: r.noise, silhouette: r.silhouette, kDistance: r.kDistance, eps: r.eps, ...separation(m, r.labels, r.clusters) };
    } else {
      if (m.n > MAX_HIERARCHICAL_ROWS) {
        throw new AppError('cluster.too_many_rows', `${m.n} profiles: hierarchical clustering keeps n^2 distances in memory, at most ${MAX_HIERARCHICAL_ROWS} rows; use kmeans, or a narrower population.`);
      }
      const r = hierarchicalTable(m, names, { linkage: spec.linkage, scale: 'none', cut: { k: spec.k, kMax: spec.kMax } });
      labels = r.labels;
      part = { ...none, k: r.k, sizes: r.sizes, silhouette: r.silhouette, dendrogram: r.dendrogram, cutHeight: r.cutHeight, ...separation(m, r.labels, r.k) };
    }
    const centers = centroids(m, labels, part.k);
    const proj = projection2d(m, 'none');
    const stride = Math.max(1, Math.ceil(m.n / MAX_PROJECTION_POINTS));
    const points: ClusterSummary['projection']['points'] = [];
    for (let i = 0; i < m.n; i += stride) points.push({ x: round(proj.points[2 * i] as number), y: round(proj.points[2 * i + 1] as number), cluster: labels[i] as number });
    const kept = Array.from(rows);
    const personas = personasOf({
      columns: table.columns,
      rows: kept,
      labels,
      revenue: table.revenue,
      clv: await this.clvOf(table.profileIds, kept),
      silhouette: part.silhouette?.perCluster ?? null,
      options: spec.personas,
    });
    const version = (await this.o.store.latestModelVersion(spec.name)) + 1;
    const summary: ClusterSummary = {
      name: spec.name,
      version,
      at: now.toISOString(),
      method: spec.method,
      rows: m.n,
      leftOut: table.profileIds.length - m.n,
      features: spec.features,
      columns: names,
      ...part,
      projection: { explainedVarianceRatio: proj.explainedVarianceRatio, points },
      personas: personas.personas,
      noise: personas.noise,
      priority: { weights: personas.weights, impactBasis: personas.impactBasis },
      seconds: (performance.now() - started) / 1000,
    };
    const model: ClusterModel = {
      transform: fitted.transform,
      centers: Array.from(centers),
      d: m.d,
      profileIds: kept.map((i) => table.profileIds[i] as string),
      labels: Array.from(labels),
    };
    await this.o.store.saveModel({ name: spec.name, version, kind: 'cluster', createdAt: now, spec, summary, model });
    this.o.logger.info({ name: spec.name, version, rows: m.n, k: part.k }, 'profiles clustered');
    return summary;
  }

  /** The CLV score of each kept profile when CLV has been fitted (NaN otherwise), for persona value. */
  private async clvOf(ids: readonly ProfileId[], kept: number[]): Promise<Float64Array | null> {
    let any = false;
    const out = Float64Array.from(kept, (i) => {
      const v = this.o.engine.scoresOf(ids[i] as ProfileId)?.clv;
      if (typeof v === 'number') {
        any = true;
        return v;
      }
      return NaN;
    });
    return any ? out : null;
  }

  async list(): Promise<{ name: string; version: number; at: string; summary: unknown }[]> {
    const rows = await this.o.store.listModels({ kind: 'cluster' });
    return rows.map((r) => ({ name: r.name, version: r.version, at: r.createdAt.toISOString(), summary: r.summary }));
  }

  async get(name: string, version?: number): Promise<ClusterSummary> {
    const row = await this.o.store.getModel(name, version);
    if (!row || row.kind !== 'cluster') throw new AppError('cluster.not_found', `No clustering is named "${name}"${version === undefined ? '' : ` with version ${version}`}.`);
    return row.summary as ClusterSummary;
  }

  private async model(name: string, version?: number): Promise<{ summary: ClusterSummary; spec: ClusterSpec; model: ClusterModel }> {
    const row = await this.o.store.getModel(name, version);
    if (!row || row.kind !== 'cluster') throw new AppError('cluster.not_found', `No clustering is named "${name}"${version === undefined ? '' : ` with version ${version}`}.`);
    return { summary: row.summary as ClusterSummary, spec: ClusterSpec.parse(row.spec), model: row.model as ClusterModel };
  }

  /**
   * Writes `score.cluster_<name>` for every profile of the population now: its nearest centroid on the latest
   * version (k-means and agglomerative centroids; for DBSCAN the centroid of each cluster's members, an
   * approximation of its density rule).
   */
  async assign(name: string): Promise<{ name: string; version: number; profiles: number; changed: number }> {
    const { summary, spec, model } = await this.model(name);
    const table = await this.table(spec, this.o.clock.now());
    const applied = applyFeatures(model.transform, table.columns);
    const m = applied.matrix;
    const scores = new Map<string, number>();
    for (let r = 0; r < m.n; r++) scores.set(table.profileIds[applied.rows[r] as number] as string, nearest(m, r, model.centers, model.d));
    const key = `cluster_${name}`;
    const changed = await this.o.writer.runTask(async (t) => this.o.engine.setScoreKey(key, scores, t));
    return { name, version: summary.version, profiles: scores.size, changed };
  }

  /** Profiles with events since the last live pass (a set over this size means: reassign everyone). */
  private touched = new Set<ProfileId>();
  private touchedOverflow = false;
  private static readonly MAX_TOUCHED = 200_000;

  /** Notes the profiles of a committed batch: their live cluster is recomputed by the next `assignTouched`. */
  touch(ids: Iterable<ProfileId>): void {
    if (this.touchedOverflow) return;
    for (const id of ids) this.touched.add(id);
    if (this.touched.size > ClusterService.MAX_TOUCHED) {
      this.touchedOverflow = true;
      this.touched.clear();
    }
  }

  /** Clusterings some segment reads live (`score.cluster_NAME` in its definition). */
  private liveNames(): string[] {
    const names = new Set<string>();
    for (const seg of this.o.segments.list()) for (const m of (seg.text ?? '').matchAll(/score\.cluster_([a-z][a-z0-9_]*)/g)) names.add(m[1] as string);
    return [...names];
  }

  /**
   * The near-real-time part of live cluster segments: the profiles with new events since the last pass get their
   * nearest centroid again (features read now, with the stored pipeline), so a new customer joins its cluster's
   * segment within a pass (every scoring.models.liveSeconds).
   */
  async assignTouched(): Promise<{ profiles: number; changed: number }> {
    const names = this.liveNames();
    const ids = [...this.touched];
    const all = this.touchedOverflow;
    this.touched = new Set();
    this.touchedOverflow = false;
    if (names.length === 0 || (ids.length === 0 && !all)) return { profiles: 0, changed: 0 };
    let changed = 0;
    for (const name of names) {
      if (all) {
        changed += (await this.assign(name)).changed;
        continue;
      }
      const row = await this.o.store.getModel(name);
      if (!row || row.kind !== 'cluster') continue;
      const spec = ClusterSpec.parse(row.spec);
      const model = row.model as ClusterModel;
      const table = await buildProfileTable(this.o.store, { asOf: this.o.clock.now(), features: spec.features, orderEvent: this.o.orderEvent, revenueProperty: this.o.revenueProperty, population: spec.population, profileIds: ids });
      const applied = applyFeatures(model.transform, table.columns);
      const scores = new Map<string, number>();
      for (let r = 0; r < applied.matrix.n; r++) scores.set(table.profileIds[applied.rows[r] as number] as string, nearest(applied.matrix, r, model.centers, model.d));
      changed += await this.o.writer.runTask(async (t) => this.o.engine.updateScoreKey(`cluster_${name}`, scores, t));
    }
    return { profiles: all ? -1 : ids.length, changed };
  }

  /** A cluster as a segment: a manual list of its members at the run ('snapshot'), or the live rule on `score.cluster_<name>`. */
  async toSegment(name: string, cluster: number, o: { mode: 'snapshot' | 'live'; segmentName?: string | undefined; version?: number | undefined }): Promise<{ segmentId: string; segmentName: string; members: number }> {
    const { summary, model } = await this.model(name, o.version);
    if (!Number.isInteger(cluster) || cluster < 0 || cluster >= summary.k) {
      throw new AppError('cluster.unknown_cluster', `Clustering "${name}" version ${summary.version} has clusters 0 to ${summary.k - 1}, not ${cluster}.`);
    }
    const persona = summary.personas.find((p) => p.cluster === cluster);
    const segmentName = o.segmentName ?? `${name} ${cluster}${persona ? `: ${persona.name.en}` : ''}`.slice(0, 200);
    const description = persona ? persona.description.en : `Cluster ${cluster} of ${name} version ${summary.version}.`;
    if (o.mode === 'live') {
      if (o.version !== undefined && o.version !== summary.version) throw new AppError('model.invalid_spec', 'A live cluster segment follows the latest version of the clustering: leave the version out.');
      await this.assign(name);
      const created = await this.o.segments.create({ name: segmentName, description, definition: `score.cluster_${name} = ${cluster}` });
      if (!created.ok) throw new AppError(created.error.code, created.error.message);
      return { segmentId: created.value.id, segmentName, members: await this.o.segments.size(created.value.id) };
    }
    const created = await this.o.segments.create({ name: segmentName, description });
    if (!created.ok) throw new AppError(created.error.code, created.error.message);
    const ids = model.profileIds.filter((_, i) => model.labels[i] === cluster).map((id) => ProfileId(id));
    const set = await this.o.segments.setMembers(created.value.id, ids, 'replace');
    if (!set.ok) throw new AppError(set.error.code, set.error.message);
    return { segmentId: created.value.id, segmentName, members: set.value.added };
  }
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Calinski-Harabasz and Davies-Bouldin of a partition (DBSCAN's noise left out); null below 2 clusters. */
function separation(m: Matrix, labels: Int32Array, k: number): { calinskiHarabasz: number | null; daviesBouldin: number | null } {
  const kept = Array.from(labels.keys()).filter((i) => (labels[i] as number) >= 0);
  if (k < 2 || kept.length <= k) return { calinskiHarabasz: null, daviesBouldin: null };
  const d = m.d;
  const sub: Matrix = { data: new Float64Array(kept.length * d), n: kept.length, d };
  kept.forEach((i, o) => sub.data.set(m.data.subarray(i * d, i * d + d), o * d));
  const l = Int32Array.from(kept, (i) => labels[i] as number);
  return { calinskiHarabasz: calinskiHarabasz(sub, l), daviesBouldin: daviesBouldin(sub, l) };
}

function centroids(m: Matrix, labels: Int32Array, k: number): Float64Array {
  const d = m.d;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < m.n; i++) {
    const l = labels[i] as number;
    if (l < 0) continue;
    counts[l] = (counts[l] as number) + 1;
    for (let j = 0; j < d; j++) sums[l * d + j] = (sums[l * d + j] as number) + (m.data[i * d + j] as number);
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) sums[c * d + j] = (sums[c * d + j] as number) / Math.max(1, counts[c] as number);
  return sums;
}

function nearest(m: Matrix, r: number, centers: readonly number[], d: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c * d < centers.length; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const diff = (m.data[r * d + j] as number) - (centers[c * d + j] as number);
      s += diff * diff;
    }
    if (s < bestD) {
      bestD = s;
      best = c;
    }
  }
  return best;
}
