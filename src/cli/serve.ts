import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { KnownKey } from '../access/index.js';
import { loadConfig, type ConfigInput } from '../config/index.js';
import { createLogger, createSegmentum } from '../main.js';
import { loadDemo } from './load-demo.js';
import type { Io } from './output.js';

export interface ServeOptions {
  port?: string | undefined;
  host?: string | undefined;
  db?: string | undefined;
  writeKey?: string | undefined;
  adminKey?: string | undefined;
  demo?: boolean | undefined;
  logLevel?: string | undefined;
  config?: string | undefined;
}

const KeysFile = z.array(z.object({ kind: z.enum(['write', 'admin']), key: z.string(), label: z.string() }));

const keysFile = (db: string): string => join(dirname(db), 'keys.json');

/** The keys generated on earlier starts, written beside the database. */
function readRememberedKeys(db: string): KnownKey[] {
  if (db === ':memory:' || !existsSync(keysFile(db))) return [];
  const parsed = KeysFile.safeParse(JSON.parse(readFileSync(keysFile(db), 'utf8')));
  return parsed.success ? parsed.data : [];
}

/** Generated keys are written beside the database (mode 600) so each start can print them again. */
function rememberKeys(db: string, known: KnownKey[], fresh: KnownKey[]): KnownKey[] {
  if (db === ':memory:') return fresh;
  const file = keysFile(db);
  const generated = fresh.filter((k) => k.label === 'generated');
  if (generated.length > 0) {
    known = [...known, ...generated];
    writeFileSync(file, JSON.stringify(known, null, 2));
    chmodSync(file, 0o600);
  }
  return [...known, ...fresh.filter((k) => k.label !== 'generated')];
}

export async function serve(o: ServeOptions, env: NodeJS.ProcessEnv, io: Io): Promise<void> {
  const flags: ConfigInput = {};
  if (o.db) flags.db = o.db;
  if (o.port !== undefined) flags.port = Number(o.port);
  if (o.host) flags.host = o.host;
  if (o.writeKey) flags.writeKey = o.writeKey;
  if (o.adminKey) flags.adminKey = o.adminKey;
  if (o.logLevel) Object.assign(flags, { logLevel: o.logLevel });
  const config = loadConfig({ file: o.config, env, flags });
  const logger = createLogger(config.logLevel);
  const remembered = readRememberedKeys(config.db);
  const s = await createSegmentum(config, { logger, rememberedKeys: remembered.map((k) => k.key) });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: flushing accepted events');
    s.close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  if (o.demo) {
    const stats = await s.profiles.stats();
    if (stats.events === 0) {
      io.err('First start: loading the demo data set (10,000 French e-commerce customers, 180 days)...');
      const day = new Date();
      day.setUTCHours(0, 0, 0, 0);
      const summary = await loadDemo(s, { profiles: 10_000, days: 180, seed: 42, now: day }, io);
      io.err(
        `Demo data loaded: ${summary.accepted} events in ${summary.seconds.toFixed(1)} s` +
          (summary.rejected > 0 ? ` (${summary.rejected} quarantined: see \`segmentum quarantine list\`)` : '') +
          `, ${summary.segments} example segments (\`segmentum segments list\`).`,
      );
    }
  }

  const listening = await s.app.listen({ port: config.port, host: config.host });
  // Loopback is shown as localhost, the address a browser on this machine uses.
  const address = listening.replace('://127.0.0.1:', '://localhost:');
  // A key revoked since it was generated stays in keys.json but is not printed: it no longer works.
  const keys = rememberKeys(config.db, remembered, s.newKeys).filter((k) => s.keys.isLive(k.key));
  const lines = [
    '',
    `Segmentum is running on ${address}`,
    `  Dashboard:  ${address}/ (log in with the admin key below)`,
    `  API docs:   ${address}/docs`,
    `  Database:   ${config.db}`,
  ];
  for (const k of keys) lines.push(`  ${k.kind === 'write' ? 'Write key:' : 'Admin key:'}  ${k.key}${k.label === 'generated' ? '' : ` (${k.label})`}`);
  if (keys.length === 0) lines.push('  Keys: set by an earlier start; pass --write-key/--admin-key or see keys.json beside the database.');
  lines.push('', `Try: curl -u <write key>: ${address}/v1/track -d '{"userId":"u1","event":"Hello"}'`, '');
  io.out(lines.join('\n'));
}
