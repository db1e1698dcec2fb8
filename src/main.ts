import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger as PinoLogger } from 'pino';
import { KeyRing, type KnownKey } from './access/index.js';
import { buildServer, ServerMetrics } from './api/index.js';
import type { Config } from './config/index.js';
import { BlockList } from './identity/index.js';
import { EventNormalizer, GroupCommitter, IngestService } from './ingest/index.js';
import { silentLogger, systemClock, type Clock, type Logger } from './kernel/index.js';
import { PiiKeys, ProfileService } from './profiles/index.js';
import { freeDiskBytes, openDuckDbStore, type Store } from './store/index.js';
import { DEFAULT_PII_TRAITS } from './config/index.js';

/** A running Segmentum: the composition root's product, shared by the server, the CLI and the tests. */
export interface Segmentum {
  config: Config;
  app: FastifyInstance;
  ingest: IngestService;
  profiles: ProfileService;
  store: Store;
  /** Keys added on this start (given by flag/environment, or generated): the only time their text is known. */
  newKeys: KnownKey[];
  close(): Promise<void>;
}

export interface CreateOptions {
  clock?: Clock;
  /** A pino logger for the process, or false for silence (tests). */
  logger?: PinoLogger | false;
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
  const store = await openDuckDbStore({ path: config.db, logger: log.child({ domain: 'store' }) });
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
    const normalizer = new EventNormalizer({
      limits: config.limits,
      blockList: new BlockList([...config.identity.blockedValues, ...config.identity.extraBlockedValues]),
      piiKeys: new PiiKeys([...DEFAULT_PII_TRAITS, ...config.piiTraits]),
      linkByEmail: config.identity.linkByEmail,
    });
    const ingest = new IngestService(normalizer, committer, store, clock);
    const profiles = new ProfileService(store);
    const { ring, created } = await KeyRing.open(store, { writeKey: config.writeKey, adminKey: config.adminKey }, clock, log);
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
      quarantine: store,
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
      store,
      newKeys: created,
      close: () => {
        closed ??= (async () => {
          shuttingDown = true;
          // Stop taking requests, let those in flight finish (their events are committed), then flush and close.
          await app.close();
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
