import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KeyRing } from '../access/index.js';
import { AppError, ProfileId, QuarantineId } from '../kernel/index.js';
import type { IngestService } from '../ingest/index.js';
import type { ProfileService, ProfileView } from '../profiles/index.js';
import { ErrorBody, QuarantineItem, QuarantinePage, ReplayResult, StatsView, TimelineView, ProfileView as ProfileViewSchema } from './schemas.js';
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

/** The management API under /api: admin key only (`Authorization: Bearer <key>`). */
export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  app.addHook('onRequest', async (req) => {
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ')) throw new AppError('auth.missing_admin_key', 'This endpoint needs the admin key.');
    const kind = deps.keys.kindOf(auth.slice(7).trim());
    if (kind === 'write') throw new AppError('auth.forbidden_scope', 'A write key cannot read or manage data.');
    if (kind !== 'admin') throw new AppError('auth.invalid_admin_key', 'Unknown admin key.');
  });
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
      summary: "A profile's timeline, newest first",
      security,
      params: z.object({ id: z.string().min(1).max(200) }),
      querystring: z.object({
        limit: z.coerce.number().int().min(1).max(1000).default(50),
        before: z.iso.datetime({ offset: true }).optional().describe('Only events before this time'),
        cursor: z.string().max(500).optional().describe('The nextCursor of the previous page'),
      }),
      response: { 200: TimelineView, ...errors },
    },
    handler: async (req) => {
      const res = await deps.profiles.timeline(ProfileId(req.params.id), {
        limit: req.query.limit,
        before: req.query.before ? new Date(req.query.before) : undefined,
        cursor: req.query.cursor,
      });
      if (!res.ok) throw new AppError(res.error.code, res.error.message);
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
