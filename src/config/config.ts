import { z } from 'zod';

/** Identifier values that never link profiles: SDK placeholders and bugs that would collapse thousands of people. */
export const DEFAULT_BLOCKED_IDENTIFIERS = [
  '',
  'null',
  'undefined',
  'nil',
  'none',
  'anonymous',
  'unknown',
  'n/a',
  '0',
  '-1',
  '00000000-0000-0000-0000-000000000000',
  '[object object]',
] as const;

/** Traits that are personal data and live in the PII vault, never in behaviour tables (extend with `piiTraits`). */
export const DEFAULT_PII_TRAITS = [
  'email',
  'phone',
  'mobile',
  'name',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
  'username',
  'address',
  'street',
  'birthday',
  'birthDate',
  'birth_date',
  'dateOfBirth',
  'date_of_birth',
] as const;

export const Limits = z.object({
  maxEventBytes: z.number().int().positive().default(32 * 1024),
  maxBatchBytes: z.number().int().positive().default(500 * 1024),
  /**
   * A body over maxBatchBytes is still read up to this size and kept in quarantine (answered 413, which SDKs do
   * not retry), so it can be replayed; only bodies past this hard cap are refused unread.
   */
  maxKeptBodyBytes: z.number().int().positive().default(8 * 1024 * 1024),
  /** Largest file POST /api/imports/upload accepts (default 2 GiB); the file is streamed to disk, not held in memory. */
  maxUploadBytes: z.number().int().positive().default(2 * 1024 * 1024 * 1024),
  maxBatchEvents: z.number().int().positive().default(2500),
  maxMessageIdLength: z.number().int().positive().default(100),
  maxDepth: z.number().int().positive().default(16),
  maxKeys: z.number().int().positive().default(1000),
});
export type Limits = z.infer<typeof Limits>;

export const IdentityConfig = z.object({
  /** Compared case-insensitively after trimming; a value matching any of them is ignored for identity. */
  blockedValues: z.array(z.string()).default([...DEFAULT_BLOCKED_IDENTIFIERS]),
  /** Added to blockedValues: the usual way to block a site's own placeholder without restating the defaults. */
  extraBlockedValues: z.array(z.string()).default([]),
  /** How many distinct ids of each kind one profile may hold; user_id is always 1. */
  maxIdsPerKind: z
    .object({ anonymous_id: z.number().int().positive().default(5), email: z.number().int().positive().default(5) })
    .default({ anonymous_id: 5, email: 5 }),
  /** Whether a trait's email links profiles as an identifier (hashed in the identity table). */
  linkByEmail: z.boolean().default(true),
  /** most_recent: each trait keeps its latest value; first_seen: each trait keeps its first value. */
  traitMergeRule: z.enum(['most_recent', 'first_seen']).default('most_recent'),
  /**
   * How a merge combines one trait the two profiles both hold, by trait name (others follow traitMergeRule):
   * most_recent, oldest, non_empty (the most recent value that is not null, "", [] or {}), sum (numbers), union
   * (lists, without repeats). Identify calls still set traits by traitMergeRule.
   */
  traitStrategies: z.record(z.string().min(1), z.enum(['most_recent', 'oldest', 'non_empty', 'sum', 'union'])).default({}),
  /** Matching profiles (`segmentum identity match`): who merges at once, who goes to the review queue. */
  matching: z
    .object({
      /** Pairs at or above this match probability merge without review. */
      autoMergeAt: z.number().min(0).max(1).default(0.99),
      /** Pairs from this probability up to autoMergeAt wait in the review queue. */
      reviewAt: z.number().min(0).max(1).default(0.8),
      /**
       * Trait name -> matcher role (given_name, surname, date_of_birth, email, phone, postcode, suburb, address_1...),
       * for traits whose names are not recognised (firstName, last_name, birthday, postalCode, city... are).
       */
      traits: z.record(z.string().min(1), z.string().min(1)).default({}),
    })
    .refine((m) => m.reviewAt <= m.autoMergeAt, { message: 'reviewAt must not be above autoMergeAt' })
    .default({ autoMergeAt: 0.99, reviewAt: 0.8, traits: {} }),
});
export type IdentityConfig = z.infer<typeof IdentityConfig>;

export const CommitConfig = z.object({
  /** Events waiting for a commit before new requests get 503 + Retry-After. */
  maxQueuedEvents: z.number().int().positive().default(200_000),
  /** Largest number of events written in one transaction. */
  maxEventsPerCommit: z.number().int().positive().default(25_000),
});
export type CommitConfig = z.infer<typeof CommitConfig>;

const EngagementConfig = z.object({
  /** Points per event name. Defaults: +10 open, +20 click, -15 unsubscribe. */
  rules: z
    .array(z.object({ event: z.string().min(1), points: z.number().finite() }))
    .default([
      { event: 'Email Opened', points: 10 },
      { event: 'Email Link Clicked', points: 20 },
      { event: 'Unsubscribed', points: -15 },
    ]),
  halfLifeDays: z.number().positive().default(30),
  /** Every full period this long without any event costs `inactivityPenalty` points. */
  inactivityDays: z.number().positive().default(30),
  inactivityPenalty: z.number().nonnegative().default(5),
});

const RfmConfig = z.object({
  windowDays: z.number().int().positive().default(365),
  orderEvent: z.string().min(1).default('Order Completed'),
  revenueProperty: z.string().min(1).default('revenue'),
  /** Hours between automatic recomputations (0: only on demand). */
  everyHours: z.number().nonnegative().default(24),
});

const ModelsConfig = z.object({
  /** Hours between rescoring every profile with the latest version of each model and clustering (0: only on demand). */
  everyHours: z.number().nonnegative().default(24),
  /** Seconds between live passes that give profiles with new events their cluster again (0: off). */
  liveSeconds: z.number().nonnegative().default(5),
});

export const ScoringConfig = z.object({
  engagement: EngagementConfig.default(EngagementConfig.parse({})),
  rfm: RfmConfig.default(RfmConfig.parse({})),
  models: ModelsConfig.default(ModelsConfig.parse({})),
});
export type ScoringConfig = z.infer<typeof ScoringConfig>;

const TraitName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'A name of letters, digits and _ (computed.NAME).');

/**
 * A computed trait of the deployment: an event aggregate written in the segment language (usable in definitions
 * as computed.NAME), or the most frequent value of a property (shown on profiles).
 */
export const ComputedTraitConfig = z.union([
  z.object({ name: TraitName, definition: z.string().min(1).max(2000) }).strict(),
  z
    .object({
      name: TraitName,
      mostFrequent: z.object({ event: z.string().min(1), property: z.string().min(1), withinDays: z.number().int().positive().optional() }).strict(),
    })
    .strict(),
]);
export type ComputedTraitConfig = z.infer<typeof ComputedTraitConfig>;

/** The data-quality report (`segmentum quality`, GET /api/quality): which rules and checks it applies. */
export const QualityConfig = z.object({
  /**
   * Validation rules over profiles (docs/validation-rules.md), checked by parseRules when Segmentum starts. Default:
   * the rules for French customers written over Segment's reserved traits (birthday, email, phone, address).
   */
  rules: z.array(z.unknown()).optional(),
  /** Trait path -> normaliser spec (docs/normalisation.md): a present value the normaliser refuses counts as invalid. */
  fields: z.record(z.string().min(1), z.unknown()).optional(),
  /** The fields a profile's completeness score counts (dotted paths into traits and personal data). */
  completenessFields: z
    .array(z.string().min(1))
    .min(1)
    .default(['email', 'phone', 'firstName', 'lastName', 'birthday', 'address.postalCode', 'address.city']),
  /** GET /api/quality answers with the latest stored report when younger than this; otherwise it computes one. */
  maxAgeMinutes: z.number().min(0).default(60),
});
export type QualityConfig = z.infer<typeof QualityConfig>;

export const Config = z.object({
  /** Database file, or ':memory:' for a throw-away store. */
  db: z.string().min(1).default('./segmentum-data/segmentum.duckdb'),
  /**
   * Memory DuckDB may use for its cache and queries (it spills to disk beyond). Bounded by default so the process's
   * footprint stays predictable next to the live segment state, which lives in the JavaScript heap.
   */
  dbMemoryLimit: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'A size such as 512MB or 2GB.')
    .default('1GB'),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8787),
  writeKey: z.string().min(8).optional(),
  adminKey: z.string().min(8).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  limits: Limits.default(Limits.parse({})),
  identity: IdentityConfig.default(IdentityConfig.parse({})),
  quality: QualityConfig.default(QualityConfig.parse({})),
  commit: CommitConfig.default(CommitConfig.parse({})),
  scoring: ScoringConfig.default(ScoringConfig.parse({})),
  computedTraits: z.array(ComputedTraitConfig).default([]),
  piiTraits: z.array(z.string()).default([]),
  /**
   * Normalisers for the traits of tracking calls (identify traits and context.traits), by trait name: the same specs
   * as import mappings (docs/normalisation.md). onInvalid: keep the value as sent (default), drop it, or reject the
   * event (quarantined with the normaliser's code).
   */
  traitNormalisers: z
    .record(z.string().min(1), z.object({ normalise: z.unknown(), onInvalid: z.enum(['keep', 'drop', 'reject']).default('keep') }).strict())
    .default({}),
  dedupWindowDays: z.number().positive().default(7),
  /**
   * Trust X-Forwarded-For for the client IP (context.ip) only behind a proxy you run; otherwise any client could
   * claim any address.
   */
  trustProxy: z.boolean().default(false),
  /** Below this many free bytes on the database's disk /readyz answers 503. */
  minFreeDiskBytes: z.number().int().nonnegative().default(100 * 1024 * 1024),
});
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;

/** Parses options (flags merged over environment) once, at the edge. */
export function parseConfig(input: ConfigInput): Config {
  return Config.parse(input);
}

/** Reads the SEGMENTUM_* environment variables that map onto options. */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const out: ConfigInput = {};
  if (env.SEGMENTUM_DB) out.db = env.SEGMENTUM_DB;
  if (env.SEGMENTUM_WRITE_KEY) out.writeKey = env.SEGMENTUM_WRITE_KEY;
  if (env.SEGMENTUM_ADMIN_KEY) out.adminKey = env.SEGMENTUM_ADMIN_KEY;
  if (env.SEGMENTUM_HOST) out.host = env.SEGMENTUM_HOST;
  if (env.SEGMENTUM_PORT) out.port = Number(env.SEGMENTUM_PORT);
  // Checked by Config.parse like every other value; the enum is not repeated here.
  if (env.SEGMENTUM_LOG_LEVEL) Object.assign(out, { logLevel: env.SEGMENTUM_LOG_LEVEL });
  return out;
}
