import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KeyRing, KeyScope } from '../access/index.js';
import { AppError, assertNever, ProfileId, QuarantineId } from '../kernel/index.js';
import type { IngestService } from '../ingest/index.js';
import type { ProfileService, ProfileView } from '../profiles/index.js';
import {
  ErrorBody,
  ProfileEventsQuery,
  QuarantineItem,
  QuarantinePage,
  ReplayResult,
  StatsView,
  TimelineView,
  ProfileView as ProfileViewSchema,
} from './schemas.js';
import type { QuarantineEntry, QuarantineStore } from '../store/index.js';

/** What other domains add to a profile view (segments, scores, computed traits); main.ts wires it. */
export type ProfileExtras = (id: ProfileId) => Promise<Pick<ProfileView, 'segments' | 'scores' | 'computed'>>;

export interface AdminDeps {
  profileExtras?: ProfileExtras | undefined;
  keys: KeyRing;
  profiles: ProfileService;
  quarantine: QuarantineStore;
  ingest: IngestService;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const security = [{ adminKey: [] }];

/** A quarantine row as the API (and the CLI, either backend) shows it. */
export const quarantineView = (q: QuarantineEntry): z.infer<typeof QuarantineItem> => ({
  ...q,
  receivedAt: q.receivedAt.toISOString(),
  lastReplayAt: q.lastReplayAt ? q.lastReplayAt.toISOString() : null,
});

/**
 * Who may call the management API: a key in `Authorization: Bearer <key>` with the read scope for GET and HEAD, and
 * the manage scope for every other method.
 */
export function authorizeAdmin(keys: KeyRing, method: string, authorization: string | undefined): void {
  const scope: KeyScope = method === 'GET' || method === 'HEAD' ? 'read' : 'manage';
  if (!authorization?.startsWith('Bearer ')) {
    throw new AppError('auth.missing_admin_key', `This endpoint needs a key with the ${scope} scope, such as the admin key.`);
  }
  const c = keys.check(authorization.slice(7).trim(), scope);
  if (c.ok) return;
  switch (c.reason) {
    case 'unknown':
      throw new AppError('auth.invalid_admin_key', 'Unknown key.');
    case 'revoked':
      throw new AppError('auth.revoked_key', `This key (${c.key.keyId}) was revoked on ${c.key.revokedAt?.toISOString() ?? 'an earlier date'}.`);
    case 'missing_scope':
      throw new AppError(
        'auth.forbidden_scope',
        c.key.scopes.includes('track')
          ? 'A write key (scope track) can only send events: it cannot read or manage data.'
          : `${method} needs the ${c.scope} scope; this key has ${c.key.scopes.join(', ')}.`,
      );
    default:
      return assertNever(c);
  }
}

/** The management API under /api: keys with the read or manage scope (`Authorization: Bearer <key>`). */
export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  app.addHook('onRequest', async (req) => authorizeAdmin(deps.keys, req.method, req.headers.authorization));
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/profiles/:id', {
    schema: {
      tags: ['profiles'],
      summary: 'A unified profile: traits, personal data, identities, accounts, activity, merges',
      security,
      params: z.object({ id: z.string().min(1).max(200) }),
      response: { 200: ProfileViewSchema, ...errors },
    },
    handler: async (req) => {
      const res = await deps.profiles.get(ProfileId(req.params.id));
      if (!res.ok) throw new AppError(res.error.code, res.error.message);
      return deps.profileExtras ? { ...res.value, ...(await deps.profileExtras(ProfileId(res.value.id))) } : res.value;
    },
  });

  r.get('/api/profiles', {
    schema: {
      tags: ['profiles'],
      summary: 'Find a profile by userId, anonymousId or email',
      security,
      querystring: z
        .object({ userId: z.string().optional(), anonymousId: z.string().optional(), email: z.string().optional() })
        .refine((q) => [q.userId, q.anonymousId, q.email].filter((v) => v !== undefined).length === 1, {
          message: 'give exactly one of userId, anonymousId, email',
        }),
      response: { 200: ProfileViewSchema, ...errors },
    },
    handler: async (req) => {
      const q = req.query;
      const by = q.userId !== undefined ? { userId: q.userId } : q.anonymousId !== undefined ? { anonymousId: q.anonymousId } : { email: q.email ?? '' };
      const res = await deps.profiles.find(by);
      if (!res.ok) throw new AppError(res.error.code, res.error.message);
      return deps.profileExtras ? { ...res.value, ...(await deps.profileExtras(ProfileId(res.value.id))) } : res.value;
    },
  });

  r.get('/api/profiles/:id/events', {
    schema: {
      tags: ['profiles'],
      summary: "A profile's timeline, newest first, optionally only one type or event name",
      security,
      params: z.object({ id: z.string().min(1).max(200) }),
      querystring: ProfileEventsQuery,
      response: { 200: TimelineView, ...errors },
    },
    handler: async (req) => {
      const res = await deps.profiles.timeline(ProfileId(req.params.id), {
        limit: req.query.limit,
        before: req.query.before ? new Date(req.query.before) : undefined,
        cursor: req.query.cursor,
        type: req.query.type,
        event: req.query.event,
      });
      if (!res.ok) throw new AppError(res.error.code, res.error.message, 'path' in res.error ? { path: `querystring.${res.error.path}` } : {});
      return res.value;
    },
  });

  r.get('/api/stats', {
    schema: { tags: ['operations'], summary: 'Counts of profiles, events, quarantined events, duplicates, accounts', security, response: { 200: StatsView, ...errors } },
    handler: () => deps.profiles.stats(),
  });

  r.get('/api/quarantine', {
    schema: {
      tags: ['quarantine'],
      summary: 'Rejected events kept for inspection and replay',
      security,
      querystring: z.object({
        status: z.enum(['pending', 'replayed']).optional(),
        code: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: { 200: QuarantinePage, ...errors },
    },
    handler: async (req) => {
      const res = await deps.quarantine.listQuarantine(req.query);
      return { total: res.total, items: res.items.map(quarantineView) };
    },
  });

  r.get('/api/quarantine/:id', {
    schema: { tags: ['quarantine'], summary: 'One quarantined event', security, params: z.object({ id: z.string() }), response: { 200: QuarantineItem, ...errors } },
    handler: async (req) => {
      const q = await deps.quarantine.getQuarantine(QuarantineId(req.params.id));
      if (!q) throw new AppError('quarantine.not_found', `No quarantined event has the id ${req.params.id}.`);
      return quarantineView(q);
    },
  });

  r.post('/api/quarantine/replay', {
    schema: {
      tags: ['quarantine'],
      summary: 'Submit pending quarantined events again (all, by code, or by ids)',
      security,
      // No body at all means every pending event (up to the default limit).
      body: z
        .object({
          ids: z.array(z.string()).max(10_000).optional(),
          code: z.string().optional(),
          limit: z.number().int().min(1).max(10_000).default(1000),
        })
        .nullish(),
      response: { 200: ReplayResult, ...errors },
    },
    handler: (req) => deps.ingest.replayWhere(req.body ?? { limit: 1000 }),
  });

  r.post('/api/quarantine/:id/replay', {
    schema: {
      tags: ['quarantine'],
      summary: 'Submit one quarantined event again, optionally with a corrected payload',
      security,
      params: z.object({ id: z.string() }),
      body: z.object({ event: z.record(z.string(), z.unknown()).optional().describe('Replaces the kept raw event') }).nullish(),
      response: { 200: ReplayResult, ...errors },
    },
    handler: async (req) => {
      const q = await deps.quarantine.getQuarantine(QuarantineId(req.params.id));
      if (!q) throw new AppError('quarantine.not_found', `No quarantined event has the id ${req.params.id}.`);
      const event = req.body?.event;
      return deps.ingest.replay([q], event ? { id: q.id, raw: JSON.stringify(event) } : undefined);
    },
  });
}
