import { z } from 'zod';

/**
 * The Segment tracking spec as zod schemas: they validate each event, give the static types, and document the
 * tracking API in /openapi.json. Unknown top-level fields are kept (in the event's `extra`), never dropped.
 */

const JsonObject = z.record(z.string(), z.unknown());
/** Segment SDKs send numeric ids too; they are stored as text. */
const Id = z.union([z.string(), z.number().finite()]).transform((v) => String(v));
const Timestamp = z.union([z.string(), z.number()]).describe('ISO 8601 date-time');

const common = {
  messageId: Id.optional().describe('Unique per source; filled by the server when absent (and said so in the response).'),
  userId: Id.nullish(),
  anonymousId: Id.nullish(),
  timestamp: Timestamp.nullish(),
  originalTimestamp: Timestamp.nullish(),
  sentAt: Timestamp.nullish(),
  context: JsonObject.nullish(),
  integrations: JsonObject.nullish(),
  writeKey: z.string().optional(),
};

export const IdentifyMessage = z.looseObject({ ...common, type: z.literal('identify'), traits: JsonObject.nullish() });
export const TrackMessage = z.looseObject({
  ...common,
  type: z.literal('track'),
  event: z.string().min(1, 'track needs a non-empty `event` name').max(500),
  properties: JsonObject.nullish(),
});
export const PageMessage = z.looseObject({
  ...common,
  type: z.literal('page'),
  name: z.string().max(500).nullish(),
  category: z.string().max(500).nullish(),
  properties: JsonObject.nullish(),
});
export const ScreenMessage = z.looseObject({
  ...common,
  type: z.literal('screen'),
  name: z.string().max(500).nullish(),
  category: z.string().max(500).nullish(),
  properties: JsonObject.nullish(),
});
export const GroupMessage = z.looseObject({
  ...common,
  type: z.literal('group'),
  groupId: Id.refine((v) => v.trim().length > 0, 'group needs a non-empty `groupId`'),
  traits: JsonObject.nullish(),
});
export const AliasMessage = z.looseObject({
  ...common,
  type: z.literal('alias'),
  previousId: Id.refine((v) => v.trim().length > 0, 'alias needs a non-empty `previousId`'),
});

export const SegmentMessage = z.discriminatedUnion('type', [
  IdentifyMessage,
  TrackMessage,
  PageMessage,
  ScreenMessage,
  GroupMessage,
  AliasMessage,
]);
export type SegmentMessage = z.infer<typeof SegmentMessage>;

export const MESSAGE_SCHEMAS = {
  identify: IdentifyMessage,
  track: TrackMessage,
  page: PageMessage,
  screen: ScreenMessage,
  group: GroupMessage,
  alias: AliasMessage,
} as const;
export type MessageType = keyof typeof MESSAGE_SCHEMAS;
export const MESSAGE_TYPES = Object.keys(MESSAGE_SCHEMAS) as MessageType[];

/** Fields every message may carry, known to the spec: anything else is kept as `extra`. */
export const KNOWN_FIELDS = new Set([
  'type',
  'messageId',
  'userId',
  'anonymousId',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'receivedAt',
  'context',
  'integrations',
  'writeKey',
  'traits',
  'event',
  'properties',
  'name',
  'category',
  'groupId',
  'previousId',
]);

export const BatchBody = z.looseObject({
  batch: z.array(z.unknown()).describe('The events; each is checked on its own.'),
  context: JsonObject.optional().describe('Merged into each event context (the event wins).'),
  integrations: JsonObject.optional(),
  sentAt: Timestamp.optional(),
  writeKey: z.string().optional(),
});

export const Rejection = z.object({
  index: z.number().int().describe('Position of the event in the batch (0 for single-event calls).'),
  messageId: z.string().nullable(),
  code: z.string().describe('Stable error code, see docs/errors.md.'),
  message: z.string(),
  path: z.string().nullable().describe('Where in the event, as a dotted path.'),
  quarantineId: z.string().describe('Where the raw event is kept for replay.'),
});
export type Rejection = z.infer<typeof Rejection>;

export const IngestResponse = z.object({
  ok: z.boolean().describe('True when every event was accepted or was a duplicate.'),
  received: z.number().int(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(Rejection),
  generatedMessageIds: z
    .array(z.object({ index: z.number().int(), messageId: z.string() }))
    .describe('Events that came without a messageId, and the one the server gave them.'),
});
export type IngestResponse = z.infer<typeof IngestResponse>;

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    hint: z.string(),
    path: z.string().optional(),
    quarantineId: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional().describe('Specifics, such as the line and column of a parse error.'),
  }),
});
