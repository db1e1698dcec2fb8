import { z } from 'zod';

/** Response shapes of the profile API: one schema gives the type, the response allow-list and the OpenAPI doc. */

const JsonRecord = z.record(z.string(), z.unknown());

export const IdentityView = z.object({
  kind: z.enum(['user_id', 'anonymous_id', 'email']),
  value: z.string().describe('The identifier; emails are SHA-256 of the trimmed lower-cased address.'),
  firstSeen: z.string(),
});

export const AccountView = z.object({
  id: z.string(),
  traits: JsonRecord,
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** One row of the identity audit log: a merge, a refused merge or link, an unmerge. */
export const IdentityAuditEntry = z.object({
  at: z.string(),
  action: z.enum(['merge', 'merge_refused', 'link_refused', 'unmerge']),
  profileId: z.string(),
  otherProfileId: z.string().nullable(),
  ids: z.array(z.string()),
  reason: z.string(),
  actor: z.string(),
  messageId: z.string().nullable(),
});

export const ProfileView = z.object({
  id: z.string(),
  /** Set when the id asked for was merged into this profile. */
  mergedFrom: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  traits: JsonRecord.describe('Non-personal traits.'),
  personal: JsonRecord.describe('Personal data from the PII vault (email, phone, names, address, birth date...).'),
  identities: z.array(IdentityView),
  accounts: z.array(AccountView),
  events: z.object({ total: z.number(), byType: z.record(z.string(), z.number()) }),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  merges: z.array(IdentityAuditEntry),
  segments: z
    .array(z.object({ id: z.string(), name: z.string(), since: z.string() }))
    .optional()
    .describe('Segments the profile is a member of, with the time it entered.'),
  scores: JsonRecord.optional().describe('Engagement score and tier, RFM scores and segment.'),
  computed: JsonRecord.optional().describe('Computed traits (orders_30d, revenue_total, days_since_last_order, ...).'),
});
export type ProfileView = z.infer<typeof ProfileView>;

export const EventViewSchema = z.object({
  messageId: z.string(),
  sourceId: z.string(),
  type: z.enum(['identify', 'track', 'page', 'screen', 'group', 'alias']),
  event: z.string().nullable(),
  userId: z.string().nullable(),
  anonymousId: z.string().nullable(),
  groupId: z.string().nullable(),
  timestamp: z.string(),
  originalTimestamp: z.string().nullable(),
  sentAt: z.string().nullable(),
  receivedAt: z.string(),
  messageIdGenerated: z.boolean(),
  properties: JsonRecord,
  traits: JsonRecord,
  context: JsonRecord,
  integrations: JsonRecord,
  extra: JsonRecord,
});

export const TimelineView = z.object({
  profileId: z.string(),
  events: z.array(EventViewSchema),
  /** Pass as `cursor` to read the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type TimelineView = z.infer<typeof TimelineView>;

export const StatsView = z.object({
  profiles: z.number(),
  events: z.number(),
  quarantined: z.number(),
  duplicates: z.number(),
  accounts: z.number(),
});
