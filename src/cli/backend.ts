import { z } from 'zod';
import {
  ChangesPage,
  ErrorBody,
  IdentityView,
  MatchRunView,
  QualityReportView,
  QualityTrendView,
  MergeEdgeView,
  ReviewDetailView,
  ReviewList,
  ReviewPairView,
  UnmergeView,
  KeyList,
  KeyView,
  MembersPage,
  QuarantineItem,
  ReplayResult,
  SegmentView,
  changeView,
  keyView,
  memberView,
  membersCsv,
  quarantineView,
  segmentFailure,
  identityView,
  identityResult,
  mergeEdgeView,
  reviewPairView,
} from '../api/index.js';
import type { KeyError, KeyScope } from '../access/index.js';
import { loadConfig } from '../config/index.js';
import { AppError, ERROR_CODES, ProfileId, type Result } from '../kernel/index.js';
import type { ReplayReport } from '../ingest/index.js';
import { createSegmentum, type Segmentum } from '../main.js';
import { ProfileView, StatsView } from '../profiles/index.js';
import type { SegmentError, SegmentSummary } from '../segments/index.js';
import type { Stats } from '../store/index.js';
import { HttpAnalytics, LocalAnalytics, type AnalyticsApi } from './analytics-backend.js';

export type QuarantineListItem = z.infer<typeof QuarantineItem>;

// The segment answers as the API sends them (src/api/segment-routes.ts); the local backend builds the same objects
// and passes them through the same schemas, so that --json output does not depend on the backend.
export type SegmentViewT = z.infer<typeof SegmentView>;
export type ChangesPageT = z.infer<typeof ChangesPage>;
export type MembersPageT = z.infer<typeof MembersPage>;
export type KeyViewT = z.infer<typeof KeyView>;
export type IdentityViewT = z.infer<typeof IdentityView>;
export type MergeEdgeViewT = z.infer<typeof MergeEdgeView>;
export type UnmergeViewT = z.infer<typeof UnmergeView>;
export type MatchRunViewT = z.infer<typeof MatchRunView>;
export type QualityReportViewT = z.infer<typeof QualityReportView>;
export type QualityTrendViewT = z.infer<typeof QualityTrendView>;
export type ReviewListT = z.infer<typeof ReviewList>;
export type ReviewPairViewT = z.infer<typeof ReviewPairView>;
export type ReviewDetailViewT = z.infer<typeof ReviewDetailView>;
export interface MatchRunInputT {
  autoMergeAt?: number | undefined;
  reviewAt?: number | undefined;
  dryRun?: boolean | undefined;
}
export const PreviewView = z.object({ size: z.number().int(), sample: z.array(z.string()), at: z.string(), text: z.string() });
export type PreviewViewT = z.infer<typeof PreviewView>;
export const UploadResult = z.object({ added: z.number().int(), removed: z.number().int(), unknown: z.number().int() });
export type UploadResultT = z.infer<typeof UploadResult>;
export interface ExplainNodeT {
  kind?: string | undefined;
  condition: string;
  result: boolean;
  value?: unknown;
  children?: ExplainNodeT[] | undefined;
}
const ExplainNode: z.ZodType<ExplainNodeT> = z.lazy(() =>
  z.object({ kind: z.string().optional(), condition: z.string(), result: z.boolean(), value: z.unknown().optional(), children: z.array(ExplainNode).optional() }),
);
export const ExplainView = z.object({ segment: SegmentView, member: z.boolean(), at: z.string(), tree: ExplainNode.nullable() });
export type ExplainViewT = z.infer<typeof ExplainView>;
const SegmentList = z.object({ items: z.array(SegmentView) });

/** What creating or changing a segment sends: the text form or the AST; no definition makes a manual list. */
export interface SegmentInputT {
  name: string;
  description?: string | undefined;
  definition?: string | Record<string, unknown> | undefined;
}


/** What the read/manage commands need: served by the database file directly, or by a running server over HTTP. */
export interface Backend {
  stats(): Promise<Stats>;
  profile(ref: string): Promise<ProfileView>;
  quarantineList(q: { status?: string | undefined; code?: string | undefined; limit: number }): Promise<{ total: number; items: QuarantineListItem[] }>;
  quarantineReplay(q: { ids?: string[] | undefined; code?: string | undefined; limit: number }): Promise<ReplayReport>;
  /** Segments are named by id or by name wherever `ref` is taken. */
  segmentList(): Promise<{ items: SegmentViewT[] }>;
  segmentGet(ref: string): Promise<SegmentViewT>;
  segmentCreate(input: SegmentInputT): Promise<SegmentViewT>;
  segmentUpdate(ref: string, input: SegmentInputT): Promise<SegmentViewT>;
  segmentDelete(ref: string): Promise<SegmentViewT>;
  segmentMembers(ref: string, page: { cursor?: string | undefined; limit: number }): Promise<MembersPageT>;
  /** Every member as CSV (`profile_id,since,user_id`), all pages. */
  segmentMembersCsv(ref: string): Promise<string>;
  segmentSetMembers(ref: string, profileIds: string[], mode: 'replace' | 'append'): Promise<UploadResultT>;
  segmentExplain(ref: string, profileId: string): Promise<ExplainViewT>;
  segmentPreview(definition: string | Record<string, unknown>, at?: Date): Promise<PreviewViewT>;
  /** `segmentId` is an id: changes of deleted segments are kept, so it is not resolved. */
  segmentChanges(q: { since: number; limit: number; segmentId?: string | undefined }): Promise<ChangesPageT>;
  keysList(): Promise<{ items: KeyViewT[] }>;
  keysCreate(label: string, scopes: KeyScope[]): Promise<KeyViewT>;
  keysRevoke(id: string): Promise<KeyViewT>;
  /** A profile's identifiers, merges and identity audit; `ref` as for profile(). */
  identityShow(ref: string): Promise<IdentityViewT>;
  identityMerge(a: string, b: string, reason?: string): Promise<MergeEdgeViewT>;
  identityUnmerge(mergeId: string, reason?: string): Promise<UnmergeViewT>;
  identityMatch(input: MatchRunInputT): Promise<MatchRunViewT>;
  reviewList(q: { status?: 'pending' | 'accepted' | 'rejected' | undefined; limit: number; offset: number }): Promise<ReviewListT>;
  reviewShow(pairId: string): Promise<ReviewDetailViewT>;
  reviewDecide(pairId: string, decision: 'accept' | 'reject'): Promise<ReviewPairViewT>;
  /** Computes the data-quality report now (stored as a point of the trend). */
  qualityRun(): Promise<QualityReportViewT>;
  qualityTrend(): Promise<QualityTrendViewT>;
  /** CLV, clustering and propensity models on profiles. */
  analytics(): AnalyticsApi;
  close(): Promise<void>;
}

export interface BackendOptions {
  db?: string | undefined;
  url?: string | undefined;
  adminKey?: string | undefined;
}

export async function openBackend(o: BackendOptions): Promise<Backend> {
  if (o.url) return new HttpBackend(o.url, o.adminKey ?? process.env.SEGMENTUM_ADMIN_KEY ?? '');
  return new LocalBackend(await createSegmentum(loadConfig({ env: process.env, flags: o.db ? { db: o.db } : {} }), { logger: false }));
}

/** `prof_…` is a profile id; an address with @ an email; anything else a userId, then an anonymousId. */
async function findProfile(s: Segmentum, ref: string): Promise<ProfileView> {
  if (ref.startsWith('prof_')) {
    const r = await s.profiles.get(ProfileId(ref));
    if (r.ok) return r.value;
    throw new AppError('profile.not_found', r.error.message);
  }
  const tries = ref.includes('@') ? [{ email: ref }] : [{ userId: ref }, { anonymousId: ref }];
  for (const by of tries) {
    const r = await s.profiles.find(by);
    if (r.ok) return r.value;
  }
  throw new AppError('profile.not_found', `No profile has the id, userId, anonymousId or email ${ref}.`);
}

/** A segment service result, or its error as the API reports it (code, message, hint, details). */
function unwrap<T>(r: Result<T, SegmentError>): T {
  if (!r.ok) throw segmentFailure(r.error);
  return r.value;
}

function unwrapKey<T>(r: Result<T, KeyError>): T {
  if (!r.ok) throw new AppError(r.error.code, r.error.message);
  return r.value;
}

class LocalBackend implements Backend {
  constructor(private readonly s: Segmentum) {}
  private async withSize(seg: SegmentSummary): Promise<SegmentViewT> {
    return SegmentView.parse({ ...seg, size: await this.s.segments.size(seg.id) });
  }
  stats(): Promise<Stats> {
    return this.s.profiles.stats();
  }
  profile(ref: string): Promise<ProfileView> {
    return findProfile(this.s, ref);
  }
  async quarantineList(q: { status?: string | undefined; code?: string | undefined; limit: number }) {
    const status = q.status === 'pending' || q.status === 'replayed' ? q.status : undefined;
    const res = await this.s.store.listQuarantine({ status, code: q.code, limit: q.limit });
    // The same shape as GET /api/quarantine, so --json output does not depend on the backend.
    return { total: res.total, items: res.items.map(quarantineView) };
  }
  quarantineReplay(q: { ids?: string[] | undefined; code?: string | undefined; limit: number }): Promise<ReplayReport> {
    return this.s.ingest.replayWhere(q);
  }
  async segmentList(): Promise<{ items: SegmentViewT[] }> {
    const items: SegmentViewT[] = [];
    for (const x of this.s.segments.list()) items.push(await this.withSize(x));
    return { items };
  }
  segmentGet(ref: string): Promise<SegmentViewT> {
    return this.withSize(unwrap(this.s.segments.get(ref)));
  }
  async segmentCreate(input: SegmentInputT): Promise<SegmentViewT> {
    return this.withSize(unwrap(await this.s.segments.create(input)));
  }
  async segmentUpdate(ref: string, input: SegmentInputT): Promise<SegmentViewT> {
    return this.withSize(unwrap(await this.s.segments.update(ref, input)));
  }
  async segmentDelete(ref: string): Promise<SegmentViewT> {
    return SegmentView.parse(unwrap(await this.s.segments.remove(ref)));
  }
  async segmentMembers(ref: string, page: { cursor?: string | undefined; limit: number }): Promise<MembersPageT> {
    const res = unwrap(await this.s.segments.members(ref, page));
    return { items: res.items.map(memberView), nextCursor: res.nextCursor };
  }
  segmentMembersCsv(ref: string): Promise<string> {
    return membersCsv(this.s.segments, ref);
  }
  async segmentSetMembers(ref: string, profileIds: string[], mode: 'replace' | 'append'): Promise<UploadResultT> {
    return unwrap(await this.s.segments.setMembers(ref, profileIds.map(ProfileId), mode));
  }
  async segmentExplain(ref: string, profileId: string): Promise<ExplainViewT> {
    return ExplainView.parse(unwrap(this.s.segments.explain(ref, ProfileId(profileId))));
  }
  async segmentPreview(definition: string | Record<string, unknown>, at?: Date): Promise<PreviewViewT> {
    return PreviewView.parse(unwrap(await this.s.segments.preview(definition, at)));
  }
  async segmentChanges(q: { since: number; limit: number; segmentId?: string | undefined }): Promise<ChangesPageT> {
    const rows = await this.s.segments.changes(q.since, q.limit, q.segmentId);
    const last = rows[rows.length - 1];
    return { cursor: String(last ? last.seq : q.since), changes: rows.map(changeView) };
  }
  async keysList(): Promise<{ items: KeyViewT[] }> {
    return { items: this.s.keys.list().map((k) => keyView(k)) };
  }
  async keysCreate(label: string, scopes: KeyScope[]): Promise<KeyViewT> {
    const { entry, key } = unwrapKey(await this.s.keys.create(label, scopes));
    return keyView(entry, key);
  }
  async keysRevoke(id: string): Promise<KeyViewT> {
    return keyView(unwrapKey(await this.s.keys.revoke(id)));
  }
  async identityShow(ref: string): Promise<IdentityViewT> {
    const p = await findProfile(this.s, ref);
    return identityView(this.s, ProfileId(p.id));
  }
  async identityMerge(a: string, b: string, reason?: string): Promise<MergeEdgeViewT> {
    const [pa, pb] = [await findProfile(this.s, a), await findProfile(this.s, b)];
    const out = identityResult(
      await this.s.identity.merge(ProfileId(pa.id), ProfileId(pb.id), { actor: 'cli', cause: 'manual', evidence: reason ? { reason } : {} }),
    );
    return mergeEdgeView(out.edge);
  }
  async identityUnmerge(mergeId: string, reason?: string): Promise<UnmergeViewT> {
    return identityResult(await this.s.identity.unmerge(mergeId, { actor: 'cli', reason }));
  }
  async identityMatch(input: MatchRunInputT): Promise<MatchRunViewT> {
    return MatchRunView.parse(await this.s.identity.matchProfiles({ ...input, actor: 'cli' }));
  }
  async reviewList(q: { status?: 'pending' | 'accepted' | 'rejected' | undefined; limit: number; offset: number }): Promise<ReviewListT> {
    const res = await this.s.identity.listReview(q);
    return { total: res.total, items: res.items.map(reviewPairView) };
  }
  async reviewShow(pairId: string): Promise<ReviewDetailViewT> {
    const d = identityResult(await this.s.identity.reviewDetail(pairId));
    return { pair: reviewPairView(d.pair), records: d.records };
  }
  async reviewDecide(pairId: string, decision: 'accept' | 'reject'): Promise<ReviewPairViewT> {
    return reviewPairView(identityResult(await this.s.identity.decideReview(pairId, decision, 'cli')));
  }
  async qualityRun(): Promise<QualityReportViewT> {
    return QualityReportView.parse(await this.s.quality.run());
  }
  async qualityTrend(): Promise<QualityTrendViewT> {
    return { items: await this.s.quality.trend() };
  }
  analytics(): AnalyticsApi {
    return new LocalAnalytics(this.s.analytics);
  }
  close(): Promise<void> {
    return this.s.close();
  }
}

class HttpBackend implements Backend {
  constructor(
    private readonly base: string,
    private readonly adminKey: string,
  ) {}
  /** Every answer is parsed with the schema the server answers with: the server is an edge too. */
  private async call<S extends z.ZodType>(schema: S, path: string, init: { method?: string; body?: unknown } = {}): Promise<z.output<S>> {
    const res = await this.request(path, init);
    const body: unknown = await res.json().catch(() => null);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new AppError('cli.server_unreachable', `The answer of ${this.base} to ${path} is not what Segmentum sends.`);
    return parsed.data;
  }
  /** The response of a request that succeeded; a failure is thrown as the server's error (code, message, hint, details). */
  private async request(path: string, init: { method?: string; body?: unknown }): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base), {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${this.adminKey}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      });
    } catch (cause) {
      throw new AppError('cli.server_unreachable', `Cannot reach ${this.base}.`, { cause });
    }
    if (res.ok) return res;
    const body: unknown = await res.json().catch(() => null);
    const e = ErrorBody.safeParse(body);
    if (!e.success) throw new AppError('server.internal', `HTTP ${res.status} from ${path}`);
    const { code, message, hint, path: at, details } = e.data.error;
    const known = ERROR_CODES.find((c) => c === code);
    // An unknown code (a newer server) keeps its message; its hint would not fit the code it is shown with.
    if (!known) throw new AppError('server.internal', `${code}: ${message}`);
    throw new AppError(known, message, { hint, ...(at ? { path: at } : {}), ...(details ? { details } : {}) });
  }
  stats(): Promise<Stats> {
    return this.call(StatsView, '/api/stats');
  }
  async profile(ref: string): Promise<ProfileView> {
    if (ref.startsWith('prof_')) return this.call(ProfileView, `/api/profiles/${encodeURIComponent(ref)}`);
    const tries = ref.includes('@') ? [`email=${encodeURIComponent(ref)}`] : [`userId=${encodeURIComponent(ref)}`, `anonymousId=${encodeURIComponent(ref)}`];
    let last: unknown;
    for (const q of tries) {
      try {
        return await this.call(ProfileView, `/api/profiles?${q}`);
      } catch (e) {
        last = e;
        if (!(e instanceof AppError) || e.code !== 'profile.not_found') throw e;
      }
    }
    throw last;
  }
  quarantineList(q: { status?: string | undefined; code?: string | undefined; limit: number }) {
    const params = new URLSearchParams({ limit: String(q.limit) });
    if (q.status) params.set('status', q.status);
    if (q.code) params.set('code', q.code);
    return this.call(z.object({ total: z.number(), items: z.array(QuarantineItem) }), `/api/quarantine?${params}`);
  }
  quarantineReplay(q: { ids?: string[] | undefined; code?: string | undefined; limit: number }): Promise<ReplayReport> {
    return this.call(ReplayResult, '/api/quarantine/replay', { method: 'POST', body: q });
  }
  segmentList(): Promise<{ items: SegmentViewT[] }> {
    return this.call(SegmentList, '/api/segments');
  }
  async segmentGet(ref: string): Promise<SegmentViewT> {
    // GET /api/segments/changes and /trends are other endpoints: a segment named so (from before the names were
    // reserved) is found in the list.
    if (ref === 'changes' || ref === 'trends') {
      const found = (await this.segmentList()).items.find((x) => x.id === ref || x.name === ref);
      if (found) return found;
      throw segmentFailure({ code: 'segments.not_found', message: `No segment with id or name "${ref}".` });
    }
    return this.call(SegmentView, segmentPath(ref));
  }
  segmentCreate(input: SegmentInputT): Promise<SegmentViewT> {
    return this.call(SegmentView, '/api/segments', { method: 'POST', body: input });
  }
  segmentUpdate(ref: string, input: SegmentInputT): Promise<SegmentViewT> {
    return this.call(SegmentView, segmentPath(ref), { method: 'PUT', body: input });
  }
  segmentDelete(ref: string): Promise<SegmentViewT> {
    return this.call(SegmentView, segmentPath(ref), { method: 'DELETE' });
  }
  segmentMembers(ref: string, page: { cursor?: string | undefined; limit: number }): Promise<MembersPageT> {
    const params = new URLSearchParams({ limit: String(page.limit) });
    if (page.cursor !== undefined) params.set('cursor', page.cursor);
    return this.call(MembersPage, `${segmentPath(ref)}/members?${params}`);
  }
  async segmentMembersCsv(ref: string): Promise<string> {
    return (await this.request(`${segmentPath(ref)}/members?format=csv`, {})).text();
  }
  segmentSetMembers(ref: string, profileIds: string[], mode: 'replace' | 'append'): Promise<UploadResultT> {
    return this.call(UploadResult, `${segmentPath(ref)}/members?mode=${mode}`, { method: 'PUT', body: { profileIds } });
  }
  segmentExplain(ref: string, profileId: string): Promise<ExplainViewT> {
    return this.call(ExplainView, `${segmentPath(ref)}/explain/${encodeURIComponent(profileId)}`);
  }
  segmentPreview(definition: string | Record<string, unknown>, at?: Date): Promise<PreviewViewT> {
    return this.call(PreviewView, '/api/segments/preview', { method: 'POST', body: { definition, ...(at ? { at: at.toISOString() } : {}) } });
  }
  segmentChanges(q: { since: number; limit: number; segmentId?: string | undefined }): Promise<ChangesPageT> {
    const params = new URLSearchParams({ since: String(q.since), limit: String(q.limit) });
    if (q.segmentId !== undefined) params.set('segment', q.segmentId);
    return this.call(ChangesPage, `/api/segments/changes?${params}`);
  }
  keysList(): Promise<{ items: KeyViewT[] }> {
    return this.call(KeyList, '/api/keys');
  }
  keysCreate(label: string, scopes: KeyScope[]): Promise<KeyViewT> {
    return this.call(KeyView, '/api/keys', { method: 'POST', body: { label, scopes } });
  }
  keysRevoke(id: string): Promise<KeyViewT> {
    return this.call(KeyView, `/api/keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
  async identityShow(ref: string): Promise<IdentityViewT> {
    const p = await this.profile(ref);
    return this.call(IdentityView, `/api/identity/profiles/${encodeURIComponent(p.id)}`);
  }
  async identityMerge(a: string, b: string, reason?: string): Promise<MergeEdgeViewT> {
    const [pa, pb] = [await this.profile(a), await this.profile(b)];
    return this.call(MergeEdgeView, '/api/identity/merges', { method: 'POST', body: { profileIds: [pa.id, pb.id], ...(reason ? { reason } : {}) } });
  }
  qualityRun(): Promise<QualityReportViewT> {
    return this.call(QualityReportView, '/api/quality/runs', { method: 'POST', body: {} });
  }
  qualityTrend(): Promise<QualityTrendViewT> {
    return this.call(QualityTrendView, '/api/quality/trend');
  }
  analytics(): AnalyticsApi {
    return new HttpAnalytics((schema, path, init) => this.call(schema, path, init));
  }
  identityMatch(input: MatchRunInputT): Promise<MatchRunViewT> {
    return this.call(MatchRunView, '/api/identity/match', { method: 'POST', body: input });
  }
  reviewList(q: { status?: 'pending' | 'accepted' | 'rejected' | undefined; limit: number; offset: number }): Promise<ReviewListT> {
    const params = new URLSearchParams({ limit: String(q.limit), offset: String(q.offset) });
    if (q.status) params.set('status', q.status);
    return this.call(ReviewList, `/api/identity/review?${params}`);
  }
  reviewShow(pairId: string): Promise<ReviewDetailViewT> {
    return this.call(ReviewDetailView, `/api/identity/review/${encodeURIComponent(pairId)}`);
  }
  reviewDecide(pairId: string, decision: 'accept' | 'reject'): Promise<ReviewPairViewT> {
    return this.call(ReviewPairView, `/api/identity/review/${encodeURIComponent(pairId)}`, { method: 'POST', body: { decision } });
  }
  identityUnmerge(mergeId: string, reason?: string): Promise<UnmergeViewT> {
    return this.call(UnmergeView, `/api/identity/merges/${encodeURIComponent(mergeId)}/unmerge`, { method: 'POST', body: reason ? { reason } : {} });
  }
  async close(): Promise<void> {}
}

const segmentPath = (ref: string): string => `/api/segments/${encodeURIComponent(ref)}`;
