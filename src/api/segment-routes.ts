import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ProfileId } from '../kernel/index.js';
import {
  ChangeView,
  ChangesPage,
  Definition,
  ErrorBody,
  ExplainView,
  HistoryView,
  MemberItem,
  MembersPage,
  MembersQuery,
  PreviewView,
  RfmRunView,
  SegmentBody,
  SegmentList,
  SegmentView,
  UpdateBody,
  UploadResult,
  VerifyView,
} from './schemas.js';
import type { SegmentError, SegmentMember, SegmentService } from '../segments/index.js';
import type { MembershipChangeRow } from '../store/index.js';
import type { RfmService } from '../scoring/index.js';

export interface SegmentDeps {
  segments: SegmentService;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const security = [{ adminKey: [] }];

/** A member as the API (and the CLI, either backend) shows it. */
export const memberView = (m: SegmentMember): z.infer<typeof MemberItem> => ({ profileId: m.profileId, since: m.since.toISOString(), userId: m.userId });

export const changeView = (c: MembershipChangeRow): z.infer<typeof ChangeView> => ({
  seq: c.seq,
  segmentId: c.segmentId,
  profileId: c.profileId,
  change: c.change,
  at: c.at.toISOString(),
  reason: c.reason,
});

/** A segment error as the HTTP surface reports it: the catalogue code, with its specifics in `details`. */
export function segmentFailure(e: SegmentError): AppError {
  switch (e.code) {
    case 'segments.parse_error':
      return new AppError(e.code, e.message, {
        path: 'definition',
        hint: e.hint || undefined,
        details: { line: e.line, column: e.column, offset: e.offset, expected: e.expected, found: e.found },
      });
    case 'segments.invalid_definition':
      return new AppError(e.code, e.message, { path: 'definition', details: { issues: e.issues } });
    case 'segments.unknown_reference':
      return new AppError(e.code, e.message, { path: 'definition', details: { names: e.names } });
    case 'segments.cycle':
      return new AppError(e.code, e.message, { path: 'definition', details: { cycle: e.cycle } });
    case 'segments.in_use':
      return new AppError(e.code, e.message, { details: { usedBy: e.usedBy } });
    default:
      return new AppError(e.code, e.message);
  }
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** The header of the members CSV: profile id, entry time, user id (empty when the profile has none). */
export const MEMBERS_CSV_HEADER = 'profile_id,since,user_id';

/** Every member (matching `q`, when given) as one CSV document, read in pages; the API and the CLI send the same. */
export async function membersCsv(s: SegmentService, ref: string, q?: string): Promise<string> {
  const lines = [MEMBERS_CSV_HEADER];
  let cursor: string | undefined;
  for (;;) {
    const page = await s.members(ref, { cursor, limit: 10_000, q });
    if (!page.ok) throw segmentFailure(page.error);
    for (const m of page.value.items) lines.push(`${csvCell(m.profileId)},${m.since.toISOString()},${m.userId === null ? '' : csvCell(m.userId)}`);
    if (page.value.nextCursor === null) break;
    cursor = page.value.nextCursor;
  }
  return `${lines.join('\n')}\n`;
}

/** Segments under /api/segments (admin key; the admin routes' hook applies). */
export async function segmentRoutes(app: FastifyInstance, deps: SegmentDeps): Promise<void> {
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const r = app.withTypeProvider<ZodTypeProvider>();
  const s = deps.segments;
  const unwrap = <T>(res: { ok: true; value: T } | { ok: false; error: SegmentError }): T => {
    if (!res.ok) throw segmentFailure(res.error);
    return res.value;
  };

  r.get('/api/segments', {
    schema: { tags: ['segments'], summary: 'Every segment with its current size', security, response: { 200: SegmentList, ...errors } },
    handler: async () => {
      const items = [];
      for (const x of s.list()) items.push({ ...x, size: await s.size(x.id) });
      return { items };
    },
  });

  r.post('/api/segments', {
    schema: {
      tags: ['segments'],
      summary: 'Create a segment; its members are computed over all history before this returns',
      security,
      body: SegmentBody,
      response: { 201: SegmentView, ...errors },
    },
    handler: async (req, reply) => {
      const seg = unwrap(await s.create(req.body));
      void reply.status(201);
      return { ...seg, size: await s.size(seg.id) };
    },
  });

  r.post('/api/segments/preview', {
    schema: {
      tags: ['segments'],
      summary: 'Size and a sample of members of a definition, without saving it',
      security,
      body: z.object({ definition: Definition, at: z.iso.datetime({ offset: true }).optional().describe('Evaluate at this instant (default now).') }),
      response: { 200: PreviewView, ...errors },
    },
    handler: async (req) => unwrap(await s.preview(req.body.definition, req.body.at ? new Date(req.body.at) : undefined)),
  });

  r.get('/api/segments/changes', {
    schema: {
      tags: ['segments'],
      summary: 'The durable, ordered feed of membership changes',
      security,
      querystring: z.object({
        since: z.coerce.number().int().min(0).default(0).describe('Cursor from the previous page (0 for the start).'),
        limit: z.coerce.number().int().min(1).max(10_000).default(1000),
        segment: z.string().optional().describe('Only this segment (id, or name of a current segment).'),
      }),
      response: { 200: ChangesPage, ...errors },
    },
    handler: async (req) => {
      const rows = await s.changes(req.query.since, req.query.limit, req.query.segment);
      const last = rows[rows.length - 1];
      return { cursor: String(last ? last.seq : req.query.since), changes: rows.map(changeView) };
    },
  });

  r.get('/api/segments/:id', {
    schema: { tags: ['segments'], summary: 'One segment (by id or name) with its current size', security, params: z.object({ id: z.string().min(1).max(200) }), response: { 200: SegmentView, ...errors } },
    handler: async (req) => {
      const seg = unwrap(s.get(req.params.id));
      return { ...seg, size: await s.size(seg.id) };
    },
  });

  r.put('/api/segments/:id', {
    schema: {
      tags: ['segments'],
      summary: 'Change a segment (fields left out are kept); members are recomputed and changes emitted',
      security,
      params: z.object({ id: z.string().min(1).max(200) }),
      body: UpdateBody,
      response: { 200: SegmentView, ...errors },
    },
    handler: async (req) => {
      const seg = unwrap(await s.update(req.params.id, req.body));
      return { ...seg, size: await s.size(seg.id) };
    },
  });

  r.delete('/api/segments/:id', {
    schema: { tags: ['segments'], summary: 'Delete a segment; its members exit', security, params: z.object({ id: z.string().min(1).max(200) }), response: { 200: SegmentView, ...errors } },
    handler: async (req) => ({ ...unwrap(await s.remove(req.params.id)), size: 0 }),
  });

  r.get('/api/segments/:id/members', {
    schema: {
      tags: ['segments'],
      summary: 'Members, ordered by profile id, a page at a time (or all as CSV with format=csv), optionally searched with q',
      security,
      params: z.object({ id: z.string().min(1).max(200) }),
      querystring: MembersQuery,
      response: {
        200: z.union([MembersPage, z.string()]),
        ...errors,
      },
    },
    handler: async (req, reply) => {
      if (req.query.format === 'csv') {
        const csv = await membersCsv(s, req.params.id, req.query.q);
        void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="segment-members.csv"`);
        return csv;
      }
      const page = unwrap(await s.members(req.params.id, { cursor: req.query.cursor, limit: req.query.limit, q: req.query.q }));
      return { items: page.items.map(memberView), nextCursor: page.nextCursor };
    },
  });

  r.put('/api/segments/:id/members', {
    schema: {
      tags: ['segments'],
      summary: 'Upload the members of a manual list: profile ids as JSON or as CSV (one id per line, header optional)',
      security,
      params: z.object({ id: z.string().min(1).max(200) }),
      querystring: z.object({ mode: z.enum(['replace', 'append']).default('replace') }),
      body: z.union([z.object({ profileIds: z.array(z.string().min(1).max(200)).max(1_000_000) }), z.string()]),
      response: { 200: UploadResult, ...errors },
    },
    handler: async (req) => {
      const ids =
        typeof req.body === 'string'
          ? req.body
              .split(/\r?\n/)
              .map((l) => (l.split(',')[0] ?? '').trim().replace(/^"|"$/g, ''))
              .filter((l) => l !== '' && l !== 'profile_id')
          : req.body.profileIds;
      return unwrap(await s.setMembers(req.params.id, ids.map(ProfileId), req.query.mode));
    },
  });

  r.get('/api/segments/:id/history', {
    schema: {
      tags: ['segments'],
      summary: 'Size over time: entries, exits and the size at the end of each UTC day with changes',
      security,
      params: z.object({ id: z.string().min(1).max(200) }),
      response: {
        200: HistoryView,
        ...errors,
      },
    },
    handler: async (req) => ({ days: unwrap(await s.history(req.params.id)) }),
  });

  r.post('/api/segments/:id/recompute', {
    schema: {
      tags: ['segments'],
      summary: 'Recompute the segment over all history in SQL and compare with the live members (first 100 differences)',
      security,
      params: z.object({ id: z.string().min(1).max(200) }),
      response: {
        200: VerifyView,
        ...errors,
      },
    },
    handler: async (req) => unwrap(await s.verify(req.params.id)),
  });

  r.get('/api/segments/:id/explain/:profileId', {
    schema: {
      tags: ['segments'],
      summary: 'Why a profile is in or out: each condition with its value and truth',
      security,
      params: z.object({ id: z.string().min(1).max(200), profileId: z.string().min(1).max(200) }),
      response: { 200: ExplainView, ...errors },
    },
    handler: async (req) => unwrap(s.explain(req.params.id, ProfileId(req.params.profileId))),
  });
}

export interface ScoreDeps {
  rfm: RfmService;
}

/** Scores under /api/scores (admin key). */
export async function scoreRoutes(app: FastifyInstance, deps: ScoreDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/api/scores/rfm/recompute', {
    schema: {
      tags: ['segments'],
      summary: 'Recompute RFM scores now (they are also recomputed on schedule); segments on rfm.* follow',
      security,
      body: z.object({ at: z.iso.datetime({ offset: true }).optional() }).optional(),
      response: { 200: RfmRunView, ...errors },
    },
    handler: async (req) => deps.rfm.recompute(req.body?.at ? new Date(req.body.at) : undefined),
  });
  r.get('/api/scores/rfm', {
    schema: { tags: ['segments'], summary: 'The last RFM recomputation: customers per RFM segment', security, response: { 200: RfmRunView.nullable(), ...errors } },
    handler: async () => deps.rfm.lastRun(),
  });
}
