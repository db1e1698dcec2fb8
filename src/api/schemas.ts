import { z } from 'zod';
import { ErrorBody } from '../ingest/schemas.js';
import { ProfileView, StatsView, TimelineView } from '../profiles/views.js';

/**
 * Request and response shapes of the management API. One schema gives the TypeScript type, the validation or
 * response allow-list, and the OpenAPI document; the dashboard (web/) imports the types from here, so this module
 * must stay free of server code (zod only).
 */

export { ErrorBody, ProfileView, StatsView, TimelineView };

export const QuarantineItem = z.object({
  id: z.string(),
  receivedAt: z.string(),
  sourceId: z.string(),
  code: z.string(),
  message: z.string(),
  path: z.string().nullable(),
  messageId: z.string().nullable(),
  raw: z.string().describe('The event (or request body) exactly as received.'),
  status: z.enum(['pending', 'replayed']),
  replayCount: z.number(),
  lastReplayAt: z.string().nullable(),
});

export const QuarantinePage = z.object({ total: z.number(), items: z.array(QuarantineItem) });

export const ReplayResult = z.object({
  replayed: z.number(),
  stillRejected: z.number(),
  duplicates: z.number(),
  results: z.array(
    z.object({
      id: z.string(),
      outcome: z.enum(['accepted', 'duplicate', 'rejected']),
      code: z.string().optional(),
      message: z.string().optional(),
    }),
  ),
});

export const Definition = z
  .union([z.string().min(1).max(20_000), z.record(z.string(), z.unknown())])
  .describe('The text form (see docs/segments.md) or the AST as JSON.');

export const SegmentBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  definition: Definition.optional().describe('Omit for a manual list, whose members are uploaded.'),
});

export const SegmentView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  kind: z.enum(['rule', 'manual']),
  text: z.string().nullable().describe('The definition in the text form (null for manual lists).'),
  definition: z.unknown().describe('The definition as an AST (null for manual lists).'),
  size: z.number().int().optional().describe('Current number of members.'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ChangeView = z.object({
  seq: z.number().int(),
  segmentId: z.string(),
  profileId: z.string(),
  change: z.enum(['entered', 'exited']),
  at: z.string(),
  reason: z.unknown().describe('What caused it: trigger (event, time, merge, ...) and the conditions that flipped.'),
});

export const ChangesPage = z.object({
  cursor: z.string().describe('Pass as `since` to continue after the last change of this page.'),
  changes: z.array(ChangeView),
});

export const ExplainNodeView: z.ZodType<unknown> = z.lazy(() =>
  z.object({
    kind: z.string().describe('The node kind: and, or, not, compare, between, in, exists, within, for, in_segment, random_bucket.'),
    condition: z.string(),
    result: z.boolean(),
    value: z.unknown().optional().describe('The operand value; personal traits show "(personal data)".'),
    children: z.array(ExplainNodeView).optional(),
  }),
);

export const UpdateBody = SegmentBody.partial();

export const SegmentList = z.object({ items: z.array(SegmentView) });

export const PreviewView = z.object({ size: z.number().int(), sample: z.array(z.string()), at: z.string(), text: z.string() });

export const MembersPage = z.object({
  items: z.array(z.object({ profileId: z.string(), since: z.string() })),
  nextCursor: z.string().nullable(),
});

export const UploadResult = z.object({ added: z.number().int(), removed: z.number().int(), unknown: z.number().int() });

export const HistoryView = z.object({
  days: z.array(z.object({ day: z.string(), entered: z.number().int(), exited: z.number().int(), size: z.number().int() })),
});

export const VerifyView = z.object({
  at: z.string(),
  live: z.number().int(),
  recomputed: z.number().int(),
  onlyLive: z.array(z.string()),
  onlyRecomputed: z.array(z.string()),
});

export const ExplainView = z.object({ segment: SegmentView, member: z.boolean(), at: z.string(), tree: ExplainNodeView.nullable() });

export const RfmRunView = z.object({
  at: z.string(),
  windowDays: z.number(),
  customers: z.number().int(),
  changed: z.number().int(),
  segments: z.record(z.string(), z.number().int()),
});

