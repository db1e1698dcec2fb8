import type { AccountId, ProfileId, QuarantineId, SourceId } from '../kernel/index.js';

/**
 * The storage port. Domains talk to these interfaces; only adapters under store/ know the database. Everything a
 * commit writes arrives in one CommitBatch and lands in one transaction, so an acknowledged event is durable together
 * with the identity and profile changes it caused.
 */

export type IdentityKind = 'user_id' | 'anonymous_id' | 'email';
export type EventType = 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias';

export interface EventRow {
  messageId: string;
  sourceId: SourceId;
  profileId: ProfileId;
  type: EventType;
  /** Track event name, or page/screen name. */
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  groupId: string | null;
  timestamp: Date;
  originalTimestamp: Date | null;
  sentAt: Date | null;
  receivedAt: Date;
  messageIdGenerated: boolean;
  /**
   * The profile the event was first resolved to, kept when a merge moves the event to the surviving profile so an
   * unmerge can send it back. Defaults to profileId.
   */
  originProfileId?: ProfileId | undefined;
  /** Personal data already moved to the vault. */
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  integrations: Record<string, unknown>;
  /** Top-level fields outside the Segment spec, kept rather than dropped. */
  extra: Record<string, unknown>;
}

export type QuarantineStatus = 'pending' | 'replayed';

export interface QuarantineRow {
  id: QuarantineId;
  receivedAt: Date;
  sourceId: SourceId;
  code: string;
  message: string;
  path: string | null;
  messageId: string | null;
  /** The event (or the whole body when it did not parse) exactly as received. */
  raw: string;
}

export interface QuarantineEntry extends QuarantineRow {
  status: QuarantineStatus;
  replayCount: number;
  lastReplayAt: Date | null;
}

export interface QuarantineUpdate {
  id: QuarantineId;
  status: QuarantineStatus;
  code: string;
  message: string;
  path: string | null;
  at: Date;
}

/** Per-key values with the time each was last set, so merges can keep the most recent value of each trait. */
export interface TraitState {
  values: Record<string, unknown>;
  times: Record<string, string>;
}

export interface ProfileRow {
  profileId: ProfileId;
  createdAt: Date;
  updatedAt: Date;
  mergedInto: ProfileId | null;
  traits: TraitState;
  pii: TraitState;
}

export interface AccountRow {
  accountId: AccountId;
  createdAt: Date;
  updatedAt: Date;
  traits: TraitState;
}

export interface IdentityLinkRow {
  kind: IdentityKind;
  value: string;
  profileId: ProfileId;
  at: Date;
}

export type IdentityAuditAction = 'merge' | 'merge_refused' | 'link_refused' | 'unmerge';

export interface IdentityAuditRow {
  at: Date;
  action: IdentityAuditAction;
  profileId: ProfileId;
  otherProfileId: ProfileId | null;
  /** The identifiers involved, as `kind:value` (emails hashed). */
  ids: string[];
  reason: string;
  /** Who caused it: `source:<id>` for tracking calls, `admin` for API calls. */
  actor: string;
  messageId: string | null;
}

/** What caused a merge: one event's identifiers (identify, alias...), an administrator, or an accepted match. */
export type MergeCause = 'event' | 'manual' | 'match';

export interface MergeRow {
  winner: ProfileId;
  loser: ProfileId;
  cause: MergeCause;
  /** Why, for the audit: the identifiers the two profiles shared, a match's probability and field agreement... */
  evidence: Record<string, unknown>;
  /** The loser's identifiers at the moment of the merge: an unmerge gives them back. */
  loserIds: { kind: IdentityKind; value: string }[];
  winnerIds: { kind: IdentityKind; value: string }[];
  actor: string;
  messageId: string | null;
}

/** A profile as it stood just before a merge: what an unmerge rebuilds from. */
export interface ProfileSnapshot {
  createdAt: string;
  traits: TraitState;
  /** Held in the vault side (merge_pii_snapshots), never with the edge. */
  pii: TraitState;
  identities: { kind: IdentityKind; value: string }[];
}

export type MergeStatus = 'active' | 'undone';

/** One edge of the identity graph: a merge with its evidence and the two sides as they were. */
export interface MergeEdgeRow {
  mergeId: string;
  at: Date;
  winner: ProfileId;
  loser: ProfileId;
  cause: MergeCause;
  evidence: Record<string, unknown>;
  actor: string;
  messageId: string | null;
  winnerBefore: ProfileSnapshot;
  loserBefore: ProfileSnapshot;
  status: MergeStatus;
  undoneAt: Date | null;
  undoneBy: string | null;
}

/** Everything an unmerge writes, in one transaction. */
export interface UnmergePlan {
  mergeId: string;
  at: Date;
  actor: string;
  /** The live profile being split. */
  survivor: ProfileId;
  /** The profile given back its own life. */
  restored: ProfileId;
  /** Profiles whose events return to `restored` (the loser and every profile merged into it before). */
  restoredTree: ProfileId[];
  /** Events received after this instant also return when their userId (or, lacking one, anonymousId) is the restored side's. */
  mergedAt: Date;
  restoredUserIds: string[];
  restoredAnonymousIds: string[];
  /** Identifiers handed back to `restored`. */
  identities: { kind: IdentityKind; value: string }[];
  profiles: ProfileRow[];
  audit: IdentityAuditRow[];
}

export interface CommitBatch {
  events: EventRow[];
  quarantine: QuarantineRow[];
  quarantineUpdates: QuarantineUpdate[];
  identityLinks: IdentityLinkRow[];
  /** Applied in order: events, identities and memberships of the loser move to the winner. */
  merges: MergeRow[];
  /** One recorded edge per merge, with both sides as they were before it. */
  mergeEdges?: MergeEdgeRow[] | undefined;
  /** Full replacement rows for every profile created or changed in the batch. */
  profiles: ProfileRow[];
  accounts: AccountRow[];
  memberships: { accountId: AccountId; profileId: ProfileId; at: Date }[];
  audit: IdentityAuditRow[];
  duplicates: number;
  /** Segment definitions and membership changes decided for this batch (absent when no engine runs). */
  segments?: SegmentWrites | undefined;
}

export interface IdentitySnapshot {
  profiles: { profileId: ProfileId; createdAt: Date }[];
  links: { kind: IdentityKind; value: string; profileId: ProfileId }[];
  mergedInto: { loser: ProfileId; winner: ProfileId }[];
  /** Pairs split by an unmerge: events do not merge them again (an administrator still can). */
  blockedPairs: { a: ProfileId; b: ProfileId }[];
}

export interface EventView {
  messageId: string;
  sourceId: string;
  type: EventType;
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  groupId: string | null;
  timestamp: string;
  originalTimestamp: string | null;
  sentAt: string | null;
  receivedAt: string;
  messageIdGenerated: boolean;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  integrations: Record<string, unknown>;
  extra: Record<string, unknown>;
}

export interface ProfileActivity {
  firstSeen: string | null;
  lastSeen: string | null;
  eventCounts: Record<string, number>;
  total: number;
}

export interface Stats {
  profiles: number;
  events: number;
  quarantined: number;
  duplicates: number;
  accounts: number;
}

/** What a key may do: send events (track), read the management API (read), change through it (manage). */
export type KeyScope = 'track' | 'read' | 'manage';

export interface ApiKeyRow {
  keyId: string;
  keyHash: string;
  label: string;
  scopes: KeyScope[];
  createdAt: Date;
  revokedAt: Date | null;
  /** The key's first characters, for recognition; empty for a key stored before prefixes were (until given again). */
  prefix: string;
  /** The key itself, kept for track keys only (they are public in web pages); null for every other key. */
  plainKey: string | null;
}

/** An event with the profile it belongs to and its place in the receive order (`seq`, grows with each commit). */
export interface RecentEventRow extends EventView {
  seq: number;
  profileId: string;
}

/** The timeline filters of a profile: a call type, and a track event (or page/screen) name. */
export interface EventFilter {
  type?: EventType | undefined;
  event?: string | undefined;
}

export interface QuarantineQuery {
  status?: QuarantineStatus | undefined;
  code?: string | undefined;
  ids?: string[] | undefined;
  /** Only the rows a file import run refused. */
  importRunId?: string | undefined;
  limit: number;
  offset?: number | undefined;
}

/** Reads and writes of the ingest path. */
export interface IngestStore {
  /** Writes everything in one transaction; throws when the transaction could not commit. */
  commit(batch: CommitBatch): Promise<void>;
  loadProfiles(ids: readonly ProfileId[]): Promise<Map<ProfileId, ProfileRow>>;
  loadAccounts(ids: readonly AccountId[]): Promise<Map<AccountId, AccountRow>>;
  loadIdentitySnapshot(): Promise<IdentitySnapshot>;
  /** The (source, messageId) pairs received since `since`, to rebuild the dedup index on start. */
  loadRecentMessageIds(since: Date, each: (sourceId: string, messageId: string, receivedAt: Date) => void): Promise<void>;
}

export interface ProfileStore {
  /**
   * Runs `fn`'s reads in one read transaction, so they see one committed state (a profile's traits and its event
   * counts from the same moment). The reads inside must run one after another, not concurrently.
   */
  readSnapshot<T>(fn: () => Promise<T>): Promise<T>;
  getProfile(id: ProfileId): Promise<ProfileRow | null>;
  findProfileByIdentity(kind: IdentityKind, value: string): Promise<ProfileId | null>;
  identitiesOf(id: ProfileId): Promise<{ kind: IdentityKind; value: string; firstSeen: string }[]>;
  accountsOf(id: ProfileId): Promise<AccountRow[]>;
  activityOf(id: ProfileId): Promise<ProfileActivity>;
  /** Newest first, ordered by (timestamp desc, messageId); `after` continues from the last event of a page. */
  eventsOf(
    id: ProfileId,
    opts: { limit: number; before?: Date | undefined; after?: { timestamp: Date; messageId: string } | undefined } & EventFilter,
  ): Promise<EventView[]>;
  auditOf(id: ProfileId): Promise<IdentityAuditRow[]>;
  stats(): Promise<Stats>;
  /** Live (not merged) profiles that hold a user_id identity. */
  identifiedProfiles(): Promise<number>;
  /**
   * The newest `limit` events in receive order, newest first; with `afterSeq`, only events committed after that
   * one. Cheap at any table size: `seq` grows with the append order, so the scan skips all but the newest blocks.
   */
  recentEvents(opts: { afterSeq?: number | undefined; limit: number }): Promise<RecentEventRow[]>;
  /** Events received per minute in [from, to): minute start (epoch ms) and count, for minutes with events. */
  eventsPerMinute(from: Date, to: Date): Promise<{ minute: number; count: number }[]>;
  /** The most frequent track event names with a timestamp in [from, to], most frequent first (ties by name). */
  topEvents(from: Date, to: Date, limit: number): Promise<{ event: string; count: number }[]>;
  /** Each profile's user id (the first seen, when it holds several), for the profiles that have one. */
  userIdsOf(ids: readonly ProfileId[]): Promise<Map<ProfileId, string>>;
  /** Profiles holding any of these identifiers (emails hashed as the identity table holds them). */
  profilesWithIdentity(ids: readonly { kind: IdentityKind; value: string }[]): Promise<ProfileId[]>;
}

export interface QuarantineStore {
  listQuarantine(q: QuarantineQuery): Promise<{ total: number; items: QuarantineEntry[] }>;
  getQuarantine(id: QuarantineId): Promise<QuarantineEntry | null>;
}

export interface KeyStore {
  /** Every key, revoked ones included, oldest first. */
  listKeys(): Promise<ApiKeyRow[]>;
  insertKey(row: ApiKeyRow): Promise<void>;
  revokeKey(keyId: string, at: Date): Promise<void>;
  /** Fills in what a key stored before v3 lacked, once its text is known again: its prefix, and the text of a track key. */
  completeKey(keyId: string, fill: { prefix: string; plainKey: string | null }): Promise<void>;
}

export interface HealthStore {
  /** Runs a write that is rolled back: proves the database still accepts writes. */
  checkWritable(): Promise<void>;
}

export type ReviewStatus = 'pending' | 'accepted' | 'rejected';

/** A probable duplicate pair found by matching profiles, for a person to accept (merge) or reject. */
export interface ReviewPairRow {
  pairId: string;
  createdAt: Date;
  /** Ordered: a < b. */
  a: ProfileId;
  b: ProfileId;
  probability: number;
  /** Field agreement and weights (no values). */
  evidence: Record<string, unknown>;
  status: ReviewStatus;
  decidedAt: Date | null;
  decidedBy: string | null;
  mergeId: string | null;
}

/** The recorded merges, and what an unmerge reads and writes. */
export interface IdentityStore {
  /** Adds the pairs not already in the queue (whatever their status there); returns how many were added. */
  addReviewPairs(rows: readonly ReviewPairRow[]): Promise<number>;
  listReviewPairs(q: { status?: ReviewStatus | undefined; limit: number; offset?: number | undefined }): Promise<{ total: number; items: ReviewPairRow[] }>;
  getReviewPair(pairId: string): Promise<ReviewPairRow | null>;
  decideReviewPair(pairId: string, d: { status: Exclude<ReviewStatus, 'pending'>; at: Date; by: string; mergeId: string | null }): Promise<void>;
  getMergeEdge(mergeId: string): Promise<MergeEdgeRow | null>;
  /** Edges whose winner or loser is one of these profiles, oldest first. */
  mergeEdgesOf(ids: readonly ProfileId[]): Promise<MergeEdgeRow[]>;
  /** Active edges whose winner is one of these profiles, oldest first. */
  activeMergesInto(ids: readonly ProfileId[]): Promise<MergeEdgeRow[]>;
  /** Identify calls an unmerge will move to the restored profile and those staying: their traits, oldest first. */
  unmergeIdentifyTraits(plan: UnmergePlan): Promise<{ restored: { traits: Record<string, unknown>; at: Date }[]; survivor: { traits: Record<string, unknown>; at: Date }[] }>;
  /** Moves events, identities and account memberships back, rewrites both profiles, marks the edge undone. */
  applyUnmerge(plan: UnmergePlan): Promise<{ events: number }>;
}

/** Stored data-quality reports (the report itself is JSON, shaped by the quality domain). */
export interface QualityStore {
  saveQualityRun(row: { id: string; at: Date; report: unknown }): Promise<void>;
  /** Newest first. */
  qualityRuns(limit: number): Promise<{ id: string; at: Date; report: unknown }[]>;
}

/** What kind of analysis a registry entry holds. */
export type ModelKind = 'cluster' | 'propensity' | 'clv';

/** One version of a named model in the registry; spec, summary and model are JSON shaped by the scoring domain. */
export interface ModelRow {
  name: string;
  version: number;
  kind: ModelKind;
  createdAt: Date;
  spec: unknown;
  summary: unknown;
  model: unknown;
}

/** The versioned model registry: clustering runs, propensity models, CLV fits. */
export interface ModelStore {
  /** Stores a new version; `version` must be the next one for the name (the caller asks `latestModelVersion`). */
  saveModel(row: ModelRow): Promise<void>;
  /** 0 when the name has no version yet. */
  latestModelVersion(name: string): Promise<number>;
  /** The latest version of each name (all versions of one name with `name`), newest first, without the fitted model. */
  listModels(q: { kind?: ModelKind | undefined; name?: string | undefined }): Promise<Omit<ModelRow, 'model'>[]>;
  /** One version, or the latest when `version` is absent. */
  getModel(name: string, version?: number): Promise<ModelRow | null>;
  /** Replaces the summary of one version (a model's latest scoring run is kept in it). */
  updateModelSummary(name: string, version: number, summary: unknown): Promise<void>;
  /** Removes every version of a name; the number of versions removed. */
  deleteModel(name: string): Promise<number>;
}

export interface Store extends QualityStore, ModelStore, IngestStore, ProfileStore, QuarantineStore, KeyStore, HealthStore, SegmentStore, ImportStore, IdentityStore {
  readonly path: string;
  close(): Promise<void>;
}

// ------------------------------------------------------------------ imports

export type ImportRunStatus = 'running' | 'done' | 'failed';

/** One run of a file import, kept so that runs can be listed and their outcome read later. */
export interface ImportRunRow {
  id: string;
  /** The file as given (a path). */
  file: string;
  kind: 'customers' | 'events' | 'orders';
  sourceId: SourceId;
  format: string;
  encoding: string;
  delimiter: string | null;
  status: ImportRunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  rowsRead: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** Rejected rows by error code. */
  rejectedByCode: Record<string, number>;
  /** Net change in the number of live profiles over the run (new profiles less merged-away ones). */
  profileDelta: number;
  /** Why a failed run stopped. */
  error: string | null;
}

export interface ImportStore {
  /** Inserts or replaces the run with this id. */
  saveImportRun(row: ImportRunRow): Promise<void>;
  /** Newest first. */
  listImportRuns(q: { limit: number; offset?: number | undefined }): Promise<{ total: number; items: ImportRunRow[] }>;
  getImportRun(id: string): Promise<ImportRunRow | null>;
  /** Whether the source has an event received before `before` (older than the dedup window: then stored ids are checked). */
  hasEventsBefore(sourceId: SourceId, before: Date): Promise<boolean>;
  /** Which of these messageIds of a source are stored events. */
  storedMessageIds(sourceId: SourceId, messageIds: readonly string[]): Promise<Set<string>>;
  /** Which of these messageIds of a source have a pending quarantine row (so an import run again does not add another). */
  pendingQuarantineMessageIds(sourceId: SourceId, messageIds: readonly string[]): Promise<Set<string>>;
}

// ------------------------------------------------------------------ segments

/**
 * The database-specific pieces of SQL that the segment compiler assembles. Every argument is an expression the
 * compiler built from identifiers of this dialect and `$n` parameter placeholders: user text never reaches SQL.
 */
export interface SqlDialect {
  /** Table and column names, from this registry only. */
  readonly tables: {
    events: string;
    profiles: string;
    vault: string;
    scores: string;
    members: string;
  };
  /** A JSON value's number at a JSON pointer, or NULL when it is missing or not a number. */
  jsonNumber(json: string, pointer: string): string;
  /** A JSON value's string, or NULL when it is not a string. */
  jsonString(json: string, pointer: string): string;
  jsonBoolean(json: string, pointer: string): string;
  /** The instant held by a JSON string matching `pattern`, or NULL. */
  jsonDate(json: string, pointer: string, pattern: string): string;
  /** Whether the JSON value is present and not null. */
  jsonPresent(json: string, pointer: string): string;
  /** A text key unique per JSON scalar type and value (for distinct counts), or NULL for objects, arrays, null. */
  jsonDistinctKey(json: string, pointer: string): string;
  /** A timestamp parameter. */
  timestamp(param: string): string;
  /** The first 32 bits of MD5(text) as an unsigned number. */
  md5Bucket(text: string): string;
  /** Case-sensitive substring and prefix tests. */
  contains(haystack: string, needle: string): string;
  startsWith(haystack: string, prefix: string): string;
}

/** A query the segment compiler produced: SQL text built only from the dialect, and its bound values. */
export interface SqlQuery {
  sql: string;
  params: (string | number | boolean)[];
}

export type SegmentKind = 'rule' | 'manual';

export interface SegmentRow {
  segmentId: string;
  name: string;
  description: string;
  kind: SegmentKind;
  /** The AST (JSON) for rule segments; null for manual lists. */
  definition: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export type MembershipChangeKind = 'entered' | 'exited';

export interface MembershipChangeRow {
  seq: number;
  segmentId: string;
  profileId: ProfileId;
  change: MembershipChangeKind;
  at: Date;
  /** Why: which condition flipped, or what happened (merge, segment created, deleted). */
  reason: unknown;
}

export interface ScoreRow {
  profileId: ProfileId;
  scores: Record<string, unknown>;
  state: unknown;
  at: Date;
}

/**
 * Folds the logs into the current-state tables: net membership changes into segment_members (up to `membersSeq`),
 * the latest scores into profile_scores, and empties score_log. Done now and then, not with every commit: the
 * per-commit writes stay appends.
 */
export interface Compaction {
  members: { segmentId: string; profileId: ProfileId; since: Date | null }[];
  membersSeq: number;
  scores: ScoreRow[];
}

/** What the live segment engine writes with a commit, in the same transaction as the events that caused it. */
export interface SegmentWrites {
  upserts: SegmentRow[];
  deletes: string[];
  /** Appended to the change feed. */
  changes: MembershipChangeRow[];
  /** Appended to score_log, numbered in order. */
  scoreLog: (ScoreRow & { n: number })[];
  compaction: Compaction | null;
  /** The instant up to which the engine has evaluated time-driven changes. */
  watermark: Date;
}

export interface SegmentEngineState {
  watermark: Date | null;
  lastSeq: number;
  membersSeq: number;
}

/** Which events a scan returns: track calls by name and other calls by type (all when `kinds` is null), newer than `since`. */
export interface EventScanFilter {
  kinds: { trackEvents: string[]; callTypes: string[] } | null;
  since: Date | null;
  /** Only these profiles' events (all when absent). */
  profileIds?: ProfileId[] | undefined;
}

export interface SegmentStore {
  readonly dialect: SqlDialect;
  listSegments(): Promise<SegmentRow[]>;
  segmentEngineState(): Promise<SegmentEngineState>;
  /** Memberships as of the last compaction (`membersSeq`), for the live engine to start from. */
  loadMemberships(each: (segmentId: string, profileId: ProfileId, since: Date) => void): Promise<void>;
  /** Members ordered by profile id, after `after` when given. */
  membersPage(segmentId: string, opts: { after?: string | undefined; limit: number }): Promise<{ profileId: ProfileId; since: Date }[]>;
  changesSince(seq: number, limit: number, segmentId?: string): Promise<MembershipChangeRow[]>;
  /**
   * Per UTC day with changes since the segment began: entries, exits, and the size at the end of that day (the
   * running sum of the feed).
   */
  sizeHistory(segmentId: string): Promise<{ day: string; entered: number; exited: number; size: number }[]>;
  /**
   * The same running sum for every segment at once, over the UTC days from `from` (a day's start) to before `to`:
   * one row per segment and day with changes, ordered by day, where changes before `from` count in the row of `from`
   * (so the first row of a segment that existed before holds its size then). A day without a row kept the size of
   * the row before it; days before a segment's first row had no members.
   */
  dailySizes(from: Date, to: Date): Promise<{ segmentId: string; day: string; size: number }[]>;
  /** Runs a compiled segment query that selects `profile_id`; read only. */
  selectProfileIds(q: SqlQuery, opts: { limit?: number | undefined }): Promise<ProfileId[]>;
  countProfiles(q: SqlQuery): Promise<number>;
  /** Streams events (oldest first per profile is not promised) of non-merged profiles, filtered by `where`. */
  scanEvents(
    filter: EventScanFilter,
    each: (e: { profileId: ProfileId; type: string; event: string | null; ts: number; properties: Record<string, unknown> }) => void,
  ): Promise<void>;
  /** Current traits of live (not merged) profiles, with their PII vault part. */
  scanProfiles(each: (p: ProfileRow) => void): Promise<void>;
  /** Compacted scores, then the score log in order: the last row per profile is current. */
  scanScores(each: (r: ScoreRow) => void): Promise<void>;
  /** Every change after `seq`, in order (to replay onto the compacted members). */
  scanChanges(afterSeq: number, each: (c: MembershipChangeRow) => void): Promise<void>;
  /**
   * Per profile with at least one `event` in [from, to]: the last one's time, how many, and the sum of the numeric
   * values of `property` (JSON numbers only). The inputs of RFM scoring.
   */
  orderTotals(q: { event: string; property: string; from: Date; to: Date }): Promise<{ profileId: ProfileId; last: Date; count: number; total: number }[]>;
}
