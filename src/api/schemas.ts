import { z } from 'zod';
import { ErrorBody } from '../ingest/schemas.js';
import { EventViewSchema, IdentityAuditEntry, ProfileView, StatsView, TimelineView } from '../profiles/views.js';

/**
 * Request and response shapes of the management API. One schema gives the TypeScript type, the validation or
 * response allow-list, and the OpenAPI document; the dashboard (web/) imports the types from here, so this module
 * must stay free of server code (zod only).
 */

export { ErrorBody, EventViewSchema, ProfileView, StatsView, TimelineView };

const EventType = z.enum(['identify', 'track', 'page', 'screen', 'group', 'alias']);

export const ProfileEventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  before: z.iso.datetime({ offset: true }).optional().describe('Only events before this time'),
  cursor: z.string().max(500).optional().describe('The nextCursor of the previous page (with the same filters)'),
  type: EventType.optional().describe('Only events of this call type'),
  event: z.string().min(1).max(200).optional().describe('Only events with this exact name (track event, page or screen name)'),
});

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

export const MembersQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(100),
  format: z.enum(['json', 'csv']).default('json'),
  q: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Only members whose profile id contains this (any case), or whose userId, anonymousId or email is exactly this.'),
});

export const MemberItem = z.object({
  profileId: z.string(),
  since: z.string(),
  userId: z.string().nullable().describe("The profile's user id (the first seen when it has several), or null."),
});

export const MembersPage = z.object({
  items: z.array(MemberItem),
  nextCursor: z.string().nullable().describe('Pass as `cursor` (with the same q) for the next page; null on the last one.'),
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


// ------------------------------------------------------------------ dashboard: overview, trends, live events

export const TrendPoint = z.object({
  day: z.string().describe('A UTC day, YYYY-MM-DD.'),
  size: z.number().int().describe('Members at the end of that day (now, for today); 0 before the segment had any.'),
});

export const SegmentTrend = z.object({ id: z.string(), trend: z.array(TrendPoint).describe('Oldest day first, today last.') });

export const TrendsQuery = z.object({
  days: z.coerce.number().int().min(1).max(90).default(7).describe('How many UTC days, today included.'),
});

export const TrendsView = z.object({ items: z.array(SegmentTrend) });

export const OverviewView = z.object({
  at: z.string().describe('The instant the figures are for.'),
  profiles: z.number().int().describe('Profiles (merged-away ones not counted).'),
  identified: z.number().int().describe('Profiles with a userId.'),
  anonymous: z.number().int().describe('profiles - identified.'),
  events: z.number().int(),
  quarantined: z.number().int().describe('Quarantined events waiting for a replay.'),
  duplicates: z.number().int(),
  accounts: z.number().int(),
  eventsPerMinute: z
    .array(z.object({ minute: z.string().describe('Start of the UTC minute.'), count: z.number().int() }))
    .describe('Events received in each of the last 60 minutes (the current one last), zeros included.'),
  topEvents: z
    .array(z.object({ event: z.string(), count: z.number().int() }))
    .describe('The 10 most frequent track events with a timestamp in the last topEventsDays days.'),
  topEventsDays: z.number().int(),
  segments: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(['rule', 'manual']),
      size: z.number().int(),
      trend: z.array(TrendPoint).describe('Size at the end of each of the last 7 UTC days, today last.'),
    }),
  ),
});

export const RecentEventsQuery = z.object({
  after: z.string().max(100).optional().describe('The cursor of the previous answer: only events received since.'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const RecentEvent = EventViewSchema.extend({ profileId: z.string().nullable() });

export const RecentEventsView = z.object({
  events: z.array(RecentEvent).describe('Newest first.'),
  cursor: z.string().describe('Pass as `after` to get only newer events.'),
});

// ------------------------------------------------------------------ API keys

export const KeyScope = z.enum(['track', 'read', 'manage']);

export const KeyView = z.object({
  id: z.string(),
  label: z.string(),
  scopes: z.array(KeyScope),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  prefix: z
    .string()
    .describe('The first 7 characters of the key, to recognise it; empty for a key stored before scopes existed, until it is given again.'),
  key: z
    .string()
    .nullable()
    .describe('The full key: always for track keys (public by design), once at creation for others; null otherwise.'),
});

export const KeyList = z.object({ items: z.array(KeyView) });

export const KeyCreateBody = z.object({
  label: z.string().trim().min(1).max(100),
  scopes: z.array(KeyScope).min(1).describe('track alone, or read and/or manage (manage brings read).'),
});

export const KeyIdParams = z.object({ id: z.string().min(1).max(100) });

// ------------------------------------------------------------------ file imports

export const ImportKindSchema = z.enum(['customers', 'events', 'orders']);

export const ImportBody = z
  .object({
    path: z.string().min(1).max(1000).describe('The file, relative to the server\'s import folder (imports/ beside the database).'),
    as: ImportKindSchema.optional().describe('What the file holds; optional when the mapping says it.'),
    mapping: z.record(z.string(), z.unknown()).optional().describe('The mapping (docs/imports.md); absent: inferred from the file.'),
    source: z.string().max(50).optional().describe('Source name: rows are deduplicated per source (default "files").'),
    format: z.enum(['csv', 'json', 'ndjson', 'parquet']).optional(),
    delimiter: z.string().length(1).optional().describe('CSV delimiter; detected from the header line when absent.'),
    encoding: z.enum(['auto', 'utf-8', 'windows-1252']).optional(),
  })
  .strict();

/** The fields of a multipart upload besides the file (all text; mapping as JSON text). */
export const ImportUploadFields = ImportBody.omit({ path: true, mapping: true }).extend({
  mapping: z
    .string()
    .max(1_000_000)
    .optional()
    .describe('The mapping document as JSON text; absent: inferred from the file.'),
});

export const InferBody = ImportBody.pick({ path: true, format: true, delimiter: true, encoding: true }).extend({ as: ImportKindSchema });

export const InferView = z.object({
  mapping: z.record(z.string(), z.unknown()),
  format: z.string(),
  encoding: z.string(),
  delimiter: z.string().nullable(),
  columns: z.array(z.string()),
});

export const ImportSummaryView = z.object({
  id: z.string(),
  file: z.string(),
  kind: ImportKindSchema,
  source: z.string(),
  format: z.string(),
  encoding: z.string(),
  delimiter: z.string().nullable(),
  mapping: z.enum(['given', 'inferred']),
  rowsRead: z.number().int(),
  imported: z.number().int().describe('Rows stored as new events.'),
  duplicates: z.number().int().describe('Rows imported before from the same source, dropped.'),
  rejected: z.number().int().describe('Rows refused, each kept in quarantine.'),
  rejectedByCode: z.record(z.string(), z.number().int()),
  flaggedByCode: z.record(z.string(), z.number().int()).describe('Values the normalisers refused in imported rows, kept as written or dropped (onInvalid), by code.'),
  alreadyQuarantined: z.number().int().describe('Refused rows already in quarantine from an earlier run, not added again.'),
  profileDelta: z.number().int().describe('Live profiles after the run less before.'),
  seconds: z.number(),
  rowsPerSecond: z.number(),
});

export const ImportRunView = z.object({
  id: z.string(),
  file: z.string(),
  kind: ImportKindSchema,
  sourceId: z.string(),
  format: z.string(),
  encoding: z.string(),
  delimiter: z.string().nullable(),
  status: z.enum(['running', 'done', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  rowsRead: z.number().int(),
  imported: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  rejectedByCode: z.record(z.string(), z.number().int()),
  profileDelta: z.number().int(),
  error: z.string().nullable(),
});

export const ImportRunList = z.object({ total: z.number().int(), items: z.array(ImportRunView) });

export const ImportRunQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

// ------------------------------------------------------------------ identity graph

const IdentifierKind = z.enum(['user_id', 'anonymous_id', 'email']);

export const MergeEdgeView = z.object({
  id: z.string().describe('The merge id (mrg_...), to undo it.'),
  at: z.string(),
  survivor: z.string().describe('The profile that absorbed the other (the older one).'),
  merged: z.string().describe('The profile merged into it.'),
  cause: z.enum(['event', 'manual', 'match']).describe('One event carrying identifiers of both, an administrator, or an accepted match.'),
  evidence: z.record(z.string(), z.unknown()).describe('Why: the shared identifiers, or the match probability and field agreement, or the reason given.'),
  actor: z.string(),
  messageId: z.string().nullable().describe('The event that caused it, for cause event.'),
  mergedIdentities: z.array(z.string()).describe('Identifiers the merged profile brought (`kind:value`, emails hashed): an unmerge gives them back.'),
  status: z.enum(['active', 'undone']),
  undoneAt: z.string().nullable(),
  undoneBy: z.string().nullable(),
});

/** The audit rows as the profile view shows them. */
export const IdentityAuditView = IdentityAuditEntry;

export const IdentityView = z.object({
  profileId: z.string().describe('The live profile.'),
  mergedFrom: z.string().optional().describe('Set when the id asked for was merged into this profile.'),
  identities: z.array(z.object({ kind: IdentifierKind, value: z.string(), firstSeen: z.string() })),
  merges: z.array(MergeEdgeView).describe('Every merge this profile took part in, oldest first, undone ones included.'),
  audit: z.array(IdentityAuditView),
});

export const ProfileIdParams = z.object({ id: z.string().min(1).max(200) });
export const MergeIdParams = z.object({ mergeId: z.string().min(1).max(200) });

export const MergeBody = z.object({
  profileIds: z.tuple([z.string().min(1).max(200), z.string().min(1).max(200)]).describe('The two profiles; the older survives.'),
  reason: z.string().max(500).optional().describe('Kept with the merge and in the audit log.'),
});

export const UnmergeBody = z.object({ reason: z.string().max(500).optional() }).default({});

export const UnmergeView = z.object({
  mergeId: z.string(),
  survivor: z.string(),
  restored: z.string().describe('The profile given back its identifiers, events and traits.'),
  events: z.number().int().describe('Events moved back to the restored profile.'),
  identities: z.array(z.string()),
});

export const MatchRunBody = z
  .object({
    autoMergeAt: z.number().min(0).max(1).optional().describe('Pairs at or above this probability merge (default identity.matching.autoMergeAt, 0.99).'),
    reviewAt: z.number().min(0).max(1).optional().describe('Pairs from this probability wait in the review queue (default 0.8).'),
    dryRun: z.boolean().optional().describe('Find and count; change nothing.'),
  })
  .default({});

const MatchedPairView = z.object({ a: z.string(), b: z.string(), probability: z.number(), evidence: z.record(z.string(), z.unknown()) });

export const MatchRunView = z.object({
  profiles: z.number().int().describe('Live profiles with at least one field to compare.'),
  fields: z.array(z.string()).describe('The matcher roles found among the traits (given_name, surname, email...).'),
  candidatePairs: z.number().int(),
  autoMergeAt: z.number(),
  reviewAt: z.number(),
  autoPairs: z.number().int().describe('Pairs at or above autoMergeAt with enough evidence to merge unseen.'),
  demoted: z.number().int().describe('Pairs at or above autoMergeAt sent to review: no exact key shared and fewer than two identifying fields (names, birth date, email, phone, national id) agreeing.'),
  merged: z.number().int(),
  reviewPairs: z.number().int(),
  queued: z.number().int().describe('Pairs new to the review queue (a pair already there, decided or not, is not added again).'),
  refused: z.number().int().describe('Auto pairs whose merge the identifier limits refused.'),
  blocked: z.number().int().describe('Pairs an unmerge split, left apart.'),
  dryRun: z.boolean(),
  seconds: z.number(),
  examples: z.array(MatchedPairView),
});

export const ReviewPairView = z.object({
  id: z.string(),
  createdAt: z.string(),
  a: z.string(),
  b: z.string(),
  probability: z.number(),
  evidence: z.record(z.string(), z.unknown()).describe('Per field: agreement level and weight; the exact key shared, if any.'),
  status: z.enum(['pending', 'accepted', 'rejected']),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  mergeId: z.string().nullable(),
});

export const ReviewList = z.object({ total: z.number().int(), items: z.array(ReviewPairView) });

export const ReviewQuery = z.object({
  status: z.enum(['pending', 'accepted', 'rejected']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const ReviewDetailView = z.object({
  pair: ReviewPairView,
  records: z
    .object({ a: z.record(z.string(), z.string()), b: z.record(z.string(), z.string()) })
    .describe('The compared fields of both profiles as they are now, by matcher role.'),
});

export const PairIdParams = z.object({ pairId: z.string().min(1).max(200) });
export const ReviewDecisionBody = z.object({ decision: z.enum(['accept', 'reject']) });

// ------------------------------------------------------------------ data quality report

export const QualityReportView = z.object({
  id: z.string().describe('The run id (qr_...): each report computed is stored, for the trend.'),
  at: z.string(),
  profiles: z.number().int().describe('Live profiles.'),
  duplicates: z.object({
    exactPairs: z.number().int().describe('Pairs of live profiles sharing a normalised email or phone (SHA-256 of the normalised value).'),
    exactProfiles: z.number().int().describe('Profiles in at least one exact pair.'),
    exactRate: z.number().describe('exactProfiles / profiles.'),
    probablePairs: z.number().int().describe('Pairs waiting in the review queue (probable duplicates found by `identity match`).'),
    probableRate: z.number().describe('Profiles in a pending review pair / profiles.'),
  }),
  fields: z
    .array(
      z.object({
        field: z.string(),
        personal: z.boolean().describe('Held in the PII vault.'),
        present: z.number().int(),
        missing: z.number().int(),
        missingRate: z.number(),
        invalid: z.number().int().describe('Values present but refused by the field’s normaliser (email, phone, postal code, date...).'),
        invalidByCode: z.record(z.string(), z.number().int()),
      }),
    )
    .describe('Per trait seen on at least 1% of profiles (up to 50), most common first.'),
  violations: z
    .array(z.object({ rule: z.string(), code: z.string(), severity: z.enum(['reject', 'flag']), count: z.number().int() }))
    .describe('Validation rule violations over all profiles, by rule.'),
  outliers: z.array(z.object({ field: z.string(), method: z.enum(['iqr', 'zscore']), count: z.number().int(), low: z.number().nullable(), high: z.number().nullable() })),
  freshness: z.object({
    buckets: z.array(z.object({ label: z.enum(['<1d', '1-7d', '7-30d', '30-90d', '90-365d', '>365d']), count: z.number().int() })),
    medianDays: z.number().nullable().describe('Median time since a profile was last updated, in days.'),
  }),
  completeness: z.object({
    fields: z.array(z.string()).describe('The fields the score counts (identity.quality.completenessFields).'),
    mean: z.number().nullable(),
    histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number().int() })).describe('Ten bins of the per-profile score, 0 to 1.'),
  }),
  seconds: z.number(),
});

export const QualityTrendView = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      at: z.string(),
      profiles: z.number().int(),
      exactRate: z.number(),
      probableRate: z.number(),
      completeness: z.number().nullable(),
      violations: z.number().int(),
      invalid: z.number().int(),
    }),
  ),
});
