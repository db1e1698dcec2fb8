import type { z } from 'zod';
import type * as S from '../../../src/api/schemas.js';

/**
 * The dashboard's only way to the server: the management API with the admin key. Response types are inferred from
 * the same zod schemas the server validates and documents its responses with (src/api/schemas.ts), so a change of
 * shape on the server is a type error here.
 */

type Out<T extends z.ZodType> = z.infer<T>;

export type Overview = Out<typeof S.OverviewView>;
export type Segment = Out<typeof S.SegmentView>;
export type SegmentBody = Out<typeof S.SegmentBody>;
export type Preview = Out<typeof S.PreviewView>;
export type MembersPage = Out<typeof S.MembersPage>;
export type History = Out<typeof S.HistoryView>;
export type Explain = Out<typeof S.ExplainView>;
export type Verify = Out<typeof S.VerifyView>;
export type ExplainNode = { kind: string; condition: string; result: boolean; value?: unknown; children?: ExplainNode[] };
export type Trends = Out<typeof S.TrendsView>;
export type Profile = Out<typeof S.ProfileView>;
export type Timeline = Out<typeof S.TimelineView>;
export type TimelineEvent = Timeline['events'][number];
export type RecentEvents = Out<typeof S.RecentEventsView>;
export type RecentEvent = RecentEvents['events'][number];
export type QuarantinePage = Out<typeof S.QuarantinePage>;
export type QuarantineItem = Out<typeof S.QuarantineItem>;
export type ReplayResult = Out<typeof S.ReplayResult>;
export type Key = Out<typeof S.KeyView>;
export type KeyList = Out<typeof S.KeyList>;
export type Scope = Key['scopes'][number];
export type Stats = Out<typeof S.StatsView>;
export type ImportRun = Out<typeof S.ImportRunView>;
export type ImportRunList = Out<typeof S.ImportRunList>;
export type IdentityInfo = Out<typeof S.IdentityView>;
export type MergeEdge = Out<typeof S.MergeEdgeView>;
export type Unmerge = Out<typeof S.UnmergeView>;
export type MatchRun = Out<typeof S.MatchRunView>;
export type ReviewPair = Out<typeof S.ReviewPairView>;
export type ReviewList = Out<typeof S.ReviewList>;
export type ReviewDetail = Out<typeof S.ReviewDetailView>;
export type ReviewStatus = ReviewPair['status'];
export type QualityReport = Out<typeof S.QualityReportView>;
export type QualityTrend = Out<typeof S.QualityTrendView>;

/*
 * Analytics answers (/api/clusters, /api/models, /api/clv). Their server types (ClusterSummary, ModelSummary,
 * ClvRunSummary in src/scoring/) live beside Node-only code the dashboard cannot load, and the routes' response
 * schemas keep them loose, so the shapes the pages read are written out here. test/e2e/analytics.test.ts assigns
 * the server types to these, so a change of shape on the server is still a type error (of the e2e typecheck).
 * Numbers that can be NaN on the server arrive as null (JSON has no NaN).
 */
export type Localised = { en: string; fr: string };
export type ClusterMethod = 'kmeans' | 'dbscan' | 'hierarchical';
export type PersonaTrait = {
  feature: string;
  kind: 'numeric' | 'categorical';
  level: string | null;
  direction: 'higher' | 'lower';
  effect: number;
  strength: 'negligible' | 'slight' | 'moderate' | 'strong';
  lift: number | null;
  clusterValue: number;
  populationValue: number;
  phrase: Localised;
};
export type PersonaValue = { total: number; mean: number | null; share: number | null };
export type Quadrant = 'priority' | 'grow' | 'niche' | 'monitor';
export type Persona = {
  cluster: number;
  rank: number;
  size: number;
  share: number;
  traits: PersonaTrait[];
  value: { revenue: PersonaValue | null; clv: PersonaValue | null };
  name: Localised;
  description: Localised;
  grid: { relevance: number; impact: number; score: number; quadrant: Quadrant; label: Localised };
};
export type ClusterSummary = {
  name: string;
  version: number;
  at: string;
  method: ClusterMethod;
  rows: number;
  leftOut: number;
  features: string[];
  k: number;
  sizes: number[];
  noiseRows: number | null;
  inertia: number | null;
  silhouette: { score: number; perCluster: number[]; scored: number; sampled: boolean } | null;
  calinskiHarabasz: number | null;
  daviesBouldin: number | null;
  elbow: { k: number; inertia: number }[] | null;
  knee: number | null;
  eps: number | null;
  /** Hierarchical runs: the last merges (at most 50), ids in scipy's numbering (0..rows-1 are rows). */
  dendrogram: { a: number; b: number; height: number; size: number }[] | null;
  cutHeight: number | null;
  projection: { explainedVarianceRatio: number[]; points: { x: number; y: number; cluster: number }[] };
  /** Ranked by priority score. */
  personas: Persona[];
  noise: { size: number; share: number } | null;
  seconds: number;
};
export type ClusterSpecInput = {
  name?: string;
  features?: string[];
  population?: 'seen' | 'customers';
  method?: ClusterMethod;
  k?: number | 'auto';
  kMax?: number;
  eps?: number | 'auto';
  minSamples?: number;
  linkage?: 'ward' | 'complete' | 'average' | 'single';
  scale?: 'zscore' | 'minmax' | 'robust' | 'none';
  impute?: 'median' | 'mean' | 'knn' | 'iterative' | 'drop';
  transform?: 'none' | 'log' | 'boxcox' | 'yeojohnson';
  seed?: number;
  nInit?: number;
};
export type SegmentMade = { segmentId: string; segmentName: string; members: number; definition?: string };
export type Algo = 'logreg' | 'forest' | 'gbdt' | 'mlp';
export type ModelTarget = { kind: 'event' | 'churn'; event: string; days: number };
export type ScoringRun = { name: string; version: number; at: string; profiles: number; changed: number; deciles: number[] };
export type ModelReport = {
  algorithm: Algo;
  rows: { train: number; test: number };
  positives: { train: number; test: number };
  evaluatedOn: 'test-file' | 'holdout';
  metrics: { auc: number; averagePrecision: number; brier: number; logLoss: number; baseRate: number };
  threshold: { reached: boolean; value: number; precision: number; recall: number; f1: number; confusion: { tp: number; fp: number; tn: number; fn: number } };
  roc: { fpr: number; tpr: number }[];
  pr: { recall: number; precision: number }[];
  calibration: { predicted: number; observed: number; count: number }[];
  importance: { feature: string; mean: number; std: number }[];
  /** The test rows the importance was measured on (absent on models trained before it was reported). */
  importanceRows?: number;
  cv: { folds: number; auc: { mean: number; std: number } } | null;
  /** logreg and mlp: whether the fit converged before its iteration limit (null for the trees). */
  converged: boolean | null;
  seconds: number;
};
export type ModelSummary = {
  name: string;
  version: number;
  at: string;
  asOf: string;
  target: ModelTarget;
  population: 'seen' | 'customers';
  features: string[];
  report: ModelReport;
  scored: ScoringRun | null;
};
export type ModelSpecInput = { name: string; target: ModelTarget; algo?: Algo; features?: string[]; population?: 'seen' | 'customers'; seed?: number };
export type Explanation = {
  name: string;
  version: number;
  profileId: string;
  probability: number;
  base: number;
  scale: 'log-odds' | 'probability';
  contributions: { feature: string; value: number | null; contribution: number }[];
};
export type ClvTier = { name: string; share: number; customers: number; minClv: number | null; maxClv: number | null; clvShare: number };
export type ClvRun = {
  name: 'clv';
  version: number;
  at: string;
  calibrationEnd: string;
  unit: 'day' | 'week';
  horizonMonths: number;
  discountRate: number;
  forecastDays: number;
  customers: number;
  repeatCustomers: number;
  transactions: number;
  bgNbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number; converged: boolean };
  gammaGamma: { p: number; q: number; gamma: number; logLikelihood: number; converged: boolean; frequencySpendCorrelation: number };
  figures: { meanProbabilityAlive: number; forecastPurchases: number; totalClv: number; meanClv: number; medianClv: number };
  tiers: ClvTier[];
  /** 20 bins from 0 to the 99th percentile; the last one is open (to: null). */
  histogram: { from: number; to: number | null; customers: number }[];
  /** Profiles whose scores the fit changed. */
  changed: number;
};
export type ClvFitSpec = { unit?: 'day' | 'week'; horizonMonths?: number; discountRate?: number; forecastDays?: number };

/** An error answered by the API: its stable code (docs/errors.md), message, hint and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint = '',
    readonly details: Record<string, unknown> = {},
    readonly path?: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export const enc = encodeURIComponent;

export interface ClientOptions {
  key: string;
  /** Called when the server no longer accepts the key (401), so the shell can ask for it again. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

export function createClient(o: ClientOptions) {
  const doFetch = o.fetch ?? fetch.bind(globalThis);

  async function request(method: string, path: string, opts: { query?: Query; body?: unknown; accept?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${o.key}`, accept: opts.accept ?? 'application/json' };
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await doFetch(withQuery(path, opts.query), { method, headers, body });
    } catch (e) {
      throw new ApiError(0, 'network.unreachable', `Segmentum did not answer (${e instanceof Error ? e.message : String(e)}).`, 'Check that the server is running.');
    }
    if (res.ok) return res;
    let parsed: { error?: { code?: string; message?: string; hint?: string; details?: Record<string, unknown>; path?: string } } = {};
    try {
      parsed = (await res.json()) as typeof parsed;
    } catch {
      // Not a JSON error body (a proxy in between, for example): reported by status below.
    }
    const e = parsed.error;
    const error = new ApiError(res.status, e?.code ?? `http.${res.status}`, e?.message ?? res.statusText, e?.hint ?? '', e?.details ?? {}, e?.path);
    if (res.status === 401) o.onUnauthorized?.();
    throw error;
  }

  const json = async <T,>(method: string, path: string, opts: { query?: Query; body?: unknown } = {}): Promise<T> =>
    (await (await request(method, path, opts)).json()) as T;

  return {
    overview: () => json<Overview>('GET', '/api/overview'),
    stats: () => json<Stats>('GET', '/api/stats'),

    segments: () => json<{ items: Segment[] }>('GET', '/api/segments'),
    segmentTrends: (days = 7) => json<Trends>('GET', '/api/segments/trends', { query: { days } }),
    segment: (id: string) => json<Segment>('GET', `/api/segments/${enc(id)}`),
    createSegment: (body: SegmentBody) => json<Segment>('POST', '/api/segments', { body }),
    updateSegment: (id: string, body: Partial<SegmentBody>) => json<Segment>('PUT', `/api/segments/${enc(id)}`, { body }),
    deleteSegment: (id: string) => json<Segment>('DELETE', `/api/segments/${enc(id)}`),
    preview: (definition: string | Record<string, unknown>) => json<Preview>('POST', '/api/segments/preview', { body: { definition } }),
    members: (id: string, q: { cursor?: string | null; limit?: number; q?: string }) => json<MembersPage>('GET', `/api/segments/${enc(id)}/members`, { query: q }),
    /** The members' CSV, as the browser downloads it. */
    membersCsv: async (id: string, q?: string) => (await request('GET', `/api/segments/${enc(id)}/members`, { query: { format: 'csv', q }, accept: 'text/csv' })).blob(),
    history: (id: string) => json<History>('GET', `/api/segments/${enc(id)}/history`),
    explain: (id: string, profileId: string) => json<Explain>('GET', `/api/segments/${enc(id)}/explain/${enc(profileId)}`),
    /** Recomputes the segment in SQL and compares with the live members (differences reported, not applied). */
    recompute: (id: string) => json<Verify>('POST', `/api/segments/${enc(id)}/recompute`),

    profile: (id: string) => json<Profile>('GET', `/api/profiles/${enc(id)}`),
    findProfile: (by: { userId?: string; anonymousId?: string; email?: string }) => json<Profile>('GET', '/api/profiles', { query: by }),
    timeline: (id: string, q: { limit?: number; cursor?: string | null; type?: string; event?: string }) =>
      json<Timeline>('GET', `/api/profiles/${enc(id)}/events`, { query: q }),

    recentEvents: (q: { after?: string | null; limit?: number }) => json<RecentEvents>('GET', '/api/events/recent', { query: q }),
    quarantine: (q: { status?: 'pending' | 'replayed'; code?: string; limit?: number; offset?: number }) => json<QuarantinePage>('GET', '/api/quarantine', { query: q }),
    replay: (ids: string[]) => json<ReplayResult>('POST', '/api/quarantine/replay', { body: { ids } }),
    replayOne: (id: string, event?: Record<string, unknown>) => json<ReplayResult>('POST', `/api/quarantine/${enc(id)}/replay`, { body: event ? { event } : {} }),

    imports: (q: { limit?: number; offset?: number } = {}) => json<ImportRunList>('GET', '/api/imports', { query: q }),
    importRun: (id: string) => json<ImportRun>('GET', `/api/imports/${enc(id)}`),
    /** The rows a run refused, as kept in the quarantine (each item's `raw` says where and why). */
    importRejected: (id: string, q: { limit?: number; offset?: number }) => json<QuarantinePage>('GET', `/api/imports/${enc(id)}/rejected`, { query: q }),

    identity: (profileId: string) => json<IdentityInfo>('GET', `/api/identity/profiles/${enc(profileId)}`),
    unmerge: (mergeId: string) => json<Unmerge>('POST', `/api/identity/merges/${enc(mergeId)}/unmerge`, { body: {} }),
    /** Matches every profile against the others with the server's thresholds: merges the near-certain pairs, queues the probable ones. */
    findDuplicates: () => json<MatchRun>('POST', '/api/identity/match', { body: {} }),
    reviewQueue: (q: { status?: ReviewStatus; limit?: number; offset?: number }) => json<ReviewList>('GET', '/api/identity/review', { query: q }),
    reviewPair: (pairId: string) => json<ReviewDetail>('GET', `/api/identity/review/${enc(pairId)}`),
    decide: (pairId: string, decision: 'accept' | 'reject') => json<ReviewPair>('POST', `/api/identity/review/${enc(pairId)}`, { body: { decision } }),

    quality: () => json<QualityReport>('GET', '/api/quality'),
    qualityTrend: () => json<QualityTrend>('GET', '/api/quality/trend'),
    /** Computes and stores a new report (it becomes the latest point of the trend). */
    runQuality: () => json<QualityReport>('POST', '/api/quality/runs', { body: {} }),

    clusterings: () => json<{ items: ClusterSummary[] }>('GET', '/api/clusters'),
    clustering: (name: string, version?: number) => json<ClusterSummary>('GET', `/api/clusters/${enc(name)}`, { query: { version } }),
    /** Clusters profiles and stores the run as the next version of `spec.name`. */
    runClustering: (spec: ClusterSpecInput) => json<ClusterSummary>('POST', '/api/clusters', { body: spec }),
    /** One cluster as a segment: a snapshot of its members, or live (`score.cluster_<name> = c`). */
    clusterSegment: (name: string, body: { cluster: number; mode: 'snapshot' | 'live'; name?: string; version?: number }) =>
      json<SegmentMade>('POST', `/api/clusters/${enc(name)}/segments`, { body }),

    models: () => json<{ items: ModelSummary[] }>('GET', '/api/models'),
    model: (name: string, version?: number) => json<ModelSummary>('GET', `/api/models/${enc(name)}`, { query: { version } }),
    modelVersions: (name: string) => json<{ items: ModelSummary[] }>('GET', `/api/models/${enc(name)}/versions`),
    trainModel: (spec: ModelSpecInput) => json<ModelSummary>('POST', '/api/models', { body: spec }),
    scoreModel: (name: string) => json<ScoringRun>('POST', `/api/models/${enc(name)}/score`, { body: {} }),
    explainScore: (name: string, profileId: string) => json<Explanation>('GET', `/api/models/${enc(name)}/explain/${enc(profileId)}`),
    /** A rule segment of the top `percent`% of profiles by the model's score. */
    topSegment: (name: string, body: { percent: number; name?: string }) => json<SegmentMade>('POST', `/api/models/${enc(name)}/segments`, { body }),

    /** The latest CLV fit (404 model.not_found before the first). */
    clv: () => json<ClvRun>('GET', '/api/clv'),
    fitClv: (spec: ClvFitSpec) => json<ClvRun>('POST', '/api/clv/fit', { body: spec }),

    keys: () => json<KeyList>('GET', '/api/keys'),
    createKey: (body: { label: string; scopes: Scope[] }) => json<Key>('POST', '/api/keys', { body }),
    revokeKey: (id: string) => json<Key>('DELETE', `/api/keys/${enc(id)}`),
  };
}

export type Api = ReturnType<typeof createClient>;
