import type { z } from 'zod';
import { ClusterSummaryView, ClvRunView, ExplanationView, ModelSummaryView, ScoringRunView, SegmentMadeView } from '../api/index.js';
import { AppError, ProfileId } from '../kernel/index.js';
import type { Segmentum } from '../main.js';
import { ClvFitSpec, type ClusterSpecInput, type ClusterSummary, type ClvRunSummary, type Explanation, type ModelSpecInput, type ModelSummary, type ScoringRun } from '../scoring/index.js';
import { z as zod } from 'zod';

/**
 * The analytics commands' view of Segmentum: CLV, clustering and models on profiles, served by the database file
 * directly or by a running server (--url) through /api/clv, /api/clusters and /api/models.
 */
export interface AnalyticsApi {
  clvFit(spec: Partial<ClvFitSpec>): Promise<ClvRunSummary>;
  clusterRun(spec: ClusterSpecInput): Promise<ClusterSummary>;
  clusterList(): Promise<ClusterSummary[]>;
  clusterGet(name: string, version?: number): Promise<ClusterSummary>;
  clusterSegment(name: string, body: { cluster: number; mode: 'snapshot' | 'live'; name?: string | undefined }): Promise<SegmentMade>;
  modelTrain(spec: ModelSpecInput): Promise<ModelSummary>;
  modelList(): Promise<ModelSummary[]>;
  modelGet(name: string, version?: number): Promise<ModelSummary>;
  modelScore(name: string): Promise<ScoringRun>;
  modelExplain(name: string, profileId: string): Promise<Explanation>;
  modelSegment(name: string, percent: number, segmentName?: string): Promise<SegmentMade>;
}

export interface SegmentMade {
  segmentId: string;
  segmentName: string;
  members: number;
  definition?: string | undefined;
}

export class LocalAnalytics implements AnalyticsApi {
  constructor(private readonly a: Segmentum['analytics']) {}
  async clvFit(spec: Partial<ClvFitSpec>): Promise<ClvRunSummary> {
    const r = await this.a.clv.fit(ClvFitSpec.parse(spec));
    if (!r.ok) throw new AppError(r.error.code, r.error.message);
    return r.value;
  }
  clusterRun(spec: ClusterSpecInput) {
    return this.a.clusters.run(spec);
  }
  async clusterList() {
    return (await this.a.clusters.list()).map((c) => c.summary as ClusterSummary);
  }
  clusterGet(name: string, version?: number) {
    return this.a.clusters.get(name, version);
  }
  clusterSegment(name: string, body: { cluster: number; mode: 'snapshot' | 'live'; name?: string | undefined }) {
    return this.a.clusters.toSegment(name, body.cluster, { mode: body.mode, segmentName: body.name });
  }
  modelTrain(spec: ModelSpecInput) {
    return this.a.models.train(spec);
  }
  modelList() {
    return this.a.models.list();
  }
  modelGet(name: string, version?: number) {
    return this.a.models.get(name, version);
  }
  modelScore(name: string) {
    return this.a.models.score(name);
  }
  modelExplain(name: string, profileId: string) {
    return this.a.models.explain(name, ProfileId(profileId));
  }
  modelSegment(name: string, percent: number, segmentName?: string) {
    return this.a.models.topSegment(name, percent, segmentName);
  }
}

type Call = <S extends z.ZodType>(schema: S, path: string, init?: { method?: string; body?: unknown }) => Promise<z.output<S>>;

const q = (version?: number): string => (version === undefined ? '' : `?version=${version}`);
const seg = (s: string): string => encodeURIComponent(s);

// The server's answers are parsed with the views it answers with; their loose parts pass through as the server sent them.
export class HttpAnalytics implements AnalyticsApi {
  constructor(private readonly call: Call) {}
  async clvFit(spec: Partial<ClvFitSpec>) {
    return (await this.call(ClvRunView, '/api/clv/fit', { method: 'POST', body: spec })) as unknown as ClvRunSummary;
  }
  async clusterRun(spec: ClusterSpecInput) {
    return (await this.call(ClusterSummaryView, '/api/clusters', { method: 'POST', body: spec })) as unknown as ClusterSummary;
  }
  async clusterList() {
    return (await this.call(zod.object({ items: zod.array(ClusterSummaryView) }), '/api/clusters')).items as unknown as ClusterSummary[];
  }
  async clusterGet(name: string, version?: number) {
    return (await this.call(ClusterSummaryView, `/api/clusters/${seg(name)}${q(version)}`)) as unknown as ClusterSummary;
  }
  clusterSegment(name: string, body: { cluster: number; mode: 'snapshot' | 'live'; name?: string | undefined }) {
    return this.call(SegmentMadeView, `/api/clusters/${seg(name)}/segments`, { method: 'POST', body });
  }
  async modelTrain(spec: ModelSpecInput) {
    return (await this.call(ModelSummaryView, '/api/models', { method: 'POST', body: spec })) as unknown as ModelSummary;
  }
  async modelList() {
    return (await this.call(zod.object({ items: zod.array(ModelSummaryView) }), '/api/models')).items as unknown as ModelSummary[];
  }
  async modelGet(name: string, version?: number) {
    return (await this.call(ModelSummaryView, `/api/models/${seg(name)}${q(version)}`)) as unknown as ModelSummary;
  }
  modelScore(name: string) {
    return this.call(ScoringRunView, `/api/models/${seg(name)}/score`, { method: 'POST', body: {} });
  }
  modelExplain(name: string, profileId: string) {
    return this.call(ExplanationView, `/api/models/${seg(name)}/explain/${seg(profileId)}`);
  }
  modelSegment(name: string, percent: number, segmentName?: string) {
    return this.call(SegmentMadeView, `/api/models/${seg(name)}/segments`, { method: 'POST', body: { percent, ...(segmentName ? { name: segmentName } : {}) } });
  }
}
