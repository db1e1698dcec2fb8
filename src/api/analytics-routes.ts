import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ProfileId } from '../kernel/index.js';
import { ClusterSpec, ClvFitSpec, ModelSpec, type ClusterService, type ClusterSummary, type ClvService, type ModelService } from '../scoring/index.js';
import { ErrorBody } from './schemas.js';

export interface AnalyticsDeps {
  analytics: { clv: ClvService; clusters: ClusterService; models: ModelService };
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const security = [{ adminKey: [] }];

// The documents below are analytics results (parameters, metrics, curves, personas): no trait values and no profile
// ids except in an explanation asked for by id. Their nested diagnostics are described in docs/models.md and
// docs/clustering.md rather than field by field here.
const Curve = z.array(z.record(z.string(), z.number()));
export const ClvRunView = z.looseObject({
  name: z.literal('clv'),
  version: z.number().int(),
  at: z.string(),
  calibrationEnd: z.string(),
  customers: z.number().int(),
  bgNbd: z.record(z.string(), z.union([z.number(), z.boolean()])),
  gammaGamma: z.record(z.string(), z.union([z.number(), z.boolean()])),
  tiers: z.array(z.object({ name: z.string(), share: z.number(), customers: z.number(), minClv: z.number().nullable(), maxClv: z.number().nullable(), clvShare: z.number() })),
  histogram: z.array(z.object({ from: z.number(), to: z.number().nullable(), customers: z.number() })),
});
export const ClusterSummaryView = z.looseObject({
  name: z.string(),
  version: z.number().int(),
  at: z.string(),
  method: z.enum(['kmeans', 'dbscan', 'hierarchical']),
  rows: z.number().int(),
  k: z.number().int(),
  sizes: z.array(z.number()),
  features: z.array(z.string()),
  personas: z.array(z.looseObject({ cluster: z.number().int() })),
});
export const ModelSummaryView = z.looseObject({
  name: z.string(),
  version: z.number().int(),
  at: z.string(),
  asOf: z.string(),
  features: z.array(z.string()),
  report: z.looseObject({ algorithm: z.string(), metrics: z.record(z.string(), z.number()), roc: Curve, pr: Curve }),
});
export const ScoringRunView = z.object({
  name: z.string(),
  version: z.number().int(),
  at: z.string(),
  profiles: z.number().int(),
  changed: z.number().int(),
  deciles: z.array(z.number()),
});
export const ExplanationView = z.object({
  name: z.string(),
  version: z.number().int(),
  profileId: z.string(),
  probability: z.number(),
  base: z.number(),
  scale: z.enum(['log-odds', 'probability']),
  contributions: z.array(z.object({ feature: z.string(), value: z.number().nullable(), contribution: z.number() })),
});
export const SegmentMadeView = z.object({ segmentId: z.string(), segmentName: z.string(), members: z.number().int(), definition: z.string().optional() });
const listed = (c: ClusterSummary): ClusterSummary => ({ ...c, projection: { ...c.projection, points: [] }, dendrogram: null });
const NameParams = z.object({ name: z.string().min(1).max(100) });
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional() });

/** Clustering, propensity models and CLV on profiles, under /api/clusters, /api/models and /api/clv (admin key). */
export async function analyticsRoutes(app: FastifyInstance, deps: AnalyticsDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { clv, clusters, models } = deps.analytics;

  r.post('/api/clv/fit', {
    schema: { tags: ['analytics'], summary: 'Fit BG/NBD and Gamma-Gamma on the order events of every profile; writes score.clv, p_alive, expected_orders, clv_tier', security, body: ClvFitSpec, response: { 200: ClvRunView, ...errors } },
    handler: async (req) => {
      const run = await clv.fit(req.body);
      if (!run.ok) throw new AppError(run.error.code, run.error.message);
      return run.value;
    },
  });
  r.get('/api/clv', {
    schema: { tags: ['analytics'], summary: 'The latest CLV fit on profiles: parameters, tiers, the CLV distribution', security, response: { 200: ClvRunView, ...errors } },
    handler: async () => clv.latest(),
  });

  r.post('/api/clusters', {
    schema: { tags: ['analytics'], summary: 'Cluster profiles (k-means, DBSCAN or agglomerative) and store the run with its personas and diagnostics', security, body: ClusterSpec, response: { 200: ClusterSummaryView, ...errors } },
    handler: async (req) => clusters.run(req.body),
  });
  r.get('/api/clusters', {
    schema: { tags: ['analytics'], summary: 'The stored clusterings, latest version of each (without projection points and dendrogram)', security, response: { 200: z.object({ items: z.array(ClusterSummaryView) }), ...errors } },
    // A list: the projection's points and the dendrogram stay with GET /api/clusters/:name.
    handler: async () => ({ items: (await clusters.list()).map((c) => listed(c.summary as ClusterSummary)) }),
  });
  r.get('/api/clusters/:name', {
    schema: { tags: ['analytics'], summary: 'One clustering (latest version, or ?version=N)', security, params: NameParams, querystring: VersionQuery, response: { 200: ClusterSummaryView, ...errors } },
    handler: async (req) => clusters.get(req.params.name, req.query.version),
  });
  r.post('/api/clusters/:name/assign', {
    schema: {
      tags: ['analytics'],
      summary: 'Write score.cluster_<name> (the nearest centroid of the latest version) for every profile now',
      security,
      params: NameParams,
      response: { 200: z.object({ name: z.string(), version: z.number().int(), profiles: z.number().int(), changed: z.number().int() }), ...errors },
    },
    handler: async (req) => clusters.assign(req.params.name),
  });
  r.post('/api/clusters/:name/segments', {
    schema: {
      tags: ['analytics'],
      summary: 'Make a segment of one cluster: a snapshot list of its members, or a live rule on score.cluster_<name>',
      security,
      params: NameParams,
      body: z.object({ cluster: z.number().int().min(0), mode: z.enum(['snapshot', 'live']).default('snapshot'), name: z.string().min(1).max(200).optional(), version: z.number().int().min(1).optional() }).strict(),
      response: { 200: SegmentMadeView, ...errors },
    },
    handler: async (req) => clusters.toSegment(req.params.name, req.body.cluster, { mode: req.body.mode, segmentName: req.body.name, version: req.body.version }),
  });

  r.post('/api/models', {
    schema: { tags: ['analytics'], summary: 'Train a propensity model on profiles (features as of now less the target window) and store a new version', security, body: ModelSpec, response: { 200: ModelSummaryView, ...errors } },
    handler: async (req) => models.train(req.body),
  });
  r.get('/api/models', {
    schema: { tags: ['analytics'], summary: 'The trained models, latest version of each', security, response: { 200: z.object({ items: z.array(ModelSummaryView) }), ...errors } },
    handler: async () => ({ items: await models.list() }),
  });
  r.get('/api/models/:name', {
    schema: { tags: ['analytics'], summary: 'One model (latest version, or ?version=N): metrics, curves, importance', security, params: NameParams, querystring: VersionQuery, response: { 200: ModelSummaryView, ...errors } },
    handler: async (req) => models.get(req.params.name, req.query.version),
  });
  r.get('/api/models/:name/versions', {
    schema: { tags: ['analytics'], summary: 'Every version of a model, newest first', security, params: NameParams, response: { 200: z.object({ items: z.array(ModelSummaryView) }), ...errors } },
    handler: async (req) => ({ items: await models.versions(req.params.name) }),
  });
  r.post('/api/models/:name/score', {
    schema: { tags: ['analytics'], summary: 'Score every profile now with the latest version: score.<name> and score.<name>_pct', security, params: NameParams, response: { 200: ScoringRunView, ...errors } },
    handler: async (req) => models.score(req.params.name),
  });
  r.get('/api/models/:name/explain/:profileId', {
    schema: {
      tags: ['analytics'],
      summary: "Why a profile has its score: each feature's contribution (TreeSHAP for trees, linear terms for logreg)",
      security,
      params: z.object({ name: z.string().min(1).max(100), profileId: z.string().min(1).max(200) }),
      response: { 200: ExplanationView, ...errors },
    },
    handler: async (req) => models.explain(req.params.name, ProfileId(req.params.profileId)),
  });
  r.post('/api/models/:name/segments', {
    schema: {
      tags: ['analytics'],
      summary: 'Make a rule segment of the top N% of profiles by the model (score.<name>_pct >= 100 - N)',
      security,
      params: NameParams,
      body: z.object({ percent: z.number().int().min(1).max(99).default(10), name: z.string().min(1).max(200).optional() }).strict(),
      response: { 200: SegmentMadeView, ...errors },
    },
    handler: async (req) => models.topSegment(req.params.name, req.body.percent, req.body.name),
  });
}
