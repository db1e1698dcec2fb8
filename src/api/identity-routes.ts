import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { KeyRing } from '../access/index.js';
import type { IdentityError, IdentityService } from '../profiles/index.js';
import { AppError, ProfileId, type Result } from '../kernel/index.js';
import type { ProfileService } from '../profiles/index.js';
import type { IdentityAuditRow, MergeEdgeRow, ReviewPairRow } from '../store/index.js';
import {
  ErrorBody,
  IdentityView,
  MatchRunBody,
  MatchRunView,
  MergeBody,
  MergeEdgeView,
  MergeIdParams,
  PairIdParams,
  ProfileIdParams,
  ReviewDecisionBody,
  ReviewDetailView,
  ReviewList,
  ReviewPairView,
  ReviewQuery,
  UnmergeBody,
  UnmergeView,
} from './schemas.js';

export interface IdentityDeps {
  identity: IdentityService;
  profiles: ProfileService;
  keys: KeyRing;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const security = [{ adminKey: [] }];

/** A merge edge as the API (and the CLI) shows it: no trait values, personal or not. */
export const mergeEdgeView = (e: MergeEdgeRow): z.infer<typeof MergeEdgeView> => ({
  id: e.mergeId,
  at: e.at.toISOString(),
  survivor: e.winner,
  merged: e.loser,
  cause: e.cause,
  evidence: e.evidence,
  actor: e.actor,
  messageId: e.messageId,
  mergedIdentities: e.loserBefore.identities.map((i) => `${i.kind}:${i.value}`),
  status: e.status,
  undoneAt: e.undoneAt ? e.undoneAt.toISOString() : null,
  undoneBy: e.undoneBy,
});

export const reviewPairView = (p: ReviewPairRow): z.infer<typeof ReviewPairView> => ({
  id: p.pairId,
  createdAt: p.createdAt.toISOString(),
  a: p.a,
  b: p.b,
  probability: p.probability,
  evidence: p.evidence,
  status: p.status,
  decidedAt: p.decidedAt ? p.decidedAt.toISOString() : null,
  decidedBy: p.decidedBy,
  mergeId: p.mergeId,
});

export const auditView = (a: IdentityAuditRow) => ({ ...a, at: a.at.toISOString() });

/** An identity service result, or its error as the HTTP surface reports it. */
export function identityResult<T>(r: Result<T, IdentityError>): T {
  if (!r.ok) throw new AppError(r.error.code, r.error.message);
  return r.value;
}

/** Who asked, for the audit log: the key's id. */
export function keyActor(keys: KeyRing, authorization: string | undefined): string {
  const c = keys.check(authorization?.replace(/^Bearer /, '').trim() ?? '', 'manage');
  return c.ok ? `key:${c.key.keyId}` : 'admin';
}

/** The identity graph under /api/identity: a profile's identifiers and merges, merge on demand, unmerge. */
export async function identityRoutes(app: FastifyInstance, deps: IdentityDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/identity/profiles/:id', {
    schema: {
      tags: ['identity'],
      summary: 'A profile’s identifiers, the merges it took part in (with their evidence) and its identity audit log',
      security,
      params: ProfileIdParams,
      response: { 200: IdentityView, ...errors, 404: ErrorBody },
    },
    handler: async (req) => identityView(deps, ProfileId(req.params.id)),
  });

  r.get('/api/identity/merges/:mergeId', {
    schema: { tags: ['identity'], summary: 'One merge with its evidence', security, params: MergeIdParams, response: { 200: MergeEdgeView, ...errors, 404: ErrorBody } },
    handler: async (req) => {
      const e = await deps.identity.getMerge(req.params.mergeId);
      if (!e) throw new AppError('identity.merge_not_found', `No merge has the id ${req.params.mergeId}.`);
      return mergeEdgeView(e);
    },
  });

  r.post('/api/identity/merges', {
    schema: {
      tags: ['identity'],
      summary: 'Merge two profiles (the older survives); refused when it would break the identifier limits',
      security,
      body: MergeBody,
      response: { 201: MergeEdgeView, ...errors, 404: ErrorBody, 409: ErrorBody },
    },
    handler: async (req, reply) => {
      const [a, b] = req.body.profileIds;
      const out = identityResult(
        await deps.identity.merge(ProfileId(a), ProfileId(b), {
          actor: keyActor(deps.keys, req.headers.authorization),
          cause: 'manual',
          evidence: req.body.reason ? { reason: req.body.reason } : {},
        }),
      );
      void reply.status(201);
      return mergeEdgeView(out.edge);
    },
  });

  r.post('/api/identity/merges/:mergeId/unmerge', {
    schema: {
      tags: ['identity'],
      summary: 'Undo a merge: the merged profile lives again with its identifiers, events and traits; segments follow',
      security,
      params: MergeIdParams,
      body: UnmergeBody,
      response: { 200: UnmergeView, ...errors, 404: ErrorBody, 409: ErrorBody },
    },
    handler: async (req) =>
      identityResult(await deps.identity.unmerge(req.params.mergeId, { actor: keyActor(deps.keys, req.headers.authorization), reason: req.body.reason })),
  });

  r.post('/api/identity/match', {
    schema: {
      tags: ['identity'],
      summary: 'Match every profile against the others: merge the near-certain pairs, queue the probable ones for review',
      security,
      body: MatchRunBody,
      response: { 200: MatchRunView, ...errors },
    },
    handler: async (req) =>
      deps.identity.matchProfiles({ ...req.body, actor: keyActor(deps.keys, req.headers.authorization) }),
  });

  r.get('/api/identity/review', {
    schema: {
      tags: ['identity'],
      summary: 'The review queue: probable duplicates, pending first, most probable first',
      security,
      querystring: ReviewQuery,
      response: { 200: ReviewList, ...errors },
    },
    handler: async (req) => {
      const res = await deps.identity.listReview(req.query);
      return { total: res.total, items: res.items.map(reviewPairView) };
    },
  });

  r.get('/api/identity/review/:pairId', {
    schema: {
      tags: ['identity'],
      summary: 'One pair with both records side by side (the compared fields) and the agreement of each field',
      security,
      params: PairIdParams,
      response: { 200: ReviewDetailView, ...errors, 404: ErrorBody },
    },
    handler: async (req) => {
      const d = identityResult(await deps.identity.reviewDetail(req.params.pairId));
      return { pair: reviewPairView(d.pair), records: d.records };
    },
  });

  r.post('/api/identity/review/:pairId', {
    schema: {
      tags: ['identity'],
      summary: 'Accept (merge the two, the match as evidence) or reject a pending pair',
      security,
      params: PairIdParams,
      body: ReviewDecisionBody,
      response: { 200: ReviewPairView, ...errors, 404: ErrorBody, 409: ErrorBody },
    },
    handler: async (req) =>
      reviewPairView(identityResult(await deps.identity.decideReview(req.params.pairId, req.body.decision, keyActor(deps.keys, req.headers.authorization)))),
  });
}

/** The identity view of a profile (by id; a merged-away id answers with the survivor). */
export async function identityView(deps: Pick<IdentityDeps, 'identity' | 'profiles'>, id: ProfileId): Promise<z.infer<typeof IdentityView>> {
  const p = await deps.profiles.get(id);
  if (!p.ok) throw new AppError('identity.unknown_profile', `No profile has the id ${id}.`);
  const pid = ProfileId(p.value.id);
  const merges = await deps.identity.mergesOf(pid);
  return {
    profileId: pid,
    ...(p.value.mergedFrom ? { mergedFrom: p.value.mergedFrom } : {}),
    identities: p.value.identities,
    merges: merges.map(mergeEdgeView),
    audit: p.value.merges,
  };
}
