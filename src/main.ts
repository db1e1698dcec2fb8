import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger as PinoLogger } from 'pino';
import { KeyRing, type KnownKey } from './access/index.js';
import { buildServer, ServerMetrics } from './api/index.js';
import type { Config } from './config/index.js';
import { BlockList } from './identity/index.js';
import { EventNormalizer, GroupCommitter, IngestService } from './ingest/index.js';
import { ImportService } from './imports/index.js';
import { buildNormaliser, parseNormaliserSpec, QualityService } from './quality/index.js';
import type { TraitNormaliser } from './ingest/index.js';
import { AppError, silentLogger, systemClock, type Clock, type Logger, type ProfileId } from './kernel/index.js';
import { IdentityService, PiiKeys, ProfileService } from './profiles/index.js';
import { freeDiskBytes, openDuckDbStore, type Store } from './store/index.js';
import { DEFAULT_PII_TRAITS } from './config/index.js';
import { computedTraitsFrom, LiveEngine, SegmentService } from './segments/index.js';
import { ClusterService, ClvService, EngagementScorer, ModelService, RfmService } from './scoring/index.js';

/** A running Segmentum: the composition root's product, shared by the server, the CLI and the tests. */
export interface Segmentum {
  config: Config;
  app: FastifyInstance;
  ingest: IngestService;
  profiles: ProfileService;
  segments: SegmentService;
  engine: LiveEngine;
  rfm: RfmService;
  /** File imports (customers, events, orders) through the ingest path. */
  imports: ImportService;
  /** Merges and unmerges on demand, with their audit. */
  identity: IdentityService;
  /** The data-quality report and its trend. */
  quality: QualityService;
  /** CLV, clustering and propensity models on profiles, with the model registry. */
  analytics: { clv: ClvService; clusters: ClusterService; models: ModelService; refreshAll: () => Promise<void> };
  store: Store;
  /** Runs due segment timers now (virtual-time tests call it after moving the clock). */
  tick(): Promise<void>;
  /** Keys added on this start (given by flag/environment, or generated): the only time their text is known. */
  newKeys: KnownKey[];
  /** The API keys: checks, listing, creating, revoking. */
  keys: KeyRing;
  close(): Promise<void>;
}

export interface CreateOptions {
  clock?: Clock;
  /** A pino logger for the process, or false for silence (tests). */
  logger?: PinoLogger | false;
  /**
   * Keys printed on earlier starts (keys.json beside the database): not added, but a stored key among them gets its
   * prefix, and a write key its text, filled in if it was stored before they were kept.
   */
  rememberedKeys?: readonly string[] | undefined;
  /**
   * The folder POST /api/imports reads files from (the API never reads outside it). Default: imports/ beside the
   * database file; none for an in-memory database unless given.
   */
  importDir?: string | undefined;
}

export const VERSION: string = (() => {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

export function createLogger(level: Config['logLevel']): PinoLogger {
  return pino({ level, base: { service: 'segmentum' } });
}

/**
 * Builds every concrete object once and wires them: store, identity graph, ingest pipeline, services, HTTP server.
 * @example const s = await createSegmentum(parseConfig({ db: ':memory:' }), { logger: false });
 */
export async function createSegmentum(config: Config, opts: CreateOptions = {}): Promise<Segmentum> {
  const clock = opts.clock ?? systemClock;
  const log: Logger = opts.logger ? opts.logger : silentLogger;
  const store = await openDuckDbStore({ path: config.db, logger: log.child({ domain: 'store' }), memoryLimit: config.dbMemoryLimit });
  try {
    const metrics = new ServerMetrics();
    const committer = await GroupCommitter.start({
      store,
      identity: config.identity,
      clock,
      logger: log.child({ domain: 'ingest' }),
      metrics,
      maxQueuedEvents: config.commit.maxQueuedEvents,
      maxEventsPerCommit: config.commit.maxEventsPerCommit,
      dedupWindowDays: config.dedupWindowDays,
    });
    const piiKeys = new PiiKeys([...DEFAULT_PII_TRAITS, ...config.piiTraits]);
    const traits = computedTraitsFrom(config.computedTraits);
    if (!traits.ok) throw new AppError('config.invalid', `Option computedTraits: ${traits.error}`);
    const { computed, mostFrequent } = traits.value;
    const traitNormalisers = new Map<string, TraitNormaliser>();
    for (const [key, t] of Object.entries(config.traitNormalisers)) {
      const spec = parseNormaliserSpec(t.normalise);
      if (!spec.ok) throw new AppError('config.invalid', `Option traitNormalisers.${key}.normalise: ${spec.error.message}`);
      traitNormalisers.set(key, { normalise: buildNormaliser(spec.value), onInvalid: t.onInvalid });
    }
    const normalizer = new EventNormalizer({
      traitNormalisers,
      limits: config.limits,
      blockList: new BlockList([...config.identity.blockedValues, ...config.identity.extraBlockedValues]),
      piiKeys,
      linkByEmail: config.identity.linkByEmail,
    });
    // Segment timers fire on the wall clock only; with an injected clock, time moves when the caller says (tick).
    const wake = opts.clock === undefined ? new WakeTimer(clock, () => committer.tick()) : null;
    const engine = await LiveEngine.start(
      {
        store,
        isPii: (k) => piiKeys.has(k),
        computed,
        logger: log.child({ domain: 'segments' }),
        scorer: new EngagementScorer(config.scoring.engagement),
        onWake: (at) => wake?.at(at),
      },
      clock.now(),
    );
    // Set once the analytics services exist (below): the profiles of each batch, for live cluster segments.
    let touched: ((ids: ProfileId[]) => void) | null = null;
    committer.observe({
      prepare: (b, now) => {
        engine.prepare(b, now);
        if (touched && b.events.length > 0) touched(b.events.map((e) => e.profileId));
      },
      failed: (now) => engine.load(now.getTime()),
      reloadProfiles: (rows, now) => engine.reloadProfiles(rows, now),
    });
    const identity = new IdentityService({ store, writer: committer, config: config.identity, clock });
    const quality = new QualityService({ store, config: config.quality, clock });
    const segments = new SegmentService({
      store,
      engine,
      writer: committer,
      clock,
      computed,
      mostFrequent,
      isPii: (k) => piiKeys.has(k),
    });
    const rfm = new RfmService({ store, engine, writer: committer, clock, config: config.scoring.rfm, logger: log.child({ domain: 'scoring' }) });
    // Corrections found while loading, and timers that fell due while the process was down, are written at once.
    await committer.tick();
    const rfmEvery = config.scoring.rfm.everyHours * 3_600_000;
    const rfmTimer =
      opts.clock === undefined && rfmEvery > 0
        ? setInterval(() => void rfm.recompute().catch((e: unknown) => log.error({ err: e }, 'RFM recomputation failed')), rfmEvery).unref()
        : null;
    const scoringLog = log.child({ domain: 'scoring' });
    const orders = { orderEvent: config.scoring.rfm.orderEvent, revenueProperty: config.scoring.rfm.revenueProperty };
    const analytics = {
      clv: new ClvService({ store, engine, writer: committer, segments, clock, logger: scoringLog, ...orders }),
      clusters: new ClusterService({ store, engine, writer: committer, segments, clock, logger: scoringLog, ...orders }),
      models: new ModelService({ store, engine, writer: committer, segments, clock, logger: scoringLog, ...orders }),
      /** The scheduled pass (scoring.models.everyHours): models rescored, clusterings reassigned, CLV refitted. */
      refreshAll: () => analytics.models.refreshAll({ assignCluster: (name) => analytics.clusters.assign(name), refitClv: () => analytics.clv.refresh() }),
    };
    touched = (ids) => analytics.clusters.touch(ids);
    const liveEvery = config.scoring.models.liveSeconds * 1000;
    let livePass: Promise<unknown> = Promise.resolve();
    const liveTimer =
      opts.clock === undefined && liveEvery > 0
        ? setInterval(() => {
            livePass = livePass.then(() => analytics.clusters.assignTouched()).catch((e: unknown) => log.error({ err: e }, 'Live cluster assignment failed'));
          }, liveEvery).unref()
        : null;
    const modelsEvery = config.scoring.models.everyHours * 3_600_000;
    const modelsTimer =
      opts.clock === undefined && modelsEvery > 0
        ? setInterval(
            () => void analytics.refreshAll().catch((e: unknown) => log.error({ err: e }, 'Rescoring models failed')),
            modelsEvery,
          ).unref()
        : null;
    const ingest = new IngestService(normalizer, committer, store, clock);
    const profiles = new ProfileService(store);
    const imports = new ImportService({
      ingest,
      store,
      clock,
      dedupWindowDays: config.dedupWindowDays,
      quarantine: async (rows) => {
        await committer.submit({ events: [], quarantine: rows, quarantineUpdates: [], actor: 'import' });
      },
    });
    const importDir = opts.importDir ?? (config.db === ':memory:' ? null : join(dirname(resolve(config.db)), 'imports'));
    const { ring, created } = await KeyRing.open(
      store,
      { writeKey: config.writeKey, adminKey: config.adminKey, remembered: opts.rememberedKeys },
      clock,
      log,
    );
    let shuttingDown = false;
    const app = await buildServer({
      logger: opts.logger ?? false,
      metrics,
      version: VERSION,
      trustProxy: config.trustProxy,
      ingest,
      keys: ring,
      limits: config.limits,
      clock,
      profiles,
      segments,
      rfm,
      profileExtras: async (id) => ({
        segments: await segments.segmentsOf(id),
        scores: engine.scoresOf(id) ?? {},
        computed: await segments.computedTraitsOf(id),
      }),
      quarantine: store,
      imports,
      identity,
      quality,
      analytics,
      importDir: importDir === null ? null : resolve(importDir),
      checkWritable: () => store.checkWritable(),
      freeDiskBytes: () => freeDiskBytes(store.path),
      minFreeDiskBytes: config.minFreeDiskBytes,
      isShuttingDown: () => shuttingDown,
      pendingEvents: () => committer.pendingEvents,
    });
    let closed: Promise<void> | null = null;
    return {
      config,
      app,
      ingest,
      profiles,
      segments,
      engine,
      rfm,
      imports,
      identity,
      quality,
      analytics,
      store,
      tick: () => committer.tick(),
      newKeys: created,
      keys: ring,
      close: () => {
        closed ??= (async () => {
          shuttingDown = true;
          // Stop taking requests, let those in flight finish (their events are committed), then flush and close.
          await app.close();
          wake?.stop();
          if (rfmTimer) clearInterval(rfmTimer);
          if (modelsTimer) clearInterval(modelsTimer);
          if (liveTimer) clearInterval(liveTimer);
          await livePass;
          await committer.drain();
          await store.close();
        })();
        return closed;
      },
    };
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
}

/**
 * One wall-clock timer for the earliest segment timer; re-armed at most every hour for far instants. With a million
 * profiles some window edge is always near, so runs are spaced by at least MIN_GAP_MS: each processes every timer
 * due by then, and stamps each change with its own instant, so spacing delays the feed a little but never the times.
 */
class WakeTimer {
  static readonly MIN_GAP_MS = 250;
  private timer: NodeJS.Timeout | null = null;
  private due = Number.POSITIVE_INFINITY;
  private stopped = false;
  private lastFire = Number.NEGATIVE_INFINITY;
  constructor(
    private readonly clock: Clock,
    private readonly fire: () => Promise<void>,
  ) {}

  at(t: number): void {
    if (this.stopped || t >= this.due) return;
    this.arm(t);
  }

  private arm(t: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.due = t;
    const now = this.clock.now().getTime();
    const delay = Math.min(Math.max(0, t - now, this.lastFire + WakeTimer.MIN_GAP_MS - now), 3_600_000);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.due = Number.POSITIVE_INFINITY;
      this.lastFire = this.clock.now().getTime();
      if (!this.stopped) void this.fire().catch(() => undefined);
    }, delay);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
